"""The overview of a view too large to draw whole: groups of entities, the links between them, and
which members a page carries for opening a group in place (drill-down).

:func:`grouping` assigns every entity to a group: its Louvain community (the partition ``repnet
analyze communities`` computes, :func:`repnet.graph.network.analysis.louvain.partition`), or the
court, facility, organization or release round it is linked to (the most specific one: fewest
relations), or its class. :func:`overview` counts each group's members by class, its most central
members and the courts and facilities its members are linked to, and links the groups by the
relations between their members (how many relations, how many distinct persons, how many
sentence-years). At most :data:`MAX_GROUPS` groups are drawn: the smallest are put together in one
"N more" group, so nothing is silently dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..errors import UsageError
from ..network.analysis.louvain import partition
from ..network.project import PERSON_CLASSES

GROUPINGS = {"community": None, "class": None, "court": "Court", "facility": "Facility",
             "organization": "Organization", "release-round": "ReleaseRound"}
"""Group by: Louvain community, class, or the linked entity of a class (``--group-by``)."""
MAX_GROUPS = 300
"""At most this many groups are drawn; the smallest beyond them are drawn as one "N more" group."""
TOP_MEMBERS = 3
"""How many of a group's most central members, courts and facilities the page names."""


@dataclass
class Group:
    """One drawn group: its label, members (most central first) and what they are linked to."""

    key: Hashable
    label: str
    members: list[Any] = field(default_factory=list)
    classes: Counter[str] = field(default_factory=Counter)
    courts: Counter[str] = field(default_factory=Counter)
    facilities: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    years: float = 0.0
    merged: int = 0  # how many small groups this "N more" group stands for (0: an ordinary group)


@dataclass
class Overview:
    """The groups (largest first), each entity's group index, and the weighted links between groups."""

    by: str
    groups: list[Group]
    of: dict[Any, int]
    links: dict[tuple[int, int], dict[str, float]]


def grouping(G: nx.MultiDiGraph, by: str = "community") -> dict[Any, Hashable]:
    """Each entity's group key for a grouping of :data:`GROUPINGS`.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("p", {"class": "Person"}), ("c", {"class": "Court"}), ("j", {"class": "Judge"})])
    >>> _ = G.add_edges_from([("p", "c"), ("p", "j")])
    >>> sorted(grouping(G, "court").items())
    [('c', 'c'), ('j', ('class', 'Judge')), ('p', 'c')]
    """
    if by not in GROUPINGS:
        raise UsageError(f"unknown grouping '{by}'. Groupings: {', '.join(GROUPINGS)}", argument="group_by")
    if by == "community":
        comms, _ = partition(G)
        return {n: i for i, c in enumerate(comms) for n in c}
    if by == "class":
        return {n: ("class", str(G.nodes[n].get("class", "Unknown"))) for n in G}
    target = GROUPINGS[by]
    out: dict[Any, Hashable] = {}
    for n in G:
        cls = G.nodes[n].get("class")
        if cls == target:
            out[n] = n
            continue
        linked = [w for w in nx.all_neighbors(G, n) if G.nodes[w].get("class") == target]
        # the most specific: the linked entity with the fewest relations (a colony rather than a region)
        out[n] = min(linked, key=lambda w: (G.degree(w), str(w))) if linked else ("class", str(cls or "Unknown"))
    return out


def overview(G: nx.MultiDiGraph, scores: dict[Any, float], by: str = "community",
             max_groups: int = MAX_GROUPS) -> Overview:
    """The groups of ``G`` by ``by`` (at most ``max_groups``, the smallest merged into one "N more"
    group) and the links between them.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("p", {"class": "Person"}), ("q", {"class": "Person"}), ("c", {"class": "Court", "label": "C"}),
    ...                   ("d", {"class": "Court", "label": "D"})])
    >>> _ = G.add_edges_from([("p", "c", {"years": 2.0}), ("q", "d", {"years": 3.0}), ("p", "q", {})])
    >>> o = overview(G, {"c": 2, "d": 2, "p": 1, "q": 1}, "court")
    >>> [(g.label, g.members, g.persons, g.years) for g in o.groups], o.links
    ([('C', ['c', 'p'], 1, 2.0), ('D', ['d', 'q'], 1, 3.0)], {(0, 1): {'n': 1, 'p': 2, 'y': 0.0}})
    """
    keys = grouping(G, by)
    members: dict[Hashable, list[Any]] = defaultdict(list)
    for n in G:
        members[keys[n]].append(n)
    order = sorted(members, key=lambda k: (-len(members[k]), str(k)))
    kept, rest = (order, []) if len(order) <= max_groups else (order[: max_groups - 1], order[max_groups - 1:])
    groups = [Group(k, "") for k in kept]
    if rest:
        groups.append(Group(("more",), "", merged=len(rest)))
    index = {k: i for i, k in enumerate(kept)}
    of = {n: index.get(keys[n], len(groups) - 1) for n in G}
    for g in groups:
        g.members = []
    for n in sorted(G, key=lambda n: (-scores.get(n, 0.0), str(n))):
        g = groups[of[n]]
        g.members.append(n)
        cls = str(G.nodes[n].get("class", "Unknown"))
        g.classes[cls] += 1
        if cls in PERSON_CLASSES:
            g.persons += 1
    links: dict[tuple[int, int], dict[str, float]] = {}
    persons: dict[tuple[int, int], set[Any]] = defaultdict(set)
    for u, w, d in G.edges(data=True):
        gu, gw = of[u], of[w]
        for a, b in ((u, w), (w, u)):  # what a group's members are linked to
            cls = G.nodes[b].get("class")
            if cls == "Court":
                groups[of[a]].courts[b] += 1
            elif cls == "Facility":
                groups[of[a]].facilities[b] += 1
        years = float(d.get("years") or 0.0) if d.get("relation", "sentenced_by") == "sentenced_by" else 0.0
        groups[gu].years += years
        if gu == gw:
            continue
        pair = (gu, gw) if gu < gw else (gw, gu)
        rec = links.setdefault(pair, {"n": 0, "p": 0, "y": 0.0})
        rec["n"] += 1
        rec["y"] += years
        persons[pair].update(x for x in (u, w) if G.nodes[x].get("class") in PERSON_CLASSES)
    for pair, ps in persons.items():
        links[pair]["p"] = len(ps)
    for g in groups:
        g.label = group_label(G, g, by)
    return Overview(by, groups, of, links)


def group_label(G: nx.MultiDiGraph, g: Group, by: str) -> str:
    """What a group is called: the entity it is grouped by, its class, or its most central member."""
    if g.merged:
        return f"{g.merged:,} more small groups"
    key = g.key
    if isinstance(key, tuple) and key and key[0] == "class":
        return f"{key[1]} (no {by.replace('-', ' ')})" if by != "class" else str(key[1])
    if by != "community" and key in G:
        return str(G.nodes[key].get("label", key))
    head = str(G.nodes[g.members[0]].get("label", g.members[0])) if g.members else "?"
    return f"Community of {head}"


def top_labels(G: nx.MultiDiGraph, counts: Counter[str], k: int = TOP_MEMBERS) -> list[list[Any]]:
    """The ``k`` most frequent entities of ``counts`` as ``[label, count]`` pairs.

    >>> top_labels(nx.MultiDiGraph([("a", "b")]), Counter({"a": 3, "b": 5}), 1)
    [['b', 5]]
    """
    return [[str(G.nodes[n].get("label", n)), c] for n, c in sorted(counts.items(), key=lambda x: (-x[1], str(x[0])))[:k]]
