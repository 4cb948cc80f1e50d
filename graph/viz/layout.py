"""Where the nodes go: positions in page pixels, computed with networkx before the page is written.

Up to :data:`PHYSICS_LIMIT` drawn nodes the browser refines these positions with live physics;
above it they are final (physics starts switched off). Large graphs get a hub-and-spiral layout
that is linear in the number of edges (:func:`layout`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from ..network import analysis

PHYSICS_LIMIT = 500
"""Above this many drawn nodes the layout is computed beforehand and physics starts switched off."""

Point = tuple[float, float]


def layout(G: nx.Graph, seed: int = 7) -> dict[Any, Point]:
    """Positions in page pixels, computed with networkx.

    Up to 300 nodes: ``networkx.kamada_kawai_layout`` for a connected graph of up to 100 nodes, else
    ``networkx.spring_layout`` (Fruchterman-Reingold). Above that (networkx's own layouts take
    seconds at 500 nodes and minutes at thousands): the best-linked n/12 entities, 40 to 300 (the
    hubs: courts, articles, facilities, release rounds ...) are laid out with ``spring_layout`` on
    a graph weighted by how many entities they share, and every other entity is placed on a
    sunflower spiral around the hubs it is linked to, weighted towards the most specific ones (a
    judge or a colony rather than an article thousands share); entities linked only to other such
    entities go next to those, breadth first. Linear in the number of edges.

    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos), len(set(pos.values()))
    ([0, 1, 2], 3)
    """
    U = analysis.undirected(G)
    n = len(U)
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(U)): (0.0, 0.0)}
    if n <= 300:
        return small_layout(U, seed)
    return hub_layout(U, seed)


def small_layout(U: nx.Graph, seed: int = 7) -> dict[Any, Point]:
    """Kamada-Kawai (connected, up to 100 nodes) or spring layout, scaled to page pixels."""
    n = len(U)
    if n <= 100 and nx.is_connected(U):
        pos = nx.kamada_kawai_layout(U)
    else:  # (below 500 nodes networkx runs the dense, vectorised Fruchterman-Reingold)
        pos = nx.spring_layout(U, seed=seed, method="force", iterations=60)
    scale = 40 * math.sqrt(n) + 80
    return {v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in pos.items()}


def hub_weights(U: nx.Graph, hubs: list[Any], leaves: list[Any]) -> nx.Graph:
    """The hubs, linked by their own edges (weight 2) and by the leaves they share (1/(k-1) per leaf
    linked to k of them, for 2 <= k <= 40), weights log1p-damped."""
    hubset = set(hubs)
    weights: dict[tuple[Any, Any], float] = defaultdict(float)
    for u, v in U.subgraph(hubs).edges():
        weights[(u, v) if str(u) < str(v) else (v, u)] += 2.0
    for leaf in leaves:
        hs = sorted((h for h in U[leaf] if h in hubset), key=str)
        if 2 <= len(hs) <= 40:
            w = 1.0 / (len(hs) - 1)
            for i, a in enumerate(hs):
                for b in hs[i + 1:]:
                    weights[(a, b)] += w
    HG = nx.Graph()
    HG.add_nodes_from(hubs)
    HG.add_weighted_edges_from((a, b, math.log1p(w)) for (a, b), w in weights.items())
    return HG


class Spiral:
    """Places points on sunflower spirals around centres, each spot's next point further out."""

    GOLDEN = math.pi * (3 - math.sqrt(5))

    def __init__(self, spacing: float) -> None:
        self.spacing = spacing
        self.filled: Counter[tuple[int, int]] = Counter()  # points already used around each spot

    def place(self, center: Point, start: float) -> Point:
        """The next free point around ``center`` (``start`` spacings out for its first point)."""
        key = (round(center[0] / 4), round(center[1] / 4))
        i = self.filled[key]
        self.filled[key] += 1
        r = self.spacing * math.sqrt(i + start)
        return center[0] + r * math.cos(i * self.GOLDEN), center[1] + r * math.sin(i * self.GOLDEN)


def hub_layout(U: nx.Graph, seed: int = 7) -> dict[Any, Point]:
    """The layout of a large graph: hubs by spring layout, the rest on spirals around them (see :func:`layout`)."""
    n = len(U)
    deg = dict(U.degree())
    order = sorted(U, key=lambda v: (-deg[v], str(v)))
    nhubs = min(300, max(40, n // 12))
    hubs, leaves = order[:nhubs], order[nhubs:]
    hubset = set(hubs)
    hpos = nx.spring_layout(hub_weights(U, hubs, leaves), seed=seed, method="force", iterations=150, weight="weight")
    spiral = Spiral(16.0)
    radius = spiral.spacing * math.sqrt(n) * 0.9
    pos: dict[Any, Point] = {h: (float(p[0]) * radius, float(p[1]) * radius) for h, p in hpos.items()}
    pending = []
    for leaf in leaves:
        hs = [h for h in U[leaf] if h in hubset]
        if not hs:
            pending.append(leaf)
            continue
        # near the most specific hubs (a judge or a colony rather than an article thousands share)
        ws = [1.0 / deg[h] ** 2 for h in hs]
        total = sum(ws)
        center = (sum(w * pos[h][0] for w, h in zip(ws, hs, strict=True)) / total,
                  sum(w * pos[h][1] for w, h in zip(ws, hs, strict=True)) / total)
        pos[leaf] = spiral.place(center, 3.0)
    place_rest(U, pending, pos, spiral, radius * 1.25)
    return pos


def place_rest(U: nx.Graph, pending: list[Any], pos: dict[Any, Point], spiral: Spiral, ring: float) -> None:
    """Place the entities linked to no hub: next to placed neighbours, breadth first; components of
    such entities alone go around the outside, on a ring of radius ``ring``."""
    while pending:
        rest = []
        for leaf in pending:
            placed = [pos[m] for m in U[leaf] if m in pos]
            if placed:
                center = (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
                pos[leaf] = spiral.place(center, 1.0)
            else:
                rest.append(leaf)
        if len(rest) == len(pending):  # components of leaves only: around the outside
            for i, leaf in enumerate(rest):
                a = i * spiral.GOLDEN
                pos[leaf] = spiral.place((ring * math.cos(a), ring * math.sin(a)), 0.0) \
                    if not any(m in pos for m in U[leaf]) else spiral.place(pos[next(m for m in U[leaf] if m in pos)], 1.0)
            break
        pending = rest
