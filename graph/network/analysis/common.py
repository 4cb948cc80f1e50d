"""What every analysis shares: the :class:`Table` it returns, the undirected graph beneath a
projection (:func:`undirected`), and small helpers for labels, classes, ranks and rounding."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ...errors import UsageError
from ...output import render
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


