"""The still picture of a view (``repnet viz --overview``): PNG or SVG for reports, drawn with matplotlib.

The same encoding as the pages (:mod:`repnet.graph.viz.style`): class colours and markers, size by
centrality, edges coloured by relation, persons ringed by the status their stored status period
gives (:func:`repnet.graph.viz.facts.person_status`). Written whole or not at all
(:mod:`repnet.graph.files`). matplotlib is imported only when a picture is drawn.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import UsageError
from ..files import atomic_output
from ..network.project import NODE_CLASSES, PERSON_CLASSES, RELATIONS
from ..store.base import Store
from .facts import person_status, sources_meta, status_on
from .layout import Point, layout
from .page import Page
from .picture import picture_format, save_figure, wrap
from .rank import OVERVIEW_MAX_NODES, node_scores, reduce_view
from .style import CLASS_STYLE, RELATION_COLOR, STATUS_STYLE, node_size
from .view import View


def write_overview(store: Store, v: View, out: str | Path, *, size_by: str = "degree",
                   max_nodes: int = OVERVIEW_MAX_NODES, title: str | None = None) -> Page:
    """A still picture of the view (PNG or SVG, by ``out``'s extension) for reports, drawn with matplotlib.

    Same encoding as the pages: class colours and markers, size by centrality, edges coloured by
    relation, held persons ringed red and released persons ringed green (dashed in the legend).
    The best-connected entities are labelled. SVG text is drawn as paths (nothing from the data is
    left as markup). The file is opened before the drawing starts (a path that cannot be written is
    a :class:`~repnet.graph.errors.UsageError` at once) and replaced only when complete.
    """
    t0 = time.perf_counter()
    fmt = picture_format(out, "an overview picture")
    if max_nodes < 1:
        raise UsageError("max_nodes must be 1 or more", argument="max_nodes")
    G = v.graph
    scores, measure_note = node_scores(G, size_by)
    reduced = G.number_of_nodes() > max_nodes
    H = reduce_view(G, scores, max_nodes, v.focus) if reduced else G
    with atomic_output(out, "wb") as f:
        fig = draw(store, v, H, scores, measure_note, title)
        save_figure(fig, f, fmt)
    return Page(html="", nodes=H.number_of_nodes(), edges=H.number_of_edges(), view_nodes=G.number_of_nodes(),
                view_edges=G.number_of_edges(), reduced=reduced, physics=False, seconds=time.perf_counter() - t0)


def draw(store: Store, v: View, H: nx.MultiDiGraph, scores: dict[Any, float], measure_note: str,
         title: str | None) -> Any:
    """The figure for the drawn graph ``H`` of view ``v``: the network, its title, legend and sources."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 10), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.76, 0.9))
    ax.set_axis_off()
    ax.set_aspect("equal")
    pos = layout(H)
    persons = [n for n in H if H.nodes[n].get("class") in PERSON_CLASSES]
    status = {p: status_on(f, v.as_of) for p, f in person_status(store, persons).items()}
    small = H.number_of_nodes() <= 200
    draw_edges(ax, H, pos)
    draw_nodes(ax, H, pos, scores, status, small)
    draw_labels(ax, H, pos, scores, small)
    if pos:
        xs = [p[0] for p in pos.values()]
        ys = [-p[1] for p in pos.values()]
        pad = 60
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_ylim(min(ys) - pad, max(ys) + pad)
    head = title or v.title
    sub = "; ".join(v.description) or "the whole network"
    G = v.graph
    counts = f"{H.number_of_nodes():,} entities, {H.number_of_edges():,} relations"
    if H.number_of_nodes() < G.number_of_nodes():
        counts += f" (top {H.number_of_nodes():,} of {G.number_of_nodes():,} by {measure_note}; narrow the view to see the rest)"
    fig.text(0.01, 0.975, head, fontsize=15, weight="bold", va="top", parse_math=False)
    fig.text(0.01, 0.945, f"{sub} · {counts} · size: {measure_note}"
             + (" · INCLUDES RESTRICTED FACTS" if v.restricted else ""), fontsize=9, va="top", parse_math=False)
    fig.legend(handles=legend_handles(H), loc="upper left", bbox_to_anchor=(0.78, 0.9), frameon=False, fontsize=9)
    cites = source_lines(store, H)
    if cites:
        fig.text(0.78, 0.04, cites, fontsize=7, va="bottom", parse_math=False)
    return fig


def draw_edges(ax: Any, H: nx.MultiDiGraph, pos: dict[Any, Point]) -> None:
    """The relations as straight lines coloured by relation (thinner and lighter in large pictures)."""
    from matplotlib.collections import LineCollection

    segs, colours = [], []
    for u, w, d in H.edges(data=True):
        (x1, y1), (x2, y2) = pos[u], pos[w]
        segs.append([(x1, -y1), (x2, -y2)])
        colours.append(RELATION_COLOR.get(d.get("relation", ""), "#999999"))
    if segs:
        ax.add_collection(LineCollection(segs, colors=colours, linewidths=0.9 if len(segs) < 2000 else 0.3,
                                         alpha=0.75 if len(segs) < 2000 else 0.35, zorder=1))


def draw_nodes(ax: Any, H: nx.MultiDiGraph, pos: dict[Any, Point], scores: dict[Any, float],
               status: dict[str, dict[str, Any] | None], small: bool) -> None:
    """The entities, one scatter per class, sized by score, persons ringed by their status."""
    top = max(scores.values(), default=0.0)
    for cls in NODE_CLASSES:
        ns = [n for n in H if H.nodes[n].get("class") == cls]
        if not ns:
            continue
        colour, _shape, marker = CLASS_STYLE[cls]
        sizes = [(node_size(scores.get(n, 0.0), top) * (1.6 if small else 0.7)) ** 2 / 4 for n in ns]
        ring = [STATUS_STYLE.get((status.get(n) or {}).get("s", ""), "#ffffff") for n in ns]
        widths = [2.4 if (status.get(n) or {}).get("s") else 0.6 for n in ns]
        ax.scatter([pos[n][0] for n in ns], [-pos[n][1] for n in ns], s=sizes, c=colour, marker=marker,
                   edgecolors=ring, linewidths=widths, zorder=3)


def draw_labels(ax: Any, H: nx.MultiDiGraph, pos: dict[Any, Point], scores: dict[Any, float], small: bool) -> None:
    """Labels under the best-connected entities (all of them in a picture of up to 200)."""
    top = max(scores.values(), default=0.0)
    labelled = sorted(H, key=lambda n: (-scores.get(n, 0.0), str(n)))[: (H.number_of_nodes() if small else 40)]
    for n in labelled:
        x, y = pos[n]
        text = str(H.nodes[n].get("label", n))
        text = text if len(text) <= 42 else text[:40] + "…"
        radius_pt = node_size(scores.get(n, 0.0), top) * (1.6 if small else 0.7) / 4
        ax.annotate(text, (x, -y), xytext=(0, -radius_pt - 2), textcoords="offset points", fontsize=8 if small else 6,
                    ha="center", va="top", zorder=4, parse_math=False, annotation_clip=True,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})


def legend_handles(H: nx.MultiDiGraph) -> list[Any]:
    """Legend entries: the classes drawn, the two status rings, the relations drawn."""
    from matplotlib.lines import Line2D

    present = [c for c in NODE_CLASSES if any(H.nodes[n].get("class") == c for n in H)]
    handles = [Line2D([], [], linestyle="", marker=CLASS_STYLE[c][2], markersize=13 if CLASS_STYLE[c][2] == "*" else 9,
                      markerfacecolor=CLASS_STYLE[c][0],
                      markeredgecolor="#ffffff", label=c) for c in present]
    handles += [Line2D([], [], linestyle="", marker="o", markersize=10, markerfacecolor=CLASS_STYLE["Person"][0],
                       markeredgecolor=STATUS_STYLE["held"], markeredgewidth=2.4, label="held (latest fact)"),
                Line2D([], [], linestyle="", marker="o", markersize=10, markerfacecolor=CLASS_STYLE["Person"][0],
                       markeredgecolor=STATUS_STYLE["released"], markeredgewidth=2.4, label="released")]
    rels = [r for r in RELATIONS if any(d.get("relation") == r for _, _, d in H.edges(data=True))]
    handles += [Line2D([], [], color=RELATION_COLOR[r], linewidth=2, label=r.replace("_", " ")) for r in rels]
    return handles


def source_lines(store: Store, H: nx.MultiDiGraph, shown: int = 6) -> str:
    """The picture's source note: the first ``shown`` sources of the drawn relations, wrapped, or ""."""
    sources = sources_meta(store)
    used = sorted({s for _, _, d in H.edges(data=True) for s in str(d.get("source", "")).split("; ") if s})
    if not used:
        return ""
    cites = [f"{sources.get(s, {}).get('title', s)} ({sources.get(s, {}).get('publisher', '')}, "
             f"{sources.get(s, {}).get('date', '')})" for s in used[:shown]]
    return ("Sources:\n" + "\n".join(wrap(c, 48) for c in cites)
            + (f"\n... and {len(used) - shown} more" if len(used) > shown else ""))
