"""Centrality: degree, betweenness and PageRank of every entity (:func:`centrality`).

Betweenness (:func:`betweenness`) runs Brandes' algorithm for many sources at once as sparse-matrix
products, and gives networkx's numbers. It is exact up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes
(5,000); above that, :func:`centrality` samples ``k`` source nodes with a fixed seed (Brandes and
Pich's estimator, rescaled as ``networkx.betweenness_centrality(k=...)`` does), ``k`` = 70 million /
(nodes + links) within 64 to 512 (:func:`betweenness_samples`: 512 at 10,000 synthetic persons, 133
at 100,000), and reports ``k`` in the table's notes. PageRank uses networkx's SciPy implementation.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import networkx as nx

from ...errors import UsageError
from ...runtime import with_collector_paused
from .common import DEFAULT_SEED, Table, class_filter, class_of, label_of, ranked, significant, undirected

EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_WORK = 70_000_000  # sampled sources x (nodes + links): about 15 s on one core of this machine
BETWEENNESS_SAMPLES_RANGE = (64, 512)  # the fewest and the most sources betweenness_samples() gives
BETWEENNESS_SAMPLES = 256  # a fixed sample for callers that do not size it with betweenness_samples()


def betweenness_samples(nodes: int, links: int) -> int:
    """How many source nodes sampled betweenness uses on a graph this size:
    :data:`BETWEENNESS_WORK` / (nodes + links), kept within :data:`BETWEENNESS_SAMPLES_RANGE`.

    Examples
    --------
    >>> betweenness_samples(10_235, 42_305), betweenness_samples(101_844, 421_807)
    (512, 133)
    """
    low, high = BETWEENNESS_SAMPLES_RANGE
    return max(low, min(high, BETWEENNESS_WORK // max(1, nodes + links)))


@with_collector_paused
def betweenness(G: nx.Graph, *, k: int | None = None, seed: int = DEFAULT_SEED, batch: int | None = None) -> dict[str, float]:
    """Normalized betweenness on the undirected graph, exact or from ``k`` sampled sources.

    The same numbers as ``networkx.betweenness_centrality(undirected(G), k=k, seed=seed)`` (same
    sample, same rescaling), computed with Brandes' algorithm run for ``batch`` sources at once as
    sparse-matrix products (SciPy), which is one to two orders of magnitude faster in Python.
    ``batch`` defaults to as many sources as keep each node-by-batch array near 20 MB.

    Examples
    --------
    >>> G = nx.path_graph(4)
    >>> betweenness(G) == nx.betweenness_centrality(G)
    True
    """
    import random

    import numpy as np
    import scipy.sparse as sp

    H = undirected(G)
    nodes = list(H.nodes())
    n = len(nodes)
    if n < 3 or H.number_of_edges() == 0:
        return dict.fromkeys(nodes, 0.0)
    if k is not None and k >= n:
        k = None
    sample = nodes if k is None else random.Random(seed).sample(nodes, k)
    # about 20 MB per n-by-batch array at most: a dozen such arrays are alive at once, and at
    # 100,000 persons (102k nodes) 128 sources at a time took 5.3 s and 430 MB, 24 took 4.2 s and 40 MB
    batch = batch or max(8, min(128, 2_500_000 // n))
    pos = {v: i for i, v in enumerate(nodes)}
    A = sp.csr_array(nx.to_scipy_sparse_array(H, nodelist=nodes, weight=None, dtype=np.float64, format="csr"))
    total = np.zeros(n)
    src = np.array([pos[v] for v in sample])
    for start in range(0, len(src), batch):
        S = src[start:start + batch]
        cols = np.arange(len(S))
        dist = np.full((n, len(S)), -1, dtype=np.int32)
        sigma = np.zeros((n, len(S)))
        dist[S, cols] = 0
        sigma[S, cols] = 1.0
        frontier = sigma.copy()
        depth = 0
        while True:  # breadth-first, one level for every source of the batch at a time
            reach = A @ frontier  # paths into each node through the current level
            new = (reach > 0) & (dist < 0)
            if not new.any():
                break
            depth += 1
            dist[new] = depth
            sigma[new] = reach[new]
            frontier = np.where(new, sigma, 0.0)
        delta = np.zeros_like(sigma)
        for level in range(depth, 0, -1):  # dependencies flow back one level at a time
            at = dist == level
            share = np.where(at, (1.0 + delta) / np.where(at, sigma, 1.0), 0.0)
            delta += np.where(dist == level - 1, sigma * (A @ share), 0.0)
        delta[S, cols] = 0.0
        total += delta.sum(axis=1)
    if k is None:
        scale = np.full(n, 1 / ((n - 1) * (n - 2)))
    else:  # as networkx rescales a sample: a sampled node cannot count itself as a source
        scale = np.full(n, 1 / (k * (n - 2)))
        scale[src] = 1 / ((k - 1) * (n - 2)) if k > 1 else math.nan
    return {v: float(x) for v, x in zip(nodes, total * scale, strict=True)}


@with_collector_paused
def centrality(G: nx.Graph, *, classes: Collection[str] | None = None, by: str = "betweenness",
               top: int | None = 20, k: int | None = None, seed: int = DEFAULT_SEED) -> Table:
    """Degree, betweenness and PageRank of every entity; rows for the chosen classes only.

    Parameters
    ----------
    G : networkx.Graph
        A projection or a view of one.
    classes : collection of str, optional
        Report only nodes of these classes (the measures are computed on the whole graph).
    by : {"betweenness", "degree", "pagerank"}
        The measure rows are ranked by.
    top : int or None
        How many rows; None for all.
    k : int, optional
        Betweenness source samples. Default: exact up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes,
        else :func:`betweenness_samples`. The notes report which.
    seed : int
        Seed of the betweenness sample.

    Returns
    -------
    Table
        Columns rank, label, class, degree (distinct neighbours), betweenness (normalized) and
        pagerank; extra column node (the IRI).

    Examples
    --------
    A star: the centre is on every shortest path.

    >>> G = nx.MultiDiGraph()
    >>> for p in "abc":
    ...     G.add_node(p, label=p.upper(), **{"class": "Person"})
    >>> G.add_node("court", label="Court", **{"class": "Court"})
    >>> for p in "abc":
    ...     _ = G.add_edge(p, "court", relation="sentenced_by")
    >>> t = centrality(G, classes=["Court"])
    >>> t.rows[0]["label"], t.rows[0]["degree"], t.rows[0]["betweenness"]
    ('Court', 3, 1.0)
    """
    if by not in ("betweenness", "degree", "pagerank"):
        raise UsageError(f"by={by!r}: use betweenness, degree or pagerank", argument="by")
    cls = class_filter(classes)
    H = undirected(G)
    n = H.number_of_nodes()
    notes: dict[str, Any] = {"nodes": n, "links": H.number_of_edges()}
    if n == 0:
        return Table("centrality", ["rank", "label", "class", "degree", "betweenness", "pagerank"], [], notes, ["node"])
    if k is None and n > EXACT_BETWEENNESS_MAX_NODES:
        k = betweenness_samples(n, H.number_of_edges())
    if k is not None and k >= n:
        k = None
    bc = betweenness(H, k=k, seed=seed)
    notes["betweenness"] = f"sampled, k={k} source nodes, seed {seed}" if k else "exact"
    pr = nx.pagerank(H, weight=None) if H.number_of_edges() else {v: 1 / n for v in H}
    rows = [{"node": v, "label": label_of(H, v), "class": class_of(H, v), "degree": H.degree(v),
             "betweenness": significant(bc[v]), "pagerank": significant(pr[v])}
            for v in H if cls is None or class_of(H, v) in cls]
    rows.sort(key=lambda r: (-r[by], -r["degree"], r["label"], r["node"]))
    return Table("centrality", ["rank", "label", "class", "degree", "betweenness", "pagerank"], ranked(rows, top), notes,
                 ["node"])

