"""Sources -> a checked dataset: the value every later stage (validation, store) takes."""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, DCTERMS, PROV, RDF, data_base
from ...ontology.resources import read_text
from ..formats import nquads_text
from ..iris import graph_iri
from ..progress import Progress
from ..runtime import end_with_parent
from . import records
from .sources import Source, default_paths, expand_paths, read_sources

ONTOLOGY_IRI = "https://w3id.org/repnet/ontology"
BATCH_RECORDS = 50_000  # records per N-Quads batch: ~120k quads of synthetic data, one bulk-load call


@dataclass
class Dataset:
    """Checked sources under one base. ``quads()`` streams the RDF (one named graph per source)."""

    sources: list[Source]
    base: str

    def quads(self) -> Iterator[ox.Quad]:
        yield from records.quads(self.sources, self.base)
        yield from vocabulary_quads(self.base)

    def nquads_batches(self, workers: int | None = None, batch: int = BATCH_RECORDS,
                       progress: Progress | None = None) -> Batches:
        """The same quads as :meth:`quads`, as N-Quads text in batches of up to ``batch`` records.

        Batches are generated on ``workers`` forked processes (default: one per core) while the
        caller loads the previous ones: turning records into RDF is the Python half of a build.
        Iterating yields (N-Quads bytes, number of quads); use it in a ``with`` block, which stops
        the workers however it ends. Without fork (or with one worker) it all runs here.
        ``progress("loading records", done, total)`` is called once the caller has taken a batch.
        """
        return Batches(self, workers, batch, progress)

    @property
    def record_count(self) -> int:
        return sum(len(s.records) for s in self.sources)


_FORKED: Dataset | None = None  # the dataset forked workers read (inherited, never pickled)


class Batches:
    """The dataset's N-Quads batches (see :meth:`Dataset.nquads_batches`); a context manager."""

    def __init__(self, ds: Dataset, workers: int | None, batch: int, progress: Progress | None = None):
        self.ds = ds
        self.progress = progress
        self.jobs = [(i, lo, min(lo + batch, len(src.records)))
                     for i, src in enumerate(ds.sources) for lo in range(0, max(len(src.records), 1), batch)]
        n = max(1, min(workers or os.cpu_count() or 1, len(self.jobs)))
        self.pool: Any = None
        if n > 1 and "fork" in multiprocessing.get_all_start_methods():
            # forked now, before the caller opens a store (no store threads get copied); the
            # dataset stays reachable while the pool lives, for any worker the pool re-forks
            global _FORKED
            _FORKED = ds
            self.pool = multiprocessing.get_context("fork").Pool(n, initializer=end_with_parent, initargs=(os.getpid(),))

    def __enter__(self) -> Batches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        global _FORKED
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
            _FORKED = None

    def __iter__(self) -> Iterator[tuple[bytes, int]]:
        ds, jobs = self.ds, self.jobs
        results: Iterable[tuple[bytes, int, bool]] = (
            self.pool.imap(_forked_batch, jobs) if self.pool is not None else map(functools.partial(_batch, ds), jobs))
        used = [False] * len(ds.sources)
        last_job = {i: j for j, (i, _, _) in enumerate(jobs)}
        mint = records.Minter(ds.base)
        done, total = 0, ds.record_count
        try:
            for j, (data, count, restricted_used) in enumerate(results):
                i, lo, hi = jobs[j]
                used[i] = used[i] or restricted_used
                yield data, count
                done += hi - lo
                if self.progress:
                    self.progress("loading records", done, total)
                if last_job[i] == j:  # the source's own description, once all its records are in
                    lines = records.source_lines(ds.sources[i], mint, used[i])
                    yield "".join(lines).encode(), len(lines)
            yield nquads_text(vocabulary_quads(ds.base))
        finally:
            self.close()


def _batch(ds: Dataset, job: tuple[int, int, int]) -> tuple[bytes, int, bool]:
    i, lo, hi = job
    src = ds.sources[i]
    lines: list[str] = []
    used = records.records_lines(src, src.records[lo:hi], records.Minter(ds.base), lines)
    return "".join(lines).encode(), len(lines), used


def _forked_batch(job: tuple[int, int, int]) -> tuple[bytes, int, bool]:
    assert _FORKED is not None
    return _batch(_FORKED, job)


def vocabulary_quads(base: str) -> Iterator[ox.Quad]:
    """The SKOS concept schemes, in their own public graph, so queries can read concept labels."""
    g = ox.NamedNode(f"{base}graph/vocabulary")
    for t in ox.parse(read_text("concepts.ttl"), format=ox.RdfFormat.TURTLE):
        yield ox.Quad(t.subject, t.predicate, t.object, g)
    meta = ox.NamedNode(graph_iri(base, part="meta"))
    yield ox.Quad(g, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Entity)), meta)
    yield ox.Quad(g, ox.NamedNode(str(PROV.wasDerivedFrom)), ox.NamedNode(ONTOLOGY_IRI), meta)
    yield ox.Quad(g, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)
    # the metadata graph is public too: it describes public graphs only (a restricted source's
    # description and its graphs' provenance live in its restricted graph)
    yield ox.Quad(meta, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)


def load_dataset(paths: Iterable[str | Path] | None = None, base: str | None = None,
                 progress: Progress | None = None) -> Dataset:
    """Read and check source files (default: the packaged data/). Raises SourceError listing every problem.

    ``progress`` hears "reading files" (files read of all) and "checking records" (0, then all)."""
    ds = read_dataset(paths, base, progress)
    Checking(ds, progress, thread=False).wait()
    return ds


def read_dataset(paths: Iterable[str | Path] | None = None, base: str | None = None,
                 progress: Progress | None = None) -> Dataset:
    """Read source files (default: the packaged data/) without checking their records: a
    :class:`Dataset` only once :class:`Checking` has passed. Raises SourceError for files that
    cannot be read. ``progress`` hears "reading files" (files read of all)."""
    files = expand_paths(paths) if paths else default_paths()
    if not files:
        from ..errors import Problem, SourceError

        where = ", ".join(map(str, paths or [])) or "data/"
        raise SourceError([Problem(where, None, None, "no source files found",
                                   "give .yaml or .json source files, or a folder that holds them")])
    return Dataset(sources=list(read_sources(files, progress)), base=data_base(base))


class Checking:
    """The checks of a dataset's records (:func:`records.check`), on a thread while the caller
    goes on with the records; a context manager.

    The full build turns records into N-Quads and loads them into its new generation while this
    checks them: the checks are Python on one core, the conversion runs on forked workers and
    the load in Oxigraph without the GIL (at 100,000 persons the checks took 10 s before the
    first quad was loaded). Checks only read the records, so the quads are the same either way.
    Whatever the caller does with unchecked records stays in a generation that is discarded
    unless every check passed: :meth:`gate` raises the checks' SourceError after the last batch,
    and leaving the block with any error raises the SourceError instead when the checks failed
    (the problems in the records, not what converting them tripped on). Start it after forking
    workers (a fork copies only the thread that forks).

    ``progress`` hears "checking records" (0 at the start; all, from the caller's thread, once
    the checks have passed: see :meth:`gate`).
    """

    def __init__(self, ds: Dataset, progress: Progress | None = None, thread: bool = True):
        import threading

        self.ds, self.progress = ds, progress
        self.total = ds.record_count
        self.error: BaseException | None = None
        self.reported = False
        self._thread: threading.Thread | None = None
        if progress:
            progress("checking records", 0, self.total)
        if thread:
            self._thread = threading.Thread(target=self._run, name="repnet-check", daemon=True)
            self._thread.start()
        else:
            self._run()

    def _run(self) -> None:
        try:
            records.check(self.ds.sources)
        except BaseException as e:  # noqa: BLE001 - raised in the caller's thread
            self.error = e

    def done(self) -> bool:
        return self._thread is None or not self._thread.is_alive()

    def wait(self) -> None:
        """Wait for the checks; raise their error (SourceError), else report them done."""
        if self._thread is not None:
            self._thread.join()
        if self.error is not None:
            raise self.error
        if self.progress and not self.reported:
            self.reported = True
            self.progress("checking records", self.total, self.total)

    def gate(self, batches: Iterable[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
        """``batches`` passed through, then the checks waited for (so the caller's next stage reads
        checked data only). Between batches, checks that have ended are reported, or raise their
        error at once (the rest would be loaded for nothing)."""
        for batch in batches:
            if not self.reported and self.done():
                self.wait()
            yield batch
        self.wait()

    def __enter__(self) -> Checking:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if self._thread is not None:
            self._thread.join()
        if self.error is not None and exc is not self.error:
            raise self.error from exc  # the records' problems, whatever else went wrong with them
        if kind is None:
            self.wait()
