"""Page benchmark: how big a `repnet viz` page gets and how soon it is interactive in headless Chromium.

    python -m tests.benchmarks.viz --nodes 500,5000,50000 [--repeat 3] [--work DIR] [--json out.json]

For each size N it writes a synthetic source set (``repnet.graph.ingest.synth``) with about N persons,
builds it into a store (kept in ``--work`` when given, so a second run skips this), projects it and
cuts an N-node view (the top N entities by degree when the projection has more). Then it writes
the page exactly as ``repnet viz`` does, with the default limits (a view above 5,000 entities is
reduced to the top 5,000, with a layout computed beforehand and physics off; up to 500 drawn nodes
the browser runs physics until the layout is stable), and reports:

* the page's file size and the seconds to generate it (view -> HTML; the projection is reported apart);
* the seconds until the page is interactive in Debian's headless Chromium (software rendering,
  no network): wall time from the start of navigation until the page has set ``body[data-ready]``
  (after vis-network has drawn the network, and after the physics has stabilised, when on) and
  answers a script call (its main thread is free).
  Median of ``--repeat`` loads, each in a fresh browser context.

Goal: a 5,000-node view interactive in under 5 s. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.external import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"
GOAL_NODES, GOAL_SECONDS = 5000, 5.0


def synthetic_store(nodes: int, work: Path) -> tuple[Path, float]:
    """A built store with about ``nodes`` entities in its projection; (directory, build seconds)."""
    from repnet.graph.ingest.build import build
    from repnet.graph.ingest.synth import write_synthetic
    from repnet.graph.store.layout import current_path

    persons = max(50, round(nodes * 0.98))  # ~2% of the projection's nodes are courts, judges, articles ...
    root = work / f"store-{persons}"
    if current_path(root) is not None:
        return root, 0.0
    src = work / f"synth-{persons}"
    write_synthetic(src, persons=persons, seed=1, per_file=10_000, progress=None)
    t0 = time.perf_counter()
    build([src], root)
    return root, time.perf_counter() - t0


def interactive_seconds(page_path: Path, repeat: int) -> tuple[float, list[float], int]:
    """Median seconds from navigation start until the page is interactive, the runs, and the drawn nodes."""
    from playwright.sync_api import sync_playwright

    runs: list[float] = []
    drawn = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 860}, service_workers="block")
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023
                t0 = time.perf_counter()
                page.goto(page_path.resolve().as_uri(), wait_until="commit", timeout=600_000)
                page.wait_for_selector("body[data-ready='true']", state="attached", timeout=600_000)
                page.evaluate("1")  # and the page answers a script: its main thread is free
                runs.append(time.perf_counter() - t0)  # wall time, as a user waits (the page's own clock said less)
                drawn = page.evaluate("repnet.visibleCounts().nodes")
                if errors:
                    raise RuntimeError(f"page errors: {errors}")
                context.close()
        finally:
            browser.close()
    return statistics.median(runs), runs, drawn


def bench_size(nodes: int, work: Path, repeat: int) -> dict[str, Any]:
    from repnet.graph.network.project import project
    from repnet.graph.store import open_store
    from repnet.graph.viz.page import write_page
    from repnet.graph.viz.rank import node_scores, reduce_view
    from repnet.graph.viz.view import View

    root, build_s = synthetic_store(nodes, work)
    store = open_store(root)
    t0 = time.perf_counter()
    G = project(store)
    project_s = time.perf_counter() - t0
    if G.number_of_nodes() > nodes:
        scores, _ = node_scores(G, "degree")
        G = reduce_view(G, scores, nodes)
    v = View(G, f"Synthetic network, {G.number_of_nodes():,}-entity view")
    out = work / f"page-{nodes}.html"
    t0 = time.perf_counter()
    page = write_page(store, v, out)
    generate_s = time.perf_counter() - t0
    store.close()
    median, runs, drawn = interactive_seconds(out, repeat)
    return {"view_nodes": page.view_nodes, "view_edges": page.view_edges, "drawn_nodes": page.nodes,
            "drawn_edges": page.edges, "layout": "browser physics" if page.physics else "precomputed",
            "file_mb": round(out.stat().st_size / 1e6, 1), "project_s": round(project_s, 1),
            "generate_s": round(generate_s, 1), "interactive_s": round(median, 2),
            "runs_s": [round(r, 2) for r in runs], "in_browser_nodes": drawn, "build_s": round(build_s, 1)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", default="500,5000,50000", help="comma-separated view sizes (entities)")
    p.add_argument("--repeat", type=int, default=3, help="page loads per size (median reported)")
    p.add_argument("--work", type=Path, help="keep synthetic stores and pages here (default: a temporary directory)")
    p.add_argument("--json", type=Path, help="also write the rows as JSON")
    a = p.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    rows = []
    tmp = None
    if a.work is None:
        tmp = tempfile.mkdtemp(prefix="repnet-bench-viz-")
        work = Path(tmp)
    else:
        work = a.work
        work.mkdir(parents=True, exist_ok=True)
    try:
        for size in a.nodes.split(","):
            rows.append(bench_size(int(size), work, a.repeat))
            print(f"done: {size} nodes: {rows[-1]}", flush=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _print(rows)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2))


def _print(rows: list[dict[str, Any]]) -> None:
    from repnet.graph.output import render

    cols = ["view_nodes", "view_edges", "drawn_nodes", "drawn_edges", "layout", "file_mb", "generate_s",
            "interactive_s", "project_s"]
    print(render(rows, cols, "table"), flush=True)
    for r in rows:
        if r["drawn_nodes"] >= GOAL_NODES * 0.9 and r["view_nodes"] <= GOAL_NODES * 1.1:
            ok = r["interactive_s"] < GOAL_SECONDS
            print(f"goal: a {r['view_nodes']:,}-node view interactive in under {GOAL_SECONDS:.0f} s: "
                  f"{'met' if ok else 'NOT met'} ({r['interactive_s']} s)", flush=True)


if __name__ == "__main__":
    main()
