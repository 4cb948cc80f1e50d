"""The endpoint's limits (issue 16): memory per worker, the slow lane, pages through the pool,
the listen queue, refusals of huge or deeply nested queries, escaped names in FROM."""

from __future__ import annotations

import http.client
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from repnet.graph import sparql
from repnet.graph.web import serve as srv

from .test_serve import GRAPH, RUNAWAY, Endpoint, counts, endpoint, get, json_rows, public, request, running, store_root

FIXTURES = (counts, endpoint, public, store_root)  # shared with test_serve: pytest finds them by name here

# an ORDER BY over a cross product of the store with itself, three times: gigabytes within seconds
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
QUICK = "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:Person }"


def post_query(endpoint: Endpoint, text: str) -> tuple[int, Any, bytes]:
    return request(endpoint.sparql, "POST", text.encode(), {"Content-Type": "application/sparql-query"})


def test_a_memory_hungry_query_is_stopped_at_the_limit_and_its_worker_replaced(store_root: Path, tmp_path: Path) -> None:
    with running(store_root, "--memory-limit", "300", "--workers", "1", "--slow-workers", "0", "--timeout", "60",
                 tmp=tmp_path) as e:
        (before,) = e.workers()
        t0 = time.monotonic()
        status, _, body = get(e, MEMORY_HOG)
        took = time.monotonic() - t0
        assert status == 503
        assert body.decode() == ("503 Service Unavailable: Query stopped: it needed more than this endpoint's memory "
                                 "limit of 300 MB per query. Narrow it down (more specific patterns, no ORDER BY over "
                                 "huge results, a LIMIT), or start the endpoint with a larger --memory-limit.\n")
        assert took < 30
        assert get(e, QUICK)[0] == 200  # a fresh worker answers
        assert before not in e.workers()


def test_slow_queries_move_to_the_slow_lane_and_quick_ones_keep_their_workers(store_root: Path, tmp_path: Path) -> None:
    with running(store_root, "--workers", "1", "--slow-workers", "2", "--slow-after", "0.3", "--timeout", "8",
                 tmp=tmp_path) as e:
        expected = json_rows(get(e, QUICK)[2])
        slow: list[tuple[int, bytes]] = []
        threads = [threading.Thread(target=lambda: slow.append(get(e, RUNAWAY)[::2])) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.6)  # each turns slow before the next starts (one quick-lane worker)
        time.sleep(1.0)  # the replacement workers start
        quick = []
        for _ in range(10):
            t0 = time.monotonic()
            status, _, body = get(e, QUICK)
            quick.append((status, time.monotonic() - t0, json_rows(body)))
        assert all(s == 200 and secs < 0.5 and rows == expected for s, secs, rows in quick), quick
        # a third slow query finds the slow lane full: it keeps the quick worker until a quick
        # request waits for one, and is then stopped
        third: list[tuple[int, bytes]] = []
        t3 = threading.Thread(target=lambda: third.append(get(e, RUNAWAY)[::2]))
        t3.start()
        time.sleep(0.8)
        assert t3.is_alive()
        t0 = time.monotonic()
        assert get(e, QUICK)[0] == 200
        assert time.monotonic() - t0 < 3  # not the 8 s the runaway would have held the worker
        t3.join(timeout=5)
        ((status, body),) = third
        assert status == 503
        assert body.decode().startswith("503 Service Unavailable: Service busy: this query ran longer than 0.6 s while "
                                        "2 other slow queries were running and other requests were waiting, and was "
                                        "stopped")
        for t in threads:
            t.join(timeout=20)
        assert [s for s, _ in slow] == [503, 503]
        assert all(b"Query timeout" in b for _, b in slow)
        assert get(e, QUICK)[0] == 200


def test_entity_pages_are_answered_by_the_workers(endpoint: Endpoint) -> None:
    # the exact request of the finding: a raw quote in the path (it used to hang, with a traceback in the log)
    conn = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(endpoint.url).port, timeout=10)
    conn.request("GET", '/id/person/a"b')
    resp = conn.getresponse()
    assert (resp.status, resp.read()) == (404, b'404 Not Found: /id/person/a"b is not the path of an entity IRI.\n')
    conn.close()
    status, headers, body = request(endpoint.url + "id/person/nasta-loika?format=turtle")
    assert status == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert b'"Nasta Loika"@en' in body
    status, headers, _ = request(endpoint.url + ".well-known/void")
    assert status == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_entity_pages_wait_for_a_worker_like_queries(store_root: Path, tmp_path: Path) -> None:
    """With one worker and no slow lane, a page asked for while a runaway query holds the worker
    is answered only after the runaway is stopped: pages run in the pool, not in the server."""
    with running(store_root, "--workers", "1", "--slow-workers", "0", "--slow-after", "1", "--timeout", "5",
                 tmp=tmp_path) as e:
        slow: list[int] = []
        t = threading.Thread(target=lambda: slow.append(get(e, RUNAWAY)[0]))
        t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        status, _, _ = request(e.url + "dataset")
        waited = time.monotonic() - t0
        t.join(timeout=20)
        assert slow == [503] and status == 200
        assert 0.4 < waited < 3


def test_the_listen_queue_holds_128_connections(endpoint: Endpoint) -> None:
    port = urllib.parse.urlsplit(endpoint.url).port
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "LISTEN" and int(out[2]) == 128  # Send-Q of a listening socket is its backlog


def test_deeply_nested_and_huge_queries_get_a_short_400(endpoint: Endpoint) -> None:
    nested = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    assert post_query(endpoint, nested)[::2] == (400, b"400 Bad Request: the query is nested more than 100 levels deep "
                                                      b"(brackets, braces or parentheses); flatten it.\n")
    huge = "SELECT * WHERE { ?s ?p ?o " + "x" * 880_000 + "}"
    status, _, body = post_query(endpoint, huge)
    assert status == 400
    assert body.decode().startswith("400 Bad Request: the query is 880,027 characters long; this endpoint takes "
                                    "queries of up to 100,000 characters.")
    assert len(body) < 300
    # a syntax error in a long line quotes a short excerpt of it
    status, _, body = post_query(endpoint, "SELECT * WHERE { ?s ?p ?o " + "x" * 90_000 + "}")
    assert status == 400 and body.startswith(b"400 Bad Request: SPARQL syntax error: line 1, column") and len(body) < 700
    # unary operators nest without brackets; the worker's parser has the stack for them
    status, _, body = post_query(endpoint, "ASK { FILTER(" + "!" * 99_000 + "true) }")
    assert status == 200 and b"true" in body
    assert get(endpoint, "ASK { ?s ?p ?o }")[0] == 200


def test_escaped_prefixed_names_in_from_name_the_graph_they_spell(endpoint: Endpoint, counts: dict[str, int]) -> None:
    q = "PREFIX g: <%s> SELECT (COUNT(*) AS ?n) FROM g:%s WHERE { ?s ?p ?o }"
    assert json_rows(get(endpoint, q % (GRAPH, "wikidata\\-links"))[2]) == [(str(counts["wikidata-links"]),)]
    assert json_rows(get(endpoint, q % (GRAPH, "meta\\.x"))[2]) == [("0",)]  # not the meta graph


def test_from_clauses_unescape_local_names() -> None:
    q = "PREFIX g: <http://x/> SELECT * FROM g:a\\-b FROM g:c\\.d\\/e FROM NAMED g:f%20g WHERE { ?s ?p ?o }"
    assert sparql.from_clauses(q) == (["http://x/a-b", "http://x/c.d/e"], ["http://x/f%20g"])


def test_query_refusal() -> None:
    assert srv.query_refusal("SELECT * { " + "(" * 100 + ")" * 100 + " }") == (
        "the query is nested more than 100 levels deep (brackets, braces or parentheses); flatten it")
    assert srv.query_refusal('SELECT * { ?s ?p "' + "(" * 500 + '" }') is None  # brackets in strings do not count
    assert srv.query_refusal("SELECT * { " + "(" * 99 + ")" * 99 + " }") is None


def test_repnet_query_refuses_a_deeply_nested_query(store_root: Path) -> None:
    from click.testing import CliRunner

    from repnet.cli import cli

    nested = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    result = CliRunner().invoke(cli, ["--store", str(store_root), "query", "-e", nested])
    assert (result.exit_code, result.stderr) == (2, "Error: the query is nested more than 100 levels deep (brackets, "
                                                    "braces or parentheses); flatten it.\n")


def test_explorer_requests_past_slow_after_keep_their_workers(store_root: Path, tmp_path: Path) -> None:
    """The live explorer's requests (the server's own bounded code) are not moved to the slow lane:
    one past --slow-after keeps its worker, a ready spare serving the quick lane meanwhile, so no
    cold worker is started in the request path; a SPARQL query past it still is moved and retired."""
    with running(store_root, "--workers", "1", "--slow-workers", "1", "--slow-after", "0.05", "--timeout", "20",
                 tmp=tmp_path) as e:
        before = e.workers()
        assert len(before) == 2  # the quick-lane worker and the spare
        took = []
        for by in ("community", "court", "facility", "organization", "release-round", "class"):
            for path in (f"explore/overview?by={by}", f"explore/overview?by={by}&group=0&limit=500"):
                t0 = time.monotonic()
                status, _, body = request(e.url + path)
                took.append(time.monotonic() - t0)
                assert status == 200, body
        for path in ("explore/flow?from=2020-01-01", "explore/chart", "explore/search?q=ko&limit=100"):
            assert request(e.url + path)[0] == 200
        assert max(took) > 0.05  # (some ran past --slow-after: the first overview by a grouping is computed)
        assert e.workers() == before
        assert get(e, RUNAWAY)[0] == 503  # a runaway query: moved to the slow lane, stopped, its worker replaced
        deadline = time.monotonic() + 30
        while len(e.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert e.workers() != before and len(e.workers() - before) >= 1
