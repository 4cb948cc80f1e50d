"""Each person's status over time (held, released, in exile), computed once at build from all sources.

The one definition of status that every reader uses (``detained-on``, ``timeline``, ``analyze diff``,
the explorer's rings and time control, entity pages). It is computed from the public graphs of a
new store generation, before validation, and stored as ``rpn:StatusPeriod`` nodes:

* in ``<base>graph/derived`` from all sources together (what queries see by default), and
* in ``<base>graph/<source>/derived`` from each source alone (what ``--source ID`` sees), so a
  question restricted to one source is answered from that source's statements only.

Evidence, per person: a detention (held from its start, or from the date of the charge or sentence
it rests on; until its end, or known to last at least until the day a source says it was ongoing),
an arrest and a return to custody (held from the day), a status observation (held, or released, on
the day), a release (released, or in exile for an expulsion, from the day). Rules:

* "Ongoing as of D" and an observation are *observations*: the person is known to be held on D, and
  after the last observation is "last known held (as of D)", never absent.
* Held spans merge into one period unless a release lies between them; a release ends the period
  it follows and opens a released (or exile) period; a later start (return to custody, re-arrest,
  a new detention) opens a new held period. A held observation after a release, with no stated
  start between them, opens a held period whose start is unknown (between the two) and is listed
  as a disagreement when the two come from different sources.
* A detention of several administrative terms (``rpn:termCount`` > 1) is not one continuous spell
  unless a source says so (``rpn:continuous true``): the person was held at some times within its
  range, which is "possible", never "stated"; a day it was "ongoing as of" is a stated day in custody.
* An event stated without a latest day happened by the day its source was published.

Dates are compared by their day bounds and printed as the sources state them: a period stores its
start and last-known dates as text at the source's precision ("2022-09", "after 2021-07") beside
the xsd:date bounds used for comparing.

Status on a day D of a held period (the ``detained-on`` column):
``stated`` when first known held <= D <= last known held (or the day before its end);
``possible`` when D falls within the imprecision of its start or end, or the period is intermittent;
``last known`` when the period has no end and D is after its last observation.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, DCTERMS, PROV, RDF, RPN, RPNC, XSD
from ..dates import parse_date
from ..formats import nt_literal
from ..iris import graph_iri, is_meta
from ..terms import solutions

HELD, RELEASED, EXILE = "held", "released", "in-exile"
STATUS_IRI = {HELD: f"{RPNC}status/imprisoned", RELEASED: f"{RPNC}status/released", EXILE: f"{RPNC}status/in-exile"}
_OBSERVED = {"imprisoned": HELD, "released": RELEASED, "in-exile": EXILE}
STATUS_LABEL = {HELD: "imprisoned", RELEASED: "released", EXILE: "in forced exile"}  # the concepts' labels
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class When:
    """A date as a source states it: its text and the day bounds it allows (either may be open)."""

    text: str | None
    lo: dt.date | None
    hi: dt.date | None


@dataclass
class Evidence:
    person: str
    kind: str  # detention | start | release | observation
    record: str
    source: str  # source document IRI
    start: When | None = None
    end: When | None = None
    until: When | None = None  # ongoing as of / observed on
    status: str = HELD
    facility: str | None = None
    intermittent: bool = False


@dataclass
class Period:
    person: str
    status: str
    start: When | None = None  # as stated; None when no source states when it began
    end: When | None = None
    until: When | None = None  # the latest observation of the status (printed as "last known ... as of")
    first_day: dt.date | None = None  # the first day the status surely held
    last_day: dt.date | None = None  # the last day it surely held, by the evidence (before any end)
    intermittent: bool = False
    facility: str | None = None
    facility_from: dt.date | None = None  # the first day the evidence surely puts the person there
    records: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)

    def add(self, ev: Evidence) -> None:
        self.records.add(ev.record)
        self.sources.add(ev.source)
        if ev.facility:
            self.facility = ev.facility
            w = ev.start or ev.until
            self.facility_from = (w.hi or w.lo) if w else None

    def surely(self, day: dt.date | None) -> None:
        """Record a day on which the status surely held."""
        if day is None:
            return
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)

    @property
    def last_known(self) -> dt.date | None:
        if self.end is not None and self.end.lo is not None:
            return self.end.lo - ONE_DAY
        return self.last_day

    def last_known_text(self) -> str | None:
        """The date of the latest evidence, as stated: the last observation, else the start."""
        if self.until is not None and self.until.text:
            return self.until.text
        return self.start.text if self.start is not None else None


@dataclass(frozen=True)
class Conflict:
    person: str
    values: str
    sources: tuple[str, ...]


# ------------------------------------------------------------------------------- evidence
_PREFIX = "PREFIX rpn: <https://w3id.org/repnet/ontology#> PREFIX schema: <https://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>\n"
_DATES = """OPTIONAL { ?e schema:startDate ?s } OPTIONAL { ?e rpn:startAfter ?sa } OPTIONAL { ?e rpn:startBefore ?sb }
  OPTIONAL { ?e rpn:earliestStart ?slo } OPTIONAL { ?e rpn:latestStart ?shi }"""


def _hashed(*pairs: tuple[str, str]) -> str:
    """OPTIONAL values of events, each property read once from the graphs queried and joined by hash.
    Oxigraph joins a subquery by hash, but looks a plain OPTIONAL pattern up once per row in every
    named graph; for the 150k detentions of 100k persons that was 13 s against 7 s (same rows)."""
    return "".join(f"\n  OPTIONAL {{ SELECT ?g ?e ?{var} WHERE {{ GRAPH ?g {{ ?e {prop} ?{var} }} }} }}" for var, prop in pairs)


_HASHED_DATES = _hashed(("s", "schema:startDate"), ("sa", "rpn:startAfter"), ("sb", "rpn:startBefore"),
                        ("slo", "rpn:earliestStart"), ("shi", "rpn:latestStart"))
_QUERIES = {
    "detention": _PREFIX + """SELECT ?g ?e ?p ?s ?sa ?sb ?slo ?shi ?en ?ea ?eb ?elo ?ehi ?on ?f ?n ?c ?bs ?blo ?bhi WHERE {
  { SELECT ?g ?e ?p WHERE { GRAPH ?g { ?e a rpn:Detention ; rpn:detainedPerson ?p } } }""" + _HASHED_DATES + _hashed(
        ("en", "schema:endDate"), ("ea", "rpn:endAfter"), ("eb", "rpn:endBefore"), ("elo", "rpn:earliestEnd"),
        ("ehi", "rpn:latestEnd"), ("on", "rpn:ongoingAsOf"), ("f", "rpn:heldAt"), ("n", "rpn:termCount"),
        ("c", "rpn:continuous")) + """
  OPTIONAL { SELECT ?g ?e ?bs ?blo ?bhi WHERE { GRAPH ?g {
    ?e rpn:legalBasis ?b . ?b schema:startDate ?bs ; rpn:earliestStart ?blo ; rpn:latestStart ?bhi } } } }""",
    "start": _PREFIX + """SELECT ?g ?e ?p ?s ?sa ?sb ?slo ?shi ?f WHERE {
  { SELECT ?g ?e ?p ?f WHERE { GRAPH ?g {
    { ?e rpn:arrestedPerson ?p } UNION { ?e rpn:returnedPerson ?p OPTIONAL { ?e rpn:heldAt ?f } } } } }""" + _HASHED_DATES + " }",
    # releases are few (30k of 100k persons): looking their dates up row by row is faster than hashing
    "release": _PREFIX + """SELECT ?g ?e ?p ?s ?sa ?sb ?slo ?shi ?x WHERE { GRAPH ?g {
  ?e a rpn:Release ; rpn:releasedPerson ?p . """ + _DATES + """ OPTIONAL { ?e a rpn:Expulsion BIND(true AS ?x) } } }""",
    "observation": _PREFIX + """SELECT ?g ?e ?p ?st ?s ?slo ?shi WHERE { GRAPH ?g {
  ?e rpn:observedPerson ?p ; rpn:observedStatus ?st . OPTIONAL { ?e rpn:asOf ?s }
  OPTIONAL { ?e rpn:earliestStart ?slo } OPTIONAL { ?e rpn:latestStart ?shi } } }""",
}
_CSV = ox.QueryResultsFormat.CSV
READERS = 2  # threads evaluating the evidence queries (the machine this is measured on has two cores)
_GRAPH_SOURCES = _PREFIX + """SELECT ?g ?doc ?pub WHERE { ?g prov:wasDerivedFrom ?doc . ?doc a rpn:SourceDocument .
  OPTIONAL { ?doc schema:datePublished ?pub } }"""


def _v(row: Any, name: str) -> Any:
    if isinstance(row, dict):
        return row.get(name)
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def _csv_rows(data: bytes) -> Iterator[dict[str, str]]:
    """The rows of SPARQL CSV results as dicts of each variable's lexical value ("" when unbound).

    The evidence queries bind only IRIs, dates, numbers and booleans, where CSV's one ambiguity
    (an unbound variable and an empty literal both read "") cannot arise; their values are read
    without a pyoxigraph term per cell (rows of terms looked up by name took 4.3 s of reading the
    284k pieces of evidence of 100k persons, dicts of terms about 3 s)."""
    lines = csv.reader(io.StringIO(data.decode()))
    names = next(lines, [])
    for row in lines:
        yield dict(zip(names, row, strict=True))


def _text_of(row: Any, name: str) -> str | None:
    """The lexical value of a row's binding (None when unbound)."""
    t = _v(row, name)
    return t.value if t is not None else None


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _when(row: dict[str, str], text: str, after: str, before: str, lo: str, hi: str,
          published: dt.date | None) -> When | None:
    t, a, b = row.get(text, ""), row.get(after, ""), row.get(before, "")
    low, high = _day(row.get(lo, "")), _day(row.get(hi, ""))
    if not (t or a or b or low or high):
        return None
    stated = t if t else f"after {a}" if a else f"before {b}" if b else None
    return When(stated, low, high if high is not None else published)


def _when_text(text: str, published: dt.date | None) -> When | None:
    """A date literal without stored bounds (rpn:ongoingAsOf): bounds from its text."""
    if not text:
        return None
    d = parse_date(text)
    return When(text, d.earliest, d.latest or published)


def evidence(store: ox.Store, graphs: list[str]) -> list[Evidence]:
    """Every piece of status evidence in ``graphs`` (public source graphs of a pyoxigraph store)."""
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in graphs]
    sources: dict[str, tuple[str, dt.date | None]] = {}
    for row in solutions(store.query(_GRAPH_SOURCES, default_graph=[ox.NamedNode(g) for g in _meta_graphs(store)],
                                    named_graphs=named)):
        pub = _v(row, "pub")
        sources[row["g"].value] = (row["doc"].value, parse_date(pub.value).latest if pub is not None else None)
    out: list[Evidence] = []
    # one source graph at a time: a hash join's table then holds one graph's dates, not those of
    # every graph (read at once at 100k persons, they took the build's peak past 2 GB)
    reads = [(kind, q, g) for kind, q in _QUERIES.items() for g in graphs if g in sources]

    def text(read: tuple[str, str, str]) -> bytes:
        result: Any = store.query(read[1], named_graphs=[ox.NamedNode(read[2])], default_graph=[])
        return bytes(result.serialize(format=_CSV))

    # Evaluated on threads as CSV results (Oxigraph releases the GIL while it evaluates and writes
    # them, not while Python iterates a result) and parsed here in order: 8.6 s -> 4.3 s for the
    # 284,000 pieces of evidence of 100,000 persons (measured on two cores).
    with ThreadPoolExecutor(READERS, thread_name_prefix="repnet-evidence") as pool:
        answers = pool.map(text, reads)
        for (kind, _, _), data in zip(reads, answers, strict=True):
            for row in _csv_rows(data):
                doc, pub = sources[row["g"]]
                p, e = row["p"], row["e"]
                if kind == "detention":
                    start = _when(row, "s", "sa", "sb", "slo", "shi", pub) or _when(row, "bs", "_", "_", "blo", "bhi", pub)
                    n, f = row["n"], row["f"]
                    # several terms are one continuous spell only when a source says so (continuous: true)
                    intermittent = bool(n) and int(n) > 1 and row["c"] != "true"
                    until = _when_text(row["on"], pub)
                    out.append(Evidence(p, kind, e, doc, start=start, end=_when(row, "en", "ea", "eb", "elo", "ehi", pub),
                                        until=None if intermittent else until, facility=f or None,
                                        intermittent=intermittent))
                    if intermittent and until is not None:
                        # "still in administrative detention on D": a stated day in custody within the series
                        out.append(Evidence(p, "observation", e, doc, until=until, status=HELD))
                elif kind == "start":
                    out.append(Evidence(p, kind, e, doc, start=_when(row, "s", "sa", "sb", "slo", "shi", pub),
                                        facility=row["f"] or None))
                elif kind == "release":
                    out.append(Evidence(p, kind, e, doc, start=_when(row, "s", "sa", "sb", "slo", "shi", pub),
                                        status=EXILE if row["x"] else RELEASED))
                else:
                    status = _OBSERVED.get(row["st"].rsplit("/", 1)[-1])
                    if status is None:
                        continue  # a recognition-like status (political prisoner) says nothing of custody
                    out.append(Evidence(p, kind, e, doc, until=_when(row, "s", "_", "_", "slo", "shi", pub), status=status))
    return out


def graph_documents(store: ox.Store, graphs: list[str]) -> dict[str, str]:
    """Source graph -> the IRI of the source document it holds, for ``graphs``."""
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in graphs]
    rows = solutions(store.query(_GRAPH_SOURCES, default_graph=[ox.NamedNode(g) for g in _meta_graphs(store)],
                                 named_graphs=named))
    return {row["g"].value: row["doc"].value for row in rows}


def _meta_graphs(store: ox.Store) -> list[str]:
    return [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and is_meta(g.value)]


# ------------------------------------------------------------------------------- periods
def _order(ev: Evidence) -> tuple[dt.date, dt.date, str, str]:
    """Evidence is read in the order of its dates (earliest, then latest possible day)."""
    w = ev.start or ev.until or ev.end
    return (w.lo or w.hi or dt.date.min, w.hi or w.lo or dt.date.max, ev.kind, ev.record) if w else \
        (dt.date.min, dt.date.max, ev.kind, ev.record)


def periods(items: list[Evidence]) -> tuple[list[Period], list[Conflict]]:
    """One person's status periods, in date order, and the disagreements found about them."""
    dated = sorted((ev for ev in items if ev.start or ev.until or ev.end), key=_order)
    out: list[Period] = []
    conflicts: list[Conflict] = []
    cur: Period | None = None
    last_change: Evidence | None = None  # the release or observation that opened a released period
    for ev in dated:
        if ev.intermittent:
            p = Period(ev.person, HELD, start=ev.start, end=ev.end, intermittent=True)
            p.add(ev)
            out.append(p)
            continue
        if ev.kind == "release" or (ev.kind == "observation" and ev.status != HELD):
            when = ev.start if ev.kind == "release" else ev.until
            if cur is not None and cur.status == ev.status:  # a further statement of the same status
                cur.add(ev)
                cur.surely(when.hi if when else None)
                if ev.kind == "observation":
                    cur.until = ev.until
                continue
            if cur is not None and (cur.status == HELD and ev.kind == "release" or cur.status != HELD):
                cur.end = when
                cur.add(ev)
            cur = Period(ev.person, ev.status, start=when if ev.kind == "release" else None)
            cur.surely(when.hi if when else None)
            if ev.kind == "observation":
                cur.until = ev.until
            cur.add(ev)
            out.append(cur)
            last_change = ev
            continue
        # held: a detention, an arrest or return to custody, or a held observation
        starts = ev.kind in ("detention", "start") and ev.start is not None
        begins = ev.start if starts else ev.until
        gap = (cur is not None and cur.status == HELD and cur.end is not None and begins is not None
               and cur.end.hi is not None and begins.lo is not None and begins.lo > cur.end.hi)
        if cur is None or cur.status != HELD or gap:
            prev = cur
            cur = Period(ev.person, HELD, start=ev.start if starts else None)
            if prev is not None and prev.status != HELD:
                prev.end = begins if starts else When(None, None, ev.until.hi if ev.until else None)
                if not starts and last_change is not None:
                    # held again after a release, and no source says when: the start is unknown,
                    # between the two; a disagreement when two sources say the two
                    rel = last_change
                    when = rel.start if rel.kind == "release" else rel.until
                    cur.start = When(None, when.lo if when else None, ev.until.hi if ev.until else None)
                    if rel.source != ev.source:
                        # each side with its source, in the order of the sources
                        sides = sorted([(rel.source, f"{'released' if rel.status == RELEASED else 'in exile'} ({_text(when)})"),
                                        (ev.source, f"imprisoned ({_text(ev.until)})")])
                        conflicts.append(Conflict(ev.person, " | ".join(v for _, v in sides), tuple(d for d, _ in sides)))
            out.append(cur)
        else:
            if starts and cur.start is None:
                cur.start = ev.start
            if cur.end is not None and ev.kind == "detention" and ev.end is None:
                cur.end = None  # an overlapping detention with no end: still held after the other one ended
        cur.add(ev)
        if starts and ev.start is not None:
            cur.surely(ev.start.hi)
        if ev.until is not None:
            cur.surely(ev.until.lo)
            if cur.until is None or (ev.until.lo or dt.date.min) >= (cur.until.lo or dt.date.min):
                cur.until = ev.until
        if ev.kind == "detention" and ev.end is not None and (cur.end is None or (ev.end.lo or dt.date.min) > (cur.end.lo or dt.date.min)):
            cur.end = ev.end  # held until this detention ended (the end of a detention is not a release)
    return out, conflicts


def _text(w: When | None) -> str:
    return (w.text if w and w.text else "date unknown")


def certainty(day: Any, lo: Any, first: Any, last: Any, end_lo: Any, end_hi: Any, intermittent: bool) -> str | None:
    """How a period with these day bounds covers ``day``: ``stated``, ``last known``, ``possible``, or None.

    The one rule, used by the build's tests, ``detained-on`` (the same rule in SPARQL), the
    projection and the explorer: days are comparable values (dt.date, or ISO strings).
    """
    lo = lo if lo is not None else first
    if lo is None or day < lo:
        return None
    if end_hi is not None and day > end_hi:
        return None
    if intermittent or first is None or day < first:
        return "possible"
    if last is not None and day <= last:
        return "stated"
    return "last known" if end_lo is None and end_hi is None else "possible"


# Every period of the store: every join, the period's status and the facility's label included, of
# subqueries of one property, which Oxigraph joins by hash; a plain pattern or OPTIONAL after the
# first is looked up once per period in each graph of the default graph (36 s -> 10 s at 100,000
# persons; 4.0 s -> 1.2 s at 10,000 for the OPTIONALs alone).
_STORED = """SELECT ?person ?period ?st ?es ?fk ?lk ?ee ?le ?since ?until ?last ?int ?f ?fl ?doc WHERE {
  { SELECT ?period ?person { ?period <https://w3id.org/repnet/ontology#periodOf> ?person } }
  { SELECT ?period ?st { ?period <https://w3id.org/repnet/ontology#periodStatus> ?st } }
  OPTIONAL { SELECT ?period ?es { ?period <https://w3id.org/repnet/ontology#periodEarliestStart> ?es } }
  OPTIONAL { SELECT ?period ?fk { ?period <https://w3id.org/repnet/ontology#firstKnown> ?fk } }
  OPTIONAL { SELECT ?period ?lk { ?period <https://w3id.org/repnet/ontology#lastKnown> ?lk } }
  OPTIONAL { SELECT ?period ?ee { ?period <https://w3id.org/repnet/ontology#periodEarliestEnd> ?ee } }
  OPTIONAL { SELECT ?period ?le { ?period <https://w3id.org/repnet/ontology#periodLatestEnd> ?le } }
  OPTIONAL { SELECT ?period ?since { ?period <https://w3id.org/repnet/ontology#startAsStated> ?since } }
  OPTIONAL { SELECT ?period ?until { ?period <https://w3id.org/repnet/ontology#endAsStated> ?until } }
  OPTIONAL { SELECT ?period ?last { ?period <https://w3id.org/repnet/ontology#lastKnownAsStated> ?last } }
  OPTIONAL { SELECT ?period ?int { ?period <https://w3id.org/repnet/ontology#intermittent> ?int } }
  OPTIONAL { SELECT ?period ?doc { ?period <https://w3id.org/repnet/ontology#statedBy> ?doc } }
  OPTIONAL { SELECT ?period ?f ?fl { { SELECT ?period ?f { ?period <https://w3id.org/repnet/ontology#heldAt> ?f } }
      OPTIONAL { SELECT ?f ?fl { ?f <http://www.w3.org/2004/02/skos/core#prefLabel> ?fl FILTER(LANG(?fl) = "en") } } } } }"""
# The periods of a few persons (VALUES): plain OPTIONALs, so nothing scans the whole store.
_STORED_FOR = """SELECT ?person ?period ?st ?es ?fk ?lk ?ee ?le ?since ?until ?last ?int ?f ?fl ?doc WHERE {
  ?period <https://w3id.org/repnet/ontology#periodOf> ?person ; <https://w3id.org/repnet/ontology#periodStatus> ?st .
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#periodEarliestStart> ?es } OPTIONAL { ?period <https://w3id.org/repnet/ontology#firstKnown> ?fk }
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#lastKnown> ?lk } OPTIONAL { ?period <https://w3id.org/repnet/ontology#periodEarliestEnd> ?ee }
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#periodLatestEnd> ?le } OPTIONAL { ?period <https://w3id.org/repnet/ontology#startAsStated> ?since }
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#endAsStated> ?until } OPTIONAL { ?period <https://w3id.org/repnet/ontology#lastKnownAsStated> ?last }
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#intermittent> ?int }
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#statedBy> ?doc }
  OPTIONAL { ?period <https://w3id.org/repnet/ontology#heldAt> ?f OPTIONAL { ?f <http://www.w3.org/2004/02/skos/core#prefLabel> ?fl FILTER(LANG(?fl) = "en") } } }"""
_STATUS_OF = {v: k for k, v in STATUS_IRI.items()}


def stored_periods(store: Any, persons: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Person IRI -> the status periods a built store holds (as the reader's default graph sees
    them: all sources, or one source's view), oldest first. Day bounds are ISO strings for
    comparing; ``since``/``until``/``last_known`` are the dates as stated, for printing;
    ``sources`` the ids of the sources whose statements are the period's evidence. ``persons``
    limits the read to those persons (in VALUES blocks of a few hundred)."""
    from ..sparql import chunks, values

    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    texts = ([_STORED] if persons is None else
             [_STORED_FOR.replace("WHERE {", f"WHERE {{ {values('person', chunk)}", 1) for chunk in chunks(list(persons))])
    rows = (row for text in texts for row in store.query(text))
    for row in rows:
        v = functools.partial(_text_of, row)
        st = _STATUS_OF.get(v("st") or "")
        if st is None:
            continue
        known = out[v("person") or ""].get(v("period") or "")
        if known is not None:  # another source of the same period
            known["sources"] = sorted(set(known["sources"]) | {(v("doc") or "").rsplit("/", 1)[-1]} - {""})
            continue
        out[v("person") or ""][v("period") or ""] = {
            "sources": [(v("doc") or "").rsplit("/", 1)[-1]] if v("doc") else [], "status": st, "lo": v("es"), "first": v("fk"), "last": v("lk"), "end_lo": v("ee"), "end_hi": v("le"),
            "since": v("since"), "until": v("until"), "last_known": v("last"), "intermittent": v("int") is not None,
            "facility": v("fl")}
    return {p: sorted(ps.values(), key=lambda d: (d["lo"] or d["first"] or "", d["first"] or ""))
            for p, ps in out.items()}


def status_at(periods: list[dict[str, Any]], day: str) -> tuple[str, str, dict[str, Any]] | None:
    """(status, certainty, period) of the surest period that covers ``day`` (an ISO date), or None."""
    best: tuple[int, str, str, dict[str, Any]] | None = None
    rank = {"stated": 0, "last known": 1, "possible": 2}
    for p in periods:
        c = certainty(day, p["lo"], p["first"], p["last"], p["end_lo"], p["end_hi"], p["intermittent"])
        if c is not None and (best is None or rank[c] < best[0] or (rank[c] == best[0] and (p["first"] or "") >= (best[3]["first"] or ""))):
            best = (rank[c], p["status"], c, p)
    return (best[1], best[2], best[3]) if best else None


# ------------------------------------------------------------------------------- held days
# ``detained-on`` asks, for one day, which persons a held period covers and how surely. Answering
# that from the periods means joining a dozen properties of every period at query time (12 s at
# 100,000 persons). The answer only changes at a few days per person (where a period may begin, is
# first stated, is last observed, reaches its facility, may end), so the build cuts each person's
# days into segments on which the row is the same, and stores one literal per segment
# (rpn:heldOnDays). The query then reads one property and compares two ISO days. The rule is the
# one above (:func:`certainty`, the surest period first); tests check the segments against it.
NONE = "~"  # "no value" in a segment (Virtuoso reads an empty string as unbound)
OPEN = "9999-12-31"  # the last day of a run with no end: one ISO comparison (Virtuoso mis-evaluates `= "~" || ...`)
_RANK = {"stated": 1, "last known": 2, "possible": 3}


@dataclass(frozen=True)
class HeldRow:
    """What ``detained-on`` lists for a person on the days of one segment."""

    status: str  # stated | last known | possible
    since: str | None
    last_known: str | None
    facility: str | None
    sources: str | None


def _held_row(p: Period, day: dt.date, facility_label: str | None) -> tuple[int, HeldRow] | None:
    """How the held period ``p`` covers ``day``: its rank (1 surest) and row, or None."""
    c = certainty(day, p.start.lo if p.start else None, p.first_day, p.last_known,
                  p.end.lo if p.end else None, p.end.hi if p.end else None, p.intermittent)
    if c is None:
        return None
    shown = facility_label if p.facility_from is not None and p.facility_from <= day else None
    return _RANK[c], HeldRow(c, p.start.text if p.start else None, p.last_known_text() if p.end is None else None,
                             shown, " | ".join(sorted(p.sources)) or None)


def held_segments(periods_iris: list[tuple[Period, str]], facility_labels: dict[str, str]
                  ) -> list[tuple[dt.date, dt.date | None, HeldRow]]:
    """A person's days in held periods cut where the ``detained-on`` row changes: (first day, last
    day or None when open, row). Of several periods covering a day the surest is taken (then the
    smaller period IRI, as the query ranked them)."""
    held = [(p, iri) for p, iri in periods_iris if p.status == HELD]
    cuts: set[dt.date] = set()
    for p, _ in held:
        lo = p.start.lo if p.start and p.start.lo else p.first_day
        if lo is None:
            continue
        cuts.add(lo)
        for d in (p.first_day, p.facility_from):
            if d is not None and d > lo:
                cuts.add(d)
        if p.last_known is not None:
            cuts.add(p.last_known + ONE_DAY)
        if p.end is not None and p.end.hi is not None:
            cuts.add(p.end.hi + ONE_DAY)
    days = sorted(cuts)
    out: list[tuple[dt.date, dt.date | None, HeldRow]] = []
    for k, day in enumerate(days):
        found = [(rank, iri, row) for p, iri in held
                 if (r := _held_row(p, day, facility_labels.get(p.facility or ""))) is not None
                 for rank, row in [r]]
        if not found:
            continue
        _, _, row = min(found, key=lambda f: (f[0], f[1]))
        last = days[k + 1] - ONE_DAY if k + 1 < len(days) else None
        if out and out[-1][2] == row and out[-1][1] is not None and out[-1][1] + ONE_DAY == day:
            out[-1] = (out[-1][0], last, row)
        else:
            out.append((day, last, row))
    return out


def segment_text(first: dt.date, last: dt.date | None, row: HeldRow, label: str | None) -> str:
    """``first<TAB>last<TAB>status<TAB>since<TAB>lastKnown<TAB>facility<TAB>sources<TAB>label``: "~" for
    none, 9999-12-31 for the last day of a run with no end (the text of a ``rpn:heldOnDays`` literal)."""
    def cell(v: str | None) -> str:
        return NONE if not v else " ".join(v.split())  # no tab or line break inside a cell
    parts = [first.isoformat(), last.isoformat() if last else OPEN, row.status, cell(row.since), cell(row.last_known),
             cell(row.facility), cell(row.sources), cell(label)]
    return "\t".join(parts)


_LABELS = """SELECT ?g ?x ?l WHERE { GRAPH ?g { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(LANG(?l) = "en") } }"""
_SITES = """SELECT ?g ?x WHERE { GRAPH ?g { ?x a <http://www.w3.org/ns/org#Site> } }"""


@dataclass
class Names:
    """English labels and the facilities (org:Site) one scope of graphs names."""

    labels: dict[str, str] = field(default_factory=dict)
    sites: set[str] = field(default_factory=set)

    def facility_labels(self) -> dict[str, str]:
        return {x: self.labels[x] for x in self.sites if x in self.labels}


def names_by_graph(store: ox.Store, graphs: list[str]) -> dict[str, Names]:
    """Graph -> the English labels and sites stated in it."""
    out: dict[str, Names] = defaultdict(Names)
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in graphs]
    for row in solutions(store.query(_LABELS, named_graphs=named, default_graph=[])):
        labels, x, label = out[row["g"].value].labels, row["x"].value, row["l"].value
        labels[x] = min(label, labels.get(x, label))
    for row in solutions(store.query(_SITES, named_graphs=named, default_graph=[])):
        out[row["g"].value].sites.add(row["x"].value)
    return out


def merged(parts: list[Names]) -> Names:
    """The names of several graphs read together (the smallest label when two differ)."""
    out = Names()
    for n in parts:
        for x, label in n.labels.items():
            out.labels[x] = min(label, out.labels.get(x, label))
        out.sites |= n.sites
    return out


# ------------------------------------------------------------------------------- RDF
# Derived triples are written as N-Triples text ("s p o", the caller adds the graph and the " ."):
# made as pyoxigraph terms and then serialized they took twice the time (profiled at 100,000
# persons), and the full build loads them as text anyway. Every IRI written comes from the store
# (persons, records, documents, facilities) or from the base and such an IRI, so needs no check.
def _iri(x: Any) -> str:
    return f"<{x}>"


_XSD_DATE = str(XSD.date)
_TYPE, _STATUS_PERIOD = _iri(RDF.type), _iri(RPN.StatusPeriod)
_PERIOD_OF, _PERIOD_STATUS = _iri(RPN.periodOf), _iri(RPN.periodStatus)
_AS_STATED = tuple(_iri(t) for t in (RPN.startAsStated, RPN.lastKnownAsStated, RPN.endAsStated))
_DAYS = tuple(_iri(t) for t in (RPN.periodEarliestStart, RPN.firstKnown, RPN.lastKnown,
                                RPN.periodEarliestEnd, RPN.periodLatestEnd))
_INTERMITTENT, _TRUE = _iri(RPN.intermittent), nt_literal("true", str(XSD.boolean))
_HELD_AT, _HELD_AT_FROM = _iri(RPN.heldAt), _iri(RPN.heldAtFrom)
_STATED_BY, _DERIVED_FROM = _iri(RPN.statedBy), _iri(PROV.wasDerivedFrom)
_STATUS_NODES = {k: _iri(v) for k, v in STATUS_IRI.items()}
_HELD_ON_DAYS = _iri(RPN.heldOnDays)
_DISAGREEMENT = (_iri(RPN.Disagreement), _iri(RPN.disagreementAbout), _iri(RPN.disputedProperty),
                 _iri(RPN.disputedValues))


def _lit_day(d: dt.date) -> str:
    return f'"{d.isoformat()}"^^<{_XSD_DATE}>'  # (nothing to escape)


def period_triples(p: Period, iri: str) -> Iterator[str]:
    """The triples of one status period (N-Triples statements without the final " .")."""
    s = f"<{iri}>"
    yield f"{s} {_TYPE} {_STATUS_PERIOD}"
    yield f"{s} {_PERIOD_OF} <{p.person}>"
    yield f"{s} {_PERIOD_STATUS} {_STATUS_NODES[p.status]}"
    for prop, value in zip(_AS_STATED, (p.start.text if p.start else None,
                                        p.last_known_text() if p.end is None else None,
                                        p.end.text if p.end else None), strict=True):
        if value:
            yield f"{s} {prop} {nt_literal(value)}"
    for prop, day in zip(_DAYS, (p.start.lo if p.start else None, p.first_day, p.last_known,
                                 p.end.lo if p.end else None, p.end.hi if p.end else None), strict=True):
        if day is not None:
            yield f"{s} {prop} {_lit_day(day)}"
    if p.intermittent:
        yield f"{s} {_INTERMITTENT} {_TRUE}"
    if p.facility:
        yield f"{s} {_HELD_AT} <{p.facility}>"
        if p.facility_from:
            yield f"{s} {_HELD_AT_FROM} {_lit_day(p.facility_from)}"
    for doc in sorted(p.sources):
        yield f"{s} {_STATED_BY} <{doc}>"
    for rec in sorted(p.records):
        yield f"{s} {_DERIVED_FROM} <{rec}>"


def conflict_triples(c: Conflict, base: str) -> Iterator[str]:
    """The triples of one disagreement (as :func:`period_triples`)."""
    key = hashlib.sha1(f"{c.person}|{c.values}".encode()).hexdigest()[:16]
    s = f"<{base}id/disagreement/{key}>"
    kind, about, prop, values = _DISAGREEMENT
    yield f"{s} {_TYPE} {kind}"
    yield f"{s} {about} <{c.person}>"
    yield f"{s} {prop} {_PERIOD_STATUS}"
    yield f"{s} {values} {nt_literal(c.values)}"
    for doc in c.sources:
        yield f"{s} {_STATED_BY} <{doc}>"


def _person_key(base: str, person: str) -> str:
    prefix = f"{base}id/"
    return person[len(prefix):] if person.startswith(prefix) else hashlib.sha1(person.encode()).hexdigest()[:16]


def evidence_key(ev: Evidence) -> tuple[Any, ...]:
    """A total order of evidence that does not depend on the order a query returned it in, so the
    periods derived from the same evidence are the same however it was gathered (all sources at
    once in a full build, or source by source in an incremental one)."""
    return (ev.person, ev.source, ev.record, ev.kind, ev.status, ev.facility or "", ev.intermittent,
            repr(ev.start), repr(ev.end), repr(ev.until))


def scope_graph(base: str, doc: str) -> ox.NamedNode:
    """The derived graph of one scope: a source's view (``doc`` its document IRI), or all sources ("")."""
    sid = doc.rsplit("/", 1)[-1] if doc else ""
    return ox.NamedNode(f"{base}graph/{sid}/derived" if sid else f"{base}graph/derived")


def derived_from(items: list[Evidence], by_graph: dict[str, Names], docs: dict[str, str], base: str,
                 scopes: Sequence[str] | None = None, persons: set[str] | None = None,
                 meta: bool = True, held: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """The status periods of every person, from all sources and from each source alone, with the
    metadata that publishes their graphs, as N-Quads lines, from what was read of the public graphs
    (:func:`evidence`, :func:`names_by_graph`, :func:`graph_documents`): ``by_graph`` the names of
    each public graph, ``docs`` each source graph's document. ``scopes`` picks the scopes to derive
    ("" for all sources, else source document IRIs; default every scope), ``persons`` the persons
    (default all), ``meta`` whether to add the metadata of the scopes' graphs; ``held`` receives the
    held days of the view of all sources (:func:`scope_triples`), from which the build writes the
    day index (:mod:`repnet.graph.ask.dayindex`) without reading them back."""
    items = sorted(items, key=evidence_key)
    by_scope: dict[str, list[Evidence]] = {"": items}
    for ev in items:
        by_scope.setdefault(ev.source, []).append(ev)
    for doc in (by_scope if scopes is None else [d for d in scopes if d in by_scope]):
        tail = f" {scope_graph(base, doc)} .\n"
        for t in scope_triples(doc, by_scope[doc], by_graph, docs, base, persons, None if doc else held):
            yield t + tail
        if meta:
            yield from (f"{q} .\n" for q in scope_meta_quads(doc, {ev.source for ev in by_scope[doc]}, base))


def scope_triples(doc: str, evs: list[Evidence], by_graph: dict[str, Names], docs: dict[str, str], base: str,
                  persons: set[str] | None = None, held: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """The periods (and, for all sources, the disagreements) of one scope's persons from its
    evidence, as N-Triples statements without the final " ." (its graph is :func:`scope_graph`).
    ``held`` receives (person IRI, text) of each ``rpn:heldOnDays`` literal written."""
    sid = doc.rsplit("/", 1)[-1] if doc else ""
    names = merged([nm for gr, nm in sorted(by_graph.items()) if not doc or docs.get(gr) == doc])
    facilities = names.facility_labels()
    per_person: dict[str, list[Evidence]] = defaultdict(list)
    for ev in evs:
        if persons is None or ev.person in persons:
            per_person[ev.person].append(ev)
    for person in sorted(per_person):
        ps, conflicts = periods(per_person[person])
        iris = [f"{base}id/status/{sid or 'all'}/{_person_key(base, person)}/{i}" for i in range(len(ps))]
        for p, iri in zip(ps, iris, strict=True):
            yield from period_triples(p, iri)
        for first, last, row in held_segments(list(zip(ps, iris, strict=True)), facilities):
            text = segment_text(first, last, row, names.labels.get(person))
            if held is not None:
                held.append((person, text))
            yield f"<{person}> {_HELD_ON_DAYS} {nt_literal(text)}"
        if not sid:
            for c in conflicts:
                yield from conflict_triples(c, base)


def scope_meta_quads(doc: str, sources: Iterable[str], base: str) -> Iterator[ox.Quad]:
    """What the metadata graph says of one scope's derived graph, computed from ``sources``."""
    n = ox.NamedNode
    g, meta = scope_graph(base, doc), n(graph_iri(base, part="meta"))
    yield ox.Quad(g, n(str(RDF.type)), n(str(RPN.DerivedGraph)), meta)
    yield ox.Quad(g, n(str(RDF.type)), n(str(PROV.Entity)), meta)
    yield ox.Quad(g, n(str(DCTERMS.accessRights)), n(str(ACCESS.PUBLIC)), meta)
    if doc:
        yield ox.Quad(g, n(str(RPN.viewOf)), n(doc), meta)
    for src in sorted(set(sources)):
        yield ox.Quad(g, n(str(RPN.computedFrom)), n(src), meta)


# Properties whose values are day bounds for comparing dates of different precision: stored, and in
# machine-readable outputs, but never printed for people (a month stated as "2022-09" is never shown
# as 2022-09-01 or 2022-09-30).
COMPARISON_ONLY = frozenset(str(p) for p in (RPN.earliestStart, RPN.latestStart, RPN.earliestEnd, RPN.latestEnd,
                                              RPN.periodEarliestStart, RPN.periodEarliestEnd, RPN.periodLatestEnd,
                                              RPN.firstKnown, RPN.lastKnown, RPN.heldAtFrom, RPN.heldOnDays))

