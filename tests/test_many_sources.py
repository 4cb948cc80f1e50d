"""Claims from two sources that agree, disagree, sharpen and supersede each other (issue 11).

The fixture ``tests/fixtures/many-sources/`` (synthetic persons) has: a term disagreement, a count
disagreement about the same group, a month refined to a day, a release disputed by a later
observation of imprisonment, and an appeal that reduced a term. Every saved query is asserted
with its exact rows, the source on every row, and the rows each source gives alone (``--source``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from repnet.graph.ask.status import stored_periods
from repnet.graph.errors import ValidationFailed
from repnet.graph.ingest.build import build
from repnet.graph.network import analysis as A
from repnet.graph.network import project as P
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, write
from .test_queries import run, sorted_parts

FIXTURE = Path(__file__).parent / "fixtures" / "many-sources"
FIRST, SECOND = ID + "source/synthetic-first", ID + "source/synthetic-second"
BOTH = f"{FIRST} | {SECOND}"
ALPHA, BETA = ID + "person/alpha", ID + "person/beta"
ALPHA_NAME, BETA_NAME = "Alpha Person [synthetic]", "Beta Person [synthetic]"
DISTRICT, REGIONAL = ID + "org/district-court", ID + "org/regional-court"
ENMITY = "incitement to enmity [synthetic]"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many-sources")
    build([FIXTURE], root)
    return root


@pytest.fixture(scope="module")
def store(store_dir: Path) -> EmbeddedStore:
    return open_store(store_dir)


def only(store: EmbeddedStore, source: str, name: str, **params: str) -> list[tuple[Any, ...]]:
    """A saved query restricted to one source, as `repnet query --source` runs it."""
    from repnet.graph.ask import query as q

    saved = q.saved_queries()[name]
    prepared = q.prepare(store, saved.text, params, saved)
    graphs = q.source_graphs(store, [source])
    columns, rows = q.rows_of(q.execute(store, prepared, graphs))
    return [tuple(r[c] for c in columns) for r in rows]


def test_disagreeing_sources_build_and_keep_both_values(store: EmbeddedStore) -> None:
    terms = sorted(r[5] for r in run(store, "sentences") if r[4] == "2024-03")
    assert terms == [Decimal("9"), Decimal("10")]


def test_conflicts_lists_disagreements_and_refinements(store: EmbeddedStore) -> None:
    assert run(store, "conflicts") == [
        (ID + "arrest/alpha", "https://schema.org/startDate", "2023-09 | 2023-09-11", BOTH, "refinement"),
        (BETA, "https://w3id.org/repnet/ontology#periodStatus", "released (2025-12-13) | imprisoned (2026-01-10)", BOTH,
         "disagreement"),
        (ID + "release/round-2025-12-13", "https://w3id.org/repnet/ontology#countValue", "exact 9 | exact 8", BOTH,
         "disagreement"),
        (ID + "sentence/alpha", "https://w3id.org/repnet/ontology#termMonths", "108 | 120", BOTH, "disagreement"),
    ]
    # within one source nothing disagrees
    assert only(store, "synthetic-first", "conflicts") == only(store, "synthetic-second", "conflicts") == []


def test_sentences_mark_the_one_replaced_on_appeal(store: EmbeddedStore) -> None:
    assert run(store, "sentences") == [
        # the same person, court and date: the shorter term first (the columns after the sort keys)
        (ALPHA, ALPHA_NAME, DISTRICT, "District Court [synthetic]", "2024-03", Decimal("9"), ENMITY, FIRST, "replaced"),
        (ALPHA, ALPHA_NAME, DISTRICT, "District Court [synthetic]", "2024-03", Decimal("10"), None, SECOND, "replaced"),
        (ALPHA, ALPHA_NAME, REGIONAL, "Regional Court [synthetic]", "2024-07", Decimal("7"), ENMITY, SECOND, "current"),
    ]
    # the first source alone knows of no appeal: its sentence is current there
    assert only(store, "synthetic-first", "sentences") == [
        (ALPHA, ALPHA_NAME, DISTRICT, "District Court [synthetic]", "2024-03", Decimal("9"), ENMITY, FIRST, "current")]
    # the second source alone: its own statements only (court names are the first source's)
    assert only(store, "synthetic-second", "sentences") == [
        (ALPHA, ALPHA_NAME, DISTRICT, None, "2024-03", Decimal("10"), None, SECOND, "replaced"),
        (ALPHA, ALPHA_NAME, REGIONAL, None, "2024-07", Decimal("7"), None, SECOND, "current")]


def test_totals_count_the_current_term_only(store: EmbeddedStore) -> None:
    # one offence, worded differently for two persons by two sources
    assert run(store, "charges") == [(ID + "offence/enmity", ENMITY, None, 2, Decimal("7"),
                                      "inciting hatred [synthetic wording]; stirring up enmity [synthetic wording]")]
    assert run(store, "courts") == [(REGIONAL, "Regional Court [synthetic]", 1, 1, Decimal("7")),
                                    (DISTRICT, "District Court [synthetic]", 1, 1, Decimal("0"))]
    assert run(store, "judges") == [(ID + "person/judge-one", "Judge One [synthetic]", DISTRICT, "District Court [synthetic]",
                                     1, Decimal("0"))]
    assert only(store, "synthetic-first", "charges") == [(ID + "offence/enmity", ENMITY, None, 1, Decimal("9"),
                                                          "inciting hatred [synthetic wording]")]


def test_a_release_disputed_by_a_later_observation_is_not_current(store: EmbeddedStore) -> None:
    assert run(store, "releases") == [(BETA, BETA_NAME, dt.date(2025, 12, 13), "release", None, None, FIRST, "reversed")]
    assert only(store, "synthetic-first", "releases") == [
        (BETA, BETA_NAME, dt.date(2025, 12, 13), "release", None, None, FIRST, "current")]


def test_a_release_without_negotiation_is_one_row_beside_other_data(tmp_path: Path) -> None:
    from repnet.graph.ingest.sources import default_paths

    build([*default_paths(), FIXTURE], tmp_path / "store")
    rows = [r for r in run(open_store(tmp_path / "store"), "releases") if r[0] == BETA]
    assert rows == [(BETA, BETA_NAME, dt.date(2025, 12, 13), "release", None, None, FIRST, "reversed")]


@pytest.mark.parametrize(("day", "expected"), [
    # the arrest month is stated by the first source, the day (11 September) by the second
    ("2023-09-05", [(ALPHA, ALPHA_NAME, None, "2023-09", BOTH, "possible", "2026-01-25")]),
    ("2023-09-20", [(ALPHA, ALPHA_NAME, None, "2023-09", BOTH, "stated", "2026-01-25")]),
    # Beta: released on 13 December, observed imprisoned on 10 January: held again from a day between
    ("2025-12-20", [(ALPHA, ALPHA_NAME, None, "2023-09", BOTH, "stated", "2026-01-25"),
                    (BETA, BETA_NAME, None, None, SECOND, "possible", "2026-01-10")]),
    # on the last observation, and after it
    ("2026-01-25", [(ALPHA, ALPHA_NAME, None, "2023-09", BOTH, "stated", "2026-01-25"),
                    (BETA, BETA_NAME, None, None, SECOND, "last known", "2026-01-10")]),
    ("2026-03-01", [(ALPHA, ALPHA_NAME, None, "2023-09", BOTH, "last known", "2026-01-25"),
                    (BETA, BETA_NAME, None, None, SECOND, "last known", "2026-01-10")]),
])
def test_detained_on_before_on_and_after_the_last_observation(store: EmbeddedStore, day: str,
                                                              expected: list[tuple[Any, ...]]) -> None:
    # the sources of a row are joined in the store's order (sorting them costs seconds at 100k persons)
    rows = [(*r[:4], sorted_parts(r[4], " | "), *r[5:]) for r in run(store, "detained-on", date=day)]
    assert rows == expected


def test_detained_on_by_one_source(store: EmbeddedStore) -> None:
    # the first source last saw Alpha held on 2025-12-20 and knows Beta released
    assert only(store, "synthetic-first", "detained-on", date="2026-01-05") == [
        (ALPHA, ALPHA_NAME, None, "2023-09", FIRST, "last known", "2025-12-20")]
    assert only(store, "synthetic-second", "detained-on", date="2026-01-05") == [
        (ALPHA, ALPHA_NAME, None, "2023-09-11", SECOND, "stated", "2026-01-25")]


def test_timeline_credits_each_row_to_the_source_of_its_values(store: EmbeddedStore) -> None:
    assert run(store, "timeline", person=ALPHA_NAME) == [
        ("2023-09", "StatusPeriod", "imprisoned; last known 2026-01-25", BOTH),
        ("2023-09", "Arrest", "", FIRST),
        ("2023-09", "Charge", "inciting hatred [synthetic wording]", FIRST),
        ("2023-09", "Detention", "detention (kind not stated)", FIRST),
        ("2023-09-11", "Arrest", "", SECOND),
        ("2024-03", "Sentence", f"{ENMITY}; term 108 months; District Court [synthetic]; replaced on appeal or review", FIRST),
        ("2024-03", "Sentence", "term 120 months; District Court [synthetic]; replaced on appeal or review", SECOND),
        ("2024-03", "Verdict", "first instance; District Court [synthetic]", FIRST),
        ("2024-07", "Sentence", f"{ENMITY}; term 84 months; Regional Court [synthetic]; cites Appeal ruling [synthetic] "
                                '<https://example.org/synthetic/appeal-ruling>, p. 2: "the term is reduced to seven years"', SECOND),
        ("2024-07", "Verdict", "appeal; sentence reduced; reviews the verdict of District Court [synthetic] of 2024-03; "
                               "Regional Court [synthetic]", SECOND),
        ("2026-01-25", "StatusObservation", "imprisoned", SECOND),
    ]


def test_diff_counts_no_release_that_was_reversed(store: EmbeddedStore) -> None:
    G = P.project(store)
    t = A.diff(G, "2025-12-01", "2026-01-31", stored_periods(store))
    assert [(r["label"], r["change"], r["date"]) for r in t.rows] == [(BETA_NAME, "changed", "2025-12-13")]
    assert t.notes["released"] == 0
    # before the observation of 10 January, Beta was released on 13 December
    t = A.diff(G, "2025-12-01", "2025-12-31", stored_periods(store))
    assert [(r["label"], r["change"], r["date"]) for r in t.rows] == [(BETA_NAME, "changed", "2025-12-13")]


def test_every_reference_check_runs_across_sources() -> None:
    """A sh:class checked per source would refuse a reference to an entity another source defines."""
    from rdflib import Graph
    from rdflib.namespace import SH

    from repnet.graph.ingest.shacl import across
    from repnet.ontology.resources import shapes_text

    g = Graph().parse(data=shapes_text(), format="turtle")
    per_source = [str(g.value(ps, SH.path)) for shape in g.subjects(SH.property, None) for ps in g.objects(shape, SH.property)
                  if g.value(ps, SH["class"]) is not None and not (across(g, ps) or across(g, shape))]
    assert per_source == []


def test_a_citation_per_fact_is_stored_with_prov(store: EmbeddedStore) -> None:
    rows = store.query("""SELECT ?g ?url ?quote WHERE { GRAPH ?g { <https://w3id.org/repnet/id/sentence/alpha-appeal>
        prov:qualifiedDerivation ?c . ?c prov:entity ?doc ; rpn:quote ?quote . ?doc schema:url ?url } }""")
    assert [(r["g"].value, r["url"].value, r["quote"].value) for r in rows] == [
        ("https://w3id.org/repnet/graph/synthetic-second", "https://example.org/synthetic/appeal-ruling",
         "the term is reduced to seven years")]


TWO_NAMES = """\
source:
  id: {sid}
  title: Source {sid}
  publisher: org/tester
  published: 2024-05-01
  terms: test data
records:
  - {{id: org/tester, type: Organization, name: Tester}}
  - {{id: person/a, type: Person, name: {name}}}
  - {{id: sentence/a, type: Sentence, person: person/a, penalty: imprisonment, term: {{years: 3}}}}
{extra}"""


def test_what_must_hold_globally_names_both_sources_and_values(tmp_path: Path) -> None:
    write(tmp_path / "one.yaml", TWO_NAMES.format(sid="one", name="Person A", extra=""))
    write(tmp_path / "two.yaml", TWO_NAMES.format(sid="two", name="Person Ay", extra=""))
    with pytest.raises(ValidationFailed) as e:
        build([tmp_path], tmp_path / "store")
    text = str(e.value)
    assert "one preferred name per language in all sources together" in text
    assert f"{tmp_path / 'one.yaml'} (source one) says: Person A (en)" in text
    assert f"{tmp_path / 'two.yaml'} (source two) says: Person Ay (en)" in text


def test_one_source_cannot_state_two_values_for_one_fact(tmp_path: Path) -> None:
    extra = "  - {id: observation/a, type: StatusObservation, person: person/a, status: imprisoned, as_of: 2024-01-01}\n"
    text = TWO_NAMES.format(sid="one", name="Person A", extra=extra)
    write(tmp_path / "one.yaml", text + "  - {id: observation/a, type: StatusObservation, person: person/a, "
                                        "status: imprisoned, as_of: 2024-01-02}\n")
    from repnet.graph.errors import SourceError

    # the same id twice in one source is refused before any RDF is made
    with pytest.raises(SourceError, match="defined twice in this source"):
        build([tmp_path], tmp_path / "store")


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_cardinality_is_checked_per_source_in_both_engines(engine: str) -> None:
    """Two terms for one sentence: a violation in one source's graph, two claims in two sources' graphs."""
    import pyoxigraph as ox

    from repnet.graph.ingest.validate import validate_store
    from repnet.graph.store.embedded import memory_store

    rpn, g = "https://w3id.org/repnet/ontology#", "https://example.org/graph/"
    n, lit = ox.NamedNode, ox.Literal
    s, person = n("https://example.org/id/sentence/a"), n("https://example.org/id/person/a")
    integer = n("http://www.w3.org/2001/XMLSchema#integer")

    def quads(graph_of_second_term: str) -> list[ox.Quad]:
        facts = [(person, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n("https://schema.org/Person"), "one"),
                 (person, n("http://www.w3.org/2004/02/skos/core#prefLabel"), lit("A", language="en"), "one"),
                 (s, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(rpn + "Sentence"), "one"),
                 (s, n(rpn + "sentencedPerson"), person, "one"),
                 (s, n(rpn + "penaltyType"), n("https://w3id.org/repnet/concept/penalty/imprisonment"), "one"),
                 (s, n(rpn + "termMonths"), lit("108", datatype=integer), "one"),
                 (s, n(rpn + "termMonths"), lit("120", datatype=integer), graph_of_second_term)]
        if graph_of_second_term == "two":  # the second source states the sentence whole
            facts += [(s, p, o, "two") for s2, p, o, _ in facts[2:5] if s2 == s]
        return [ox.Quad(a, b, c, n(g + x)) for a, b, c, x in facts]

    one = validate_store(memory_store(quads("one")), engine)
    assert [(v.focus, v.component, v.source) for v in one.violations] == [(s.value, "MaxCount", g + "one")]
    assert validate_store(memory_store(quads("two")), engine).conforms
