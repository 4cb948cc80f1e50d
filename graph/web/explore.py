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

* :func:`flow` -- the flow of persons from arrest or detention to release
  (:mod:`repnet.graph.viz.flow`) over the whole store, for a date range and through any entity
  (an entity of a stage: its persons; any other entity: the persons linked to it);
* :func:`chart` -- persons held, sentenced and released per month (:func:`repnet.graph.viz.chart.monthly`).
* :func:`overview` -- the whole network's groups (Louvain communities or another grouping of
  :data:`repnet.graph.viz.groups.GROUPINGS`), described and linked as the offline overview does
  (:func:`repnet.graph.viz.data.group_summary`), and :func:`group`, one group's most central
  members in the neighbours' data shape, for opening it in place.

:func:`neighbours` takes the page's filters: ``as_of`` (the relations that held on that day, as
``repnet viz --as-of`` cuts them), ``classes`` and ``relations`` (only neighbours of those classes,
through those relations), so a limited expansion spends its limit on what is asked for.

The worker keeps the name index and the projection (:func:`repnet.graph.network.project.network`,
read from the cache ``repnet analyze`` and ``repnet viz`` fill) for the store generation it has
open; a rebuild swaps them. :meth:`Explorer.warm` reads them before the worker takes its first
request (`repnet serve` starts its workers warm), so no visitor waits for them; the flow's paths,
the chart's months and the overview's groups by community are read then too (the groups kept in
the cache folder ``overview``); the other groupings are computed on their first request and kept.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ..ask.query import NAME_LABELS, NameIndex
from ..dates import parse_day
from ..errors import RepnetError
from ..names import fold, name_keys, skeleton
from ..network.project import NODE_CLASSES, RELATIONS
from ..store.base import Store
from ..viz.style import node_class

SEARCH_LIMIT = 20
"""Search results by default (``limit`` may ask for up to :data:`MAX_SEARCH_LIMIT`)."""
MAX_SEARCH_LIMIT = 100
NEIGHBOUR_LIMIT = 60
"""Neighbours drawn per expansion by default (``limit`` may ask for up to :data:`MAX_NEIGHBOUR_LIMIT`)."""
MAX_NEIGHBOUR_LIMIT = 500
GROUP_LIMIT = 60
"""Members drawn when a group is opened by default (``limit`` may ask for up to :data:`MAX_GROUP_LIMIT`)."""
MAX_GROUP_LIMIT = 500
MAX_Q = 200
"""The longest search text, in characters."""
IRI = re.compile(r"^(https?://|urn:)[^\s<>\"{}|\\^`]+$")


CACHED = ("_names", "_written", "_words", "_skeletons", "_keyed", "_blob", "_starts")
"""What :meth:`Explorer.warm` keeps in the cache."""


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
    _words: list[tuple[str, int]] = field(default_factory=list)  # (a word of a folded name, index in _written), sorted
    _skeletons: list[tuple[str, int]] = field(default_factory=list)  # (a skeleton word of a name, index), sorted
    _keyed: dict[str, list[int]] = field(default_factory=dict)  # name key -> indexes
    _blob: str = ""  # every folded name, one a line, for finding a text inside names at C speed
    _starts: list[int] = field(default_factory=list)  # where each name begins in _blob
    _degree: dict[str, int] | None = None
    _sources: dict[str, dict[str, Any]] | None = None
    _paths: Any = None
    _chart: dict[str, Any] | None = None
    _overviews: dict[str, Any] = field(default_factory=dict)  # grouping -> repnet.graph.viz.groups.Overview
    _arrays: dict[str, Any] | None = None
    _summaries: dict[str, dict[str, Any]] = field(default_factory=dict)  # grouping -> overview()'s answer

    def warm(self) -> None:
        """Read the name index, the projection, the flow's paths, the chart's months and the
        overview's groups by community now (a worker does before its first request). The name index is kept per store generation in the
        cache folder ``explore`` beside the projections' (:func:`repnet.graph.network.project.cache_file`;
        the projection, the paths and the months have their own), so the next worker, or the next
        `repnet serve` of the same store, reads it back instead."""
        from ..network.project import cache_file, read_cache, save_cache

        here = Path(__file__).resolve().parent.parent
        code = [here / "web" / "explore.py", here / "ask" / "query.py", here / "names.py"]
        path = cache_file(self.store, self.restricted, "explore", code)
        cached = read_cache(path)
        if isinstance(cached, dict) and set(cached) == set(CACHED):
            for k in CACHED:
                setattr(self, k, cached[k])
        self.names  # noqa: B018 - reads them
        self.degree  # noqa: B018
        self.arrays()
        self.paths.through("")  # the flow's indexes and the whole flow, asked for first
        self.paths.dated(None, None)
        flow(self)
        self.sources  # noqa: B018
        if path is not None and cached is None:
            save_cache(path, {k: getattr(self, k) for k in CACHED})
        # the overview's groups by community (Louvain: seconds at 100,000 persons), kept beside them
        viz = here / "viz"
        opath = cache_file(self.store, self.restricted, "overview",
                           [*code, viz / "groups.py", viz / "rank.py", here / "network" / "analysis" / "louvain.py"])
        kept = read_cache(opath)
        if isinstance(kept, dict) and "community" in kept:
            self._overviews.update(kept)
        else:
            self.overview("community")
            if opath is not None:
                save_cache(opath, {"community": self._overviews["community"]})
        overview(self, "community")  # and what the overview tab reads first
        if self.degree:  # and the code an expansion runs (its first run imports and compiles for a second)
            neighbours(self, min(self.degree, key=lambda n: (self.degree[n], n)), limit=5)

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            idx = NameIndex()
            for row in self.store.query(NAME_LABELS % "FILTER(isIRI(?e))"):
                iri, label = row["e"].value, row["label"].value
                idx.add(iri, label, row["pref"].value == "true")
                self._written.append((fold(label), label, iri))
            self._written = sorted(set(self._written))
            for i, (name, written, _) in enumerate(self._written):
                self._words.extend((w, i) for w in set(name.split()))
                self._skeletons.extend((w, i) for w in set(skeleton(written).split()))
                for key in name_keys(written):
                    self._keyed.setdefault(key, []).append(i)
            self._words.sort()
            self._skeletons.sort()
            self._starts = [0]
            for name, _, _ in self._written:
                self._starts.append(self._starts[-1] + len(name) + 1)
            self._blob = "\n".join(name for name, _, _ in self._written)
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

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        """The sources' titles, publishers, dates and links (:func:`repnet.graph.viz.facts.sources_meta`), read once."""
        if self._sources is None:
            from ..viz.facts import sources_meta

            self._sources = sources_meta(self.store)
        return self._sources

    @property
    def degree(self) -> dict[str, int]:
        """Each entity's number of relations in the projection."""
        if self._degree is None:
            self._degree = dict(self.graph.degree())
        return self._degree

    @property
    def paths(self) -> Any:
        """Every person's path for the flow (:func:`repnet.graph.viz.flow.person_paths`), read once."""
        if self._paths is None:
            self._read_periods()
        return self._paths

    @property
    def months(self) -> dict[str, Any]:
        """The chart's numbers (:func:`repnet.graph.viz.chart.monthly`), read once."""
        if self._chart is None:
            self._read_periods()
        assert self._chart is not None
        return self._chart

    def _read_periods(self) -> None:
        from ..viz.flow import store_views

        self._paths, self._chart = store_views(self.store, self.graph, self.restricted)

    def overview(self, by: str) -> Any:
        """The network's groups by ``by`` (:func:`repnet.graph.viz.groups.overview`, members ranked by
        degree as the offline overview ranks them), computed on the first request and kept."""
        if by not in self._overviews:
            from ..viz.groups import overview
            from ..viz.rank import node_scores

            scores, _ = node_scores(self.graph, "degree")
            self._overviews[by] = overview(self.graph, scores, by)
        return self._overviews[by]

    def arrays(self) -> dict[str, Any]:
        """The name index as arrays for :func:`search`: ``iri`` (each name's entity, an index into
        ``iris``), ``degree`` (each entity's relations), ``words`` and ``skeletons`` (the name
        index of each sorted (word, index) pair), ``codes`` (the folded names' characters, one name
        a line) and ``starts`` (where each name begins in them). Made from the name index once."""
        if self._arrays is None:
            import numpy as np

            written = self.written
            iris = sorted({iri for _, _, iri in written})
            at = {iri: j for j, iri in enumerate(iris)}
            degree = self.degree
            self._arrays = {
                "iris": iris,
                "iri": np.array([at[iri] for _, _, iri in written], dtype=np.int64),
                "degree": np.array([degree.get(iri, 0) for iri in iris], dtype=np.int64),
                "words": np.array([i for _, i in self._words], dtype=np.int64),
                "skeletons": np.array([i for _, i in self._skeletons], dtype=np.int64),
                "codes": np.frombuffer(self._blob.encode("utf-32-le"), dtype=np.uint32),
                "starts": np.array(self._starts, dtype=np.int64),
            }
        return self._arrays

    def label(self, iri: str) -> str:
        d = self.graph.nodes.get(iri) if iri in self.graph else None
        return str((d or {}).get("label") or self.names.preferred.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1])


def search(ex: Explorer, q: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """The entities ``q`` names: ``{q, results: [{id, l: label, c: class, m: the name that matched,
    deg: relations in the network}], more: results left out}``, best first.

    Every name is ranked by the rules of the module docstring (the best rank of an entity's names
    is its rank, the first such name in order the name that matched); on arrays (:meth:`Explorer.arrays`),
    so a two-letter search, which matches a large share of the names, costs what a longer one does."""
    import numpy as np

    text = fold(q)
    if len(text) < 2:
        raise ExploreError(400, "type at least two letters to search")
    written = ex.written
    A = ex.arrays()
    NONE = 9
    best = np.full(len(written), NONE, dtype=np.int8)  # the rank of each name (NONE: no match)

    def prefixed(pairs: list[tuple[str, int]], index: Any, prefix: str) -> Any:
        """The indexes of the sorted (word, index) pairs whose word starts with ``prefix``."""
        lo = bisect.bisect_left(pairs, (prefix, -1))
        hi = bisect.bisect_left(pairs, (prefix + "\uffff", -1))
        return index[lo:hi]

    def hit(names: Any, r: int) -> None:
        best[names] = np.minimum(best[names], r)

    # (every rank below is the rule it always was, read from sorted lists and arrays instead of a scan;
    # the lower ranks first, as a name keeps its best)
    words = [w for w in skeleton(q).split() if len(w) >= 2]
    if words:  # every word typed starts a word of the name, in any script or spelling
        common = prefixed(ex._skeletons, A["skeletons"], words[0])
        for w in words[1:]:
            common = np.intersect1d(common, prefixed(ex._skeletons, A["skeletons"], w))
        hit(common, 4)
    if len(text) <= 3 and "\n" not in text:  # the name contains it: many names, found on the array
        codes, k = A["codes"], len(text)
        at = codes[: len(codes) - k + 1] == ord(text[0])
        for j in range(1, k):
            at &= codes[j: len(codes) - k + 1 + j] == ord(text[j])
        hit(np.searchsorted(A["starts"], np.flatnonzero(at), side="right") - 1, 3)
    else:
        blob, starts, found = ex._blob, ex._starts, []
        at = blob.find(text)
        while at >= 0:
            i = bisect.bisect_right(starts, at) - 1
            found.append(i)
            at = blob.find(text, starts[i + 1]) if i + 1 < len(starts) else -1
        hit(np.array(found, dtype=np.int64), 3)
    hit(prefixed(ex._words, A["words"], text), 2)  # a word of the name starts with it
    lo = bisect.bisect_left(written, (text,))
    hi = bisect.bisect_left(written, (text + "\uffff",))
    best[lo:hi] = np.minimum(best[lo:hi], 2)  # names that start with what was typed
    keyed = [i for key in name_keys(q) for i in ex._keyed.get(key, ())]
    hit(np.array(keyed, dtype=np.int64), 1)
    best[lo:bisect.bisect_left(written, (text + "\x00",))] = 0  # the name is what was typed
    # each entity's best name: the lowest (rank, index)
    names = np.flatnonzero(best < NONE)
    names = names[np.argsort(best[names].astype(np.int64) * len(written) + names, kind="stable")]
    iris, first = np.unique(A["iri"][names], return_index=True)
    names = names[first]
    # best first: rank, relations, label, IRI (the labels read only for those that can be among the first)
    coarse = best[names].astype(np.int64) * (1 << 40) - A["degree"][iris]
    found_n = len(names)
    if found_n == 0:
        return {"q": q, "results": [], "more": 0}
    cut = np.partition(coarse, min(limit, found_n) - 1)[min(limit, found_n) - 1]
    near = np.flatnonzero(coarse <= cut)
    every = A["iris"]
    ordered = sorted(near.tolist(), key=lambda j: (int(coarse[j]), ex.label(every[iris[j]]).lower(), every[iris[j]]))[:limit]
    G, degree = ex.graph, ex.degree
    results = []
    for j in ordered:
        iri = every[iris[j]]
        d = G.nodes[iri] if iri in G else {}
        results.append({"id": iri, "l": ex.label(iri), "c": node_class(d.get("class")),
                        "m": written[names[j]][1], "deg": degree.get(iri, 0)})
    return {"q": q, "results": results, "more": max(0, found_n - limit)}


def neighbours(ex: Explorer, iri: str, limit: int = NEIGHBOUR_LIMIT, base: str = "", *, as_of: str | None = None,
               classes: Collection[str] | None = None, relations: Collection[str] | None = None) -> dict[str, Any]:
    """An entity and its neighbours in the offline page's data shape (see :func:`search` and
    :func:`repnet.graph.viz.data.page_data`), plus ``center`` (the entity's index), ``more``
    (neighbours left out), ``total`` (all its neighbours in this view) and per node ``all`` (its
    relations in the whole network) and ``page`` (the path of its entity page on this server, when
    it has one). ``as_of``, ``classes`` and ``relations`` cut the entity's relations as
    :func:`repnet.graph.network.project.view` cuts a network: those that held on the day, those to
    entities of the classes, those of the relations."""
    from ..viz.data import page_data
    from ..viz.view import View

    if not IRI.match(iri):
        raise ExploreError(400, "iri is not an IRI (http://, https:// or urn:)")
    G = ex.graph
    day = None
    if iri in G:
        from ..network.project import check_view

        try:
            check_view(classes, relations)
            day = parse_day(as_of, "as_of")
        except RepnetError as e:
            raise ExploreError(400, str(e)) from None
        H = nx.MultiDiGraph()
        H.add_node(iri, **G.nodes[iri])
        # only the entity's own relations (not those among its neighbours), cut as asked
        for u, w, k, d in [*G.out_edges(iri, keys=True, data=True), *G.in_edges(iri, keys=True, data=True)]:
            other = w if u == iri else u
            if relations and d.get("relation") not in relations:
                continue
            if classes and G.nodes[other].get("class") not in classes:
                continue
            since, until = d.get("since"), d.get("until")
            if day and ((since is not None and since > day) or (until is not None and until < day)):
                continue
            H.add_node(other, **G.nodes[other])
            H.add_edge(u, w, k, **d)
    elif iri in ex.named:
        H = nx.MultiDiGraph()
        H.add_node(iri, label=ex.label(iri))
    else:
        raise ExploreError(404, f"no entity <{iri}> in the graphs this endpoint serves")
    total = H.number_of_nodes() - 1
    v = View(H, ex.label(iri), focus=[iri], restricted=ex.restricted)
    data, drawn = page_data(ex.store, v, max_nodes=limit + 1, max_edges=max(10 * limit, 100), group_by=None,
                            placed=False, sources=ex.sources)
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
    data["asOf"] = day
    data["allClasses"], data["allRelations"] = list(NODE_CLASSES), list(RELATIONS)
    return data


def flow(ex: Explorer, since: str | None = None, until: str | None = None, through: str | None = None,
         top: int = 10) -> dict[str, Any]:
    """The flow of the whole store's persons (:func:`repnet.graph.viz.flow.flow_of`) in the shape
    the pages draw (graph/viz/assets/views.js): ``{stages, stageLabels, persons, nodes: [[[key,
    label, n]] per stage], links: [[stage index, key, key, n]], since, until, through,
    throughLabel}``. ``through``: an entity of a stage keeps the persons at it; a person, their own
    path; any other entity, the persons one relation away from it."""
    from ..viz.flow import STAGES, Paths, flow_of, node_label

    try:
        since, until = parse_day(since, "from"), parse_day(until, "to")
    except RepnetError as e:
        raise ExploreError(400, str(e)) from None
    P = ex.paths
    key = None
    if through is not None:
        if not IRI.match(through):
            raise ExploreError(400, "through is not an IRI (http://, https:// or urn:)")
        if through in P.at:  # a person: their own path
            P = Paths({through: P.at[through]}, P.starts, P.labels, P.last_day)
        elif through not in P.labels:
            G = ex.graph
            if through not in G:
                raise ExploreError(404, f"no entity <{through}> in the network this endpoint serves")
            linked = set(G.successors(through)) | set(G.predecessors(through))
            P = Paths({p: st for p, st in P.at.items() if p in linked}, P.starts, P.labels, P.last_day)
        else:
            key = through
    try:
        data = flow_of(P, top=top, since=since, until=until, through=key)
    except RepnetError as e:
        raise ExploreError(400, str(e)) from None
    index = {s: j for j, s in enumerate(STAGES)}
    return {"stages": data["stages"], "stageLabels": data["stageLabels"], "persons": data["persons"],
            "nodes": [[[k, node_label(data, s, k), n] for k, n in data["nodes"][s].items()] for s in STAGES],
            "links": [[index[a], x, y, n] for (a, x, _b, y), n in sorted(data["links"].items())],
            "since": since, "until": until, "through": through,
            "throughLabel": ex.label(through) if through else None, "lastDay": P.last_day}


def chart(ex: Explorer) -> dict[str, Any]:
    """Persons held, sentenced and released per month over the whole store (:func:`repnet.graph.viz.chart.monthly`)."""
    return ex.months


def overview(ex: Explorer, by: str = "community") -> dict[str, Any]:
    """The whole network's groups by ``by``: ``{by, groupings, nodes, edges, groups: [group_summary],
    links: [{a, b, n, p, y}], notes}`` (:func:`repnet.graph.viz.data.group_summary`,
    :func:`~repnet.graph.viz.data.group_links`: what the offline overview says of the same groups)."""
    from ..viz.data import group_links, group_summary
    from ..viz.groups import GROUPINGS

    if by not in GROUPINGS:
        raise ExploreError(400, f"unknown grouping '{by}'. Groupings: {', '.join(GROUPINGS)}")
    if by in ex._summaries:
        return ex._summaries[by]
    G = ex.graph
    ov = ex.overview(by)
    merged = next((g.merged for g in ov.groups if g.merged), 0)
    how = {"community": "Louvain communities", "class": "class"}.get(by, by.replace("-", " "))
    note = (f"The whole network, {G.number_of_nodes():,} entities and {G.number_of_edges():,} relations, as "
            f"{len(ov.groups):,} groups ({how}" + (f"; the {merged:,} smallest together as one group" if merged else "")
            + "), sized by their members and linked by the relations between them. Click a group to open its most "
              "central members in place; search a name or expand a member to reach the others.")
    ex._summaries[by] = {"by": by, "groupings": list(GROUPINGS), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                         "groups": [group_summary(G, g) for g in ov.groups], "links": group_links(ov), "notes": [note]}
    return ex._summaries[by]


def group(ex: Explorer, j: int, by: str = "community", limit: int = GROUP_LIMIT, base: str = "") -> dict[str, Any]:
    """Group ``j`` of :func:`overview` opened: its ``limit`` most central members in
    :func:`neighbours`' data shape (without ``center``), the relations among them, and ``xlinks``:
    ``[[node index, group index, relations]]``, each drawn member's relations to the other groups.
    ``n`` members in all, ``shown`` drawn, ``more`` not drawn; a member none of whose relations
    leads to a drawn member or to another group is not drawn alone (counted in ``alone`` and ``more``)."""
    from ..viz.data import page_data
    from ..viz.groups import GROUPINGS
    from ..viz.view import View

    if by not in GROUPINGS:
        raise ExploreError(400, f"unknown grouping '{by}'. Groupings: {', '.join(GROUPINGS)}")
    G = ex.graph
    ov = ex.overview(by)
    if not 0 <= j < len(ov.groups):
        raise ExploreError(404, f"no group {j}: the overview by {by} has {len(ov.groups)} groups (0 to {len(ov.groups) - 1})")
    g = ov.groups[j]
    chosen = g.members[:limit]
    outside: dict[str, dict[int, int]] = {}
    for n in chosen:
        counts: dict[int, int] = {}
        for w in nx.all_neighbors(G, n):
            k = ov.of[w]
            if k != j:
                counts[k] = counts.get(k, 0) + 1
        outside[n] = counts
    linked = {n for n in chosen if outside[n]}
    for u, w in G.subgraph(chosen).edges():
        if u != w:
            linked.update((u, w))
    alone = [n for n in chosen if n not in linked and G.degree(n) > 0]
    H = G.subgraph([n for n in chosen if n not in alone]).copy()
    v = View(H, g.label, restricted=ex.restricted)
    data, drawn = page_data(ex.store, v, max_nodes=max(1, H.number_of_nodes()), max_edges=max(10 * limit, 100),
                            group_by=None, placed=False, sources=ex.sources)
    ids = [rec["id"] for rec in data["nodes"]]
    for rec in data["nodes"]:
        n = rec["id"]
        rec["all"] = G.degree(n)
        if base and n.startswith(base):
            rec["page"] = "/" + n[len(base):]
    for rec, (u, w, k) in zip(data["edges"], drawn.edges(keys=True), strict=True):
        rec["id"] = f"{u} {w} {k}"
    for key in ("fold", "generated", "options", "physics", "dates", "focus", "path"):
        data.pop(key, None)
    shown = len(ids)
    data.update({"group": j, "by": by, "l": g.label, "n": len(g.members), "shown": shown, "more": len(g.members) - shown,
                 "alone": len(alone), "xlinks": [[i, k, c] for i, n in enumerate(ids) for k, c in sorted(outside[n].items())]})
    notes = [f"{shown:,} of {len(g.members):,} members drawn (the most central by degree)"
             + (f"; {len(g.members) - shown:,} more" if len(g.members) > shown else "")
             + (f", of which {len(alone):,} among the most central are not drawn alone: their relations all lead to "
                "members not drawn" if alone else "")
             + ". Expand a member, or search a name, to reach the others."]
    data["notes"] = notes
    data["allClasses"], data["allRelations"] = list(NODE_CLASSES), list(RELATIONS)
    return data
