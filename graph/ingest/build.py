"""The build: sources -> checked dataset -> validated store generation -> swapped in."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .dataset import Dataset, load_dataset
from ..ask.status import derived_quads
from ..progress import Progress
from ..store.embedded import EmbeddedStore, memory_store
from ..store.layout import replace_store, resolve
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
    """What the build computes from a loaded generation: each person's status periods (from the
    public graphs only, so nothing derived from a restricted fact is published)."""
    public = EmbeddedStore(store.oxigraph, public_only=True).visible_graphs()
    yield from derived_quads(store.oxigraph, base, public)


def in_memory(ds: Dataset, public_only: bool = False) -> EmbeddedStore:
    """The dataset in a new in-memory store, with what the build derives: the quads of :func:`build`."""
    store = memory_store(ds.quads())
    store.oxigraph.extend(derive(store, ds.base))
    return EmbeddedStore(store.oxigraph, public_only=public_only) if public_only else store


def build(paths: Iterable[str | Path] | None = None, store: str | os.PathLike[str] | None = None,
          base: str | None = None, engine: str = "fast", progress: Progress | None = None) -> BuildResult:
    """Read and check the sources, load them into a new store generation, validate it, swap it in."""
    t0 = time.perf_counter()
    if progress:
        progress("reading", 0)
    ds: Dataset = load_dataset(paths, base)
    t1 = time.perf_counter()
    if progress:
        progress("checked", ds.record_count)
    with ds.nquads_batches() as batches:
        loaded = replace_store(store, nquads=batches, check=require_valid(ds, engine), progress=progress,
                               derive=functools.partial(derive, base=ds.base))
    return BuildResult(resolve(store), len(ds.sources), ds.record_count, loaded.quads, t1 - t0, loaded.seconds,
                       loaded.seconds_check)
