"""Output files written whole or not at all: the one home for writing what a command produces.

Every output (exports, pages, pictures, tables) goes to a temporary file in the target's directory
and is renamed over the target only when complete, so a failure (a full disk, an interrupt, a bad
query) never leaves a partial file, and the previous file stays as it was. A path that cannot be
written (a missing directory, no permission, a read-only or virtual file system) is a
:class:`~repnet.graph.errors.UsageError` that names the path and the reason, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .errors import UsageError


def unwritable(path: str | os.PathLike[str], error: OSError) -> UsageError:
    """The error for an output path that cannot be written, with what to do."""
    reason = error.strerror or str(error)
    return UsageError(f"cannot write {os.fspath(path)}: {reason}. Choose a path in an existing directory you can "
                      f"write to (the file is written whole or not at all).")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success rename it to ``path``, on failure delete it.

    ``mode`` is "w" (text, UTF-8 unless ``encoding`` is given) or "wb".

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_output(target) as f:
    ...     _ = f.write("whole")
    >>> target.read_text()
    'whole'
    >>> try:
    ...     with atomic_output(target) as f:
    ...         _ = f.write("half")
    ...         raise RuntimeError("interrupted")
    ... except RuntimeError:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('whole', ['out.txt'])
    """
    target = Path(path)
    if "b" not in mode:
        open_args.setdefault("encoding", "utf-8")
    try:
        if target.is_dir():
            raise IsADirectoryError(21, "it is a directory")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent if str(target.parent) else ".")
    except OSError as e:
        raise unwritable(path, e) from None
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            yield f
        _keep_mode(tmp, target)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise unwritable(path, e) from None
        raise


def _keep_mode(tmp: str, target: Path) -> None:
    """Give the new file the mode an ordinary ``open(target, "w")`` would (mkstemp makes it 0600)."""
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_output(path) as f:
        f.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_output(path, "wb") as f:
        f.write(data)
    return Path(path)


def output_directory(path: str | os.PathLike[str]) -> Path:
    """An output directory, created if missing; a UsageError if it cannot be."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        if not os.access(p, os.W_OK):
            raise PermissionError(13, "permission denied")
    except OSError as e:
        raise unwritable(path, e) from None
    return p
