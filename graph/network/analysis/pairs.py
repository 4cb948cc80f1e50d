"""Bipartite projection: pairs of persons who share a case, judge, court, facility or another
entity (:func:`shared`).

Shared entities are counted with a sparse matrix product, block by block (:func:`top_pairs`); a
projection of more than :data:`SHARED_MAX_PAIRS` candidate pairs is refused (give one person instead).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import networkx as nx

from ...errors import UsageError
from ...runtime import with_collector_paused
from ..project import PERSON_CLASSES
from .common import Table, curie, label_of, ranked

SHARED_MAX_PAIRS = 60_000_000
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


def person_groups(G: nx.Graph, kinds: Sequence[str]) -> dict[str, set[str]]:
    """Shared entity (or case) -> the persons linked to it, for the chosen kinds."""
    for kind in kinds:
        if kind not in SHARED_KINDS:
            raise UsageError(f"kinds={kind!r}: use {', '.join(SHARED_KINDS)}", argument="kinds")
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


@with_collector_paused
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
        raise UsageError("min_shared must be 1 or more", argument="min_shared")
    groups = person_groups(G, by)
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
        chosen, total = top_pairs(groups, min_shared, top)
        notes["pairs"] = total
    index: dict[str, set[str]] = defaultdict(set)
    want = {p for a, b, _ in chosen for p in (a, b)}
    for g, ps in groups.items():
        for p in ps & want:
            index[p].add(g)
    rows = []
    for a, b, c in chosen:
        common = sorted(index[a] & index[b], key=lambda g: (label_of(G, g) if g in G else g))
        rows.append({"person_a": label_of(G, a), "person_b": label_of(G, b), "shared": c,
                     "via": "; ".join((label_of(G, g) if g in G else curie(g)) for g in common[:5])
                     + (f"; (+{len(common) - 5})" if len(common) > 5 else ""),
                     "node_a": a, "node_b": b})
    return Table("shared", columns, ranked(rows, None), notes, ["node_a", "node_b"])


def top_pairs(groups: dict[str, set[str]], min_shared: int, top: int | None,
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
    rows_i, cols_j, counts = empty, empty, empty.astype(np.int32)
    total = 0
    for r0 in range(0, len(people), block):
        coo = sp.csr_array(B[r0:r0 + block] @ BT).tocoo()  # rows in order; columns within a row in no particular order
        i = coo.row.astype(np.int64) + r0
        keep = (i < coo.col) & (coo.data >= min_shared)  # each pair once (scipy's triu is far slower)
        i, j, c = i[keep], coo.col[keep].astype(np.int64), coo.data[keep]
        total += int(len(c))
        rows_i, cols_j, counts = np.concatenate([rows_i, i]), np.concatenate([cols_j, j]), np.concatenate([counts, c])  # still in row order
        if top:
            sel = _top_candidates(rows_i, counts, top)
            rows_i, cols_j, counts = rows_i[sel], cols_j[sel], counts[sel]
    order = np.lexsort((cols_j, rows_i, -counts))[:top or None]
    return [(people[rows_i[o]], people[cols_j[o]], int(counts[o])) for o in order], total


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

