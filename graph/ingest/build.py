"""The build: sources -> checked dataset -> validated store generation -> swapped in."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ...ontology.namespaces import data_base
from ..ask import dayindex
from ..ask.status import derived_from, evidence, graph_documents, names_by_graph
from ..formats import text_batches
from ..progress import Progress
from ..runtime import collector_paused
from ..store.embedded import EmbeddedStore, memory_store
from ..store.layout import LOAD_CHUNK, replace_store, resolve
from .dataset import Checking, Dataset, read_dataset
from .incremental import BuildResult, DeriveInputs, try_incremental, write_full_cache
from .match import same_as_quads
from .validate import require_valid


def derive(store: EmbeddedStore, base: str, keep: DeriveInputs | None = None) -> Iterator[str]:
    """What the build computes from a loaded generation, as N-Quads lines: each person's status
    periods and the owl:sameAs of the judgements decided "same" (from the public graphs only, so
    nothing derived from a restricted fact is published). ``keep`` receives what it read (for the
    build cache)."""
    public = EmbeddedStore(store.oxigraph, public_only=True).visible_graphs()
    items = evidence(store.oxigraph, public)
    by_graph, docs = names_by_graph(store.oxigraph, public), graph_documents(store.oxigraph, public)
    same = list(same_as_quads(store.oxigraph, base, public))  # the judgements of repnet match (issue 13)
    if keep is not None:
        keep.items, keep.by_graph, keep.docs, keep.held = items, by_graph, docs, []
    # everything is read before the first quad is yielded: the caller loads them while this computes
    yield from derived_from(items, by_graph, docs, base, held=keep.held if keep is not None else None)
    yield from (f"{q} .\n" for q in same)


def index(store: EmbeddedStore, base: str, held: list[tuple[str, str]] | None = None) -> None:
    """Write the generation's indexes beside its triples: the day index of ``detained-on`` (from
    ``held``, the held days :func:`derive` wrote, when given)."""
    if store.generation is not None:
        dayindex.write(store.oxigraph, base, store.generation, held)


def in_memory(ds: Dataset, public_only: bool = False) -> EmbeddedStore:
    """The dataset in a new in-memory store, with what the build derives: the quads of :func:`build`."""
    store = memory_store(ds.quads())
    for data, _ in text_batches(derive(store, ds.base), LOAD_CHUNK):
        store.oxigraph.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    return EmbeddedStore(store.oxigraph, public_only=public_only) if public_only else store


def _store_stages(progress: Progress) -> Progress:
    """The store's progress calls ("loaded", quads so far) in this module's stage names."""

    def forward(stage: str, done: int, total: int | None = None) -> None:
        progress({"loaded": "loaded triples"}.get(stage, stage), done, total)

    return forward


def build(paths: Iterable[str | Path] | None = None, store: str | os.PathLike[str] | None = None,
          base: str | None = None, engine: str = "fast", progress: Progress | None = None,
          full: bool = False) -> BuildResult:
    """Read and check the sources, load them into a new store generation, validate it, swap it in.

    When the store's current generation was built by this repnet from mostly the same files, only
    the files that changed are read and the new generation is the current one edited
    (:mod:`repnet.graph.ingest.incremental`: the same contents as a full build, in a fraction of
    the time); ``full=True`` always builds from scratch.

    ``progress(stage, done, total)`` (:mod:`repnet.graph.progress`) hears, in order: "reading files"
    (files), "checking records" (records: 0 when the checks start; all once they pass, which a
    full build reports between loaded batches, as it checks the records while they load),
    "loading records" (records, as their quads are loaded; between them "loaded triples" with the
    triples so far and no total), "deriving", "indexing" and "validating" (SHACL checks).
    """
    if paths is not None:
        paths = list(paths)
    with collector_paused():  # millions of records and quads that live until the end (runtime.py)
        if not full:
            done = try_incremental(paths, store, data_base(base), engine, progress)
            if done is not None:
                return done
        return _full_build(paths, store, base, engine, progress)


def _full_build(paths: list[str | Path] | None, store: str | os.PathLike[str] | None, base: str | None,
                engine: str, progress: Progress | None) -> BuildResult:
    """A build from scratch (:func:`build`)."""
    t0 = time.perf_counter()
    ds: Dataset = read_dataset(paths, base, progress)  # checked while its records load (Checking)
    t1 = time.perf_counter()
    keep = DeriveInputs()

    def index_and_cache(s: EmbeddedStore) -> None:
        index(s, ds.base, keep.held)
        keep.held = None
        if s.generation is not None:
            write_full_cache(s.generation, ds, s.oxigraph, keep, counted[0])

    counted = [0]

    def counting(batches: Iterable[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
        for data, n in batches:
            counted[0] += n
            yield data, n

    def derive_counted(s: EmbeddedStore) -> Iterator[tuple[bytes, int]]:
        return counting(text_batches(derive(s, ds.base, keep), LOAD_CHUNK))

    # records are kept whole until the end: the build cache of the next incremental build is made
    # from them after loading (ids defined and mentioned, the metadata quads). The workers fork
    # before the checks' thread starts.
    with ds.nquads_batches(progress=progress) as batches, Checking(ds, progress) as checks:
        loaded = replace_store(store, nquads=checks.gate(counting(batches)), check=require_valid(ds, engine, progress),
                               progress=_store_stages(progress) if progress else None,
                               derive=derive_counted, index=index_and_cache)
    return BuildResult(resolve(store), len(ds.sources), ds.record_count, loaded.quads, t1 - t0, loaded.seconds,
                       loaded.seconds_check)
