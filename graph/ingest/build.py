"""The build: sources -> checked dataset -> validated store generation -> swapped in."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..ask import dayindex
from ..ask.status import derived_quads
from ..progress import Progress
from ..store.embedded import EmbeddedStore, memory_store
from ..store.layout import replace_store, resolve
from .dataset import Dataset, load_dataset
from .match import same_as_quads
from .validate import require_valid


@dataclass
class BuildResult:
    store: Path
    sources: int
    records: int
    quads: int
    seconds_read: float
    seconds_load_validate: float
    seconds_validate: float = 0.0


def derive(store: EmbeddedStore, base: str) -> Iterator[ox.Quad]:
    """What the build computes from a loaded generation: each person's status periods and the
    owl:sameAs of the judgements decided "same" (from the public graphs only, so nothing derived
    from a restricted fact is published)."""
    public = EmbeddedStore(store.oxigraph, public_only=True).visible_graphs()
    yield from derived_quads(store.oxigraph, base, public)
    yield from same_as_quads(store.oxigraph, base, public)  # the judgements of repnet match (issue 13)


def index(store: EmbeddedStore, base: str) -> None:
    """Write the generation's indexes beside its triples: the day index of ``detained-on``."""
    if store.generation is not None:
        dayindex.write(store.oxigraph, base, store.generation)


def in_memory(ds: Dataset, public_only: bool = False) -> EmbeddedStore:
    """The dataset in a new in-memory store, with what the build derives: the quads of :func:`build`."""
    store = memory_store(ds.quads())
    store.oxigraph.extend(derive(store, ds.base))
    return EmbeddedStore(store.oxigraph, public_only=public_only) if public_only else store


def _store_stages(progress: Progress) -> Progress:
    """The store's progress calls ("loaded", quads so far) in this module's stage names."""

    def forward(stage: str, done: int, total: int | None = None) -> None:
        progress({"loaded": "loaded triples"}.get(stage, stage), done, total)

    return forward


def build(paths: Iterable[str | Path] | None = None, store: str | os.PathLike[str] | None = None,
          base: str | None = None, engine: str = "fast", progress: Progress | None = None) -> BuildResult:
    """Read and check the sources, load them into a new store generation, validate it, swap it in.

    ``progress(stage, done, total)`` (:mod:`repnet.graph.progress`) hears, in order: "reading files"
    (files), "checking records" (records), "loading records" (records, as their quads are loaded;
    between them "loaded triples" with the triples so far and no total), "deriving", "indexing" and
    "validating" (SHACL checks).
    """
    t0 = time.perf_counter()
    ds: Dataset = load_dataset(paths, base, progress)
    t1 = time.perf_counter()
    with ds.nquads_batches(progress=progress, release=True) as batches:
        loaded = replace_store(store, nquads=batches, check=require_valid(ds, engine, progress),
                               progress=_store_stages(progress) if progress else None,
                               derive=functools.partial(derive, base=ds.base),
                               index=functools.partial(index, base=ds.base))
    return BuildResult(resolve(store), len(ds.sources), ds.record_count, loaded.quads, t1 - t0, loaded.seconds,
                       loaded.seconds_check)
