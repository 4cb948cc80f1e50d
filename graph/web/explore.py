"""The live explorer's data (``/explore`` under `repnet serve`): name search and one entity's neighbourhood, as JSON.

Run by a query worker (:mod:`repnet.graph.web.worker`) under the endpoint's limits, on the graphs
the endpoint serves (public ones unless it was started with restricted graphs visible):

* :func:`search` -- entities whose preferred label or any name variant matches what was typed,
  through the one name folding of :mod:`repnet.graph.names` (case, diacritics, script,
  romanisation, Russian or Belarusian form, name order): exact folded names first, then names
  sharing a name key, then names with a word that starts with what was typed, names that contain
  it, and last names whose words start with the typed words' skeletons (``Лойка`` finds Nasta
  Loika, ``Kolesnikova`` Maria Kalesnikava).
* :func:`neighbours` -- an entity and the entities one step away in the projected network, in the
  offline page's data shape (:func:`repnet.graph.viz.data.page_data`: nodes with facts, statuses
  and sources, edges with dates and sources), cut to ``limit`` neighbours (the most central kept)
  with ``more``, how many were left out.

The worker keeps the name index and the projection (:func:`repnet.graph.network.project.network`,
read from the cache ``repnet analyze`` and ``repnet viz`` fill) for the store generation it has
open; a rebuild swaps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..ask.query import NAME_LABELS, NameIndex
from ..names import fold, name_keys, skeleton
from ..store.base import Store
from ..viz.style import node_class

SEARCH_LIMIT = 20
"""Search results by default (``limit`` may ask for up to :data:`MAX_SEARCH_LIMIT`)."""
MAX_SEARCH_LIMIT = 100
NEIGHBOUR_LIMIT = 60
"""Neighbours drawn per expansion by default (``limit`` may ask for up to :data:`MAX_NEIGHBOUR_LIMIT`)."""
MAX_NEIGHBOUR_LIMIT = 500
MAX_Q = 200
"""The longest search text, in characters."""
IRI = re.compile(r"^(https?://|urn:)[^\s<>\"{}|\\^`]+$")


class ExploreError(Exception):
    """A request the explorer refuses: ``status`` (400, 404) and a message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Explorer:
    """What the explorer keeps for one store generation: the name index and the projection."""

    store: Store
    restricted: bool
    _names: NameIndex | None = None
    _graph: nx.MultiDiGraph | None = None
    _written: list[tuple[str, str, str]] = field(default_factory=list)  # (folded name, name as written, IRI)

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            idx = NameIndex()
            for row in self.store.query(NAME_LABELS % "FILTER(isIRI(?e))"):
                iri, label = row["e"].value, row["label"].value
                idx.add(iri, label, row["pref"].value == "true")
                self._written.append((fold(label), label, iri))
            self._written.sort()
            self._names = idx
        return self._names

    @property
    def written(self) -> list[tuple[str, str, str]]:
        """Every name and name variant: (folded, as written, IRI), sorted."""
        self.names  # noqa: B018 - reads them
        return self._written

    @property
    def named(self) -> set[str]:
        """The entities that have a name."""
        return set(self.names.preferred) | {i for _, _, i in self.written}

    @property
    def graph(self) -> nx.MultiDiGraph:
        if self._graph is None:
            from ..network.project import network

            self._graph = network(self.store, restricted=self.restricted)
        return self._graph

    def label(self, iri: str) -> str:
        d = self.graph.nodes.get(iri) if iri in self.graph else None
        return str((d or {}).get("label") or self.names.preferred.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1])


def search(ex: Explorer, q: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """The entities ``q`` names: ``{q, results: [{id, l: label, c: class, m: the name that matched,
    deg: relations in the network}], more: results left out}``, best first."""
    text = fold(q)
    if len(text) < 2:
        raise ExploreError(400, "type at least two letters to search")
    rank: dict[str, tuple[int, str]] = {}  # IRI -> (rank, the name that matched, as written)

    def hit(iri: str, r: int, name: str) -> None:
        if iri not in rank or rank[iri][0] > r:
            rank[iri] = (r, name)

    keys, words = name_keys(q), [w for w in skeleton(q).split() if len(w) >= 2]
    for name, written, iri in ex.written:
        if name == text:
            hit(iri, 0, written)
        elif keys & name_keys(written):
            hit(iri, 1, written)
        elif name.startswith(text) or any(w.startswith(text) for w in name.split()):
            hit(iri, 2, written)
        elif text in name:
            hit(iri, 3, written)
        elif words and all(any(w.startswith(x) for w in skeleton(written).split()) for x in words):
            hit(iri, 4, written)  # every word typed starts a word of the name, in any script or spelling
    G = ex.graph
    ordered = sorted(rank, key=lambda i: (rank[i][0], -(G.degree(i) if i in G else 0), ex.label(i).lower(), i))
    results = []
    for iri in ordered[:limit]:
        d = G.nodes[iri] if iri in G else {}
        results.append({"id": iri, "l": ex.label(iri), "c": node_class(d.get("class")),
                        "m": rank[iri][1], "deg": G.degree(iri) if iri in G else 0})
    return {"q": q, "results": results, "more": max(0, len(ordered) - limit)}


def neighbours(ex: Explorer, iri: str, limit: int = NEIGHBOUR_LIMIT, base: str = "") -> dict[str, Any]:
    """An entity and its neighbours in the offline page's data shape (see :func:`search` and
    :func:`repnet.graph.viz.data.page_data`), plus ``center`` (the entity's index), ``more``
    (neighbours left out), ``total`` (all its neighbours) and per node ``all`` (its relations in the
    whole network) and ``page`` (the path of its entity page on this server, when it has one)."""
    from ..viz.data import page_data
    from ..viz.view import View

    if not IRI.match(iri):
        raise ExploreError(400, "iri is not an IRI (http://, https:// or urn:)")
    G = ex.graph
    if iri in G:
        H = nx.MultiDiGraph(G.subgraph({iri, *G.successors(iri), *G.predecessors(iri)}))
        # only the entity's own relations, not those among its neighbours
        H.remove_edges_from([(u, w, k) for u, w, k in list(H.edges(keys=True)) if iri not in (u, w)])
    elif iri in ex.named:
        H = nx.MultiDiGraph()
        H.add_node(iri, label=ex.label(iri))
    else:
        raise ExploreError(404, f"no entity <{iri}> in the graphs this endpoint serves")
    total = H.number_of_nodes() - 1
    v = View(H, ex.label(iri), focus=[iri], restricted=ex.restricted)
    data, drawn = page_data(ex.store, v, max_nodes=limit + 1, max_edges=max(10 * limit, 100), group_by=None)
    for rec in data["nodes"]:
        n = rec["id"]
        rec["all"] = G.degree(n) if n in G else 0
        if base and n.startswith(base):
            rec["page"] = "/" + n[len(base):]
    for rec, (u, w, k) in zip(data["edges"], drawn.edges(keys=True), strict=True):
        rec["id"] = f"{u} {w} {k}"
    shown = drawn.number_of_nodes() - 1
    data["center"] = next(i for i, rec in enumerate(data["nodes"]) if rec["id"] == iri)
    data["total"], data["more"] = total, total - shown
    for key in ("fold", "generated", "options", "physics", "dates"):
        data.pop(key, None)
    if data["more"]:
        data["notes"] = [f"{shown:,} of {total:,} neighbours drawn (the most central); {data['more']:,} more. "
                         f"To see them all: repnet viz --focus '{iri}' --radius 1 --max-nodes {total + 1}"]
    return data
