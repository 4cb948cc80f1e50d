"""`repnet push`: upload the named graphs of a local store to a SPARQL 1.1 server.

Two ways, both replacing each graph on the server by the local one:

* ``gsp`` (default): the SPARQL 1.1 Graph Store HTTP Protocol, a ``PUT ?graph=<g>`` per graph with an
  N-Triples (or Turtle) body; from an embedded store, a large graph's N-Triples go in parts while
  Oxigraph writes them (a ``PUT`` of the first, ``POST`` s of the rest: :class:`_Stream`). Virtuoso: ``/sparql-graph-crud-auth`` with digest auth (Virtuoso rejects
  JSON-LD bodies; N-Triples and Turtle work). Fuseki: ``/DS/data``. GraphDB: ``/repositories/R/rdf-graphs/service``.
* ``update``: SPARQL 1.1 Update, ``DROP SILENT GRAPH <g>`` then ``INSERT DATA`` in chunks, for
  servers without a graph store endpoint.

Only the graphs the local store lets a reader see are sent: public graphs unless the store was opened
with its restricted graphs. After the upload each graph's triples are counted on the server.
"""

from __future__ import annotations

import io
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import XSD
from ..errors import StoreError, UsageError
from ..formats import RDF, media_type
from ..progress import Progress
from ..store.embedded import EmbeddedStore
from ..store.http import Endpoints, HttpClient, endpoints_for
from ..store.remote import NO_GRAPH, XSD_DURATION, RemoteStore

METHODS = ("gsp", "update")
_XSD = str(XSD)
COMPUTED = {XSD_DURATION} | {_XSD + t for t in ("decimal", "integer", "int", "long", "short", "byte", "double", "float",
                                                "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                                "nonPositiveInteger", "unsignedInt", "unsignedLong", "boolean")}
SYNTAXES = ("ntriples", "turtle")  # what a Graph Store Protocol PUT sends (formats.RDF)


@dataclass
class PushedGraph:
    graph: str
    triples: int
    bytes: int
    seconds: float
    remote_triples: int | None = None  # counted on the server afterwards (None: not checked)


@dataclass
class PushReport:
    endpoint: str
    method: str
    include_restricted: bool
    graphs: list[PushedGraph] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0
    stale: list[str] = field(default_factory=list)  # graphs under our base on the server that were not sent

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def bytes(self) -> int:
        return sum(g.bytes for g in self.graphs)

    @property
    def verified(self) -> bool | None:
        counts = [g.remote_triples for g in self.graphs]
        return None if any(c is None for c in counts) else all(g.remote_triples == g.triples for g in self.graphs)

    def as_dict(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "method": self.method, "include_restricted": self.include_restricted,
                "graphs": [g.__dict__ for g in self.graphs], "triples": self.triples, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "requests": self.requests, "verified": self.verified,
                "stale_graphs_on_server": self.stale}


def _triples(store: Any, graph: str) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)]


def _chunks(lines: list[bytes], size: int) -> Iterator[bytes]:
    for i in range(0, len(lines), size):
        yield b"".join(lines[i:i + size])


def push(store: Any, url: str, method: str = "gsp", syntax: str = "ntriples", http: HttpClient | None = None,
         chunk: int = 5000, verify: bool = True, progress: Progress | None = None) -> PushReport:
    """Upload every graph ``store`` lets a reader see to the server at ``url``; returns what was sent.

    ``progress("pushing graphs", done, total)`` is called after each graph (:mod:`repnet.graph.progress`).
    """
    if method not in METHODS:
        raise UsageError(f"unknown push method '{method}': use {' or '.join(METHODS)}")
    if syntax not in SYNTAXES:
        raise UsageError(f"unknown RDF syntax '{syntax}': use {' or '.join(SYNTAXES)}")
    eps: Endpoints = endpoints_for(url)
    target = eps.gsp if method == "gsp" else eps.update
    if target is None:
        raise UsageError(f"no Graph Store Protocol endpoint is known for {url}.\nUse method='update', or set "
                         "REPNET_GSP_URL to the server's graph store endpoint.", argument="method")
    http = http or HttpClient(target)
    if http.password is not None:  # check the credentials with a small request before sending graphs
        http.authenticate(_graph_url(target, NO_GRAPH) if method == "gsp" else target)
    report = PushReport(endpoint=target, method=method, include_restricted=not store.public_only)
    t_all = time.perf_counter()
    before = _declared(eps, http) if verify else []  # the old metadata still lists graphs a push may leave behind
    graphs = list(store.named_graphs())
    native = isinstance(store, EmbeddedStore) and method == "gsp"
    # N-Triples that Oxigraph writes go in parts (_Stream), which count their lines; a Turtle body's
    # triples are counted in the store
    pool = _Senders(http, target) if native and syntax == "ntriples" else None
    sizes = store.graph_sizes() if native and pool is None else None
    try:
        _send(store, graphs, sizes, http, target, method, syntax, chunk, pool, report, progress)
    finally:
        if pool is not None:
            pool.close()
    if verify:
        _verify(eps, http, report, before)
    report.seconds = time.perf_counter() - t_all
    return report


def _send(store: Any, graphs: list[str], sizes: dict[str, int] | None, http: HttpClient, target: str, method: str,
          syntax: str, chunk: int, pool: _Senders | None, report: PushReport, progress: Progress | None) -> None:
    """Each graph to the server, in order (see :func:`push`); ``sizes`` (each graph's triples) is
    given for an embedded store pushed as Turtle, which Oxigraph serializes; with ``pool``, the
    embedded store's N-Triples go in parts while Oxigraph writes them (:class:`_Stream`)."""
    streams: list[tuple[str, _Stream]] = []  # graphs whose last parts may still be on their way

    def done(graph: str, triples: int, sent: int, seconds: float) -> None:
        report.graphs.append(PushedGraph(graph, triples, sent, seconds))
        if progress:
            progress("pushing graphs", len(report.graphs), len(graphs))

    for graph in graphs:
        t0 = time.perf_counter()
        if method == "gsp" and pool is not None:
            stream = _stream(store, graph, pool, _graph_url(target, graph), media_type(RDF[syntax]))
            report.requests += stream.requests
            streams.append((graph, stream))
            while streams and streams[0][1].finished():  # the graphs already in, in order
                g, st = streams.pop(0)
                done(g, st.lines, st.bytes, st.seconds)
            continue
        if method == "gsp":
            fmt, ctype = RDF[syntax], media_type(RDF[syntax])
            if sizes is not None:  # Oxigraph serializes the graph itself: no triple passes through Python
                body, count = _dumped(store, graph, fmt), sizes.get(graph, 0)
            else:
                triples = _triples(store, graph)
                body, count = ox.serialize(triples, format=fmt) or b"", len(triples)
            http.request("PUT", _graph_url(target, graph), body, {"Content-Type": ctype})  # replaces the graph
            sent, report.requests = len(body), report.requests + 1
        else:
            triples = _triples(store, graph)
            sent, count = _update(http, target, graph, triples, chunk, report), len(triples)
        done(graph, count, sent, time.perf_counter() - t0)
    for g, st in streams:
        st.wait()
        done(g, st.lines, st.bytes, st.seconds)
    if pool is not None:
        pool.check()


def _graph_url(target: str, graph: str) -> str:
    """The Graph Store Protocol address of ``graph`` (indirect identification: ``?graph=``)."""
    return f"{target}{'&' if '?' in target else '?'}{urllib.parse.urlencode({'graph': graph})}"


def _dumped(store: Any, graph: str, fmt: ox.RdfFormat) -> bytes:
    """``graph`` serialized by Oxigraph, whole."""
    buf = io.BytesIO()
    store.dump_graph(graph, buf, fmt)
    return buf.getvalue()


# A graph's N-Triples go in parts of about PART_BYTES while Oxigraph writes them: a PUT of the
# first part (which replaces the graph) and POSTs (Graph Store Protocol "add") of the others once
# it is in, SENDERS at a time, at most IN_FLIGHT parts held. The server parses each request on its
# own thread (Virtuoso: 13.0 s for one 58 MB PUT, 8.9 s in four parts, measured at 10,000 persons),
# and it parses while Oxigraph writes the next parts: at 100,000 persons Oxigraph's writing took
# 42 s and Virtuoso's parsing 85 s of CPU, one after the other for each graph before.
# N-Triples is one triple per line, so any cut at a line end is a valid document; a graph with a
# blank node goes whole, because a blank node label means one node only within one document.
PART_BYTES = 8 << 20
SENDERS = 4
IN_FLIGHT = 2 * SENDERS


def _stream(store: Any, graph: str, pool: _Senders, url: str, ctype: str) -> _Stream:
    """Send ``graph`` as N-Triples parts while Oxigraph writes them; a graph with a blank node is
    sent again whole once its parts are in (the whole PUT replaces them)."""
    stream = _Stream(pool, url, ctype)
    pool.check()
    try:
        store.dump_graph(graph, stream, ox.RdfFormat.N_TRIPLES)
    except Exception:
        pool.check()  # a failed request stops the writing: report it, not how writing stopped
        raise
    stream.close()
    if stream.blank:
        stream.wait()  # the parts sent before the blank node, then the graph whole in their place
        body = _dumped(store, graph, ox.RdfFormat.N_TRIPLES)
        stream.sent.append(pool.submit("PUT", url, body, ctype))
        stream.lines, stream.bytes, stream.requests, stream.seconds = body.count(b"\n"), len(body), stream.requests + 1, 0.0
    return stream


class _Stream:
    """A file-like object for Oxigraph's ``dump`` of one graph as N-Triples: it cuts what it is
    given at line ends into parts of about :data:`PART_BYTES` and sends each as it comes (see
    above). A part that holds a blank node (a line starting "_:", or "> _:" after a predicate)
    sets :attr:`blank`, and it and the rest are not sent."""

    def __init__(self, pool: _Senders, url: str, ctype: str):
        self.pool, self.url, self.ctype = pool, url, ctype
        self.buf = bytearray()
        self.lines = self.bytes = self.requests = 0
        self.blank = False
        self.sent: list[Future[None]] = []  # the PUT of the first part, then the POSTs
        self.t0, self.seconds = time.perf_counter(), 0.0

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= PART_BYTES:
            cut = self.buf.rfind(b"\n") + 1
            if cut:
                self._part(bytes(self.buf[:cut]))
                del self.buf[:cut]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: parts go when they are full (Oxigraph flushes what it writes to)."""

    def close(self) -> None:
        """Send what is left; an empty graph is sent empty (its PUT empties the server's graph)."""
        if self.buf or not self.bytes:
            self._part(bytes(self.buf))
            self.buf.clear()

    def _part(self, part: bytes) -> None:
        self.pool.check()
        self.lines, self.bytes = self.lines + part.count(b"\n"), self.bytes + len(part)
        self.blank = self.blank or part.startswith(b"_:") or b"\n_:" in part or b"> _:" in part
        if not self.blank:
            after = self.sent[0] if self.sent else None
            self.sent.append(self.pool.submit("PUT" if after is None else "POST", self.url, part, self.ctype, after))
            self.requests += 1

    def finished(self) -> bool:
        """Whether every part is in (raising a failed request's error)."""
        if all(f.done() for f in self.sent):
            self.wait()
            return True
        return False

    def wait(self) -> None:
        """Wait for every part sent so far; raise the first failure."""
        for f in self.sent:
            f.result()
        if not self.seconds:
            self.seconds = time.perf_counter() - self.t0


class _Senders:
    """A few threads, each with its own HTTP client (authentication state is per client), that send
    parts, at most :data:`IN_FLIGHT` held at once; the first failure stops later sends."""

    def __init__(self, http: HttpClient, target: str):
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self.http, self.target, self.local = http, target, threading.local()
        self.pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="repnet-push")
        self.room = threading.BoundedSemaphore(IN_FLIGHT)
        self.error: BaseException | None = None

    def client(self) -> HttpClient:
        if not hasattr(self.local, "http"):
            h = HttpClient(self.target, user=self.http.user, password=self.http.password, auth=self.http.auth,
                           prompt=None, timeout=self.http.timeout)
            if h.password is not None:
                h.authenticate(_graph_url(self.target, NO_GRAPH))
            self.local.http = h
        client: HttpClient = self.local.http
        return client

    def submit(self, method: str, url: str, part: bytes, ctype: str, after: Future[None] | None = None) -> Future[None]:
        """Send ``part`` on a thread (once ``after``, the graph's PUT, is in); waits while
        :data:`IN_FLIGHT` parts are held."""
        self.room.acquire()

        def send() -> None:
            try:
                if after is not None:
                    after.result()
                if self.error is None:
                    self.client().request(method, url, part, {"Content-Type": ctype})
            except BaseException as e:
                self.error = self.error or e
                raise
            finally:
                self.room.release()

        return self.pool.submit(send)

    def check(self) -> None:
        """Raise the first failed request's error, if any."""
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _update(http: HttpClient, target: str, graph: str, triples: list[ox.Triple], chunk: int, report: PushReport) -> int:
    g = str(ox.NamedNode(graph))
    requests = [f"DROP SILENT GRAPH {g}".encode()]
    # Typed numbers and durations go in as STRDT(...) bound in a WHERE clause, not as constants in
    # INSERT DATA: Virtuoso 7 merges numerically equal constants of one request ("9"^^xsd:decimal
    # is stored as "9"^^xsd:integer when the request also holds a "9"^^xsd:integer) and cannot
    # compile a day-time duration constant ("P15D"^^xsd:duration: "SQ200: No column P15DD").
    computed = [t for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype.value in COMPUTED]
    plain = [t for t in triples if not (isinstance(t.object, ox.Literal) and t.object.datatype.value in COMPUTED)]
    lines = (ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines(keepends=True)
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples) and len(lines) > chunk:
        chunk = len(lines)  # a blank node must not be split across two INSERT DATA requests
    for body in _chunks(lines, chunk):
        requests.append(b"INSERT DATA { GRAPH " + g.encode() + b" {\n" + body + b"} }")
    for i in range(0, len(computed), 500):
        part = computed[i:i + 500]
        pattern = " ".join(f"{t.subject} {t.predicate} ?v{n} ." for n, t in enumerate(part))
        binds = " ".join(f"BIND(STRDT({ox.Literal(t.object.value)}, {t.object.datatype}) AS ?v{n})"  # type: ignore[union-attr]
                         for n, t in enumerate(part))
        requests.append(f"INSERT {{ GRAPH {g} {{ {pattern} }} }} WHERE {{ {binds} }}".encode())
    sent = 0
    for text in requests:
        http.request("POST", target, text, {"Content-Type": "application/sparql-update; charset=UTF-8", "Accept": "*/*"})
        sent += len(text)
        report.requests += 1
    return sent


def _declared(eps: Endpoints, http: HttpClient) -> list[str]:
    return RemoteStore(eps.query, public_only=False, endpoints=eps, http=http).declared_graphs()


def _verify(eps: Endpoints, http: HttpClient, report: PushReport, before: list[str]) -> None:
    """Count each pushed graph on the server, and list the graphs under our base that the server's
    metadata listed before or lists now (old sources, restricted graphs pushed earlier) but this
    push did not send."""
    remote = RemoteStore(eps.query, public_only=False, endpoints=eps, http=http)
    for g in report.graphs:
        g.remote_triples = remote.count(g.graph)
    bases = tuple({g.graph.rsplit("/graph/", 1)[0] + "/graph/" for g in report.graphs if "/graph/" in g.graph})
    sent = {g.graph for g in report.graphs}
    listed = set(before) | set(remote.declared_graphs())
    report.stale = sorted(g for g in listed if bases and g.startswith(bases) and g not in sent and remote.count(g) > 0)
    wrong = [g for g in report.graphs if g.remote_triples != g.triples]
    if wrong:
        lines = "\n".join(f"  {g.graph}: sent {g.triples}, the server holds {g.remote_triples}" for g in wrong)
        raise StoreError(f"the server does not hold what was pushed:\n{lines}\n"
                         f"Check {eps.query} (the query endpoint used to count) and the server's log.")
