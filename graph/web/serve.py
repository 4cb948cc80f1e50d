"""`repnet serve`: a SPARQL 1.1 Protocol endpoint at ``/sparql`` and a query page at ``/``.

Standard library HTTP (``ThreadingHTTPServer``) in front of a small pool of worker processes. Each
worker opens the store read-only (``pyoxigraph.Store.read_only``) and answers one query at a time
over a pipe. pyoxigraph cannot interrupt a running query, so the time limit is enforced from the
outside: the request thread waits for the worker's answer until the deadline, then kills the worker
(SIGKILL), answers 503 and has a fresh worker started. A runaway query therefore costs one worker
for at most ``--timeout`` seconds while the other workers keep answering.

Limits that keep one client from taking the machine or the other clients' turn:

* memory: each worker may grow by at most ``--memory-limit`` (default 2 GB). The request thread
  watches the worker's resident memory while it waits (every 50 ms) and kills it past the limit
  (503, and a fresh worker); ``RLIMIT_AS`` in the worker is the backstop for growth faster than
  that. Memory stays below (workers + slow workers) x the limit, plus the server itself;
* two lanes: a query still running after ``--slow-after`` seconds (default 0.25) moves to the slow
  lane: its worker is reniced, counted as slow, and a fresh worker takes its place among the
  ``--workers`` quick ones (so quick queries always find ``--workers`` workers that no slow query
  holds). A worker started in advance (a spare) takes the place at once, and a new spare is
  started in the background. At most ``--slow-workers`` (default 2) queries run in the slow lane;
  one more that turns slow keeps its quick-lane worker while no request waits for one, and is
  stopped with 503 when one does and it has run twice ``--slow-after``. A slow lane worker is retired when its query ends;
* entity pages (``/id/...``), ``/dataset`` and ``/.well-known/void`` are answered by the same
  workers under the same limits;
* a listen queue of 128 connections;
* queries longer than ``MAX_QUERY`` characters or nested deeper than ``MAX_NESTING`` brackets are
  refused with 400 before they reach a worker; the parser runs on a thread with a large stack,
  and error messages quote at most a short excerpt of the query.

Safety, by default:

* binds 127.0.0.1, and then only answers requests whose ``Host`` is a loopback name (so a web
  page cannot reach it through DNS rebinding);
* read-only: SPARQL Update is refused (403). ``--allow-update`` with a token only changes the
  refusal into 501 for an authorised client: the store is built from sources (`repnet build`)
  and is never written by the server;
* ``SERVICE`` and ``LOAD`` are refused (400); ``FROM <url>`` names a graph in the store and is
  never fetched (Oxigraph never dereferences it);
* a query's dataset holds only the graphs the metadata graph lists as PUBLIC (the store's
  whitelist, :meth:`EmbeddedStore.visible_graphs`), never a restricted graph (ill-treatment,
  health, facts marked restricted), unless ``--include-restricted`` is given;
* every answer is capped at ``--max-rows`` rows (or triples); ``X-Repnet-Truncated: true`` says
  that rows were left out;
* no CORS headers unless ``--cors ORIGIN``.

Queries see the union of the (served) named graphs as their default graph, as `repnet query`
does; ``FROM``/``FROM NAMED`` in the query, or the protocol's ``default-graph-uri`` and
``named-graph-uri`` (which win over the query's), restrict the dataset to the graphs named. The
repnet prefixes (``rpn:``, ``schema:``, ``skos:`` ...) are predeclared, so the saved queries run
as they are.
"""

from __future__ import annotations

import hmac
import json
import os
import queue
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import IO, Any, TextIO
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from ..errors import StoreError, UsageError
from ..formats import GRAPH_TYPES, SOLUTION_TYPES, canonical_type, negotiate
from ..sparql import code_only, forbidden_reason, from_clauses, locate, query_form

MAX_BODY = 1_000_000  # bytes of a POSTed query
MAX_QUERY = 100_000  # characters of a query
MAX_NESTING = 100  # levels of { ( [ in a query
MAX_MESSAGE = 600  # characters of an error message quoted back to the client
MEMORY_LIMIT = 2 * 1024**3  # bytes a query worker may grow by
QUERY_STACK = 256 * 1024 * 1024  # stack of the worker's query thread (Oxigraph's parser recurses)
POLL = 0.05  # seconds between looks at a busy worker
TRUNCATED = "X-Repnet-Truncated"
ROWS = "X-Repnet-Rows"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


# ---------------------------------------------------------------------------------- serializers
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(t: Any) -> dict[str, Any]:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    raise TypeError(f"unexpected term {t!r}")


def _xml_term(t: Any) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            attr = f" xml:lang={quoteattr(t.language)}"
        elif t.datatype.value != _XSD_STRING:
            attr = f" datatype={quoteattr(t.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{xml_escape(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
                f"<object>{_xml_term(t.object)}</object></triple>")
    raise TypeError(f"unexpected term {t!r}")


def _csv_value(t: Any, guard: Any = None) -> str:
    import pyoxigraph as ox

    if t is None:
        return ""
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        v = t.value
    elif isinstance(t, ox.BlankNode):
        v = "_:" + t.value
    else:
        v = str(t)
    return _csv_quote(guard(v) if guard and v else v)


def _csv_quote(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v


def _tsv_value(t: Any) -> str:
    """A term in Turtle/N-Triples syntax, with no raw tab or line break."""
    if t is None:
        return ""
    return str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_solutions(result: Any, fmt: str, max_rows: int, raw_csv: bool = False) -> tuple[bytes, int, bool]:
    """A pyoxigraph SELECT result -> (body, rows written, truncated). Stops after ``max_rows`` rows.

    CSV and TSV cells a spreadsheet would evaluate are neutralised unless ``raw_csv``
    (:mod:`repnet.graph.csvsafe`)."""
    from ..csvsafe import neutralise, tsv_term

    names = [v.value for v in result.variables]
    rows: list[Any] = []
    truncated = False
    for sol in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append([sol[i] for i in range(len(names))])
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, r) if t is not None} for r in rows]
        body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False,
                          separators=(",", ":"))
    elif fmt == "xml":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        parts += [f"<variable name={quoteattr(n)}/>" for n in names]
        parts.append("</head>\n<results>\n")
        for r in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>" for n, t in zip(names, r) if t is not None]
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
        body = "".join(parts)
    elif fmt == "csv":
        cell = (lambda t: _csv_value(t)) if raw_csv else (lambda t: _csv_value(t, neutralise))
        lines = [",".join(_csv_quote(n) for n in names)] + [",".join(cell(t) for t in r) for r in rows]
        body = "\r\n".join(lines) + "\r\n"
    elif fmt == "tsv":
        term = _tsv_value if raw_csv else (lambda t: tsv_term(_tsv_value(t)))
        lines = ["\t".join("?" + n for n in names)] + ["\t".join(term(t) for t in r) for r in rows]
        body = "\n".join(lines) + "\n"
    else:
        raise ValueError(f"unknown results format {fmt}")
    return body.encode("utf-8"), len(rows), truncated


def serialize_boolean(result: Any, fmt: str) -> bytes:
    import pyoxigraph as ox

    if fmt in ("csv", "tsv"):
        return b"true\n" if bool(result) else b"false\n"
    out = result.serialize(format=ox.QueryResultsFormat.JSON if fmt == "json" else ox.QueryResultsFormat.XML)
    return out or b""


def serialize_graph(result: Iterable[Any], fmt: str, max_rows: int) -> tuple[bytes, int, bool]:
    import pyoxigraph as ox

    from ...ontology.namespaces import PREFIXES

    triples = list(islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    from ..formats import RDF

    rdf = RDF[fmt]
    kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt == "turtle" else {}
    return ox.serialize(triples, format=rdf, **kwargs) or b"", len(triples), truncated


# ------------------------------------------------------------------------------------- datasets
# a prefixed name's local part may hold %XX and backslash escapes (SPARQL PN_LOCAL_ESC): ex:a\,b is <...a,b>


def public_graphs(store: Any) -> list[str]:
    """The graphs the metadata graph lists as PUBLIC (the store's whitelist), never a ``.../restricted`` one."""
    from ..store.embedded import EmbeddedStore

    return [g for g in EmbeddedStore(store, public_only=True).visible_graphs() if not g.endswith("/restricted")]


def _nn(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def dataset_options(text: str, default_uris: list[str], named_uris: list[str], served: list[str] | None) -> dict[str, Any]:
    """pyoxigraph query options for the dataset of one request.

    The protocol's graph URIs win over the query's FROM clauses; without either, the default graph
    is the union of the served graphs. ``served`` None means every graph is served.
    """
    for g in default_uris + named_uris:
        _nn(g)  # ValueError for anything that is not an absolute IRI
    from ..store.embedded import read_dataset

    if default_uris or named_uris:
        dg, ng = default_uris, named_uris
    else:
        dg, ng = from_clauses(text)
        if not dg and not ng:
            if served is None:
                return {"use_default_graph_as_union": True}
            chosen, union = read_dataset(served, None, None)
            return {"default_graph": [_nn(g) for g in chosen or []], "named_graphs": [_nn(g) for g in union]}
    if served is not None:
        # a chosen source graph brings its derived view (read_dataset); both cut to the served graphs
        chosen, ng = read_dataset(served, dg, ng)
        dg = chosen or []
    return {"default_graph": [_nn(g) for g in dg], "named_graphs": [_nn(g) for g in ng]}


# ------------------------------------------------------------------------------ worker protocol
# frame: 4-byte length + JSON header, then 8-byte length + body bytes
def write_frame(fp: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    h = json.dumps(header).encode("utf-8")
    fp.write(struct.pack(">I", len(h)) + h + struct.pack(">Q", len(body)))
    fp.write(body)
    fp.flush()


def _read_exact(fp: IO[bytes], n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = fp.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_frame(fp: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    raw = _read_exact(fp, 4)
    if raw is None:
        return None
    h = _read_exact(fp, struct.unpack(">I", raw)[0])
    n = _read_exact(fp, 8)
    if h is None or n is None:
        return None
    body = _read_exact(fp, struct.unpack(">Q", n)[0])
    if body is None:
        return None
    return json.loads(h), body


class _Deadline(Exception):
    pass


def _read_fd(fd: int, n: int, deadline: float) -> bytes:
    """Exactly n bytes from a pipe, or _Deadline / EOFError."""
    chunks, got = [], 0
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Deadline()
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise _Deadline()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the query worker exited")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_frame_fd(fd: int, deadline: float) -> tuple[dict[str, Any], bytes]:
    h = _read_fd(fd, struct.unpack(">I", _read_fd(fd, 4, deadline))[0], deadline)
    n = struct.unpack(">Q", _read_fd(fd, 8, deadline))[0]
    return json.loads(h), _read_fd(fd, n, deadline)


# ---------------------------------------------------------------------------------- the worker
class StoreView:
    """The current generation of a store, opened read-only; reopened after a rebuild swaps it."""

    def __init__(self, root: Path, include_restricted: bool):
        self.root = root
        self.include_restricted = include_restricted
        self.path: Path | None = None
        self.store: Any = None
        self.served: list[str] | None = None
        self.refresh()

    def refresh(self) -> None:
        import pyoxigraph as ox

        from ..store.layout import current_path

        path = current_path(self.root)
        if path is None:
            raise StoreError(f"no store at {self.root}.\nRun `repnet build` first (or point --store / REPNET_STORE at a built store).")
        if path != self.path:
            self.store = ox.Store.read_only(str(path))
            self.path = path
            self.served = None if self.include_restricted else public_graphs(self.store)

    def answer(self, req: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """One request -> (header with status, type, rows, truncated; body)."""
        import pyoxigraph as ox

        from ...ontology.namespaces import PREFIXES
        try:
            self.refresh()
        except (StoreError, OSError) as e:
            return {"status": 500}, f"The store cannot be read: {e}".encode()
        text = req["query"]
        try:
            options = dataset_options(text, req.get("default", []), req.get("named", []), self.served)
        except ValueError as e:
            return {"status": 400}, f"A graph URI is not a valid IRI: {e}".encode()
        try:
            result = self.store.query(text, prefixes=PREFIXES, **options)
        except SyntaxError as e:
            if query_form(text) == "UPDATE":
                return {"status": 403}, READ_ONLY.encode()
            return {"status": 400}, short_message(f"SPARQL syntax error: {locate(str(e), _excerpt_lines(text))}").encode()
        except (OSError, RuntimeError, ValueError) as e:
            return {"status": 500}, short_message(f"The query failed: {e}").encode()
        kind = "boolean" if isinstance(result, ox.QueryBoolean) else "graph" if isinstance(result, ox.QueryTriples) \
            else "solutions"
        fmt = negotiate(kind, req.get("accept"), req.get("formats", []))
        if fmt is None:
            offered = ", ".join(m for _, m in (GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES))
            what = "an RDF graph (CONSTRUCT/DESCRIBE)" if kind == "graph" else "a result table (SELECT/ASK)"
            return {"status": 406}, (f"Not acceptable: this query gives {what}, available as {offered}. "
                                     f"Send one of these in Accept, or add format=... to the request.").encode()
        max_rows = int(req.get("max_rows", 100_000))
        try:
            if kind == "boolean":
                body, rows, truncated = serialize_boolean(result, fmt), 1, False
            elif kind == "graph":
                body, rows, truncated = serialize_graph(result, fmt, max_rows)
            else:
                body, rows, truncated = serialize_solutions(result, fmt, max_rows, bool(req.get("raw_csv")))
        except (OSError, RuntimeError, ValueError, TypeError) as e:
            return {"status": 500}, f"The query failed: {e}".encode()
        media = canonical_type(kind, fmt)
        return {"status": 200, "type": media, "rows": rows, "truncated": truncated}, body

    def page(self, req: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """An entity page (``/id/...``) or the dataset description (``/dataset``, ``/.well-known/void``)."""
        from . import pages
        from ..store.embedded import EmbeddedStore

        try:
            self.refresh()
        except (StoreError, OSError) as e:
            return {"status": 500}, short_message(f"The store cannot be read: {e}").encode()
        store = EmbeddedStore(self.store, public_only=not self.include_restricted)
        path = req["page"]
        try:
            if path.startswith("/id/"):
                answer = pages.entity(store, pages.base_of(store) + path[1:], req.get("accept"), req.get("format"))
            else:
                answer = pages.description(store, req.get("accept"), req["endpoint"], req.get("format"))
        except ValueError:  # the path does not make an IRI (a quote, a space, a bracket ...)
            return {"status": 404}, short_message(f"{path} is not the path of an entity IRI.").encode()
        return {"status": answer.status, "type": answer.ctype}, answer.body


def short_message(text: str, limit: int = MAX_MESSAGE) -> str:
    """An error message cut to ``limit`` characters, so a huge query is never echoed back."""
    return text if len(text) <= limit else text[: limit - 40] + f" ... ({len(text) - limit + 40:,} more characters)"


def _excerpt_lines(text: str, width: int = 160) -> str:
    """The query with every line cut to ``width`` characters (the error quotes one line)."""
    return "\n".join(line if len(line) <= width else line[:width] + " ..." for line in text.split("\n"))


def query_refusal(text: str, max_query: int = MAX_QUERY, max_nesting: int = MAX_NESTING) -> str | None:
    """Why a query is refused before it reaches a worker (too long, nested too deep), or None."""
    if len(text) > max_query:
        return (f"the query is {len(text):,} characters long; this endpoint takes queries of up to {max_query:,} "
                "characters. Shorten it (a VALUES block of thousands of terms is better split into several queries)")
    depth = deepest = 0
    for c in code_only(text):
        if c in "{([":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > max_nesting:
                    return (f"the query is nested more than {max_nesting} levels deep (brackets, braces or "
                            "parentheses); flatten it")
        elif c in "})]":
            depth -= 1
    return None


READ_ONLY = ("SPARQL Update is refused: this endpoint is read-only. The store is built from source files; "
             "change the sources and run `repnet build`.")


def _die_with_parent(ppid: int) -> None:
    """Ask Linux to kill this worker when the server (the thread that started it) goes away."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != ppid:
        os._exit(0)


def _vm_size() -> int:
    """This process's virtual memory size in bytes (Linux), or 0."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0


def rss_bytes(pid: int) -> int:
    """Resident memory of a process in bytes (Linux), or 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


MEMORY_MESSAGE = ("Query stopped: it needed more than this endpoint's memory limit of {limit} per query. Narrow it "
                  "down (more specific patterns, no ORDER BY over huge results, a LIMIT), or start the endpoint with "
                  "a larger --memory-limit.")


def _gb(n: int) -> str:
    return f"{n / 1024**3:.3g} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def worker_main() -> None:  # pragma: no cover - runs in the worker processes
    """A query worker: argv = store root, 'restricted' or 'public', server pid, memory limit in bytes."""
    import resource

    root, mode, ppid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else MEMORY_LIMIT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    _die_with_parent(ppid)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the frames
    inp = sys.stdin.buffer
    try:
        view = StoreView(Path(root), mode == "restricted")
    except (StoreError, OSError) as e:
        write_frame(out, {"ready": False, "error": str(e)})
        return

    def loop() -> None:
        while True:
            msg = read_frame(inp)
            if msg is None:
                return
            try:
                header, body = view.page(msg[0]) if "page" in msg[0] else view.answer(msg[0])
            except MemoryError:
                write_frame(out, {"status": 503, "retire": True}, MEMORY_MESSAGE.format(limit=_gb(limit)).encode())
                return
            write_frame(out, header, body)

    # the query runs on a thread with a large stack: Oxigraph's parser recurses once per nesting level
    threading.stack_size(QUERY_STACK)
    thread = threading.Thread(target=loop, name="repnet-query")
    thread.start()
    # the backstop for growth faster than the server's look every POLL seconds: the address space
    # may grow by the limit (plus slack for allocator arenas) beyond what it is now, with the stack
    if limit > 0 and _vm_size():
        cap = _vm_size() + limit + 256 * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ValueError, OSError):
            pass
    write_frame(out, {"ready": True, "pid": os.getpid()})
    thread.join()


# --------------------------------------------------------------------------------- the pool
@dataclass
class Reply:
    status: int
    body: bytes
    type: str = "text/plain; charset=utf-8"
    rows: int | None = None
    truncated: bool = False


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen[bytes]
    pid: int = field(init=False)

    def __post_init__(self) -> None:
        self.pid = self.proc.pid

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f:
                try:
                    f.close()
                except OSError:
                    pass


class WorkerPool:
    """``size`` quick-lane workers plus up to ``slow_workers`` in the slow lane (see the module
    docstring); a worker that times out, passes its memory limit or dies is replaced."""

    def __init__(self, root: Path, size: int, include_restricted: bool, log: TextIO | None = None,
                 memory_limit: int = MEMORY_LIMIT, slow_after: float = 0.25, slow_workers: int = 2):
        self.root, self.size, self.include_restricted, self.log = root, size, include_restricted, log
        self.memory_limit, self.slow_after, self.slow_workers = memory_limit, slow_after, slow_workers
        self.slow = 0  # queries in the slow lane now
        self.waiting = 0  # requests waiting for a quick-lane worker
        self.stats = {"memory": 0, "timeout": 0, "slow": 0, "slow_refused": 0}
        self._idle: queue.Queue[_Worker] = queue.Queue()
        # started workers kept ready for the moment a query turns slow: one joins the quick lane at
        # once, instead of the quick lane waiting for a worker to start (a second or so under load)
        self._spares: queue.Queue[_Worker] = queue.Queue()
        self._requests: queue.Queue[str | None] = queue.Queue()  # "quick", "spare"; None stops
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closing = False
        self.error: str | None = None
        # one long-lived thread starts every worker: PR_SET_PDEATHSIG follows the starting thread
        self._spawner = threading.Thread(target=self._spawn_loop, name="repnet-worker-spawner", daemon=True)
        self._spawner.start()
        for _ in range(size):
            self._requests.put("quick")
        for _ in range(slow_workers):
            self._requests.put("spare")

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def _spawn_loop(self) -> None:
        try:
            self._spawn_forever()
        except Exception as e:  # pragma: no cover - a bug; make wait_ready fail instead of hang
            self.error = f"cannot start query workers: {e!r}"
            raise

    def _spawn_forever(self) -> None:
        while True:
            kind = self._requests.get()
            if kind is None or self._closing:
                return
            code = "from repnet.graph.web.serve import worker_main; worker_main()"
            proc = subprocess.Popen([sys.executable, "-c", code, str(self.root),
                                     "restricted" if self.include_restricted else "public", str(os.getpid()),
                                     str(self.memory_limit)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    start_new_session=True)  # a terminal's Ctrl-C reaches only the server
            w = _Worker(proc)
            with self._lock:
                self._workers.add(w)
            try:
                hello, _ = _read_frame_fd(proc.stdout.fileno(), time.monotonic() + 60)  # type: ignore[union-attr]
            except (_Deadline, EOFError, OSError, ValueError):
                hello = {"ready": False, "error": "the query worker did not start"}
            if not hello.get("ready"):
                self.error = str(hello.get("error"))
                self._drop(w)
                if self.log:
                    print(f"repnet serve: {self.error}", file=self.log, flush=True)
                if not self._closing:
                    time.sleep(1.0)
                    self._requests.put(kind)
                continue
            if self._closing:
                self._drop(w)
                return
            self.error = None
            (self._spares if kind == "spare" else self._idle).put(w)

    def _drop(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._workers.discard(w)

    def _replace(self, w: _Worker) -> None:
        self._drop(w)
        self._add_quick()

    def _add_quick(self) -> None:
        """One more quick-lane worker: a spare if one is ready (and a new spare), else a new worker."""
        if self._closing:
            return
        while True:
            try:
                spare = self._spares.get_nowait()
            except queue.Empty:
                self._requests.put("quick")
                return
            if spare.proc.poll() is None:
                self._idle.put(spare)
                self._requests.put("spare")
                return
            self._drop(spare)
            self._requests.put("spare")

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until every worker has opened the store; StoreError if they cannot."""
        end = time.monotonic() + timeout
        while self._idle.qsize() < self.size:
            if self.error:
                raise StoreError(self.error)
            if time.monotonic() > end:
                raise StoreError("the query workers did not start in time")
            time.sleep(0.02)

    def run(self, request: dict[str, Any], timeout: float) -> Reply:
        """Send one request to an idle quick-lane worker and wait at most ``timeout`` seconds for its answer."""
        wait_end = time.monotonic() + timeout
        with self._lock:
            self.waiting += 1
        try:
            while True:
                try:
                    w = self._idle.get(timeout=max(0.0, wait_end - time.monotonic()))
                except queue.Empty:
                    return Reply(503, (f"Service unavailable: all {self.size} query workers stayed busy for {timeout:g} s. "
                                       "Try again later.").encode())
                if w.proc.poll() is None:
                    break
                self._replace(w)  # died while idle
        finally:
            with self._lock:
                self.waiting -= 1
        start = time.monotonic()
        deadline, slow_at = start + timeout, start + self.slow_after
        promoted = False
        rss = 0
        fd = w.proc.stdout.fileno()  # type: ignore[union-attr]
        try:
            write_frame(w.proc.stdin, request)  # type: ignore[arg-type]
            while True:
                now = time.monotonic()
                if now >= deadline:
                    raise _Deadline()
                ready, _, _ = select.select([fd], [], [], min(POLL, deadline - now))
                if ready:
                    header, body = _read_frame_fd(fd, deadline)
                    break
                rss = rss_bytes(w.pid)
                if self.memory_limit and rss > self.memory_limit:
                    self._retire(w, promoted)
                    self.stats["memory"] += 1
                    return Reply(503, MEMORY_MESSAGE.format(limit=_gb(self.memory_limit)).encode())
                if not promoted and time.monotonic() >= slow_at:
                    if self._promote(w):
                        promoted = True
                    elif self.waiting and time.monotonic() >= slow_at + self.slow_after:
                        # the slow lane is full and requests wait: after a grace as long again (a
                        # quick query slowed by a busy machine finishes in it), this one yields
                        self._retire(w, False)
                        self.stats["slow_refused"] += 1
                        return Reply(503, (f"Service busy: this query ran longer than {2 * self.slow_after:g} s while "
                                           f"{self.slow_workers} other slow queries were running and other requests "
                                           "were waiting, and was stopped so that they are answered. Try again later, "
                                           "or narrow it "
                                           "down.").encode())
        except _Deadline:
            self._retire(w, promoted)
            self.stats["timeout"] += 1
            return Reply(503, (f"Query timeout: the query ran longer than this endpoint's limit of {timeout:g} s and was "
                               "stopped. Narrow it down (more specific patterns, a LIMIT), or start the endpoint with a "
                               "longer --timeout.").encode())
        except (EOFError, OSError, ValueError, struct.error) as e:
            code = w.proc.wait()
            self._retire(w, promoted)
            if self.memory_limit and (code == -signal.SIGABRT or (code < 0 and rss > self.memory_limit // 2)):
                # Oxigraph aborts when an allocation fails (the worker's RLIMIT_AS); the kernel's
                # OOM killer sends SIGKILL to a worker that was growing
                self.stats["memory"] += 1
                return Reply(503, MEMORY_MESSAGE.format(limit=_gb(self.memory_limit)).encode())
            return Reply(500, short_message(f"The query worker failed: {e}").encode())
        if header.get("retire"):
            self._retire(w, promoted)
        elif promoted:
            self._retire(w, True)  # its query ran long; a fresh worker already took its place
        else:
            self._idle.put(w)
        status = int(header["status"])
        mtype = header.get("type")
        if status != 200 and not mtype:
            return Reply(status, body)
        mtype = mtype or "text/plain"
        if "charset" not in mtype and (mtype.startswith("text/") or mtype.endswith(("json", "xml"))):
            mtype += "; charset=utf-8"
        return Reply(status, body, mtype, header.get("rows"), bool(header.get("truncated")))

    def _promote(self, w: _Worker) -> bool:
        """Move a busy worker to the slow lane (and start its replacement); False when the lane is full."""
        with self._lock:
            if self.slow >= self.slow_workers:
                return False
            self.slow += 1
        self.stats["slow"] += 1
        try:
            os.setpriority(os.PRIO_PROCESS, w.pid, 19)  # quick queries get the CPU first
        except OSError:
            pass
        self._add_quick()
        return True

    def _retire(self, w: _Worker, promoted: bool) -> None:
        """Stop a worker; a quick-lane worker is replaced, a slow-lane one already was."""
        if promoted:
            self._drop(w)
            with self._lock:
                self.slow -= 1
        else:
            self._replace(w)

    def close(self) -> None:
        self._closing = True
        self._requests.put(None)
        with self._lock:
            workers = list(self._workers)
        for w in workers:
            self._drop(w)
        self._spawner.join(timeout=5)


# ------------------------------------------------------------------------------------- HTTP
@dataclass
class Settings:
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


class Server(ThreadingHTTPServer):
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
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away; nothing to report
        super().handle_error(request, client_address)

    @property
    def loopback(self) -> bool:
        return self.settings.host in _LOOPBACK_NAMES or self.settings.host.startswith("127.")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"


_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
                 ".json": "application/json; charset=utf-8"}
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def static_file(name: str) -> bytes | None:
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name):
        return None
    f = files("repnet.graph.web").joinpath("static").joinpath(name)
    return f.read_bytes() if f.is_file() else None


def saved_queries_json() -> bytes:
    from ..ask.query import saved_queries

    return json.dumps([{"name": q.name, "description": q.description, "columns": list(q.columns),
                        "params": [{"name": p.name, "kind": p.kind, "required": p.required, "help": p.help}
                                   for p in q.params], "text": q.text} for q in saved_queries().values()],
                      ensure_ascii=False, indent=1).encode("utf-8")


def service_description(url: str) -> bytes:
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
    server: Server
    def version_string(self) -> str:
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
        if status >= 400 and ctype.startswith("text/plain") and not body.endswith(b"\n"):
            body += b"\n"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self._cors_headers()
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
        return name in _LOOPBACK_NAMES or name == self.server.settings.host or name.startswith("127.")

    def _start(self) -> bool:
        self._t0 = time.monotonic()
        if not self._host_ok():
            self._error(403, "this endpoint answers only requests addressed to localhost or 127.0.0.1.")
            return False
        return True

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
            self._send(200, page, _STATIC_TYPES[".html"], {"Content-Security-Policy": _CSP, "Referrer-Policy": "no-referrer"})
        elif url.path.startswith("/static/"):
            name = url.path[len("/static/"):]
            data = static_file(name)
            if data is None:
                self._error(404, f"no such file: {url.path}")
            else:
                self._send(200, data, _STATIC_TYPES.get(Path(name).suffix, "application/octet-stream"))
        elif url.path == "/queries.json":
            self._send(200, saved_queries_json(), "application/json; charset=utf-8")
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
        self._send(reply.status, reply.body, reply.type,
                   {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
                    "Vary": "Accept"})

    def do_POST(self) -> None:
        if not self._start():
            return
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._error(404, f"nothing at {url.path}. The SPARQL endpoint is /sparql.")
            return
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            self._error(400, "bad Content-Length")
            return
        if length > MAX_BODY:
            self.close_connection = True
            self._error(413, f"the request body is larger than {MAX_BODY:,} bytes")
            return
        raw = self.rfile.read(length) if length > 0 else b""
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
            self._sparql(params, None)
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
        s = self.server.settings
        assert self.server.pool is not None
        request = {"query": text, "default": params.get("default-graph-uri", []),
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


# ------------------------------------------------------------------------------------- entry
def serve(settings: Settings, out: TextIO | None = None) -> None:
    """Run the endpoint until Ctrl-C or SIGTERM; then stop the workers."""
    from ..store.layout import current_path

    from ..store.layout import remove_stale

    out = out or sys.stdout
    remove_stale(settings.store)  # what interrupted builds left
    if current_path(settings.store) is None:
        raise StoreError(f"no store at {settings.store}.\nRun `repnet build` first (or point --store / REPNET_STORE at a built store).")
    if settings.allow_update and not settings.token:
        raise UsageError("--allow-update needs a token: --token T or REPNET_TOKEN (clients send Authorization: Bearer T).")
    try:
        server = Server(settings, None)
    except OSError as e:
        raise UsageError(f"cannot listen on {settings.host}:{settings.port}: {e.strerror}. "
                         "Choose another --port (0 picks a free one) or --host.") from None
    pool = WorkerPool(settings.store, settings.workers, settings.include_restricted, sys.stderr,
                      memory_limit=settings.memory_limit, slow_after=settings.slow_after,
                      slow_workers=settings.slow_workers)
    server.pool = pool

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        pool.wait_ready()
        if not server.loopback:
            print(f"Warning: listening on {settings.host}: anyone who can reach this machine can query the store.",
                  file=sys.stderr, flush=True)
        mode = "read-only" if not settings.allow_update else "read-only, updates refused with 501 even with the token"
        graphs = "all graphs" if settings.include_restricted else "public graphs only"
        print(f"repnet SPARQL endpoint on {server.url}sparql (store {settings.store}, {mode}, {graphs}, "
              f"timeout {settings.timeout:g} s, max {settings.max_rows:,} rows, {settings.workers} workers"
              f" + {settings.slow_workers} for slow queries, memory limit {_gb(settings.memory_limit)} per worker"
              f"{', CORS ' + settings.cors if settings.cors else ''}); query page {server.url} — Ctrl-C to stop",
              file=out, flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        if main:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the clean-up
            signal.signal(signal.SIGTERM, previous)
        server.server_close()
        pool.close()
    print("repnet serve: stopped.", file=out, flush=True)
