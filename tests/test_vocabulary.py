"""Vocabulary a second source needs: where a refusal or return happened, envoys and representatives,
meetings and visits, partial relief, intergovernmental authorities. One record type or field per test,
on a small synthetic source (fictional names), asserted by SPARQL over the built store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.ingest.build import build
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, select, write

SOURCE = """\
source:
  id: second
  title: A second source (synthetic)
  publisher: org/monitor
  published: 2026-01-20
  terms: test data
  synthetic: true
records:
  - {id: org/monitor, type: Organization, name: Monitor}
  - {id: place/belarus, type: Country, name: Belarus}
  - {id: place/lithuania, type: Country, name: Lithuania}
  - {id: place/united-states, type: Country, name: United States}
  - {id: place/minsk, type: Place, name: Minsk, place_type: city, within: place/belarus}
  - {id: place/border-crossing-x, type: Place, name: Border crossing X, place_type: border-crossing, within: place/belarus}
  - {id: org/gov-a, type: Government, name: Government of A, country: place/belarus}
  - {id: org/gov-b, type: Government, name: Government of B, country: place/united-states}
  - {id: org/union, type: IntergovernmentalOrganization, name: A Union of States, names: [the Union]}
  - {id: person/p, type: Person, name: Prisoner P}
  - {id: person/e, type: Person, name: Envoy E}
  - {id: person/r, type: Person, name: Official R}
  - {id: membership/e-gov-b, type: Membership, person: person/e, organization: org/gov-b, role: [envoy]}
  - {id: membership/r-gov-a, type: Membership, person: person/r, organization: org/gov-a, role: [representative]}
  - id: negotiation/n
    type: Negotiation
    name: Talks between A and B
    party: [org/gov-a, org/gov-b, org/union]
    envoy: [person/e]
    representative: [person/r]
    outcome: [sanction/relief-eased, sanction/relief-lifted]
  - {id: meeting/visit-minsk, type: Visit, name: Envoy E in Minsk, participant: [person/e, person/r], location: place/minsk,
     date: 2026-01-10, part_of: negotiation/n}
  - {id: meeting/call, type: Meeting, participant: [org/gov-a, org/union], date: 2026-01, part_of: negotiation/n}
  - {id: sanction/union-potash, type: Sanction, name: sanctions on potash, authority: org/union}
  - {id: sanction/b-airline, type: Sanction, name: sanctions on an airline, authority: org/gov-b}
  - {id: sanction/relief-eased, type: SanctionsRelief, relieves: [sanction/union-potash], by: org/union, status: announced,
     extent: eased}
  - {id: sanction/relief-lifted, type: SanctionsRelief, relieves: [sanction/b-airline], by: org/gov-b, status: agreed,
     extent: lifted}
  - {id: release/p, type: Pardon, person: person/p, date: 2026-01-12}
  - {id: release/p-refusal, type: RefusalToLeave, person: person/p, date: 2026-01-12, release: release/p,
     location: place/border-crossing-x}
  - {id: release/p-return, type: ReturnToCustody, person: person/p, date: 2026-01-13, cause: release/p-refusal,
     location: place/border-crossing-x}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    root = tmp_path_factory.mktemp("vocabulary")
    build([write(root / "src" / "second.yaml", SOURCE)], root / "store")
    return open_store(root / "store")


def test_a_refusal_and_a_return_happened_at_a_border_crossing(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT ?kind ?place ?type ?country WHERE { ?e a ?kind ; schema:location ?l .
          VALUES ?kind { rpn:RefusalToLeave rpn:ReturnToCustody }
          ?l skos:prefLabel ?place ; rpn:placeType/skos:prefLabel ?type ; schema:containedInPlace/skos:prefLabel ?country }
        ORDER BY ?kind""")
    assert rows == [("https://w3id.org/repnet/ontology#RefusalToLeave", "Border crossing X", "border crossing", "Belarus"),
                    ("https://w3id.org/repnet/ontology#ReturnToCustody", "Border crossing X", "border crossing", "Belarus")]


def test_envoys_and_representatives_of_a_negotiation_with_the_government_they_represent(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT ?role ?name ?gov WHERE { ?n a rpn:Negotiation ; ?p ?person ; rpn:party ?org .
          VALUES (?p ?role) { (rpn:envoy "envoy"@en) (rpn:representative "representative"@en) }
          ?person skos:prefLabel ?name .
          ?m org:member ?person ; org:organization ?org ; org:role/skos:prefLabel ?role . ?org skos:prefLabel ?gov }
        ORDER BY ?role""")
    assert rows == [("envoy", "Envoy E", "Government of B"), ("representative", "Official R", "Government of A")]


def test_a_visit_and_a_meeting_are_rounds_of_a_negotiation(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT ?m ?date (GROUP_CONCAT(?who; separator="; ") AS ?participants) ?place ?visit WHERE {
          ?m a rpn:Meeting ; schema:startDate ?date ; schema:superEvent/skos:prefLabel "Talks between A and B"@en ;
             rpn:participant/skos:prefLabel ?who .
          OPTIONAL { ?m schema:location/skos:prefLabel ?place }
          BIND(EXISTS { ?m a rpn:Visit } AS ?visit) }
        GROUP BY ?m ?date ?place ?visit ORDER BY ?m""")
    assert [(m.rsplit("/", 1)[1], d, sorted(p.split("; ")), pl, v) for m, d, p, pl, v in rows] == [
        ("call", "2026-01", ["A Union of States", "Government of A"], None, False),
        ("visit-minsk", dt.date(2026, 1, 10), ["Envoy E", "Official R"], "Minsk", True),
    ]


def test_relief_is_eased_or_lifted_whatever_its_status(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT ?sanction ?extent ?status WHERE { ?r a rpn:SanctionsRelief ; rpn:relieves/skos:prefLabel ?sanction ;
          rpn:reliefExtent/skos:prefLabel ?extent ; rpn:reliefStatus/skos:prefLabel ?status } ORDER BY ?extent""")
    assert rows == [("sanctions on potash", "eased", "announced"), ("sanctions on an airline", "lifted", "agreed")]


def test_an_intergovernmental_organization_imposes_sanctions_grants_relief_and_negotiates(store: EmbeddedStore) -> None:
    union = f"<{ID}org/union>"
    rows = select(store, f"""
        SELECT ?what WHERE {{ {{ ?s rpn:imposedBy {union} BIND("imposed" AS ?what) }}
          UNION {{ ?s rpn:grantedBy {union} BIND("relief" AS ?what) }} UNION {{ ?s rpn:party {union} BIND("party" AS ?what) }}
          UNION {{ ?s rpn:participant {union} BIND("meeting" AS ?what) }} }} ORDER BY ?what""")
    assert rows == [("imposed",), ("meeting",), ("party",), ("relief",)]
    rows = select(store, f"""SELECT ?c ?type WHERE {{ {union} a ?c ; org:classification/skos:prefLabel ?type }} ORDER BY ?c""")
    assert rows == [("http://www.w3.org/ns/org#FormalOrganization", "intergovernmental organization"),
                    ("https://schema.org/Organization", "intergovernmental organization"),
                    ("https://w3id.org/repnet/ontology#IntergovernmentalOrganization", "intergovernmental organization")]


def test_a_sanction_without_a_stated_authority_is_valid(tmp_path: Path) -> None:
    f = write(tmp_path / "s.yaml", SOURCE + "  - {id: sanction/unknown, type: Sanction, name: sanctions on potash}\n")
    r = CliRunner().invoke(cli, ["validate", str(f)], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr


def test_an_organization_is_not_an_envoy(tmp_path: Path) -> None:
    f = write(tmp_path / "s.yaml", SOURCE.replace("    envoy: [person/e]", "    envoy: [org/gov-b]"))
    r = CliRunner().invoke(cli, ["validate", str(f)], catch_exceptions=False)
    assert r.exit_code == 1
    assert "'envoy': 'org/gov-b' is a Government; this field takes Person\n    fix: refer to a record of the right type" in r.stderr


def test_administrative_terms_are_continuous_only_when_the_source_says_so(tmp_path: Path) -> None:
    f = write(tmp_path / "s.yaml", SOURCE + """\
  - {id: detention/p-terms, type: AdministrativeDetention, person: person/p, terms: 3, term: {days: 15}, start: 2025-09, end: 2025-11}
  - {id: detention/p-spell, type: AdministrativeDetention, person: person/p, terms: 3, term: {days: 15}, start: 2025-09,
     continuous: true}
""")
    build([f], tmp_path / "store")
    rows = select(open_store(tmp_path / "store"), """
        SELECT ?d ?n ?c WHERE { ?d a rpn:AdministrativeDetention ; rpn:termCount ?n . OPTIONAL { ?d rpn:continuous ?c } } ORDER BY ?d""")
    assert rows == [(f"{ID}detention/p-spell", 3, True), (f"{ID}detention/p-terms", 3, None)]
