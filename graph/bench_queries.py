"""Query benchmark: every saved query in the embedded store and in plain rdflib, one run.

    python -m repnet.graph.bench_queries --sizes belarus,10000,100000 [--repeat 3] [--json FILE]
                                         [--work DIR] [--queries a,b] [--rdflib-cap 120] [--no-rdflib]

For each size it builds a store ('belarus': the shipped data/; N: N synthetic persons written by
`repnet synth`, seed 1, 10,000 persons a file), or reuses the one in ``--work DIR/<size>/store``,
then runs every saved query with fixed parameters:
- the embedded store: repnet's own path (open_store, query.prepare, query.execute), every row
  consumed;
- plain rdflib: an in-memory ``Dataset(default_union=True)`` parsed from the store's N-Quads dump,
  running the same bound query text with the PREFIX declarations prepended.
Parameters: detained-on date=2024-01-01; timeline person = the person of the first row of the
sentences query; members organization = the organization with the most members.
It prints the rows each engine returned (a mismatch is reported, not hidden), the median
milliseconds of each and the ratio. rdflib runs once at 100k persons or more, and a query that
runs longer than ``--rdflib-cap`` seconds in rdflib is stopped and shown as '>CAP s'. Timings are
never asserted in tests.
"""

from __future__ import annotations

import argparse
import gc
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

DETAINED_ON = "2024-01-01"
_MEMBERS = """SELECT ?o (COUNT(DISTINCT ?p) AS ?n) WHERE { ?m org:organization ?o ; org:member ?p }
GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1"""


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------- stores
def prepare_size(size: str, work: Path) -> tuple[Path, Path, int]:
    """Build (or reuse) the store for one size; dump it as N-Quads. -> (store dir, dump, quads)."""
    from .build import build
    from .store import current_path, open_store
    from .synth import write_synthetic

    store_dir = work / "store"
    if current_path(store_dir) is None:
        if size == "belarus":
            src: list[Path] | None = None
        else:
            src = [work / "sources"]
            _log(f"[{size}] writing synthetic sources ...")
            write_synthetic(src[0], persons=int(size), seed=1, per_file=10_000, progress=None)
        _log(f"[{size}] building the store ...")
        t0 = time.perf_counter()
        build(src, store_dir)
        _log(f"[{size}] built in {time.perf_counter() - t0:.1f} s")
    else:
        _log(f"[{size}] reusing {store_dir}")
    gen = current_path(store_dir)
    assert gen is not None
    # the dump holds what the embedded store's queries see: the public graphs (open_store's default)
    dump = work / "dump.nq"
    stamp = work / "dump.gen"
    written = stamp.read_text().split() if stamp.exists() and dump.exists() else []
    if written[:2] == [gen.name, "public"]:
        return store_dir, dump, int(written[2])
    s = open_store(store_dir)
    counter = [0]

    def counting(quads: Any) -> Any:
        for quad in quads:
            counter[0] += 1
            yield quad

    _log(f"[{size}] dumping the public graphs as N-Quads ...")
    with dump.open("wb") as f:
        ox.serialize(counting(s.quads()), f, format=ox.RdfFormat.N_QUADS)
    s.close()
    stamp.write_text(f"{gen.name} public {counter[0]}")
    return store_dir, dump, counter[0]


def parameters(store: Any) -> dict[str, dict[str, str]]:
    """Saved query name -> its parameters for the benchmark."""
    from . import query as q

    sentences = q.saved_queries()["sentences"]
    first = next(iter(q.execute(store, q.prepare(store, sentences.text, {}, sentences))), None)
    members = [row["o"].value for row in store.query(_MEMBERS)]
    out: dict[str, dict[str, str]] = {"detained-on": {"date": DETAINED_ON}}
    if first is not None:
        out["timeline"] = {"person": first["person"].value}
    if members:
        out["members"] = {"organization": members[0]}
    return out


# ------------------------------------------------------------------------- timing
class Timeout(BaseException):
    """Raised in the main thread by SIGALRM when an rdflib query passes its cap.

    A BaseException so that rdflib's own ``except Exception`` handlers cannot swallow it.
    """


_armed = [False]


def _alarm(signum: int, frame: Any) -> None:
    if _armed[0]:
        raise Timeout()


def _timed(fn: Callable[[], int], repeat: int, cap: float | None = None,
           cpu: list[float] | None = None) -> tuple[float | None, int | None]:
    """Median wall seconds and the row count of ``fn``; (None, None) when a run passed ``cap`` seconds.

    ``cpu``, when given, receives the median CPU seconds of this process (less sensitive than wall
    time to other work on a shared machine).
    """
    times, cpus, rows = [], [], None
    for _ in range(repeat):
        if cap:
            old = signal.signal(signal.SIGALRM, _alarm)
            _armed[0] = True
            signal.setitimer(signal.ITIMER_REAL, cap, 1.0)  # re-fires every second until cancelled
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            try:
                rows = fn()
            finally:
                _armed[0] = False  # a late alarm now does nothing
        except Timeout:
            return None, None
        finally:
            if cap:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(times), rows


def bench_size(size: str, work: Path, repeat: int, rdflib_cap: float, rdflib: bool,
               only: list[str] | None) -> list[dict[str, Any]]:
    from ..ontology.namespaces import PREFIXES
    from . import query as q
    from .store import open_store

    store_dir, dump, n_quads = prepare_size(size, work)
    store = open_store(store_dir)
    params = parameters(store)
    saved = q.saved_queries()
    names = [n for n in saved if not only or n in only]
    label = "Belarus" if size == "belarus" else f"{int(size):,}"
    rows: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for name in names:
        prepared = q.prepare(store, saved[name].text, params.get(name, {}), saved[name])
        texts[name] = prepared.text

        def embedded(prepared: q.Prepared = prepared) -> int:
            return sum(1 for _ in q.execute(store, prepared))

        cpu: list[float] = []
        t, n = _timed(embedded, repeat, cpu=cpu)
        assert t is not None
        rows.append({"query": name, "size": label, "quads": n_quads, "rows": n, "embedded_ms": round(t * 1000, 1),
                     "embedded_cpu_ms": round(cpu[0] * 1000, 1), "params": params.get(name, {})})
        _log(f"[{size}] {name}: {n} rows, embedded {t * 1000:.1f} ms (cpu {cpu[0] * 1000:.1f} ms)")
    store.close()
    if not rdflib:
        return rows

    from rdflib import Dataset

    _log(f"[{size}] parsing {dump.name} into plain rdflib ...")
    t0 = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(str(dump), format="nquads")
    _log(f"[{size}] rdflib parsed {n_quads:,} quads in {time.perf_counter() - t0:.1f} s")
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    big = size != "belarus" and int(size) >= 100_000
    for row in rows:
        text = prologue + texts[row["query"]]

        def plain(text: str = text) -> int:
            return sum(1 for _ in ds.query(text))

        try:
            t, n = _timed(plain, 1 if big else repeat, rdflib_cap)
        except Exception as e:  # an rdflib failure is a result to report, not a crash
            row.update({"rdflib_ms": None, "speedup": None, "note": f"rdflib failed: {type(e).__name__}: {e}"[:120]})
            _log(f"[{size}] {row['query']}: rdflib failed: {e!r}"[:200])
            continue
        if t is None:
            row.update({"rdflib_ms": f">{rdflib_cap:g} s", "speedup": f">{rdflib_cap * 1000 / row['embedded_ms']:.0f}",
                        "note": "rdflib stopped at the cap"})
        else:
            row.update({"rdflib_ms": round(t * 1000, 1), "speedup": round(t * 1000 / max(row["embedded_ms"], 0.1), 1)})
            if n != row["rows"]:
                row["rdflib_rows"] = n
                row["note"] = f"row count differs: rdflib {n}, embedded {row['rows']}"
        shown = row["rdflib_ms"] if isinstance(row["rdflib_ms"], str) else f"{row['rdflib_ms']} ms"
        _log(f"[{size}] {row['query']}: rdflib {shown}" + (f" ({row['note']})" if row.get("note") else ""))
    del ds
    gc.collect()
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="belarus,10000", help="comma-separated: 'belarus' and/or person counts")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    p.add_argument("--work", type=Path, help="keep stores and dumps here (DIR/<size>/) and reuse them")
    p.add_argument("--queries", help="comma-separated saved query names (default: all)")
    p.add_argument("--rdflib-cap", type=float, default=120.0, help="stop an rdflib query after this many seconds")
    p.add_argument("--no-rdflib", action="store_true", help="skip the plain rdflib baseline")
    p.add_argument("--json", type=Path, help="also write the rows as JSON")
    a = p.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    only = [s.strip() for s in a.queries.split(",")] if a.queries else None
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="repnet-bench-queries-") as tmp:
        root = a.work or Path(tmp)
        for size in (s.strip() for s in a.sizes.split(",")):
            if size != "belarus" and not size.isdigit():
                p.error(f"--sizes: '{size}' is neither 'belarus' nor a number of persons")
            work = root / size
            work.mkdir(parents=True, exist_ok=True)
            rows += bench_size(size, work, a.repeat, a.rdflib_cap, not a.no_rdflib, only)
            if a.json:  # written after each size, so a long run leaves partial results
                a.json.write_text(json.dumps(rows, indent=2, default=str))
    _print(rows)


def _print(rows: list[dict[str, Any]]) -> None:
    from .output import render

    cols = ["query", "size", "rows", "embedded_ms", "embedded_cpu_ms", "rdflib_ms", "speedup"]
    if any(r.get("note") for r in rows):
        cols.append("note")
    print(render(rows, cols, "table"), flush=True)


if __name__ == "__main__":
    main()
