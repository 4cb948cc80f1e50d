"""The day index: ``detained-on`` answered without evaluating SPARQL over every segment.

The build stores each person's held days as runs (``rpn:heldOnDays`` literals, one per run on which
the ``detained-on`` row is the same; :func:`repnet.graph.ask.status.held_segments`). The saved
query reads them all and compares ISO days: correct on any SPARQL 1.1 store, but at 100,000
persons Oxigraph spends about 3 s decoding 264,000 long literals, then cuts fields out of the
78,000 that match and sorts them (10 s in all, measured). Oxigraph has no range index on literals.

So the build also writes the same runs (those it derived into ``graph/derived``; read back from
the store when not given) to an SQLite table in the store generation's directory
(``held-on-days.sqlite``; SQLite is in Python's standard library, and its B-tree gives the range
lookup Oxigraph lacks). Each row keeps its first and last day, the answer's row as SPARQL TSV
results text and the person's label (for the order), so an answer is a range
scan plus pyoxigraph's own results parser: a result object like the SPARQL query's, with the same
rows (tests compare both on every day where the answer changes). The index is a generation's
file, written before the generation is swapped in and removed with it, so it never describes
another build's data.

:func:`answer` gives None (run the SPARQL) when the store has no index (in-memory or remote
stores, generations built before the index existed) or when a read chooses graphs (``--source``,
``FROM``): the index holds the answer over all public sources only.
"""

from __future__ import annotations

import bisect
import heapq
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from ...ontology.namespaces import RPN
from ..formats import nt_literal
from ..iris import graph_iri
from ..terms import solutions
from .status import NONE

FILE = "held-on-days.sqlite"
COLUMNS = ("person", "personLabel", "facility", "since", "source", "status", "lastKnown")

_SEGMENTS = f"SELECT ?person ?segment WHERE {{ ?person <{RPN.heldOnDays}> ?segment }}"

def _cell(value: str) -> str:
    """One TSV results cell: a simple literal in N-Triples syntax, empty (unbound) for "~"."""
    return "" if value == NONE else nt_literal(value)

def rows(store: ox.Store, base: str) -> list[tuple[str, str, str]]:
    """(first day, last day, TSV results line) of every run in the build's all-sources derived
    graph, in the saved query's order (by label, unlabelled first; then person and first day)."""
    return rows_of(_runs(store, base))

def _runs(store: ox.Store, base: str) -> Iterator[tuple[str, str]]:
    """(person IRI, text) of every ``rpn:heldOnDays`` literal in the all-sources derived graph."""
    derived = ox.NamedNode(graph_iri(base, part="derived"))
    return ((sol["person"].value, sol["segment"].value)
            for sol in solutions(store.query(_SEGMENTS, default_graph=[derived])))

def rows_of(runs: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """:func:`rows` from the runs themselves: (person IRI, text of its ``rpn:heldOnDays`` literal)."""
    return [r[:3] for r in sorted((_row(person, text) for person, text in runs), key=_key)]

# A run as the table's row: first day, last day, TSV results line, and the person's label ("" when
# unlabelled) for the sort key (:func:`_key`), which the table keeps so that an incremental build
# merges the rows it keeps with the changed persons' new ones without decoding labels from lines
# and sorting every row again (2.3 s -> 1.3 s at 100,000 persons, every person of one file of ten
# changed).
Row = tuple[str, str, str, str]
_TABLE = "CREATE TABLE held (first TEXT NOT NULL, last TEXT NOT NULL, line TEXT NOT NULL, label TEXT NOT NULL)"

def _key(row: Row) -> tuple[bool, str, str, str]:
    """The saved query's order: unlabelled first, then label, person (the line's first cell) and first day."""
    first, _, line, label = row
    return label != "", label, line[1:line.index(">")], first

def _row(person: str, text: str) -> Row:
    """The :data:`Row` of one run of ``person`` (an IRI; ``text`` the run's literal)."""
    # the fields of a segment literal (graph/ask/status.py segment_text), in its order; unpacked
    # by position, not into a dict: 288,047 runs at 100,000 persons, 0.90 -> 0.58 s
    first, last, status, since, last_known, facility, source, label = text.split("\t")
    line = "\t".join((f"<{person}>", _cell(label), _cell(facility), _cell(since), _cell(source), _cell(status),
                      _cell(last_known)))
    return first, last, line, "" if label == NONE else label

def write_changed(store: ox.Store, base: str, directory: Path, previous: Path, persons: set[str]) -> int | None:
    """:func:`write` for a store whose runs differ from those of the generation ``previous`` only
    for ``persons``: its rows, with theirs read again. None (nothing written) when ``previous``
    has no index."""
    old = previous / FILE
    if not old.is_file():
        return None
    db = sqlite3.connect(f"{old.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        gone = {f"<{p}>" for p in persons}
        kept: list[Row] = [r for r in db.execute("SELECT first, last, line, label FROM held ORDER BY rowid")
                           if r[2][:r[2].index("\t")] not in gone]
    finally:
        db.close()
    derived = ox.NamedNode(graph_iri(base, part="derived"))
    held = ox.NamedNode(str(RPN.heldOnDays))
    new = sorted((_row(p, cast(ox.Literal, q.object).value) for p in persons
                  for q in store.quads_for_pattern(ox.NamedNode(p), held, None, derived)), key=_key)
    if len(new) * 20 < len(kept):  # a few: each placed by bisection, a few keys computed
        for row in new:
            kept.insert(bisect.bisect_left(kept, _key(row), key=_key), row)
        return _write(directory, kept)
    return _write(directory, heapq.merge(kept, new, key=_key))  # both in key order: so is the merge

def write(store: ox.Store, base: str, directory: Path, runs: Iterable[tuple[str, str]] | None = None) -> int:
    """Write the index of the runs in ``store`` to ``directory``; returns the number of runs.
    ``runs`` (as :func:`rows_of` takes them) are those the build just wrote to the store: given,
    they are not read back (1.8 s of decoding literals at 100,000 persons)."""
    return _write(directory, sorted((_row(person, text) for person, text in (_runs(store, base) if runs is None else runs)),
                                    key=_key))

def _write(directory: Path, rows_: Iterable[Row]) -> int:
    """Write ``rows_``, in answer order (a scan in rowid order then needs no sort), as the index in
    ``directory``; returns their number."""
    path = directory / FILE
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute(_TABLE)
        n = db.executemany("INSERT INTO held VALUES (?, ?, ?, ?)", rows_).rowcount
        db.commit()
    finally:
        db.close()
    return n

def answer(generation: Path | None, day: str) -> Any:
    """The ``detained-on`` rows for ``day`` (YYYY-MM-DD) as pyoxigraph query solutions, ordered by
    label (unlabelled first), or None when ``generation`` has no index."""
    path = generation / FILE if generation is not None else None
    if path is None or not path.is_file():
        return None
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        lines = [r[0] for r in db.execute("SELECT line FROM held WHERE first <= ?1 AND last >= ?1 ORDER BY rowid",
                                          (day,))]
    finally:
        db.close()
    text = "\t".join(f"?{c}" for c in COLUMNS) + "\n" + "".join(line + "\n" for line in lines)
    return ox.parse_query_results(text, format=ox.QueryResultsFormat.TSV)
