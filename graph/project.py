"""The store -> a NetworkX graph of the entities analysts think in and the relations between them.

The RDF graph keeps every fact on an event node (a sentence carries its court, judge, date and
term). Analysts think in entity-to-entity relations ("she was sentenced by this court", "they were
freed in this round, which that government negotiated"), so the projection turns each event into
edges between the entities it links, and copies the event's date, term and source onto them.

Nodes (attribute ``class``)::

    Person        a person who is none of the below
    Judge         a person who presided over a sentence or verdict, or whose occupation is judge
    Prosecutor    a person who prosecuted a trial or verdict, or whose occupation is prosecutor
    Organization  org:Organization (human-rights groups, media, parties, agencies)
    Court         an organization classified as a court
    Government    an organization classified as a government
    Facility      a detention facility (org:Site)
    Offence       rpn:Offence, as a source names it
    Article       a criminal-code article (eli:LegalResourceSubdivision)
    ReleaseRound  rpn:MassRelease
    Country       schema:Country (the country a government serves)
    Place         another place (where a sentence was passed when the source names no court)

Edges (attribute ``relation``; the first node is the edge's tail)::

    member_of      person -> organization, court or government     org:Membership
    sentenced_by   person -> court or judge                        rpn:Sentence: its court and presiding
                                                                    judge, or those of its verdict
    sentenced_in   person -> place                                 a Sentence that names no court, only
                                                                    where it was passed ("a court in Minsk")
    prosecuted_by  person -> prosecutor                            rpn:Trial, rpn:Verdict
    held_at        person -> facility                              rpn:Detention, rpn:ReturnToCustody
    charged_under  person -> offence or article                    rpn:Charge (stage "charge"), a
                                                                    Sentence's convictions ("conviction"),
                                                                    an administrative detention's offence
                                                                    ("administrative")
    defined_by     offence -> article                              rpn:definedBy
    co_defendant   person -> person                                the same criminal case, or else the
                                                                    same trial or verdict
    released_in    person -> release round                         a release's schema:superEvent
    released_by    person or release round -> government or person rpn:grantedBy
    negotiated_by  release round -> government or organization     a party or the leader of the
                                                                    negotiation the round resulted from
    government_of  government -> country                           schema:areaServed

``government_of`` is there so that a question about a country ("how is X connected to the United
States?") reaches the government that acts for it: the sources name the government as the party
to a negotiation, and the country as what it serves.

Edge attributes are plain Python values (``str``, ``float``, ``bool``), and an attribute is left
out rather than set to None, so ``networkx.write_gexf`` and ``write_graphml`` accept the graph:

    source     the source id(s) stating the linking triples, "; "-joined when several
    event      the IRI of the event node the edge comes from (the case for co_defendant, the
               negotiation for negotiated_by, the entity itself for defined_by and government_of)
    date       the event's date as the source gives it: "2023-06", "2025-12-13", "2022"
    since      the day by which the event had surely begun (ISO date): its latest possible start,
               else its earliest, else (detentions) the latest start of its legal basis
    until      the earliest day it may have ended (ISO date), for events with an end
    years      sentence term in years (float), on every edge a sentence gives
    penalty, role, stage, kind, detention_type, negotiation, led, case: per relation, see above

Views choose node classes, relations and an "as of" day (:func:`view`). A view as of a day keeps
the edges whose event had begun by that day (``since`` on or before it) and had not ended before
it (``until`` on or after it); edges without a date (most memberships, undated charges) are in
every view, because the sources do not place them in time. Nodes without an edge in the view are
left out.

Restricted facts (ill-treatment, health, and any field a source marks restricted) stay out of the
projection unless ``restricted=True``: the projection feeds public exports (GEXF, GraphML, CSV).

The projection runs a few SPARQL SELECTs (DISTINCT, because the union of the source graphs repeats
a row that several sources state) and converts every RDF term through :mod:`repnet.graph.terms`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .errors import UsageError
from .query import UnknownName, resolve_name
from .store import EmbeddedStore
from .terms import to_python

RPN = "https://w3id.org/repnet/ontology#"
RPNC = "https://w3id.org/repnet/concept/"

NODE_CLASSES = ("Person", "Judge", "Prosecutor", "Organization", "Court", "Government", "Facility",
                "Offence", "Article", "ReleaseRound", "Country", "Place")
PERSON_CLASSES = frozenset({"Person", "Judge", "Prosecutor"})

RELATIONS: dict[str, str] = {
    "member_of": "person -> organization, court or government (membership)",
    "sentenced_by": "person -> court or judge (sentence, or its verdict)",
    "sentenced_in": "person -> place where a sentence naming no court was passed",
    "prosecuted_by": "person -> prosecutor (trial or verdict)",
    "held_at": "person -> detention facility (detention, return to custody)",
    "charged_under": "person -> offence or article (charge, conviction, administrative offence)",
    "defined_by": "offence -> criminal-code article",
    "co_defendant": "person -> person in the same case, trial or verdict",
    "released_in": "person -> release round",
    "released_by": "person or release round -> who granted the release",
    "negotiated_by": "release round -> party to the negotiation behind it",
    "government_of": "government -> the country it serves",
}
RELEASE_RELATIONS = frozenset({"released_in", "released_by"})


# ---------------------------------------------------------------------------- queries
# Every query selects ?e (the event), ?a (tail), ?b (head) and one ?g... variable per linking triple;
# extra variables become edge attributes through the relation's ``extra`` handler.
_Q: dict[str, str] = {
    "member_of": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 WHERE { GRAPH ?g1 { ?e org:member ?a } GRAPH ?g2 { ?e org:organization ?b } }""",
    "sentenced_by": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 ?g3 WHERE {
  VALUES ?link { rpn:court rpn:presidingJudge }
  GRAPH ?g1 { ?e rpn:sentencedPerson ?a }
  { GRAPH ?g2 { ?e ?link ?b } } UNION { GRAPH ?g2 { ?e rpn:verdict ?v } GRAPH ?g3 { ?v ?link ?b } }
}""",
    "sentenced_in": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 WHERE { GRAPH ?g1 { ?e rpn:sentencedPerson ?a } GRAPH ?g2 { ?e schema:location ?b } }""",
    "prosecuted_by": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 WHERE { GRAPH ?g1 { ?e rpn:defendant ?a } GRAPH ?g2 { ?e rpn:prosecutor ?b } }""",
    "held_at": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 WHERE {
  { GRAPH ?g1 { ?e rpn:detainedPerson ?a } } UNION { GRAPH ?g1 { ?e rpn:returnedPerson ?a } }
  GRAPH ?g2 { ?e rpn:heldAt ?b }
}""",
    "charged_under": """
SELECT DISTINCT ?e ?a ?b ?stage ?g1 ?g2 WHERE {
  { GRAPH ?g1 { ?e rpn:chargedPerson ?a } VALUES ?link { rpn:offence rpn:underProvision } BIND("charge" AS ?stage) }
  UNION { GRAPH ?g1 { ?e rpn:sentencedPerson ?a } VALUES ?link { rpn:convictedOf rpn:convictedUnder } BIND("conviction" AS ?stage) }
  UNION { GRAPH ?g1 { ?e rpn:detainedPerson ?a } BIND(rpn:offence AS ?link) BIND("administrative" AS ?stage) }
  GRAPH ?g2 { ?e ?link ?b }
}""",
    "defined_by": """
SELECT DISTINCT ?e ?a ?b ?g1 WHERE { GRAPH ?g1 { ?a rpn:definedBy ?b } BIND(?a AS ?e) }""",
    "co_defendant": """
SELECT DISTINCT ?e ?a ?g1 WHERE {
  { GRAPH ?g1 { ?x rpn:defendant ?a }
    OPTIONAL { ?x rpn:inCase ?c1 } OPTIONAL { ?x rpn:ofTrial ?t OPTIONAL { ?t rpn:inCase ?c2 } }
    BIND(COALESCE(?c1, ?c2, ?t, ?x) AS ?e) }
  UNION { GRAPH ?g1 { ?x rpn:chargedPerson ?a ; rpn:inCase ?e } }
}""",
    "released_in": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 WHERE { GRAPH ?g1 { ?e rpn:releasedPerson ?a } GRAPH ?g2 { ?e schema:superEvent ?b } }""",
    "released_by": """
SELECT DISTINCT ?e ?a ?b ?g1 ?g2 WHERE {
  { GRAPH ?g1 { ?e rpn:releasedPerson ?a } } UNION { GRAPH ?g1 { ?e a rpn:MassRelease } BIND(?e AS ?a) }
  GRAPH ?g2 { ?e rpn:grantedBy ?b }
}""",
    "negotiated_by": """
SELECT DISTINCT ?e ?a ?b ?leader ?g1 ?g2 WHERE {
  ?a a rpn:MassRelease .
  { GRAPH ?g1 { ?a rpn:resultOf ?e } } UNION { GRAPH ?g1 { ?e rpn:hasOutcome ?a } }
  { GRAPH ?g2 { ?e rpn:party ?b } } UNION { GRAPH ?g2 { ?e rpn:ledBy ?b } }
  OPTIONAL { ?e rpn:ledBy ?leader }
}""",
    "government_of": """
SELECT DISTINCT ?e ?a ?b ?g1 WHERE { GRAPH ?g1 { ?a schema:areaServed ?b } ?b a schema:Country BIND(?a AS ?e) }""",
}

_DATES = """
SELECT DISTINCT ?e ?date ?es ?ls ?ee WHERE {
  VALUES ?c { org:Membership rpn:Sentence rpn:Detention rpn:ReturnToCustody rpn:Charge rpn:Release
              rpn:MassRelease rpn:CriminalCase rpn:Trial rpn:Verdict }
  ?e a ?c .
  OPTIONAL { ?e schema:startDate ?date } OPTIONAL { ?e rpn:earliestStart ?es } OPTIONAL { ?e rpn:latestStart ?ls }
  OPTIONAL { ?e rpn:earliestEnd ?ee }
}"""
_DETENTIONS = """
SELECT DISTINCT ?e ?type ?bs WHERE {
  ?e rpn:heldAt ?f . OPTIONAL { ?e rpn:detentionType ?type } OPTIONAL { ?e rpn:legalBasis/rpn:latestStart ?bs }
}"""
_SENTENCES = """
SELECT DISTINCT ?e ?years ?penalty WHERE {
  ?e a rpn:Sentence . OPTIONAL { ?e rpn:termYears ?years } OPTIONAL { ?e rpn:penaltyType ?penalty }
}"""
_ROLES = "SELECT DISTINCT ?e ?role WHERE { ?e a org:Membership ; org:role ?role }"
_RELEASE_KINDS = """
SELECT DISTINCT ?e ?c WHERE { VALUES ?c { rpn:Pardon rpn:Expulsion } ?e a ?c ; rpn:releasedPerson ?p }"""
_CLASSES = """
SELECT DISTINCT ?e ?c WHERE {
  VALUES ?c { schema:Person org:Organization schema:GovernmentOrganization org:Site schema:Country schema:Place
              rpn:Offence eli:LegalResourceSubdivision rpn:MassRelease }
  ?e a ?c
}"""
_KINDS = """
SELECT DISTINCT ?e ?k WHERE {
  { ?e org:classification ?k } UNION
  { VALUES ?k { <https://w3id.org/repnet/concept/occupation/judge> <https://w3id.org/repnet/concept/occupation/prosecutor> }
    ?e schema:hasOccupation ?k }
}"""
_LABELS = "SELECT DISTINCT ?e ?l WHERE { ?e skos:prefLabel ?l }"

_TYPE_CLASS = {
    "http://www.w3.org/ns/org#Site": "Facility",
    "https://schema.org/Country": "Country",
    f"{RPN}MassRelease": "ReleaseRound",
    f"{RPN}Offence": "Offence",
    "http://data.europa.eu/eli/ontology#LegalResourceSubdivision": "Article",
    "https://schema.org/Person": "Person",
    "http://www.w3.org/ns/org#Organization": "Organization",
    "https://schema.org/GovernmentOrganization": "Organization",
    "https://schema.org/Place": "Place",
}
# when an entity has several of the types above, the first class in this order wins
_CLASS_ORDER = ("Facility", "Country", "ReleaseRound", "Offence", "Article", "Person", "Organization", "Place")


def _local(iri: str) -> str:
    """The last path segment of an IRI: '.../concept/role/founder' -> 'founder'."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _source_id(graph: str) -> str:
    """'<base>graph/hrw-2025-12-15-belarus/restricted' -> 'hrw-2025-12-15-belarus'."""
    return graph.split("/graph/", 1)[-1].removesuffix("/restricted")


def _iso(value: Any) -> str | None:
    value = to_python(value)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@dataclass
class _Edge:
    relation: str
    tail: str
    head: str
    event: str
    sources: set[str] = field(default_factory=set)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Event:
    date: str | None = None
    since: str | None = None
    until: str | None = None


def _parse_day(value: str | dt.date | None, what: str = "as of") -> str | None:
    if value is None or isinstance(value, dt.date):
        return value.isoformat() if value else None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UsageError(f"{what} '{value}': give a day, YYYY-MM-DD (e.g. 2025-12-13)") from None


def check_view(classes: Collection[str] | None = None, relations: Collection[str] | None = None) -> None:
    """Raise UsageError for an unknown class or relation name."""
    for c in classes or ():
        if c not in NODE_CLASSES:
            raise UsageError(f"unknown class '{c}'. Classes: {', '.join(NODE_CLASSES)}")
    for r in relations or ():
        if r not in RELATIONS:
            raise UsageError(f"unknown relation '{r}'. Relations: {', '.join(RELATIONS)}")


def project(store: EmbeddedStore, *, classes: Collection[str] | None = None,
            relations: Collection[str] | None = None, as_of: str | dt.date | None = None,
            restricted: bool = False) -> nx.MultiDiGraph:
    """Project the store into a directed multigraph of entities (see the module docstring).

    Parameters
    ----------
    store : EmbeddedStore
        An open store (``repnet.graph.store.open_store`` or ``memory_store``).
    classes : collection of str, optional
        Keep only nodes of these classes (:data:`NODE_CLASSES`) and the edges between them.
    relations : collection of str, optional
        Keep only these relations (:data:`RELATIONS`); only their queries run.
    as_of : str or datetime.date, optional
        Keep only the edges that held on this day (YYYY-MM-DD); see :func:`view`.
    restricted : bool, default False
        Also project facts from restricted graphs (never for public exports).

    Returns
    -------
    networkx.MultiDiGraph
        Node ids are entity IRIs with attributes ``label`` and ``class``; each edge has the key
        ``"<relation> <event IRI>"`` and plain-Python attributes.

    Examples
    --------
    >>> from repnet.graph.dataset import load_dataset
    >>> from repnet.graph.store import memory_store
    >>> G = project(memory_store(load_dataset(None).quads()))
    >>> rabkova = "https://w3id.org/repnet/id/person/marfa-rabkova"
    >>> sorted(G.nodes[v]["label"] for v in G.successors(rabkova))[:2]
    ['Homiel penal colony No. 4', 'Minsk']
    """
    check_view(classes, relations)
    day = _parse_day(as_of)
    wanted = [r for r in RELATIONS if relations is None or r in relations]
    if "sentenced_in" in wanted and "sentenced_by" not in wanted:
        wanted.append("sentenced_by")  # to know which sentences name a court
    graphs = None if restricted else [g for g in store.named_graphs() if not g.endswith("/restricted")]

    def rows(sparql: str) -> Iterable[dict[str, Any]]:
        result = store.query(sparql, graphs=graphs)
        names = [v.value for v in result.variables]
        for sol in result:
            yield {n: sol[n] for n in names}

    def public(row: dict[str, Any]) -> set[str] | None:
        """The source ids of the row's graphs; None when one of them is restricted and we skip those."""
        gs = {row[k].value for k in row if k.startswith("g") and row[k] is not None}
        if not restricted and any(g.endswith("/restricted") for g in gs):
            return None
        return {_source_id(g) for g in gs}

    edges: dict[tuple[str, str, str, str], _Edge] = {}

    def add(relation: str, event: str, a: str, b: str, sources: set[str], **attrs: Any) -> _Edge:
        key = (relation, event, a, b)
        e = edges.get(key)
        if e is None:
            e = edges[key] = _Edge(relation, a, b, event)
        e.sources |= sources
        e.attrs.update({k: v for k, v in attrs.items() if v is not None})
        return e

    for relation in wanted:
        if relation == "co_defendant":
            cases: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for row in rows(_Q[relation]):
                src = public(row)
                if src is not None:
                    cases[row["e"].value][row["a"].value] |= src
            for case, people in cases.items():
                ps = sorted(people)
                for i, a in enumerate(ps):
                    for b in ps[i + 1:]:
                        add(relation, case, a, b, people[a] | people[b], case=case)
            continue
        for row in rows(_Q[relation]):
            src = public(row)
            if src is None:
                continue
            attrs: dict[str, Any] = {}
            if relation == "charged_under":
                attrs["stage"] = to_python(row["stage"])
            elif relation == "negotiated_by":
                attrs["negotiation"] = row["e"].value
                attrs["led"] = row["leader"] is not None and row["leader"].value == row["b"].value
            add(relation, row["e"].value, row["a"].value, row["b"].value, src, **attrs)

    # sentences that name a court: no sentenced_in edge for them
    by_court = {e.event for e in edges.values() if e.relation == "sentenced_by"}
    for k in [k for k, e in edges.items() if e.relation == "sentenced_in" and e.event in by_court]:
        del edges[k]
    if relations is not None:
        for k in [k for k, e in edges.items() if e.relation not in relations]:
            del edges[k]

    # event attributes: dates, terms, roles, kinds
    events: dict[str, _Event] = {}
    for row in rows(_DATES):
        ev = events.setdefault(row["e"].value, _Event())
        date, es, ls, ee = (_iso(row[k]) for k in ("date", "es", "ls", "ee"))
        start = ls or es
        ev.date = min(filter(None, (ev.date, date)), default=None)
        ev.since = min(filter(None, (ev.since, start)), default=None)
        ev.until = min(filter(None, (ev.until, ee)), default=None)
    rels = {e.relation for e in edges.values()}
    sentence: dict[str, dict[str, Any]] = {}
    if rels & {"sentenced_by", "sentenced_in", "charged_under"}:
        for row in rows(_SENTENCES):
            y = to_python(row["years"])
            s = sentence.setdefault(row["e"].value, {})
            if y is not None:
                s["years"] = float(y)
            if row["penalty"] is not None:
                s["penalty"] = _local(row["penalty"].value)
    detention: dict[str, dict[str, Any]] = {}
    if "held_at" in rels:
        for row in rows(_DETENTIONS):
            d = detention.setdefault(row["e"].value, {})
            if row["type"] is not None:
                d["detention_type"] = _local(row["type"].value)
            bs = _iso(row["bs"])
            if bs and (d.get("basis") is None or bs < d["basis"]):
                d["basis"] = bs
    roles: dict[str, list[str]] = defaultdict(list)
    if "member_of" in rels:
        for row in rows(_ROLES):
            roles[row["e"].value].append(_local(row["role"].value))
    kinds: dict[str, set[str]] = defaultdict(set)
    if "released_in" in rels or "released_by" in rels:
        for row in rows(_RELEASE_KINDS):
            kinds[row["e"].value].add(_local(row["c"].value).lower())

    # nodes: classes and labels
    ends = {n for e in edges.values() for n in (e.tail, e.head)}
    types: dict[str, set[str]] = defaultdict(set)
    for row in rows(_CLASSES):
        n = row["e"].value
        if n in ends:
            types[n].add(_TYPE_CLASS[row["c"].value])
    flags: dict[str, set[str]] = defaultdict(set)
    for row in rows(_KINDS):
        n = row["e"].value
        if n in ends:
            flags[n].add(_local(row["k"].value))
    for e in edges.values():
        if e.relation == "sentenced_by":
            flags[e.head].add("presides")
        elif e.relation == "prosecuted_by":
            flags[e.head].add("prosecutes")
    labels: dict[str, tuple[int, str]] = {}
    for row in rows(_LABELS):
        n = row["e"].value
        if n in ends:
            lit = row["l"]
            rank = 0 if lit.language == "en" else 1 if not lit.language else 2
            text = str(to_python(lit))
            if n not in labels or (rank, text) < labels[n]:
                labels[n] = (rank, text)

    G = nx.MultiDiGraph()
    for n in sorted(ends):
        G.add_node(n, label=labels[n][1] if n in labels else _local(n), **{"class": _node_class(types[n], flags[n])})
    for e in sorted(edges.values(), key=lambda e: (e.relation, e.tail, e.head, e.event)):
        attrs = {"relation": e.relation, "source": "; ".join(sorted(e.sources)), "event": e.event}
        dated = e.tail if e.relation == "negotiated_by" else e.event  # a negotiation is dated by its round
        ev = events.get(dated)
        if e.relation in ("sentenced_by", "sentenced_in") or (e.relation == "charged_under" and e.attrs.get("stage") == "conviction"):
            attrs.update(sentence.get(e.event, {}))
        if e.relation == "held_at":
            det = detention.get(e.event, {})
            if "detention_type" in det:
                attrs["detention_type"] = det["detention_type"]
            if ev is not None and ev.since is None and det.get("basis"):
                ev = _Event(ev.date, det["basis"], ev.until)
        if e.relation == "member_of" and roles.get(e.event):
            attrs["role"] = ", ".join(sorted(set(roles[e.event])))
        if e.relation in RELEASE_RELATIONS and e.tail != e.event:
            k = kinds.get(e.event, set())
            attrs["kind"] = ", ".join(sorted(k)) if k else "release"
        if ev is not None:
            attrs.update({k: v for k, v in (("date", ev.date), ("since", ev.since), ("until", ev.until)) if v})
        attrs.update(e.attrs)
        G.add_edge(e.tail, e.head, key=f"{e.relation} {e.event}", **attrs)
    if classes is not None or day is not None:
        G = view(G, classes=classes, as_of=day)
    return G


def _node_class(types: set[str], flags: set[str]) -> str:
    cls = next((c for c in _CLASS_ORDER if c in types), "Organization" if "court" in flags or "government" in flags else "Place")
    if cls == "Organization":
        if "court" in flags:
            return "Court"
        if "government" in flags:
            return "Government"
    if cls == "Person":
        if "presides" in flags or "judge" in flags:
            return "Judge"
        if "prosecutes" in flags or "prosecutor" in flags:
            return "Prosecutor"
    return cls


def view(G: nx.MultiDiGraph, *, classes: Collection[str] | None = None, relations: Collection[str] | None = None,
         as_of: str | dt.date | None = None) -> nx.MultiDiGraph:
    """A new graph with only some classes, relations, or the edges that held on one day.

    An edge holds on a day when its ``since`` is on or before the day (or absent) and its
    ``until`` is on or after the day (or absent). Nodes left without an edge are dropped.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projection (:func:`project`).
    classes, relations : collection of str, optional
        Node classes and relations to keep.
    as_of : str or datetime.date, optional
        The day, YYYY-MM-DD.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", label="P", **{"class": "Person"}); G.add_node("r", label="R", **{"class": "ReleaseRound"})
    >>> G.add_node("o", label="O", **{"class": "Organization"})
    >>> _ = G.add_edge("p", "r", relation="released_in", since="2025-12-13")
    >>> _ = G.add_edge("p", "o", relation="member_of")
    >>> sorted(view(G, as_of="2025-12-12").nodes), sorted(view(G, as_of="2025-12-13").nodes)
    (['o', 'p'], ['o', 'p', 'r'])
    """
    check_view(classes, relations)
    day = _parse_day(as_of)
    cls = set(classes) if classes is not None else None
    rel = set(relations) if relations is not None else None
    nodes = G.nodes
    keep = []
    for u, v, k, d in G.edges(keys=True, data=True):
        if rel is not None and d.get("relation") not in rel:
            continue
        if cls is not None and (nodes[u].get("class") not in cls or nodes[v].get("class") not in cls):
            continue
        if day is not None:
            since, until = d.get("since"), d.get("until")
            if (since is not None and since > day) or (until is not None and until < day):
                continue
        keep.append((u, v, k))
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    used = {n for u, v, _ in keep for n in (u, v)}
    H.add_nodes_from((n, G.nodes[n]) for n in G.nodes if n in used)
    H.add_edges_from((u, v, k, G.edges[u, v, k]) for u, v, k in keep)
    return H


def node_for(store: EmbeddedStore, G: nx.Graph, name: str) -> str:
    """The node an IRI, label or name variant names (as ``repnet query`` resolves names).

    Raises UnknownName when the name matches no entity or several, or when the entity it names
    has no relation in this view of the network.
    """
    iri = resolve_name(store, name)
    if iri not in G:
        raise UnknownName(f"'{name}' (<{iri}>) has no relation in this view of the network.\n"
                          "Widen the view (fewer --relation/--class limits, a later --as-of) or check the name.")
    return iri
