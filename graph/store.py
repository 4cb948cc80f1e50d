"""The triple store: the one module that knows the backend.

The default is an embedded, persistent Oxigraph store in a directory. A build never writes into
the store that queries read: it fills a new generation next to it, validates it there, and only
then points ``current`` at it with an atomic rename, so a failed or interrupted build leaves the
previous store usable. Layout::

    STORE/current -> gen-20261125T231500.123456-4242   (symlink, swapped atomically)
    STORE/gen-20261125T231500.123456-4242/             (an Oxigraph RocksDB directory)
    STORE/gen-...-4243.partial/                          (a build in progress or one that died)
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..ontology.namespaces import PREFIXES
from .errors import StoreError

CURRENT = "current"
Progress = Callable[[str, int], None]


def default_location() -> Path:
    """``$XDG_DATA_HOME/repnet/store`` (``~/.local/share/repnet/store`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "repnet" / "store"


def resolve(spec: str | os.PathLike[str] | None) -> Path:
    """A store spec (a directory; None for the default) -> its directory."""
    if spec is None or str(spec) == "":
        return default_location()
    s = str(spec)
    if s.startswith(("http://", "https://")):
        raise StoreError(f"'{s}' is a SPARQL endpoint; remote stores are not supported yet.\n"
                         "Use a directory for --store (or unset REPNET_STORE) to use the embedded store.")
    return Path(s).expanduser()


PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"

_PUBLIC_GRAPHS = f"""
SELECT DISTINCT ?g WHERE {{ GRAPH ?meta {{ ?g <http://purl.org/dc/terms/accessRights> <{PUBLIC}> }}
  FILTER(STRENDS(STR(?meta), "/graph/meta")) }}"""


class EmbeddedStore:
    """An Oxigraph store (on disk or in memory) behind repnet's store interface.

    With ``public_only`` (what :func:`open_store` gives by default) every read sees only the graphs
    the metadata graph lists as PUBLIC: a whitelist, so a graph without an access statement, and
    every restricted graph, stays invisible to queries, exports, the endpoint and analyses.
    """

    def __init__(self, store: ox.Store, location: Path | None = None, public_only: bool = False):
        self._store = store
        self.location = location
        self.public_only = public_only
        self._visible: list[str] | None = None

    @property
    def oxigraph(self) -> ox.Store:
        """The backend store, unfiltered: for the build and for tests only."""
        return self._store

    def visible_graphs(self) -> list[str]:
        """The named graphs reads may see (all of them unless public_only)."""
        if self._visible is None:
            if self.public_only:
                rows = self._store.query(_PUBLIC_GRAPHS)
                self._visible = sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))
                meta = [g.value for g in self._store.named_graphs() if g.value.endswith("/graph/meta")]
                self._visible = sorted(set(self._visible) | set(meta))
            else:
                self._visible = sorted(g.value for g in self._store.named_graphs())
        return self._visible

    def query(self, sparql: str, *, union: bool = True, substitutions: dict[str, Any] | None = None,
              graphs: list[str] | None = None) -> Any:
        """Run a SPARQL query. By default the default graph is the union of all visible named graphs."""
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}
        if self.public_only:
            visible = self.visible_graphs()
            chosen = [g for g in graphs if g in set(visible)] if graphs is not None else visible
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in visible]
            kwargs["default_graph"] = [ox.NamedNode(g) for g in chosen] if (union or graphs is not None) else ox.DefaultGraph()
        elif graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in graphs]
        elif union:
            kwargs["use_default_graph_as_union"] = True
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        return self._store.query(sparql, **kwargs)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one visible graph, or of all visible graphs (the default graph is never used)."""
        graphs = [graph] if graph else self.visible_graphs()
        for g in graphs:
            if g in set(self.visible_graphs()):
                yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))

    def named_graphs(self) -> list[str]:
        return list(self.visible_graphs())

    def __len__(self) -> int:
        if not self.public_only:
            return len(self._store)
        return sum(1 for _ in self.quads())

    def close(self) -> None:
        """Drop the backend handle so RocksDB releases its lock."""
        self._store = None  # type: ignore[assignment]
        gc.collect()


def memory_store(quads: Iterable[ox.Quad] = (), public_only: bool = False) -> EmbeddedStore:
    """An in-memory store (for tests and `validate`); everything visible unless ``public_only``."""
    s = ox.Store()
    s.bulk_extend(quads)
    return EmbeddedStore(s, public_only=public_only)


def current_path(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def open_store(spec: str | os.PathLike[str] | None = None, include_restricted: bool = False) -> EmbeddedStore:
    """Open the current generation of a built store, read-only; public graphs only unless asked."""
    root = resolve(spec)
    path = current_path(root)
    if path is None:
        raise StoreError(f"no store at {root}.\nRun `repnet build` first (or point --store / REPNET_STORE at a built store).")
    try:
        return EmbeddedStore(ox.Store.read_only(str(path)), root, public_only=not include_restricted)
    except OSError as e:
        raise StoreError(f"cannot open the store at {path}: {e}.\nRebuild it with `repnet build`.") from e


@dataclass
class Loaded:
    quads: int
    seconds: float


def _counting(quads: Iterable[ox.Quad], progress: Progress | None, counter: list[int]) -> Iterator[ox.Quad]:
    n = 0
    for q in quads:
        n += 1
        if progress and n % 250_000 == 0:
            progress("loaded", n)
        yield q
    counter[0] = n


def replace_store(spec: str | os.PathLike[str] | None, quads: Iterable[ox.Quad],
                  check: Callable[[EmbeddedStore], None] | None = None,
                  progress: Progress | None = None) -> Loaded:
    """Load ``quads`` into a new generation, run ``check`` on it, then swap it in.

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
    t0 = time.perf_counter()
    counter = [0]
    store: EmbeddedStore | None = None
    try:
        store = EmbeddedStore(ox.Store(str(staging)), root)
        store.oxigraph.bulk_extend(_counting(quads, progress, counter))
        store.oxigraph.flush()
        if check is not None:
            check(store)
        store.oxigraph.optimize()
    except BaseException:
        if store is not None:
            store.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    store.close()
    final = root / name
    os.replace(staging, final)
    tmp_link = root / f".{CURRENT}-{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(name, tmp_link)
    os.replace(tmp_link, root / CURRENT)
    _remove_old(root, keep=name)
    return Loaded(quads=counter[0], seconds=time.perf_counter() - t0)


def _remove_old(root: Path, keep: str) -> None:
    for p in root.iterdir():
        if p.name.startswith("gen-") and p.name != keep and p.is_dir():
            if p.name.endswith(".partial"):
                pid = p.name.rsplit("-", 1)[-1].removesuffix(".partial")
                if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
                    continue  # another build is still writing it
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
