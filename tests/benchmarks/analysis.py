"""Network-analysis benchmark: projection and every analysis on synthetic stores, one run.

    python -m tests.benchmarks.analysis --sizes 10000,100000 [--repeat 3] [--work DIR] [--json out.json]

For each size it writes synthetic sources (``repnet synth``, seed 1, 10,000 persons per file) and
builds them into a store on disk (``repnet build``), or reuses the store a previous run left in
``--work`` for the same size and seed. Then it times, as medians of ``--repeat`` runs:

- the projection from the store on disk, and reading it back from the projection cache;
- every analysis in :mod:`repnet.graph.network.analysis` with the CLI's defaults (centrality computes
  degree, sampled betweenness and PageRank; brokers runs Louvain again);
- the network exports (GEXF, GraphML).

Timings are never asserted in tests; the goal is every analysis under 60 s at 100,000 persons on
a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .suite import runs  # one timing helper for every benchmark

SEED = 1
PER_FILE = 10_000


def store_for(persons: int, work: Path, log: Callable[[str], None]) -> tuple[Path, float | None]:
    """A built store for ``persons`` synthetic persons in ``work``: reused when a previous run made it."""
    from repnet.graph.ingest.build import build
    from repnet.graph.ingest.synth import write_synthetic

    root = work / f"store-{persons}"
    marker = work / f"store-{persons}.json"
    params = {"persons": persons, "seed": SEED, "per_file": PER_FILE}
    if (root / "current").exists() and marker.exists() and json.loads(marker.read_text()) == params:
        log(f"reusing the store for {persons:,} persons in {root}")
        return root, None
    log(f"writing {persons:,} synthetic persons and building the store (takes minutes at 100,000) ...")
    t0 = time.perf_counter()
    src = work / f"synth-{persons}"
    write_synthetic(src, persons=persons, seed=SEED, per_file=PER_FILE)
    build([src], root)
    marker.write_text(json.dumps(params))
    return root, time.perf_counter() - t0


def analysis_steps(G: Any, periods: dict[str, Any] | None = None) -> list[tuple[str, Callable[[], Any], Callable[[Any], Any] | None]]:
    """Every analysis with the CLI's defaults: (name, run, note about the result or None).

    The one list both benchmarks run (this module's and :mod:`tests.benchmarks.suite`).
    """
    from repnet.graph.network import analysis as A

    persons = sorted(v for v, d in G.nodes(data=True) if d["class"] == "Person")
    countries = sorted(v for v, d in G.nodes(data=True) if d["class"] == "Country")
    someone, abroad = persons[0], countries[-1]
    return [
        ("undirected simple graph", lambda: A.undirected(G), lambda H: f"{H.number_of_edges():,} links"),
        ("centrality (degree, betweenness, PageRank)", lambda: A.centrality(G, classes=["Court"], top=10),
         lambda t: t.notes["betweenness"]),
        ("communities (Louvain)", lambda: A.communities(G),
         lambda t: f"{t.notes['communities']}, modularity {t.notes['modularity']}"),
        ("brokers (Louvain + participation)", lambda: A.brokers(G), None),
        ("path (person -> foreign country)", lambda: A.paths(G, someone, abroad), lambda t: f"{t.notes.get('hops')} hops"),
        ("ego network (radius 2)", lambda: A.ego(G, someone, radius=2), lambda t: f"{t.notes['nodes']:,} nodes"),
        ("shared (case, judge, court, facility)", lambda: A.shared(G), lambda t: f"{t.notes['pairs']:,} pairs"),
        ("shared, one person", lambda: A.shared(G, person=someone), None),
        ("judges and courts ranking", lambda: A.judges(G), None),
        ("stats (court, judge, charge, year)", lambda: A.stats(G), None),
        ("as of 2025-12-01 (view)", lambda: A.as_of(G, "2025-12-01"), None),
        ("diff 2025-09-01 .. 2025-12-31", lambda: A.diff(G, "2025-09-01", "2025-12-31", periods),
         lambda t: f"{t.notes['released']:,} released, {t.notes['added']:,} added"),
    ]


def bench_size(persons: int, work: Path, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    from repnet.graph.network import project as P
    from repnet.graph.network.netexport import write_gexf, write_graphml
    from repnet.graph.store import open_store

    root, built = store_for(persons, work, log)
    store = open_store(root)
    row: dict[str, Any] = {"persons": persons, "build_s": None if built is None else round(built, 1)}
    times: dict[str, float] = {}
    notes: dict[str, Any] = {}

    def timed(name: str, fn: Callable[[], Any], n: int = repeat) -> Any:
        t, _, out = runs(fn, n, budget=float("inf"))
        times[name] = round(t, 2)
        log(f"  {name}: {t:.2f} s (load average {os.getloadavg()[0]:.1f})")
        return out

    log(f"{persons:,} persons:")
    G = timed("projection (store on disk)", lambda: P.project(store))
    cache = work / "cache" / f"network-{persons}.pickle"
    P._save(cache, G)  # the file the CLI's cache would hold
    import pickle

    timed("projection (from the cache)", lambda: pickle.loads(cache.read_bytes()))
    row.update(nodes=G.number_of_nodes(), edges=G.number_of_edges())
    from repnet.graph.ask.status import stored_periods

    for name, fn, note in analysis_steps(G, stored_periods(store)):
        out = timed(name, fn)
        if note is not None:
            notes[name.split(" ")[0]] = note(out)
    with tempfile.TemporaryDirectory() as d:
        timed("export GEXF", lambda: write_gexf(G, Path(d) / "n.gexf"), 1)
        timed("export GraphML", lambda: write_graphml(G, Path(d) / "n.graphml"), 1)
    store.close()
    row["times"] = times
    row["notes"] = notes
    return row


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table, one column per size."""
    head = "| step | " + " | ".join(f"{r['persons']:,} persons" for r in rows) + " |"
    out = [head, "|---|" + "---|" * len(rows)]
    out.append("| nodes / edges | " + " | ".join(f"{r['nodes']:,} / {r['edges']:,}" for r in rows) + " |")
    for step in rows[0]["times"]:
        out.append(f"| {step} | " + " | ".join(f"{r['times'][step]:.2f} s" for r in rows) + " |")
    for key in rows[0]["notes"]:
        out.append(f"| ({key}) | " + " | ".join(str(r["notes"][key]) for r in rows) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - run by hand
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="Comma-separated numbers of synthetic persons.")
    ap.add_argument("--repeat", type=int, default=3, help="Runs per step (the median is reported).")
    ap.add_argument("--work", type=Path, default=None,
                    help="Directory for sources and stores, kept for the next run (default: a temporary one).")
    ap.add_argument("--json", type=Path, default=None, help="Also write the results as JSON.")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    def log(msg: str) -> None:
        print(msg, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = [bench_size(n, work, args.repeat, log) for n in sizes]
    print()
    print(table(rows))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmedian of {args.repeat} runs (exports: 1); peak RSS {rss:,.0f} MB; load average at the end {load} "
          f"on {os.cpu_count()} cores; command: python -m tests.benchmarks.analysis --sizes {args.sizes} "
          f"--repeat {args.repeat}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
