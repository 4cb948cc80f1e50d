"""The pool of query workers, seen from the server: ``--workers`` quick-lane workers, up to
``--slow-workers`` in the slow lane, spares started in advance, and the limits that make a worker
be killed and replaced (time, memory, a full slow lane while others wait). The module docstring of
:mod:`repnet.graph.web.serve` describes the lanes and limits.

Hand-written because the limits are enforced from outside the query (pyoxigraph cannot interrupt
one): a request thread waits for its worker's answer with a deadline, looking at the worker's
resident memory every ``POLL`` seconds, and kills the worker (SIGKILL) when a limit is passed. All
workers are started by one long-lived thread, since ``PR_SET_PDEATHSIG`` follows the thread that
started a process.
"""

from __future__ import annotations

import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..errors import StoreError
from .limits import MEMORY_LIMIT, MEMORY_MESSAGE, POLL, gb, short_message
from .protocol import Deadline, read_frame_fd, write_frame

READY_TIMEOUT = 600.0
"""Seconds a starting worker may take to open the store and read the explorer's names and network."""


def rss_bytes(pid: int) -> int:
    """Resident memory of a process in bytes (Linux), or 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Reply:
    """A worker's answer (or the pool's refusal), ready for the HTTP handler."""

    status: int
    body: bytes
    type: str = "text/plain; charset=utf-8"
    rows: int | None = None
    truncated: bool = False


@dataclass(eq=False)
class Worker:
    """One started worker process and its pipes."""

    proc: subprocess.Popen[bytes]
    pid: int = field(init=False)
    base: int = 0  # resident bytes when it said it was ready (with the explorer's names and network read)

    def __post_init__(self) -> None:
        self.pid = self.proc.pid

    def kill(self) -> None:
        """Kill the process (if it still runs), reap it and close its pipes."""
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
    """``size`` quick-lane workers plus up to ``slow_workers`` in the slow lane (see the docstring
    of :mod:`repnet.graph.web.serve`); a worker that times out, passes its memory limit or dies is replaced."""

    def __init__(self, root: Path, size: int, include_restricted: bool, log: TextIO | None = None,
                 memory_limit: int = MEMORY_LIMIT, slow_after: float = 0.25, slow_workers: int = 2):
        self.root, self.size, self.include_restricted, self.log = root, size, include_restricted, log
        self.memory_limit, self.slow_after, self.slow_workers = memory_limit, slow_after, slow_workers
        self.slow = 0  # queries in the slow lane now
        self.waiting = 0  # requests waiting for a quick-lane worker
        self.stats = {"memory": 0, "timeout": 0, "slow": 0, "slow_refused": 0, "lent": 0}
        self._idle: queue.Queue[Worker] = queue.Queue()
        # started workers kept ready for the moment a query turns slow: one joins the quick lane at
        # once, instead of the quick lane waiting for a worker to start (a second or so under load)
        self._spares: queue.Queue[Worker] = queue.Queue()
        self._requests: queue.Queue[str | None] = queue.Queue()  # "quick", "spare"; None stops
        self._workers: set[Worker] = set()
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
            code = "from repnet.graph.web.worker import worker_main; worker_main()"
            proc = subprocess.Popen([sys.executable, "-c", code, str(self.root),
                                     "restricted" if self.include_restricted else "public", str(os.getpid()),
                                     str(self.memory_limit)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    start_new_session=True)  # a terminal's Ctrl-C reaches only the server
            w = Worker(proc)
            with self._lock:
                self._workers.add(w)
            try:
                # (a worker reads the explorer's names and network before it says it is ready: minutes for a
                # store of millions of entities)
                hello, _ = read_frame_fd(proc.stdout.fileno(), time.monotonic() + READY_TIMEOUT)  # type: ignore[union-attr]
            except (Deadline, EOFError, OSError, ValueError):
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
            w.base = rss_bytes(w.pid)
            self.error = None
            (self._spares if kind == "spare" else self._idle).put(w)

    def _drop(self, w: Worker) -> None:
        w.kill()
        with self._lock:
            self._workers.discard(w)

    def _replace(self, w: Worker) -> None:
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

    def wait_ready(self, timeout: float | None = None, progress: TextIO | None = None) -> None:
        """Block until every worker, spares included, has opened the store and read the explorer's
        data; StoreError if they cannot. ``progress``: a line there each time one more is ready."""
        end = time.monotonic() + (READY_TIMEOUT * (self.size + self.slow_workers) if timeout is None else timeout)
        total, t0, said = self.size + self.slow_workers, time.monotonic(), 0
        while self._idle.qsize() < self.size or self._spares.qsize() < self.slow_workers:
            ready = self._idle.qsize() + self._spares.qsize()
            if progress is not None and ready > said:
                said = ready
                print(f"repnet serve: {ready} of {total} query workers ready ({time.monotonic() - t0:.0f} s)",
                      file=progress, flush=True)
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
        # the live explorer's requests run the server's own bounded code, not a visitor's query: one
        # that runs long is not moved to the slow lane (whose worker is replaced by a cold one, which
        # reads the explorer's data for seconds to minutes while the next requests wait) but keeps
        # its worker, a ready spare taking its place in the quick lane meanwhile; when it ends, its
        # worker becomes the spare (``lent``). The time and memory limits hold as for any request.
        lendable, lent = "explore" in request, False
        rss = 0
        fd = w.proc.stdout.fileno()  # type: ignore[union-attr]
        try:
            write_frame(w.proc.stdin, request)  # type: ignore[arg-type]
            while True:
                now = time.monotonic()
                if now >= deadline:
                    raise Deadline()
                ready, _, _ = select.select([fd], [], [], min(POLL, deadline - now))
                if ready:
                    header, body = read_frame_fd(fd, deadline)
                    break
                rss = rss_bytes(w.pid)
                if self.memory_limit and rss - w.base > self.memory_limit:
                    self._end(w, promoted, lent)
                    self.stats["memory"] += 1
                    return Reply(503, MEMORY_MESSAGE.format(limit=gb(self.memory_limit)).encode())
                if lendable:
                    if not lent and time.monotonic() >= slow_at:
                        lent = self._lend()
                elif not promoted and time.monotonic() >= slow_at:
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
        except Deadline:
            self._end(w, promoted, lent)
            self.stats["timeout"] += 1
            return Reply(503, (f"Query timeout: the query ran longer than this endpoint's limit of {timeout:g} s and was "
                               "stopped. Narrow it down (more specific patterns, a LIMIT), or start the endpoint with a "
                               "longer --timeout.").encode())
        except (EOFError, OSError, ValueError, struct.error) as e:
            code = w.proc.wait()
            self._end(w, promoted, lent)
            if self.memory_limit and (code == -signal.SIGABRT or (code < 0 and rss - w.base > self.memory_limit // 2)):
                # Oxigraph aborts when an allocation fails (the worker's RLIMIT_AS); the kernel's
                # OOM killer sends SIGKILL to a worker that was growing
                self.stats["memory"] += 1
                return Reply(503, MEMORY_MESSAGE.format(limit=gb(self.memory_limit)).encode())
            return Reply(500, short_message(f"The query worker failed: {e}").encode())
        if header.get("retire"):
            self._end(w, promoted, lent)
        elif lent:
            self._spares.put(w)  # warm, at its priority: the spare that took its place now
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

    def _promote(self, w: Worker) -> bool:
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

    def _lend(self) -> bool:
        """Move a ready spare to the quick lane while a long explorer request keeps its worker
        (which becomes a spare when it ends); False, and nothing started, when no spare is ready."""
        while True:
            try:
                spare = self._spares.get_nowait()
            except queue.Empty:
                return False
            if spare.proc.poll() is None:
                self._idle.put(spare)
                self.stats["lent"] += 1
                return True
            self._drop(spare)
            if not self._closing:
                self._requests.put("spare")

    def _end(self, w: Worker, promoted: bool, lent: bool) -> None:
        """Stop a worker whose request failed or asked it to retire: a lent one is replaced by a
        new spare (a spare already took its place), any other as :meth:`_retire` replaces it."""
        if lent:
            self._drop(w)
            if not self._closing:
                self._requests.put("spare")
        else:
            self._retire(w, promoted)

    def _retire(self, w: Worker, promoted: bool) -> None:
        """Stop a worker; a quick-lane worker is replaced, a slow-lane one already was."""
        if promoted:
            self._drop(w)
            with self._lock:
                self.slow -= 1
        else:
            self._replace(w)

    def close(self) -> None:
        """Stop every worker and the thread that starts them."""
        self._closing = True
        self._requests.put(None)
        with self._lock:
            workers = list(self._workers)
        for w in workers:
            self._drop(w)
        self._spawner.join(timeout=5)
