"""`repnet serve`: a SPARQL 1.1 Protocol endpoint at ``/sparql``, a query page at ``/`` and the live
network explorer at ``/explore`` (:mod:`repnet.graph.web.explore`).

This module is the entry point (:func:`serve`); the map of the parts is in :mod:`repnet.graph.web`.

Standard library HTTP (``ThreadingHTTPServer``) in front of a small pool of worker processes. Each
worker opens the store read-only (``pyoxigraph.Store.read_only``) and answers one query at a time
over a pipe. pyoxigraph cannot interrupt a running query, so the time limit is enforced from the
outside: the request thread waits for the worker's answer until the deadline, then kills the worker
(SIGKILL), answers 503 and has a fresh worker started. A runaway query therefore costs one worker
for at most ``--timeout`` seconds while the other workers keep answering.

Limits that keep one client from taking the machine or the other clients' turn:

* memory: each worker may grow by at most ``--memory-limit`` (default 2 GB) beyond its resident
  size when it said it was ready (it has read the live explorer's names and network then). The
  request thread watches the worker's resident memory while it waits (every 50 ms) and kills it
  past the limit (503, and a fresh worker); ``RLIMIT_AS`` in the worker is the backstop for growth
  faster than that. Memory stays below (workers + slow workers) x (the limit + a ready worker),
  plus the server itself;
* two lanes: a query still running after ``--slow-after`` seconds (default 0.25) moves to the slow
  lane: its worker is reniced, counted as slow, and a fresh worker takes its place among the
  ``--workers`` quick ones (so quick queries always find ``--workers`` workers that no slow query
  holds). A worker started in advance (a spare) takes the place at once, and a new spare is
  started in the background. At most ``--slow-workers`` (default 2) queries run in the slow lane;
  one more that turns slow keeps its quick-lane worker while no request waits for one, and is
  stopped with 503 when one does and it has run twice ``--slow-after``. A slow lane worker is retired when its query ends;
  the live explorer's requests (``/explore/...``: the server's own bounded code, not a visitor's
  query) are never moved or stopped for being slow: one that runs past ``--slow-after`` keeps its
  worker, a ready spare takes its place in the quick lane, and the worker becomes the spare when
  the request ends (no cold worker, which would read the explorer's data for seconds to minutes,
  is started in the request path); the time and memory limits hold for them as for queries;
* entity pages (``/id/...``), ``/dataset`` and ``/.well-known/void`` are answered by the same
  workers under the same limits;
* a listen queue of 128 connections; HTTP/1.1 keep-alive, and a connection idle for
  ``IDLE_TIMEOUT`` (15 s) is closed, so silent clients do not hold request threads;
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

Saved queries also run by name with their parameters: ``GET /queries/timeline?person=Nasta+Loika``
(or POSTed form-encoded), bound as RDF terms exactly as `repnet query timeline --param
person=...` binds them; a missing required parameter, or one the query does not have, is refused
with 400 naming it. ``format``, ``output``, ``default-graph-uri`` and ``named-graph-uri`` keep
their protocol meaning there.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any, TextIO

from ..errors import UsageError
from .limits import gb, query_refusal
from .pool import WorkerPool
from .server import Server, Settings

__all__ = ["Settings", "query_refusal", "serve"]


def serve(settings: Settings, out: TextIO | None = None) -> None:
    """Run the endpoint until Ctrl-C or SIGTERM; then stop the workers."""
    from ..store.layout import current_path, no_store, remove_stale

    out = out or sys.stdout
    remove_stale(settings.store)  # what interrupted builds left
    if current_path(settings.store) is None:
        raise no_store(settings.store)
    if settings.allow_update and not settings.token:
        raise UsageError("allow_update needs a token: token=T or REPNET_TOKEN (clients send Authorization: Bearer T).",
                         argument="allow_update,token")
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
        print(f"repnet serve: starting {settings.workers + settings.slow_workers} query workers; each opens the store "
              "and reads the live explorer's names and network first (from the cache when an earlier run kept them; "
              "minutes for millions of entities otherwise)", file=sys.stderr, flush=True)
        pool.wait_ready(progress=sys.stderr)
        if not server.loopback:
            print(f"Warning: listening on {settings.host}: anyone who can reach this machine can query the store.",
                  file=sys.stderr, flush=True)
        mode = "read-only" if not settings.allow_update else "read-only, updates refused with 501 even with the token"
        graphs = "all graphs" if settings.include_restricted else "public graphs only"
        print(f"repnet SPARQL endpoint on {server.url}sparql (store {settings.store}, {mode}, {graphs}, "
              f"timeout {settings.timeout:g} s, max {settings.max_rows:,} rows, {settings.workers} workers"
              f" + {settings.slow_workers} for slow queries, memory limit {gb(settings.memory_limit)} per worker"
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
