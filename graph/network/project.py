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

Which facts give which edge, with which attributes, is data: ``relations.yaml`` beside this module
(read into :data:`RELATION_TABLE`) states each relation's events and the property paths from an
event to the edge's tail and head, and :func:`project` is one generic loop over it (a relation per
``progress`` step), then the classes, labels and dates of what it found.

Reading the store: one plain SELECT per predicate and source graph (``SELECT ?s ?o WHERE { ?s <p>
?o }``; the graph read tells each triple's source), joined in Python, and a few DISTINCT SELECTs
over the union of the graphs for classes, labels and date bounds (DISTINCT because the union
repeats a row that several sources state). Every RDF term goes through :mod:`repnet.graph.terms`.
On disk, Oxigraph spends most of a read turning stored ids back into IRIs and literals, and an
OPTIONAL costs an index seek per row, so these scans beat joins written in SPARQL. From an embedded
store each read's rows are written by Oxigraph as SPARQL TSV results and split in Python, which
spares a term object per cell; from a store on disk, two worker processes make the reads ahead of
the join (:mod:`repnet.graph.store.readahead`, planned by :func:`_plan` from the relation table).
At 100,000 synthetic persons (2.1M rows read) on two cores this took the projection from 43 s to
30 s (TSV), then to 16 s (read-ahead). :func:`network` caches the projection of each store
generation (the CLI uses it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import yaml

from ...ontology.namespaces import expand
from ..ask.query import resolve_name
from ..dates import bound, parse_day
from ..errors import UnknownName, UsageError
from ..iris import is_derived, is_restricted, source_id
from ..progress import Progress, silent
from ..runtime import collector_paused
from ..store.base import Store
from ..store.embedded import EmbeddedStore
from ..store.layout import current_path
from ..terms import from_tsv, to_python

RPN = "https://w3id.org/repnet/ontology#"

NODE_CLASSES = ("Person", "Judge", "Prosecutor", "Organization", "Court", "Government", "Facility",
                "Offence", "Article", "ReleaseRound", "Country", "Place", "Unknown")
PERSON_CLASSES = frozenset({"Person", "Judge", "Prosecutor"})
CACHE_KEEP = 4
READ_WORKERS = 2  # processes that read ahead of the join from a store on disk (_Reader); 0: none
READ_AHEAD_BYTES = 64 << 20  # ... from a generation at least this large: the Belarus store (1 MB) projects
# in 20 ms, and starting the workers costs 0.3 s; 10,000 synthetic persons (260 MB) 2.1 -> 1.8 s
STAGE = "projecting the network"  # the stage every progress call of project() reports
TABLE = Path(__file__).with_name("relations.yaml")  # the relations as data: see its header


# ---------------------------------------------------------------------------- the relation table
Step = tuple[str, bool]  # (predicate IRI, followed backwards)
Steps = tuple[Step, ...]  # () is the node itself
_ATTRIBUTE_FORMS = ({"value"}, {"path", "as"}, {"as"}, {"head_in"}, {"types", "else"})
_PATH_AS = ("number", "name", "names")  # what {path: P, as: ...} may read a value as


@dataclass(frozen=True)
class Pattern:
    """One way the store states a relation: events, the paths from each to tails and heads, attributes."""

    tail: tuple[Steps, ...]
    head: tuple[Steps, ...]
    events: str | None = None
    tail_class: str | None = None
    unless: tuple[Steps, ...] = ()
    attributes: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True)
class Grouping:
    """One way the store states that persons share a group (co-defendants in a case)."""

    members: tuple[Steps, ...]
    group: tuple[Steps, ...]
    first: bool = False


@dataclass(frozen=True)
class Relation:
    """A relation of the projection as relations.yaml states it."""

    name: str
    about: str
    patterns: tuple[Pattern, ...] = ()
    pairs: tuple[Grouping, ...] = ()
    attributes: tuple[tuple[str, dict[str, Any]], ...] = ()
    head_class: str | None = None
    marks_head: str | None = None
    dated_by: str = "event"
    since_else: tuple[Steps, ...] = ()


def parse_path(text: str) -> Steps:
    """A property path of CURIEs -> its steps.

    >>> parse_path("rpn:verdict/^rpn:court")
    (('https://w3id.org/repnet/ontology#verdict', False), ('https://w3id.org/repnet/ontology#court', True))
    >>> parse_path(".")
    ()
    """
    if text == ".":
        return ()
    return tuple((expand(s.lstrip("^")), s.startswith("^")) for s in text.split("/"))


def _paths(value: str | list[str] | None) -> tuple[Steps, ...]:
    """One path or a list of alternatives -> a tuple of parsed paths."""
    if value is None:
        return ()
    return tuple(parse_path(v) for v in ([value] if isinstance(value, str) else value))


def _attributes(spec: dict[str, dict[str, Any]] | None, where: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Attribute specs with their paths parsed and CURIEs expanded; a ValueError for an unknown form."""
    out = []
    for name, a in (spec or {}).items():
        keys = set(a)
        if keys not in _ATTRIBUTE_FORMS or (keys == {"as"} and a["as"] != "event") or (
                keys == {"path", "as"} and a["as"] not in _PATH_AS):
            raise ValueError(f"{TABLE.name}: {where}, attribute {name}: unknown form {sorted(a)}")
        a = dict(a)
        if "path" in a:
            a["path"] = parse_path(a["path"])
        if "head_in" in a:
            a["head_in"] = parse_path(a["head_in"])
        if "types" in a:
            a["types"] = {expand(c): word for c, word in a["types"].items()}
        out.append((name, a))
    return tuple(out)


def load_relations(text: str | None = None) -> tuple[Relation, ...]:
    """The relations of relations.yaml (or of ``text`` in its form), in their order.

    >>> [r.name for r in load_relations()][:3]
    ['member_of', 'sentenced_by', 'sentenced_in']
    """
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8") if text is None else text)
    out = []
    for name, r in table.items():
        unknown = set(r) - {"about", "patterns", "pairs", "attributes", "head_class", "marks_head", "dated_by", "since_else"}
        if unknown or r.get("dated_by", "event") not in ("event", "tail") or ("patterns" in r) == ("pairs" in r):
            raise ValueError(f"{TABLE.name}: relation {name}: give about, and patterns or pairs (unknown: {sorted(unknown)})")
        patterns = tuple(Pattern(tail=_paths(p["tail"]), head=_paths(p["head"]), events=p.get("events") and expand(p["events"]),
                                 tail_class=p.get("tail_class") and expand(p["tail_class"]), unless=_paths(p.get("unless")),
                                 attributes=_attributes(p.get("attributes"), name))
                         for p in r.get("patterns", ()))
        pairs = tuple(Grouping(members=_paths(g["members"]), group=_paths(g["group"]), first=bool(g.get("first")))
                      for g in r.get("pairs", ()))
        out.append(Relation(name=name, about=r["about"], patterns=patterns, pairs=pairs,
                            attributes=_attributes(r.get("attributes"), name), head_class=r.get("head_class"),
                            marks_head=r.get("marks_head"), dated_by=r.get("dated_by", "event"),
                            since_else=_paths(r.get("since_else"))))
    return tuple(out)


RELATION_TABLE = load_relations()
RELATIONS: dict[str, str] = {r.name: r.about for r in RELATION_TABLE}


# ---------------------------------------------------------------------------- reading the store
# On-disk Oxigraph spends most of a query's time turning stored ids back into IRIs and literals,
# and an OPTIONAL costs an index seek per row. So the projection reads each predicate it needs
# with one plain scan per source graph (which also tells each triple's source without decoding a
# graph name per row) and joins in Python; the few other reads are DISTINCT over the union.
_S = "https://schema.org/"
_START, _END = f"{_S}startDate", f"{_S}endDate"
_OPEN_BOUNDS = ((f"{RPN}startAfter", "after", "start"), (f"{RPN}startBefore", "before", "start"),
                (f"{RPN}endAfter", "after", "end"), (f"{RPN}endBefore", "before", "end"))
_SCAN = "SELECT ?s ?o WHERE { ?s <%s> ?o }"
# bounds of dates a source gives only as "after ..." or "before ...", which have no schema:startDate
# (a MINUS in SPARQL: every dated event has its bounds stored too, 950k rows to scan at 100,000
# persons against the 14k this returns)
_BOUNDS = """
SELECT ?e ?es ?ls ?ee WHERE {
  { { ?e rpn:earliestStart ?es } UNION { ?e rpn:latestStart ?ls } MINUS { ?e schema:startDate ?d } }
  UNION { ?e rpn:earliestEnd ?ee MINUS { ?e schema:endDate ?d2 } }
}"""
_TYPED = "SELECT DISTINCT ?e ?c WHERE { VALUES ?c { %s } ?e a ?c }"
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
_LABELS = "SELECT DISTINCT ?e ?l (LANG(?l) AS ?lang) WHERE { ?e skos:prefLabel ?l }"

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

Links = dict[Any, list[tuple[Any, str]]]  # subject -> [(object, source id)]
Reached = list[tuple[Any, tuple[str, ...]]]  # [(node, source ids of the links followed)]


def _local(iri: str) -> str:
    """The last path segment of an IRI: '.../concept/role/founder' -> 'founder'."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _iso(value: Any) -> Any:
    """A plain value with dates as ISO strings."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _plain(term: Any) -> Any:
    """An RDF term -> a plain value (via terms.to_python); dates as ISO strings."""
    return _iso(to_python(term))


def _cell(cell: str) -> Any:
    """A SPARQL TSV results cell -> what :func:`_plain` gives for its term."""
    return _iso(from_tsv(cell))


def check_view(classes: Collection[str] | None = None, relations: Collection[str] | None = None) -> None:
    """Raise UsageError for an unknown class or relation name."""
    for c in classes or ():
        if c not in NODE_CLASSES:
            raise UsageError(f"unknown class '{c}'. Classes: {', '.join(NODE_CLASSES)}")
    for r in relations or ():
        if r not in RELATIONS:
            raise UsageError(f"unknown relation '{r}'. Relations: {', '.join(RELATIONS)}")


class _Reader:
    """Scans of the store: one predicate at a time, per source graph; paths followed over them.

    On an embedded store every read is a SELECT whose rows Oxigraph writes as SPARQL TSV results,
    split in Python: no term object per cell. On disk, :data:`READ_WORKERS` processes read ahead
    what :func:`_plan` says the relations will need (:mod:`repnet.graph.store.readahead`), while
    this process joins what they have read: the answers are the same, only read sooner. (Reading
    on threads instead left what they read in their own malloc heaps: the analysis step that
    follows peaked at 2.1 GB instead of 1.7 GB at 100,000 persons.) Use it in a ``with`` block,
    which stops the workers."""

    def __init__(self, store: Store, restricted: bool, wanted: Collection[Relation] = ()):
        self.store = store
        self.restricted = restricted
        names = store.named_graphs()
        # the graphs that state facts: the sources' (not what the build derives from them, whose
        # status periods no relation reads, nor the metadata and vocabulary)
        self.sources = [g for g in names if "graph/" in g and not g.endswith(("graph/meta", "graph/vocabulary"))
                        and not is_derived(g) and (restricted or not is_restricted(g))]
        self.public = None if restricted else [g for g in names if not is_restricted(g)]
        self.links: dict[str, Links] = {}  # predicate -> its links, read once
        self.steps: dict[Step, Links] = {}  # step -> its links, forwards or backwards
        self.typed: dict[tuple[str, ...], dict[str, set[str]]] = {}
        self._embedded = store if isinstance(store, EmbeddedStore) else None
        self.planned: dict[tuple[str, tuple[str, ...] | None], int] = {}
        self.ahead = None
        if self._embedded is not None and READ_WORKERS > 0 and wanted:  # no relations: a reader of graph names
            plan = _plan(self, wanted)
            self.ahead = self._embedded.read_ahead(plan, READ_WORKERS, READ_AHEAD_BYTES) if plan else None
            if self.ahead is not None:
                self.planned = {(sparql, _key(graphs)): i for i, (sparql, graphs) in enumerate(plan)}

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.ahead is not None:
            self.ahead.close()

    def select(self, sparql: str, graphs: list[str] | None) -> list[str]:
        """An embedded store's rows of a SELECT as TSV lines: read ahead when planned, else here."""
        assert self._embedded is not None
        number = self.planned.pop((sparql, _key(graphs)), None)
        lines = self.ahead.lines(number) if number is not None and self.ahead is not None else None
        return lines if lines is not None else self._embedded.select_tsv(sparql, graphs=graphs)

    def scan(self, predicate: str) -> Links:
        """Subject -> [(object, source id)] for one predicate, read once: graph by graph in the
        order of :attr:`sources`, each graph in Oxigraph's index order. An IRI or blank node is
        its value (str, interned: an IRI read under several predicates is one string in memory),
        a literal its plain value (:func:`_plain`)."""
        if predicate not in self.links:
            out: Links = defaultdict(list)
            intern = sys.intern
            if self._embedded is None:
                for g in self.sources:
                    sid = source_id(g)
                    for s, o in self.store.query(_SCAN % predicate, graphs=[g]):
                        value = _plain(o)
                        out[intern(s.value)].append((intern(value) if isinstance(o, ox.NamedNode) else value, sid))
            else:
                for g in self.sources:  # a query per graph spares decoding each row's graph name
                    sid = source_id(g)
                    for line in self.select(_SCAN % predicate, [g]):
                        s, o = line.split("\t")
                        out[intern(s[1:-1] if s[0] == "<" else s[2:])].append(
                            (intern(o[1:-1]) if o[0] == "<" else _cell(o), sid))
            self.links[predicate] = out
        return self.links[predicate]

    def index(self, step: Step) -> Links:
        """The links of one step: forwards (subject -> objects) or backwards (object -> subjects)."""
        links = self.steps.get(step)
        if links is None:
            predicate, backwards = step
            if backwards:
                links = defaultdict(list)
                for s, objects in self.scan(predicate).items():
                    for o, sid in objects:
                        links[o].append((s, sid))
            else:
                links = self.scan(predicate)
            self.steps[step] = links
        return links

    def walk(self, path: Steps, node: Any, first: bool = False) -> Reached:
        """The nodes ``path`` reaches from ``node``, each with the sources of the links followed;
        ``first``: only the first link of each step."""
        if len(path) == 1 and not first:  # most paths: one step, walked for every event
            return [(y, (sid,)) for y, sid in self.index(path[0]).get(node, ())]
        reached: Reached = [(node, ())]
        for step in path:
            links = self.index(step)
            nxt: Reached = []
            for x, sources in reached:
                found = links.get(x, ())
                nxt += [(y, (*sources, sid)) for y, sid in (found[:1] if first else found)]
            reached = nxt
        return reached

    def walk_any(self, paths: Iterable[Steps], node: Any) -> Reached:
        """What each of several paths reaches, in order."""
        return [r for path in paths for r in self.walk(path, node)]

    def walker(self, paths: tuple[Steps, ...]) -> Callable[[Any], Reached]:
        """:meth:`walk_any` over ``paths`` as one function, for walking them from every event: a
        lone one-step path (most of relations.yaml) looks its links up directly."""
        if len(paths) == 1 and len(paths[0]) == 1:
            links, none = self.index(paths[0][0]), ()
            return lambda node: [(y, (sid,)) for y, sid in links.get(node, none)]
        return lambda node: self.walk_any(paths, node)

    def starts(self, paths: Iterable[Steps]) -> dict[Any, None]:
        """The nodes the first link of any of the paths starts from (the events of a pattern), in reading order."""
        out: dict[Any, None] = {}
        for path in paths:
            if path:
                out.update(dict.fromkeys(self.index(path[0])))
        return out

    def classes(self, iris: Iterable[str]) -> dict[str, set[str]]:
        """Entity -> which of these classes it has (rdf:type over the union of the graphs read)."""
        key = tuple(sorted(iris))
        if key not in self.typed:
            out: dict[str, set[str]] = defaultdict(set)
            for e, c in self.rows(_typed(key)):
                out[e].add(c)
            self.typed[key] = out
        return self.typed[key]

    def rows(self, sparql: str) -> list[tuple[Any, ...]]:
        """Rows of a SELECT over the union of the graphs the projection may read, as plain values
        (:func:`_plain`; None for an unbound variable)."""
        if self._embedded is None:
            return [tuple(_plain(term) for term in sol) for sol in self.store.query(sparql, graphs=self.public)]
        return [tuple(map(_cell, line.split("\t"))) for line in self.select(sparql, self.public)]


def _typed(classes: tuple[str, ...]) -> str:
    """The SELECT of the entities that have any of these classes (sorted IRIs)."""
    return _TYPED % " ".join(f"<{c}>" for c in classes)


def _key(graphs: list[str] | None) -> tuple[str, ...] | None:
    return None if graphs is None else tuple(graphs)


def _relation_reads(relation: Relation) -> Iterator[tuple[str, Any]]:
    """What reading one relation needs, about in the order :func:`_read_patterns` and
    :func:`_read_pairs` first ask for it: ("scan", predicate) and ("typed", sorted class IRIs)."""
    def steps(paths: Iterable[Steps]) -> Iterator[tuple[str, Any]]:
        for path in paths:
            for predicate, _ in path:
                yield "scan", predicate

    def attributes(specs: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, Any]]:
        for _, a in specs:
            if "types" in a:
                yield "typed", tuple(sorted(a["types"]))
            yield from steps(a[k] for k in ("head_in", "path") if k in a)

    for p in relation.patterns:
        yield from steps(path[:1] for path in (p.tail if all(p.tail) else p.head))
        yield from (("typed", (c,)) for c in (p.events, p.tail_class) if c)
        yield from steps((*p.unless, *p.head, *p.tail))
        yield from attributes(relation.attributes + p.attributes)
    for g in relation.pairs:
        yield from steps((*(m[:1] for m in g.members), *g.members, *g.group))
    if relation.pairs:
        yield from attributes(relation.attributes)
    yield from steps(relation.since_else)


def _plan(R: _Reader, wanted: Iterable[Relation]) -> list[tuple[str, list[str] | None]]:
    """The reads a projection of these relations makes, in about the order it makes them (each
    once): the scans of its predicates graph by graph, then nodes and dates. What the join asks for
    that is not in the plan is read when asked; a planned read never asked for costs its time."""
    needs: dict[tuple[str, Any], None] = {}
    for relation in wanted:
        needs.update(dict.fromkeys(_relation_reads(relation)))
    plan: list[tuple[str, list[str] | None]] = []
    for kind, what in needs:
        if kind == "scan":
            plan += [(_SCAN % what, [g]) for g in R.sources]
        else:
            plan.append((_typed(what), R.public))
    plan += [(q, R.public) for q in (_CLASSES, _FLAGS, _LABELS)]
    for predicate in (_START, *(b[0] for b in _OPEN_BOUNDS), _END):
        if ("scan", predicate) not in needs:
            plan += [(_SCAN % predicate, [g]) for g in R.sources]
    return [*plan, (_BOUNDS, R.public)]


@dataclass
class _Edges:
    """The edges found so far: (relation, event, tail, head) -> (source ids, attributes)."""

    items: dict[tuple[str, str, str, str], tuple[set[str], dict[str, Any]]] = field(default_factory=dict)

    def add(self, relation: str, event: str, a: str, b: str, sources: Iterable[str], attrs: dict[str, Any]) -> None:
        """Add an edge, or the sources and attributes of one already added (None values are left out)."""
        key = (relation, event, a, b)
        found = self.items.get(key)
        if found is None:
            found = self.items[key] = (set(), {})
        found[0].update(sources)
        found[1].update({k: v for k, v in attrs.items() if v is not None})


# ---------------------------------------------------------------------------- the projection
def project(store: Store, *, classes: Collection[str] | None = None,
            relations: Collection[str] | None = None, as_of: str | dt.date | None = None,
            restricted: bool = False, progress: Progress | None = None) -> nx.MultiDiGraph:
    """Project the store into a directed multigraph of entities (see the module docstring).

    Each relation of :data:`RELATION_TABLE` (relations.yaml) is read in turn, then the classes,
    labels and dates of the nodes and edges found.

    Parameters
    ----------
    store : Store
        An open store (``repnet.graph.store.open_store`` or ``memory_store``).
    classes : collection of str, optional
        Keep only nodes of these classes (:data:`NODE_CLASSES`) and the edges between them.
    relations : collection of str, optional
        Keep only these relations (:data:`RELATIONS`); only what they need is read.
    as_of : str or datetime.date, optional
        Keep only the edges that held on this day (YYYY-MM-DD); see :func:`view`.
    restricted : bool, default False
        Also project facts from restricted graphs (never for public exports).
    progress : callable, optional
        Called as ``progress(STAGE, done, total)`` (:mod:`repnet.graph.progress`) before the first
        step and after each: one step per relation read, then nodes, dates and the graph itself.

    Returns
    -------
    networkx.MultiDiGraph
        Node ids are entity IRIs with attributes ``label`` and ``class``; each edge has the key
        ``"<relation> <event IRI>"`` and plain-Python attributes.

    Examples
    --------
    >>> from repnet.graph.ingest.dataset import load_dataset
    >>> from repnet.graph.ingest.build import in_memory
    >>> steps = []
    >>> G = project(in_memory(load_dataset(None)), progress=lambda stage, done, total: steps.append(done))
    >>> rabkova = "https://w3id.org/repnet/id/person/marfa-rabkova"
    >>> sorted(G.nodes[v]["label"] for v in G.successors(rabkova))[:2]
    ['Homiel penal colony No. 4', 'Minsk']
    >>> steps == list(range(len(RELATIONS) + 4))
    True
    """
    check_view(classes, relations)
    day = parse_day(as_of)
    report = progress or silent
    wanted = [r for r in RELATION_TABLE if relations is None or r.name in relations]
    total = len(wanted) + 3
    with collector_paused(), _Reader(store, restricted, wanted) as R:
        E = _Edges()
        report(STAGE, 0, total)
        for done, relation in enumerate(wanted, 1):
            _read_pairs(R, E, relation) if relation.pairs else _read_patterns(R, E, relation)
            report(STAGE, done, total)
        nodes = _nodes(R, E, wanted)
        report(STAGE, total - 2, total)
        dates = _dates(R)
        report(STAGE, total - 1, total)
        G = _graph(R, E, nodes, dates, {r.name: r for r in wanted})
        report(STAGE, total, total)
    if classes is not None or day is not None:
        G = view(G, classes=classes, as_of=day)
    return G


def _read_patterns(R: _Reader, E: _Edges, relation: Relation) -> None:
    """The edges a relation's patterns give: tail -> head for every event, tail and head reached."""
    for p in relation.patterns:
        events = R.starts(p.tail if all(p.tail) else p.head)  # tail ".": the events the head paths start from
        only = R.classes([p.events]) if p.events else None
        tail_ok = R.classes([p.tail_class]) if p.tail_class else None
        specs = _prepared(R, relation.attributes + p.attributes)
        per_head = any("head_in" in a for _, a, _ in specs)
        add, name = E.add, relation.name
        unless = [R.walker((u,)) for u in p.unless]
        walk_heads, walk_tails = R.walker(p.head), R.walker(p.tail)
        for e in events:
            if (only is not None and e not in only) or any(u(e) for u in unless):
                continue
            heads = walk_heads(e)
            if not heads:
                continue
            tails = walk_tails(e)
            if tail_ok is not None:
                tails = [t for t in tails if t[0] in tail_ok]
            if not tails:
                continue
            at = _event_attributes(R, specs, e)
            for a, s1 in tails:
                for b, s2 in heads:
                    add(name, e, a, b, (*s1, *s2), _head_attributes(at, b) if per_head else at)


def _read_pairs(R: _Reader, E: _Edges, relation: Relation) -> None:
    """The edges of persons who share a group: every pair once, keyed by the group."""
    groups: dict[Any, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for g in relation.pairs:
        for e in R.starts(g.members):
            people = R.walk_any(g.members, e)
            if g.first:
                found = next((r[0] for path in g.group if (r := R.walk(path, e, first=True))), None)
                targets = [(found[0], tuple[str, ...]())] if found else []
            else:
                targets = R.walk_any(g.group, e)
            for group, s2 in targets:
                for a, s1 in people:
                    groups[group][a].update((*s1, *s2))
    specs = _prepared(R, relation.attributes)
    for group, members in groups.items():
        at = _event_attributes(R, specs, group)
        ps = sorted(members)
        for i, a in enumerate(ps):
            for b in ps[i + 1:]:
                E.add(relation.name, group, a, b, members[a] | members[b], _head_attributes(at, b))


Prepared = list[tuple[str, dict[str, Any], Callable[[Any], Reached] | None]]


def _prepared(R: _Reader, specs: Iterable[tuple[str, dict[str, Any]]]) -> Prepared:
    """Attribute specs with a walker (:meth:`_Reader.walker`) for each that follows a path."""
    return [(name, a, R.walker((a["head_in"] if "head_in" in a else a["path"],)) if "head_in" in a or "path" in a else None)
            for name, a in specs]


def _event_attributes(R: _Reader, specs: Prepared, e: Any) -> dict[str, Any]:
    """The attributes of an event's edges as relations.yaml defines them (specs :func:`_prepared`);
    a ``head_in`` attribute is held as a frozenset of the nodes it is true for, until
    :func:`_head_attributes`."""
    out: dict[str, Any] = {}
    for name, a, walk in specs:
        if "value" in a:
            out[name] = a["value"]
        elif walk is not None and "head_in" in a:
            out[name] = frozenset(b for b, _ in walk(e))
        elif "types" in a:
            words = sorted(a["types"][c] for c in R.classes(a["types"]).get(e, ()))
            out[name] = ", ".join(words) or a["else"]
        elif a["as"] == "event":
            out[name] = e
        elif walk is not None:
            values = [v for v, _ in walk(e)]
            if a["as"] == "names":
                out[name] = ", ".join(sorted({_local(v) for v in values})) or None
            elif values:
                out[name] = float(values[-1]) if a["as"] == "number" else _local(values[-1])
    return out


def _head_attributes(at: dict[str, Any], head: str) -> dict[str, Any]:
    """An event's attributes for the edge to one head (``head_in`` attributes become booleans)."""
    return {k: head in v if isinstance(v, frozenset) else v for k, v in at.items()}


@dataclass
class _Nodes:
    """The nodes of the edges found: their types (rdf:type as node classes), flags and best labels."""

    ends: set[str]
    types: dict[str, set[str]]
    flags: dict[str, set[str]]
    labels: dict[str, tuple[int, str]]


def _nodes(R: _Reader, E: _Edges, wanted: list[Relation]) -> _Nodes:
    """The nodes of the edges found, with their types, flags and labels; edges whose head has not
    the class the relation needs (``head_class``) are dropped first."""
    ends = {n for (_, _, a, b) in E.items for n in (a, b)}
    types: dict[str, set[str]] = defaultdict(set)
    for e, c in R.rows(_CLASSES):
        if e in ends:
            types[e].add(_TYPE_CLASS[c])
    needs = {r.name: r.head_class for r in wanted if r.head_class}
    if needs:
        for key in [k for k in E.items if k[0] in needs and needs[k[0]] not in types.get(k[3], ())]:
            del E.items[key]
        ends = {n for (_, _, a, b) in E.items for n in (a, b)}
    flags: dict[str, set[str]] = defaultdict(set)
    for e, k in R.rows(_FLAGS):
        if e in ends:
            flags[e].add(_local(k))
    marks = {r.name: r.marks_head for r in wanted if r.marks_head}
    for relation, _, _, b in E.items:
        if relation in marks:
            flags[b].add(marks[relation])
    labels: dict[str, tuple[int, str]] = {}
    for n, lit, language in R.rows(_LABELS):
        if n in ends:
            rank = 0 if language == "en" else 1 if not language else 2
            text = str(lit)
            if n not in labels or (rank, text) < labels[n]:
                labels[n] = (rank, text)
    return _Nodes(ends, types, flags, labels)


@dataclass
class _Dates:
    """Per event: its dates as stated and the day bounds views compare."""

    date: dict[str, str]  # as the source gives it: "2023-06", "after 2021-07"
    since: dict[str, str]  # the day by which it had surely begun
    until: dict[str, str]  # the earliest day it may have ended
    end_date: dict[str, str]  # the end as the source gives it


def _dates(R: _Reader) -> _Dates:
    """Dates as the sources give them, and the day bounds an "as of" view compares."""
    date: dict[str, str] = {}
    since: dict[str, str] = {}
    until: dict[str, str] = {}
    end_date: dict[str, str] = {}
    for e, vals in R.scan(_START).items():
        texts = [str(vals[0][0])] if len(vals) == 1 else sorted(str(v) for v, _ in vals)
        date[e] = texts[0]
        bounds = [b for b in (bound(t, end=False) for t in texts) if b]
        if bounds:
            since[e] = min(bounds)
    # a date given only as a bound keeps its words: "after 2021-07", never the day 2021-07-01
    for predicate, word, which in _OPEN_BOUNDS:
        target = date if which == "start" else end_date
        for e, vals in R.scan(predicate).items():
            target.setdefault(e, f"{word} {sorted(str(v) for v, _ in vals)[0]}")
    for e, vals in R.scan(_END).items():
        end_date[e] = sorted(str(v) for v, _ in vals)[0]  # a stated end wins over a bound
        bounds = [b for b in (bound(str(v), end=True) for v, _ in vals) if b]
        if bounds:
            until[e] = min(bounds)
    latest: dict[str, str] = {}
    earliest: dict[str, str] = {}
    for e, es, ls, ee in R.rows(_BOUNDS):
        for term, target in ((ls, latest), (es, earliest), (ee, until)):
            if term is not None:
                target[e] = min(term, target.get(e, term))
    for e in earliest.keys() | latest.keys():
        since.setdefault(e, latest.get(e) or earliest[e])  # "before X" gives a latest start, "after X" only an earliest
    return _Dates(date, since, until, end_date)


def _graph(R: _Reader, E: _Edges, nodes: _Nodes, dates: _Dates, relations: dict[str, Relation]) -> nx.MultiDiGraph:
    """The graph: nodes with label and class, edges with sources, event, dates and attributes."""
    G = nx.MultiDiGraph()
    labels, types, flags = nodes.labels, nodes.types, nodes.flags
    G.add_nodes_from((n, {"label": labels[n][1] if n in labels else _local(n), "class": _node_class(types[n], flags[n])})
                     for n in sorted(nodes.ends))
    date, since, until, end_date = dates.date, dates.since, dates.until, dates.end_date
    by_tail = {name for name, r in relations.items() if r.dated_by == "tail"}
    # the edges go straight into the adjacency that MultiDiGraph.add_edge fills (networkx's
    # documented dict-of-dicts-of-dicts, with its default dict factories), in the same order:
    # add_edge's own checks and copies cost 1.1 s of the 4 s this takes for 500,000 edges
    succ, pred = G._succ, G._pred
    for key in sorted(E.items):
        name, event, a, b = key
        sources, extra = E.items[key]
        attrs: dict[str, Any] = {"relation": name, "source": "; ".join(sorted(sources)), "event": event}
        dated = a if name in by_tail else event
        if dated in date:
            attrs["date"] = date[dated]
        start = since.get(dated)
        if start is None and relations[name].since_else:
            basis = sorted((since[x], x) for x, _ in R.walk_any(relations[name].since_else, event) if x in since)
            start = basis[0][0] if basis else None
            if basis and basis[0][1] in date:
                attrs["basis_date"] = date[basis[0][1]]
        if start:
            attrs["since"] = start
        if dated in until:
            attrs["until"] = until[dated]
        if dated in end_date:
            attrs["end_date"] = end_date[dated]
        attrs.update(extra)
        keys = succ[a].get(b)
        if keys is None:
            keys = succ[a][b] = pred[b][a] = {}
        keys[f"{name} {event}"] = attrs
    return G


def _node_class(types: set[str], flags: set[str]) -> str:
    """A node's class from its types and flags (a person who presides over a sentence is a Judge)."""
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
    day = parse_day(as_of)
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


def _cache_file(store: Store, restricted: bool) -> Path | None:
    """The cache file for this store generation, this projection code and networkx version."""
    return cache_file(store, restricted)


def cache_file(store: Store, restricted: bool, folder: str | None = None, code: Collection[Path] = ()) -> Path | None:
    """The cache file of what is derived from this store generation by the projection code (and
    the ``code`` files given) with this networkx version: in :func:`cache_dir`, or in its sibling
    ``folder``; None for a store that is not a generation on disk."""
    location = getattr(store, "location", None)
    if not isinstance(location, Path):
        return None  # a store in memory, or a remote endpoint
    generation = current_path(location)
    if generation is None:
        return None
    digest = hashlib.sha256(Path(__file__).read_bytes() + TABLE.read_bytes())
    for f in sorted(code):
        digest.update(Path(f).read_bytes())
    graphs = " ".join(_Reader(store, restricted).sources)  # what this projection may read
    key = hashlib.sha256(f"{generation}|{graphs}|{digest.hexdigest()}|{nx.__version__}".encode()).hexdigest()[:32]
    return (cache_dir() if folder is None else cache_dir().parent / folder) / f"{key}.pickle"


def read_cache(path: Path | None) -> Any:
    """What :func:`save_cache` wrote at ``path``, or None (no file, or a damaged or foreign one)."""
    if path is None or not path.exists():
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)  # our own file, in the user's cache directory
    except Exception:  # noqa: BLE001 - a damaged or foreign cache file is recomputed
        return None


def save_cache(path: Path, value: Any) -> None:
    """Keep ``value`` at ``path`` (written whole, then renamed), and the newest :data:`CACHE_KEEP` of its folder."""
    _save(path, value)


def network(store: Store, *, classes: Collection[str] | None = None,
            relations: Collection[str] | None = None, as_of: str | dt.date | None = None,
            restricted: bool = False, cache: bool = True, progress: Progress | None = None) -> nx.MultiDiGraph:
    """The projection of a store, read from a cache when this store generation was projected before.

    A build never changes a store generation (it makes a new one), so the full projection of a
    generation can be kept: in :func:`cache_dir`, one pickle per generation (and projection code),
    the newest :data:`CACHE_KEEP` kept. Reading it back takes seconds where projecting 100,000
    persons from disk takes minutes. Stores in memory are never cached. The view arguments are
    those of :func:`project`; ``progress`` is called as :func:`project` calls it, and only when the
    store is projected (not when the cache is read).

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
        G = project(store, restricted=restricted, progress=progress)
        if path is not None and _cache_file(store, restricted) == path:  # the store was not swapped meanwhile
            _save(path, G)
    if classes is not None or relations is not None or as_of is not None:
        G = view(G, classes=classes, relations=relations, as_of=as_of)
    return G


def _save(path: Path, G: Any) -> None:
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


def node_for(store: Store, G: nx.Graph, name: str) -> str:
    """The node an IRI, label or name variant names (as ``repnet query`` resolves names).

    Raises UnknownName when the name matches no entity or several, or when the entity it names
    has no relation in this view of the network.
    """
    iri = resolve_name(store, name)
    if iri not in G:
        raise UnknownName(f"'{name}' (<{iri}>) has no relation in this view of the network.\n"
                          "Widen the view (fewer --relation/--class limits, a later --as-of) or check the name.")
    return iri
