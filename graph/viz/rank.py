"""Which entities a page or picture draws: centrality scores and the cut to the drawing limits.

A view larger than the limits (:data:`MAX_NODES` entities or :data:`MAX_EDGES` relations on a page,
:data:`OVERVIEW_MAX_NODES` in a picture) is reduced to the entities with the highest centrality
(:func:`node_scores`), plus the focus or path entities, and the relations among them (:func:`reduce_view`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..errors import UsageError
from ..network import analysis

MAX_NODES = 5000
"""Default limit of drawn nodes; a larger view is reduced to the top entities by centrality."""
MAX_EDGES = 30000
"""Default limit of drawn relations (vis-network sets up each one: about 0.1 ms apiece in software
rendering); a view with more is reduced to the top entities that stay under it."""
OVERVIEW_MAX_NODES = 2000
"""Default limit of nodes in a still picture (``--overview``)."""
SIZE_MEASURES = ("degree", "pagerank", "betweenness")


def node_scores(G: nx.Graph, measure: str = "degree") -> tuple[dict[Any, float], str]:
    """The centrality that sizes (and ranks) the nodes, and how it was computed, for the page's legend.

    Computed as ``repnet analyze centrality`` does (:mod:`repnet.graph.network.analysis`), on the undirected
    simple graph beneath the projection: ``degree`` (distinct neighbours), ``pagerank``, or
    ``betweenness`` (exact up to ``analysis.EXACT_BETWEENNESS_MAX_NODES`` nodes, above that from
    ``analysis.BETWEENNESS_SAMPLES`` sampled sources, fixed seed).

    >>> G = nx.MultiDiGraph([("a", "hub"), ("b", "hub"), ("c", "hub")])
    >>> scores, note = node_scores(G, "degree")
    >>> max(scores, key=scores.get), note
    ('hub', 'degree centrality')
    """
    if measure not in SIZE_MEASURES:
        raise UsageError(f"unknown measure '{measure}'. Measures: {', '.join(SIZE_MEASURES)}")
    H = analysis.undirected(G)
    n = H.number_of_nodes()
    if n == 0:
        return {}, f"{measure} centrality"
    if measure == "degree":
        return {v: float(d) for v, d in H.degree()}, "degree centrality"
    if measure == "pagerank":
        return (nx.pagerank(H, weight=None) if H.number_of_edges() else dict.fromkeys(H, 1 / n)), "PageRank"
    k = analysis.BETWEENNESS_SAMPLES if n > analysis.EXACT_BETWEENNESS_MAX_NODES else None
    note = "betweenness centrality" + (f" (estimated from {k} sampled sources)" if k else "")
    return analysis.betweenness(H, k=k), note


def reduce_view(G: nx.MultiDiGraph, scores: dict[Any, float], max_nodes: int,
                keep: Iterable[str] = (), max_edges: int | None = None) -> nx.MultiDiGraph:
    """The entities with the highest score (and those in ``keep``), at most ``max_nodes`` of them and
    no more than reach ``max_edges`` relations among them, with those relations.

    The reduction is honest: an entity that has relations in the view but none to another chosen
    entity (all of its relations were cut) is not drawn alone, as if it had none; it is left out
    and counted in ``H.graph["cut_alone"]`` (the page says how many). Entities in ``keep`` always stay.

    >>> G = nx.MultiDiGraph([("a", "hub"), ("b", "hub"), ("c", "hub"), ("x", "y")])
    >>> H = reduce_view(G, {"hub": 3.0, "x": 2.0, "a": 1.0, "b": 1.0, "c": 1.0}, 3, keep=["c"])
    >>> sorted(H.edges()), H.graph["cut_alone"]
    ([('c', 'hub')], 1)
    """
    must = [n for n in keep if n in G]
    ranked = sorted(G, key=lambda n: (-scores.get(n, 0.0), str(n)))
    chosen = set(must)

    def links(n: Any) -> int:
        return (sum(len(ks) for w, ks in G.succ[n].items() if w in chosen)
                + sum(len(ks) for w, ks in G.pred[n].items() if w in chosen and w != n))

    edges = sum(links(n) for n in must) // 2 if must else 0
    for n in ranked:
        if len(chosen) >= max_nodes:
            break
        if n in chosen:
            continue
        more = links(n) if max_edges is not None else 0
        if max_edges is not None and edges + more > max_edges and chosen:
            break
        chosen.add(n)
        edges += more
    alone = cut_alone(G, chosen, set(must))
    H = induced(G, chosen - alone)
    H.graph["cut_alone"] = len(alone)
    return H


def cut_alone(G: nx.MultiDiGraph, chosen: set[Any], keep: set[Any]) -> set[Any]:
    """The entities of ``chosen`` (not in ``keep``) that have relations in ``G`` but none to another chosen entity.

    >>> sorted(cut_alone(nx.MultiDiGraph([("a", "b"), ("c", "d")]), {"a", "b", "c"}, set()))
    ['c']
    """
    return {n for n in chosen if n not in keep and G.degree(n) > 0
            and not any(w in chosen and w != n for w in G.succ[n]) and not any(w in chosen and w != n for w in G.pred[n])}


def induced(G: nx.MultiDiGraph, chosen: set[Any]) -> nx.MultiDiGraph:
    """The entities in ``chosen`` (in ``G``'s order) and the relations among them, as a new graph.

    Walks out-edges only: the hubs' huge in-lists are never walked, unlike ``G.subgraph(chosen).copy()``.
    """
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in chosen)
    H.add_edges_from((u, w, k, d) for u, w, k, d in G.out_edges(list(H), keys=True, data=True) if w in chosen)
    return H
