"""`repnet serve`: real clients against a running endpoint on a loopback port.

One endpoint (a real `repnet serve` subprocess over the store built from the shipped data) serves
most tests; a second one checks the options that change its behaviour. Every server is stopped
with SIGTERM at the end and must exit 0 with its worker processes gone.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import http.server
import io
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph import formats as fmts
from repnet.graph import sparql
from repnet.graph.ask.query import saved_queries
from repnet.graph.store.embedded import EmbeddedStore
from repnet.graph.web import dataset, results
from repnet.graph.web import serve as srv
from repnet.graph.web.loadtest import child_pids, is_gone

from .conftest import BASE
from .external import served_page

TIMEOUT = 3  # the main endpoint's --timeout, seconds
MAX_ROWS = 500  # the main endpoint's --max-rows; the public graphs hold 773 triples
GRAPH = BASE + "graph/"
PERSONS = """PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?person ?name WHERE {
  ?person a schema:Person ; skos:prefLabel ?name FILTER(LANG(?name) = "en")
} ORDER BY ?name"""
PERSON_LABELS = """PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?person a schema:Person ; skos:prefLabel ?name } WHERE { ?person a schema:Person ; skos:prefLabel ?name }"""
# 271 vocabulary triples to the 4th power: hours of work for Oxigraph
RUNAWAY = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}vocabulary> {{
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} }}"""
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --------------------------------------------------------------------------------- helpers
@dataclass
class Endpoint:
    url: str  # http://127.0.0.1:PORT/
    line: str  # the start-up line
    proc: subprocess.Popen[str]
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    def workers(self) -> set[int]:
        return child_pids(self.proc.pid)


@contextlib.contextmanager
def running(root: Path, *args: str, tmp: Path, env: dict[str, str] | None = None,
            stop: signal.Signals = signal.SIGTERM) -> Iterator[Endpoint]:
    """`repnet serve` on a free loopback port; ``stop`` afterwards, which must end it and its workers."""
    log = tmp / f"serve-{time.monotonic_ns()}.log"
    with open(log, "w") as err:
        # SIGINT at its default in the server: a shell that runs the tests as a background job
        # (`make test &`) starts them with SIGINT ignored, which a child inherits, and the tests
        # send SIGINT as Ctrl-C does at a terminal
        proc = subprocess.Popen([sys.executable, "-m", "repnet.cli", "--store", str(root), "serve", "--port", "0", *args],
                                stdout=subprocess.PIPE, stderr=err, text=True, env={**os.environ, **(env or {})},
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline().rstrip("\n") if ready else ""  # type: ignore[union-attr]
        assert line.startswith("repnet SPARQL endpoint on "), (line, log.read_text())
        url = line.split(" on ", 1)[1].split("sparql", 1)[0]
        endpoint = Endpoint(url, line, proc, log)
        workers = endpoint.workers()
        yield endpoint
        workers |= endpoint.workers()
    finally:
        if proc.poll() is None:
            proc.send_signal(stop)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        rest = proc.stdout.read()  # type: ignore[union-attr]
        proc.stdout.close()  # type: ignore[union-attr]
    assert code == 0, log.read_text()
    assert rest.strip().endswith("repnet serve: stopped."), rest
    deadline = time.monotonic() + 5
    while not all(is_gone(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(is_gone(p) for p in workers), f"worker processes left behind: {workers}"
    assert "Traceback" not in log.read_text(), log.read_text()


def request(url: str, method: str = "GET", data: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _NO_PROXY.open(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def get(endpoint: Endpoint, query: str, accept: str | None = None, **params: str) -> tuple[int, Any, bytes]:
    qs = urllib.parse.urlencode({"query": query, **params})
    return request(f"{endpoint.sparql}?{qs}", headers={"Accept": accept} if accept else {})


def post_form(endpoint: Endpoint, fields: dict[str, str], accept: str | None = None) -> tuple[int, Any, bytes]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **({"Accept": accept} if accept else {})}
    return request(endpoint.sparql, "POST", urllib.parse.urlencode(fields).encode(), headers)


def json_rows(body: bytes) -> list[tuple[str, ...]]:
    data = json.loads(body)
    names = data["head"]["vars"]
    return [tuple(b[n]["value"] if n in b else None for n in names) for b in data["results"]["bindings"]]


# --------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def store_root(belarus_store: EmbeddedStore) -> Path:
    assert belarus_store.location is not None
    return belarus_store.location


@pytest.fixture(scope="session")
def endpoint(store_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    with running(store_root, "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS), "--workers", "2",
                 tmp=tmp_path_factory.mktemp("serve")) as e:
        yield e


@pytest.fixture(scope="session")
def public(belarus_store: EmbeddedStore) -> list[str]:
    return dataset.public_graphs(belarus_store.oxigraph)


@pytest.fixture(scope="session")
def expected_persons(belarus_store: EmbeddedStore, public: list[str]) -> list[tuple[str, str]]:
    rows = [(r["person"].value, r["name"].value) for r in belarus_store.oxigraph.query(
        PERSONS, default_graph=[ox.NamedNode(g) for g in public])]
    assert len(rows) >= 10
    return rows


@pytest.fixture(scope="session")
def expected_labels(belarus_store: EmbeddedStore, public: list[str]) -> rdflib.Graph:
    triples = belarus_store.oxigraph.query(PERSON_LABELS, default_graph=[ox.NamedNode(g) for g in public])
    g = rdflib.Graph()
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    assert len(g) >= 20
    return g


@pytest.fixture(scope="session")
def counts(belarus_store: EmbeddedStore, public: list[str]) -> dict[str, int]:
    """Triples in the store: all, public, and per public graph (from the data as it is now)."""
    s = belarus_store.oxigraph
    out = {g.removeprefix(GRAPH): sum(1 for _ in s.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in public}
    # the default graph is the union of the public graphs but the per-source views of derived data
    union = sum(n for g, n in out.items() if not (g.endswith("/derived") and g != "derived"))
    return {**out, "all": len(s), "public": union}


@pytest.fixture
def local_web() -> Iterator[tuple[str, list[str]]]:
    """A loopback web server that records every request: nothing may ever reach it."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------------- start-up
def test_start_up_line_names_the_url_and_the_limits(endpoint: Endpoint) -> None:
    assert endpoint.url.startswith("http://127.0.0.1:")
    port = endpoint.url.rsplit(":", 1)[1].rstrip("/")
    assert endpoint.line == (f"repnet SPARQL endpoint on http://127.0.0.1:{port}/sparql (store "
                             f"{endpoint.line.split('(store ', 1)[1].split(',', 1)[0]}, read-only, public graphs only, "
                             f"timeout {TIMEOUT} s, max {MAX_ROWS} rows, 2 workers + 2 for slow queries, memory limit 2 GB per "
                             f"worker); query page http://127.0.0.1:{port}/ "
                             "— Ctrl-C to stop")
    # two quick-lane workers and two spares, started in advance for queries that turn slow
    deadline = time.monotonic() + 20
    while len(endpoint.workers()) != 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(endpoint.workers()) == 4


def test_serve_help_has_an_example(runner: CliRunner) -> None:
    r = runner.invoke(cli, ["serve", "--help"])
    assert r.exit_code == 0
    assert "Example" in r.stdout and "--timeout" in r.stdout and "--allow-update" in r.stdout


def test_usage_errors(runner: CliRunner, store_root: Path, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["--store", str(store_root), "serve", "--allow-update"], env={"REPNET_TOKEN": ""})
    assert r.exit_code == 2
    assert "--allow-update needs a token" in r.stderr
    r = runner.invoke(cli, ["--store", str(tmp_path / "none"), "serve"])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: no store at {tmp_path / 'none'}.")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = runner.invoke(cli, ["--store", str(store_root), "serve", "--port", str(port)])
    assert r.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "--port" in r.stderr


# --------------------------------------------------------------------------------- real clients
@pytest.mark.parametrize("method,fmt", [("GET", "json"), ("POST", "json"), ("GET", "xml"), ("POST", "csv")])
def test_sparqlwrapper_gets_the_rows(endpoint: Endpoint, expected_persons: list[tuple[str, str]], method: str,
                                     fmt: str) -> None:
    from SPARQLWrapper import CSV, GET, JSON, POST, XML, SPARQLWrapper

    sw = SPARQLWrapper(endpoint.sparql)
    sw.setQuery(PERSONS)
    sw.setMethod(GET if method == "GET" else POST)
    sw.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV}[fmt])
    result = sw.query().convert()
    if fmt == "json":
        rows = [(b["person"]["value"], b["name"]["value"]) for b in result["results"]["bindings"]]
    elif fmt == "xml":
        rows = []
        for res in result.getElementsByTagName("result"):
            values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in res.getElementsByTagName("binding")}
            rows.append((values["person"], values["name"]))
    else:
        table = list(csv.reader(io.StringIO(result.decode("utf-8"))))
        assert table[0] == ["person", "name"]
        rows = [tuple(r) for r in table[1:]]
    assert rows == expected_persons


def test_sparqlwrapper_construct_and_ask(endpoint: Endpoint, expected_labels: rdflib.Graph) -> None:
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(endpoint.sparql)
    sw.setQuery(PERSON_LABELS)
    sw.setReturnFormat(TURTLE)
    result = sw.query().convert()
    g = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result.decode(), format="turtle")
    assert set(g) == set(expected_labels)
    sw.setQuery("ASK { ?s a <https://schema.org/Person> }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert() == {"head": {}, "boolean": True}


def test_sparqlwrapper_update_is_refused(endpoint: Endpoint) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper

    sw = SPARQLWrapper(endpoint.sparql)
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }")
    with pytest.raises(urllib.error.HTTPError) as e:
        sw.query()
    assert e.value.code == 403
    assert "read-only" in e.value.read().decode()


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_gets_the_rows(endpoint: Endpoint, expected_persons: list[tuple[str, str]], method: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(endpoint.sparql, returnFormat="json", method=method)
    g = rdflib.Graph(store=store)
    rows = [(str(r[0]), str(r[1])) for r in g.query(PERSONS)]  # type: ignore[index]
    assert rows == expected_persons
    assert g.query("ASK { ?s a <https://schema.org/Person> }").askAnswer is True
    store.close()


# --------------------------------------------------------------------------------- formats
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_every_results_format(endpoint: Endpoint, expected_persons: list[tuple[str, str]], fmt: str) -> None:
    media = dict(fmts.SOLUTION_TYPES)[fmt]
    status, headers, body = get(endpoint, PERSONS, accept=media)
    assert status == 200
    assert headers["Content-Type"] == media + "; charset=utf-8"
    assert headers["X-Repnet-Truncated"] == "false" and headers["X-Repnet-Rows"] == str(len(expected_persons))
    text = body.decode("utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["head"] == {"vars": ["person", "name"]}
        assert all(b["person"]["type"] == "uri" and b["name"] == {"type": "literal", "value": b["name"]["value"],
                                                                   "xml:lang": "en"} for b in data["results"]["bindings"])
        rows = json_rows(body)
    elif fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(body)
        assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["person", "name"]
        rows = []
        for res in root.findall("r:results/r:result", ns):
            person = res.find("r:binding[@name='person']/r:uri", ns)
            name = res.find("r:binding[@name='name']/r:literal", ns)
            assert name is not None and name.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
            rows.append((person.text, name.text))  # type: ignore[union-attr]
    elif fmt == "csv":
        table = list(csv.reader(io.StringIO(text, newline="")))
        assert table[0] == ["person", "name"]
        rows = [tuple(r) for r in table[1:]]
    else:
        table = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
        assert table[0] == ["?person", "?name"]
        assert all(p.startswith("<") and n.endswith('"@en') for p, n in table[1:])
        parsed = rdflib.query.Result.parse(io.BytesIO(body), format="tsv")
        rows = [(str(r[0]), str(r[1])) for r in parsed]  # type: ignore[index]
    assert rows == expected_persons


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"),
                                               ("rdfxml", "xml")])
def test_construct_in_every_rdf_format(endpoint: Endpoint, expected_labels: rdflib.Graph, fmt: str,
                                       rdflib_format: str) -> None:
    media = dict(fmts.GRAPH_TYPES)[fmt]
    status, headers, body = get(endpoint, PERSON_LABELS, accept=media)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media
    g = rdflib.Graph().parse(data=body.decode("utf-8"), format=rdflib_format)
    assert set(g) == set(expected_labels)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_in_every_results_format(endpoint: Endpoint, fmt: str) -> None:
    status, _, body = get(endpoint, "ASK { ?s a schema:Person }", accept=dict(fmts.SOLUTION_TYPES)[fmt])
    assert status == 200
    if fmt == "json":
        assert json.loads(body) == {"head": {}, "boolean": True}
    elif fmt == "xml":
        assert ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"  # type: ignore[union-attr]
    else:
        assert body == b"true\n"


def test_content_negotiation(endpoint: Endpoint) -> None:
    q = "SELECT ?s WHERE { ?s a schema:Person } LIMIT 1"
    assert get(endpoint, q)[1]["Content-Type"].startswith("application/sparql-results+json")  # no Accept
    assert get(endpoint, q, "*/*")[1]["Content-Type"].startswith("application/sparql-results+json")
    assert get(endpoint, q, "text/csv;q=0.5, application/sparql-results+xml")[1]["Content-Type"].startswith(
        "application/sparql-results+xml")
    assert get(endpoint, q, "application/json")[1]["Content-Type"].startswith("application/sparql-results+json")
    # the format parameter wins over Accept (a browser's Accept asks for HTML)
    status, headers, body = get(endpoint, q, "text/html,*/*;q=0.8", format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and body.startswith(b"s\r\n")
    assert get(endpoint, PERSON_LABELS, None, format="json")[1]["Content-Type"].startswith("application/ld+json")
    assert get(endpoint, PERSON_LABELS, "text/*")[1]["Content-Type"].startswith("text/turtle")
    status, _, body = get(endpoint, q, "image/png")
    assert status == 406
    assert b"application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values" in body
    status, _, body = get(endpoint, PERSON_LABELS, "text/csv")
    assert status == 406 and b"text/turtle" in body
    assert get(endpoint, q, "text/turtle")[0] == 406


def test_three_ways_to_send_a_query_give_the_same_answer(endpoint: Endpoint) -> None:
    accept = {"Accept": "text/csv"}
    a = get(endpoint, PERSONS, "text/csv")
    b = post_form(endpoint, {"query": PERSONS}, "text/csv")
    c = request(endpoint.sparql, "POST", PERSONS.encode(), {**accept, "Content-Type": "application/sparql-query"})
    assert a[0] == b[0] == c[0] == 200
    assert a[2] == b[2] == c[2]
    assert request(endpoint.sparql, "POST", b"query=x", {"Content-Type": "text/plain"})[0] == 415
    assert request(f"{endpoint.sparql}?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400


# --------------------------------------------------------------------------------- safety
def test_updates_are_refused_with_403(endpoint: Endpoint) -> None:
    update = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    for status, _, body in (post_form(endpoint, {"update": update}),
                            request(endpoint.sparql, "POST", update.encode(), {"Content-Type": "application/sparql-update"}),
                            post_form(endpoint, {"query": update}),
                            post_form(endpoint, {"update": "DROP ALL"})):
        assert status == 403
        assert body.decode().startswith("403 Forbidden: SPARQL Update is refused: this endpoint is read-only.")
    assert json_rows(get(endpoint, "SELECT ?o WHERE { <urn:x:s> ?p ?o }")[2]) == []


def test_service_load_and_from_never_reach_the_network(endpoint: Endpoint, local_web: tuple[str, list[str]]) -> None:
    web, hits = local_web
    status, _, body = get(endpoint, f"SELECT * WHERE {{ SERVICE <{web}/sparql> {{ ?s ?p ?o }} }}")
    assert status == 400
    assert body == b"400 Bad Request: SERVICE is disabled: queries never reach other endpoints over the network.\n"
    status, _, body = get(endpoint, f"SELECT * WHERE {{ SERVICE SILENT <{web}/sparql> {{ ?s ?p ?o }} }}")
    assert status == 400
    assert post_form(endpoint, {"update": f"LOAD <{web}/data.nt>"})[0] == 403
    assert get(endpoint, f"LOAD <{web}/data.nt>")[0] == 400
    # FROM and FROM NAMED name graphs of the store; Oxigraph never fetches them
    status, _, body = get(endpoint, f"SELECT * FROM <{web}/data.nt> WHERE {{ ?s ?p ?o }}")
    assert status == 200 and json_rows(body) == []
    status, _, body = get(endpoint, f"SELECT * FROM NAMED <{web}/data.nt> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert status == 200 and json_rows(body) == []
    status, _, body = get(endpoint, "SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": f"{web}/data.nt"})
    assert status == 200 and json_rows(body) == []
    assert hits == []


def test_dataset_from_the_protocol_or_the_query(endpoint: Endpoint, counts: dict[str, int]) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert json_rows(get(endpoint, count)[2]) == [(str(counts["public"]),)]
    assert counts["public"] < counts["all"]
    wikidata = [(str(counts["wikidata-links"]),)]
    assert json_rows(get(endpoint, count, **{"default-graph-uri": GRAPH + "wikidata-links"})[2]) == wikidata
    assert json_rows(get(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}wikidata-links> WHERE {{ ?s ?p ?o }}")[2]) == wikidata
    assert json_rows(get(endpoint, f"PREFIX g: <{GRAPH}> SELECT (COUNT(*) AS ?n) FROM g:wikidata-links WHERE {{ ?s ?p ?o }}")[2]) == wikidata
    # the protocol's graphs win over the query's
    assert json_rows(get(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}meta> WHERE {{ ?s ?p ?o }}",
                         **{"default-graph-uri": GRAPH + "wikidata-links"})[2]) == wikidata
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert json_rows(get(endpoint, graphs, **{"named-graph-uri": GRAPH + "meta"})[2]) == [(GRAPH + "meta",)]
    assert json_rows(get(endpoint, f"SELECT DISTINCT ?g FROM NAMED <{GRAPH}meta> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")[2]) == [
        (GRAPH + "meta",)]
    # a FROM without FROM NAMED leaves no named graphs (SPARQL 1.1, 13.2)
    assert json_rows(get(endpoint, f"SELECT DISTINCT ?g FROM <{GRAPH}meta> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")[2]) == []
    assert get(endpoint, count, **{"default-graph-uri": "not an iri"})[0] == 400


def test_restricted_graphs_are_not_served_by_default(endpoint: Endpoint) -> None:
    restricted = GRAPH + "hrw-2025-12-15-belarus/restricted"
    graphs = {r[0] for r in json_rows(get(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")[2])}
    # the per-source view of derived data is served when its source is chosen (FROM), not in the union
    assert graphs == {GRAPH + g for g in ("hrw-2025-12-15-belarus", "wikidata-links", "meta", "vocabulary", "derived")}
    for params in ({"default-graph-uri": restricted}, {"named-graph-uri": restricted}):
        assert json_rows(get(endpoint, "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", **params)[2]) == []
    assert json_rows(get(endpoint, f"SELECT * FROM <{restricted}> WHERE {{ ?s ?p ?o }}")[2]) == []
    assert json_rows(get(endpoint, "SELECT ?a WHERE { ?a a rpn:IllTreatmentAllegation }")[2]) == []


def test_syntax_errors_give_400_with_line_and_column(endpoint: Endpoint) -> None:
    status, headers, body = get(endpoint, "SELECT ?s WHERE {\n  ?s ?p\n}")
    assert status == 400 and headers["Content-Type"] == "text/plain; charset=utf-8"
    text = body.decode()
    assert re.match(r"400 Bad Request: SPARQL syntax error: line 3, column \d+: .+\n    }\n +\^\n$", text), text
    status, _, body = get(endpoint, "SELECT ?s WHERE { ?s nope:p ?o }")
    assert status == 400 and b"nope" in body


def test_row_cap_is_signalled(endpoint: Endpoint) -> None:
    status, headers, body = get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert headers["X-Repnet-Truncated"] == "true" and headers["X-Repnet-Rows"] == str(MAX_ROWS)
    assert len(json_rows(body)) == MAX_ROWS
    status, headers, body = get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert headers["X-Repnet-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=body.decode(), format="nt")) == MAX_ROWS
    status, headers, body = get(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 500", "text/csv")
    assert headers["X-Repnet-Truncated"] == "false" and len(body.splitlines()) == 501


def test_a_runaway_query_is_stopped_while_other_clients_are_answered(endpoint: Endpoint) -> None:
    deadline = time.monotonic() + 20
    while len(endpoint.workers()) != 4 and time.monotonic() < deadline:  # the spares have started
        time.sleep(0.05)
    before = endpoint.workers()
    persons = "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:Person }"
    expected = json_rows(get(endpoint, persons)[2])
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        t0 = time.monotonic()
        slow["reply"] = get(endpoint, RUNAWAY)
        slow["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=run_slow)
    t.start()
    time.sleep(0.3)
    quick = []
    while t.is_alive() and len(quick) < 20:
        t0 = time.monotonic()
        status, _, body = get(endpoint, persons)
        quick.append((status, time.monotonic() - t0, json_rows(body)))
        time.sleep(0.2)
    t.join(timeout=TIMEOUT + 10)
    assert not t.is_alive()
    status, _, body = slow["reply"]
    assert status == 503
    assert body.decode().startswith(f"503 Service Unavailable: Query timeout: the query ran longer than this endpoint's "
                                    f"limit of {TIMEOUT} s and was stopped.")
    assert TIMEOUT <= slow["seconds"] < TIMEOUT + 3
    assert len(quick) >= 5
    assert all(s == 200 and secs < 1.5 and rows == expected for s, secs, rows in quick), quick
    # the runaway worker was killed and replaced (a spare took its place in the quick lane, and a
    # new spare was started); the endpoint keeps answering
    deadline = time.monotonic() + 10
    while (len(endpoint.workers()) != 4 or endpoint.workers() == before) and time.monotonic() < deadline:
        time.sleep(0.05)
    after = endpoint.workers()
    assert len(after) == 4 and len(before - after) == 1
    assert all(is_gone(p) for p in before - after)
    for _ in range(4):
        assert get(endpoint, "ASK { ?s ?p ?o }")[0] == 200


def test_only_loopback_host_names_are_answered(endpoint: Endpoint) -> None:
    port = int(endpoint.url.rsplit(":", 1)[1].rstrip("/"))
    for host, expected in ((f"rebind.example:{port}", 403), (f"localhost:{port}", 200), (f"127.0.0.1:{port}", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": host})
        assert conn.getresponse().status == expected, host
        conn.close()


def test_no_cors_headers_by_default(endpoint: Endpoint) -> None:
    _, headers, _ = request(endpoint.sparql + "?query=ASK%7B%7D", headers={"Origin": "https://example.org"})
    assert headers["Access-Control-Allow-Origin"] is None


def test_the_options_of_a_second_endpoint(store_root: Path, tmp_path: Path, counts: dict[str, int]) -> None:
    """--include-restricted, --allow-update with a token (501: the store is never written), --cors, --workers; Ctrl-C."""
    with running(store_root, "--include-restricted", "--allow-update", "--cors", "https://example.org", "--workers", "1",
                 "--slow-workers", "0",
                 tmp=tmp_path, env={"REPNET_TOKEN": "s3cret"}, stop=signal.SIGINT) as e:  # SIGINT: Ctrl-C
        assert "all graphs" in e.line and "1 workers" in e.line and "CORS https://example.org" in e.line
        assert len(e.workers()) == 1
        assert json_rows(get(e, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[2]) == [(str(counts["all"]),)]
        update = {"update": "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"}
        fields = urllib.parse.urlencode(update).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, _ = request(e.sparql, "POST", fields, form)
        assert status == 401 and headers["WWW-Authenticate"] == 'Bearer realm="repnet"'
        assert request(e.sparql, "POST", fields, {**form, "Authorization": "Bearer wrong"})[0] == 403
        status, _, body = request(e.sparql, "POST", fields, {**form, "Authorization": "Bearer s3cret"})
        assert status == 501 and b"never writes" in body
        assert json_rows(get(e, "SELECT ?o WHERE { <urn:x:s> ?p ?o }")[2]) == []
        _, headers, _ = request(e.sparql + "?query=ASK%7B%7D", headers={"Origin": "https://example.org"})
        assert headers["Access-Control-Allow-Origin"] == "https://example.org"
        assert "X-Repnet-Truncated" in headers["Access-Control-Expose-Headers"]
        _, headers, _ = request(e.sparql + "?query=ASK%7B%7D", headers={"Origin": "https://evil.example"})
        assert headers["Access-Control-Allow-Origin"] is None
        status, headers, _ = request(e.sparql, "OPTIONS", headers={"Origin": "https://example.org",
                                                                    "Access-Control-Request-Method": "POST"})
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
        # the lone worker is replaced after a timeout-free crash too: kill it and ask again
        (worker,) = e.workers()
        os.kill(worker, signal.SIGKILL)
        statuses = [get(e, "ASK { ?s ?p ?o }")[0] for _ in range(3)]
        assert statuses[-1] == 200 and set(statuses) <= {200, 500}


# --------------------------------------------------------------------------------- the page
def test_page_files_and_saved_queries(endpoint: Endpoint) -> None:
    status, headers, body = request(endpoint.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    html = body.decode()
    assert 'src="static/app.js"' in html and 'href="static/style.css"' in html
    for name in ("index.html", "app.js", "style.css"):
        text = (Path(srv.__file__).parent / "static" / name).read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
        assert request(endpoint.url + "static/" + name)[0] == 200
    assert request(endpoint.url + "static/../serve.py")[0] == 404
    assert request(endpoint.url + "nothing")[0] == 404
    listed = json.loads(request(endpoint.url + "queries.json")[2])
    assert [q["name"] for q in listed] == list(saved_queries())
    assert all(q["text"] == saved_queries()[q["name"]].text for q in listed)
    assert json.loads(request(endpoint.url + "prefixes.json")[2])["rpn"] == "https://w3id.org/repnet/ontology#"
    status, headers, body = request(endpoint.sparql)  # no query: a service description
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=body.decode(), format="turtle")) > 5


def test_every_saved_query_runs_on_the_endpoint(endpoint: Endpoint) -> None:
    for name, q in saved_queries().items():
        status, _, body = post_form(endpoint, {"query": q.text})
        assert status == 200, (name, body)


def test_query_page_runs_a_query_in_headless_chromium(endpoint: Endpoint, tmp_path: Path, chromium: str) -> None:
    expected = json_rows(post_form(endpoint, {"query": saved_queries()["sentences"].text})[2])
    assert expected
    with served_page(chromium, endpoint.url) as served:
        page = served.page
        page.on("request", lambda r: served.seen.append(r.url))
        page.goto(endpoint.url)
        # (the page's CSP forbids eval, so the test waits on selectors, not on JavaScript expressions)
        page.wait_for_selector("#examples[data-loaded='true']", state="attached")
        assert page.locator("#examples option").count() == len(saved_queries()) + 1
        page.select_option("#examples", "sentences")
        assert page.input_value("#query") == saved_queries()["sentences"].text
        page.click("#run")
        page.wait_for_selector("#table tbody tr")
        rows = page.locator("#table tbody tr")
        assert rows.count() == len(expected)
        assert page.locator("#table thead th").all_inner_texts() == list(saved_queries()["sentences"].columns)
        names = page.locator("#table tbody tr td:nth-child(2)").all_inner_texts()
        assert names == [f"{r[1]}@en" if r[1] else "" for r in expected]  # labels show their language
        assert f"{len(expected)} rows" in page.inner_text("#status")
        shot = tmp_path / "query-page.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copy(shot, "/tmp/repnet-query-page.png")
        print(f"query page screenshot: {shot} (copy: /tmp/repnet-query-page.png)")

        # data is shown as text, never as markup
        evil = "<img src=x onerror=\"document.title='pwned'\">"
        page.fill("#query", 'SELECT ?x WHERE { BIND("' + evil.replace('"', '\\"') + '" AS ?x) }')
        page.click("#run")
        page.wait_for_selector("#table tbody td")
        assert page.inner_text("#table tbody td") == evil
        assert page.locator("#results img").count() == 0 and page.title() == "repnet SPARQL"

        # errors are shown with the endpoint's message
        page.fill("#query", "SELECT ?s WHERE { ?s ?p }")
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])")
        assert "SPARQL syntax error: line 1, column " in page.inner_text("#error")

        # an IRI in the table leads to what the store says about it
        page.select_option("#examples", "sentences")
        page.click("#run")
        page.wait_for_selector("#table tbody tr")
        page.locator("#table tbody tr td:first-child a").first.click()
        page.wait_for_selector("#table thead th:text-is('property')")
        assert page.locator("#table tbody tr").count() > 3

        # raw formats
        page.select_option("#format", "csv")
        page.fill("#query", "SELECT ?s WHERE { ?s a schema:Person } LIMIT 2")
        page.click("#run")
        page.wait_for_selector("#raw:not([hidden])")
        assert page.inner_text("#raw").splitlines()[0] == "s"
    # the only console error is Chromium's note on the deliberate syntax error's 400
    assert [e for e in served.errors if "status of 400 (Bad Request)" not in e] == []
    assert served.blocked == []
    assert served.seen and all(u.startswith(endpoint.url) for u in served.seen), served.seen


def test_query_page_asks_for_a_saved_querys_parameters_in_headless_chromium(endpoint: Endpoint, store_root: Path,
                                                                           chromium: str) -> None:
    """Choosing a saved query shows a field per parameter; it does not run without the required ones
    (no request is sent), and runs by name with them, bound by the server as the CLI binds them."""
    timeline = bound_rows(endpoint, store_root, "timeline", {"person": "Nasta Loika"})
    loika_sentences = bound_rows(endpoint, store_root, "sentences", {"person": "Nasta Loika"})
    all_sentences = bound_rows(endpoint, store_root, "sentences", {})
    assert len(timeline) > 3 and 0 < len(loika_sentences) < len(all_sentences) != len(timeline)
    posts: list[tuple[str, str]] = []
    with served_page(chromium, endpoint.url) as served:
        page = served.page
        page.on("request", lambda r: posts.append((r.url, r.post_data or "")) if r.method == "POST" else None)
        page.goto(endpoint.url)
        page.wait_for_selector("#examples[data-loaded='true']", state="attached")

        page.select_option("#examples", "timeline")
        assert page.is_visible("#params")
        assert page.locator("#params label").all_inner_texts() == ["person (required)"]
        assert page.get_attribute("#param-person", "aria-required") == "true"
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])")
        assert page.inner_text("#error") == (
            "The saved query timeline needs a value for person (person: an IRI, or any of the person's names or "
            "name variants). Fill it in above, then run it.")
        assert posts == []  # refused in the page: nothing was sent

        page.fill("#param-person", "Nasta Loika")
        assert page.get_attribute("#link", "href") == "queries/timeline?person=Nasta+Loika"
        page.click("#run")
        page.wait_for_selector("#table tbody tr")
        assert page.locator("#table thead th").all_inner_texts() == list(saved_queries()["timeline"].columns)
        assert page.locator("#table tbody tr").count() == len(timeline)
        assert f"{len(timeline)} rows" in page.inner_text("#status")
        assert posts == [(endpoint.url + "queries/timeline", "person=Nasta+Loika")]

        # an optional parameter may stay empty; filled in, it narrows the rows
        page.select_option("#examples", "sentences")
        assert page.locator("#params label").all_inner_texts() == ["person"]
        page.click("#run")
        page.wait_for_selector(f"#status:has-text('{len(all_sentences)} rows')")
        page.fill("#param-person", "Nasta Loika")
        page.press("#param-person", "Enter")
        page.wait_for_selector(f"#status:has-text('{len(loika_sentences)} rows')")
        assert page.locator("#table tbody tr").count() == len(loika_sentences)
        assert posts[1:] == [(endpoint.url + "queries/sentences", ""),
                             (endpoint.url + "queries/sentences", "person=Nasta+Loika")]

        # editing the text makes it a plain query: the fields go, it is POSTed to sparql
        page.fill("#query", "SELECT ?s WHERE { ?s a schema:Person } LIMIT 2")
        assert page.is_hidden("#params") and page.input_value("#examples") == ""
        page.click("#run")
        page.wait_for_selector("#status:has-text('2 rows')")
        assert posts[-1][0] == endpoint.url + "sparql"
    assert served.errors == []


# --------------------------------------------------------------------------------- pages over HTTP
def test_an_unknown_page_format_gets_406_with_the_formats(endpoint: Endpoint) -> None:
    status, headers, body = request(endpoint.url + "id/person/nasta-loika?format=xyz")
    assert (status, headers["Content-Type"]) == (406, "text/plain; charset=utf-8")
    assert body.decode() == ("406 Not Acceptable: this page is available as turtle (text/turtle), html (text/html), "
                             "jsonld (application/ld+json), ntriples (application/n-triples), rdfxml "
                             "(application/rdf+xml); format=xyz is not one of them. Send one of these media types in "
                             "Accept, or add ?format=NAME.\n")
    assert request(endpoint.url + "dataset?format=xyz")[0] == 406


@pytest.mark.parametrize("path", ["dataset", ".well-known/void"])
def test_the_dataset_description_is_a_page_for_browsers_and_rdf_for_machines(endpoint: Endpoint, path: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, body = request(endpoint.url + path, headers={"Accept": browser})
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    page = body.decode()
    assert "<h1>repnet: a knowledge graph of political-repression networks</h1>" in page
    assert (f'<tr><th>SPARQL endpoint</th><td><a href="{endpoint.sparql}" rel="noreferrer">{endpoint.sparql}</a>'
            "</td></tr>") in page
    assert re.findall(r"<tr><td><code>([^<]*)</code></td>", page) == ["hrw-2025-12-15-belarus", "wikidata-links"]
    status, headers, body = request(endpoint.url + path, headers={"Accept": "text/turtle"})
    assert (status, headers["Content-Type"]) == (200, "text/turtle; charset=utf-8")
    g = rdflib.Graph().parse(data=body.decode(), format="turtle")
    assert (rdflib.URIRef(BASE + "dataset"), rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"),
            rdflib.URIRef(endpoint.sparql)) in g
    assert request(endpoint.url + path, headers={"Accept": "application/ld+json"})[1]["Content-Type"] == (
        "application/ld+json; charset=utf-8")


# --------------------------------------------------------------------------------- HTTP/1.1
def test_several_requests_share_one_kept_alive_connection(endpoint: Endpoint) -> None:
    """HTTP/1.1 keep-alive: every answer (200, 404, 204, HEAD) has its exact length, so the next
    request on the same connection is read correctly."""
    conn = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(endpoint.url).port, timeout=10)
    try:
        conn.request("GET", "/sparql?query=" + urllib.parse.quote("ASK { ?s a schema:Person }"))
        r = conn.getresponse()
        body = r.read()
        sock = conn.sock
        assert (r.status, r.version, r.will_close, json.loads(body)) == (200, 11, False, {"head": {}, "boolean": True})
        assert r.headers["Content-Length"] == str(len(body))
        conn.request("POST", "/sparql", body=PERSONS.encode(), headers={"Content-Type": "application/sparql-query",
                                                                         "Accept": "text/csv"})
        r = conn.getresponse()
        assert (r.status, r.will_close, r.read()) == (200, False, get(endpoint, PERSONS, "text/csv")[2])
        conn.request("GET", "/nothing")
        r = conn.getresponse()
        body = r.read()
        assert (r.status, r.will_close, r.headers["Content-Length"]) == (404, False, str(len(body)))
        conn.request("OPTIONS", "/sparql")
        r = conn.getresponse()
        assert (r.status, r.headers["Content-Length"], r.read()) == (204, None, b"")
        conn.request("HEAD", "/id/person/nasta-loika?format=turtle")
        r = conn.getresponse()
        page = request(endpoint.url + "id/person/nasta-loika?format=turtle")[2]
        assert (r.status, r.headers["Content-Length"], r.read()) == (200, str(len(page)), b"")
        conn.request("GET", "/queries.json")
        r = conn.getresponse()
        assert [q["name"] for q in json.loads(r.read())] == list(saved_queries())
        assert conn.sock is sock  # one connection for all six
    finally:
        conn.close()


def test_a_post_to_a_wrong_path_leaves_the_connection_usable(endpoint: Endpoint) -> None:
    """The body of a refused POST is read, so it is not taken for the next request."""
    conn = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(endpoint.url).port, timeout=10)
    try:
        conn.request("POST", "/elsewhere", body=b"GET /sparql HTTP/1.1\r\n\r\n", headers={"Content-Type": "text/plain"})
        r = conn.getresponse()
        assert (r.status, r.read()) == (404, b"404 Not Found: nothing at /elsewhere. The SPARQL endpoint is /sparql.\n")
        conn.request("GET", "/sparql?query=ASK%7B%7D")
        r = conn.getresponse()
        assert (r.status, json.loads(r.read())) == (200, {"head": {}, "boolean": True})
    finally:
        conn.close()


def test_idle_and_half_sent_connections_are_closed_after_the_idle_timeout(store_root: Path) -> None:
    """A client that keeps a connection open without sending (or stops in the middle of a request)
    loses it after ``idle_timeout`` (15 s by default), and its thread is free again."""
    from repnet.graph.web.limits import IDLE_TIMEOUT
    from repnet.graph.web.server import Server, Settings

    assert IDLE_TIMEOUT == 15.0
    server = Server(srv.Settings(store=store_root, port=0, quiet=True, idle_timeout=0.5), None)
    assert Settings is srv.Settings
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        conn.request("GET", "/queries.json")
        r = conn.getresponse()
        assert (r.status, r.will_close) == (200, False)
        r.read()
        t0 = time.monotonic()
        assert conn.sock.recv(1) == b""  # type: ignore[union-attr] - the server closed it
        assert 0.4 < time.monotonic() - t0 < 3
        conn.close()
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as s:
            s.sendall(b"GET /queries.json HTTP/1.1\r\nHost: 127")
            t0 = time.monotonic()
            assert s.recv(100) == b""
            assert 0.4 < time.monotonic() - t0 < 3
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------------- saved queries by name
def bound_rows(endpoint: Endpoint, store_root: Path, name: str, params: dict[str, str]) -> list[tuple[str, ...]]:
    """The rows of a saved query bound as `repnet query NAME --param k=v` binds it, run on the endpoint."""
    from repnet.graph.ask.query import prepare
    from repnet.graph.store import open_store

    saved = saved_queries()[name]
    return json_rows(post_form(endpoint, {"query": prepare(open_store(store_root), saved.text, params, saved).text})[2])


def test_saved_queries_run_by_name_with_their_parameters(endpoint: Endpoint, store_root: Path) -> None:
    expected = bound_rows(endpoint, store_root, "timeline", {"person": "Nasta Loika"})
    assert len(expected) > 3
    status, headers, body = request(endpoint.url + "queries/timeline?person=Nasta+Loika")
    assert (status, headers["X-Repnet-Rows"]) == (200, str(len(expected)))
    assert json_rows(body) == expected
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = request(endpoint.url + "queries/timeline", "POST", b"person=nasta+loika", form)  # any case
    assert (status, json_rows(body)) == (200, expected)
    # in Cyrillic, surname first (repnet.graph.names: the one folding of every name lookup)
    from urllib.parse import quote

    status, _, body = request(endpoint.url + "queries/timeline?person=" + quote("Лойка Наста"))
    assert (status, json_rows(body)) == (200, expected)
    status, headers, body = request(endpoint.url + "queries/timeline?person=Nasta%20Loika&format=csv")
    assert (status, headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert body.split(b"\r\n")[0] == b"date,event,description,source"
    # an optional parameter left empty is not bound
    everyone = bound_rows(endpoint, store_root, "sentences", {})
    assert json_rows(request(endpoint.url + "queries/sentences?person=")[2]) == everyone
    assert json_rows(request(endpoint.url + "queries/sentences")[2]) == everyone


def test_detained_on_by_name_reads_the_day_index_with_the_sparql_rows(endpoint: Endpoint, store_root: Path) -> None:
    expected = bound_rows(endpoint, store_root, "detained-on", {"date": "2025-12-15"})  # the SPARQL, posted
    assert len(expected) == 4
    status, headers, body = request(endpoint.url + "queries/detained-on?date=2025-12-15")
    assert (status, headers["X-Repnet-Rows"], json_rows(body)) == (200, str(len(expected)), expected)
    status, headers, body = request(endpoint.url + "queries/detained-on?date=2025-12-15&format=csv")
    assert (status, headers["Content-Type"], body.count(b"\r\n")) == (200, "text/csv; charset=utf-8", len(expected) + 1)
    from repnet.graph.ask.query import indexed, prepare
    from repnet.graph.web.worker import StoreView

    view = StoreView(store_root, include_restricted=False)  # what a worker reads: it has the index
    saved = saved_queries()["detained-on"]
    assert indexed(view.embedded(), prepare(view.embedded(), saved.text, {"date": "2025-12-15"}, saved)) is not None


def test_saved_query_parameters_are_checked_by_the_server(endpoint: Endpoint) -> None:
    def refusal(path: str) -> tuple[int, str]:
        status, _, body = request(endpoint.url + path)
        return status, body.decode()

    missing = ("400 Bad Request: the saved query 'timeline' needs the parameter person (person: an IRI, or any of the "
               "person's names or name variants): add person=... to the request.\n")
    assert refusal("queries/timeline") == (400, missing)
    assert refusal("queries/timeline?person=+") == (400, missing)
    assert refusal("queries/timeline?person=Nasta+Loika&colour=red") == (
        400, "400 Bad Request: the saved query 'timeline' has no parameter 'colour'; its parameters: person.\n")
    assert refusal("queries/counts?person=x") == (
        400, "400 Bad Request: the saved query 'counts' has no parameter 'person'; it takes none.\n")
    assert refusal("queries/timeline?person=a&person=b") == (
        400, "400 Bad Request: give the parameter person once, not 2 times.\n")
    status, text = refusal("queries/nope")
    assert (status, text.split(". Saved", 1)[0]) == (404, "404 Not Found: there is no saved query 'nope'")
    status, text = refusal("queries/timeline?person=Nobody+Atall")
    assert status == 400 and text.startswith("400 Bad Request: no person is called 'Nobody Atall'.")
    status, text = refusal("queries/detained-on?date=2024-02-30")
    assert status == 400 and text.startswith("400 Bad Request: param date='2024-02-30': ")


# --------------------------------------------------------------------------------- units
def test_serializers_agree_with_pyoxigraph() -> None:
    s = ox.Store()
    n = ox.NamedNode
    s.add(ox.Quad(n("http://x/s"), n("http://x/p"), ox.Literal('tab\there, "quoted", new\nline', language="en"), n("http://x/g")))
    s.add(ox.Quad(n("http://x/s"), n("http://x/p"), ox.Literal("42", datatype=n("http://www.w3.org/2001/XMLSchema#integer")), n("http://x/g")))
    s.add(ox.Quad(ox.BlankNode("b1"), n("http://x/p"), ox.Literal("plain <&> text"), n("http://x/g")))
    q = "SELECT ?s ?o ?unbound WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY STR(?o)"
    for fmt, oxfmt in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                       ("tsv", ox.QueryResultsFormat.TSV)):
        mine, rows, truncated = results.serialize_solutions(s.query(q), fmt, 100)
        assert (rows, truncated) == (3, False)
        theirs = s.query(q).serialize(format=oxfmt)
        as_rows = lambda data, oxfmt=oxfmt: [[str(sol[v]) if sol[v] is not None else None for v in ("s", "o", "unbound")]  # noqa: E731
                                             for sol in ox.parse_query_results(data, format=oxfmt)]
        assert as_rows(mine) == as_rows(theirs), fmt
    mine, _, _ = results.serialize_solutions(s.query(q), "csv", 100)
    assert mine == s.query(q).serialize(format=ox.QueryResultsFormat.CSV)
    assert results.serialize_solutions(s.query(q), "json", 2)[1:] == (2, True)


@pytest.mark.parametrize("kind,accept,formats,expected", [
    ("solutions", None, [], "json"),
    ("graph", None, [], "turtle"),
    ("solutions", "text/tab-separated-values", [], "tsv"),
    ("solutions", "application/sparql-results+json;q=0.2, text/csv;q=0.9", [], "csv"),
    ("solutions", "text/*;q=0.3, text/tab-separated-values;q=0", [], "csv"),
    ("graph", "application/n-triples, text/turtle;q=0.5", [], "ntriples"),
    ("graph", "application/json", [], "jsonld"),
    ("solutions", "text/html", [], None),
    ("solutions", "text/html", ["tsv", "text/tab-separated-values"], "tsv"),
    ("graph", "*/*", ["n3"], "turtle"),
    ("graph", "*/*", ["csv"], "turtle"),  # not for a graph: Accept decides
    ("boolean", "application/sparql-results+xml", [], "xml"),
])
def test_negotiate(kind: str, accept: str | None, formats: list[str], expected: str | None) -> None:
    assert fmts.negotiate(kind, accept, formats) == expected


def test_from_clauses() -> None:
    q = """PREFIX g: <http://x/graph/>
    # FROM <http://x/comment>
    SELECT ?s FROM <http://x/a> FROM NAMED g:b FROM rpn:c WHERE { ?s ?p "FROM <http://x/string>" }"""
    assert sparql.from_clauses(q) == (["http://x/a", "https://w3id.org/repnet/ontology#c"], ["http://x/graph/b"])
