"""Each saved query on the Belarus data, with its exact rows; and the query command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph import sparql
from repnet.graph.ask import query as q
from repnet.graph.errors import UsageError
from repnet.graph.ingest.build import in_memory
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, MINIMAL_SOURCE, write

HRW = ID + "source/hrw-2025-12-15-belarus"
P = ID + "person/"


def run(store: EmbeddedStore, name: str, **params: str) -> list[tuple[Any, ...]]:
    saved = q.saved_queries()[name]
    prepared = q.prepare(store, saved.text, params, saved)
    columns, rows = q.rows_of(q.execute(store, prepared))
    assert tuple(columns) == saved.columns, "the columns are a public interface"
    return [tuple(r[c] for c in columns) for r in rows]


def sorted_parts(value: str | None, sep: str = "; ") -> str | None:
    """GROUP_CONCAT has no order in SPARQL: compare its parts sorted."""
    return None if value is None else sep.join(sorted(value.split(sep)))


def test_every_saved_query_declares_its_columns_and_runs(belarus_store: EmbeddedStore) -> None:
    assert sorted(q.saved_queries()) == ["charges", "conflicts", "counts", "courts", "detained-on", "detentions", "facilities",
                                         "judges", "members", "officials", "persons", "release-rounds", "releases", "sanctions",
                                         "sentences", "sources", "timeline"]
    for name, saved in q.saved_queries().items():
        params = {p.name: {"date": "2024-01-01", "person": "Nasta Loika", "organization": "Viasna"}[p.kind]
                  for p in saved.params if p.required}
        run(belarus_store, name, **params)


# The columns that tell a query's rows apart where it has one row per entity (or entity and court);
# every other query's rows differ in any of their columns. ?sortLabel and ?sortName are the
# sortable copies of a label or name column.
ROW_KEYS = {"persons": ("person",), "sources": ("source",), "detained-on": ("person",), "charges": ("charge",),
            "courts": ("court",), "facilities": ("facility",), "judges": ("judge", "court"), "release-rounds": ("round",)}
SORT_COPIES = {"?sortLabel": "?personLabel", "?sortName": "?name"}


def test_every_saved_query_orders_its_rows_by_what_tells_them_apart() -> None:
    # rows with equal sort keys come in whatever order a store's plan gives; after its own keys a
    # query sorts by the rest, so its rows come in one order from any store and any build
    for name, saved in q.saved_queries().items():
        order = saved.text[saved.text.rindex("\nORDER BY ") + 1:]
        named = set(order.replace("(", " ").replace(")", " ").replace(",", " ").split()) - {"ORDER", "BY", "DESC", "ASC", "STR", "COALESCE"}
        named |= {SORT_COPIES[v] for v in named if v in SORT_COPIES}
        missing = [c for c in ROW_KEYS.get(name, saved.columns) if f"?{c}" not in named]
        assert not missing, f"{name}: ORDER BY leaves out {missing}"


def test_sentences(belarus_store: EmbeddedStore) -> None:
    assert run(belarus_store, "sentences") == [
        (P + "marfa-rabkova", "Marfa Rabkova", None, "a court in Minsk", "2022-09", Decimal("15"), None, HRW, "current"),
        (P + "nasta-loika", "Nasta Loika", ID + "org/minsk-city-court", "Minsk City Court", "2023-06", Decimal("7"), None, HRW,
         "current"),
        (P + "valiantsin-stefanovic", "Valiantsin Stefanovic", None, "a court in Minsk", "2023-03", Decimal("9"),
         "cash smuggling by an organized group; financing activities grossly violating public order", HRW, "current"),
    ]
    assert [r[1] for r in run(belarus_store, "sentences", person="Nasta Lojka")] == ["Nasta Loika"]


def test_releases(belarus_store: EmbeddedStore) -> None:
    rows = [r[:5] + (sorted_parts(r[5]), r[6], r[7]) for r in run(belarus_store, "releases")]
    us = "United States government"
    # Statkevich refused to leave and was returned to prison: his pardon is not a current release
    assert rows == [
        (P + "mikalai-statkevich", "Mikalai Statkevich", "2025-09", "pardon", None, f"Government of Belarus; {us}", HRW, "reversed"),
        (P + "ales-bialiatski", "Ales Bialiatski", dt.date(2025, 12, 13), "release", "Lithuania", us, HRW, "current"),
        (P + "maksim-znak", "Maksim Znak", dt.date(2025, 12, 13), "release", None, us, HRW, "current"),
        (P + "maria-kalesnikava", "Maria Kalesnikava", dt.date(2025, 12, 13), "release", None, us, HRW, "current"),
        (P + "maryna-zolatava", "Maryna Zolatava", dt.date(2025, 12, 13), "release", None, us, HRW, "current"),
        (P + "uladzimir-labkovich", "Uladzimir Labkovich", dt.date(2025, 12, 13), "release", None, us, HRW, "current"),
        (P + "viktar-babaryka", "Viktar Babaryka", dt.date(2025, 12, 13), "release", None, us, HRW, "current"),
    ]


RABKOVA = ("Marfa Rabkova", None, "2020-09-17", HRW, "stated", "2025-12-15")
RABKOVA_HOMIEL = ("Marfa Rabkova", "Homiel penal colony No. 4", "2020-09-17", HRW, "stated", "2025-12-15")


@pytest.mark.parametrize(("day", "expected"), [
    ("2020-09-16", []),
    ("2021-01-01", [RABKOVA]),
    # month-only dates are printed as stated; "after 2021-07" is possible until the sentence
    ("2022-10-01", [RABKOVA_HOMIEL, ("Nasta Loika", None, "2022-09", HRW, "possible", None),
                    ("Valiantsin Stefanovic", None, "after 2021-07", HRW, "possible", "2025-12-15")]),
    # charged "while still in administrative detention": held from that day on
    ("2022-12-24", [RABKOVA_HOMIEL, ("Nasta Loika", None, "2022-12-24", HRW, "stated", "2025-12-15"),
                    ("Valiantsin Stefanovic", None, "after 2021-07", HRW, "possible", "2025-12-15")]),
    ("2024-01-01", [RABKOVA_HOMIEL, ("Nasta Loika", None, "2022-12-24", HRW, "stated", "2025-12-15"),
                    ("Valiantsin Stefanovic", None, "after 2021-07", HRW, "stated", "2025-12-15")]),
    # the day of the article: Statkevich, returned to prison, is held too
    ("2025-12-15", [RABKOVA_HOMIEL, ("Mikalai Statkevich", None, "after 2025-09", HRW, "stated", "after 2025-09"),
                    ("Nasta Loika", None, "2022-12-24", HRW, "stated", "2025-12-15"),
                    ("Valiantsin Stefanovic", None, "after 2021-07", HRW, "stated", "2025-12-15")]),
    # after the last observation: last known held, not absent
    ("2026-03-01", [(*RABKOVA_HOMIEL[:4], "last known", "2025-12-15"),
                    ("Mikalai Statkevich", None, "after 2025-09", HRW, "last known", "after 2025-09"),
                    ("Nasta Loika", None, "2022-12-24", HRW, "last known", "2025-12-15"),
                    ("Valiantsin Stefanovic", None, "after 2021-07", HRW, "last known", "2025-12-15")]),
])
def test_detained_on(belarus_store: EmbeddedStore, day: str, expected: list[tuple[Any, ...]]) -> None:
    rows = run(belarus_store, "detained-on", date=day)
    assert [r[1:] for r in rows] == expected


def test_charges(belarus_store: EmbeddedStore) -> None:
    o = ID + "offence/"
    enmity = "incitement of racial, national, religious or other social enmity or discord"
    assert run(belarus_store, "charges") == [
        # one offence, two wordings: Lojka's charge and Rabkova's, each in the article's words
        (o + "incitement-to-enmity", enmity, None, 2, None, f"{enmity}; inciting social enmity"),
        (o + "tax-evasion", "tax evasion", None, 2, None, "tax evasion"),
        (o + "organized-cash-smuggling", "cash smuggling by an organized group", None, 1, Decimal("9"),
         "cash smuggling by an organized group"),
        (o + "financing-group-actions-violating-public-order", "financing activities grossly violating public order", None, 1,
         Decimal("9"), "financing activities, grossly violating public order"),
        (o + "criminal-group-involvement", "involvement in a criminal group", None, 1, None, "involvement in a criminal group"),
        (o + "organizing-group-actions-violating-public-order", "organizing group actions grossly violating public order", None, 1,
         None, "organizing group actions grossly violating public order"),
        (o + "riot-training-or-funding", "training or other preparation of persons to participate in riots or funding such activities",
         None, 1, None, "training or other preparation of persons to participate in riots or funding such activities"),
    ]


def test_timeline(belarus_store: EmbeddedStore) -> None:
    rows = run(belarus_store, "timeline", person="Anastasia Lojka")
    assert [r[:3] for r in rows] == [
        ("2022-09", "AdministrativeDetention", "administrative detention; petty hooliganism; term 6 x 15 days"),
        ("2022-09", "StatusPeriod", "imprisoned at some times (separate terms) until 2022-12"),
        ("2022-12-24", "Charge", "incitement of racial, national, religious or other social enmity or discord, "
                                 "organizing group actions grossly violating public order"),
        ("2022-12-24", "StatusPeriod", "imprisoned; last known 2025-12-15"),
        ("2023-06", "Sentence", "term 84 months; Minsk City Court"),
        ("2025-12-15", "StatusObservation", "imprisoned"),
        (None, "Detention", "imprisonment after conviction"),
        (None, "Detention", "pre-trial detention"),
        (None, "IllTreatmentAllegation", "ill-treatment, torture"),
    ]
    assert {r[3] for r in rows} == {HRW}
    # dates as stated: "after 2025-09", never the day bound 2025-09-01
    assert [r[:3] for r in run(belarus_store, "timeline", person="Mikalai Statkevich")] == [
        ("2025-09", "Pardon", ""), ("2025-09", "RefusalToLeave", ""), ("2025-09", "StatusPeriod", "released until after 2025-09"),
        ("after 2025-09", "StatusPeriod", "imprisoned; last known after 2025-09"), ("after 2025-09", "ReturnToCustody", "")]
    assert [r[:2] for r in run(belarus_store, "timeline", person=P + "valiantsin-stefanovic")] == [
        ("2021-07", "HouseSearch"), ("2021-07", "Interrogation"),
        ("after 2021-07", "StatusPeriod"), ("after 2021-07", "Arrest"), ("after 2021-07", "Detention"), ("2023-03", "Sentence"),
        ("2025-12-15", "StatusObservation"), (None, "Charge"), (None, "Detention"), (None, "Membership")]


def test_persons_and_detentions(belarus_store: EmbeddedStore) -> None:
    rows = [r[:2] + (sorted_parts(r[2]),) + r[3:] for r in run(belarus_store, "persons", person="Anastasia Lojka")]
    assert rows == [(P + "nasta-loika", "Nasta Loika", "Anastasia Loika; Anastasia Lojka; Nasta Lojka", "human rights defender",
                     None, HRW)]
    assert [r[2:7] for r in run(belarus_store, "detentions", person="Nasta Loika")] == [
        ("imprisonment after conviction", None, None, None, dt.date(2025, 12, 15)),
        ("pre-trial detention", None, None, None, None),
        ("administrative detention", None, "2022-09", "2022-12", dt.date(2022, 12, 24)),
    ]


def test_sources(belarus_store: EmbeddedStore) -> None:
    assert run(belarus_store, "sources") == [
        (HRW, "More than 1,000 Belarusians remain in prison for exercising their rights", "Human Rights Watch",
         dt.date(2025, 12, 15), 517),
        (ID + "source/wikidata-links", "Verified Wikidata identifiers for entities in repnet", "repnet project",
         dt.date(2026, 11, 25), 30),
    ]


def test_conflicts_none_in_the_shipped_data(belarus_store: EmbeddedStore) -> None:
    assert run(belarus_store, "conflicts") == []


CONFLICTING = """\
source:
  id: {sid}
  title: Source {sid}
  publisher: org/tester
  published: 2024-05-01
  terms: test data
records:
  - {{id: org/tester, type: Organization, name: Tester}}
  - {{id: person/a, type: Person, name: Person A}}
  - {{id: sentence/a, type: Sentence, person: person/a, penalty: imprisonment, term: {term}, date: {date}}}
"""


def test_conflicts_between_two_sources(tmp_path: Path) -> None:
    write(tmp_path / "one.yaml", CONFLICTING.format(sid="one", term="{years: 9}", date="2023-06"))
    write(tmp_path / "two.yaml", CONFLICTING.format(sid="two", term="{years: 10}", date="2023-06-20"))
    write(tmp_path / "three.yaml", CONFLICTING.format(sid="three", term="{years: 9}", date="2023-07-02"))
    store = in_memory(load_dataset([tmp_path]))
    rows = [(s, p, sorted_parts(v, " | "), sorted_parts(src, " | "), k) for s, p, v, src, k in run(store, "conflicts")]
    src = ID + "source/"
    assert rows == [
        # 2023-07-02 falls outside June: a disagreement with both others; 2023-06-20 sharpens 2023-06
        (ID + "sentence/a", "https://schema.org/startDate", "2023-06 | 2023-06-20 | 2023-07-02",
         f"{src}one | {src}three | {src}two", "disagreement"),
        (ID + "sentence/a", "https://schema.org/startDate", "2023-06 | 2023-06-20", f"{src}one | {src}two", "refinement"),
        (ID + "sentence/a", "https://w3id.org/repnet/ontology#termMonths", "108 | 120", f"{src}one | {src}three | {src}two",
         "disagreement"),
    ]


def test_members(belarus_store: EmbeddedStore) -> None:
    rows = [(r[1], sorted_parts(r[2], ", "), r[3], r[4]) for r in run(belarus_store, "members", organization="Viasna")]
    assert rows == [
        ("Ales Bialiatski", "founder", "released", "2025-12-13"),
        ("Marfa Rabkova", "activist, volunteers' coordinator", "imprisoned", "2025-12-15"),
        ("Uladzimir Labkovich", "activist", "released", "2025-12-13"),
        ("Valiantsin Stefanovic", "board member", "imprisoned", "2025-12-15"),
    ]


def test_courts_judges_facilities(belarus_store: EmbeddedStore) -> None:
    assert run(belarus_store, "courts") == [(ID + "org/minsk-city-court", "Minsk City Court", 1, 1, Decimal("7"))]
    assert run(belarus_store, "judges") == []  # the article names no judge
    assert run(belarus_store, "facilities") == [
        (ID + "place/homiel-penal-colony-4", "Homiel penal colony No. 4", "penal colony", 1)]


def test_release_rounds(belarus_store: EmbeddedStore) -> None:
    rows = [r[:4] + (sorted_parts(r[4]),) + r[5:] for r in run(belarus_store, "release-rounds")]
    parties = "Government of Belarus; United States government"
    assert rows == [
        (ID + "release/2025-09", "Pardon and expulsion of a group of prisoners, September 2025", "2025-09",
         ID + "negotiation/us-belarus-before-2025-09", parties, 1, None),
        (ID + "release/2025-12-13", "Release of 123 prisoners, 13 December 2025", "2025-12-13",
         ID + "negotiation/us-belarus-2025-12", parties, 6, 123),
    ]


def test_counts(belarus_store: EmbeddedStore) -> None:
    assert run(belarus_store, "counts") == [
        ("2025-12-13", "prisoners released", "exactly", 123, None, HRW),
        ("2025-12-13", "released prisoners sent to Lithuania", "exactly", 9, "Lithuania", HRW),
        ("2025-12-13", "released prisoners sent to Ukraine", "the majority", None, "Ukraine", HRW),
        ("2025-12-15", "individuals remaining behind bars for peacefully exercising their rights", "more than", 1100, "Belarus", HRW),
    ]


# ------------------------------------------------------------------ names and parameters
def test_a_name_variant_resolves_to_one_person(belarus_store: EmbeddedStore) -> None:
    for name in ("Nasta Loika", "nasta lojka", "ANASTASIA LOJKA", P + "nasta-loika"):
        assert q.resolve_name(belarus_store, name, "person") == P + "nasta-loika"


def test_cyrillic_romanised_and_reordered_names_resolve_to_one_person(belarus_store: EmbeddedStore) -> None:
    # the store states only "Nasta Loika" and Latin variants; these are written as other sources would
    for name in ("Наста Лойка", "Лойка Наста", "Loika Nasta", "Nasta Łojka"):
        assert q.resolve_name(belarus_store, name, "person") == P + "nasta-loika"
    assert q.resolve_name(belarus_store, "Марфа Рабкова", "person") == P + "marfa-rabkova"


def test_a_surname_alone_resolves_in_any_script_and_spelling(belarus_store: EmbeddedStore) -> None:
    # the store states "Maria Kalesnikava", "Viktar Babaryka", "Mikalai Statkevich", "Nasta Loika" (and Latin variants)
    for name, person in [("Kolesnikova", "maria-kalesnikava"), ("Kalesnikava", "maria-kalesnikava"), ("Kalieśnikava", "maria-kalesnikava"),
                         ("Калеснікава", "maria-kalesnikava"), ("Колесникова", "maria-kalesnikava"), ("Babariko", "viktar-babaryka"),
                         ("Бабарыка", "viktar-babaryka"), ("Statkevich", "mikalai-statkevich"), ("Статкевич", "mikalai-statkevich"),
                         ("Loika", "nasta-loika"), ("Лойка", "nasta-loika")]:
        assert q.resolve_name(belarus_store, name, "person") == P + person, name


def test_a_given_name_alone_is_not_taken_for_a_surname(belarus_store: EmbeddedStore) -> None:
    # Maria Kalesnikava is the only Maria, but a given name alone names no one
    with pytest.raises(q.UnknownName) as e:
        q.resolve_name(belarus_store, "Мария", "person")
    assert str(e.value) == ("no person is called 'Мария'.\nDid you mean: Maria Kalesnikava\n"
                            "Names and name variants are matched without case or diacritics, in Latin or Cyrillic, "
                            "in any common romanisation and in any order.")


def test_a_surname_several_persons_share_lists_them(tmp_path: Path) -> None:
    # synthetic: two persons named Kavalchuk, one Kavalchuk-Loika
    write(tmp_path / "s.yaml", MINIMAL_SOURCE + """\
  - {id: person/hk, type: Person, name: Hanna Kavalchuk}
  - {id: person/ik, type: Person, name: Ковальчук Игорь Петрович}
  - {id: person/vl, type: Person, name: Volha Sharapanava}
""")
    store = in_memory(load_dataset([tmp_path]))
    with pytest.raises(q.UnknownName) as e:
        q.resolve_name(store, "Kovalchuk", "person")
    assert str(e.value) == f"'Kovalchuk' names 2 persons:\n  Hanna Kavalchuk  <{P}hk>\n  Ковальчук Игорь Петрович  <{P}ik>\nGive the IRI instead."
    # the given name tells them apart, in its Belarusian or Russian form; the surname alone names one person
    assert q.resolve_name(store, "Анна Ковальчук", "person") == P + "hk"
    assert q.resolve_name(store, "Ihar Kavalchuk", "person") == P + "ik"
    assert q.resolve_name(store, "Ольга Шарапанова", "person") == P + "vl"
    assert q.resolve_name(store, "Sharapanova", "person") == P + "vl"


def test_an_unknown_name_lists_candidates(belarus_store: EmbeddedStore) -> None:
    with pytest.raises(q.UnknownName) as e:
        q.resolve_name(belarus_store, "Nasta Loikova", "person")
    assert str(e.value) == ("no person is called 'Nasta Loikova'.\nDid you mean: Nasta Loika\n"
                            "Names and name variants are matched without case or diacritics, in Latin or Cyrillic, "
                            "in any common romanisation and in any order.")


def test_an_ambiguous_name_lists_every_match(tmp_path: Path) -> None:
    write(tmp_path / "s.yaml", MINIMAL_SOURCE + "  - {id: person/b, type: Person, name: Person B, names: [Person A]}\n")
    store = in_memory(load_dataset([tmp_path]))
    with pytest.raises(q.UnknownName) as e:
        q.resolve_name(store, "person a", "person")
    assert str(e.value) == (f"'person a' names 2 persons:\n  Person A  <{P}a>\n  Person B  <{P}b>\nGive the IRI instead.")


def test_parameters_are_bound_as_terms_not_text(belarus_store: EmbeddedStore) -> None:
    hostile = '2024-01-01"^^xsd:date) } } # '
    with pytest.raises(UsageError):
        run(belarus_store, "detained-on", date=hostile)
    text = sparql.bind("SELECT ?x WHERE { ?x ?p ?name }", {"name": __import__("pyoxigraph").Literal('a" } DROP ALL #')})
    assert 'VALUES (?name) { ("a\\" } DROP ALL #") }' in text


def test_service_and_update_are_refused(belarus_store: EmbeddedStore) -> None:
    with pytest.raises(q.QueryError, match="SERVICE is disabled"):
        q.prepare(belarus_store, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    with pytest.raises(q.QueryError, match="read-only"):
        q.prepare(belarus_store, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    # the word inside a string or IRI is not a keyword
    assert sparql.forbidden_reason('SELECT * WHERE { ?s ?p "SERVICE" . ?s <urn:service> ?o }') is None


# ------------------------------------------------------------------ the command
def invoke(store_dir: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--store", str(store_dir), "query", *args], catch_exceptions=False)
    assert "Traceback" not in r.output
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def store_dir(belarus_dir: Path) -> Path:
    return belarus_dir


def test_query_list(store_dir: Path) -> None:
    code, out, _ = invoke(store_dir, "--list")
    assert code == 0
    assert out.splitlines()[0].startswith("charges ")
    assert "                --param date=<date>" in out
    code, out, _ = invoke(store_dir, "--list", "--format", "json")
    listed = {x["name"]: x for x in json.loads(out)}
    assert listed["sentences"]["columns"] == ["person", "personLabel", "court", "courtLabel", "date", "years", "charges", "source",
                                              "status"]
    assert listed["timeline"]["params"] == [{"name": "person", "kind": "person", "required": True,
                                            "help": "an IRI, or any of the person's names or name variants"}]


def test_query_csv(store_dir: Path) -> None:
    code, out, _ = invoke(store_dir, "sentences", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [(r["personLabel"], r["years"], r["date"]) for r in rows] == [
        ("Marfa Rabkova", "15", "2022-09"), ("Nasta Loika", "7", "2023-06"), ("Valiantsin Stefanovic", "9", "2023-03")]


def test_query_json_is_sparql_results_json(store_dir: Path) -> None:
    code, out, _ = invoke(store_dir, "-e", "SELECT DISTINCT ?s WHERE { ?s a schema:Country } ORDER BY ?s LIMIT 2", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"head": {"vars": ["s"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": ID + "place/belarus"}}, {"s": {"type": "uri", "value": ID + "place/lithuania"}}]}}


def test_query_table_and_tsv(store_dir: Path) -> None:
    code, out, _ = invoke(store_dir, "detained-on", "--param", "date=2021-01-01", "--format", "table")
    assert (code, out) == (0, "person                personLabel    facility  since       source                         status  lastKnown\n"
                              "--------------------  -------------  --------  ----------  -----------------------------  ------  ----------\n"
                              "person:marfa-rabkova  Marfa Rabkova            2020-09-17  source:hrw-2025-12-15-belarus  stated  2025-12-15\n"
                              "(1 row)\n")
    code, out, _ = invoke(store_dir, "facilities", "--format", "tsv")
    assert out.splitlines()[0] == "?facility\t?facilityLabel\t?type\t?persons"


def test_query_construct_gives_turtle(store_dir: Path, tmp_path: Path) -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import SKOS

    code, out, _ = invoke(store_dir, "-e", "CONSTRUCT { ?p skos:prefLabel ?l } WHERE { ?p a schema:Person ; skos:prefLabel ?l }")
    g = Graph().parse(data=out, format="turtle")
    assert code == 0 and len(g) == 11
    assert (URIRef(P + "nasta-loika"), SKOS.prefLabel, Literal("Nasta Loika", lang="en")) in g


def test_query_rq_file_and_source_restriction(store_dir: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "my-question.rq", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }\n")
    assert invoke(store_dir, str(f), "--format", "csv")[1] == "n\n11\n"
    assert invoke(store_dir, str(f), "--format", "csv", "--source", "wikidata-links")[1] == "n\n1\n"
    code, _, err = invoke(store_dir, str(f), "--source", "nope")
    assert code == 2 and "no source 'nope' in the store. Sources: hrw-2025-12-15-belarus, wikidata-links" in err


def test_graph_gives_provenance(store_dir: Path) -> None:
    code, out, _ = invoke(store_dir, "-e", f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{P}aliaksandr-lukashenka> ?p ?o }} }} ORDER BY ?g",
                          "--format", "csv")
    assert out == ("g\nhttps://w3id.org/repnet/graph/hrw-2025-12-15-belarus\nhttps://w3id.org/repnet/graph/wikidata-links\n")


def test_syntax_errors_point_at_line_and_column(store_dir: Path) -> None:
    code, _, err = invoke(store_dir, "-e", "SELECT ?s WHERE {\n  ?s a ?c\n  FILTER( }")
    assert code == 1
    assert err.startswith("Error: SPARQL syntax error: line 3, column 12: ")
    assert err.endswith("      FILTER( }\n               ^\n")


def test_query_usage_errors(store_dir: Path) -> None:
    assert invoke(store_dir, "timeline")[0] == 2
    assert "query 'timeline' needs --param person=..." in invoke(store_dir, "timeline")[2]
    code, _, err = invoke(store_dir, "sentnces")
    assert code == 2 and "Did you mean sentences?" in err
    code, _, err = invoke(store_dir, "timeline", "--param", "person=Nasta Loikova")
    assert code == 1 and "Did you mean: Nasta Loika" in err
    code, _, err = invoke(store_dir, "sources", "--param", "x=1")
    assert code == 2 and "query 'sources' has no parameter 'x'; it takes none" in err


def test_from_chooses_graphs_among_the_visible_ones(store_dir: Path) -> None:
    q_text = ("SELECT (COUNT(DISTINCT ?p) AS ?n) FROM <https://w3id.org/repnet/graph/wikidata-links> "
              "WHERE { ?p a schema:Person }")
    assert invoke(store_dir, "-e", q_text, "--format", "csv")[1] == "n\n1\n"
    restricted = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/repnet/graph/hrw-2025-12-15-belarus/restricted> "
                  "WHERE { ?s ?p ?o }")
    assert invoke(store_dir, "-e", restricted, "--format", "csv")[1] == "n\n0\n"


def test_a_prefixed_from_chooses_the_same_graph_as_the_full_iri(store_dir: Path) -> None:
    """Issue 14: the CLI had its own FROM parser that ignored prefixed names (and counted every graph)."""
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    full = invoke(store_dir, "-e", count.format("FROM <https://w3id.org/repnet/graph/wikidata-links>"), "--format", "csv")[1]
    prefixed = invoke(store_dir, "-e", "PREFIX g: <https://w3id.org/repnet/graph/> "
                      + count.format("FROM g:wikidata-links"), "--format", "csv")[1]
    everything = invoke(store_dir, "-e", count.format(""), "--format", "csv")[1]
    assert prefixed == full and full != everything
    assert int(full.split()[1]) < int(everything.split()[1])


def test_a_prefix_named_like_a_keyword_is_not_a_keyword() -> None:
    assert sparql.forbidden_reason("PREFIX load: <urn:x:> SELECT * WHERE { ?s load:p ?o }") is None
    assert sparql.query_form("PREFIX add: <urn:x:> SELECT * WHERE { ?s add:p ?o }") == "SELECT"


def test_query_persons_by_a_surname_in_russian_form(store_dir: Path) -> None:
    code, out, _ = invoke(store_dir, "persons", "--param", "person=Колесникова", "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["person", "name", "variants", "occupations", "organizations", "sources"],
        [P + "maria-kalesnikava", "Maria Kalesnikava", "", "opposition figure", "", ID + "source/hrw-2025-12-15-belarus"]]


# Every kind of term a result holds, and how a table shows it: data IRIs and vocabulary IRIs as
# CURIEs, other IRIs whole, text that is a link shortened as an IRI is, numbers as numbers, a date as
# its day, escapes as the characters they stand for, an unbound value as nothing.
_TERMS = """SELECT ?v ?n WHERE { VALUES (?v ?n) {
  (<https://w3id.org/repnet/id/person/x> 1) (<https://schema.org/Person> 2) (<http://example.org/a> 3)
  (<urn:x-repnet:none> 4) ("https://w3id.org/repnet/id/org/y" 5) ("a\\tb \\"q\\" \\u00e9" 6) ("Minsk"@en 7)
  ("2.50"^^<http://www.w3.org/2001/XMLSchema#decimal> 8) (1.5e3 9) (true 10) (-7 11)
  ("2025-12-13"^^<http://www.w3.org/2001/XMLSchema#date> 12) ("2023-06"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> 13)
  (UNDEF 14) ("<not an IRI>" 15) ("" 16) } } ORDER BY ?n"""
_SHOWN = [("person:x", 1), ("schema:Person", 2), ("http://example.org/a", 3), ("urn:x-repnet:none", 4),
          ("orgs:y", 5), ('a\tb "q" é', 6), ("Minsk", 7), ("2.5", 8), ("1500.0", 9), ("True", 10), ("-7", 11),
          ("2025-12-13", 12), ("2023-06", 13), ("", 14), ("<not an IRI>", 15), ("", 16)]


def test_a_table_shows_each_kind_of_term_as_its_plain_value() -> None:
    store = EmbeddedStore(__import__("pyoxigraph").Store())
    text = q.render_result(store.query(_TERMS), q.prepare(store, _TERMS, {}), "table")
    width = max(len(v) for v, _ in _SHOWN)
    lines = [f"{'v':<{width}}  n", "-" * width + "  --"]
    lines += [f"{v:<{width}}  {n}".rstrip() for v, n in _SHOWN]
    assert text == "\n".join(lines) + "\n(16 rows)\n"


def test_tables_read_from_the_results_text_show_what_the_terms_show(belarus_store: EmbeddedStore) -> None:
    # the table is read from Oxigraph's TSV of the result; the same rows read as terms
    # (rows_of, which the API and exports use) and shown cell by cell must give the same text
    from repnet.graph.output import render

    short = q._shortener()
    for saved in q.saved_queries().values():
        if any(p.required for p in saved.params):
            continue
        prepared = q.prepare(belarus_store, saved.text, {}, saved)
        columns, rows = q.rows_of(belarus_store.query(prepared.text))
        shown = [{c: short(v) if isinstance(v, str) and v.startswith(("http:", "https:", "urn:")) else v
                  for c, v in r.items()} for r in rows]
        expected = render(shown, columns, "table") + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
        assert q.render_result(belarus_store.query(prepared.text), prepared, "table") == expected, saved.name
