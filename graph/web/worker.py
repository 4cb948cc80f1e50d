"""A query worker: a process that opens the store read-only and answers one request at a time over
its stdin/stdout (frames of :mod:`repnet.graph.web.protocol`). The pool
(:mod:`repnet.graph.web.pool`) starts it as ``python -c "from repnet.graph.web.worker import
worker_main; worker_main()" STORE public|restricted SERVER_PID MEMORY_LIMIT``.

Hand-written because pyoxigraph cannot interrupt a running query: a query runs in a process the
server can kill. The worker asks Linux to kill it when the server dies (``PR_SET_PDEATHSIG``),
caps its own address space (``RLIMIT_AS``, the backstop for the pool's memory watch), runs the
query on a thread with a large stack (Oxigraph's parser recurses once per nesting level) and
reopens the store when a rebuild swaps its generation. It answers SPARQL queries, saved queries
by name with parameters (bound by :func:`repnet.graph.ask.query.prepare`, as `repnet query` binds
them), entity pages and the dataset description (:mod:`repnet.graph.web.pages`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ..errors import RepnetError, StoreError
from ..formats import GRAPH_TYPES, SOLUTION_TYPES, canonical_type, negotiate
from ..sparql import locate, query_form
from .dataset import dataset_options, public_graphs
from .limits import MEMORY_LIMIT, MEMORY_MESSAGE, QUERY_STACK, READ_ONLY, excerpt_lines, gb, short_message
from .protocol import read_frame, write_frame
from .results import serialize_boolean, serialize_graph, serialize_solutions

Answer = tuple[dict[str, Any], bytes]  # (frame header with status, type, rows, truncated; body)


class StoreView:
    """The current generation of a store, opened read-only; reopened after a rebuild swaps it."""

    def __init__(self, root: Path, include_restricted: bool):
        self.root = root
        self.include_restricted = include_restricted
        self.path: Path | None = None
        self.store: Any = None
        self.served: list[str] | None = None
        self.explorer: Any = None  # the live explorer's names and projection (repnet.graph.web.explore)
        self.refresh()

    def refresh(self) -> None:
        """Open the store's current generation if it is not the one open now."""
        import pyoxigraph as ox

        from ..store.layout import current_path, no_store

        path = current_path(self.root)
        if path is None:
            raise no_store(self.root)
        if path != self.path:
            self.store = ox.Store.read_only(str(path))
            self.path = path
            self.explorer = None
            self.served = None if self.include_restricted else public_graphs(self.store)

    def embedded(self) -> Any:
        """The open store behind repnet's store interface, showing what this endpoint serves."""
        from ..store.embedded import EmbeddedStore

        return EmbeddedStore(self.store, self.root, public_only=not self.include_restricted, generation=self.path)

    def handle(self, req: dict[str, Any]) -> Answer:
        """One request of the server: a page, a saved query or a SPARQL query."""
        try:
            self.refresh()
        except (StoreError, OSError) as e:
            return {"status": 500}, short_message(f"The store cannot be read: {e}").encode()
        if "page" in req:
            return self.page(req)
        if "explore" in req:
            return self.explore(req)
        if "saved" in req:
            return self.saved(req)
        return self.answer(req)

    def saved(self, req: dict[str, Any]) -> Answer:
        """A saved query by name, its parameters bound as `repnet query NAME --param k=v` binds them;
        answered from the generation's index where it keeps one, as `repnet query` answers it."""
        from ..ask.query import indexed, prepare, saved_queries

        query = saved_queries().get(req["saved"])
        if query is None:
            return {"status": 404}, f"There is no saved query '{req['saved']}'.".encode()
        store = self.embedded()
        try:
            prepared = prepare(store, query.text, req.get("params") or {}, query)
        except RepnetError as e:
            return {"status": 400}, short_message(str(e).replace("--param ", "")).encode()
        except ValueError as e:  # an iri parameter that is not an IRI
            return {"status": 400}, short_message(f"A parameter is not valid: {e}").encode()
        try:
            found = None if req.get("default") or req.get("named") else indexed(store, prepared)
        except (OSError, RuntimeError, ValueError) as e:
            return {"status": 500}, short_message(f"The query failed: {e}").encode()
        return self.answer({**req, "query": prepared.text}, found)

    def answer(self, req: dict[str, Any], found: Any = None) -> Answer:
        """A SPARQL query (or its ``found`` result) -> the result in the negotiated format, cut at ``max_rows``."""

        from ...ontology.namespaces import PREFIXES

        text = req["query"]
        if found is not None:
            return self.respond(req, found)
        try:
            options = dataset_options(text, req.get("default", []), req.get("named", []), self.served)
        except ValueError as e:
            return {"status": 400}, f"A graph URI is not a valid IRI: {e}".encode()
        try:
            result = self.store.query(text, prefixes=PREFIXES, **options)
        except SyntaxError as e:
            if query_form(text) == "UPDATE":
                return {"status": 403}, READ_ONLY.encode()
            return {"status": 400}, short_message(f"SPARQL syntax error: {locate(str(e), excerpt_lines(text))}").encode()
        except (OSError, RuntimeError, ValueError) as e:
            return {"status": 500}, short_message(f"The query failed: {e}").encode()
        return self.respond(req, result)

    def respond(self, req: dict[str, Any], result: Any) -> Answer:
        """A query's result in the negotiated format, cut at ``max_rows``."""
        import pyoxigraph as ox

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

    def explorer_now(self) -> Any:
        """The live explorer's names and projection for the store generation open now (:mod:`.explore`)."""
        from . import explore

        if self.explorer is None:
            self.explorer = explore.Explorer(self.embedded(), self.include_restricted)
        return self.explorer

    def warm(self) -> None:
        """Read the explorer's name index and projection before the first request (a worker that
        cannot is still a worker: its first explorer request reads them or reports why not)."""
        try:
            self.explorer_now().warm()
        except Exception as e:  # noqa: BLE001 - reported, never fatal
            self.explorer = None
            print(f"repnet serve: the explorer's names and network were not read ahead: {e}", file=sys.stderr, flush=True)

    def explore(self, req: dict[str, Any]) -> Answer:
        """The live explorer's JSON: a name search, an entity's neighbours, the flow, the chart, the
        overview's groups or one group's members (:mod:`.explore`)."""
        import json

        from . import explore, pages

        ex = self.explorer_now()
        try:
            if req["explore"] == "search":
                data = explore.search(ex, req["q"], int(req["limit"]))
            elif req["explore"] == "flow":
                data = explore.flow(ex, req.get("from"), req.get("to"), req.get("through"))
            elif req["explore"] == "chart":
                data = explore.chart(ex)
            elif req["explore"] == "overview" and "group" in req:
                data = explore.group(ex, int(req["group"]), req.get("by", "community"), int(req["limit"]),
                                     pages.base_of(ex.store))
            elif req["explore"] == "overview":
                data = explore.overview(ex, req.get("by", "community"))
            else:
                data = explore.neighbours(ex, req["iri"], int(req["limit"]), pages.base_of(ex.store),
                                          as_of=req.get("as_of"), classes=req.get("class"), relations=req.get("relation"))
        except explore.ExploreError as e:
            return {"status": e.status}, str(e).encode()
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        return {"status": 200, "type": "application/json; charset=utf-8"}, body

    def page(self, req: dict[str, Any]) -> Answer:
        """An entity page (``/id/...``) or the dataset description (``/dataset``, ``/.well-known/void``)."""
        from . import pages

        store = self.embedded()
        path = req["page"]
        try:
            if path.startswith("/id/"):
                answer = pages.entity(store, pages.base_of(store) + path[1:], req.get("accept"), req.get("format"))
            else:
                answer = pages.description(store, req.get("accept"), req["endpoint"], req.get("format"))
        except ValueError:  # the path does not make an IRI (a quote, a space, a bracket ...)
            return {"status": 404}, short_message(f"{path} is not the path of an entity IRI.").encode()
        return {"status": answer.status, "type": answer.ctype}, answer.body


def die_with_parent(ppid: int) -> None:
    """Ask Linux to kill this worker when the server (the thread that started it) goes away."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != ppid:
        os._exit(0)


def vm_size() -> int:
    """This process's virtual memory size in bytes (Linux), or 0."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0


def cap_address_space(limit: int) -> None:
    """The backstop for growth faster than the server's look every POLL seconds: the address space
    may grow by the limit (plus slack for allocator arenas) beyond what it is now, with the stack."""
    import resource

    if limit > 0 and vm_size():
        cap = vm_size() + limit + 256 * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ValueError, OSError):
            pass


def _lower_priority() -> None:
    """Lower this thread's priority (nice 10) where the system allows it."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def worker_main() -> None:  # pragma: no cover - runs in the worker processes
    """A query worker: argv = store root, 'restricted' or 'public', server pid, memory limit in bytes."""
    root, mode, ppid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else MEMORY_LIMIT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    die_with_parent(ppid)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the frames
    inp = sys.stdin.buffer
    try:
        view = StoreView(Path(root), mode == "restricted")
    except (StoreError, OSError) as e:
        write_frame(out, {"ready": False, "error": str(e)})
        return
    # the explorer's names and projection, before the pool hands this worker a request; read on a
    # thread of low priority (Linux gives each thread its own nice value), so that a worker started
    # while others answer queries does not take the CPU from them
    def warm() -> None:
        _lower_priority()
        view.warm()

    warming = threading.Thread(target=warm, name="repnet-warm")
    warming.start()
    warming.join()

    def loop() -> None:
        while True:
            msg = read_frame(inp)
            if msg is None:
                return
            try:
                header, body = view.handle(msg[0])
            except MemoryError:
                write_frame(out, {"status": 503, "retire": True}, MEMORY_MESSAGE.format(limit=gb(limit)).encode())
                return
            write_frame(out, header, body)

    # the query runs on a thread with a large stack: Oxigraph's parser recurses once per nesting level
    threading.stack_size(QUERY_STACK)
    thread = threading.Thread(target=loop, name="repnet-query")
    thread.start()
    cap_address_space(limit)
    write_frame(out, {"ready": True, "pid": os.getpid()})
    thread.join()
