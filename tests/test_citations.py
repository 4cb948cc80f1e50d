"""Per-record citations (cite:), wording as reported (wording:) and inferred values (inferred:).

Each is checked with file, line, record and fix, and written as RDF (compared with rdflib.compare).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from repnet.cli import cli
from repnet.graph.ingest.build import build
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, MINIMAL_SOURCE, select, write
from .test_viz import assert_clean, browser, close, open_page  # noqa: F401 (browser is a fixture)

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
            "    fix: quote the words the source uses for it, for this person") in r.stderr
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


# ---------------------------------------------------------------------------- where sources are shown
def test_an_entity_page_shows_its_citations_and_those_of_the_records_that_link_to_it(cited_store: EmbeddedStore) -> None:
    from repnet.graph.web import pages

    charge = pages.entity(cited_store, f"{ID}charge/a", "text/html").body.decode()
    row = (f'<tr><td><a href="/id/charge/a">a</a></td><td><a href="{DOC_URL}" rel="noreferrer">Nasta Loika sentenced to '
           'seven years</a> (Viasna, 2023-06)</td><td>charged with inciting social enmity</td><td>paragraph 2</td><td>tiny</td></tr>')
    assert "<h2>Citations</h2>" in charge and row in charge
    person = pages.entity(cited_store, f"{ID}person/a", "text/html").body.decode()
    assert row.replace('<a href="/id/charge/a">a</a>', '<a href="/id/charge/a">a</a>') in person


def test_the_public_page_of_a_restricted_record_shows_no_citation(cited_root: Path) -> None:
    from repnet.graph.web import pages

    public = open_store(cited_root)
    assert pages.entity(public, f"{ID}person/b", "text/html").status == 404
    # the document is public because a public record cites it; the restricted record's citation is not shown
    doc = pages.entity(public, DOC, "text/html").body.decode()
    assert "Nasta Loika sentenced to seven years" in doc and "person/b" not in doc


def test_the_turtle_of_a_record_carries_its_citation_and_the_cited_document(cited_store: EmbeddedStore) -> None:
    from repnet.graph.web import pages

    body = pages.entity(cited_store, f"{ID}charge/a", "text/turtle").body.decode()
    g = Graph().parse(data=body, format="turtle")
    rows = set(g.query("""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX schema: <https://schema.org/>
        PREFIX rpn: <https://w3id.org/repnet/ontology#>
        SELECT ?url ?quote ?words WHERE { ?c prov:qualifiedDerivation ?d . ?d prov:entity/schema:url ?url ; rpn:quote ?quote .
          ?c rpn:reportedOffence/rpn:wordingAsReported ?words }"""))
    assert [tuple(map(str, r)) for r in rows] == [(DOC_URL, "charged with inciting social enmity", "inciting social enmity")]


def test_an_inferred_value_is_marked_on_the_entity_page(belarus_store: EmbeddedStore) -> None:
    from repnet.graph.web import pages

    body = pages.entity(belarus_store, f"{ID}person/ales-bialiatski", "text/html").body.decode()
    assert ('human rights defender</a> <em class="inf">(inferred: the article calls him the founder of the Belarusian rights '
            'group Viasna and a 2022 Nobel Peace Prize co-laureate, not a human rights defender)</em>') in body
    assert body.count('class="inf"') == 1


def test_the_explorer_carries_citations_of_edges(cited_store: EmbeddedStore) -> None:
    from repnet.graph.viz import explorer as viz

    data, _ = viz.page_data(cited_store, viz.build_view(cited_store))
    assert data["docs"] == [{"title": "Nasta Loika sentenced to seven years", "publisher": "Viasna", "date": "2023-06",
                             "url": DOC_URL}]
    tiny = data["sources"].index(next(s for s in data["sources"] if s["id"] == "tiny"))
    charged = [e for e in data["edges"] if e["r"] == "charged_under"]
    assert [e.get("cites") for e in charged] == [[{"d": 0, "q": "charged with inciting social enmity", "l": "paragraph 2",
                                                  "src": [tiny]}]]
    # the citation belongs to the charge (the edge), not to the person; an entity's own citations go on its node
    assert [n.get("cites") for n in data["nodes"]] == [None, None]


def test_the_explorer_carries_the_citations_of_an_entity_on_its_node(tmp_path: Path) -> None:
    from repnet.graph.viz import explorer as viz

    f = write(tmp_path / "tiny.yaml", CITED.replace("  - {id: offence/enmity, type: Offence, name: incitement to social enmity}\n",
                       "  - {id: offence/enmity, type: Offence, name: incitement to social enmity,\n"
                       "     cite: [{url: 'https://example.org/code', title: Criminal Code, locator: art. 130}]}\n"))
    build([f], tmp_path / "store")
    st = open_store(tmp_path / "store")
    data, _ = viz.page_data(st, viz.build_view(st))
    assert [(n["id"].rsplit("/", 1)[1], n.get("cites")) for n in data["nodes"]] == [
        ("enmity", [{"d": 0, "l": "art. 130", "src": [0]}]), ("a", None)]
    assert data["docs"][0] == {"title": "Criminal Code", "url": "https://example.org/code"}


def test_the_explorer_marks_an_inferred_fact(belarus_store: EmbeddedStore) -> None:
    from repnet.graph.viz import explorer as viz

    facts = viz.entity_facts(belarus_store, [f"{ID}person/ales-bialiatski", f"{ID}person/marfa-rabkova"])
    assert [f for f in facts[f"{ID}person/ales-bialiatski"] if f["k"] == "occupation"] == [
        {"k": "occupation", "v": "human rights defender", "src": ["hrw-2025-12-15-belarus"],
         "inf": "the article calls him the founder of the Belarusian rights group Viasna and a 2022 Nobel Peace Prize "
                "co-laureate, not a human rights defender"}]
    assert all("inf" not in f for f in facts[f"{ID}person/marfa-rabkova"])


def test_exports_carry_citations_and_json_ld_compacts_them(cited_root: Path) -> None:
    import io
    import json

    from repnet.graph.publish.export import export_rdf

    public = open_store(cited_root)
    buf = io.BytesIO()
    export_rdf(public, "trig", buf, description=False)
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=buf.getvalue().decode(), format="trig")
    g = ds.graph(URIRef(TINY))
    assert (URIRef(DOC), URIRef("https://schema.org/url"), URIRef(DOC_URL)) in g
    buf = io.BytesIO()
    export_rdf(public, "jsonld", buf, description=False)
    doc = json.loads(buf.getvalue())
    nodes = {n["id"]: n for g in doc["@graph"] if g["id"] == "graph:tiny" for n in g["@graph"]}
    charge = nodes[ID + "charge/a"]
    cit = nodes[charge["qualifiedDerivation"]]
    assert cit["type"] == ["prov:Derivation", "rpn:Citation"]
    assert cit["entity"] == DOC
    assert cit["quote"] == {"@value": "charged with inciting social enmity", "@language": "en"}
    assert cit["locator"] == "paragraph 2"
    d = nodes[DOC]
    assert d["url"] == DOC_URL and d["publisherName"] == {"@value": "Viasna", "@language": "en"}
    assert d["title"] == {"@value": "Nasta Loika sentenced to seven years", "@language": "en"}
    assert d["datePublished"] == {"@value": "2023-06", "@type": "xsd:gYearMonth"}
    wording = nodes[charge["reportedOffence"]]
    assert wording["offence"] == ID + "offence/enmity"
    assert wording["wordingAsReported"] == {"@value": "inciting social enmity", "@language": "en"}
    # and the compacted document expands to the same graph as the TriG export
    expanded = Dataset()
    expanded.parse(data=buf.getvalue().decode(), format="json-ld")
    assert isomorphic(expanded.graph(URIRef(TINY)), g)


def test_a_charge_page_and_the_explorer_show_the_offence_in_the_charges_own_words(belarus_store: EmbeddedStore) -> None:
    from repnet.graph.viz import explorer as viz
    from repnet.graph.web import pages

    body = pages.entity(belarus_store, f"{ID}charge/rabkova", "text/html").body.decode()
    assert ('&ldquo;inciting social enmity&rdquo; (offence: <a href="/id/offence/incitement-to-enmity">incitement of racial, '
            'national, religious or other social enmity or discord</a>)') in body
    data, _ = viz.page_data(belarus_store, viz.build_view(belarus_store))
    index = {n["id"]: i for i, n in enumerate(data["nodes"])}
    enmity = [(data["nodes"][e["a"]]["l"], e["words"]) for e in data["edges"]
              if e["r"] == "charged_under" and e["b"] == index[f"{ID}offence/incitement-to-enmity"]]
    assert sorted(enmity) == [("Marfa Rabkova", "“inciting social enmity”"),
                              ("Nasta Loika", "“incitement of racial, national, religious or other social enmity or discord”")]


def test_the_explorer_panel_shows_citations_wording_and_inferred_values_in_chromium(
        browser: Any, cited_store: EmbeddedStore, belarus_store: EmbeddedStore, tmp_path: Path) -> None:  # noqa: F811
    from repnet.graph.viz import explorer as viz

    out = tmp_path / "cited.html"
    viz.write_page(cited_store, viz.build_view(cited_store), out)
    o = open_page(browser, out)
    try:
        o.page.evaluate("iri => repnet.select(iri)", f"{ID}person/a")
        panel = o.page.inner_text("#panel")
        assert "charge · as reported: “inciting social enmity”" in panel
        assert ("Cited: Nasta Loika sentenced to seven years (Viasna, 2023-06)charged with inciting social enmity, paragraph 2"
                in panel.replace("\n", "").replace("“", "").replace("”", ""))
        assert DOC_URL in o.page.eval_on_selector_all("#panel a", "as => as.map(a => a.href)")
        assert_clean(o)
    finally:
        close(o)
    out = tmp_path / "belarus.html"
    viz.write_page(belarus_store, viz.build_view(belarus_store), out)
    o = open_page(browser, out)
    try:
        o.page.evaluate("iri => repnet.select(iri)", f"{ID}person/ales-bialiatski")
        assert "occupation: human rights defender (inferred: the article calls him the founder" in o.page.inner_text("#panel")
        assert_clean(o)
    finally:
        close(o)


# the pattern handed to the saved queries (charges, timeline): each offence of a charge in the charge's own words,
# else the offence's name, from the charge's own graph
CHARGE_WORDING_PATTERN = """
    SELECT ?charge (GROUP_CONCAT(?text; separator=", ") AS ?offences) WHERE {
      GRAPH ?g { ?charge a rpn:Charge ; rpn:chargedPerson ?p ; rpn:offence ?o .
        OPTIONAL { ?charge rpn:reportedOffence ?w . ?w rpn:offence ?o ; rpn:wordingAsReported ?words } }
      OPTIONAL { ?o skos:prefLabel ?label FILTER(LANG(?label) = "en") }
      BIND(COALESCE(?words, ?label) AS ?text)
    } GROUP BY ?charge ?g"""


def test_the_charge_wording_pattern_prints_each_charge_in_its_own_words(belarus_store: EmbeddedStore) -> None:
    rows = {c.rsplit("/", 1)[1]: sorted(o.split(", ")) if c.endswith("rabkova") else o
            for c, o in select(belarus_store, CHARGE_WORDING_PATTERN)}
    assert rows["rabkova"] == ["inciting social enmity", "involvement in a criminal group",
                               "training or other preparation of persons to participate in riots or funding such activities"]
    assert rows["bialiatski-tax-evasion"] == rows["stefanovic-tax-evasion"] == "tax evasion"
    assert "incitement of racial, national, religious or other social enmity or discord" in rows["loika-2022-12-24"]
