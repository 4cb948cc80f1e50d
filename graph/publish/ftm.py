"""The public graph as FollowTheMoney entities (JSON lines), the model OpenSanctions, Aleph and OCCRP use.

Written with the ``followthemoney`` library: each entity is made with its model and checked with
``Schema.validate`` before it is written, so a file this module writes is one ``followthemoney``
reads back (``tests/test_ftm.py`` reads it with ``model.get_proxy``).

What becomes what (ids are the entity's path under ``<base>id/`` with ``-`` for ``/``: an FtM id
``person-nasta-loika`` is ``<base>id/person/nasta-loika``)::

    schema:Person                       Person (name, alias, birthDate, wikidataId)
    court, government, intergovernmental
    body, detention facility            PublicBody (name, alias, classification)
    other org:Organization              Organization
    org:Membership (a post)             Membership (member, organization, role, startDate, endDate)
    ftm:Sanction, one per target        Sanction (entity, authority, program = the legal act,
                                        startDate, reason, summary = the decision, endDate = delisting)
    rpn:CriminalCase                    CourtCase (name, caseNumber, fileDate) and a CourtCaseParty per
                                        defendant, prosecutor and investigator (role)

What FtM cannot hold (said in the README): sentences and their terms, charges and offences,
verdicts and trials with their judges (FtM's CourtCase has parties, not a presiding judge),
detentions, releases, negotiations, statuses over time, dates known only as bounds ("after
2021-07"), and a sanctions decision naming no target entity. Facilities become PublicBody, since
FtM has no place of detention.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import IO, Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from ..store.base import Store

FTM_SANCTION = "https://schema.followthemoney.tech/#Sanction:"
WIKIDATA = "http://www.wikidata.org/entity/"

_PEOPLE = """SELECT DISTINCT ?e ?p ?v WHERE {
  ?e a schema:Person .
  VALUES ?p { skos:prefLabel skos:altLabel schema:birthDate owl:sameAs }
  ?e ?p ?v }"""
_ORGS = """SELECT DISTINCT ?e ?p ?v ?public WHERE {
  { ?e a org:Organization } UNION { ?e a org:FormalOrganization } UNION { ?e a org:Site }
  BIND(EXISTS { { ?e a schema:GovernmentOrganization } UNION { ?e a rpn:IntergovernmentalOrganization }
                UNION { ?e a org:Site } } AS ?public)
  VALUES ?p { skos:prefLabel skos:altLabel org:classification rpn:facilityType }
  ?e ?p ?v }"""
_CLASS_LABELS = """SELECT DISTINCT ?c ?l WHERE { ?c skos:inScheme ?s ; skos:prefLabel ?l FILTER(LANG(?l) = "en") }"""
_MEMBERSHIPS = """SELECT DISTINCT ?m ?member ?org ?role ?start ?end WHERE {
  ?m a org:Membership ; org:member ?member ; org:organization ?org ; org:role ?r .
  ?r skos:prefLabel ?role FILTER(LANG(?role) = "en")
  OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end } }"""
_SANCTIONS = """SELECT DISTINCT ?s ?target ?authority ?date ?act ?decision ?reason ?delisted WHERE {
  ?s a ftm:Sanction ; <https://schema.followthemoney.tech/#Sanction:entity> ?target .
  OPTIONAL { ?s rpn:imposedBy ?a . ?a skos:prefLabel ?authority FILTER(LANG(?authority) = "en") }
  OPTIONAL { ?s schema:startDate ?date } OPTIONAL { ?s rpn:legalAct ?act } OPTIONAL { ?s skos:prefLabel ?decision }
  OPTIONAL { ?s <https://schema.followthemoney.tech/#Sanction:reason> ?reason }
  OPTIONAL { ?dl rpn:delists ?s OPTIONAL { ?dl rpn:delistedTarget ?dt } FILTER(!BOUND(?dt) || ?dt = ?target)
             OPTIONAL { ?dl schema:startDate ?delisted } } }"""
_CASES = """SELECT DISTINCT ?c ?p ?v WHERE {
  ?c a rpn:CriminalCase .
  VALUES ?p { skos:prefLabel dcterms:identifier schema:startDate rpn:defendant rpn:prosecutor rpn:investigator }
  ?c ?p ?v }"""
_CASE_ROLES = {"defendant": "defendant", "prosecutor": "prosecutor", "investigator": "investigator"}


def ftm_id(iri: str) -> str:
    """The FtM id of a repnet entity: its path under ``id/`` with ``-`` for ``/``.

    >>> ftm_id("https://w3id.org/repnet/id/person/nasta-loika")
    'person-nasta-loika'
    """
    return (iri.split("/id/", 1)[1] if "/id/" in iri else iri).replace("/", "-")


def _rows(store: Store, text: str) -> list[dict[str, Any]]:
    from ..ask import query as q

    return q.rows_of(q.execute(store, q.prepare(store, text, {})))[1]


def _local(iri: str, prefix: str) -> str:
    return iri.split(prefix, 1)[1] if iri.startswith(prefix) else ""


def _prop(p: str) -> str:
    return p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _make(schema: str, id_: str, props: dict[str, list[Any]]) -> EntityProxy:
    """An entity made and checked by followthemoney (a value it refuses is a bug here: ValueError)."""
    e = model.make_entity(schema)
    e.id = id_
    for name, values in props.items():
        for v in values:
            if v is not None and v != "":
                e.add(name, str(v))
    data = e.to_dict()
    error = model.get(schema).validate(data)  # type: ignore[union-attr, arg-type]
    if error:
        raise ValueError(f"FtM {schema} {id_}: {error}")
    return e


def entities(store: Store) -> Iterator[EntityProxy]:
    """The public graph's persons, organizations, posts, sanctions and cases as FtM entities, by id."""
    labels = {r["c"]: r["l"] for r in _rows(store, _CLASS_LABELS)}
    people: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(store, _PEOPLE):
        p, v, d = _prop(r["p"]), r["v"], people[r["e"]]
        if p == "prefLabel":
            d["name"].append(v)
        elif p == "altLabel":
            d["alias"].append(v)
        elif p == "birthDate":
            d["birthDate"].append(v)
        elif p == "sameAs" and _local(str(v), WIKIDATA):
            d["wikidataId"].append(_local(str(v), WIKIDATA))
    orgs: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    public: dict[str, bool] = {}
    for r in _rows(store, _ORGS):
        p, v, d = _prop(r["p"]), r["v"], orgs[r["e"]]
        public[r["e"]] = public.get(r["e"], False) or bool(r["public"])
        if p == "prefLabel":
            d["name"].append(v)
        elif p == "altLabel":
            d["alias"].append(v)
        else:
            d["classification"].append(labels.get(v, _prop(str(v))))
    out: list[EntityProxy] = []
    for e, d in people.items():
        d["name"] = sorted(set(d["name"]))
        out.append(_make("Person", ftm_id(e), {k: sorted(set(v)) for k, v in d.items()}))
    for e, d in orgs.items():
        if e in people or not d.get("name"):
            continue
        out.append(_make("PublicBody" if public[e] else "Organization", ftm_id(e), {k: sorted(set(v)) for k, v in d.items()}))
    known = {ftm_id(e) for e in people} | {ftm_id(e) for e, d in orgs.items() if d.get("name")}
    for r in _rows(store, _MEMBERSHIPS):
        if ftm_id(r["member"]) in known and ftm_id(r["org"]) in known:
            out.append(_make("Membership", ftm_id(r["m"]) + "-" + r["role"].replace(" ", "-"),
                             {"member": [ftm_id(r["member"])], "organization": [ftm_id(r["org"])], "role": [r["role"]],
                              "startDate": [r["start"]], "endDate": [r["end"]]}))
    sanctions: dict[tuple[str, str], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(store, _SANCTIONS):
        d2 = sanctions[(r["s"], r["target"])]
        for k, col in (("authority", "authority"), ("startDate", "date"), ("program", "act"), ("summary", "decision"),
                       ("reason", "reason"), ("endDate", "delisted")):
            if r[col] is not None:
                d2[k].add(r[col])
    for (s, target), d2 in sanctions.items():
        if ftm_id(target) in known:
            out.append(_make("Sanction", ftm_id(s) + "--" + ftm_id(target),
                             {"entity": [ftm_id(target)], **{k: sorted(map(str, v)) for k, v in d2.items()}}))
    cases: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(store, _CASES):
        cases[r["c"]][_prop(r["p"])].append(r["v"])
    for c, d in cases.items():
        out.append(_make("CourtCase", ftm_id(c), {"name": d.get("prefLabel", []), "caseNumber": d.get("identifier", []),
                                                 "fileDate": d.get("startDate", [])}))
        for p, role in _CASE_ROLES.items():
            for party in d.get(p, []):
                if ftm_id(party) in known:
                    out.append(_make("CourtCaseParty", f"{ftm_id(c)}--{role}--{ftm_id(party)}",
                                     {"case": [ftm_id(c)], "party": [ftm_id(party)], "role": [role]}))
    yield from sorted(out, key=lambda e: str(e.id))


def export_ftm(store: Store, out: IO[bytes]) -> dict[str, int]:
    """Write the entities as FtM JSON lines (UTF-8); entities written per schema."""
    counts: dict[str, int] = defaultdict(int)
    for e in entities(store):
        out.write((json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n").encode())
        counts[e.schema.name] += 1
    return dict(sorted(counts.items()))
