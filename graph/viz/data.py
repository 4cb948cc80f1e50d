"""The data a page embeds: the drawn nodes and edges with their facts, statuses, citations and sources.

:func:`page_data` reduces a view to the drawing limits (:mod:`repnet.graph.viz.rank`), lays it out
(:mod:`repnet.graph.viz.layout`), reads the panels' facts from the store (:mod:`repnet.graph.viz.facts`)
and returns one JSON-ready dict, the page's only data: sources and cited documents are numbered once
(:class:`Citer`) and referred to by index.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..ask import citations as cited
from ..names import browser_spec, fold, skeleton
from ..network.project import NODE_CLASSES, PERSON_CLASSES, RELATIONS
from ..store.base import Store
from .facts import accountability_facts, entity_facts, name_variants, person_status, safe_url, sources_meta, stated_key
from .groups import TOP_MEMBERS, Group, Overview, overview, top_labels
from .layout import PHYSICS_LIMIT, Point, Spiral, layout
from .rank import MAX_EDGES, MAX_NODES, cut_alone, induced, node_scores, reduce_view
from .style import CLASS_STYLE, OTHER_RELATION_COLOR, RELATION_COLOR, STATUS_STYLE, UNDIRECTED_RELATIONS, node_class, node_size
from .view import View

EDGE_KEYS = ("date", "years", "penalty", "role", "stage", "kind", "detention_type", "led")
"""The projection's edge attributes a page carries as they are."""


class Citer:
    """Numbers the sources and the cited documents a page refers to, in the order they are first used."""

    def __init__(self, citations: dict[str, list[dict[str, Any]]]) -> None:
        self.citations = citations  # entity or event IRI -> its citations (repnet.graph.ask.citations)
        self.sources: dict[str, int] = {}
        self.docs: dict[tuple[Any, ...], int] = {}

    def cite(self, ids: Iterable[str]) -> list[int]:
        """The indexes of these source ids."""
        return [self.sources.setdefault(x, len(self.sources)) for x in ids]

    def cite_docs(self, iri: str) -> list[dict[str, Any]]:
        """The citations of an entity or event: ``{d: document index, q: quote, l: locator, src: [j]}``."""
        out = []
        for c in self.citations.get(iri, []):
            doc = {k: c[k] for k in ("title", "publisher", "date") if c.get(k)}
            if safe_url(c.get("url")):
                doc["url"] = c["url"]
            j = self.docs.setdefault(tuple(sorted(doc.items())), len(self.docs))
            out.append({"d": j, **{k[0]: c[k] for k in ("quote", "locator") if c.get(k)}, "src": self.cite(c["src"])})
        return out


def page_data(store: Store, v: View, *, size_by: str = "degree", max_nodes: int = MAX_NODES,
              max_edges: int = MAX_EDGES, title: str | None = None,
              group_by: str | None = "auto", placed: bool = True,
              sources: dict[str, dict[str, Any]] | None = None) -> tuple[dict[str, Any], nx.MultiDiGraph]:
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

    ``placed=False`` leaves the layout to the browser (every ``x``, ``y`` is 0: the live explorer's
    expansions, drawn with physics); ``sources``, :func:`repnet.graph.viz.facts.sources_meta` when
    already read.

    The overview (``group_by``: a grouping of :data:`repnet.graph.viz.groups.GROUPINGS`; ``"auto"``,
    the default, groups by Louvain community a view too large to draw whole, and ``None`` reduces
    it to its top entities instead) adds ``groups`` and ``glinks``, and each node carries ``g``,
    its group's index; the page draws the groups and opens one in place on a click::

        groups[j]  {l: label, n: members, p: persons, yrs: sentence-years, cls: {class: n},
                    top: [labels], courts: [[label, n]], fac: [[label, n]], shown: members on the page,
                    x, y, s: size, c: colour}
        glinks[k]  {a: j, b: j, n: relations, p: persons, y: sentence-years}
    """
    G = v.graph
    scores, measure_note = node_scores(G, size_by)
    reduced = G.number_of_nodes() > max_nodes or G.number_of_edges() > max_edges
    if group_by == "auto":
        group_by = "community" if reduced else None
    ov = overview(G, scores, group_by) if group_by else None
    if ov is not None:
        H, pos = group_members(G, ov, scores, max_nodes, max_edges, v.focus)
    else:
        H = reduce_view(G, scores, max_nodes, v.focus, max_edges) if reduced else G
        pos = layout(H) if placed else {n: (0.0, 0.0) for n in H}  # (the live explorer lays out in the browser)
    physics = H.number_of_nodes() <= PHYSICS_LIMIT and ov is None
    ids = list(H)
    # documents cited by the entities and by the events behind the edges (cite: in the sources)
    events = sorted({str(d["event"]) for _, _, d in H.edges(data=True) if d.get("event")})
    citer = Citer(cited.citations(store, [*ids, *events]))
    nodes = node_records(store, H, dict(G.degree()), scores, pos, citer)
    index = {n: i for i, n in enumerate(ids)}
    edges = edge_records(H, index, cited.wordings(store, events), citer)
    dates = {e[k] for e in edges for k in ("since", "until") if k in e}
    dates |= {fct["d"] for rec in nodes for fct in rec.get("st", []) if fct["d"]}
    counts = {"nodes": H.number_of_nodes(), "edges": H.number_of_edges(),
              "viewNodes": G.number_of_nodes(), "viewEdges": G.number_of_edges()}
    counts["cutAlone"] = int(H.graph.get("cut_alone", 0)) if H is not G else 0
    if ov is not None:
        for rec in nodes:
            rec["g"] = ov.of[rec["id"]]
        counts["groups"] = len(ov.groups)
        notes = group_notes(ov, counts, measure_note)
    else:
        notes = page_notes(counts, measure_note, max_nodes, max_edges) if reduced else []
    if not physics and ov is None:
        notes.append(f"Layout computed beforehand with networkx; physics is off above {PHYSICS_LIMIT} nodes "
                     "(the Physics switch turns it on, slowly).")
    sources = sources_meta(store) if sources is None else sources
    data = {
        "title": title or v.title,
        "view": list(v.description),
        "options": v.options,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "asOf": v.as_of,
        "restricted": v.restricted,
        "sizeBy": measure_note,
        "physics": physics,
        "reduced": reduced,
        "notes": notes,
        "counts": counts,
        "focus": [index[n] for n in v.focus if n in index],
        "path": [index[n] for n in v.path_nodes if n in index],
        **legends(nodes, edges),
        "status": STATUS_STYLE,
        "dates": sorted(dates),
        "sources": [sources.get(sid, {"id": sid}) for sid in citer.sources],
        "docs": [dict(k) for k in citer.docs],
        "fold": browser_spec(),  # the search box folds what is typed as repnet.graph.names does
        "nodes": nodes,
        "edges": edges,
    }
    if ov is not None:
        data["groupBy"] = ov.by
        data["groups"], data["glinks"] = group_records(G, ov, H, pos)
    return data, H


def node_records(store: Store, H: nx.MultiDiGraph, full_degree: dict[Any, int], scores: dict[Any, float],
                 pos: dict[Any, Point], citer: Citer) -> list[dict[str, Any]]:
    """One record per drawn node (see :func:`page_data`), with its names, facts, statuses and citations."""
    ids = list(H)
    variants = name_variants(store, ids)
    facts = entity_facts(store, ids)
    status = person_status(store, [n for n in ids if H.nodes[n].get("class") in PERSON_CLASSES])
    marks = accountability_facts(store, ids)
    top = max(scores.values(), default=0.0)
    nodes = []
    for n in ids:
        d = H.nodes[n]
        label = str(d.get("label", n))
        names = variants.get(n, []) or [label]
        if label not in names:
            names.insert(0, label)
        rec: dict[str, Any] = {"id": n, "l": label, "c": node_class(d.get("class")), "s": node_size(scores.get(n, 0.0), top),
                               "x": round(pos[n][0], 1), "y": round(pos[n][1], 1), "n": names,
                               "f": [fold(x) for x in names],  # aligned with names
                               "k": [skeleton(x) for x in names],  # aligned with names
                               "deg": full_degree.get(n, 0), "score": round(scores.get(n, 0.0), 6)}
        if n in marks:  # posts and sanctions (issue 12): panel facts, and 1/0 for the sanctions filter
            facts.setdefault(n, []).extend(marks[n][0])
            if marks[n][1] is not None:
                rec["sanc"] = marks[n][1]
        if n in facts:
            rec["facts"] = [{**fct, "src": citer.cite(fct["src"])} for fct in facts[n]]
        if n in status:
            rec["st"] = [{**fct, "src": citer.cite(fct["src"])} for fct in status[n]]
        if n in citer.citations:
            rec["cites"] = citer.cite_docs(n)
        nodes.append(rec)
    return nodes


def edge_records(H: nx.MultiDiGraph, index: dict[Any, int], wordings: dict[tuple[str, str], list[tuple[str, Any]]],
                 citer: Citer) -> list[dict[str, Any]]:
    """One record per drawn edge (see :func:`page_data`), with its stated dates, sources and citations."""
    pair_count: Counter[frozenset[Any]] = Counter(frozenset((u, w)) for u, w in H.edges())
    pair_seen: Counter[frozenset[Any]] = Counter()
    edges = []
    for u, w, d in H.edges(data=True):
        rec = {"a": index[u], "b": index[w], "r": str(d.get("relation", "related"))}
        rec.update((k, d[k]) for k in EDGE_KEYS if k in d)
        # the time control compares dates as their sources state them ("2022-09" counts from the
        # month, "after 2021-07" from July), never the day bounds the analyses use
        for k, stated in (("since", d.get("date") or d.get("basis_date")), ("until", d.get("end_date"))):
            key = stated_key(stated)
            if key:
                rec[k] = key
        rec["src"] = citer.cite(x for x in str(d.get("source", "")).split("; ") if x)
        event = str(d.get("event", ""))
        if event in citer.citations:
            rec["cites"] = citer.cite_docs(event)
        words = wordings.get((event, str(w)))
        if words:  # the charge's or conviction's offence in its source's words for this person
            rec["words"] = "; ".join(f"“{text}”" for text, _ in words)
        pair = frozenset((u, w))
        if pair_count[pair] > 1:
            rec["par"] = pair_seen[pair]
            pair_seen[pair] += 1
        edges.append(rec)
    return edges


def page_notes(counts: dict[str, int], measure_note: str, max_nodes: int, max_edges: int) -> list[str]:
    """What a reduced page says it left out, and how to see it."""
    h_nodes, h_edges, g_nodes, g_edges = counts["nodes"], counts["edges"], counts["viewNodes"], counts["viewEdges"]
    return [f"This page shows {h_nodes:,} of the view's {g_nodes:,} entities: those "
            f"with the highest {measure_note}, and the {h_edges:,} relations among them. "
            f"Left out: {g_nodes - h_nodes:,} entities and {g_edges - h_edges:,} relations"
            + (f" (among them {counts['cutAlone']:,} of the top entities whose relations all lead outside the page: "
               "they are not drawn alone, as if they had none)" if counts.get("cutAlone") else "")
            + ". To see them, narrow the view "
            "(repnet viz --focus NAME --radius 2, --path A B, --class CLASS, --relation REL, --as-of DATE) "
            f"or raise the limits with --max-nodes N (now {max_nodes:,}) and --max-edges M (now {max_edges:,}); "
            f"pages above {MAX_NODES:,} entities or {MAX_EDGES:,} relations get slow."]


def legends(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    """The class and relation legends: each class and relation drawn, with its style and count."""
    classes = Counter(r["c"] for r in nodes)
    rels = Counter(r["r"] for r in edges)
    return {
        "classes": {c: {"color": CLASS_STYLE[c][0], "shape": CLASS_STYLE[c][1], "n": classes[c]}
                    for c in NODE_CLASSES if classes[c]},
        "relations": {r: {"color": RELATION_COLOR.get(r, OTHER_RELATION_COLOR), "label": r.replace("_", " "),
                          "about": RELATIONS.get(r, r), "directed": r not in UNDIRECTED_RELATIONS, "n": rels[r]}
                      for r in [*RELATIONS, *sorted(set(rels) - set(RELATIONS))] if rels[r]},
    }


MIN_SHOWN = 5
"""An overview page carries at least this many of each group's most central members (for opening it)."""
MEMBER_SPACING = 34.0
"""Spacing (page pixels) of an opened group's members on their spiral."""
"""An overview page carries at least this many of each group's most central members (for opening it)."""


def group_members(G: nx.MultiDiGraph, ov: Overview, scores: dict[Any, float], max_nodes: int, max_edges: int,
                  keep: Iterable[Any] = ()) -> tuple[nx.MultiDiGraph, dict[Any, Point]]:
    """The members an overview page carries (each group's most central ones, within the drawing
    limits), and where they go when their group is opened: on a sunflower spiral around the group's
    place, the most central in the middle. Members whose relations all lead to entities the page
    does not carry are left out (counted in ``H.graph["cut_alone"]``), as in any honest reduction."""
    per = max(MIN_SHOWN, max_nodes // max(1, len(ov.groups)))
    while True:
        chosen = {n for g in ov.groups for n in g.members[:per]} | {n for n in keep if n in G}
        alone = cut_alone(G, chosen, set(keep))
        H = induced(G, chosen - alone)
        if H.number_of_edges() <= max_edges or per <= 1:
            break
        per = max(1, per * max_edges // (2 * H.number_of_edges()))
    H.graph["cut_alone"] = len(alone)
    gpos = group_positions(ov, per)
    spiral = Spiral(MEMBER_SPACING)
    pos: dict[Any, Point] = {}
    for j, g in enumerate(ov.groups):
        for n in g.members:
            if n in H:
                pos[n] = spiral.place(gpos[j], 0.0)
    return H, pos


def group_positions(ov: Overview, per: int) -> dict[int, Point]:
    """Where the groups go: on a sunflower spiral, largest in the middle, far enough apart that an
    opened group's members (up to ``per``, on their own spiral) do not cover the next group.
    (A force layout of the groups put them on top of each other: most groups are linked to most.)"""
    spiral = Spiral(MEMBER_SPACING * (per ** 0.5) * 1.5)
    return {j: spiral.place((0.0, 0.0), 0.0) for j in range(len(ov.groups))}


def group_records(G: nx.MultiDiGraph, ov: Overview, H: nx.MultiDiGraph,
                  pos: dict[Any, Point]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The overview's groups and the links between them (see :func:`page_data`)."""
    top = max((len(g.members) for g in ov.groups), default=1)
    out = []
    for g in ov.groups:
        shown = [n for n in g.members if n in H]
        centre = pos[shown[0]] if shown else (0.0, 0.0)
        out.append({**group_summary(G, g), "shown": len(shown), "x": round(centre[0], 1), "y": round(centre[1], 1),
                    # as wide as its opened members' spiral, at least a readable dot
                    "s": round(max(24.0, 0.8 * MEMBER_SPACING * len(shown) ** 0.5 * (0.5 + 0.5 * (len(g.members) / top) ** 0.5)), 1)})
    return out, group_links(ov)


def group_summary(G: nx.MultiDiGraph, g: Group) -> dict[str, Any]:
    """What a group is (the offline overview's and the live explorer's): ``{l: label, n: members,
    p: persons, yrs: sentence-years, cls: {class: n}, top: [labels of its most central members],
    courts: [[label, n]], fac: [[label, n]], c: colour of its main class}``."""
    main = g.classes.most_common(1)[0][0] if g.classes else "Unknown"
    return {"l": g.label, "n": len(g.members), "p": g.persons, "yrs": round(g.years, 2),
            "cls": dict(g.classes.most_common()),
            "top": [str(G.nodes[n].get("label", n)) for n in g.members[:TOP_MEMBERS]],
            "courts": top_labels(G, g.courts), "fac": top_labels(G, g.facilities),
            "c": CLASS_STYLE[node_class(main)][0]}


def group_links(ov: Overview) -> list[dict[str, Any]]:
    """The links between an overview's groups: ``{a: j, b: j, n: relations, p: persons, y: sentence-years}``."""
    return [{"a": a, "b": b, "n": int(r["n"]), "p": int(r["p"]), "y": round(r["y"], 2)}
            for (a, b), r in sorted(ov.links.items())]


def group_notes(ov: Overview, counts: dict[str, int], measure_note: str) -> list[str]:
    """What an overview page says it shows, what it left out, and how to see the rest."""
    how = {"community": "Louvain communities", "class": "class"}.get(ov.by, ov.by.replace("-", " "))
    merged = next((g.merged for g in ov.groups if g.merged), 0)
    text = (f"This view has {counts['viewNodes']:,} entities and {counts['viewEdges']:,} relations, too many to draw one by "
            f"one: the page draws them as {len(ov.groups):,} groups ({how}"
            + (f"; the {merged:,} smallest together as one group" if merged else "")
            + "), sized by their members and linked by the relations between them. Click a group to open it in place: "
            f"the page carries the {counts['nodes']:,} most central members by {measure_note}, and the "
            f"{counts['edges']:,} relations among them")
    if counts.get("cutAlone"):
        text += (f"; {counts['cutAlone']:,} of them whose relations all lead outside the page are left out "
                 "(not drawn alone, as if they had none)")
    return [text + ". To see every member, narrow the view (repnet viz --focus NAME --radius 2, --class, --relation) "
            "or explore the whole store live (repnet serve, then /explore)."]
