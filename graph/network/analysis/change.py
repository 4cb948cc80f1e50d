"""Change over time: the network as of a day (:func:`as_of`) and who changed between two days
(:func:`diff`), releases read from the status periods of :mod:`repnet.graph.ask.status`."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from ...ask.status import HELD, status_at
from ...dates import parse_day
from ...errors import UsageError
from ...runtime import with_collector_paused
from ..project import PERSON_CLASSES, view
from .common import Table, class_of, label_of


@with_collector_paused
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


@with_collector_paused
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
    d1 = parse_day(start, "start")
    d2 = parse_day(end, "end")
    assert d1 is not None and d2 is not None
    if d1 > d2:
        raise UsageError(f"start {d1} is after end {d2}", argument="start,end")
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
                gained[p].append((d.get("since", ""), rel, label_of(G, other), d.get("date", "")))
            elif h1 and not h2:
                lost[p].append((d.get("until", ""), rel, label_of(G, other), d.get("end_date", "")))
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
        rows.append({"label": label_of(G, p), "class": class_of(G, p), "change": change, "date": when or None,
                     "gained": "; ".join(f"{rel} {o}" for _, rel, o, _ in g) or None,
                     "lost": "; ".join(f"{rel} {o}" for _, rel, o, _ in lo) or None, "node": p})
    order = {"released": 0, "added": 1, "removed": 2, "changed": 3}
    rows.sort(key=lambda r: (order[str(r["change"])], r["date"] or "", r["label"], r["node"]))
    counts = Counter(r["change"] for r in rows)
    notes: dict[str, Any] = {"from": d1, "to": d2, **{c: counts.get(c, 0) for c in order}}
    return Table("diff", ["label", "class", "change", "date", "gained", "lost"], rows, notes, ["node"])
