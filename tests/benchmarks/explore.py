"""Live explorer benchmark: search and expansion latency of ``/explore`` on a synthetic store.

    python -m tests.benchmarks.explore [--nodes 10000] [--repeat 20] [--work DIR]

Builds (or reuses, with ``--work``) a synthetic store of about N persons (as ``tests.benchmarks.viz``
does) and times, in one process as a query worker runs them (:mod:`repnet.graph.web.explore`): the
first search (reads every name), later searches (median of ``--repeat`` names), the first expansion
(projects the store or reads the projection cache) and later expansions (median). Timings are never
asserted in tests.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    from repnet.graph.store import open_store
    from repnet.graph.web.explore import Explorer, neighbours, search

    from .viz import synthetic_store

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--work", type=Path)
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="repnet-bench-explore-"))
    root, built = synthetic_store(a.nodes, work)
    ex = Explorer(open_store(root, include_restricted=False), False)
    t0 = time.perf_counter()
    first = search(ex, "an")
    t_first = time.perf_counter() - t0
    rng = random.Random(1)
    names = [w for _, w, _ in rng.sample(ex.written, min(a.repeat, len(ex.written)))]
    times = []
    for name in names:
        t0 = time.perf_counter()
        search(ex, name.split()[-1])
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    neighbours(ex, first["results"][0]["id"])
    t_expand1 = time.perf_counter() - t0
    G = ex.graph
    nodes = rng.sample(list(G), min(a.repeat, G.number_of_nodes()))
    exp, sizes = [], []
    for n in nodes:
        t0 = time.perf_counter()
        d = neighbours(ex, n)
        exp.append(time.perf_counter() - t0)
        sizes.append(d["total"])
    print(f"| {a.nodes:,} | {G.number_of_nodes():,} | {len(ex.written):,} | {built:.1f} | {t_first:.3f} | "
          f"{statistics.median(times):.3f} | {t_expand1:.2f} | {statistics.median(exp):.3f} | "
          f"{max(exp):.3f} (max {max(sizes)} neighbours) |")
    print("| persons asked | network nodes | names | build s | first search s | search s (median) | "
          "first expansion s | expansion s (median) | expansion s (worst) |")


if __name__ == "__main__":
    main()
