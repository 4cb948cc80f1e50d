"""The frames the server and its query workers exchange over a pipe: a 4-byte length and a JSON
header, then an 8-byte length and the body bytes.

Hand-written because the two sides need different reads: the worker blocks on its stdin
(:func:`read_frame`), while the server must never wait past a query's deadline
(:func:`read_frame_fd` raises :class:`Deadline`, and the pool then kills the worker). The server
sends a request header (``query`` or ``saved`` or ``page`` with the request's parameters, no
body); the worker answers with ``status``, ``type``, ``rows``, ``truncated`` (``retire`` when it
must be replaced) and the body.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import IO, Any


class Deadline(Exception):
    """The worker did not answer before the deadline."""


def write_frame(fp: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    """Write one frame and flush it."""
    h = json.dumps(header).encode("utf-8")
    fp.write(struct.pack(">I", len(h)) + h + struct.pack(">Q", len(body)))
    fp.write(body)
    fp.flush()


def read_exact(fp: IO[bytes], n: int) -> bytes | None:
    """Exactly ``n`` bytes from a blocking file, or None at its end."""
    buf = b""
    while len(buf) < n:
        chunk = fp.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_frame(fp: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    """One frame from a blocking file (the worker's stdin), or None when the other side closed it."""
    raw = read_exact(fp, 4)
    if raw is None:
        return None
    h = read_exact(fp, struct.unpack(">I", raw)[0])
    n = read_exact(fp, 8)
    if h is None or n is None:
        return None
    body = read_exact(fp, struct.unpack(">Q", n)[0])
    if body is None:
        return None
    return json.loads(h), body


def read_fd(fd: int, n: int, deadline: float) -> bytes:
    """Exactly n bytes from a pipe, or :class:`Deadline` / EOFError."""
    chunks, got = [], 0
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Deadline()
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise Deadline()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the query worker exited")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame_fd(fd: int, deadline: float) -> tuple[dict[str, Any], bytes]:
    """One frame from a pipe, read by ``deadline`` (a ``time.monotonic()`` value) or :class:`Deadline`."""
    h = read_fd(fd, struct.unpack(">I", read_fd(fd, 4, deadline))[0], deadline)
    n = struct.unpack(">Q", read_fd(fd, 8, deadline))[0]
    return json.loads(h), read_fd(fd, n, deadline)
