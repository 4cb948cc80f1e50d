"""How entities are connected: shortest paths between two (:func:`paths`) and the entities
around one (:func:`ego`), each link shown with the facts behind it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import networkx as nx

from ...errors import UsageError
from ...runtime import with_collector_paused
from .common import Table, class_of, distances, label_of, linked


def _facts(G: nx.Graph, u: str, v: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every fact linking u and v, as (tail, head, attributes), in a stable order."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for a, b in ((u, v), (v, u)):
        data = G.get_edge_data(a, b)
        if not data:
            continue
        items = data.values() if G.is_multigraph() else [data]
        out += [(a, b, d) for d in items]
    out.sort(key=lambda f: (f[2].get("relation", ""), f[2].get("date", ""), f[2].get("event", ""), f[0]))
    return out


def shortest_paths(G: nx.Graph, source: str, target: str, limit: int = 5) -> Iterator[list[str]]:
    """Shortest paths from source to target (undirected), in the order of their nodes' labels.

    Examples
    --------
    >>> G = nx.Graph([("s", "a"), ("s", "b"), ("a", "t"), ("b", "t")])
    >>> list(shortest_paths(G, "s", "t"))
    [['s', 'a', 't'], ['s', 'b', 't']]
    """
    if source not in G or target not in G:
        return
    dist = distances(G, target, until=source)
    if source not in dist:
        return
    key = {v: (label_of(G, v), v) for v in dist}
    found = 0
    stack: list[tuple[str, list[str]]] = [(source, [source])]
    while stack and found < limit:
        v, path = stack.pop()
        if v == target:
            found += 1
            yield path
            continue
        nxt = sorted((u for u in linked(G, v) if dist.get(u) == dist[v] - 1), key=key.__getitem__, reverse=True)
        stack.extend((u, path + [u]) for u in nxt)


@with_collector_paused
def paths(G: nx.Graph, source: str, target: str, *, limit: int = 5) -> Table:
    """How two entities are connected: the shortest paths between them, each fact with its source.

    Direction is ignored when searching; each row shows a fact as the sources state it (``dir``
    ``->`` when the fact goes from ``from`` to ``to``, ``<-`` when it goes the other way). A hop
    that several facts support has one row per fact, under the same step. Among equally short
    paths, those whose nodes come first by label are listed first.

    Parameters
    ----------
    G : networkx.Graph
        A projection or a view of one.
    source, target : str
        Node ids (IRIs); see :func:`repnet.graph.network.project.node_for` to resolve names.
    limit : int
        How many shortest paths to list at most.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("p", "org", relation="member_of", source="s1")
    >>> _ = G.add_edge("q", "org", relation="member_of", source="s1")
    >>> t = paths(G, "p", "q")
    >>> [(r["from"], r["dir"], r["relation"], r["to"]) for r in t.rows]
    [('p', '->', 'member_of', 'org'), ('org', '<-', 'member_of', 'q')]
    """
    rows = []
    found = list(shortest_paths(G, source, target, limit))
    for i, path in enumerate(found, 1):
        for step, (u, v) in enumerate(itertools.pairwise(path), 1):
            for a, _b, d in _facts(G, u, v):
                rows.append({"path": i, "step": step, "from": label_of(G, u), "dir": "->" if a == u else "<-",
                             "relation": d.get("relation"), "to": label_of(G, v), "date": d.get("date"),
                             "source": d.get("source"), "from_node": u, "to_node": v, "event": d.get("event")})
    notes: dict[str, Any] = {"from": label_of(G, source) if source in G else source,
                             "to": label_of(G, target) if target in G else target}
    if found:
        notes["hops"] = len(found[0]) - 1
        notes["paths"] = len(found) if len(found) < limit else f"{limit} shown (limit)"
    else:
        notes["paths"] = 0
    return Table("path", ["path", "step", "from", "dir", "relation", "to", "date", "source"], rows, notes,
                 ["from_node", "to_node", "event"])


@with_collector_paused
def ego_network(G: nx.Graph, center: str, radius: int = 2) -> nx.Graph:
    """The part of the projection within ``radius`` links of ``center`` (direction ignored),
    with every fact between the nodes kept.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(ego_network(G, "a", radius=2))
    ['a', 'b', 'c']
    """
    return G.subgraph(distances(G, center, cutoff=radius)).copy()


@with_collector_paused
def ego(G: nx.Graph, center: str, *, radius: int = 2) -> Table:
    """The entities within ``radius`` links of an entity, nearest first, each with the link that
    reaches it (from the first node, by label, one step nearer the centre).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("p", "org", relation="member_of"); _ = G.add_edge("q", "org", relation="member_of")
    >>> [(r["distance"], r["label"], r["via"]) for r in ego(G, "p").rows]
    [(0, 'p', None), (1, 'org', 'p'), (2, 'q', 'org')]
    """
    if radius < 0:
        raise UsageError("radius must be 0 or more", argument="radius")
    near = distances(G, center, cutoff=radius)
    rows = []
    links = 0  # pairs of the nodes found that a fact links (each counted from both ends)
    for v, d in near.items():
        row: dict[str, Any] = {"distance": d, "label": label_of(G, v), "class": class_of(G, v), "via": None,
                               "relation": None, "node": v}
        around = linked(G, v)
        links += sum(u in near for u in around)
        if d:
            parent = min((u for u in around if near.get(u) == d - 1), key=lambda u: (label_of(G, u), u))
            fact = _facts(G, parent, v)[0]
            row.update(via=label_of(G, parent), relation=fact[2].get("relation"))
        rows.append(row)
    rows.sort(key=lambda r: (r["distance"], r["class"], r["label"], r["node"]))
    notes = {"center": label_of(G, center), "radius": radius, "nodes": len(near), "links": links // 2}
    return Table("ego", ["distance", "label", "class", "via", "relation"], rows, notes, ["node"])

