"""SELECTs read ahead by worker processes on the same store generation, taken in the order planned.

Why: on disk, Oxigraph spends about 6 µs a row turning its stored ids back into IRIs and literals,
on the thread that reads. A reader that joins rows in Python (the projection to NetworkX reads
about 840 SELECTs and 2.1M rows at 100,000 persons) can have other processes evaluate the next
SELECTs while it joins the last one: each worker opens the generation read-only
(``pyoxigraph.Store.read_only``, which a store opened read-only elsewhere allows) and writes each
answer as SPARQL TSV results. Threads in the same process were tried first (the projection has to
wait for reads) and dropped: what their reads allocated stayed in their own malloc heaps and took
the analysis step's peak from 1.7 GB to 2.1 GB. A worker's memory goes with the worker.

How: the planned reads are numbered and the numbers written into one pipe before the workers
start; each worker takes the next number from it (a 4-byte read from a pipe is atomic, so every
read goes to one worker, in plan order), evaluates it, and writes ``(number, length, TSV bytes)``
to its stdout. The caller asks for reads by number (:meth:`ReadAhead.lines`); whatever a worker
sends before it is asked for is kept until then. A worker's answers wait in the worker until the
caller reads them (a thread writes them), so the workers go on reading while the caller joins;
each stops taking reads while :data:`AHEAD_BYTES` of its answers wait.

If a worker fails (its error is printed on stderr), the reads it had taken answer ``None`` and the
caller reads them itself: read-ahead changes when a read is evaluated, never what it returns.
"""

from __future__ import annotations

import collections
import json
import os
import select
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

import pyoxigraph as ox

_NUMBER = struct.Struct("<I")  # a read's number in the job pipe
_FRAME = struct.Struct("<IQ")  # an answer's number and byte length, before its TSV bytes
_PIPE_BYTES = 1 << 20  # what a pipe is widened to hold, where Linux allows
AHEAD_BYTES = 64 << 20  # a worker stops taking reads while this much of its answers waits for the caller

Read = tuple[str, list[str] | None, list[str]]  # SPARQL, default graph (None: the store's own), named graphs


def _widen(fd: int) -> None:
    """Let a pipe hold 1 MiB instead of 64 KiB where Linux allows (fewer wake-ups per answer)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass


def tsv_lines(data: bytes | bytearray) -> list[str]:
    """SPARQL TSV results -> their rows as lines, without the header line.

    >>> tsv_lines(b"?s\\t?o\\n<a>\\t<b>\\n<c>\\t\\"d\\"\\n")
    ['<a>\\t<b>', '<c>\\t"d"']
    """
    return data.decode().split("\n")[1:-1]


def evaluate(store: ox.Store, read: Read, prefixes: dict[str, str]) -> bytes:
    """One read's answer as SPARQL TSV results (header line included)."""
    sparql, default, named = read
    result = store.query(sparql, prefixes=prefixes,
                         default_graph=[ox.NamedNode(g) for g in default] if default is not None else ox.DefaultGraph(),
                         named_graphs=[ox.NamedNode(g) for g in named])
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError(f"not a SELECT: {sparql[:80]}")
    data = result.serialize(format=ox.QueryResultsFormat.TSV)
    assert data is not None  # serialize returns the bytes when given no output
    return data


@dataclass
class _Incoming:
    """What one worker is sending: a frame's header, then its answer."""

    head: bytearray = field(default_factory=bytearray)
    number: int = -1
    body: bytearray | None = None
    filled: int = 0


class ReadAhead:
    """Workers reading ``reads`` on the store generation at ``generation``; a context manager.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> s = ox.Store(d); s.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://p"), ox.Literal("x"),
    ...                                      ox.NamedNode("http://g"))); s.flush(); del s
    >>> scan = ("SELECT ?s ?o WHERE { ?s <http://p> ?o }", ["http://g"], [])
    >>> with ReadAhead(d, [scan, scan], {}, workers=2) as ahead:
    ...     ahead.lines(1), ahead.lines(0)
    (['<http://a>\\t"x"'], ['<http://a>\\t"x"'])
    """

    def __init__(self, generation: str | os.PathLike[str], reads: Sequence[Read], prefixes: dict[str, str],
                 workers: int = 2):
        self.count = len(reads)
        self.queued = 0  # reads 0 .. queued - 1 are read ahead; the caller reads later ones itself
        self.answers: dict[int, bytearray] = {}  # sent before they were asked for
        self.incoming: dict[int, _Incoming] = {}  # a running worker's stdout -> what it is sending
        self.procs: list[subprocess.Popen[bytes]] = []
        spec = json.dumps({"generation": str(generation), "prefixes": prefixes, "reads": list(reads),
                           "parent": os.getpid()}).encode()
        numbers = b"".join(_NUMBER.pack(i) for i in range(len(reads)))
        take, give = os.pipe()
        try:
            # the numbers are all in the pipe before a worker reads: as many as it holds (64 KiB,
            # 16,384 reads; 1 MiB where Linux allows), never waiting for a worker to take some
            _widen(give)
            os.set_blocking(give, False)
            try:
                self.queued = os.write(give, numbers) // _NUMBER.size
            except BlockingIOError:
                self.queued = 0
        finally:
            os.close(give)
        if not self.queued:
            os.close(take)
            return
        # the workers import this module from where this process found it (as multiprocessing's spawn does)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            for _ in range(max(1, workers)):
                self.procs.append(subprocess.Popen([sys.executable, "-c", f"from {__name__} import main; main()", str(take)],
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(take,), env=env))
            for proc in self.procs:  # started first: they import while the first one is written to
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(spec)
                proc.stdin.close()
                self.incoming[proc.stdout.fileno()] = _Incoming()
                _widen(proc.stdout.fileno())
        except BaseException:
            self.close()
            raise
        finally:
            os.close(take)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lines(self, number: int) -> list[str] | None:
        """The rows of read ``number`` (:func:`tsv_lines`), waiting for them if need be; None when
        it was not queued (more reads than the pipe holds) or the worker that took it failed:
        read it yourself. Each read can be taken once."""
        if not 0 <= number < self.count:
            raise IndexError(number)
        if number >= self.queued:
            return None
        while number not in self.answers:
            if not self.incoming:  # every worker has ended
                return None
            ready, _, _ = select.select(list(self.incoming), [], [])
            for fd in ready:
                self._receive(fd)
        return tsv_lines(self.answers.pop(number))

    def _receive(self, fd: int) -> None:
        """Read what one worker has sent: more of the next frame's header, or more of its answer,
        read straight into a buffer of the answer's size (no copies: a projection's largest
        answer is 35 MB at 100,000 persons)."""
        incoming = self.incoming[fd]
        if incoming.body is None:
            header = os.read(fd, _FRAME.size - len(incoming.head))
            got = len(header)
            incoming.head += header
            if len(incoming.head) == _FRAME.size:
                incoming.number, size = _FRAME.unpack(incoming.head)
                incoming.head.clear()
                incoming.body, incoming.filled = bytearray(size), 0
        else:
            got = os.readv(fd, [memoryview(incoming.body)[incoming.filled:]])
            incoming.filled += got
        if not got:  # the worker ended: its answers are all in, or it failed (the caller reads the rest)
            del self.incoming[fd]
        elif incoming.body is not None and incoming.filled == len(incoming.body):
            self.answers[incoming.number] = incoming.body
            incoming.body = None

    def close(self) -> None:
        """Stop the workers (those still reading are killed) and drop answers not asked for."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self.procs, self.incoming, self.answers = [], {}, {}


def _work(take: int, spec: dict[str, object], out: IO[bytes]) -> None:  # pragma: no cover - a worker
    """Evaluate the reads whose numbers this worker takes from the pipe ``take``, in turn. A thread
    writes the answers, so the worker goes on reading while the caller has not yet taken the
    last ones, up to :data:`AHEAD_BYTES` of them."""
    store = ox.Store.read_only(str(spec["generation"]))
    reads: list[Read] = spec["reads"]  # type: ignore[assignment]
    prefixes: dict[str, str] = spec["prefixes"]  # type: ignore[assignment]
    pending: collections.deque[tuple[int, bytes] | None] = collections.deque()
    held = [0]  # bytes evaluated and not yet written
    ready = threading.Condition()
    failed: list[BaseException] = []

    def write() -> None:
        try:
            while True:
                with ready:
                    ready.wait_for(lambda: bool(pending))
                    item = pending.popleft()
                if item is None:
                    return
                out.write(_FRAME.pack(item[0], len(item[1])))
                out.write(item[1])
                out.flush()
                with ready:
                    held[0] -= len(item[1])
                    ready.notify_all()
        except BaseException as e:  # the caller stopped reading (BrokenPipeError), or worse
            failed.append(e)
            with ready:
                held[0] = -1
                ready.notify_all()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    while len(got := os.read(take, _NUMBER.size)) == _NUMBER.size:
        (number,) = _NUMBER.unpack(got)
        data = evaluate(store, reads[number], prefixes)
        with ready:
            ready.wait_for(lambda: held[0] < AHEAD_BYTES)
            if held[0] < 0:
                break
            held[0] += len(data)
            pending.append((number, data))
            ready.notify_all()
    with ready:
        pending.append(None)
        ready.notify_all()
    writer.join()
    if failed:
        raise failed[0]


def main() -> None:  # pragma: no cover - runs in the workers
    """A worker: ``python -c "from repnet.graph.store.readahead import main; main()" FD`` with the
    JSON spec on stdin."""
    from ..runtime import end_with_parent

    spec = json.loads(sys.stdin.buffer.read())
    end_with_parent(int(spec["parent"]))
    try:
        _work(int(sys.argv[1]), spec, sys.stdout.buffer)
    except BrokenPipeError:  # the caller stopped reading: nothing left to do
        os._exit(0)
