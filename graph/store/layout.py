"""Generations of an embedded store on disk: build into a new one, swap it in atomically.

The default is an embedded, persistent Oxigraph store in a directory. A build never writes into
the store that queries read: it fills a new generation next to it, validates it there, and only
then points ``current`` at it with an atomic rename, so a failed or interrupted build leaves the
previous store usable. Layout::

    STORE/current -> gen-20261125T231500.123456-4242   (symlink, swapped atomically)
    STORE/gen-20261125T231500.123456-4242/             (an Oxigraph RocksDB directory)
    STORE/gen-...-4243.partial/                          (a build in progress or one that died)
    STORE/.build-gen-...-4243.lock                       (held by the build while it runs: flock + pid)

A build holds an exclusive ``flock`` on its lock file from before it creates its generation until
after the swap. A generation that is not current and whose lock nobody holds was left by a build
that died (``kill -9``, a power cut): :func:`remove_stale` deletes it, with its lock file, when the
next build starts and whenever the store is opened. The kernel drops a dead process's locks, so
this never mistakes a running build for a dead one, even when pids are reused.
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from ..formats import nquads_text
from ..progress import Progress
from .embedded import EmbeddedStore

CURRENT = "current"


def default_location() -> Path:
    """``$XDG_DATA_HOME/repnet/store`` (``~/.local/share/repnet/store`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "repnet" / "store"


def is_remote(spec: str | os.PathLike[str] | None) -> bool:
    """True for a store spec that is a SPARQL endpoint URL (http:// or https://)."""
    return spec is not None and str(spec).startswith(("http://", "https://"))


def no_store(root: object) -> StoreError:
    """The error for a store directory with no built generation, and what to do."""
    return StoreError(f"no store at {root}.\nBuild one first (`repnet build`, or repnet.build(store=...)), or open a "
                      f"built store (the store argument; --store or REPNET_STORE in the CLI).")


def resolve(spec: str | os.PathLike[str] | None) -> Path:
    """A store spec (a directory; None for the default) -> its directory."""
    if spec is None or str(spec) == "":
        return default_location()
    s = str(spec)
    if is_remote(s):
        raise StoreError(f"'{s}' is a SPARQL endpoint, and this command needs a local store directory.\n"
                         f"Build into a directory (repnet --store DIR build) and upload it with `repnet push {s}`; "
                         "query, stats, export and describe also work with --store URL.")
    return Path(s).expanduser()


def current_path(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


LOCK_PREFIX = ".build-"


def _lock_path(root: Path, generation: str) -> Path:
    return root / f"{LOCK_PREFIX}{generation.removesuffix('.partial')}.lock"


def _held(lock: Path) -> bool:
    """True while a live process holds ``lock`` (an flock taken by a running build)."""
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return False


def remove_stale(root: Path) -> list[str]:
    """Delete what interrupted builds left in the store directory; the names removed.

    A ``gen-*`` directory other than the current one is stale unless a running build holds its lock.
    Directories from before lock files existed count as stale once the pid in their name is gone.
    Errors (a read-only store, a race with another cleaner) are ignored: this is housekeeping.
    """
    try:
        current = os.readlink(root / CURRENT) if (root / CURRENT).is_symlink() else None
        entries = list(root.iterdir())
    except OSError:
        return []
    removed = []
    # generations first, then the lock files and links they leave
    for p in sorted(entries, key=lambda p: not p.name.startswith("gen-")):
        name = p.name
        if name.startswith("gen-") and name != current:
            lock = _lock_path(root, name)
            if lock.exists():
                if _held(lock):
                    continue
            elif name.endswith(".partial"):
                pid = name.rsplit("-", 1)[-1].removesuffix(".partial")
                if pid.isdigit() and _alive(int(pid)):
                    continue  # a build of an older repnet still writing it
            shutil.rmtree(p, ignore_errors=True)
            removed.append(name)
        elif name.startswith(f".{CURRENT}-") and p.is_symlink():  # a link a build died before swapping in
            pid = name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                try:
                    p.unlink()
                except OSError:
                    pass
        elif name.startswith(LOCK_PREFIX) and name.endswith(".lock"):
            gen = name[len(LOCK_PREFIX):-len(".lock")]
            if not (root / gen).exists() and not (root / f"{gen}.partial").exists() and not _held(p):
                try:
                    p.unlink()
                except OSError:
                    pass
    return removed


@dataclass
class Loaded:
    quads: int
    seconds: float  # in all: loading, checking, compacting, swapping in
    seconds_check: float = 0.0  # compacting and checking (a full build compacts before its checks), indexing beside them


# Quads per bulk-load call when loading quad objects: Oxigraph's bulk loader buffers up to a
# million quads per thread before writing, so smaller calls bound its memory.
LOAD_CHUNK = 100_000


def _chunks(quads: Iterable[ox.Quad]) -> Iterator[tuple[bytes, int]]:
    it = iter(quads)
    while chunk := list(itertools.islice(it, LOAD_CHUNK)):
        yield nquads_text(chunk)


def replace_store(spec: str | os.PathLike[str] | None, quads: Iterable[ox.Quad] = (),
                  check: Callable[[EmbeddedStore], None] | None = None,
                  progress: Progress | None = None,
                  nquads: Iterable[tuple[bytes, int]] | None = None,
                  derive: Callable[[EmbeddedStore], Iterable[tuple[bytes, int]]] | None = None,
                  index: Callable[[EmbeddedStore], None] | None = None,
                  seed: Path | None = None, update: Callable[[EmbeddedStore], int] | None = None) -> Loaded:
    """Load ``quads`` (or ``nquads``: batches of N-Quads text and their quad counts, as
    :meth:`Dataset.nquads_batches` gives) into a new generation, add what ``derive`` computes from
    it (batches of the same kind), write the generation's indexes with ``index`` (files in the
    generation's directory, given as the store's ``generation``), run ``check`` on it, then swap
    it in.

    With ``seed`` (a generation directory) the new generation starts as a copy of it (a RocksDB
    checkpoint: hard links to its files, taken in milliseconds) and ``update`` edits it in place,
    returning the number of quads the generation then holds; it is not compacted afterwards.

    If loading or ``check`` raises (or the process dies), the previous generation stays current
    and the partial one is removed (now, or by the next build).
    """
    root = resolve(spec)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create the store directory {root}: {e.strerror}.\n"
                         "Choose a writable place with --store DIR or REPNET_STORE.") from e
    if (root / CURRENT).exists() and not (root / CURRENT).is_symlink():
        raise StoreError(f"{root / CURRENT} is not a repnet store link.\nGive --store an empty or repnet-made directory.")
    now = time.time()
    name = f"gen-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}.{int(now * 1e6) % 1_000_000:06d}-{os.getpid()}"
    if (root / name).exists():  # two builds in the same microsecond of one process
        raise StoreError(f"{root / name} already exists; run the build again.")
    staging = root / f"{name}.partial"
    lock_fd = _take_lock(root, name)  # held until this function returns (or the process dies)
    remove_stale(root)
    t0 = time.perf_counter()
    loaded = 0
    store: EmbeddedStore | None = None
    try:
        if seed is not None:
            ox.Store.read_only(str(seed)).backup(str(staging))
        store = EmbeddedStore(ox.Store(str(staging)), root, generation=staging)
        if update is not None:
            loaded = update(store)
        for data, n in nquads if nquads is not None else _chunks(quads):
            # parsed and loaded by Oxigraph without holding the GIL
            store.oxigraph.bulk_load(input=data, format=ox.RdfFormat.N_QUADS, lenient=True)
            loaded += n
            if progress:
                progress("loaded", loaded)
        if derive is not None:
            if progress:
                progress("deriving", loaded)
            loaded += _load_while_computing(store, derive(store))
        store.oxigraph.flush()
        if index is not None and progress:
            progress("indexing", loaded)
        t_check = time.perf_counter()
        # A new generation is compacted before the checks read it (an edited copy, from ``seed``,
        # is not): at 100,000 persons the checks took 21.3 CPU s (11.0 s) on the generation as
        # the loads left it and 12.4 CPU s (6.6 s) after this call (5.9 s). Compacted once, so
        # readers get it compacted too: a dump of a generation left as the loads and background
        # compaction left it took 58.7 s, and 39.8 s after.
        _index_while_checking(store, index, check if seed is not None else functools.partial(_compacted_then, check))
        t_check = time.perf_counter() - t_check
        store.close()
        final = root / name
        os.replace(staging, final)
        tmp_link = root / f".{CURRENT}-{os.getpid()}"
        if tmp_link.is_symlink():
            tmp_link.unlink()
        os.symlink(name, tmp_link)
        os.replace(tmp_link, root / CURRENT)
    except BaseException:
        if store is not None:
            store.close()
        shutil.rmtree(staging, ignore_errors=True)
        _release_lock(root, name, lock_fd)
        raise
    remove_stale(root)  # the previous generation, and anything interrupted builds left
    _release_lock(root, name, lock_fd)
    return Loaded(quads=loaded, seconds=time.perf_counter() - t0, seconds_check=t_check)


def _load_while_computing(store: EmbeddedStore, batches: Iterable[tuple[bytes, int]]) -> int:
    """Bulk-load each batch on a thread while the next one is computed here, and return how many
    quads were loaded. Deriving is Python and loading is Oxigraph, which releases the GIL: at
    100,000 persons the derived quads took 84.7 s one after the other and 61.2 s this way. A
    failure on either side waits for the load under way, then raises."""
    from concurrent.futures import Future, ThreadPoolExecutor

    loaded = 0
    with ThreadPoolExecutor(1, thread_name_prefix="repnet-load") as pool:
        pending: Future[None] | None = None
        for data, n in batches:
            if pending is not None:
                pending.result()
            pending = pool.submit(store.oxigraph.bulk_load, input=data, format=ox.RdfFormat.N_QUADS, lenient=True)
            loaded += n
        if pending is not None:
            pending.result()
    return loaded


def _compacted_then(check: Callable[[EmbeddedStore], None] | None, store: EmbeddedStore) -> None:
    """Compact ``store``, then run ``check`` (if any) on it."""
    store.oxigraph.optimize()
    if check is not None:
        check(store)


def _index_while_checking(store: EmbeddedStore, index: Callable[[EmbeddedStore], None] | None,
                          check: Callable[[EmbeddedStore], None] | None) -> None:
    """``index`` on a thread while ``check`` runs here: the index is mostly Python and the checks
    mostly Oxigraph queries, which release the GIL (indexing and the checks took 5.5 s and 9.7 s
    one after the other in an incremental build at 100,000 persons). Both only read the store; a
    failed check waits for the index before the caller removes the generation."""
    if index is None or check is None:
        for step in (index, check):
            if step is not None:
                step(store)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="repnet-index") as pool:  # leaving it waits for the index
        indexed = pool.submit(index, store)
        check(store)
    indexed.result()


def _take_lock(root: Path, name: str) -> int:
    lock = _lock_path(root, name)
    for _ in range(100):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            raise StoreError(f"cannot lock {lock}: {e.strerror}.\nCheck that the store directory is writable.") from e
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                os.write(fd, f"{os.getpid()}\n".encode())
                return fd
        except OSError:
            pass
        os.close(fd)  # a cleaner removed the file between open and flock: take a fresh one
    raise StoreError(f"cannot lock {lock}.\nRun the build again.")


def _release_lock(root: Path, name: str, fd: int) -> None:
    try:
        _lock_path(root, name).unlink()
    except OSError:
        pass
    os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
