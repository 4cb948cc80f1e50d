"""Overview and live explorer benchmark on a built store: the rows of issue 17's targets.

    python -m tests.benchmarks.overview --store DIR [--repeat 3] [--work DIR] [--workers 2 --slow-workers 2]

On the store given (opened read-only; the projection and explorer caches go to the usual cache
folder) it measures:

* the overview page: ``repnet viz`` of the whole store as the command writes it (groups by Louvain
  community when the view is too large to draw whole): seconds to write it, file size, groups drawn;
  the seconds until it is interactive in Debian's headless Chromium (median of ``--repeat`` loads, as
  ``tests.benchmarks.viz`` measures pages); opening a group in place (the largest and a median one:
  from the call until vis-network has drawn the opened members); opening the flow view and the chart
  view (until their SVG is in the page);
* the live explorer: `repnet serve` on the store (seconds until its workers are ready, warm: they
  have read the names, the network, the flow's paths and the chart's months, from the cache when an
  earlier run kept them), then over HTTP from this process: searches for ``--repeat`` x 10 names
  (a word of persons' names), expansions of as many persons and of the largest courts, facilities
  and offences (the largest expansions, cut at the default 60 neighbours), and the flow (whole, a
  date range, through a court) and the chart; two-letter searches (the first two letters of the same
  words); the overview tab's groups (first request, then again) and opening the largest and a median
  group. Median and worst of each, and the worst of every request after the first overview.

Timings are never asserted in tests. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.external import CHROMIUM_ARGS

from .viz import CHROMIUM, interactive_seconds


def overview_page(store_dir: Path, work: Path) -> tuple[Path, dict[str, Any]]:
    from repnet.graph.network.project import network
    from repnet.graph.store import open_store
    from repnet.graph.viz.page import write_page
    from repnet.graph.viz.view import build_view

    store = open_store(store_dir)
    t0 = time.perf_counter()
    G = network(store)
    project_s = time.perf_counter() - t0
    out = work / "overview.html"
    t0 = time.perf_counter()
    page = write_page(store, build_view(store, graph=G), out, network=G)
    generate_s = time.perf_counter() - t0
    store.close()
    return out, {"entities": G.number_of_nodes(), "relations": G.number_of_edges(), "groups": page.groups,
                 "carried": page.nodes, "file_mb": round(out.stat().st_size / 1e6, 1),
                 "projection_s": round(project_s, 1), "generate_s": round(generate_s, 1)}


OPEN_GROUP = """j => new Promise(done => { const t0 = performance.now();
    repnet.network.once('afterDrawing', () => done(performance.now() - t0)); repnet.openGroup(j); })"""
OPEN_VIEW = """v => { const t0 = performance.now(); repnet.showView(v); return performance.now() - t0; }"""


def in_browser(page_path: Path, repeat: int) -> dict[str, Any]:
    """Interactive time, then opening groups and the views, in one fresh page each."""
    from playwright.sync_api import sync_playwright

    median, runs, _ = interactive_seconds(page_path, repeat)
    out: dict[str, Any] = {"interactive_s": round(median, 2), "interactive_runs": [round(r, 2) for r in runs]}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            opens: dict[str, list[float]] = {"largest": [], "median": [], "flow": [], "chart": []}
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 860}, service_workers="block")
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
                page = context.new_page()
                page.goto(page_path.resolve().as_uri(), timeout=600_000)
                page.wait_for_selector("body[data-ready='true']", state="attached", timeout=600_000)
                groups = page.evaluate("repnet.data.groups.length")
                for name, j in (("largest", 0), ("median", groups // 2)):
                    t0 = time.perf_counter()
                    page.evaluate(OPEN_GROUP, j)
                    opens[name].append(time.perf_counter() - t0)
                    page.evaluate("j => repnet.closeGroup(j)", j)
                for view in ("flow", "chart"):
                    t0 = time.perf_counter()
                    page.evaluate(OPEN_VIEW, view)
                    page.evaluate("1")
                    opens[view].append(time.perf_counter() - t0)
                page.evaluate(OPEN_VIEW, "network")
                context.close()
        finally:
            browser.close()
    for k, v in opens.items():
        out[f"open_{k}_s"] = round(statistics.median(v), 3)
    return out


def get(url: str, timeout: float = 120) -> tuple[float, Any]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - our own local server
        body = r.read()
    return time.perf_counter() - t0, json.loads(body)


def live(store_dir: Path, repeat: int, workers: int, slow_workers: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("repnet")), "--store", str(store_dir), "serve", "--port", "0",
                             "--workers", str(workers), "--slow-workers", str(slow_workers), "--timeout", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        ready_s = time.perf_counter() - t0
        m = re.search(r"(http://[^ ]+/)sparql", line)
        if not m:
            raise RuntimeError(f"repnet serve did not start: {line} {proc.stderr.read() if proc.stderr else ''}")
        base = m.group(1)
        q = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX schema: <https://schema.org/> "
             "SELECT ?p ?l WHERE { ?p a schema:Person ; skos:prefLabel ?l } LIMIT 5000")
        with urllib.request.urlopen(base + "sparql?" + urllib.parse.urlencode({"query": q, "format": "json"})) as r:  # noqa: S310
            rows = json.loads(r.read())["results"]["bindings"]
        rng = random.Random(1)
        picked = rng.sample(rows, min(len(rows), 10 * repeat))
        searches, expansions, biggest = [], [], []
        for row in picked:
            word = max(row["l"]["value"].replace("[synthetic]", "").split(), key=len)
            s, data = get(base + "explore/search?" + urllib.parse.urlencode({"q": word}))
            searches.append(s)
        for row in picked:
            s, data = get(base + "explore/neighbours?" + urllib.parse.urlencode({"iri": row["p"]["value"]}))
            expansions.append(s)
        # the largest entities of the flow's court, facility and charge columns: the largest expansions
        flows = []
        s, whole = get(base + "explore/flow")
        flows.append(s)
        stage = {name: j for j, name in enumerate(whole["stages"])}
        big = [k for name in ("court", "facility", "article") for k, _, _ in whole["nodes"][stage[name]]
               if k.startswith("http")][:9]
        for iri in big:
            s, data = get(base + "explore/neighbours?" + urllib.parse.urlencode({"iri": iri}))
            biggest.append((s, data["total"]))
        for params in ({"from": "2021-01-01", "to": "2021-12-31"}, {"through": big[0]} if big else {}):
            s, data = get(base + "explore/flow?" + urllib.parse.urlencode(params))
            flows.append(s)
        chart_s, _ = get(base + "explore/chart")
        # searches of two letters (the first two of the same words): the most names to rank
        short = [get(base + "explore/search?" + urllib.parse.urlencode(
            {"q": max(row["l"]["value"].replace("[synthetic]", "").split(), key=len)[:2]}))[0] for row in picked]
        # the overview tab: the groups (computed on the first request, kept), then the largest and a median group opened
        overview_first_s, groups = get(base + "explore/overview")
        overview_again_s, _ = get(base + "explore/overview")
        group_opens = [get(base + f"explore/overview?group={j}")[0] for j in (0, len(groups["groups"]) // 2)]
        every = [*searches, *expansions, *(s for s, _ in biggest), *flows, chart_s, *short, overview_again_s, *group_opens]
        return {"serve_ready_s": round(ready_s, 1), "searches": len(searches),
                "search_median_s": round(statistics.median(searches), 3), "search_max_s": round(max(searches), 3),
                "expand_median_s": round(statistics.median(expansions), 3), "expand_max_s": round(max(expansions), 3),
                "expand_largest_s": round(max(s for s, _ in biggest), 3) if biggest else None,
                "largest_neighbours": max((n for _, n in biggest), default=0),
                "flow_s": [round(s, 3) for s in flows], "chart_s": round(chart_s, 3),
                "search2_median_s": round(statistics.median(short), 3), "search2_max_s": round(max(short), 3),
                "live_groups": len(groups["groups"]), "overview_first_s": round(overview_first_s, 3),
                "overview_s": round(overview_again_s, 3), "group_open_s": [round(s, 3) for s in group_opens],
                "worst_request_s": round(max(every), 3)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--slow-workers", type=int, default=2)
    ap.add_argument("--skip", default="", help="page,browser,live")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="repnet-bench-overview-"))
    work.mkdir(parents=True, exist_ok=True)
    skip = set(a.skip.split(","))
    row: dict[str, Any] = {"store": str(a.store)}
    if "page" not in skip:
        page, info = overview_page(a.store, work)
        row.update(info)
        print(f"page: {info}", file=sys.stderr, flush=True)
        if "browser" not in skip:
            row.update(in_browser(page, a.repeat))
            print(f"browser: {row}", file=sys.stderr, flush=True)
    if "live" not in skip:
        row.update(live(a.store, a.repeat, a.workers, a.slow_workers))
    print(json.dumps(row))
    print("| " + " | ".join(row) + " |")
    print("| " + " | ".join(str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
