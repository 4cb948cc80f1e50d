"""Communities by Louvain modularity (:func:`partition`, :func:`communities`) and the brokers
between them (:func:`brokers`).

Louvain is our own, on sparse arrays: about three times faster than networkx's with the same
modularity on the graphs we compared (tests/test_analysis.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from typing import Any

import networkx as nx

from ...runtime import with_collector_paused
from ..project import PERSON_CLASSES
from .common import DEFAULT_SEED, Table, class_filter, class_of, label_of, ranked, significant, undirected


@with_collector_paused
def partition(G: nx.Graph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0) -> tuple[list[set[str]], float]:
    """Louvain communities (largest first) and their modularity, on the undirected graph.

    Blondel et al.'s algorithm: move single nodes to the neighbouring community that raises
    modularity most (nodes in a seeded random order, passes until no node moves), merge each
    community into one node, and repeat on the merged graph until nothing moves. Written on sparse
    arrays and plain lists because networkx's ``louvain_communities`` takes minutes at 100,000
    persons; on test graphs it reaches the same modularity (see tests/test_analysis.py).

    Examples
    --------
    Two triangles joined by one link fall apart into two communities.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> comms, q = partition(G)
    >>> sorted(sorted(c) for c in comms), round(q, 3)
    ([['a', 'b', 'c'], ['x', 'y', 'z']], 0.357)
    """
    import random

    import numpy as np
    import scipy.sparse as sp

    H = undirected(G)
    nodes = list(H)
    if H.number_of_edges() == 0:
        return [{v} for v in sorted(nodes)], 0.0
    A = sp.csr_array(nx.to_scipy_sparse_array(H, nodelist=nodes, weight="weight", dtype=np.float64, format="csr"))
    m2 = float(A.sum())  # twice the total weight
    rng = random.Random(seed)
    of = np.arange(len(nodes))  # node -> its community at the current level
    level = A
    while True:
        moved, labels = _local_moves(level, m2, resolution, rng)
        if not moved:
            break
        of = labels[of]
        P = sp.csr_array((np.ones(len(labels)), (np.arange(len(labels)), labels)), shape=(len(labels), labels.max() + 1))
        level = sp.csr_array(P.T @ level @ P)
    # modularity: sum over communities of (inner weight / 2m) - resolution * (total degree / 2m)^2
    coo = A.tocoo()
    same = of[coo.row] == of[coo.col]
    inner = np.bincount(of[coo.row[same]], weights=coo.data[same], minlength=of.max() + 1)
    tot = np.bincount(of, weights=np.asarray(A.sum(axis=1)).ravel(), minlength=of.max() + 1)
    q = float((inner / m2).sum() - resolution * ((tot / m2) ** 2).sum())
    groups: dict[int, set[str]] = defaultdict(set)
    for v, c in zip(nodes, of.tolist(), strict=True):
        groups[c].add(v)
    return sorted(groups.values(), key=lambda c: (-len(c), min(c))), q


def _local_moves(A: Any, m2: float, resolution: float, rng: Any) -> tuple[bool, Any]:
    """One Louvain level on a weighted adjacency matrix: (whether any node moved, community labels 0..C-1)."""
    import numpy as np

    n = A.shape[0]
    indptr, indices, data = A.indptr.tolist(), A.indices.tolist(), A.data.tolist()
    k = np.asarray(A.sum(axis=1)).ravel().tolist()
    comm = list(range(n))
    tot = list(k)
    order = list(range(n))
    rng.shuffle(order)
    moved = False
    for _ in range(1000):  # passes; in practice a handful
        moves = 0
        for u in order:
            cu, ku = comm[u], k[u]
            w2c: dict[int, float] = {}
            for x in range(indptr[u], indptr[u + 1]):
                v = indices[x]
                if v != u:
                    c = comm[v]
                    w2c[c] = w2c.get(c, 0.0) + data[x]
            tot[cu] -= ku
            f = resolution * ku / m2
            best, best_gain = cu, w2c.get(cu, 0.0) - f * tot[cu]
            for c, w in w2c.items():
                gain = w - f * tot[c]
                if gain > best_gain + 1e-9:  # a real gain, not rounding
                    best, best_gain = c, gain
            tot[best] += ku
            if best != cu:
                comm[u] = best
                moves += 1
        if not moves:
            break
        moved = True
    _, labels = np.unique(np.array(comm), return_inverse=True)
    return moved, labels.ravel()


@with_collector_paused
def communities(G: nx.Graph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0, members: int = 5,
                top: int | None = None) -> Table:
    """Communities by Louvain modularity optimization (fixed seed), with what each consists of.

    Parameters
    ----------
    G : networkx.Graph
        A projection or a view of one.
    seed : int
        Louvain's random seed: the same graph and seed give the same communities.
    resolution : float
        Above 1 favours smaller communities, below 1 larger ones.
    members : int
        How many of each community's best-connected members to name.
    top : int or None
        How many communities to list (largest first); None for all.

    Returns
    -------
    Table
        One row per community: size, persons, classes ("Person 12; Court 1"), members. The notes
        give the modularity, the number of communities, seed and resolution.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> t = communities(G)
    >>> [r["size"] for r in t.rows], t.notes["modularity"]
    ([3, 3], 0.357)
    """
    H = undirected(G)
    comms, q = partition(H, seed=seed, resolution=resolution)
    rows = []
    for i, c in enumerate(comms, 1):
        counts = Counter(class_of(H, v) for v in c)
        best = sorted(c, key=lambda v: (-H.degree(v), label_of(H, v), v))[:members]
        rows.append({"community": i, "size": len(c), "persons": sum(counts[x] for x in PERSON_CLASSES),
                     "classes": "; ".join(f"{x} {m}" for x, m in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                     "members": "; ".join(label_of(H, v) for v in best)})
    notes = {"communities": len(comms), "modularity": round(q, 3), "method": "Louvain", "seed": seed,
             "resolution": resolution}
    return Table("communities", ["community", "size", "persons", "classes", "members"],
                 rows[:top] if top else rows, notes)


@with_collector_paused
def brokers(G: nx.Graph, *, classes: Collection[str] | None = None, top: int | None = 20,
            seed: int = DEFAULT_SEED, resolution: float = 1.0) -> Table:
    """Entities that link Louvain communities: ranked by how many other communities they reach.

    For each node: its community, ``reaches`` (other communities among its neighbours),
    ``outside`` (neighbours in other communities), its degree and its participation coefficient
    ``1 - sum_c (k_c / k)^2`` (Guimerà and Amaral), which is 0 for a node whose links all stay in one
    community.

    Examples
    --------
    ``c`` and ``x`` hold the two triangles together.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> [r["node"] for r in brokers(G).rows]
    ['c', 'x']
    """
    cls = class_filter(classes)
    H = undirected(G)
    comms, q = partition(H, seed=seed, resolution=resolution)
    member = {v: i for i, c in enumerate(comms, 1) for v in c}
    rows = []
    for v in H:
        if cls is not None and class_of(H, v) not in cls:
            continue
        counts = Counter(member[u] for u in H[v])
        own = member[v]
        outside = sum(m for c, m in counts.items() if c != own)
        if not outside:
            continue
        k = sum(counts.values())
        rows.append({"node": v, "label": label_of(H, v), "class": class_of(H, v), "community": own,
                     "reaches": sum(1 for c in counts if c != own), "outside": outside, "degree": k,
                     "participation": significant(1 - sum((m / k) ** 2 for m in counts.values()), 4)})
    rows.sort(key=lambda r: (-r["reaches"], -r["outside"], -r["participation"], r["label"], r["node"]))
    notes = {"communities": len(comms), "modularity": round(q, 3), "method": "Louvain", "seed": seed}
    return Table("brokers", ["rank", "label", "class", "community", "reaches", "outside", "degree", "participation"],
                 ranked(rows, top), notes, ["node"])

