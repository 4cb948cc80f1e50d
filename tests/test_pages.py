"""Dereferenceable IRIs: entity pages (HTML, Turtle, JSON-LD) and the served dataset description."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from repnet.graph.formats import negotiate_page
from repnet.graph.ingest.build import build
from repnet.graph.store import open_store
from repnet.graph.web import pages

from .conftest import ID, MINIMAL_SOURCE, write

LOIKA = ID + "person/nasta-loika"


@pytest.fixture(scope="module")
def store_dir(belarus_dir: Path) -> Path:
    return belarus_dir


def test_negotiation() -> None:
    assert negotiate_page("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8") == "html"
    assert negotiate_page("application/ld+json") == "jsonld"
    assert negotiate_page("text/turtle;q=0.5, application/ld+json;q=0.9") == "jsonld"
    assert negotiate_page("") == "turtle"
    assert negotiate_page(None, "ntriples") == "ntriples"


def test_html_refused_with_q0_is_never_sent() -> None:
    """Issue 14: pages had their own Accept parser that answered ``text/html;q=0`` with HTML."""
    assert negotiate_page("text/html;q=0") is None
    assert negotiate_page("text/html;q=0, */*;q=0.1") == "turtle"
    assert negotiate_page("text/html;q=0, application/ld+json") == "jsonld"


def test_entity_page_406_names_the_formats(store_dir: Path) -> None:
    store = open_store(store_dir)
    iri = LOIKA
    refused = pages.entity(store, iri, "text/html;q=0")
    assert refused.status == 406 and b"turtle (text/turtle)" in refused.body
    unknown = pages.entity(store, iri, None, "xyz")
    assert unknown.status == 406 and b"format=xyz is not one of them" in unknown.body
    assert pages.entity(store, iri, None, "jsonld").ctype == "application/ld+json; charset=utf-8"


def test_entity_as_turtle_and_jsonld(store_dir: Path) -> None:
    store = open_store(store_dir)
    ttl = pages.entity(store, LOIKA, "text/turtle")
    g = Graph().parse(data=ttl.body.decode(), format="turtle")
    assert ttl.status == 200 and (URIRef(LOIKA), SKOS.prefLabel, Literal("Nasta Loika", lang="en")) in g
    assert len(g) == 7
    js = pages.entity(store, LOIKA, "application/ld+json")
    assert js.ctype.startswith("application/ld+json")
    assert len(Graph().parse(data=js.body.decode(), format="json-ld")) == 7


def test_entity_html_shows_facts_sources_and_links(store_dir: Path) -> None:
    page = pages.entity(open_store(store_dir), LOIKA, "text/html").body.decode()
    assert "<h1>Nasta Loika</h1>" in page
    assert "More than 1,000 Belarusians remain in prison for exercising their rights</a> (Human Rights Watch, 2025-12-15)" in page
    assert '<a href="/id/sentence/loika-2023">loika-2023</a>' in page  # linked from the sentence


def test_restricted_entities_are_not_served(store_dir: Path) -> None:
    iri = ID + "allegation/loika-detention"
    assert pages.entity(open_store(store_dir), iri, "text/html").status == 404
    assert pages.entity(open_store(store_dir, include_restricted=True), iri, "text/turtle").status == 200


def test_data_is_escaped_in_pages(tmp_path: Path) -> None:
    write(tmp_path / "src" / "s.yaml", MINIMAL_SOURCE.replace("Person A", "<script>alert(1)</script>"))
    build([tmp_path / "src"], tmp_path / "store")
    page = pages.entity(open_store(tmp_path / "store"), ID + "person/a", "text/html").body.decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_serve_answers_entity_paths_and_the_description(store_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "repnet.cli", "--store", str(store_dir), "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            m = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", line)
            url = m.group(1) if m else None
        assert url, "serve did not start"

        def get(path: str, accept: str) -> tuple[int, str, str]:
            req = urllib.request.Request(url + path, headers={"Accept": accept})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.headers["Content-Type"], r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.headers["Content-Type"], e.read().decode()

        status, ctype, body = get("/id/person/nasta-loika", "text/html")
        assert (status, ctype) == (200, "text/html; charset=utf-8") and "<h1>Nasta Loika</h1>" in body
        status, ctype, body = get("/id/person/nasta-loika", "text/turtle")
        assert status == 200 and ctype.startswith("text/turtle")
        assert len(Graph().parse(data=body, format="turtle")) == 7
        assert get("/id/health/rabkova-2025-12", "text/turtle")[0] == 404
        status, ctype, body = get("/.well-known/void", "text/turtle")
        g = Graph().parse(data=body, format="turtle")
        assert (URIRef("https://w3id.org/repnet/dataset"), URIRef("http://rdfs.org/ns/void#sparqlEndpoint"),
                URIRef(url + "/sparql")) in g
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_a_person_page_shows_the_status_over_time_as_stated(store_dir: Path) -> None:
    store = open_store(store_dir)
    page = pages.entity(store, ID + "person/mikalai-statkevich", "text/html").body.decode()
    assert "<h2>Status over time</h2>" in page
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
                      page.split("<h2>Status over time</h2>", 1)[1].split("</table>", 1)[0])
    assert rows == [("released", "2025-09", "after 2025-09", "hrw-2025-12-15-belarus"),
                    ("imprisoned", "after 2025-09", "last known after 2025-09", "hrw-2025-12-15-belarus")]
    # the derived periods are not listed as links to the person, and no day bound is shown
    assert "status/all" not in page and "2025-09-01" not in page and "2025-09-30" not in page


def test_dataset_description_as_a_page_for_browsers(store_dir: Path) -> None:
    """Issue 14: /dataset and /.well-known/void answer browsers with a page built from the VoID triples."""
    store = open_store(store_dir)
    answer = pages.description(store, "text/html,application/xhtml+xml,*/*;q=0.8", "http://127.0.0.1:9/sparql")
    assert (answer.status, answer.ctype) == (200, "text/html; charset=utf-8")
    page = answer.body.decode()
    assert "<h1>repnet: a knowledge graph of political-repression networks</h1>" in page
    assert ('<tr><th>license</th><td><a href="https://creativecommons.org/licenses/by/4.0/" rel="noreferrer">'
            "https://creativecommons.org/licenses/by/4.0/</a></td></tr>") in page
    assert ('<tr><th>SPARQL endpoint</th><td><a href="http://127.0.0.1:9/sparql" rel="noreferrer">'
            "http://127.0.0.1:9/sparql</a></td></tr>") in page
    sources = re.findall(r"<tr><td><code>([^<]*)</code></td><td>.*?</td><td>([^<]*)</td><td>([^<]*)</td>"
                         r"<td class=\"n\">([\d,]+)</td></tr>", page)
    turtle = Graph().parse(data=pages.description(store, "text/turtle", "http://127.0.0.1:9/sparql").body.decode(),
                           format="turtle")
    void = "http://rdfs.org/ns/void#"
    counts = {str(g).rsplit("/", 1)[1]: int(n) for g, n in turtle.query(
        f"SELECT ?g ?n WHERE {{ ?d <{void}subset> ?g . ?g <{void}triples> ?n }}")}
    assert sources == [("hrw-2025-12-15-belarus", "Human Rights Watch", "2025-12-15", f"{counts['hrw-2025-12-15-belarus']:,}"),
                       ("wikidata-links", "repnet project", "2026-11-25", f"{counts['wikidata-links']:,}")]
    assert ('<a href="https://schema.org/Person" rel="noreferrer">schema:Person</a></td><td class="n">11</td>') in page
    assert "<h2>Dumps</h2><p>This endpoint publishes no dumps" in page
    # machines still get RDF, the same triples as before
    assert pages.description(store, "application/ld+json", "http://127.0.0.1:9/sparql").ctype == (
        "application/ld+json; charset=utf-8")
    assert pages.description(store, None, "http://127.0.0.1:9/sparql").ctype == "text/turtle; charset=utf-8"


def test_dataset_page_escapes_source_texts(tmp_path: Path) -> None:
    hostile = MINIMAL_SOURCE.replace("A tiny test source", "<script>alert(1)</script> & co").replace(
        "name: Tester", "name: '<b>Tester</b>'")
    write(tmp_path / "src" / "s.yaml", hostile)
    build([tmp_path / "src"], tmp_path / "store")
    page = pages.description(open_store(tmp_path / "store"), "text/html", "http://127.0.0.1:9/sparql").body.decode()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page and "<td>&lt;b&gt;Tester&lt;/b&gt;</td>" in page
