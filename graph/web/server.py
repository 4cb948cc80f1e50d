"""The HTTP side of `repnet serve`: :class:`Settings`, the :class:`Server` and its request
:class:`Handler` (the SPARQL 1.1 Protocol at ``/sparql``, saved queries at ``/queries/NAME``,
entity pages, the dataset description, the query page and its static files).

Hand-written on the standard library's ``ThreadingHTTPServer`` so that the endpoint needs nothing
beyond Python: every request thread hands its query to the worker pool
(:mod:`repnet.graph.web.pool`) and only checks, refuses and sends. The handler speaks HTTP/1.1
with keep-alive: every response carries its Content-Length (none for 204, which has no body), a
request body the handler did not read closes the connection, and a connection idle for
:data:`repnet.graph.web.limits.IDLE_TIMEOUT` seconds (15) is closed, so slow or silent clients do
not hold request threads.
"""

from __future__ import annotations

import hmac
import json
import re
import socket
import sys
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..sparql import forbidden_reason
from .limits import IDLE_TIMEOUT, MAX_BODY, MAX_QUERY, MEMORY_LIMIT, READ_ONLY, query_refusal
from .pool import WorkerPool

TRUNCATED = "X-Repnet-Truncated"
ROWS = "X-Repnet-Rows"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
# request parameters of the protocol; every other parameter of /queries/NAME is the saved query's
PROTOCOL_PARAMS = ("format", "output", "default-graph-uri", "named-graph-uri")
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
                ".json": "application/json; charset=utf-8"}
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
DATA_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@dataclass
class Settings:
    """What `repnet serve` was asked for (its options; see ``repnet serve --help``)."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 30.0
    max_rows: int = 100_000
    cors: str | None = None
    allow_update: bool = False
    token: str | None = None
    workers: int = 2
    include_restricted: bool = False
    quiet: bool = False
    memory_limit: int = MEMORY_LIMIT
    slow_after: float = 0.25
    slow_workers: int = 2
    max_query: int = MAX_QUERY
    raw_csv: bool = False
    idle_timeout: float = IDLE_TIMEOUT


class Server(ThreadingHTTPServer):
    """The listening socket; one thread per connection, each handing its queries to ``pool``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: bursts of clients wait in the kernel instead of being refused

    def __init__(self, settings: Settings, pool: WorkerPool | None):
        self.settings = settings
        self.pool = pool
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        self.address_family = family
        super().__init__((settings.host, settings.port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a handler's exception, except a client that went away."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away; nothing to report
        super().handle_error(request, client_address)

    @property
    def loopback(self) -> bool:
        """Whether the server listens on a loopback address only."""
        return self.settings.host in LOOPBACK_NAMES or self.settings.host.startswith("127.")

    @property
    def url(self) -> str:
        """The server's base URL, ending in ``/``."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


def static_file(name: str) -> bytes | None:
    """A file of ``graph/web/static`` by plain name (no path), or None."""
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name):
        return None
    f = files("repnet.graph.web").joinpath("static").joinpath(name)
    return f.read_bytes() if f.is_file() else None


VIS_NETWORK = "vis-network.min.js"


def vis_network() -> bytes:
    """vis-network's script for the live explorer, as shipped inside pyvis (never from a CDN): the
    same script the offline pages inline (:func:`repnet.graph.viz.page.vis_network_js`)."""
    from ..viz.page import vis_network_js

    return vis_network_js().encode("utf-8")


VIEWS = "views.js"


def explore_page() -> bytes:
    """The live explorer's page: graph/web/static/explore.html with the flow and chart views'
    markup, which the offline pages share (:func:`repnet.graph.viz.page.views_html`)."""
    from ..viz.page import views_html

    page = static_file("explore.html")
    assert page is not None, "graph/web/static/explore.html is missing from the package"
    return page.replace(b"{{VIEWS_HTML}}", views_html("secondary").encode("utf-8"))


def views_script() -> bytes:
    """The flow and chart drawing the offline pages inline (graph/viz/assets/views.js), for the live explorer."""
    from ..viz.page import asset

    return asset(VIEWS).encode("utf-8")


def saved_queries_json() -> bytes:
    """The saved queries for the query page: name, description, columns, parameters, text."""
    from ..ask.query import saved_queries

    return json.dumps([{"name": q.name, "description": q.description, "columns": list(q.columns),
                        "params": [{"name": p.name, "kind": p.kind, "required": p.required, "help": p.help}
                                   for p in q.params], "text": q.text} for q in saved_queries().values()],
                      ensure_ascii=False, indent=1).encode("utf-8")


def saved_params(name: str, given: dict[str, list[str]]) -> tuple[dict[str, str], str | None, int]:
    """The parameters of a request for saved query ``name`` -> (parameters, refusal or None, status).

    Every request parameter but the protocol's (:data:`PROTOCOL_PARAMS`) is one of the query's
    parameters; an empty value counts as not given. Refused: an unknown query (404), an unknown or
    repeated parameter, a required one missing (400). The worker binds them with
    :func:`repnet.graph.ask.query.prepare`, as `repnet query NAME --param k=v` does.
    """
    from ..ask.query import saved_queries

    queries = saved_queries()
    query = queries.get(name)
    if query is None:
        return {}, f"there is no saved query '{name}'. Saved queries: {', '.join(queries)}", 404
    known = {p.name: p for p in query.params}
    params: dict[str, str] = {}
    for key, values in given.items():
        if key in PROTOCOL_PARAMS:
            continue
        if key not in known:
            listed = f"its parameters: {', '.join(known)}" if known else "it takes none"
            return {}, f"the saved query '{name}' has no parameter '{key}'; {listed}", 400
        if len(values) != 1:
            return {}, f"give the parameter {key} once, not {len(values)} times", 400
        if values[0].strip():
            params[key] = values[0].strip()
    for p in query.params:
        if p.required and p.name not in params:
            return {}, (f"the saved query '{name}' needs the parameter {p.name} ({p.kind}: {p.help}): "
                        f"add {p.name}=... to the request"), 400
    return params, None, 200


def service_description(url: str) -> bytes:
    """The SPARQL service description (Turtle) answered at ``/sparql`` without a query."""
    from ...ontology.namespaces import PREFIXES

    fmts = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in
                    ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                     "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
    prefixes = "\n".join(f"# PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
    return (f"# repnet SPARQL endpoint. These prefixes are predeclared:\n{prefixes}\n"
            "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
            f"[] a sd:Service ;\n  sd:endpoint <{url}sparql> ;\n  sd:supportedLanguage sd:SPARQL11Query ;\n"
            f"  sd:resultFormat {fmts} ;\n  sd:feature sd:UnionDefaultGraph .\n").encode()


class Handler(BaseHTTPRequestHandler):
    """One connection: requests are read, checked, handed to the pool and answered, several per
    connection (HTTP/1.1 keep-alive) until the client closes it or it stays idle too long."""

    server: Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """Every read or write on the connection gives up after the idle timeout."""
        self.request.settimeout(self.server.settings.idle_timeout)  # what StreamRequestHandler.timeout would set
        super().setup()

    def version_string(self) -> str:
        """The Server header: repnet and its version."""
        from ... import __version__

        return f"repnet/{__version__}"

    # ---------------------------------------------------------------- plumbing
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request is written in _send

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.settings.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _send(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None, note: str = "") -> None:
        """Send one response with its Content-Length (the GET body's for HEAD; none for 204)."""
        if status >= 400 and ctype.startswith("text/plain") and not body.endswith(b"\n"):
            body += b"\n"
        self.send_response(status)
        if status == 204:
            body = b""  # no body, and no Content-Length (RFC 9110, 8.6)
        else:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self._cors_headers()
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if not self.server.settings.quiet:
            took = time.monotonic() - getattr(self, "_t0", time.monotonic())
            path = urlsplit(self.path).path
            sys.stderr.write(f"{self.address_string()} {self.command} {path} {status} {took:.3f} s{note}\n")

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        phrase = HTTPStatus(status).phrase
        self._send(status, f"{status} {phrase}: {message}".encode(), headers=headers)

    def _cors_headers(self) -> None:
        allowed = self.server.settings.cors
        origin = self.headers.get("Origin")
        if not allowed or not origin:
            return
        if allowed == "*":
            self.send_header("Access-Control-Allow-Origin", "*")
        elif origin == allowed:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        else:
            return
        self.send_header("Access-Control-Expose-Headers", f"{TRUNCATED}, {ROWS}")

    def _host_ok(self) -> bool:
        """On a loopback address, answer only requests addressed to a loopback name (DNS rebinding)."""
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host.split("]")[0] + "]"
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return name in LOOPBACK_NAMES or name == self.server.settings.host or name.startswith("127.")

    def _start(self) -> bool:
        """Start a request: a body this method does not read ends the connection after the answer;
        a request to a name other than localhost is refused (403)."""
        self._t0 = time.monotonic()
        if self.command != "POST" and (self.headers.get("Transfer-Encoding") or
                                       (self.headers.get("Content-Length") or "0").strip() != "0"):
            self.close_connection = True  # its body would be read as the next request
        if not self._host_ok():
            self.close_connection = True
            self._error(403, "this endpoint answers only requests addressed to localhost or 127.0.0.1.")
            return False
        return True

    def _read_body(self) -> bytes | None:
        """The POSTed body, or None after refusing it (the connection then closes)."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._error(411, "send the request body with a Content-Length (chunked bodies are not read).")
            return None
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._error(400, "bad Content-Length")
            return None
        if length > MAX_BODY:
            self.close_connection = True
            self._error(413, f"the request body is larger than {MAX_BODY:,} bytes")
            return None
        return self.rfile.read(length) if length > 0 else b""

    # ---------------------------------------------------------------- methods
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_OPTIONS(self) -> None:
        if not self._start():
            return
        headers = {"Allow": "GET, POST, OPTIONS"}
        if self.server.settings.cors and self.headers.get("Origin"):
            headers.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
                            "Access-Control-Max-Age": "600"})
        self._send(204, b"", headers=headers)

    def do_GET(self) -> None:
        if not self._start():
            return
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            page = static_file("index.html")
            assert page is not None, "graph/web/static/index.html is missing from the package"
            self._send(200, page, STATIC_TYPES[".html"], {"Content-Security-Policy": PAGE_CSP,
                                                          "Referrer-Policy": "no-referrer"})
        elif url.path in ("/explore", "/explore/"):
            self._send(200, explore_page(), STATIC_TYPES[".html"], {"Content-Security-Policy": PAGE_CSP,
                                                          "Referrer-Policy": "no-referrer"})
        elif url.path in ("/explore/search", "/explore/neighbours", "/explore/flow", "/explore/chart", "/explore/overview"):
            self._explore(url.path.rsplit("/", 1)[1], parse_qs(url.query, keep_blank_values=True))
        elif url.path.startswith("/static/"):
            name = url.path[len("/static/"):]
            data = (vis_network() if name == VIS_NETWORK else views_script() if name == VIEWS
                    else explore_page() if name == "explore.html" else static_file(name))
            if data is None:
                self._error(404, f"no such file: {url.path}")
            else:
                self._send(200, data, STATIC_TYPES.get(Path(name).suffix, "application/octet-stream"))
        elif url.path == "/queries.json":
            self._send(200, saved_queries_json(), "application/json; charset=utf-8")
        elif url.path.startswith("/queries/"):
            self._saved(url.path[len("/queries/"):], parse_qs(url.query, keep_blank_values=True))
        elif url.path == "/prefixes.json":
            from ...ontology.namespaces import PREFIXES, data_base, data_prefixes

            self._send(200, json.dumps({**PREFIXES, **data_prefixes(data_base())}).encode(), "application/json; charset=utf-8")
        elif url.path == "/sparql":
            params = parse_qs(url.query, keep_blank_values=True)
            if "query" not in params and "update" not in params:
                if "text/html" in (self.headers.get("Accept") or ""):
                    self._send(303, b"", headers={"Location": "/"})
                else:
                    self._send(200, service_description(self.server.url), "text/turtle; charset=utf-8")
                return
            self._sparql(params, None)
        elif url.path.startswith("/id/") or url.path in ("/dataset", "/.well-known/void"):
            self._page(url)
        else:
            self._error(404, f"nothing at {url.path}. The SPARQL endpoint is /sparql, the query page /.")

    def _explore(self, what: str, params: dict[str, list[str]]) -> None:
        """The live explorer's JSON (``/explore/search?q=``, ``/explore/neighbours?iri=``,
        ``/explore/flow``, ``/explore/chart``, ``/explore/overview?by=`` and
        ``/explore/overview?group=j&limit=``), answered by a query worker under the same limits as
        queries (:mod:`repnet.graph.web.explore`)."""
        from . import explore

        allowed = {"search": ("q", "limit"), "neighbours": ("iri", "limit", "as_of", "class", "relation"),
                   "flow": ("from", "to", "through"), "chart": (), "overview": ("by", "group", "limit")}[what]
        repeatable = ("class", "relation")
        for name, values in params.items():
            if name not in allowed:
                takes = " and ".join(f"{k}=..." for k in allowed) or "no parameters"
                self._error(400, f"/explore/{what} takes {takes}, not {name}")
                return
            if len(values) != 1 and name not in repeatable:
                self._error(400, f"give {name} once, not {len(values)} times")
                return
        request: dict[str, Any] = {"explore": what}
        if what in ("search", "neighbours"):
            key, default, top = (("q", explore.SEARCH_LIMIT, explore.MAX_SEARCH_LIMIT) if what == "search" else
                                 ("iri", explore.NEIGHBOUR_LIMIT, explore.MAX_NEIGHBOUR_LIMIT))
            value = params.get(key, [""])[0].strip()
            if not value:
                self._error(400, f"give {key}=... ({'a name to search for' if key == 'q' else 'an entity IRI'})")
                return
            if len(value) > (explore.MAX_Q if key == "q" else 2000):
                self._error(400, f"{key} is too long")
                return
            if key == "iri" and not explore.IRI.match(value):
                self._error(400, "iri is not an IRI (http://, https:// or urn:)")
                return
            limit = params.get("limit", [str(default)])[0]
            if not re.fullmatch(r"[0-9]{1,4}", limit) or not 1 <= int(limit) <= top:
                self._error(400, f"limit is a whole number from 1 to {top}")
                return
            request.update({key: value, "limit": int(limit)})
        if what == "overview":
            from ..viz.groups import GROUPINGS

            by = params.get("by", ["community"])[0].strip() or "community"
            if by not in GROUPINGS:
                self._error(400, f"unknown grouping '{by}'. Groupings: {', '.join(GROUPINGS)}")
                return
            request["by"] = by
            if "group" in params:
                j, limit = params["group"][0].strip(), params.get("limit", [str(explore.GROUP_LIMIT)])[0]
                if not re.fullmatch(r"[0-9]{1,6}", j):
                    self._error(400, "group is a group's number in the overview (0, 1, ...)")
                    return
                if not re.fullmatch(r"[0-9]{1,4}", limit) or not 1 <= int(limit) <= explore.MAX_GROUP_LIMIT:
                    self._error(400, f"limit is a whole number from 1 to {explore.MAX_GROUP_LIMIT}")
                    return
                request.update({"group": int(j), "limit": int(limit)})
            elif "limit" in params:
                self._error(400, "limit goes with group=... (how many of the group's members to draw)")
                return
        for name in allowed:
            if name in ("q", "iri", "limit", "by", "group") or name not in params:
                continue
            values = [v.strip() for v in params[name] if v.strip()]
            if any(len(v) > 2000 for v in values):
                self._error(400, f"{name} is too long")
                return
            if values:
                request[name] = values if name in repeatable else values[0]
        assert self.server.pool is not None
        reply = self.server.pool.run(request, self.server.settings.timeout)
        if reply.status != 200:
            self._error(reply.status, reply.body.decode("utf-8", "replace"))
            return
        self._send(200, reply.body, reply.type)

    def _page(self, url: Any) -> None:
        """An entity's IRI path (HTML, Turtle or JSON-LD by Accept or ?format=) or the dataset description,
        answered by a query worker under the same limits as queries."""
        fmt = parse_qs(url.query).get("format", [None])[0]
        assert self.server.pool is not None
        request = {"page": url.path, "accept": self.headers.get("Accept"), "format": fmt,
                   "endpoint": self.server.url + "sparql"}
        reply = self.server.pool.run(request, self.server.settings.timeout)
        if reply.status >= 400 and not reply.body.startswith(f"{reply.status} ".encode()):
            self._error(reply.status, reply.body.decode("utf-8", "replace"))  # a limit of the pool
            return
        self._send(reply.status, reply.body, reply.type, {"Content-Security-Policy": DATA_PAGE_CSP, "Vary": "Accept"})

    def do_POST(self) -> None:
        if not self._start():
            return
        url = urlsplit(self.path)
        raw = self._read_body()
        if raw is None:
            return
        if url.path != "/sparql" and not url.path.startswith("/queries/"):
            self._error(404, f"nothing at {url.path}. The SPARQL endpoint is /sparql.")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._error(400, "the request body is not UTF-8")
            return
        if ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
            if url.path.startswith("/queries/"):
                self._saved(url.path[len("/queries/"):], params)
            else:
                self._sparql(params, None)
        elif url.path.startswith("/queries/"):
            self._error(415, "send a saved query's parameters form-encoded (application/x-www-form-urlencoded) "
                             "or in the URL.")
        elif ctype == "application/sparql-query":
            self._sparql(params, body)
        elif ctype == "application/sparql-update":
            self._update()
        else:
            self._error(415, "send the query as application/sparql-query, or form-encoded "
                             "(application/x-www-form-urlencoded) with query=...")

    # ---------------------------------------------------------------- SPARQL
    def _update(self) -> None:
        s = self.server.settings
        if not s.allow_update:
            self._error(403, READ_ONLY)
            return
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            self._error(401, "SPARQL Update needs the server's token: send Authorization: Bearer <token>.",
                        {"WWW-Authenticate": 'Bearer realm="repnet"'})
            return
        if not hmac.compare_digest(auth[len("Bearer "):].strip().encode(), (s.token or "").encode()):
            self._error(403, "wrong token for SPARQL Update.")
            return
        self._error(501, "SPARQL Update is not implemented: repnet's store is built from source files and the "
                         "server never writes to it. Change the sources and run `repnet build`.")

    def _sparql(self, params: dict[str, list[str]], body_query: str | None) -> None:
        queries = params.get("query", [])
        if "update" in params:
            if queries or body_query is not None:
                self._error(400, "give either query or update, not both.")
            else:
                self._update()
            return
        if body_query is not None:
            if queries:
                self._error(400, "the query is in the body: do not also send query=... .")
                return
            queries = [body_query]
        if len(queries) != 1:
            self._error(400, "give exactly one query (query=...).")
            return
        text = queries[0]
        if not text.strip():
            self._error(400, "the query is empty.")
            return
        reason = query_refusal(text, self.server.settings.max_query) or forbidden_reason(text)
        if reason:
            self._error(400, reason + ".")
            return
        self._run({"query": text}, params)

    def _saved(self, name: str, given: dict[str, list[str]]) -> None:
        """A saved query by name, its parameters checked here and bound by a worker as the CLI binds them."""
        params, refusal, status = saved_params(name, given)
        if refusal:
            self._error(status, refusal + ".")
            return
        self._run({"saved": name, "params": params}, given)

    def _run(self, request: dict[str, Any], params: dict[str, list[str]]) -> None:
        """Hand a query to the pool with the request's dataset, formats and limits, and send its answer."""
        s = self.server.settings
        assert self.server.pool is not None
        request = {**request, "default": params.get("default-graph-uri", []),
                   "named": params.get("named-graph-uri", []), "accept": self.headers.get("Accept"),
                   "formats": params.get("format", []) + params.get("output", []), "max_rows": s.max_rows,
                   "raw_csv": s.raw_csv}
        reply = self.server.pool.run(request, s.timeout)
        if reply.status != 200:
            self._error(reply.status, reply.body.decode("utf-8", "replace"))
            return
        headers = {TRUNCATED: "true" if reply.truncated else "false", ROWS: str(reply.rows),
                   "Vary": "Accept"}
        note = f" {reply.rows} rows" + (" (truncated)" if reply.truncated else "")
        self._send(200, reply.body, reply.type, headers, note)
