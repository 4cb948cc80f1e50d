"""Make the README's pictures: the explorer on the Belarus data and its overview picture, and
the overview, a drill-down, the flow and the chart on a synthetic store.

    make screenshots          # or: .venv/bin/python graph/viz/screenshots/make.py [OUT_DIR]

Builds the shipped data (data/) into a store in a temporary directory (the projection cache goes
there too), writes the explorer page with ``repnet viz`` and the still picture with
``repnet viz --overview``, takes a screenshot of the page in Debian's headless Chromium
(``/usr/bin/chromium`` through playwright, no network, as the tests open pages) with one person
selected. Then it writes :data:`SYNTHETIC` synthetic persons (``repnet synth``, seed 1, every name
marked "[synthetic]"), builds them, writes their page grouped by Louvain community
(``--group-by community``) and screenshots it four times: the groups, the largest group opened in
place, the flow view and the held-over-time view. All are written as small optimised PNGs
(:data:`SIZE` pixels, palette colours) into OUT_DIR, by default this folder: ``explorer.png``,
``overview.png``, ``overview-groups.png``, ``drill-down.png``, ``flow.png`` and ``held.png``. These
files are for the README only and are not part of the installed package.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--host-resolver-rules=MAP * ~NOTFOUND"]
SIZE = (1000, 650)
"""The screenshot's viewport in CSS pixels; the overview is scaled to this width."""
SELECTED = "https://w3id.org/repnet/id/person/nasta-loika"
"""The entity whose side panel the screenshot shows."""
COLOURS = 128
"""Palette size of the optimised PNGs."""
SYNTHETIC = 2000
"""Synthetic persons of the overview, drill-down, flow and chart pictures."""


def repnet(*args: str) -> None:
    """Run one ``repnet`` command in this process; a failure raises SystemExit with its message."""
    from repnet.cli import cli

    try:
        cli.main(list(args), prog_name="repnet", standalone_mode=False)
    except Exception as e:  # noqa: BLE001 - the command's own error, shown as the script's
        raise SystemExit(f"repnet {' '.join(args)}: {e}") from e


def screenshot(page: Path, out: Path) -> None:
    """A PNG of the page as an analyst sees it after searching for :data:`SELECTED`."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: bash .ci/system-deps chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": SIZE[0], "height": SIZE[1]}, service_workers="block")
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            tab = context.new_page()
            tab.goto(page.resolve().as_uri())
            tab.wait_for_selector("body[data-ready='true']", state="attached", timeout=60_000)
            tab.evaluate("iri => repnet.select(iri)", SELECTED)
            tab.wait_for_timeout(600)  # the focus animation
            tab.evaluate("repnet.network.fit()")
            tab.mouse.move(1, 1)
            tab.screenshot(path=str(out))
        finally:
            browser.close()


def views(page: Path, out_dir: Path) -> list[Path]:
    """Screenshots of a grouped page: the groups, the largest opened, the flow and the chart views."""
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 860}, service_workers="block")
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            tab = context.new_page()
            tab.goto(page.resolve().as_uri())
            tab.wait_for_selector("body[data-ready='true']", state="attached", timeout=120_000)
            tab.mouse.move(1, 1)
            tab.screenshot(path=str(out_dir / "overview-groups.png"))
            tab.evaluate("repnet.openGroup(0)")
            tab.wait_for_timeout(300)
            tab.evaluate("repnet.network.fit()")
            tab.wait_for_timeout(300)
            tab.screenshot(path=str(out_dir / "drill-down.png"))
            tab.evaluate("repnet.showView('flow')")
            tab.screenshot(path=str(out_dir / "flow.png"))
            tab.evaluate("repnet.showView('chart')")
            tab.screenshot(path=str(out_dir / "held.png"))
            shots = [out_dir / n for n in ("overview-groups.png", "drill-down.png", "flow.png", "held.png")]
        finally:
            browser.close()
    return shots


def optimise(src: Path, out: Path, width: int = SIZE[0]) -> Path:
    """``src`` scaled to ``width`` pixels (if wider), in :data:`COLOURS` palette colours, optimised, to ``out``."""
    from PIL import Image

    from repnet.graph.files import atomic_output

    with Image.open(src) as opened:
        im = opened.convert("RGB")
        if im.width > width:
            im = im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)
        small = im.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        with atomic_output(out, "wb") as f:
            small.save(f, format="PNG", optimize=True)
    return out


def main(argv: list[str] | None = None) -> list[Path]:
    """Write the pictures (see the module's docstring) into the folder given (default: this one); their paths."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else HERE
    with tempfile.TemporaryDirectory(prefix="repnet-screenshots-") as tmp:
        work = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # never the user's own projection cache
        store = str(work / "store")
        repnet("--quiet", "--store", store, "build")
        repnet("--store", store, "viz", "-o", str(work / "explorer.html"))
        repnet("--store", store, "viz", "--overview", "-o", str(work / "overview.png"))
        screenshot(work / "explorer.html", work / "explorer-full.png")
        made = [optimise(work / "explorer-full.png", out_dir / "explorer.png"),
                optimise(work / "overview.png", out_dir / "overview.png")]
        synth = str(work / "synth-store")
        repnet("synth", "--persons", str(SYNTHETIC), "--seed", "1", "-o", str(work / "synth"))
        repnet("--quiet", "--store", synth, "build", str(work / "synth"))
        repnet("--store", synth, "viz", "--group-by", "community", "-o", str(work / "groups.html"))
        (work / "shots").mkdir()
        made += [optimise(shot, out_dir / shot.name) for shot in views(work / "groups.html", work / "shots")]
    for path in made:
        print(f"Wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")
    return made


if __name__ == "__main__":
    main()
