"""The embedded store: an Oxigraph store (on disk or in memory) behind repnet's read interface.

:class:`EmbeddedStore` shows only the graphs a reader may see (PUBLIC ones unless opened with
restricted graphs) and builds each query's dataset with :func:`read_dataset` (the union of the
sources by default; a chosen source brings its own derived view). Directory layout, generations
and the atomic swap of a build live in :mod:`repnet.graph.store.layout`.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, PREFIXES
from ..iris import is_source_view
from ..terms import solutions
from .readahead import Read, ReadAhead, tsv_lines

PUBLIC = str(ACCESS.PUBLIC)


_PUBLIC_GRAPHS = f"""
SELECT DISTINCT ?g WHERE {{ GRAPH ?meta {{ ?g <http://purl.org/dc/terms/accessRights> <{PUBLIC}> }}
  FILTER(STRENDS(STR(?meta), "/graph/meta")) }}"""


def read_dataset(visible: list[str], graphs: list[str] | None, named: list[str] | None,
                 union: bool = True) -> tuple[list[str] | None, list[str]]:
    """The default graph (None: the store's own, empty default graph) and the named graphs of a read.

    By default both are every visible graph except the per-source views of derived data (which
    repeat, source by source, what ``<base>graph/derived`` holds for all sources). ``graphs``
    (``--source``, FROM) chooses the default graph, and the named graphs too unless ``named`` is
    given: a question about one source sees that source's statements only, under ``GRAPH ?g`` as
    well. Choosing a source graph brings in its own derived view.
    """
    seen = set(visible)
    everything = [g for g in visible if not is_source_view(g)]
    if graphs is not None:
        chosen = [g for g in graphs if g in seen]
        views = [f"{g}/derived" for g in chosen if f"{g}/derived" in seen and f"{g}/derived" not in chosen]
        default: list[str] | None = chosen + views
    else:
        default = everything if union else None
    if named is not None:
        named_graphs = [g for g in named if g in seen]
    else:
        named_graphs = default if graphs is not None and default is not None else everything
    return default, named_graphs


class EmbeddedStore:
    """An Oxigraph store (on disk or in memory) behind repnet's store interface.

    With ``public_only`` (what :func:`open_store` gives by default) every read sees only the graphs
    the metadata graph lists as PUBLIC: a whitelist, so a graph without an access statement, and
    every restricted graph, stays invisible to queries, exports, the endpoint and analyses.
    """

    def __init__(self, store: ox.Store, location: Path | None = None, public_only: bool = False,
                 generation: Path | None = None):
        self._store = store
        self.location = location  # the store's root directory (None in memory)
        self.generation = generation  # the directory of the open generation, which holds its indexes
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
                rows = solutions(self._store.query(_PUBLIC_GRAPHS))
                self._visible = sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))
                meta = [g.value for g in self._store.named_graphs() if g.value.endswith("/graph/meta")]
                self._visible = sorted(set(self._visible) | set(meta))
            else:
                self._visible = sorted(g.value for g in self._store.named_graphs())
        return self._visible

    def query(self, sparql: str, *, union: bool = True, substitutions: dict[str, Any] | None = None,
              graphs: list[str] | None = None, named: list[str] | None = None) -> Any:
        """Run a SPARQL query. By default the default graph is the union of all visible named graphs.

        ``graphs`` makes the default graph the union of those graphs, ``named`` limits GRAPH ?g to
        those; both are cut down to the visible graphs.
        """
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}
        default, named_graphs = read_dataset(self.visible_graphs(), graphs, named, union)
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default] if default is not None else ox.DefaultGraph()
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        return self._store.query(sparql, **kwargs)

    def select_tsv(self, sparql: str, *, graphs: list[str] | None = None) -> list[str]:
        """A SELECT's rows as lines of SPARQL TSV results, without the header: cells tab-separated,
        each read with :func:`repnet.graph.terms.from_tsv`.

        Oxigraph evaluates the query and writes the rows itself, so a row costs Python one split
        instead of a term object per cell. ``graphs`` is that of :meth:`query`."""
        return tsv_lines(self.query(sparql, graphs=graphs).serialize(format=ox.QueryResultsFormat.TSV))

    def read_ahead(self, reads: Sequence[tuple[str, list[str] | None]], workers: int = 2,
                   min_bytes: int = 0) -> ReadAhead | None:
        """Start ``workers`` processes that evaluate ``reads`` (SPARQL, ``graphs`` as for
        :meth:`select_tsv`) in turn on this generation, opened read-only; read number i's rows
        with ``.lines(i)`` (:class:`~repnet.graph.store.readahead.ReadAhead`: the same lines
        :meth:`select_tsv` gives). None for a store in memory (no other process can open it), for
        a generation smaller than ``min_bytes`` on disk (starting a worker costs about 0.3 s),
        and where the workers' pipes cannot be waited on (Windows)."""
        if self.generation is None or sys.platform == "win32" or not sys.executable:
            return None
        if min_bytes and sum(e.stat().st_size for e in os.scandir(self.generation) if e.is_file()) < min_bytes:
            return None
        visible = self.visible_graphs()
        planned: list[Read] = []
        for sparql, graphs in reads:
            default, named = read_dataset(visible, graphs, None)
            planned.append((sparql, default, named))
        return ReadAhead(self.generation, planned, PREFIXES, workers)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one visible graph, or of all visible graphs (the default graph is never used)."""
        graphs = [graph] if graph else self.visible_graphs()
        for g in graphs:
            if g in set(self.visible_graphs()):
                yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))

    def named_graphs(self) -> list[str]:
        return list(self.visible_graphs())

    def dump_graph(self, graph: str, output: IO[bytes], format: ox.RdfFormat,
                   prefixes: dict[str, str] | None = None) -> None:
        """Oxigraph's own serialization of one visible graph's triples (no quad passes through Python)."""
        if graph not in set(self.visible_graphs()):
            raise KeyError(graph)
        self._store.dump(output, format, from_graph=ox.NamedNode(graph), prefixes=prefixes)

    def graph_sizes(self) -> dict[str, int]:
        """Visible graph -> its number of triples, counted inside Oxigraph."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False,
                          named=self.visible_graphs())
        return {r["g"].value: int(r["n"].value) for r in rows}

    def __len__(self) -> int:
        if not self.public_only:
            return len(self._store)
        # counted inside Oxigraph: iterating millions of quads in Python takes minutes
        return sum(self.graph_sizes().values())

    def close(self) -> None:
        """Drop the backend handle so RocksDB releases its lock: at once when nothing else holds
        the handle, else by a collection (a result or a traceback in a reference cycle may hold
        it). A full collection beside a build's records took 1 s at 100,000 persons."""
        store, self._store = self._store, None  # type: ignore[assignment]
        if sys.getrefcount(store) > 2:  # more than this name and the call's argument
            del store
            gc.collect()


def memory_store(quads: Iterable[ox.Quad] = (), public_only: bool = False) -> EmbeddedStore:
    """An in-memory store (for tests and `validate`); everything visible unless ``public_only``."""
    s = ox.Store()
    s.bulk_extend(quads)
    return EmbeddedStore(s, public_only=public_only)
