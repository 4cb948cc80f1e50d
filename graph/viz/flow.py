"""The flow of the apparatus (``repnet viz --flow -o flow.png|svg``): persons counted along charge
(article) -> court -> facility -> release round, or still held, drawn as a layered flow diagram.

Counted from the projection (:mod:`repnet.graph.network.project`, the relations of
``relations.yaml``): a person is counted at every article, court and facility a relation links
them to (a person charged under two articles is in both: the stages' counts can add up to more
than the persons, and the picture says so), and ``(none stated)`` where no relation says; the last
stage is the release round a ``released_in`` relation names, else the person's status on the last
day of the data (:func:`repnet.graph.ask.status.status_at`). A link between two stages counts the
distinct persons at both. Each stage draws its :data:`TOP` largest entities; the rest are one
"N more" node, so no person is dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from ..ask.status import HELD, status_at, stored_periods
from ..network.project import PERSON_CLASSES
from ..store.base import Store
from .picture import write_picture

STAGES = (("article", "charged_under", ("Article", "Offence")), ("court", "sentenced_by", ("Court",)),
          ("facility", "held_at", ("Facility",)), ("release", "released_in", ("ReleaseRound",)))
"""The stages: name, the relation from the person, the classes it leads to."""
TOP = 10
NONE = "(none stated)"


def person_stages(G: nx.MultiDiGraph, persons: set[str] | None = None) -> dict[str, dict[str, set[str]]]:
    """Person IRI -> stage -> the entities (labels) the person's relations lead to at that stage."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rel_stage = {rel: (name, classes) for name, rel, classes in STAGES}
    for u, w, d in G.edges(data=True):
        hit = rel_stage.get(str(d.get("relation", "")))
        if hit is None or G.nodes[u].get("class") not in PERSON_CLASSES or (persons is not None and u not in persons):
            continue
        name, classes = hit
        if G.nodes[w].get("class") in classes:
            out[u][name].add(str(G.nodes[w].get("label", w)))
    return out


def flow(store: Store, G: nx.MultiDiGraph, persons: set[str] | None = None, top: int = TOP) -> dict[str, Any]:
    """The flow: ``{stages: [name], nodes: {stage: {label: persons}}, links: {(stage, a, stage2, b): persons},
    persons: n}``; entities beyond a stage's ``top`` largest are counted as one "N more" node."""
    per = person_stages(G, persons)
    everyone = set(per) if persons is None else {p for p in persons if G.nodes[p].get("class") in PERSON_CLASSES}
    periods = stored_periods(store)
    last = max((d for ps in periods.values() for p in ps for d in (p["first"], p["last"], p["lo"]) if d), default=None)
    for p in everyone:
        if not per[p]["release"]:
            now = status_at(periods.get(p, []), last) if last else None
            per[p]["release"] = {"still held" if now and now[0] == HELD else "no release stated"}
    names = [s[0] for s in STAGES]
    raw: dict[str, Counter[str]] = {s: Counter() for s in names}
    for p in everyone:
        for s in names:
            for x in per[p][s] or {NONE}:
                raw[s][x] += 1
    keep = {s: {x for x, _ in raw[s].most_common(top)} | {NONE} for s in names}

    def shown(s: str, x: str) -> str:
        return x if x in keep[s] else f"{len(set(raw[s]) - keep[s])} more"

    nodes: dict[str, Counter[str]] = {s: Counter() for s in names}
    links: Counter[tuple[str, str, str, str]] = Counter()
    for p in everyone:
        at = {s: {shown(s, x) for x in per[p][s] or {NONE}} for s in names}
        for s in names:
            nodes[s].update(at[s])
        for a, b in zip(names, names[1:], strict=False):
            links.update((a, x, b, y) for x in at[a] for y in at[b])
    return {"stages": names, "nodes": {s: dict(nodes[s].most_common()) for s in names}, "links": dict(links),
            "persons": len(everyone)}


def write_flow(store: Store, G: nx.MultiDiGraph, out: str | Path, *, persons: set[str] | None = None,
               title: str | None = None) -> dict[str, Any]:
    """Draw the flow (PNG or SVG by ``out``'s extension) with matplotlib, whole or not at all; the numbers drawn."""
    return write_picture(out, "a flow diagram", lambda: flow(store, G, persons),
                         lambda data: draw_flow(data, title or "Persons along the apparatus: charge, court, facility, release"))


def draw_flow(data: dict[str, Any], title: str) -> Any:
    """A layered flow diagram: one column per stage, a bar per entity (height: persons), bands between them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    fig = Figure(figsize=(13, 8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.06, 0.8, 0.84))
    ax.set_axis_off()
    stages = data["stages"]
    gap = 0.02
    place: dict[tuple[str, str], list[float]] = {}  # (stage, label) -> [y0, height, next out, next in]
    colours = ("#c44e8a", "#6b4c9a", "#5c5c5c", "#17becf")
    for i, s in enumerate(stages):
        items = list(data["nodes"][s].items())
        total = sum(n for _, n in items) or 1
        scale = (1 - gap * max(0, len(items) - 1)) / total
        y = 0.0
        for label, n in items:
            h = n * scale
            place[(s, label)] = [y, h, y, y]
            ax.add_patch(Rectangle((i - 0.03, y), 0.06, h, color=colours[i % 4], zorder=3))
            ax.text(i + 0.04, y + h / 2, f"{label} ({n:,})", fontsize=7, va="center", zorder=4, parse_math=False,
                    clip_on=False)
            y += h + gap
    for (a, x, b, yv), n in sorted(data["links"].items(), key=lambda kv: -kv[1]):
        pa, pb = place[(a, x)], place[(b, yv)]
        ia = stages.index(a)
        ha = n * pa[1] / max(1, data["nodes"][a][x])
        hb = n * pb[1] / max(1, data["nodes"][b][yv])
        y0, y1 = pa[2], pb[3]
        pa[2] += ha
        pb[3] += hb
        x0, x1 = ia + 0.03, ia + 0.97
        verts = [(x0, y0), (x0 + 0.4, y0), (x1 - 0.4, y1), (x1, y1), (x1, y1 + hb), (x1 - 0.4, y1 + hb),
                 (x0 + 0.4, y0 + ha), (x0, y0 + ha), (x0, y0)]
        codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                 MPath.CURVE4, MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=colours[ia % 4], alpha=0.25, lw=0, zorder=1))
    ax.set_xlim(-0.1, len(stages) + 0.1)
    ax.set_ylim(1.02, -0.02)
    for i, s in enumerate(stages):
        ax.text(i, -0.015, s, fontsize=11, weight="bold", ha="center", va="bottom", parse_math=False)
    fig.text(0.02, 0.97, title, fontsize=14, weight="bold", va="top", parse_math=False)
    fig.text(0.02, 0.02, f"{data['persons']:,} persons. A person is counted at every article, court and facility their "
             "relations name (the columns can add up to more than the persons); the last column is the release round, "
             "else the status on the last day of the data.", fontsize=8, parse_math=False)
    return fig
