"""The build: sources -> checked dataset -> validated store generation -> swapped in."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .dataset import Dataset, load_dataset
from .store import Progress, replace_store, resolve
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
        loaded = replace_store(store, nquads=batches, check=require_valid(ds, engine), progress=progress)
    return BuildResult(resolve(store), len(ds.sources), ds.record_count, loaded.quads, t1 - t0, loaded.seconds,
                       loaded.seconds_check)
