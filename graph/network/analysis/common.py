"""What every analysis shares: the :class:`Table` it returns, the undirected graph beneath a
projection (:func:`undirected`) and the links of one node in it without building it
(:func:`linked`, :func:`distances`), and small helpers for labels, classes, ranks and rounding."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ...errors import UsageError
from ...output import render
from ...runtime import with_collector_paused
from ...terms import to_json
from ..project import check_view

DEFAULT_SEED = 42  # the seed of every randomized analysis (betweenness samples, Louvain)


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
        """The notes, one ``name: value`` line each."""
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
    """A cell as a table shows it: floats to four places (or significant digits), IRIs without their base."""
    if isinstance(v, float):
        return f"{v:.4g}" if v and abs(v) < 0.001 else f"{v:.4f}".rstrip("0").rstrip(".") if v % 1 else f"{v:.0f}"
    if isinstance(v, str) and re.match(r"^https?://", v):
        return curie(v)
    return v


def curie(iri: str) -> str:
    """A data IRI without its base: '.../id/person/marfa-rabkova' -> 'person/marfa-rabkova'."""
    return iri.split("/id/", 1)[1] if "/id/" in iri else iri


def significant(x: float, digits: int = 6) -> float:
    """``x`` rounded to ``digits`` significant digits: significant(0.123456789) -> 0.123457."""
    return float(f"{x:.{digits}g}")


@with_collector_paused
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


def linked(G: nx.Graph, v: str) -> list[str]:
    """The nodes linked to ``v`` by a fact either way, ``v`` itself excepted: its neighbours in
    :func:`undirected` ``(G)``, read from ``G`` without building that graph (heads, then tails).

    >>> G = nx.MultiDiGraph([("a", "b"), ("c", "a"), ("a", "a"), ("b", "a")])
    >>> linked(G, "a")
    ['b', 'c']
    """
    out = dict.fromkeys(G.adj[v])
    if G.is_directed():
        out.update(dict.fromkeys(G.pred[v]))
    out.pop(v, None)
    return list(out)


def distances(G: nx.Graph, source: str, cutoff: int | None = None, until: str | None = None) -> dict[str, int]:
    """Links from ``source`` to each node within ``cutoff`` of it (direction ignored), nearest
    first: ``networkx.single_source_shortest_path_length(undirected(G), source, cutoff)``, found
    from ``source`` outwards, so a question about one entity costs its neighbourhood, not the graph
    (building :func:`undirected` took 1.2 s at 100,000 persons). With ``until``, the search stops
    once the level that holds that node is complete: every node nearer than it is there.

    >>> G = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("c", "d")])
    >>> distances(G, "a")
    {'a': 0, 'b': 1, 'c': 2, 'd': 3}
    >>> distances(G, "a", cutoff=1), distances(G, "b", until="c")
    ({'a': 0, 'b': 1}, {'b': 0, 'a': 1, 'c': 1})
    """
    if source not in G:
        raise nx.NodeNotFound(f"Source {source} is not in G")
    dist, level, levels = {source: 0}, 0, _levels(G, source)
    while until not in dist and (cutoff is None or level < cutoff):
        nodes = next(levels, None)
        if nodes is None:
            break
        level += 1
        dist.update(dict.fromkeys(nodes, level))
    return dist


def _levels(G: nx.Graph, source: str) -> Iterator[list[str]]:
    """The nodes 1, 2, ... links away from ``source`` (direction ignored), a list per level."""
    seen, frontier = {source}, [source]
    while frontier:
        nxt = []
        for v in frontier:
            for u in linked(G, v):
                if u not in seen:
                    seen.add(u)
                    nxt.append(u)
        if nxt:
            yield nxt
        frontier = nxt


def label_of(G: nx.Graph, n: str) -> str:
    """The node's ``label`` (its id when it has none)."""
    return str(G.nodes[n].get("label", n))


def class_of(G: nx.Graph, n: str) -> str:
    """The node's ``class`` ("" when it has none)."""
    return str(G.nodes[n].get("class", ""))


def class_filter(classes: Collection[str] | None) -> set[str] | None:
    """The classes to report as a set, None for all; a UsageError for an unknown class."""
    check_view(classes=classes)
    return set(classes) if classes else None


def ranked(rows: list[dict[str, Any]], top: int | None) -> list[dict[str, Any]]:
    """The first ``top`` rows (all when None), each given its ``rank`` from 1."""
    rows = rows[:top] if top else rows
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


