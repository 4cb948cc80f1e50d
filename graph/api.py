"""The library face of repnet: the few calls a researcher needs in a notebook.

>>> import repnet
>>> store = repnet.open("/tmp/belarus")                            # doctest: +SKIP
>>> rows = store.query("sentences")                                # doctest: +SKIP
>>> rows.columns[:3], rows[0]["years"]                             # doctest: +SKIP

* :func:`open` a built store (a directory, or an http(s) SPARQL endpoint) as a :class:`Store`;
* :meth:`Store.query` runs a saved query by name, a ``.rq`` file or SPARQL text, with parameters
  as keyword arguments, and gives :class:`Rows`: plain Python values (str, int, float, date,
  bool), never RDF terms or ``Decimal``; :meth:`Rows.to_pandas` when pandas is installed;
* :meth:`Store.network` the projected NetworkX graph (cached per store generation, like
  ``repnet analyze``); :meth:`Store.periods` each person's status over time;
* :func:`build` and :func:`validate` the sources; :meth:`Store.export` the linked data.

The analyses are functions of the network in :mod:`repnet.graph.network.analysis`. Every error is
a :class:`repnet.graph.errors.RepnetError` whose message names the argument to change.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import UsageError
from .store.base import Store as StoreBackend

PathLike = str | os.PathLike[str]


def plain(value: Any) -> Any:
    """A query value as plain Python: ``Decimal`` becomes int (when whole) or float; the rest stays.

    >>> plain(Decimal("4")), plain(Decimal("2.5")), plain("x")
    (4, 2.5, 'x')
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class Rows(list[dict[str, Any]]):
    """A query's rows (dicts from column to plain value), with the columns in order."""

    def __init__(self, columns: Sequence[str], rows: Iterable[dict[str, Any]]):
        super().__init__(rows)
        self.columns = list(columns)

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError:
            raise UsageError("to_pandas() needs pandas: pip install pandas") from None
        return pd.DataFrame(list(self), columns=self.columns)

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows; columns: {', '.join(self.columns)})"


class Store:
    """A built store, opened for reading (see :func:`open`).

    ``backend`` is the store object the rest of the library takes (anything that satisfies
    :class:`repnet.graph.store.base.Store`: ``EmbeddedStore`` or ``RemoteStore``), for calls this
    class does not wrap.
    """

    def __init__(self, backend: StoreBackend):
        self.backend = backend

    def __repr__(self) -> str:
        kind = "public graphs" if self.backend.public_only else "all graphs"
        return f"<repnet.Store {self.backend.location} ({kind})>"

    @property
    def location(self) -> Any:
        return self.backend.location

    def query(self, query: str, /, *, sources: Sequence[str] = (), **params: Any) -> Rows:
        """Run a saved query (by name), a ``.rq`` file or SPARQL text; parameters as keywords.

        ``sources`` restricts the query to those sources' graphs (source ids, as ``repnet query
        --source`` does). Parameter values may be str, date or int; names of persons and
        organizations are resolved as in the CLI (any label or name variant).
        """
        from .ask import query as q

        text, saved = _query_text(query, q)
        bound = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in params.items()}
        prepared = q.prepare(self.backend, text, bound, saved)
        graphs = q.source_graphs(self.backend, sources) if sources else None
        result = q.execute(self.backend, prepared, graphs)
        if prepared.form != "SELECT":
            raise UsageError(f"query() gives rows of a SELECT; this is {prepared.form}. Use "
                             f"store.backend.query(text) for the raw pyoxigraph result.")
        columns, rows = q.rows_of(result)
        return Rows(columns, ({c: plain(v) for c, v in r.items()} for r in rows))

    def saved_queries(self) -> dict[str, str]:
        """Name -> description of every saved query."""
        from .ask.query import saved_queries

        return {name: s.description for name, s in saved_queries().items()}

    def network(self, *, as_of: Any = None, classes: Sequence[str] | None = None,
                relations: Sequence[str] | None = None) -> Any:
        """The store projected into a NetworkX MultiDiGraph of entities (cached per generation).

        ``as_of`` (a date or "YYYY-MM-DD") keeps the relations that held that day; ``classes``
        and ``relations`` keep only those node classes and relations.
        """
        from .network.project import network

        return network(self.backend, classes=classes, relations=relations, as_of=as_of,
                       restricted=not self.backend.public_only)

    def periods(self, persons: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Each person's status periods (held, released, in exile) as computed at build, with sources."""
        from .ask.status import stored_periods

        return stored_periods(self.backend, persons)

    def stats(self) -> dict[str, Any]:
        """Counts of what the store holds (as ``repnet stats --format json``)."""
        from .ask.stats import stats

        return stats(self.backend)

    def export(self, fmt: str, path: PathLike, *, description: bool = True) -> int:
        """Write the visible graphs as linked data (trig, nquads, jsonld, turtle, ntriples, rdfxml)
        to ``path``, whole or not at all; the number of quads written."""
        from .files import atomic_output
        from .formats import RDF
        from .publish.export import export_rdf

        if fmt not in RDF:
            raise UsageError(f"fmt={fmt!r}: use one of {', '.join(RDF)}")
        with atomic_output(path, "wb") as f:
            return export_rdf(self.backend, fmt, f, description)

    def close(self) -> None:
        close = getattr(self.backend, "close", None)
        if close:
            close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _query_text(query: str, q: Any) -> tuple[str, Any]:
    """(text, saved query or None) for a saved query's name, a .rq path or SPARQL text."""
    if query in q.saved_queries() or query.endswith(".rq"):
        return q.load_text(query)
    if any(k in query.upper() for k in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "{")):
        return query, None
    return q.load_text(query)  # an unknown name: the error suggests close names


def open(store: PathLike | None = None, *, include_restricted: bool = False) -> Store:  # noqa: A001
    """Open a built store: a directory (default: ``REPNET_STORE`` or the user's data directory)
    or an http(s) SPARQL endpoint URL. Public graphs only unless ``include_restricted``."""
    from .store import open_store

    return Store(open_store(store, include_restricted=include_restricted))


def build(paths: Iterable[PathLike] | None = None, store: PathLike | None = None, *, base: str | None = None,
          progress: Any = None, full: bool = False) -> Any:
    """Read, check and validate the sources (default: the shipped data) into a new generation of
    ``store``, swapped in only when valid; a summary (sources, records, quads, seconds; ``incremental``
    when only the changed files were read: ``full=True`` builds from scratch)."""
    from .ingest.build import build as run

    return run([Path(p) for p in paths] if paths is not None else None, store, base, progress=progress, full=full)


def validate(paths: Iterable[PathLike] | None = None, *, base: str | None = None) -> Any:
    """Check and validate the sources without writing a store: a report with ``conforms``,
    ``violations`` and ``text()``. Sources that cannot be read raise SourceError."""
    from .ingest.build import in_memory
    from .ingest.dataset import load_dataset
    from .ingest.validate import validate_store

    ds = load_dataset([Path(p) for p in paths] if paths is not None else None, base)
    return validate_store(in_memory(ds))
