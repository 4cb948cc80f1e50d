"""What a page or picture shows: the view of the projected network cut by focus, radius, path, classes, relations and day.

:func:`build_view` reads the projection of the store from the per-generation cache that
``repnet analyze`` uses (:func:`repnet.graph.network.project.network`) unless given one, and
returns a :class:`View`: the graph to draw and what the page should say about it (title,
description, the CLI options that made it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx

from ..errors import UsageError
from ..network import analysis
from ..network.project import check_view, network, node_for, view
from ..store.base import Store

MAX_PATHS = 25
"""At most this many shortest paths are drawn for ``--path``."""


@dataclass
class View:
    """A view of the projected network, with what the page should say about it."""

    graph: nx.MultiDiGraph
    title: str
    description: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)  # nodes to highlight (the focus, a path's ends)
    path_nodes: list[str] = field(default_factory=list)
    as_of: str | None = None
    options: list[str] = field(default_factory=list)  # the CLI options that made the view
    restricted: bool = False


def build_view(store: Store, *, classes: Sequence[str] | None = None, relations: Sequence[str] | None = None,
               as_of: str | dt.date | None = None, focus: str | None = None, radius: int = 1,
               path: Sequence[str] | None = None, restricted: bool = False,
               graph: nx.MultiDiGraph | None = None) -> View:
    """Project the store (read from the projection cache ``repnet analyze`` fills) and cut the view
    the page or picture shows.

    Parameters
    ----------
    store : Store
        An open store (public graphs only unless opened with restricted graphs).
    classes, relations : sequence of str, optional
        Node classes and relations to keep (:data:`repnet.graph.network.project.NODE_CLASSES`, ``RELATIONS``).
    as_of : str or datetime.date, optional
        Keep the relations that held on this day (YYYY-MM-DD).
    focus : str, optional
        A name, name variant or IRI: keep the entities within ``radius`` steps of it (ignoring direction).
    path : pair of str, optional
        Two names: keep the shortest paths between them (at most :data:`MAX_PATHS`).
    restricted : bool
        Project restricted facts too (internal use; the page says so).
    graph : networkx.MultiDiGraph, optional
        A projection to use instead of the store's (cached) projection,
        :func:`repnet.graph.network.project.network`.

    Returns
    -------
    View
    """
    check_view(classes, relations)
    if focus is not None and path is not None:
        raise UsageError("give focus or path, not both", argument="focus,path")
    if radius < 0:
        raise UsageError("radius must be 0 or more", argument="radius")
    day = _day(as_of)
    G = graph if graph is not None else network(store, restricted=restricted)
    if classes or relations or day:
        G = view(G, classes=classes or None, relations=relations or None, as_of=day)
    v = View(G, "Repression network", as_of=day, restricted=restricted)
    v.options, v.description = _told(classes, relations, day)
    if focus is not None:
        _focus_on(v, node_for(store, G, focus), radius)
    elif path is not None:
        if len(path) != 2:
            raise UsageError("path takes two names, e.g. ('Nasta Loika', 'United States')", argument="path")
        _path_between(v, node_for(store, G, path[0]), node_for(store, G, path[1]))
    return v


def _told(classes: Sequence[str] | None, relations: Sequence[str] | None, day: str | None) -> tuple[list[str], list[str]]:
    """The CLI options and the description of a view cut by class, relation and day."""
    options = [f"--class {c}" for c in classes or ()] + [f"--relation {r}" for r in relations or ()]
    parts: list[str] = []
    if classes:
        parts.append("classes: " + ", ".join(classes))
    if relations:
        parts.append("relations: " + ", ".join(r.replace("_", " ") for r in relations))
    if day:
        options.append(f"--as-of {day}")
        parts.append(f"as of {day}")
    return options, parts


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def _focus_on(v: View, node: str, radius: int) -> None:
    """Cut ``v`` to the entities within ``radius`` steps of ``node`` (ignoring direction)."""
    G = v.graph
    label = G.nodes[node].get("label", node)
    v.graph = analysis.ego_network(G, node, radius=radius)
    v.focus = [node]
    v.title = f"Around {label} ({_steps(radius)})"
    v.description.insert(0, f"everything within {_steps(radius)} of {label}")
    v.options.insert(0, f"--focus {_quote(label)} --radius {radius}")


def _path_between(v: View, a: str, b: str) -> None:
    """Cut ``v`` to the shortest paths between ``a`` and ``b`` (at most :data:`MAX_PATHS`)."""
    G = v.graph
    la, lb = G.nodes[a].get("label", a), G.nodes[b].get("label", b)
    paths = list(analysis.shortest_paths(G, a, b, limit=MAX_PATHS))
    if not paths:
        raise UsageError(f"no path between {la} and {lb} in this view of the network.\n"
                         "Widen the view (fewer --class/--relation limits, a later --as-of).")
    pairs = {frozenset((p[i], p[i + 1])) for p in paths for i in range(len(p) - 1)}
    nodes = sorted({n for p in paths for n in p})
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in nodes)
    H.add_edges_from((u, w, k, d) for u, w, k, d in G.subgraph(nodes).edges(keys=True, data=True)
                     if frozenset((u, w)) in pairs)
    v.graph = H
    v.focus = [a, b]
    v.path_nodes = nodes
    at_most = f" (at most {MAX_PATHS})" if len(paths) >= MAX_PATHS else ""
    v.title = f"From {la} to {lb}"
    v.description.insert(0, f"{len(paths)}{at_most} shortest path{'s' if len(paths) != 1 else ''} of "
                            f"{_steps(len(paths[0]) - 1)} between {la} and {lb}")
    v.options.insert(0, f"--path {_quote(la)} {_quote(lb)}")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _day(value: str | dt.date | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UsageError(f"as_of={str(value)!r}: give a day, YYYY-MM-DD (e.g. 2025-12-01)", argument="as_of") from None

