"""Per-record citations (cite:), wording as reported (wording:) and inferred values (inferred:).

Each is checked with file, line, record and fix, and written as RDF (compared with rdflib.compare).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from repnet.cli import cli
from repnet.graph.build import build
from repnet.graph.dataset import load_dataset
from repnet.graph.store import EmbeddedStore, open_store

from .conftest import ID, MINIMAL_SOURCE, select, write

DOC_URL = "https://spring96.org/en/news/112001"
DOC = f"{ID}document/{hashlib.sha256(DOC_URL.encode()).hexdigest()[:16]}"
TINY = "https://w3id.org/repnet/graph/tiny"

CITED = MINIMAL_SOURCE + """\
  - {id: offence/enmity, type: Offence, name: incitement to social enmity}
  - id: charge/a
    type: Charge
    person: person/a
    offence: [offence/enmity]
    wording: {offence/enmity: inciting social enmity}
    cite:
      - url: https://spring96.org/en/news/112001
        title: "Nasta Loika sentenced to seven years"
        publisher: Viasna
        date: 2023-06
        quote: "charged with inciting social enmity"
        locator: paragraph 2
  - id: person/b
    type: Person
    name: Person B
    restricted: true
    cite: [{url: "https://spring96.org/en/news/112001", title: "Nasta Loika sentenced to seven years"}]
"""


def term(t: ox.NamedNode | ox.Literal) -> URIRef | Literal:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    if t.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(t.value)
    return Literal(t.value, datatype=URIRef(t.datatype.value))


def graph_of(quads: list, graph: str, subjects: tuple[str, ...]) -> Graph:
    g = Graph()
    for q in quads:
        if q.graph_name.value == graph and q.subject.value.startswith(subjects):
            g.add((URIRef(q.subject.value), URIRef(q.predicate.value), term(q.object)))
    return g


def assert_isomorphic(got: Graph, turtle: str) -> None:
    want = Graph().parse(data=turtle, format="turtle")
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail("only built:\n" + only_got.serialize(format="nt") + "only expected:\n" + only_want.serialize(format="nt"))


@pytest.fixture(scope="module")
def cited_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cited")
    f = write(root / "src" / "tiny.yaml", CITED)
    build([f], root / "store")
    return root / "store"


@pytest.fixture(scope="module")
def cited_store(cited_root: Path) -> EmbeddedStore:
    return open_store(cited_root, include_restricted=True)


# ---------------------------------------------------------------------------- citations
def test_a_citation_is_a_prov_derivation_of_the_record_from_the_cited_document(tmp_path: Path) -> None:
    quads = list(load_dataset([write(tmp_path / "tiny.yaml", CITED)]).quads())
    cit = f"{ID}charge/a/citation/" + hashlib.sha256(
        f"{DOC_URL}\nparagraph 2\ncharged with inciting social enmity".encode()).hexdigest()[:16]
    got = graph_of(quads, TINY, (f"{ID}charge/a/citation/", DOC))
    for q in quads:
        if q.subject.value == f"{ID}charge/a" and q.predicate.value.endswith("qualifiedDerivation"):
            got.add((URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value)))
    assert_isomorphic(got, f"""
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix schema: <https://schema.org/> .
        @prefix dcterms: <http://purl.org/dc/terms/> . @prefix rpn: <https://w3id.org/repnet/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{ID}charge/a> prov:qualifiedDerivation <{cit}> .
        <{cit}> a prov:Derivation , rpn:Citation ; prov:entity <{DOC}> ;
            rpn:quote "charged with inciting social enmity"@en ; rpn:locator "paragraph 2" .
        <{DOC}> a prov:Entity , schema:CreativeWork , rpn:CitedDocument ; schema:url <{DOC_URL}> ;
            dcterms:title "Nasta Loika sentenced to seven years"@en ; schema:publisher "Viasna"@en ;
            schema:datePublished "2023-06"^^xsd:gYearMonth .
        """)


def test_a_restricted_record_cites_in_the_restricted_graph_and_shares_the_document(cited_root: Path,
                                                                                  cited_store: EmbeddedStore) -> None:
    rows = select(cited_store, """
        SELECT ?g ?record ?doc WHERE { GRAPH ?g { ?record prov:qualifiedDerivation/prov:entity ?doc } } ORDER BY ?record""")
    assert rows == [(TINY, f"{ID}charge/a", DOC), (TINY + "/restricted", f"{ID}person/b", DOC)]
    public = open_store(cited_root)
    assert select(public, "SELECT ?r WHERE { ?r prov:qualifiedDerivation ?c }") == [(f"{ID}charge/a",)]


CITATION_PATTERN = """
    SELECT ?record ?url ?title ?publisher ?date ?quote ?locator WHERE {
      GRAPH ?g { ?record prov:qualifiedDerivation ?cit . ?cit prov:entity ?doc .
                 ?doc schema:url ?url ; dcterms:title ?title .
                 OPTIONAL { ?doc schema:publisher ?publisher FILTER(isLiteral(?publisher)) }
                 OPTIONAL { ?doc schema:datePublished ?date }
                 OPTIONAL { ?cit rpn:quote ?quote } OPTIONAL { ?cit rpn:locator ?locator } } }"""


def test_the_citation_pattern_for_the_lead_gives_url_title_and_quote(cited_store: EmbeddedStore) -> None:
    rows = select(cited_store, CITATION_PATTERN + " ORDER BY ?record")
    assert rows == [
        (f"{ID}charge/a", DOC_URL, "Nasta Loika sentenced to seven years", "Viasna", "2023-06",
         "charged with inciting social enmity", "paragraph 2"),
        (f"{ID}person/b", DOC_URL, "Nasta Loika sentenced to seven years", None, None, None, None),
    ]


BAD_CITES = MINIMAL_SOURCE + """\
  - id: person/c
    type: Person
    name: C
    cite:
      - {title: no url}
      - {url: "ftp://x.org/a", title: T, date: {after: 2023}, pages: 3}
      - just a string
      - {url: "https://x.org/a", title: T, language: "not a tag!", date: 2023-02-30}
"""


def test_every_bad_citation_item_is_reported_with_file_line_record_and_fix(tmp_path: Path) -> None:
    f = write(tmp_path / "bad.yaml", BAD_CITES)
    r = CliRunner().invoke(cli, ["validate", str(f)], catch_exceptions=False)
    assert r.exit_code == 1
    where = f"{f}, line 10, record person/c: 'cite': "
    for message, fix in [
        ("item 1 needs 'url'", "add 'url:' (url) to the item: every cited document has a url and a title"),
        ("item 2 has no field 'pages'", "use only quote, locator, url, title, publisher, date, language"),
        ("item 2 'url': 'ftp://x.org/a' is not an http(s) URL", "give a full address"),
        ("item 2 'date': {'after': 2023} is not a publication date", "write the date the document gives, e.g. 2025-12 or 2025-12-15"),
        ("item 3 must be a mapping of quote, locator, url, title, publisher, date, language, got 'just a string'",
         "write e.g. cite: [{url: https://..., title: ..., publisher: ..., date: 2025-12-15, quote: ...}]"),
        ("item 4 'language': 'not a tag!' is not a BCP 47 tag", "use e.g. en, be, ru, be-Latn"),
        ("item 4 'date': '2023-02-30' is an impossible date: February 2023 has 28 days", "fix the date"),
    ]:
        assert f"{where}{message}\n    fix: {fix}" in r.stderr
    assert r.stderr.startswith("Error: 7 problems in the sources:\n")


# ---------------------------------------------------------------------------- wording
def test_a_wording_is_a_node_per_charge_and_offence(tmp_path: Path) -> None:
    quads = list(load_dataset([write(tmp_path / "tiny.yaml", CITED)]).quads())
    got = graph_of(quads, TINY, (f"{ID}charge/a/wording/",))
    for q in quads:
        if q.subject.value == f"{ID}charge/a" and q.predicate.value.endswith("reportedOffence"):
            got.add((URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value)))
    assert_isomorphic(got, f"""
        @prefix rpn: <https://w3id.org/repnet/ontology#> .
        <{ID}charge/a> rpn:reportedOffence <{ID}charge/a/wording/offence/enmity> .
        <{ID}charge/a/wording/offence/enmity> a rpn:OffenceAsReported ; rpn:offence <{ID}offence/enmity> ;
            rpn:wordingAsReported "inciting social enmity"@en .
        """)


def test_a_wording_must_name_an_offence_of_its_record(tmp_path: Path) -> None:
    f = write(tmp_path / "w.yaml", MINIMAL_SOURCE + """\
  - {id: offence/enmity, type: Offence, name: enmity}
  - {id: offence/riot, type: Offence, name: riot}
  - {id: charge/a, type: Charge, person: person/a, offence: [offence/enmity], wording: {offence/riot: rioting, offence/enmity: ""}}
  - {id: charge/b, type: Charge, person: person/a, offence: [offence/enmity], wording: inciting enmity}
""")
    r = CliRunner().invoke(cli, ["validate", str(f)], catch_exceptions=False)
    assert r.exit_code == 1
    assert (f"{f}, line 12, record charge/a: 'wording': 'offence/riot' is not one of this record's offence ids (did you mean 'offence/enmity'?)\n"
            "    fix: list 'offence/riot' under offence: too, or key the words by one of: offence/enmity") in r.stderr
    assert (f"{f}, line 12, record charge/a: 'wording': the words for 'offence/enmity' must be non-empty text, got ''\n"
            "    fix: quote the words the source uses for this person's charge") in r.stderr
    assert (f"{f}, line 13, record charge/b: 'wording': expected a map of offence id to the source's words, got 'inciting enmity'\n"
            "    fix: write e.g. wording: {offence/incitement-to-enmity: inciting social enmity}") in r.stderr


# ---------------------------------------------------------------------------- inferred
def test_an_inferred_field_is_stored_with_its_properties_and_reason(tmp_path: Path) -> None:
    f = write(tmp_path / "tiny.yaml", MINIMAL_SOURCE + """\
  - id: person/z
    type: Person
    name: Z
    occupation: [human-rights-defender]
    inferred: {occupation: "the source calls Z the founder of a rights group"}
""")
    quads = list(load_dataset([f]).quads())
    got = graph_of(quads, TINY, (f"{ID}person/z/inferred/",))
    for q in quads:
        if q.subject.value == f"{ID}person/z" and q.predicate.value.endswith("hasInference"):
            got.add((URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value)))
    assert_isomorphic(got, f"""
        @prefix rpn: <https://w3id.org/repnet/ontology#> . @prefix schema: <https://schema.org/> .
        <{ID}person/z> rpn:hasInference <{ID}person/z/inferred/tiny/occupation> .
        <{ID}person/z/inferred/tiny/occupation> a rpn:Inference ; rpn:inferredProperty schema:hasOccupation ;
            rpn:inferenceReason "the source calls Z the founder of a rights group"@en .
        """)


def test_an_inferred_date_names_the_date_and_its_bounds(tmp_path: Path) -> None:
    f = write(tmp_path / "tiny.yaml", MINIMAL_SOURCE + """\
  - {id: arrest/a, type: Arrest, person: person/a, date: 2023-05, inferred: {date: "the source says 'last spring'"}}
""")
    props = {q.object.value for q in load_dataset([f]).quads() if q.predicate.value.endswith("inferredProperty")}
    assert props == {"https://schema.org/startDate", "https://w3id.org/repnet/ontology#earliestStart",
                     "https://w3id.org/repnet/ontology#latestStart"}


def test_bad_inferences_are_reported(tmp_path: Path) -> None:
    f = write(tmp_path / "i.yaml", MINIMAL_SOURCE + """\
  - {id: person/y, type: Person, name: Y, inferred: {occupaton: x, description: y, name: ""}}
  - {id: person/x, type: Person, name: X, inferred: [name]}
""")
    r = CliRunner().invoke(cli, ["validate", str(f)], catch_exceptions=False)
    assert r.exit_code == 1
    err = r.stderr
    assert (f"{f}, line 10, record person/y: 'inferred': 'occupaton' is not a field that can be inferred (did you mean 'occupation'?)\n"
            "    fix: name a field of this record whose value the source does not state") in err
    assert (f"{f}, line 10, record person/y: 'inferred': 'description' is marked inferred but the record has no 'description'\n"
            "    fix: add 'description:' or remove it from inferred:") in err
    assert f"{f}, line 10, record person/y: 'inferred': the reason for 'name' must be non-empty text, got ''" in err
    assert (f"{f}, line 11, record person/x: 'inferred': expected a map of field name to the reason it is inferred, got ['name']\n"
            "    fix: write e.g. inferred: {occupation: \"the source says founder of Viasna, not human rights defender\"}") in err
