"""Network analyses over a projection (:mod:`repnet.graph.network.project`), each returning a :class:`Table`.

Every function takes the projected ``networkx.MultiDiGraph`` (or any view of it) and returns rows of
plain values, ready for ``--format table|json|csv``. Structural measures (centrality, communities,
brokers, paths, ego networks) work on the undirected simple graph beneath the projection
(:func:`undirected`): two entities are linked when any fact links them, whatever its direction, and
each linked pair counts once.

Scale. Betweenness (:func:`betweenness`) runs Brandes' algorithm for many sources at once as
sparse-matrix products, and gives networkx's numbers. It is exact up to
:data:`EXACT_BETWEENNESS_MAX_NODES` nodes (5,000); above that, :func:`centrality` samples
``k`` source nodes with a fixed seed (Brandes and Pich's estimator, rescaled as
``networkx.betweenness_centrality(k=...)`` does), ``k`` = 70 million / (nodes + links) within 64 to
512 (:func:`betweenness_samples`: 512 at 10,000 synthetic persons, 133 at 100,000), and reports
``k`` in the table's notes. PageRank uses networkx's SciPy implementation. Communities use our own
Louvain on sparse arrays (:func:`partition`), about three times faster than networkx's with the
same modularity on the graphs we compared. :func:`shared` counts
shared entities with a sparse matrix product and refuses a projection of more than
:data:`SHARED_MAX_PAIRS` candidate pairs (give one person instead). At 100,000 synthetic persons
(about 100,000 nodes and 420,000 links) every analysis finishes in under a minute on 2 cores; see
:mod:`tests.benchmarks.analysis`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..errors import UsageError
from ..output import render
from .project import NODE_CLASSES, PERSON_CLASSES, _parse_day, check_view, view
from ..ask.status import HELD, status_at
from ..terms import to_json

EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_WORK = 70_000_000  # sampled sources x (nodes + links): about 15 s on one core of this machine
BETWEENNESS_SAMPLES_RANGE = (64, 512)  # the fewest and the most sources betweenness_samples() gives
BETWEENNESS_SAMPLES = 256  # a fixed sample for callers that do not size it with betweenness_samples()
SHARED_MAX_PAIRS = 60_000_000
DEFAULT_SEED = 42
SHARED_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # kind -> (relation from a person, classes of the shared entity)
    "case": ("co_defendant", ()),
    "judge": ("sentenced_by", ("Judge",)),
    "court": ("sentenced_by", ("Court",)),
    "facility": ("held_at", ("Facility",)),
    "organization": ("member_of", ("Organization", "Court", "Government")),
    "offence": ("charged_under", ("Offence", "Article")),
    "release-round": ("released_in", ("ReleaseRound",)),
    "prosecutor": ("prosecuted_by", ("Prosecutor",)),
}
DEFAULT_SHARED = ("case", "judge", "court", "facility")
STATS_BY = ("court", "judge", "charge", "year")


@dataclass
class Table:
    """The result of an analysis: rows of plain values, the columns to show, and notes.

    ``columns`` are shown in a table; JSON and CSV also carry ``extra`` columns (IRIs).
    ``notes`` say how the numbers were computed (modularity, sampled k, seed, dates).
    """

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: dict[str, Any] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)

    def notes_text(self) -> str:
        return "\n".join(f"{k}: {to_json(v)}" for k, v in self.notes.items())

    def render(self, fmt: str, raw: bool = False) -> str:
        """Text for ``table``, ``json``, ``csv`` or ``tsv``; notes follow a table, lead a JSON object,
        and are left out of CSV/TSV (the CLI prints them on stderr)."""
        cols = self.columns + [c for c in self.extra if c not in self.columns]
        if fmt == "json":
            rows = [{c: to_json(r.get(c)) for c in cols} for r in self.rows]
            return json.dumps({"analysis": self.name, **{k: to_json(v) for k, v in self.notes.items()}, "rows": rows},
                              indent=2, ensure_ascii=False)
        if fmt in ("csv", "tsv"):
            return render(self.rows, cols, fmt, raw)
        if fmt != "table":
            raise UsageError(f"unknown format '{fmt}': use table, json, csv or tsv")
        shown = [{c: _display(r.get(c)) for c in self.columns} for r in self.rows]
        n = len(self.rows)
        text = render(shown, self.columns, "table") + f"\n({n} row{'s' if n != 1 else ''})"
        return text + ("\n" + self.notes_text() if self.notes else "")


def _display(v: Any) -> Any:
    if isinstance(v, float):
        return f"{v:.4g}" if v and abs(v) < 0.001 else f"{v:.4f}".rstrip("0").rstrip(".") if v % 1 else f"{v:.0f}"
    if isinstance(v, str) and re.match(r"^https?://", v):
        return _curie(v)
    return v


def _curie(iri: str) -> str:
    """A data IRI without its base: '.../id/person/marfa-rabkova' -> 'person/marfa-rabkova'."""
    return iri.split("/id/", 1)[1] if "/id/" in iri else iri


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


# ---------------------------------------------------------------------------- helpers
def undirected(G: nx.Graph) -> nx.Graph:
    """The simple undirected graph beneath a projection: one edge per linked pair, ``weight`` =
    the number of facts linking them; nodes keep ``label`` and ``class``; self-loops are dropped.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", relation="member_of"); _ = G.add_edge("b", "a", relation="sentenced_by")
    >>> H = undirected(G); H["a"]["b"]["weight"]
    2
    """
    if not G.is_directed() and not G.is_multigraph() and not nx.number_of_selfloops(G):
        return G
    weights: dict[tuple[str, str], int] = {}
    for u, v in G.edges():
        if u != v:
            key = (v, u) if (v, u) in weights else (u, v)
            weights[key] = weights.get(key, 0) + 1
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from((u, v, {"weight": w}) for (u, v), w in weights.items())
    return H


def _label(G: nx.Graph, n: str) -> str:
    return str(G.nodes[n].get("label", n))


def _cls(G: nx.Graph, n: str) -> str:
    return str(G.nodes[n].get("class", ""))


def _check_classes(classes: Collection[str] | None) -> set[str] | None:
    check_view(classes=classes)
    return set(classes) if classes else None


def _top(rows: list[dict[str, Any]], top: int | None) -> list[dict[str, Any]]:
    rows = rows[:top] if top else rows
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


# ---------------------------------------------------------------------------- centrality
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


def betweenness(G: nx.Graph, *, k: int | None = None, seed: int = DEFAULT_SEED, batch: int | None = None) -> dict[str, float]:
    """Normalized betweenness on the undirected graph, exact or from ``k`` sampled sources.

    The same numbers as ``networkx.betweenness_centrality(undirected(G), k=k, seed=seed)`` (same
    sample, same rescaling), computed with Brandes' algorithm run for ``batch`` sources at once as
    sparse-matrix products (SciPy), which is one to two orders of magnitude faster in Python.
    ``batch`` defaults to as many sources as keep each node-by-batch array near 160 MB.

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
    batch = batch or max(8, min(128, 20_000_000 // n))  # about 160 MB per n-by-batch array at most
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
        raise UsageError(f"--by {by}: use betweenness, degree or pagerank")
    cls = _check_classes(classes)
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
    rows = [{"node": v, "label": _label(H, v), "class": _cls(H, v), "degree": H.degree(v),
             "betweenness": _sig(bc[v]), "pagerank": _sig(pr[v])}
            for v in H if cls is None or _cls(H, v) in cls]
    rows.sort(key=lambda r: (-r[by], -r["degree"], r["label"], r["node"]))
    return Table("centrality", ["rank", "label", "class", "degree", "betweenness", "pagerank"], _top(rows, top), notes,
                 ["node"])


# ---------------------------------------------------------------------------- communities
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
        counts = Counter(_cls(H, v) for v in c)
        best = sorted(c, key=lambda v: (-H.degree(v), _label(H, v), v))[:members]
        rows.append({"community": i, "size": len(c), "persons": sum(counts[x] for x in PERSON_CLASSES),
                     "classes": "; ".join(f"{x} {m}" for x, m in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                     "members": "; ".join(_label(H, v) for v in best)})
    notes = {"communities": len(comms), "modularity": round(q, 3), "method": "Louvain", "seed": seed,
             "resolution": resolution}
    return Table("communities", ["community", "size", "persons", "classes", "members"],
                 rows[:top] if top else rows, notes)


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
    cls = _check_classes(classes)
    H = undirected(G)
    comms, q = partition(H, seed=seed, resolution=resolution)
    member = {v: i for i, c in enumerate(comms, 1) for v in c}
    rows = []
    for v in H:
        if cls is not None and _cls(H, v) not in cls:
            continue
        counts = Counter(member[u] for u in H[v])
        own = member[v]
        outside = sum(m for c, m in counts.items() if c != own)
        if not outside:
            continue
        k = sum(counts.values())
        rows.append({"node": v, "label": _label(H, v), "class": _cls(H, v), "community": own,
                     "reaches": sum(1 for c in counts if c != own), "outside": outside, "degree": k,
                     "participation": _sig(1 - sum((m / k) ** 2 for m in counts.values()), 4)})
    rows.sort(key=lambda r: (-r["reaches"], -r["outside"], -r["participation"], r["label"], r["node"]))
    notes = {"communities": len(comms), "modularity": round(q, 3), "method": "Louvain", "seed": seed}
    return Table("brokers", ["rank", "label", "class", "community", "reaches", "outside", "degree", "participation"],
                 _top(rows, top), notes, ["node"])


# ---------------------------------------------------------------------------- paths and ego networks
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
    H = undirected(G)
    if source not in H or target not in H:
        return
    dist = nx.single_source_shortest_path_length(H, target)
    if source not in dist:
        return
    key = {v: (_label(H, v), v) for v in dist}
    found = 0
    stack: list[tuple[str, list[str]]] = [(source, [source])]
    while stack and found < limit:
        v, path = stack.pop()
        if v == target:
            found += 1
            yield path
            continue
        nxt = sorted((u for u in H[v] if dist.get(u) == dist[v] - 1), key=key.__getitem__, reverse=True)
        stack.extend((u, path + [u]) for u in nxt)


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
        for step, (u, v) in enumerate(zip(path, path[1:]), 1):
            for a, _b, d in _facts(G, u, v):
                rows.append({"path": i, "step": step, "from": _label(G, u), "dir": "->" if a == u else "<-",
                             "relation": d.get("relation"), "to": _label(G, v), "date": d.get("date"),
                             "source": d.get("source"), "from_node": u, "to_node": v, "event": d.get("event")})
    notes: dict[str, Any] = {"from": _label(G, source) if source in G else source,
                             "to": _label(G, target) if target in G else target}
    if found:
        notes["hops"] = len(found[0]) - 1
        notes["paths"] = len(found) if len(found) < limit else f"{limit} shown (limit)"
    else:
        notes["paths"] = 0
    return Table("path", ["path", "step", "from", "dir", "relation", "to", "date", "source"], rows, notes,
                 ["from_node", "to_node", "event"])


def ego_network(G: nx.Graph, center: str, radius: int = 2) -> nx.Graph:
    """The part of the projection within ``radius`` links of ``center`` (direction ignored),
    with every fact between the nodes kept.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(ego_network(G, "a", radius=2))
    ['a', 'b', 'c']
    """
    H = undirected(G)
    near = nx.single_source_shortest_path_length(H, center, cutoff=radius)
    return G.subgraph(near).copy()


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
        raise UsageError("--radius must be 0 or more")
    H = undirected(G)
    near = nx.single_source_shortest_path_length(H, center, cutoff=radius)
    rows = []
    for v, d in near.items():
        row: dict[str, Any] = {"distance": d, "label": _label(H, v), "class": _cls(H, v), "via": None,
                               "relation": None, "node": v}
        if d:
            parent = min((u for u in H[v] if near.get(u) == d - 1), key=lambda u: (_label(H, u), u))
            fact = _facts(G, parent, v)[0]
            row.update(via=_label(H, parent), relation=fact[2].get("relation"))
        rows.append(row)
    rows.sort(key=lambda r: (r["distance"], r["class"], r["label"], r["node"]))
    sub = H.subgraph(near)
    notes = {"center": _label(H, center), "radius": radius, "nodes": sub.number_of_nodes(), "links": sub.number_of_edges()}
    return Table("ego", ["distance", "label", "class", "via", "relation"], rows, notes, ["node"])


# ---------------------------------------------------------------------------- bipartite projections
def _groups(G: nx.Graph, kinds: Sequence[str]) -> dict[str, set[str]]:
    """Shared entity (or case) -> the persons linked to it, for the chosen kinds."""
    for kind in kinds:
        if kind not in SHARED_KINDS:
            raise UsageError(f"--by {kind}: use {', '.join(SHARED_KINDS)}")
    groups: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind in kinds:
        rel, classes = SHARED_KINDS[kind]
        wanted[rel].update(classes or ("",))
    nodes = G.nodes
    for u, v, d in G.edges(data=True):
        rel = d.get("relation")
        if rel not in wanted or nodes[u].get("class") not in PERSON_CLASSES:
            continue
        if rel == "co_defendant":
            groups[d.get("case") or d.get("event", "")].update((u, v))
        elif nodes[v].get("class") in wanted[rel]:
            groups[v].add(u)
    return {g: ps for g, ps in groups.items() if len(ps) > 1}


def shared(G: nx.Graph, *, by: Sequence[str] = DEFAULT_SHARED, person: str | None = None, min_shared: int = 1,
           top: int | None = 50) -> Table:
    """Bipartite projection: pairs of persons who share a case, judge, court, facility (or, with
    ``by``, an organization, offence, release round or prosecutor), most shared first.

    Parameters
    ----------
    G : networkx.Graph
        A projection or a view of one.
    by : sequence of str
        Kinds of shared entity (:data:`SHARED_KINDS`); default case, judge, court and facility.
    person : str, optional
        Only pairs with this person (a node id).
    min_shared : int
        Only pairs that share at least this many entities.
    top : int or None
        How many pairs; None for all. Ties are listed in the order of the persons' node ids.

    Returns
    -------
    Table
        person_a, person_b (labels), shared (how many entities they share), via (their labels); the
        notes give the number of pairs that qualify.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for p in ("a", "b", "c"):
    ...     G.add_node(p, label=p, **{"class": "Person"})
    >>> G.add_node("j", label="Judge J", **{"class": "Judge"}); G.add_node("k", label="Court K", **{"class": "Court"})
    >>> for p in ("a", "b"):
    ...     _ = G.add_edge(p, "j", relation="sentenced_by"); _ = G.add_edge(p, "k", relation="sentenced_by")
    >>> _ = G.add_edge("c", "k", relation="sentenced_by")
    >>> [(r["person_a"], r["person_b"], r["shared"]) for r in shared(G).rows]
    [('a', 'b', 2), ('a', 'c', 1), ('b', 'c', 1)]
    """
    if min_shared < 1:
        raise UsageError("--min-shared must be 1 or more")
    groups = _groups(G, by)
    columns = ["rank", "person_a", "person_b", "shared", "via"]
    notes: dict[str, Any] = {"by": ", ".join(by), "groups": len(groups)}
    if person is not None:
        counts: Counter[str] = Counter()
        for ps in groups.values():
            if person in ps:
                counts.update(p for p in ps if p != person)
        pairs = sorted(((c, o) for o, c in counts.items() if c >= min_shared), key=lambda t: (-t[0], t[1]))
        notes["pairs"] = len(pairs)
        chosen = [(person, o, c) for c, o in (pairs[:top] if top else pairs)]
    else:
        chosen, total = _top_pairs(groups, min_shared, top)
        notes["pairs"] = total
    index: dict[str, set[str]] = defaultdict(set)
    want = {p for a, b, _ in chosen for p in (a, b)}
    for g, ps in groups.items():
        for p in ps & want:
            index[p].add(g)
    rows = []
    for a, b, c in chosen:
        common = sorted(index[a] & index[b], key=lambda g: (_label(G, g) if g in G else g))
        rows.append({"person_a": _label(G, a), "person_b": _label(G, b), "shared": c,
                     "via": "; ".join((_label(G, g) if g in G else _curie(g)) for g in common[:5])
                     + (f"; (+{len(common) - 5})" if len(common) > 5 else ""),
                     "node_a": a, "node_b": b})
    return Table("shared", columns, _top(rows, None), notes, ["node_a", "node_b"])


def _top_pairs(groups: dict[str, set[str]], min_shared: int, top: int | None,
               block: int = 4096) -> tuple[list[tuple[str, str, int]], int]:
    """The pairs sharing most groups (ties by node id), and how many pairs share min_shared or more.

    The persons x persons product is computed ``block`` rows at a time and only each block's
    candidates for the top are kept, so memory stays bounded: at 100k persons the whole product
    took 3.8 GB, a block of 4,096 rows about 100 MB.
    """
    bound = sum(len(ps) * (len(ps) - 1) // 2 for ps in groups.values())
    if bound > SHARED_MAX_PAIRS:
        raise UsageError(f"that projection has up to {bound:,} pairs of persons (more than {SHARED_MAX_PAIRS:,}).\n"
                         "Give --person NAME, or share fewer kinds (--by case,judge).")
    people = sorted({p for ps in groups.values() for p in ps})
    if not people:
        return [], 0
    import numpy as np
    import scipy.sparse as sp

    pos = {p: i for i, p in enumerate(people)}
    cols, rows_ = [], []
    for j, ps in enumerate(groups.values()):
        for p in ps:
            rows_.append(pos[p])
            cols.append(j)
    B = sp.csr_array((np.ones(len(rows_), dtype=np.int32), (rows_, cols)), shape=(len(people), len(groups)))
    BT = sp.csr_array(B.T)
    empty = np.zeros(0, dtype=np.int64)
    I, J, C = empty, empty, empty.astype(np.int32)
    total = 0
    for r0 in range(0, len(people), block):
        coo = sp.csr_array(B[r0:r0 + block] @ BT).tocoo()  # rows in order; columns within a row in no particular order
        i = coo.row.astype(np.int64) + r0
        keep = (i < coo.col) & (coo.data >= min_shared)  # each pair once (scipy's triu is far slower)
        i, j, c = i[keep], coo.col[keep].astype(np.int64), coo.data[keep]
        total += int(len(c))
        I, J, C = np.concatenate([I, i]), np.concatenate([J, j]), np.concatenate([C, c])  # still in row order
        if top:
            sel = _top_candidates(I, C, top)
            I, J, C = I[sel], J[sel], C[sel]
    order = np.lexsort((J, I, -C))[:top or None]
    return [(people[I[o]], people[J[o]], int(C[o])) for o in order], total


def _top_candidates(i: Any, c: Any, top: int) -> Any:
    """Indices (ascending) of a superset of the top pairs by (-shared, row, column), for rows in order:
    every pair above the cut, and the ties at it up to the row that completes the top."""
    import numpy as np

    total = len(c)
    if top >= total:
        return np.arange(total)
    cut = np.partition(c, total - top)[total - top]
    above = np.flatnonzero(c > cut)
    ties = np.flatnonzero(c == cut)
    need = top - len(above)
    if 0 < need < len(ties):
        ties = ties[i[ties] <= i[ties[need - 1]]]
    return np.sort(np.concatenate([above, ties if need > 0 else ties[:0]]))


# ---------------------------------------------------------------------------- sentences
@dataclass
class _Sentence:
    persons: set[str] = field(default_factory=set)
    years: float | None = None
    date: str | None = None
    courts: set[str] = field(default_factory=set)
    judges: set[str] = field(default_factory=set)
    charges: set[str] = field(default_factory=set)


def _sentences(G: nx.Graph) -> dict[str, _Sentence]:
    """Sentence events found on sentenced_by, sentenced_in and conviction edges."""
    out: dict[str, _Sentence] = {}
    nodes = G.nodes
    for u, v, d in G.edges(data=True):
        rel = d.get("relation")
        if rel not in ("sentenced_by", "sentenced_in") and not (rel == "charged_under" and d.get("stage") == "conviction"):
            continue
        s = out.setdefault(d.get("event", f"{u} {v}"), _Sentence())
        s.persons.add(u)
        if d.get("years") is not None:
            s.years = float(d["years"])
        if d.get("date"):
            s.date = d["date"]
        c = nodes[v].get("class")
        if rel == "charged_under":
            s.charges.add(v)
        elif c == "Court":
            s.courts.add(v)
        elif c == "Judge":
            s.judges.add(v)
    return out


def judges(G: nx.Graph, *, kind: str = "both", top: int | None = None) -> Table:
    """Judges and courts ranked by the persons they sentenced, then by the total years imposed.

    A sentence counts for its court and presiding judge (or those of its verdict); a judge's
    ``court`` is the court(s) of the sentences they passed, most frequent first.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("j", label="Judge J", **{"class": "Judge"}); G.add_node("k", label="Court K", **{"class": "Court"})
    >>> for p, y in (("a", 5.0), ("b", 3.0)):
    ...     G.add_node(p, label=p, **{"class": "Person"})
    ...     for h in ("j", "k"):
    ...         _ = G.add_edge(p, h, relation="sentenced_by", event="s-" + p, years=y)
    >>> [(r["kind"], r["label"], r["court"], r["persons"], r["total_years"]) for r in judges(G).rows]
    [('court', 'Court K', None, 2, 8.0), ('judge', 'Judge J', 'Court K', 2, 8.0)]
    """
    if kind not in ("both", "judge", "court"):
        raise UsageError(f"--kind {kind}: use judge, court or both")
    sentences = _sentences(G)
    acc: dict[str, dict[str, Any]] = {}
    for e, s in sentences.items():
        for kd, heads in (("court", s.courts), ("judge", s.judges)):
            if kind not in ("both", kd):
                continue
            for h in heads:
                a = acc.setdefault(h, {"kind": kd, "persons": set(), "sentences": 0, "years": 0.0, "courts": Counter()})
                a["persons"] |= s.persons
                a["sentences"] += 1
                a["years"] += s.years or 0.0
                if kd == "judge":
                    a["courts"].update(s.courts)
    rows = []
    for h, a in acc.items():
        courts = sorted(a["courts"].items(), key=lambda kv: (-kv[1], _label(G, kv[0])))
        rows.append({"kind": a["kind"], "label": _label(G, h), "court": "; ".join(_label(G, c) for c, _ in courts) or None,
                     "persons": len(a["persons"]), "sentences": a["sentences"], "total_years": round(a["years"], 2),
                     "node": h})
    rows.sort(key=lambda r: (-r["persons"], -r["total_years"], r["kind"], r["label"], r["node"]))
    notes = {"sentences": len(sentences)}
    return Table("judges", ["rank", "kind", "label", "court", "persons", "sentences", "total_years"], _top(rows, top),
                 notes, ["node"])


def stats(G: nx.Graph, *, by: Sequence[str] = STATS_BY) -> Table:
    """Sentence years aggregated by court, judge, charge and year.

    A sentence counts once under each court, judge and offence it names (so the rows of one ``by``
    can add up to more than the total), and under "(none named)" when it names none; ``year`` is the
    year of its date. Only sentences the projection sees are counted: those naming a court, a judge,
    a place or an offence.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("k", label="Court K", **{"class": "Court"}); G.add_node("o", label="riot", **{"class": "Offence"})
    >>> _ = G.add_edge("a", "k", relation="sentenced_by", event="s1", years=5.0, date="2021-03")
    >>> _ = G.add_edge("b", "k", relation="sentenced_by", event="s2", years=3.0, date="2022")
    >>> _ = G.add_edge("b", "o", relation="charged_under", stage="conviction", event="s2", years=3.0, date="2022")
    >>> [(r["by"], r["label"], r["sentences"], r["total_years"]) for r in stats(G).rows]  # doctest: +NORMALIZE_WHITESPACE
    [('court', 'Court K', 2, 8.0), ('judge', '(none named)', 2, 8.0), ('charge', 'riot', 1, 3.0),
     ('charge', '(none named)', 1, 5.0), ('year', '2021', 1, 5.0), ('year', '2022', 1, 3.0)]
    """
    for b in by:
        if b not in STATS_BY:
            raise UsageError(f"--by {b}: use {', '.join(STATS_BY)}")
    sentences = _sentences(G)
    rows: list[dict[str, Any]] = []
    for b in by:
        groups: dict[str, list[_Sentence]] = defaultdict(list)
        for s in sentences.values():
            keys: Iterable[str] = {"court": s.courts, "judge": s.judges, "charge": s.charges}.get(b) or ()
            if b == "year":
                keys = [s.date[:4]] if s.date else []
            for key in keys or [""]:
                groups[key].append(s)
        part = []
        for key, ss in groups.items():
            ys = [s.years for s in ss if s.years is not None]
            label = ("(no date)" if b == "year" else "(none named)") if not key else key if b == "year" else _label(G, key)
            part.append({"by": b, "label": label, "sentences": len(ss), "persons": len(set().union(*(s.persons for s in ss))),
                         "total_years": round(sum(ys), 2), "mean_years": round(sum(ys) / len(ys), 2) if ys else None,
                         "max_years": max(ys) if ys else None, "key": key or None})
        if b == "year":
            part.sort(key=lambda r: (r["key"] is None, r["key"] or ""))
        else:
            part.sort(key=lambda r: (r["key"] is None, -r["sentences"], -r["total_years"], r["label"]))
        rows += part
    return Table("stats", ["by", "label", "sentences", "persons", "total_years", "mean_years", "max_years"], rows,
                 {"sentences": len(sentences)}, ["key"])


# ---------------------------------------------------------------------------- time
def as_of(G: nx.MultiDiGraph, day: str | dt.date) -> nx.MultiDiGraph:
    """The network as it stood on a day: the facts that had begun by then and not yet ended.

    Same as ``repnet.graph.network.project.view(G, as_of=day)``; undated facts are in every view.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("p", "round", relation="released_in", since="2025-12-13")
    >>> as_of(G, "2025-12-12").number_of_edges(), as_of(G, "2025-12-13").number_of_edges()
    (0, 1)
    """
    return view(G, as_of=day)


def _holds(d: dict[str, Any], day: str) -> bool:
    since, until = d.get("since"), d.get("until")
    return (since is None or since <= day) and (until is None or until >= day)


def diff(G: nx.MultiDiGraph, start: str | dt.date, end: str | dt.date,
         periods: dict[str, list[dict[str, Any]]] | None = None) -> Table:
    """Who changed between two days: released, added to the network, removed from it, or changed.

    Compares the views as of ``start`` and as of ``end`` (see :func:`as_of`), person by person:
    ``released`` when the person's status ``periods`` (person -> periods, as
    :func:`repnet.graph.ask.status.stored_periods` reads them from the store) put them in custody (or nowhere) on the first day and
    released or in exile, by a release between the days, on the second (a release later reversed by a
    return to custody is not one);
    else ``added`` when the person had no fact as of ``start``; ``removed`` when none is left as of
    ``end``; ``changed`` otherwise (a judge who sentenced someone new, for example). ``gained`` and
    ``lost`` list the facts that began or ended; ``<- relation X`` is a fact of X's that points at the
    person (``<- sentenced_by X``: the person, a judge, sentenced X).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, c in (("p", "Person"), ("q", "Person"), ("r", "ReleaseRound"), ("k", "Court")):
    ...     G.add_node(n, label=n.upper(), **{"class": c})
    >>> _ = G.add_edge("p", "k", relation="sentenced_by", date="2020-05", since="2020-05-31")
    >>> _ = G.add_edge("p", "r", relation="released_in", date="2025-12-13", since="2025-12-13")
    >>> _ = G.add_edge("q", "k", relation="sentenced_by", date="2025-10", since="2025-10-31")
    >>> day = dict.fromkeys(("lo", "first", "last", "end_lo", "end_hi", "until", "last_known"))
    >>> periods = {"p": [{**day, "status": "held", "since": "2020-05", "lo": "2020-05-01", "first": "2020-05-31",
    ...                   "last": "2025-12-12", "end_lo": "2025-12-13", "end_hi": "2025-12-13", "intermittent": False},
    ...                  {**day, "status": "in-exile", "since": "2025-12-13", "lo": "2025-12-13", "first": "2025-12-13",
    ...                   "last": "2025-12-13", "intermittent": False}]}
    >>> [(r["label"], r["change"], r["date"], r["gained"]) for r in diff(G, "2025-09-01", "2025-12-31", periods).rows]
    [('P', 'released', '2025-12-13', 'released_in R'), ('Q', 'added', '2025-10', 'sentenced_by K')]
    """
    d1 = _parse_day(start, "--from")
    d2 = _parse_day(end, "--to")
    assert d1 is not None and d2 is not None
    if d1 > d2:
        raise UsageError(f"--from {d1} is after --to {d2}")
    present1: set[str] = set()
    present2: set[str] = set()
    gained: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)  # person -> (since, relation, other, date as stated)
    lost: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    released: dict[str, str] = {}  # person -> the release's date as stated
    nodes = G.nodes
    for p, ps in (periods or {}).items():
        # released: the person's status periods (graph/status.py) put them held, or nowhere, on the
        # first day and released or in exile on the second, by a release between the two days. A
        # release followed by a return to custody is not a release here.
        if p not in nodes or nodes[p].get("class") not in PERSON_CLASSES:
            continue
        on1, on2 = status_at(ps, d1), status_at(ps, d2)
        if on2 is not None and on2[0] != HELD and (on1 is None or on1[0] == HELD):
            began = on2[2]["lo"]  # a release with a stated date: an observation of "released" says not when
            if began is not None and began > d1:
                released[p] = on2[2]["since"] or ""
    for u, v, d in G.edges(data=True):
        h1, h2 = _holds(d, d1), _holds(d, d2)
        for p, other in ((u, v), (v, u)):
            if nodes[p].get("class") not in PERSON_CLASSES:
                continue
            if h1:
                present1.add(p)
            if h2:
                present2.add(p)
            rel = d.get("relation", "") if p == u else f"<- {d.get('relation', '')}"  # a fact pointing at p
            if h2 and not h1:
                gained[p].append((d.get("since", ""), rel, _label(G, other), d.get("date", "")))
            elif h1 and not h2:
                lost[p].append((d.get("until", ""), rel, _label(G, other), d.get("end_date", "")))
    rows = []
    for p in sorted(set(gained) | set(lost) | set(released)):
        g, lo = sorted(gained.get(p, [])), sorted(lost.get(p, []))
        if p in released:
            change = "released"
        elif p not in present1:
            change = "added"
        elif p not in present2:
            change = "removed"
        else:
            change = "changed"
        # the date as its source states it ("2025-09"), never the day bound it is compared by
        dated = sorted([(s, t) for s, _, _, t in g if s] + [(u, t) for u, _, _, t in lo if u])
        when = released[p] if p in released else (dated[0][1] or None) if dated else None
        rows.append({"label": _label(G, p), "class": _cls(G, p), "change": change, "date": when or None,
                     "gained": "; ".join(f"{rel} {o}" for _, rel, o, _ in g) or None,
                     "lost": "; ".join(f"{rel} {o}" for _, rel, o, _ in lo) or None, "node": p})
    order = {"released": 0, "added": 1, "removed": 2, "changed": 3}
    rows.sort(key=lambda r: (order[r["change"]], r["date"] or "", r["label"], r["node"]))
    counts = Counter(r["change"] for r in rows)
    notes: dict[str, Any] = {"from": d1, "to": d2, **{c: counts.get(c, 0) for c in order}}
    return Table("diff", ["label", "class", "change", "date", "gained", "lost"], rows, notes, ["node"])


__all__ = ["Table", "undirected", "centrality", "partition", "communities", "brokers", "shortest_paths", "paths",
           "ego_network", "ego", "shared", "judges", "stats", "as_of", "diff", "NODE_CLASSES", "SHARED_KINDS",
           "STATS_BY", "EXACT_BETWEENNESS_MAX_NODES", "BETWEENNESS_SAMPLES", "BETWEENNESS_SAMPLES_RANGE", "betweenness",
           "betweenness_samples"]
