"""Interactive network pages (one offline HTML file) and still pictures of the projected network.

A page is **one HTML file** that opens from disk with no server and no network: the vis-network
library shipped inside the ``pyvis`` package (``pyvis/templates/lib/vis-9.*/vis-network.min.js``),
the page's own script and style (``graph/viz/assets/``) and the data are all inline. A
Content-Security-Policy in the page allows only those inline scripts (by their SHA-256 hashes) and
no connection at all, so nothing is fetched and nothing injected could run.

What a page shows (see :func:`build_view` for the views and :func:`render_page` for the page):

* nodes coloured and shaped by class (legend with class filters), sized by a centrality
  (``degree``, ``pagerank`` or ``betweenness``, computed on the whole view);
* edges labelled and coloured by relation (legend with relation filters);
* persons ringed by their status: a solid red ring when their status period (computed at build,
  :mod:`repnet.graph.ask.status`) says *held*, a dashed green ring when it says *released* or in
  exile; see :func:`person_status`;
* a tooltip and a side panel with an entity's key facts and, for each, its source (title,
  publisher, date, link: only http(s) links are kept);
* a search box that finds a node by any of its names (preferred label and every name variant,
  without case or diacritics: "Loika", "Lojka" and "LOJKA" find the same person), a physics toggle
  and, where the data has dates, a time control that shows the network and the statuses as of a day.

**Large views.** Up to :data:`PHYSICS_LIMIT` (500) drawn nodes the browser lays the network out
with live physics, starting from a networkx spring layout. Above that, the layout is computed
beforehand (:func:`layout`) and physics is off (the toggle can still switch it on). A view with more
than ``max_nodes`` entities (default :data:`MAX_NODES`, 5,000) or ``max_edges`` relations (default
:data:`MAX_EDGES`, 30,000) is reduced to the entities with the highest centrality (plus the focus or
path entities) that stay within both limits, and the relations among them; the page says what was
left out and which options show it. With these limits a page is interactive in about 4 s in
headless Chromium on a 2-core machine (``python -m tests.benchmarks.viz``).

**Safety.** Every text from the data (labels, names, descriptions, source titles, publishers, IRIs,
URLs) reaches the page only as JSON inside ``<script type="application/json">`` (with ``<``, ``>``,
``&``, U+2028 and U+2029 escaped) and is put into the DOM with ``textContent``; the canvas draws
labels as text. No ``title`` is given to vis-network (its HTML tooltips are never used). Links are
set only for http(s) URLs, checked in Python and again in the page.

Restricted facts never reach a page unless the store was opened with restricted graphs visible
(``repnet --include-restricted viz``), and then the page says so in its header.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from ..network import analysis
from ..ask import citations as cited
from ..errors import UsageError
from ..network.project import NODE_CLASSES, PERSON_CLASSES, RELATIONS, check_view, node_for, project, view
from ..ask.query import fold
from ..sparql import chunks, values
from ..iris import source_id
from ..store.embedded import EmbeddedStore
from ..terms import to_python

PHYSICS_LIMIT = 500
"""Above this many drawn nodes the layout is computed beforehand and physics starts switched off."""
MAX_NODES = 5000
"""Default limit of drawn nodes; a larger view is reduced to the top entities by centrality."""
MAX_EDGES = 30000
"""Default limit of drawn relations (vis-network sets up each one: about 0.1 ms apiece in software
rendering); a view with more is reduced to the top entities that stay under it."""
OVERVIEW_MAX_NODES = 2000
"""Default limit of nodes in a still picture (``--overview``)."""
MAX_PATHS = 25
"""At most this many shortest paths are drawn for ``--path``."""
SIZE_MEASURES = ("degree", "pagerank", "betweenness")

# colour, vis-network shape, matplotlib marker
CLASS_STYLE: dict[str, tuple[str, str, str]] = {
    "Person": ("#4e79a7", "dot", "o"),
    "Judge": ("#8c564b", "triangle", "^"),
    "Prosecutor": ("#b07aa1", "triangleDown", "v"),
    "Organization": ("#f28e2b", "square", "s"),
    "Court": ("#6b4c9a", "diamond", "D"),
    "Government": ("#e6b422", "hexagon", "h"),
    "Facility": ("#5c5c5c", "square", "s"),
    "Offence": ("#ff9da7", "triangle", "^"),
    "Article": ("#c44e8a", "diamond", "D"),
    "ReleaseRound": ("#17becf", "star", "*"),
    "Country": ("#76b7b2", "hexagon", "h"),
    "Place": ("#a0a0a0", "dot", "o"),
    "Unknown": ("#dddddd", "dot", "x"),
}
RELATION_COLOR: dict[str, str] = {
    "member_of": "#f28e2b",
    "sentenced_by": "#6b4c9a",
    "sentenced_in": "#9467bd",
    "prosecuted_by": "#b07aa1",
    "held_at": "#5c5c5c",
    "charged_under": "#e377c2",
    "defined_by": "#c44e8a",
    "co_defendant": "#4e79a7",
    "released_in": "#2ca02c",
    "released_by": "#17becf",
    "negotiated_by": "#e6b422",
    "government_of": "#76b7b2",
}
UNDIRECTED_RELATIONS = frozenset({"co_defendant"})
STATUS_STYLE = {"held": "#d62728", "released": "#2ca02c"}

# status observations -> the status drawn (other statuses are shown as facts only)
# order on the same day: a later kind wins (an explicit observation is the source's own summary)

_FACT_PROPERTIES = {
    "https://schema.org/description": "description",
    "https://schema.org/hasOccupation": "occupation",
    "http://www.w3.org/ns/org#classification": "type",
    "https://schema.org/award": "award",
    "https://w3id.org/repnet/ontology#facilityType": "facility type",
    "https://schema.org/areaServed": "serves",
    "https://schema.org/location": "located in",
    "https://schema.org/containedInPlace": "within",
    "http://data.europa.eu/eli/ontology#number": "number",
}

_ASSETS = "assets"


# ------------------------------------------------------------------------------------ views
@dataclass
class View:
    """A view of the projected network, with what the page should say about it."""

    graph: nx.MultiDiGraph
    title: str
    description: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)  # nodes to highlight (the focus, a path's ends)
    path_nodes: list[str] = field(default_factory=list)
    as_of: str | None = None
    options: list[str] = field(default_factory=list)  # the CLI options that made the view
    restricted: bool = False


def build_view(store: EmbeddedStore, *, classes: Sequence[str] | None = None, relations: Sequence[str] | None = None,
               as_of: str | dt.date | None = None, focus: str | None = None, radius: int = 1,
               path: Sequence[str] | None = None, restricted: bool = False,
               graph: nx.MultiDiGraph | None = None) -> View:
    """Project the store and cut the view the page or picture shows.

    Parameters
    ----------
    store : EmbeddedStore
        An open store (public graphs only unless opened with restricted graphs).
    classes, relations : sequence of str, optional
        Node classes and relations to keep (:data:`repnet.graph.network.project.NODE_CLASSES`, ``RELATIONS``).
    as_of : str or datetime.date, optional
        Keep the relations that held on this day (YYYY-MM-DD).
    focus : str, optional
        A name, name variant or IRI: keep the entities within ``radius`` steps of it (ignoring direction).
    path : pair of str, optional
        Two names: keep the shortest paths between them (at most :data:`MAX_PATHS`).
    restricted : bool
        Project restricted facts too (internal use; the page says so).
    graph : networkx.MultiDiGraph, optional
        A projection to use instead of projecting the store again.

    Returns
    -------
    View
    """
    check_view(classes, relations)
    if focus is not None and path is not None:
        raise UsageError("give --focus or --path, not both")
    if radius < 0:
        raise UsageError("--radius must be 0 or more")
    day = _day(as_of)
    G = graph if graph is not None else project(store, restricted=restricted)
    if classes or relations or day:
        G = view(G, classes=classes or None, relations=relations or None, as_of=day)
    options: list[str] = []
    parts: list[str] = []
    for c in classes or ():
        options.append(f"--class {c}")
    for r in relations or ():
        options.append(f"--relation {r}")
    if classes:
        parts.append("classes: " + ", ".join(classes))
    if relations:
        parts.append("relations: " + ", ".join(r.replace("_", " ") for r in relations))
    if day:
        options.append(f"--as-of {day}")
        parts.append(f"as of {day}")
    title = "Repression network"
    v = View(G, title, as_of=day, options=options, restricted=restricted)
    if focus is not None:
        node = node_for(store, G, focus)
        v.graph = analysis.ego_network(G, node, radius=radius)
        v.focus = [node]
        label = G.nodes[node].get("label", node)
        v.title = f"Around {label} ({radius} step{'s' if radius != 1 else ''})"
        parts.insert(0, f"everything within {radius} step{'s' if radius != 1 else ''} of {label}")
        options.insert(0, f"--focus {_quote(label)} --radius {radius}")
    elif path is not None:
        if len(path) != 2:
            raise UsageError("--path takes two names: --path 'Nasta Loika' 'United States'")
        a, b = node_for(store, G, path[0]), node_for(store, G, path[1])
        la, lb = G.nodes[a].get("label", a), G.nodes[b].get("label", b)
        paths = list(analysis.shortest_paths(G, a, b, limit=MAX_PATHS))
        if not paths:
            raise UsageError(f"no path between {la} and {lb} in this view of the network.\n"
                             "Widen the view (fewer --class/--relation limits, a later --as-of).")
        pairs = {frozenset((p[i], p[i + 1])) for p in paths for i in range(len(p) - 1)}
        H = nx.MultiDiGraph()
        H.graph.update(G.graph)
        nodes = sorted({n for p in paths for n in p})
        H.add_nodes_from((n, G.nodes[n]) for n in nodes)
        H.add_edges_from((u, w, k, d) for u, w, k, d in G.subgraph(nodes).edges(keys=True, data=True)
                         if frozenset((u, w)) in pairs)
        v.graph = H
        v.focus = [a, b]
        v.path_nodes = nodes
        steps = len(paths[0]) - 1
        v.title = f"From {la} to {lb}"
        parts.insert(0, f"{len(paths)}{' (at most ' + str(MAX_PATHS) + ')' if len(paths) >= MAX_PATHS else ''} "
                        f"shortest path{'s' if len(paths) != 1 else ''} of {steps} step{'s' if steps != 1 else ''} "
                        f"between {la} and {lb}")
        options.insert(0, f"--path {_quote(la)} {_quote(lb)}")
    v.description = parts
    return v


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _day(value: str | dt.date | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UsageError(f"--as-of '{value}': give a day, YYYY-MM-DD (e.g. 2025-12-01)") from None


# ------------------------------------------------------------------------------- centrality
def node_scores(G: nx.Graph, measure: str = "degree") -> tuple[dict[Any, float], str]:
    """The centrality that sizes (and ranks) the nodes, and how it was computed, for the page's legend.

    Computed as ``repnet analyze centrality`` does (:mod:`repnet.graph.network.analysis`), on the undirected
    simple graph beneath the projection: ``degree`` (distinct neighbours), ``pagerank``, or
    ``betweenness`` (exact up to ``analysis.EXACT_BETWEENNESS_MAX_NODES`` nodes, above that from
    ``analysis.BETWEENNESS_SAMPLES`` sampled sources, fixed seed).

    >>> G = nx.MultiDiGraph([("a", "hub"), ("b", "hub"), ("c", "hub")])
    >>> scores, note = node_scores(G, "degree")
    >>> max(scores, key=scores.get), note
    ('hub', 'degree centrality')
    """
    if measure not in SIZE_MEASURES:
        raise UsageError(f"unknown measure '{measure}'. Measures: {', '.join(SIZE_MEASURES)}")
    H = analysis.undirected(G)
    n = H.number_of_nodes()
    if n == 0:
        return {}, f"{measure} centrality"
    if measure == "degree":
        return {v: float(d) for v, d in H.degree()}, "degree centrality"
    if measure == "pagerank":
        return (nx.pagerank(H, weight=None) if H.number_of_edges() else dict.fromkeys(H, 1 / n)), "PageRank"
    k = analysis.BETWEENNESS_SAMPLES if n > analysis.EXACT_BETWEENNESS_MAX_NODES else None
    note = "betweenness centrality" + (f" (estimated from {k} sampled sources)" if k else "")
    return analysis.betweenness(H, k=k), note


# ------------------------------------------------------------------------------------- layout
def layout(G: nx.Graph, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """Positions in page pixels, computed with networkx.

    Up to 300 nodes: ``networkx.kamada_kawai_layout`` for a connected graph of up to 100 nodes, else
    ``networkx.spring_layout`` (Fruchterman-Reingold). Above that (networkx's own layouts take
    seconds at 500 nodes and minutes at thousands): the best-linked n/12 entities, 40 to 300 (the
    hubs: courts, articles, facilities, release rounds ...) are laid out with ``spring_layout`` on
    a graph weighted by how many entities they share, and every other entity is placed on a
    sunflower spiral around the hubs it is linked to, weighted towards the most specific ones (a
    judge or a colony rather than an article thousands share); entities linked only to other such
    entities go next to those, breadth first. Linear in the number of edges.
    """
    U = analysis.undirected(G)
    n = len(U)
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(U)): (0.0, 0.0)}
    if n <= 300:
        if n <= 100 and nx.is_connected(U):
            pos = nx.kamada_kawai_layout(U)
        else:  # (below 500 nodes networkx runs the dense, vectorised Fruchterman-Reingold)
            pos = nx.spring_layout(U, seed=seed, method="force", iterations=60)
        scale = 40 * math.sqrt(n) + 80
        return {v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in pos.items()}
    deg = dict(U.degree())
    order = sorted(U, key=lambda v: (-deg[v], str(v)))
    nhubs = min(300, max(40, n // 12))
    hubs = order[:nhubs]
    hubset = set(hubs)
    weights: dict[tuple[Any, Any], float] = defaultdict(float)
    for u, v in U.subgraph(hubs).edges():
        weights[(u, v) if str(u) < str(v) else (v, u)] += 2.0
    for leaf in order[nhubs:]:
        hs = sorted((h for h in U[leaf] if h in hubset), key=str)
        if 2 <= len(hs) <= 40:
            w = 1.0 / (len(hs) - 1)
            for i, a in enumerate(hs):
                for b in hs[i + 1:]:
                    weights[(a, b)] += w
    HG = nx.Graph()
    HG.add_nodes_from(hubs)
    HG.add_weighted_edges_from((a, b, math.log1p(w)) for (a, b), w in weights.items())
    hpos = nx.spring_layout(HG, seed=seed, method="force", iterations=150, weight="weight")
    spacing = 16.0
    radius = spacing * math.sqrt(n) * 0.9
    pos: dict[Any, tuple[float, float]] = {h: (float(p[0]) * radius, float(p[1]) * radius) for h, p in hpos.items()}
    golden = math.pi * (3 - math.sqrt(5))
    filled: Counter[tuple[int, int]] = Counter()  # points already used around each spot

    def place(center: tuple[float, float], start: float) -> tuple[float, float]:
        key = (round(center[0] / 4), round(center[1] / 4))
        i = filled[key]
        filled[key] += 1
        r = spacing * math.sqrt(i + start)
        return center[0] + r * math.cos(i * golden), center[1] + r * math.sin(i * golden)

    pending = []
    for leaf in order[nhubs:]:
        hs = [h for h in U[leaf] if h in hubset]
        if not hs:
            pending.append(leaf)
            continue
        # near the most specific hubs (a judge or a colony rather than an article thousands share)
        ws = [1.0 / deg[h] ** 2 for h in hs]
        total = sum(ws)
        center = (sum(w * pos[h][0] for w, h in zip(ws, hs)) / total, sum(w * pos[h][1] for w, h in zip(ws, hs)) / total)
        pos[leaf] = place(center, 3.0)
    while pending:
        rest = []
        for leaf in pending:
            placed = [pos[m] for m in U[leaf] if m in pos]
            if placed:
                center = (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
                pos[leaf] = place(center, 1.0)
            else:
                rest.append(leaf)
        if len(rest) == len(pending):  # components of leaves only: around the outside
            ring = radius * 1.25
            for i, leaf in enumerate(rest):
                a = i * golden
                pos[leaf] = place((ring * math.cos(a), ring * math.sin(a)), 0.0) if not any(m in pos for m in U[leaf]) \
                    else place(pos[next(m for m in U[leaf] if m in pos)], 1.0)
            break
        pending = rest
    return pos


# ------------------------------------------------------------------------------- store facts
def safe_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL without spaces or control characters, else None.

    >>> safe_url("https://www.hrw.org/news"), safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:x")
    ('https://www.hrw.org/news', None, None)
    """
    if not isinstance(url, str):
        return None
    if not re.match(r"^https?://[^\s<>\"'`\\]+$", url, re.IGNORECASE) or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    return url


def sources_meta(store: EmbeddedStore) -> dict[str, dict[str, Any]]:
    """Source id -> title, publisher, date, url (http(s) only), from the metadata graph."""
    q = """
SELECT DISTINCT ?g ?doc ?title ?pub ?publabel ?date ?url WHERE {
  GRAPH ?m { ?g prov:wasDerivedFrom ?doc . ?doc a rpn:SourceDocument .
    OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc schema:publisher ?pub }
    OPTIONAL { ?doc schema:datePublished ?date } OPTIONAL { ?doc schema:url ?url } }
  FILTER(STRENDS(STR(?m), "/graph/meta"))
  OPTIONAL { ?pub skos:prefLabel ?publabel }
}"""
    out: dict[str, dict[str, Any]] = {}
    for row in store.query(q):
        sid = source_id(row["g"].value)
        s = out.setdefault(sid, {"id": sid})
        for key, var in (("title", "title"), ("publisher", "publabel"), ("date", "date")):
            if row[var] is not None and key not in s:
                value = to_python(row[var])
                s[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
        if row["url"] is not None and "url" not in s:
            s["url"] = safe_url(row["url"].value)
        if row["pub"] is not None and "publisher" not in s and row["publabel"] is None:
            s["publisher"] = row["pub"].value.rstrip("/").rsplit("/", 1)[-1]
    for s in out.values():
        if s.get("url") is None:
            s.pop("url", None)
    return out


def entity_facts(store: EmbeddedStore, nodes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Node IRI -> key facts about the entity itself (names, description, occupation ...), each with its sources."""
    facts: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(dict)
    inferred = cited.inferences(store, nodes)
    why: dict[tuple[str, str, str], str] = {}  # (entity, key, text) -> reason a source gives for inferring it
    props = ", ".join(f"<{p}>" for p in _FACT_PROPERTIES)
    for chunk in chunks(list(nodes)):
        # (FILTER IN, not VALUES ?p: Oxigraph plans the VALUES cross product 50x slower)
        q = f"""
SELECT DISTINCT ?e ?p ?o ?label ?g WHERE {{
  {values("e", chunk)}
  GRAPH ?g {{ ?e ?p ?o }} FILTER(?p IN ({props}))
  OPTIONAL {{ ?o skos:prefLabel ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }}
}}"""
        for row in store.query(q):
            o = row["o"]
            text = (str(to_python(row["label"])) if row["label"] is not None else
                    o.value.rstrip("/").rsplit("/", 1)[-1].replace("-", " ") if not hasattr(o, "language") else
                    str(to_python(o)))
            key = (_FACT_PROPERTIES[row["p"].value], text)
            e, sid = row["e"].value, source_id(row["g"].value)
            facts[e].setdefault(key, set()).add(sid)
            reason = inferred.get(e, {}).get((row["p"].value, sid))
            if reason:
                why[(e, *key)] = reason
    out: dict[str, list[dict[str, Any]]] = {}
    order = list(dict.fromkeys(_FACT_PROPERTIES.values()))
    for e, items in facts.items():
        out[e] = [{"k": k, "v": v, "src": sorted(src), **({"inf": why[(e, k, v)]} if (e, k, v) in why else {})}
                  for (k, v), src in sorted(items.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))]
    return out


def holds_as_stated(d: dict[str, Any], day: str) -> bool:
    """Whether a projected edge holds on ``day`` by the dates its sources state: the explorer's time
    rule (viz.js ``edgeHolds``). A date is compared on its own precision: "2022-09" covers the
    whole month, "after 2021-07" counts from July 2021.

    >>> holds_as_stated({"date": "2022-09"}, "2022-09-01"), holds_as_stated({"date": "2022-09-17"}, "2022-09-01")
    (True, False)
    >>> holds_as_stated({"date": "2022-09", "end_date": "2022-12"}, "2022-12-31"), holds_as_stated({"end_date": "2022-12"}, "2023-01-01")
    (True, False)
    """
    since, until = _date_key(d.get("date") or d.get("basis_date")), _date_key(d.get("end_date"))
    if since and since > day[: len(since)]:
        return False
    return not (until and day[: len(until)] > until)


def _date_key(stated: Any) -> str | None:
    """A date as stated, as the page compares it: "after 2021-07" -> "2021-07"."""
    if not stated:
        return None
    text = str(stated)
    return text.split(" ", 1)[1] if text.startswith(("after ", "before ")) else text


def person_status(store: EmbeddedStore, persons: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Person IRI -> status facts, oldest first: ``{"d": date as stated or None, "s": "held"|"released", "why": ..., "src": [...]}``.

    One fact per status period computed at build (:mod:`repnet.graph.ask.status`, the one definition
    of status): held, or released (in exile counts as released here), from the period's start as
    its source states it ("2022-09"; "after 2021-07" is keyed "2021-07"), or from its observation
    when no start is stated. The page's status on a day is the latest fact whose date is on or
    before it (a month-precise date counts from the month); ``why`` says how the sources know it.
    """
    from ..ask.status import HELD, stored_periods

    out: dict[str, list[dict[str, Any]]] = {}
    for person, periods in stored_periods(store, persons).items():
        facts = []
        for p in periods:
            key = _date_key(p["since"] or p["last_known"])
            held = p["status"] == HELD
            why = ("held" + (" at some times (separate terms)" if p["intermittent"] else "") if held else
                   p["status"].replace("-", " "))
            why += f" from {p['since']}" if p["since"] else ""
            why += f" until {p['until']}" if p["until"] else f"; last known {p['last_known']}" if p["last_known"] else ""
            facts.append({"d": key, "s": "held" if held else "released", "why": why, "src": p["sources"]})
        out[person] = facts
    return out


def status_on(facts: list[dict[str, Any]], day: str | None) -> dict[str, Any] | None:
    """The status fact that holds on ``day`` (None: the latest), as the page computes it.

    >>> f = [{"d": None, "s": "held"}, {"d": "2025-09-30", "s": "released"}]
    >>> status_on(f, None)["s"], status_on(f, "2025-01-01"), status_on(f, "2025-10-01")["s"]
    ('released', None, 'released')
    """
    best = None
    for f in facts:
        if f["d"] is None:
            if day is None and best is None:
                best = f
            continue
        if day is None or f["d"] <= day:
            best = f
    return best


def name_variants(store: EmbeddedStore, nodes: Sequence[str]) -> dict[str, list[str]]:
    """Node IRI -> every preferred label and name variant (all languages)."""
    out: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(list(nodes)):
        q = f"""SELECT DISTINCT ?e ?l WHERE {{ {values("e", chunk)}
  GRAPH ?g {{ {{ ?e skos:prefLabel ?l }} UNION {{ ?e skos:altLabel ?l }} }} }}"""
        for row in store.query(q):
            text = row["l"].value
            if text not in out[row["e"].value]:
                out[row["e"].value].append(text)
    return out


# ------------------------------------------------------------------------------------- pages
@dataclass
class Page:
    """A rendered page and what it shows."""

    html: str
    nodes: int  # drawn
    edges: int
    view_nodes: int
    view_edges: int
    reduced: bool
    physics: bool
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def reduce_view(G: nx.MultiDiGraph, scores: dict[Any, float], max_nodes: int,
                keep: Iterable[str] = (), max_edges: int | None = None) -> nx.MultiDiGraph:
    """The entities with the highest score (and those in ``keep``), at most ``max_nodes`` of them and
    no more than reach ``max_edges`` relations among them, with those relations. An entity whose
    neighbours all fall outside stays, drawn alone: it is among the top."""
    must = [n for n in keep if n in G]
    ranked = sorted(G, key=lambda n: (-scores.get(n, 0.0), str(n)))
    chosen = set(must)

    def links(n: Any) -> int:
        return (sum(len(ks) for w, ks in G.succ[n].items() if w in chosen)
                + sum(len(ks) for w, ks in G.pred[n].items() if w in chosen and w != n))

    edges = sum(links(n) for n in must) // 2 if must else 0
    for n in ranked:
        if len(chosen) >= max_nodes:
            break
        if n in chosen:
            continue
        more = links(n) if max_edges is not None else 0
        if max_edges is not None and edges + more > max_edges and chosen:
            break
        chosen.add(n)
        edges += more
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in chosen)
    # (out-edges only: the hubs' huge in-lists are never walked, unlike G.subgraph(chosen).copy())
    H.add_edges_from((u, w, k, d) for u, w, k, d in G.out_edges(list(H), keys=True, data=True) if w in chosen)
    return H


def _size(score: float, top: float) -> float:
    return round(10.0 + 30.0 * math.sqrt(score / top), 1) if top > 0 else 12.0


def page_data(store: EmbeddedStore, v: View, *, size_by: str = "degree", max_nodes: int = MAX_NODES,
              max_edges: int = MAX_EDGES, title: str | None = None) -> tuple[dict[str, Any], nx.MultiDiGraph]:
    """The data a page embeds and the graph it draws.

    Nodes and edges are lists; edges and the focus refer to nodes by their index, and facts refer
    to sources by their index in ``sources``::

        nodes[i]   {id: IRI, l: label, c: class, s: size, x, y, n: [names], f: [folded names], deg, score,
                    facts: [{k, v, src: [j]}], st: [{d: day, s: status, why, src: [j]}]}
        edges[k]   {a: i, b: i, r: relation, date, since, until, years, ... (as in the projection), src: [j],
                    par: rank among parallel edges}
        sources[j] {id, title, publisher, date, url}
        docs[m]    {title, publisher, date, url}: documents that records cite beyond their source (cite:)

    Facts may carry ``inf`` (why the source's value is inferred, not stated); nodes and edges may
    carry ``cites: [{d: m, q: quote, l: locator, src: [j]}]``, the citations of the entity or of the
    edge's event; a ``charged_under`` edge carries ``words``, the offence as its source worded it for
    that person.
    """
    G = v.graph
    scores, measure_note = node_scores(G, size_by)
    g_nodes, g_edges = G.number_of_nodes(), G.number_of_edges()
    reduced = g_nodes > max_nodes or g_edges > max_edges
    H = reduce_view(G, scores, max_nodes, v.focus, max_edges) if reduced else G
    h_nodes, h_edges = H.number_of_nodes(), H.number_of_edges()
    top = max(scores.values(), default=0.0)
    pos = layout(H)
    physics = h_nodes <= PHYSICS_LIMIT
    ids = list(H)
    variants = name_variants(store, ids)
    facts = entity_facts(store, ids)
    persons = [n for n in ids if H.nodes[n].get("class") in PERSON_CLASSES]
    status = person_status(store, persons)
    sources = sources_meta(store)
    src_index: dict[str, int] = {}

    def cite(ids: Iterable[str]) -> list[int]:
        return [src_index.setdefault(x, len(src_index)) for x in ids]

    # documents cited by the entities and by the events behind the edges (cite: in the sources)
    events = sorted({str(d["event"]) for _, _, d in H.edges(data=True) if d.get("event")})
    citations = cited.citations(store, [*ids, *events])
    wordings = cited.wordings(store, events)
    docs: dict[tuple[Any, ...], int] = {}

    def cite_docs(iri: str) -> list[dict[str, Any]]:
        out = []
        for c in citations.get(iri, []):
            doc = {k: c[k] for k in ("title", "publisher", "date") if c.get(k)}
            if safe_url(c.get("url")):
                doc["url"] = c["url"]
            j = docs.setdefault(tuple(sorted(doc.items())), len(docs))
            out.append({"d": j, **{k[0]: c[k] for k in ("quote", "locator") if c.get(k)}, "src": cite(c["src"])})
        return out

    index = {n: i for i, n in enumerate(ids)}
    full_degree = dict(G.degree())
    nodes = []
    for n in ids:
        d = H.nodes[n]
        label = str(d.get("label", n))
        names = variants.get(n, []) or [label]
        if label not in names:
            names.insert(0, label)
        folded = [fold(x) for x in names]  # aligned with names
        cls = d.get("class") if d.get("class") in CLASS_STYLE else "Unknown"
        rec: dict[str, Any] = {"id": n, "l": label, "c": cls, "s": _size(scores.get(n, 0.0), top),
                               "x": round(pos[n][0], 1), "y": round(pos[n][1], 1), "n": names, "f": folded,
                               "deg": full_degree.get(n, 0), "score": round(scores.get(n, 0.0), 6)}
        if n in facts:
            rec["facts"] = [{**fct, "src": cite(fct["src"])} for fct in facts[n]]
        if n in status:
            rec["st"] = [{**fct, "src": cite(fct["src"])} for fct in status[n]]
        if n in citations:
            rec["cites"] = cite_docs(n)
        nodes.append(rec)

    edges = []
    pair_count: Counter[frozenset[Any]] = Counter()
    pair_seen: Counter[frozenset[Any]] = Counter()
    for u, w in H.edges():
        pair_count[frozenset((u, w))] += 1
    dates: set[str] = set()
    for u, w, d in H.edges(data=True):
        rec = {"a": index[u], "b": index[w], "r": str(d.get("relation", "related"))}
        for k in ("date", "years", "penalty", "role", "stage", "kind", "detention_type", "led"):
            if k in d:
                rec[k] = d[k]
        # the time control compares dates as their sources state them ("2022-09" counts from the
        # month, "after 2021-07" from July), never the day bounds the analyses use
        for k, stated in (("since", d.get("date") or d.get("basis_date")), ("until", d.get("end_date"))):
            key = _date_key(stated)
            if key:
                rec[k] = key
                dates.add(key)
        rec["src"] = cite(x for x in str(d.get("source", "")).split("; ") if x)
        if str(d.get("event", "")) in citations:
            rec["cites"] = cite_docs(str(d["event"]))
        words = wordings.get((str(d.get("event", "")), str(w)))
        if words:  # the charge's or conviction's offence in its source's words for this person
            rec["words"] = "; ".join(f"“{text}”" for text, _ in words)
        key = frozenset((u, w))
        if pair_count[key] > 1:
            rec["par"] = pair_seen[key]
            pair_seen[key] += 1
        edges.append(rec)
    for rec in nodes:
        for fct in rec.get("st", []):
            if fct["d"]:
                dates.add(fct["d"])

    notes = []
    if reduced:
        left_n = g_nodes - h_nodes
        left_e = g_edges - h_edges
        notes.append(f"This page shows {h_nodes:,} of the view's {g_nodes:,} entities: those "
                     f"with the highest {measure_note}, and the {h_edges:,} relations among them. "
                     f"Left out: {left_n:,} entities and {left_e:,} relations. To see them, narrow the view "
                     "(repnet viz --focus NAME --radius 2, --path A B, --class CLASS, --relation REL, --as-of DATE) "
                     f"or raise the limits with --max-nodes N (now {max_nodes:,}) and --max-edges M (now {max_edges:,}); "
                     f"pages above {MAX_NODES:,} entities or {MAX_EDGES:,} relations get slow.")
    if not physics:
        notes.append(f"Layout computed beforehand with networkx; physics is off above {PHYSICS_LIMIT} nodes "
                     "(the Physics switch turns it on, slowly).")
    view_desc = list(v.description)
    classes = Counter(r["c"] for r in nodes)
    rels = Counter(r["r"] for r in edges)
    data = {
        "title": title or v.title,
        "view": view_desc,
        "options": v.options,
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "asOf": v.as_of,
        "restricted": v.restricted,
        "sizeBy": measure_note,
        "physics": physics,
        "reduced": reduced,
        "notes": notes,
        "counts": {"nodes": h_nodes, "edges": h_edges, "viewNodes": g_nodes, "viewEdges": g_edges},
        "focus": [index[n] for n in v.focus if n in index],
        "path": [index[n] for n in v.path_nodes if n in index],
        "classes": {c: {"color": CLASS_STYLE[c][0], "shape": CLASS_STYLE[c][1], "n": classes[c]}
                    for c in NODE_CLASSES if classes[c]},
        "relations": {r: {"color": RELATION_COLOR.get(r, "#8a94a3"), "label": r.replace("_", " "),
                          "about": RELATIONS.get(r, r), "directed": r not in UNDIRECTED_RELATIONS, "n": rels[r]}
                      for r in [*RELATIONS, *sorted(set(rels) - set(RELATIONS))] if rels[r]},
        "status": STATUS_STYLE,
        "dates": sorted(dates),
        "sources": [sources.get(sid, {"id": sid}) for sid in src_index],
        "docs": [dict(k) for k in docs],
        "nodes": nodes,
        "edges": edges,
    }
    return data, H


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>', '&' or line separators as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def vis_network_js() -> str:
    """vis-network's minified script, as shipped inside the pyvis package (never from a CDN)."""
    lib = files("pyvis").joinpath("templates").joinpath("lib")
    candidates = sorted((p for p in lib.iterdir() if p.name.startswith("vis-")),  # type: ignore[attr-defined]
                        key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)])
    for d in reversed(candidates):
        js = d.joinpath("vis-network.min.js")
        if js.is_file():
            return str(js.read_text(encoding="utf-8"))
    raise UsageError("pyvis's vis-network.min.js is missing; reinstall pyvis (pip install --force-reinstall pyvis)")


def _asset(name: str) -> str:
    return files("repnet.graph.viz").joinpath(_ASSETS).joinpath(name).read_text(encoding="utf-8")


def _inline_script(js: str) -> str:
    # a script element ends at the first "</script"; "<!--" may switch the parser's script states
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_page(store: EmbeddedStore, v: View, *, size_by: str = "degree", max_nodes: int = MAX_NODES,
                max_edges: int = MAX_EDGES, title: str | None = None) -> Page:
    """The page for a view: one self-contained HTML document (see the module docstring).

    >>> from repnet.graph.ingest.dataset import load_dataset
    >>> from repnet.graph.ingest.build import in_memory
    >>> store = in_memory(load_dataset(None))
    >>> page = render_page(store, build_view(store, focus="Nasta Lojka", radius=1))
    >>> (page.nodes, page.edges, "https://cdn" in page.html, "<script src" in page.html)
    (5, 4, False, False)
    """
    t0 = time.perf_counter()
    if max_nodes < 1 or max_edges < 0:
        raise UsageError("--max-nodes must be 1 or more and --max-edges 0 or more")
    data, H = page_data(store, v, size_by=size_by, max_nodes=max_nodes, max_edges=max_edges, title=title)
    vis_js = _inline_script(vis_network_js())
    app_js = _inline_script(_asset("viz.js"))
    css = _asset("viz.css").replace("</", "<\\/")
    csp = ("default-src 'none'; script-src " + _sha256(vis_js) + " " + _sha256(app_js) +
           "; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'")
    parts = {"TITLE": html.escape(str(data["title"]), quote=True), "CSP": html.escape(csp, quote=False), "CSS": css,
             "DATA": _json_for_script(data), "VIS": vis_js, "APP": app_js}
    page = re.sub(r"\{\{(TITLE|CSP|CSS|DATA|VIS|APP)\}\}", lambda m: parts[m.group(1)], _asset("viz.html"))
    c = data["counts"]
    return Page(html=page, nodes=c["nodes"], edges=c["edges"], view_nodes=c["viewNodes"],
                view_edges=c["viewEdges"], reduced=bool(data["reduced"]), physics=bool(data["physics"]),
                seconds=time.perf_counter() - t0, notes=list(data["notes"]))


def write_page(store: EmbeddedStore, v: View, out: str | Path, **kw: Any) -> Page:
    """Render the page for a view and write it to ``out`` (UTF-8)."""
    page = render_page(store, v, **kw)
    Path(out).write_text(page.html, encoding="utf-8")
    return page


# ------------------------------------------------------------------------------- still picture
def write_overview(store: EmbeddedStore, v: View, out: str | Path, *, size_by: str = "degree",
                   max_nodes: int = OVERVIEW_MAX_NODES, title: str | None = None) -> Page:
    """A still picture of the view (PNG or SVG, by ``out``'s extension) for reports, drawn with matplotlib.

    Same encoding as the pages: class colours and markers, size by centrality, edges coloured by
    relation, held persons ringed red and released persons ringed green (dashed in the legend).
    The best-connected entities are labelled. SVG text is drawn as paths (nothing from the data is
    left as markup).
    """
    t0 = time.perf_counter()
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise UsageError(f"--overview writes a .png or .svg file, not '{Path(out).name}'")
    if max_nodes < 1:
        raise UsageError("--max-nodes must be 1 or more")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    G = v.graph
    scores, measure_note = node_scores(G, size_by)
    reduced = G.number_of_nodes() > max_nodes
    H = reduce_view(G, scores, max_nodes, v.focus) if reduced else G
    pos = layout(H)
    top = max(scores.values(), default=0.0)
    persons = [n for n in H if H.nodes[n].get("class") in PERSON_CLASSES]
    status = {p: status_on(f, v.as_of) for p, f in person_status(store, persons).items()}

    fig = Figure(figsize=(14, 10), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.76, 0.9))
    ax.set_axis_off()
    ax.set_aspect("equal")
    segs, colours = [], []
    for u, w, d in H.edges(data=True):
        (x1, y1), (x2, y2) = pos[u], pos[w]
        segs.append([(x1, -y1), (x2, -y2)])
        colours.append(RELATION_COLOR.get(d.get("relation", ""), "#999999"))
    if segs:
        ax.add_collection(LineCollection(segs, colors=colours, linewidths=0.9 if len(segs) < 2000 else 0.3,
                                         alpha=0.75 if len(segs) < 2000 else 0.35, zorder=1))
    small = H.number_of_nodes() <= 200
    for cls in NODE_CLASSES:
        ns = [n for n in H if H.nodes[n].get("class") == cls]
        if not ns:
            continue
        colour, _shape, marker = CLASS_STYLE[cls]
        sizes = [(_size(scores.get(n, 0.0), top) * (1.6 if small else 0.7)) ** 2 / 4 for n in ns]
        ring = [STATUS_STYLE.get((status.get(n) or {}).get("s", ""), "#ffffff") for n in ns]
        widths = [2.4 if (status.get(n) or {}).get("s") else 0.6 for n in ns]
        ax.scatter([pos[n][0] for n in ns], [-pos[n][1] for n in ns], s=sizes, c=colour, marker=marker,
                   edgecolors=ring, linewidths=widths, zorder=3)
    labelled = sorted(H, key=lambda n: (-scores.get(n, 0.0), str(n)))[: (H.number_of_nodes() if small else 40)]
    for n in labelled:
        x, y = pos[n]
        text = str(H.nodes[n].get("label", n))
        text = text if len(text) <= 42 else text[:40] + "…"
        radius_pt = _size(scores.get(n, 0.0), top) * (1.6 if small else 0.7) / 4
        ax.annotate(text, (x, -y), xytext=(0, -radius_pt - 2), textcoords="offset points", fontsize=8 if small else 6,
                    ha="center", va="top", zorder=4, parse_math=False, annotation_clip=True,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    if pos:
        xs = [p[0] for p in pos.values()]
        ys = [-p[1] for p in pos.values()]
        pad = 60
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_ylim(min(ys) - pad, max(ys) + pad)
    head = title or v.title
    sub = "; ".join(v.description) or "the whole network"
    counts = f"{H.number_of_nodes():,} entities, {H.number_of_edges():,} relations"
    if reduced:
        counts += f" (top {H.number_of_nodes():,} of {G.number_of_nodes():,} by {measure_note}; narrow the view to see the rest)"
    fig.text(0.01, 0.975, head, fontsize=15, weight="bold", va="top", parse_math=False)
    fig.text(0.01, 0.945, f"{sub} · {counts} · size: {measure_note}"
             + (" · INCLUDES RESTRICTED FACTS" if v.restricted else ""), fontsize=9, va="top", parse_math=False)
    present = [c for c in NODE_CLASSES if any(H.nodes[n].get("class") == c for n in H)]
    handles = [Line2D([], [], linestyle="", marker=CLASS_STYLE[c][2], markersize=13 if CLASS_STYLE[c][2] == "*" else 9,
                      markerfacecolor=CLASS_STYLE[c][0],
                      markeredgecolor="#ffffff", label=c) for c in present]
    handles += [Line2D([], [], linestyle="", marker="o", markersize=10, markerfacecolor=CLASS_STYLE["Person"][0],
                       markeredgecolor=STATUS_STYLE["held"], markeredgewidth=2.4, label="held (latest fact)"),
                Line2D([], [], linestyle="", marker="o", markersize=10, markerfacecolor=CLASS_STYLE["Person"][0],
                       markeredgecolor=STATUS_STYLE["released"], markeredgewidth=2.4, label="released")]
    rels = [r for r in RELATIONS if any(d.get("relation") == r for _, _, d in H.edges(data=True))]
    handles += [Line2D([], [], color=RELATION_COLOR[r], linewidth=2, label=r.replace("_", " ")) for r in rels]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.78, 0.9), frameon=False, fontsize=9)
    sources = sources_meta(store)
    used = sorted({s for _, _, d in H.edges(data=True) for s in str(d.get("source", "")).split("; ") if s})
    cites = [f"{sources.get(s, {}).get('title', s)} ({sources.get(s, {}).get('publisher', '')}, "
             f"{sources.get(s, {}).get('date', '')})" for s in used[:6]]
    if cites:
        fig.text(0.78, 0.04, "Sources:\n" + "\n".join(_wrap(c, 48) for c in cites)
                 + (f"\n... and {len(used) - 6} more" if len(used) > 6 else ""), fontsize=7, va="bottom",
                 parse_math=False)
    fig.savefig(str(out), format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return Page(html="", nodes=H.number_of_nodes(), edges=H.number_of_edges(), view_nodes=G.number_of_nodes(),
                view_edges=G.number_of_edges(), reduced=reduced, physics=False, seconds=time.perf_counter() - t0)


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "\n  ".join(lines)
