"""Sentences: judges and courts ranked by the persons they sentenced (:func:`judges`), and
sentence years aggregated by court, judge, charge and year (:func:`stats`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ...errors import UsageError
from ...runtime import with_collector_paused
from .common import Table, label_of, ranked

STATS_BY = ("court", "judge", "charge", "year")


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


@with_collector_paused
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
        raise UsageError(f"kind={kind!r}: use judge, court or both", argument="kind")
    sentences = _sentences(G)
    acc: dict[str, dict[str, Any]] = {}
    for s in sentences.values():
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
        courts = sorted(a["courts"].items(), key=lambda kv: (-kv[1], label_of(G, kv[0])))
        rows.append({"kind": a["kind"], "label": label_of(G, h), "court": "; ".join(label_of(G, c) for c, _ in courts) or None,
                     "persons": len(a["persons"]), "sentences": a["sentences"], "total_years": round(a["years"], 2),
                     "node": h})
    rows.sort(key=lambda r: (-r["persons"], -r["total_years"], r["kind"], r["label"], r["node"]))
    notes = {"sentences": len(sentences)}
    return Table("judges", ["rank", "kind", "label", "court", "persons", "sentences", "total_years"], ranked(rows, top),
                 notes, ["node"])


@with_collector_paused
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
            raise UsageError(f"by={b!r}: use {', '.join(STATS_BY)}", argument="by")
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
        part: list[dict[str, Any]] = []
        for key, ss in groups.items():
            ys = [s.years for s in ss if s.years is not None]
            label = ("(no date)" if b == "year" else "(none named)") if not key else key if b == "year" else label_of(G, key)
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

