"""Sources -> a checked dataset: the value every later stage (validation, store) takes."""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import pyoxigraph as ox

from ..ontology.namespaces import ACCESS, DCTERMS, PROV, RDF, data_base
from ..ontology.resources import read_text
from . import records
from .sources import Source, default_paths, expand_paths, read_sources

ONTOLOGY_IRI = "https://w3id.org/repnet/ontology"
BATCH_RECORDS = 50_000  # records per N-Quads batch: ~300k quads of synthetic data, one bulk-load call


@dataclass
class Dataset:
    """Checked sources under one base. ``quads()`` streams the RDF (one named graph per source)."""

    sources: list[Source]
    base: str

    def quads(self) -> Iterator[ox.Quad]:
        yield from records.quads(self.sources, self.base)
        yield from vocabulary_quads(self.base)

    def nquads_batches(self, workers: int | None = None, batch: int = BATCH_RECORDS) -> Iterator[tuple[bytes, int]]:
        """The same quads as :meth:`quads`, as N-Quads text in batches of up to ``batch`` records.

        Batches are generated on ``workers`` forked processes (default: one per core) while the
        caller loads the previous ones: turning records into RDF is the Python half of a build.
        Yields (N-Quads bytes, number of quads). Without fork (or with one worker) it runs here.
        """
        jobs = [(i, lo, min(lo + batch, len(src.records)))
                for i, src in enumerate(self.sources) for lo in range(0, max(len(src.records), 1), batch)]
        n = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        pool = None
        if n == 1 or "fork" not in multiprocessing.get_all_start_methods():
            results: Iterator[tuple[bytes, int, bool]] = map(functools.partial(_batch, self), jobs)
        else:
            # forked now, before the caller opens a store (no store threads get copied)
            global _FORKED
            _FORKED = self
            pool = multiprocessing.get_context("fork").Pool(n)
            _FORKED = None
            results = pool.imap(_forked_batch, jobs)
        return self._merge(jobs, results, pool)

    def _merge(self, jobs: list[tuple[int, int, int]], results: Iterator[tuple[bytes, int, bool]],
               pool: Any) -> Iterator[tuple[bytes, int]]:
        used = [False] * len(self.sources)
        last_job = {i: j for j, (i, _, _) in enumerate(jobs)}
        try:
            mint = records.Minter(self.base)
            for j, (data, count, restricted_used) in enumerate(results):
                i = jobs[j][0]
                used[i] = used[i] or restricted_used
                yield data, count
                if last_job[i] == j:  # the source's own description, once all its records are in
                    yield _nquads(records.source_quads(self.sources[i], mint, used[i]))
            yield _nquads(vocabulary_quads(self.base))
        finally:
            if pool is not None:
                pool.terminate()

    @property
    def record_count(self) -> int:
        return sum(len(s.records) for s in self.sources)


_FORKED: Dataset | None = None  # the dataset forked workers read (inherited, never pickled)


def _nquads(quads: Iterable[ox.Quad]) -> tuple[bytes, int]:
    qs = list(quads)
    return ox.serialize(qs, format=ox.RdfFormat.N_QUADS) or b"", len(qs)


def _batch(ds: Dataset, job: tuple[int, int, int]) -> tuple[bytes, int, bool]:
    i, lo, hi = job
    src = ds.sources[i]
    used = [False]
    data, n = _nquads(records.records_quads(src, src.records[lo:hi], records.Minter(ds.base), used))
    return data, n, used[0]


def _forked_batch(job: tuple[int, int, int]) -> tuple[bytes, int, bool]:
    assert _FORKED is not None
    return _batch(_FORKED, job)


def vocabulary_quads(base: str) -> Iterator[ox.Quad]:
    """The SKOS concept schemes, in their own public graph, so queries can read concept labels."""
    g = ox.NamedNode(f"{base}graph/vocabulary")
    for t in ox.parse(read_text("concepts.ttl"), format=ox.RdfFormat.TURTLE):
        yield ox.Quad(t.subject, t.predicate, t.object, g)
    meta = ox.NamedNode(f"{base}graph/meta")
    yield ox.Quad(g, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Entity)), meta)
    yield ox.Quad(g, ox.NamedNode(str(PROV.wasDerivedFrom)), ox.NamedNode(ONTOLOGY_IRI), meta)
    yield ox.Quad(g, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)
    # the metadata graph is public too: it describes public graphs only (a restricted source's
    # description and its graphs' provenance live in its restricted graph)
    yield ox.Quad(meta, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)


def load_dataset(paths: Iterable[str | Path] | None = None, base: str | None = None) -> Dataset:
    """Read and check source files (default: the packaged data/). Raises SourceError listing every problem."""
    files = expand_paths(paths) if paths else default_paths()
    if not files:
        from .errors import Problem, SourceError

        where = ", ".join(map(str, paths or [])) or "data/"
        raise SourceError([Problem(where, None, None, "no source files found",
                                   "give .yaml or .json source files, or a folder that holds them")])
    sources = list(read_sources(files))
    records.check(sources)
    return Dataset(sources=sources, base=data_base(base))
