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
    Unknown       an entity the visible graphs name but do not type (its own record is restricted,
                  or stated by no served graph): never guessed from the relation that names it

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

Reading the store: one plain SELECT per predicate and source graph (``SELECT ?s ?o WHERE { ?s <p>
?o }``; the graph read tells each triple's source), joined in Python, and a few DISTINCT SELECTs
over the union of the graphs for classes, labels and date bounds (DISTINCT because the union
repeats a row that several sources state). Every RDF term goes through :mod:`repnet.graph.terms`.
On disk, Oxigraph spends most of a query turning stored ids back into IRIs and literals, and an
OPTIONAL costs an index seek per row, so these scans beat joins written in SPARQL. Even so,
projecting 100,000 synthetic persons from disk takes a minute or two on a 2-core machine:
:func:`network` caches the projection of each store generation (the CLI uses it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from ..errors import UsageError
from ..ask.query import UnknownName, resolve_name
from ..ingest.records import parse_date
from ..iris import source_id
from ..store.embedded import EmbeddedStore, current_path
from ..terms import to_python

RPN = "https://w3id.org/repnet/ontology#"

NODE_CLASSES = ("Person", "Judge", "Prosecutor", "Organization", "Court", "Government", "Facility",
                "Offence", "Article", "ReleaseRound", "Country", "Place", "Unknown")
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
CACHE_KEEP = 4


# ---------------------------------------------------------------------------- reading the store
# On-disk Oxigraph spends most of a query's time turning stored ids back into IRIs and literals,
# and an OPTIONAL costs an index seek per row. So the projection reads each predicate it needs
# with one plain scan per source graph (which also tells each triple's source without decoding a
# graph name per row) and joins in Python; the few other reads are DISTINCT over the union.
_O = "http://www.w3.org/ns/org#"
_S = "https://schema.org/"
_P = {  # short name -> predicate IRI, read per source graph
    "member": f"{_O}member", "organization": f"{_O}organization", "role": f"{_O}role",
    "sentenced": f"{RPN}sentencedPerson", "court": f"{RPN}court", "judge": f"{RPN}presidingJudge",
    "verdict": f"{RPN}verdict", "location": f"{_S}location", "penalty": f"{RPN}penaltyType",
    "years": f"{RPN}termYears", "convictedOf": f"{RPN}convictedOf", "convictedUnder": f"{RPN}convictedUnder",
    "defendant": f"{RPN}defendant", "prosecutor": f"{RPN}prosecutor", "inCase": f"{RPN}inCase",
    "ofTrial": f"{RPN}ofTrial", "detained": f"{RPN}detainedPerson", "returned": f"{RPN}returnedPerson",
    "heldAt": f"{RPN}heldAt", "basis": f"{RPN}legalBasis", "charged": f"{RPN}chargedPerson",
    "offence": f"{RPN}offence", "provision": f"{RPN}underProvision", "definedBy": f"{RPN}definedBy",
    "released": f"{RPN}releasedPerson", "superEvent": f"{_S}superEvent", "grantedBy": f"{RPN}grantedBy",
    "resultOf": f"{RPN}resultOf", "hasOutcome": f"{RPN}hasOutcome", "party": f"{RPN}party",
    "ledBy": f"{RPN}ledBy", "areaServed": f"{_S}areaServed", "start": f"{_S}startDate", "end": f"{_S}endDate",
    "startAfter": f"{RPN}startAfter", "startBefore": f"{RPN}startBefore", "endAfter": f"{RPN}endAfter",
    "endBefore": f"{RPN}endBefore",
}
_SCAN = "SELECT ?s ?o WHERE { ?s <%s> ?o }"
# bounds of dates a source gives only as "after ..." or "before ...", which have no schema:startDate
_BOUNDS = """
SELECT ?e ?es ?ls ?ee WHERE {
  { { ?e rpn:earliestStart ?es } UNION { ?e rpn:latestStart ?ls } MINUS { ?e schema:startDate ?d } }
  UNION { ?e rpn:earliestEnd ?ee MINUS { ?e schema:endDate ?d2 } }
}"""
_DETENTION_TYPES = "SELECT DISTINCT ?e ?t WHERE { ?e rpn:heldAt ?f ; rpn:detentionType ?t }"
_RELEASE_TYPES = "SELECT DISTINCT ?e ?c WHERE { VALUES ?c { rpn:Pardon rpn:Expulsion } ?e a ?c }"
_CLASSES = """
SELECT DISTINCT ?e ?c WHERE {
  VALUES ?c { schema:Person org:Organization schema:GovernmentOrganization org:Site schema:Country schema:Place
              rpn:Offence eli:LegalResourceSubdivision rpn:MassRelease }
  ?e a ?c
}"""
_FLAGS = """
SELECT DISTINCT ?e ?k WHERE {
  { ?e a schema:GovernmentOrganization ; org:classification ?k } UNION
  { VALUES ?k { <https://w3id.org/repnet/concept/occupation/judge> <https://w3id.org/repnet/concept/occupation/prosecutor> }
    ?e schema:hasOccupation ?k }
}"""
_ROUNDS = "SELECT DISTINCT ?e WHERE { ?e a rpn:MassRelease }"
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

Pairs = dict[str, list[tuple[str, str]]]  # subject -> [(object, source id)]


def _local(iri: str) -> str:
    """The last path segment of an IRI: '.../concept/role/founder' -> 'founder'."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _plain(term: Any) -> Any:
    """An RDF term -> a plain value (via terms.to_python); dates as ISO strings."""
    value = to_python(term)
    return value.isoformat() if isinstance(value, dt.date) else value


def _bound(text: str, end: bool) -> str | None:
    """The latest start ('2023-06' -> '2023-06-30') or earliest end ('2023-06' -> '2023-06-01') a date allows."""
    try:
        d = parse_date(text)
    except ValueError:
        return None
    day = d.earliest if end else d.latest
    return day.isoformat() if day else None


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


class _Reader:
    """Scans of the store: one predicate at a time, per source graph."""

    def __init__(self, store: EmbeddedStore, restricted: bool):
        self.store = store
        self.restricted = restricted
        names = store.named_graphs()
        self.sources = [g for g in names if "graph/" in g and not g.endswith(("graph/meta", "graph/vocabulary"))
                        and (restricted or not g.endswith("/restricted"))]
        self.public = None if restricted else [g for g in names if not g.endswith("/restricted")]
        self.pairs: dict[str, Pairs] = {}

    def __getitem__(self, name: str) -> Pairs:
        if name not in self.pairs:
            out: Pairs = defaultdict(list)
            for g in self.sources:
                sid = source_id(g)
                for s, o in self.store.query(_SCAN % _P[name], graphs=[g]):
                    # interned: an IRI read under several predicates is one string in memory
                    out[sys.intern(s.value)].append((sys.intern(o.value) if isinstance(o, ox.NamedNode) else _plain(o), sid))
            self.pairs[name] = out
        return self.pairs[name]

    def rows(self, sparql: str) -> Iterable[tuple[Any, ...]]:
        """Rows of a SELECT over the union of the graphs the projection may read."""
        return (tuple(sol) for sol in self.store.query(sparql, graphs=self.public))


@dataclass
class _Edges:
    items: dict[tuple[str, str, str, str], tuple[set[str], dict[str, Any]]] = field(default_factory=dict)

    def add(self, relation: str, event: str, a: str, b: str, sources: Iterable[str], **attrs: Any) -> None:
        key = (relation, event, a, b)
        if key not in self.items:
            self.items[key] = (set(), {})
        src, at = self.items[key]
        src.update(sources)
        at.update({k: v for k, v in attrs.items() if v is not None})


def project(store: EmbeddedStore, *, classes: Collection[str] | None = None,
            relations: Collection[str] | None = None, as_of: str | dt.date | None = None,
            restricted: bool = False) -> nx.MultiDiGraph:
    """Project the store into a directed multigraph of entities (see the module docstring).

    Parameters
    ----------
    store : EmbeddedStore
        An open store (``repnet.graph.store.embedded.open_store`` or ``memory_store``).
    classes : collection of str, optional
        Keep only nodes of these classes (:data:`NODE_CLASSES`) and the edges between them.
    relations : collection of str, optional
        Keep only these relations (:data:`RELATIONS`); only what they need is read.
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
    >>> from repnet.graph.ingest.dataset import load_dataset
    >>> from repnet.graph.ingest.build import in_memory
    >>> G = project(in_memory(load_dataset(None)))
    >>> rabkova = "https://w3id.org/repnet/id/person/marfa-rabkova"
    >>> sorted(G.nodes[v]["label"] for v in G.successors(rabkova))[:2]
    ['Homiel penal colony No. 4', 'Minsk']
    """
    check_view(classes, relations)
    day = _parse_day(as_of)
    wanted = [r for r in RELATIONS if relations is None or r in relations]
    R = _Reader(store, restricted)
    E = _Edges()
    empty: list[tuple[str, str]] = []

    def objects(name: str, s: str) -> list[tuple[str, str]]:
        return R[name].get(s, empty)

    def connect(relation: str, people_of: str, head: str) -> None:
        """An edge person -> head for each event that ``people_of`` ties to persons and ``head`` to a target."""
        for e, people in R[people_of].items():
            for a, s1 in people:
                for b, s2 in objects(head, e):
                    E.add(relation, e, a, b, (s1, s2))

    # -- sentences: attributes shared by every edge a sentence gives
    def sentence_attrs(e: str) -> dict[str, Any]:
        at: dict[str, Any] = {}
        for y, _ in objects("years", e):
            at["years"] = float(y)
        for pen, _ in objects("penalty", e):
            at["penalty"] = _local(pen)
        return at

    if "member_of" in wanted:
        for e, people in R["member"].items():
            role = ", ".join(sorted({_local(r) for r, _ in objects("role", e)})) or None
            for a, s1 in people:
                for b, s2 in objects("organization", e):
                    E.add("member_of", e, a, b, (s1, s2), role=role)
    if "sentenced_by" in wanted or "sentenced_in" in wanted:
        for e, people in R["sentenced"].items():
            at = sentence_attrs(e)
            heads = [(b, (s2,)) for link in ("court", "judge") for b, s2 in objects(link, e)]
            heads += [(b, (s2, s3)) for v, s2 in objects("verdict", e) for link in ("court", "judge")
                      for b, s3 in objects(link, v)]
            named_court = bool(objects("court", e)) or any(objects("court", v) for v, _ in objects("verdict", e))
            for a, s1 in people:
                if "sentenced_by" in wanted:
                    for b, ss in heads:
                        E.add("sentenced_by", e, a, b, (s1, *ss), **at)
                if "sentenced_in" in wanted and not named_court:
                    for b, s2 in objects("location", e):
                        E.add("sentenced_in", e, a, b, (s1, s2), **at)
    if "prosecuted_by" in wanted:
        connect("prosecuted_by", "defendant", "prosecutor")
    if "held_at" in wanted:
        for people_of in ("detained", "returned"):
            connect("held_at", people_of, "heldAt")
    if "charged_under" in wanted:
        for link, heads, stage in (("charged", ("offence", "provision"), "charge"),
                                   ("sentenced", ("convictedOf", "convictedUnder"), "conviction"),
                                   ("detained", ("offence",), "administrative")):
            for e, people in R[link].items():
                targets = [(b, s2) for h in heads for b, s2 in objects(h, e)]
                if not targets:
                    continue
                at = sentence_attrs(e) if stage == "conviction" else {}
                for a, s1 in people:
                    for b, s2 in targets:
                        E.add("charged_under", e, a, b, (s1, s2), stage=stage, **at)
    if "defined_by" in wanted:
        for a, heads in R["definedBy"].items():
            for b, s1 in heads:
                E.add("defined_by", a, a, b, (s1,))
    if "co_defendant" in wanted:
        def case_of(x: str) -> str:
            for c, _ in objects("inCase", x):
                return c
            for t, _ in objects("ofTrial", x):
                for c, _ in objects("inCase", t):
                    return c
                return t
            return x

        cases: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for x, people in R["defendant"].items():
            case = case_of(x)
            for a, s1 in people:
                cases[case][a].add(s1)
        for x, people in R["charged"].items():
            for case, s2 in objects("inCase", x):
                for a, s1 in people:
                    cases[case][a].update((s1, s2))
        for case, members in cases.items():
            ps = sorted(members)
            for i, a in enumerate(ps):
                for b in ps[i + 1:]:
                    E.add("co_defendant", case, a, b, members[a] | members[b], case=case)
    rounds: set[str] = set()
    if {"released_by", "negotiated_by"} & set(wanted):
        rounds = {e.value for (e,) in R.rows(_ROUNDS)}
    if "released_in" in wanted:
        connect("released_in", "released", "superEvent")
    if "released_by" in wanted:
        connect("released_by", "released", "grantedBy")
        for r in rounds:
            for b, s2 in objects("grantedBy", r):
                E.add("released_by", r, r, b, (s2,))
    if "negotiated_by" in wanted:
        outcome_of: Pairs = defaultdict(list)
        for n, outs in R["hasOutcome"].items():
            for r, s1 in outs:
                outcome_of[r].append((n, s1))
        for r in rounds:
            for n, s1 in objects("resultOf", r) + outcome_of.get(r, []):
                leaders = {b for b, _ in objects("ledBy", n)}
                for b, s2 in objects("party", n) + objects("ledBy", n):
                    E.add("negotiated_by", n, r, b, (s1, s2), negotiation=n, led=b in leaders)
    if "government_of" in wanted:
        for a, heads in R["areaServed"].items():
            for b, s1 in heads:
                E.add("government_of", a, a, b, (s1,))

    # -- nodes: classes and labels
    ends = {n for (_, _, a, b) in E.items for n in (a, b)}
    types: dict[str, set[str]] = defaultdict(set)
    for e, c in R.rows(_CLASSES):
        if e.value in ends:
            types[e.value].add(_TYPE_CLASS[c.value])
    if "government_of" in wanted:  # only countries are served by a government here
        for key in [k for k in E.items if k[0] == "government_of" and "Country" not in types.get(k[3], ())]:
            del E.items[key]
        ends = {n for (_, _, a, b) in E.items for n in (a, b)}
    flags: dict[str, set[str]] = defaultdict(set)
    for e, k in R.rows(_FLAGS):
        if e.value in ends:
            flags[e.value].add(_local(k.value))
    for relation, _, _, b in E.items:
        if relation == "sentenced_by":
            flags[b].add("presides")
        elif relation == "prosecuted_by":
            flags[b].add("prosecutes")
    labels: dict[str, tuple[int, str]] = {}
    for e, lit in R.rows(_LABELS):
        n = e.value
        if n in ends:
            rank = 0 if lit.language == "en" else 1 if not lit.language else 2
            text = str(_plain(lit))
            if n not in labels or (rank, text) < labels[n]:
                labels[n] = (rank, text)

    # -- dates: as the source gives them, and the bounds an "as of" view compares
    date: dict[str, str] = {}
    since: dict[str, str] = {}
    until: dict[str, str] = {}
    for e, vals in R["start"].items():
        texts = sorted(str(v) for v, _ in vals)
        date[e] = texts[0]
        bounds = [b for b in (_bound(t, end=False) for t in texts) if b]
        if bounds:
            since[e] = min(bounds)
    # a date given only as a bound keeps its words: "after 2021-07", never the day 2021-07-01
    for name, word, target in (("startAfter", "after", date), ("startBefore", "before", date)):
        for e, vals in R[name].items():
            target.setdefault(e, f"{word} {sorted(str(v) for v, _ in vals)[0]}")
    end_date: dict[str, str] = {}
    for name, word in (("endAfter", "after"), ("endBefore", "before")):
        for e, vals in R[name].items():
            end_date.setdefault(e, f"{word} {sorted(str(v) for v, _ in vals)[0]}")
    for e, vals in R["end"].items():
        end_date[e] = sorted(str(v) for v, _ in vals)[0]  # a stated end wins over a bound
        bounds = [b for b in (_bound(str(v), end=True) for v, _ in vals) if b]
        if bounds:
            until[e] = min(bounds)
    latest: dict[str, str] = {}
    earliest: dict[str, str] = {}
    for e, es, ls, ee in R.rows(_BOUNDS):
        for term, target in ((ls, latest), (es, earliest), (ee, until)):
            if term is not None:
                iso = _plain(term)
                target[e.value] = min(iso, target.get(e.value, iso))
    for e in earliest.keys() | latest.keys():
        since.setdefault(e, latest.get(e) or earliest[e])  # "before X" gives a latest start, "after X" only an earliest
    detention_type: dict[str, str] = {}
    release_kind: dict[str, set[str]] = defaultdict(set)
    rels = {k[0] for k in E.items}
    if "held_at" in rels:
        detention_type = {e.value: _local(t.value) for e, t in R.rows(_DETENTION_TYPES)}
    if rels & RELEASE_RELATIONS:
        for e, c in R.rows(_RELEASE_TYPES):
            release_kind[e.value].add(_local(c.value).lower())

    G = nx.MultiDiGraph()
    for n in sorted(ends):
        G.add_node(n, label=labels[n][1] if n in labels else _local(n), **{"class": _node_class(types[n], flags[n])})
    for (relation, event, a, b) in sorted(E.items):
        sources, extra = E.items[(relation, event, a, b)]
        attrs: dict[str, Any] = {"relation": relation, "source": "; ".join(sorted(sources)), "event": event}
        dated = a if relation == "negotiated_by" else event  # a negotiation is dated by its round
        if dated in date:
            attrs["date"] = date[dated]
        start = since.get(dated)
        if relation == "held_at":
            if event in detention_type:
                attrs["detention_type"] = detention_type[event]
            if start is None:  # a detention without a start began by the time of its legal basis
                basis = sorted((since[x], x) for x, _ in objects("basis", event) if x in since)
                start = basis[0][0] if basis else None
                if basis and basis[0][1] in date:
                    attrs["basis_date"] = date[basis[0][1]]
        if start:
            attrs["since"] = start
        if dated in until:
            attrs["until"] = until[dated]
        if dated in end_date:
            attrs["end_date"] = end_date[dated]
        if relation in RELEASE_RELATIONS and a != event:
            attrs["kind"] = ", ".join(sorted(release_kind[event])) or "release"
        attrs.update(extra)
        G.add_edge(a, b, key=f"{relation} {event}", **attrs)
    if classes is not None or day is not None:
        G = view(G, classes=classes, as_of=day)
    return G


def _node_class(types: set[str], flags: set[str]) -> str:
    cls = next((c for c in _CLASS_ORDER if c in types), "Organization" if "court" in flags or "government" in flags else "Unknown")
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


# ---------------------------------------------------------------------------- cache
def cache_dir() -> Path:
    """Where projections are cached: ``$XDG_CACHE_HOME/repnet/networks`` (``~/.cache/...``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "repnet" / "networks"


def _cache_file(store: EmbeddedStore, restricted: bool) -> Path | None:
    """The cache file for this store generation, this projection code and networkx version."""
    location = getattr(store, "location", None)
    if not isinstance(location, Path):
        return None  # a store in memory, or a remote endpoint
    generation = current_path(location)
    if generation is None:
        return None
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    graphs = " ".join(_Reader(store, restricted).sources)  # what this projection may read
    key = hashlib.sha256(f"{generation}|{graphs}|{code}|{nx.__version__}".encode()).hexdigest()[:32]
    return cache_dir() / f"{key}.pickle"


def network(store: EmbeddedStore, *, classes: Collection[str] | None = None,
            relations: Collection[str] | None = None, as_of: str | dt.date | None = None,
            restricted: bool = False, cache: bool = True,
            progress: Any = None) -> nx.MultiDiGraph:  # progress: placeholder, the network developer's reports it
    """The projection of a store, read from a cache when this store generation was projected before.

    A build never changes a store generation (it makes a new one), so the full projection of a
    generation can be kept: in :func:`cache_dir`, one pickle per generation (and projection code),
    the newest :data:`CACHE_KEEP` kept. Reading it back takes seconds where projecting 100,000
    persons from disk takes minutes. Stores in memory are never cached. The view arguments are
    those of :func:`project`.

    Examples
    --------
    >>> from repnet.graph.ingest.dataset import load_dataset
    >>> from repnet.graph.ingest.build import in_memory
    >>> G = network(in_memory(load_dataset(None)), relations=["released_in"], as_of="2025-12-13")
    >>> sum(1 for _, d in G.nodes(data=True) if d["class"] == "Person")
    7
    """
    check_view(classes, relations)
    path = _cache_file(store, restricted) if cache else None
    G: nx.MultiDiGraph | None = None
    if path is not None and path.exists():
        try:
            with open(path, "rb") as f:
                G = pickle.load(f)  # our own file, in the user's cache directory
        except Exception:  # noqa: BLE001 - a damaged or foreign cache file is recomputed
            G = None
    if G is None:
        G = project(store, restricted=restricted)
        if path is not None and _cache_file(store, restricted) == path:  # the store was not swapped meanwhile
            _save(path, G)
    if classes is not None or relations is not None or as_of is not None:
        G = view(G, classes=classes, relations=relations, as_of=as_of)
    return G


def _save(path: Path, G: nx.MultiDiGraph) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(G, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        old = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[CACHE_KEEP:]
        for p in old:
            p.unlink(missing_ok=True)
    except OSError:  # a cache that cannot be written only costs time
        pass


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
