"""Build benchmark: repnet's build against raw Oxigraph and plain rdflib on the same data, one run.

    python -m repnet.graph.bench --sizes 10000,100000 [--repeat 3] [--json out.json]

For each size it writes synthetic sources (`repnet synth`), then measures, on the same triples:
- repnet build: sources -> checked -> loaded -> SHACL-validated -> swapped in (on disk);
- raw Oxigraph: bulk load of the same quads from an N-Quads file into an on-disk store
  (the practical ceiling);
- plain rdflib: parsing the same N-Quads into an in-memory rdflib Dataset (the naive baseline).
It prints medians and the ratios; timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_size(persons: int | None, work: Path, repeat: int, rdflib_baseline: bool = True) -> dict[str, Any]:
    from .build import build
    from .synth import write_synthetic

    if persons is None:
        src: list[Path] | None = None
        label = "Belarus (data/)"
    else:
        src = [work / f"synth-{persons}"]
        write_synthetic(src[0], persons=persons, seed=1, per_file=10_000, progress=None)
        label = f"{persons:,} synthetic persons"

    def run_build() -> Any:
        store = work / "store"
        shutil.rmtree(store, ignore_errors=True)
        return build(src, store)

    t_build, result = _median(run_build, repeat)
    from .store import open_store

    s = open_store(work / "store", include_restricted=True)
    nq = work / "dump.nq"
    nq.write_bytes(ox.serialize(s.quads(), format=ox.RdfFormat.N_QUADS) or b"")
    s.close()

    def raw_oxigraph() -> None:
        d = work / "raw"
        shutil.rmtree(d, ignore_errors=True)
        st = ox.Store(str(d))
        st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        st.flush()
        del st

    t_raw, _ = _median(raw_oxigraph, repeat)
    row: dict[str, Any] = {"data": label, "persons": persons, "triples": result.quads,
                           "repnet_build_s": round(t_build, 2), "raw_oxigraph_s": round(t_raw, 2),
                           "ratio_vs_oxigraph": round(t_build / t_raw, 2)}
    if rdflib_baseline:
        def rdflib_parse() -> None:
            from rdflib import Dataset

            Dataset().parse(str(nq), format="nquads")

        t_rdf, _ = _median(rdflib_parse, 1 if (persons or 0) >= 100_000 else repeat)
        row.update({"plain_rdflib_parse_s": round(t_rdf, 2), "speedup_vs_rdflib": round(t_rdf / t_build, 2)})
    return row


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="belarus,1000,10000", help="comma-separated: 'belarus' and/or person counts")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    p.add_argument("--no-rdflib", action="store_true", help="skip the plain rdflib baseline")
    p.add_argument("--json", type=Path, help="also write the rows as JSON")
    a = p.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    rows = []
    with tempfile.TemporaryDirectory(prefix="repnet-bench-") as tmp:
        for size in a.sizes.split(","):
            persons = None if size.strip() == "belarus" else int(size)
            work = Path(tmp) / size.strip()
            work.mkdir()
            rows.append(bench_size(persons, work, a.repeat, not a.no_rdflib))
            shutil.rmtree(work, ignore_errors=True)
            print(f"done: {rows[-1]['data']}", flush=True)
    _print(rows)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2))


def _print(rows: list[dict[str, Any]]) -> None:
    from .output import render

    cols = ["data", "triples", "repnet_build_s", "raw_oxigraph_s", "ratio_vs_oxigraph", "plain_rdflib_parse_s", "speedup_vs_rdflib"]
    print(render(rows, cols, "table"), flush=True)


if __name__ == "__main__":
    main()
