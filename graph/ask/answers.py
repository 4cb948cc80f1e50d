"""Answers a store generation keeps: each whole-table saved query evaluated once per generation.

A generation never changes after the build swaps it in (a rebuild makes a new one), so the answer
of a saved query over it never changes either. At 100,000 persons Oxigraph spends several
seconds on each whole-table query (about 50 µs per joined row, and its ORDER BY decodes stored
strings at every comparison), far from what a reader waits for; the rows themselves cost 1-2 µs
each to write or parse natively. So the first read of a whole-table saved query evaluates its
SPARQL as before and keeps the result, as SPARQL TSV results text written by pyoxigraph's own
serializer, in ``answers/`` inside the generation's directory; later reads parse that text with
pyoxigraph's results parser: a result object like the query's, with the same rows in the same
order (terms round-trip exactly through TSV; tests compare both).

Kept only for saved SELECT queries read without parameters, over every visible graph (no
``--source`` or ``FROM``), from an embedded store with a generation directory: the key is the
query text and the graphs the reader may see, so a public reader never gets an answer computed
over restricted graphs. Answers go away with their generation. A generation whose directory
cannot be written (another user's store) is answered without keeping anything.

Hand-written because this is a file per answer beside the store's own files, nothing a library
models; SQLite (as the day index uses) would add nothing for whole answers read at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox

DIR = "answers"
TSV = ox.QueryResultsFormat.TSV


def path_for(generation: Path, name: str, text: str, visible: list[str]) -> Path:
    """Where a generation keeps the answer of saved query ``name`` (``text`` as run) for a reader
    who sees ``visible``."""
    digest = hashlib.sha256(json.dumps([text, sorted(visible)]).encode()).hexdigest()[:24]
    return generation / DIR / f"{name}-{digest}.tsv"


def kept(store: Any, name: str, text: str) -> Any:
    """The answer of saved query ``name`` (its ``text`` with no parameters bound) over every graph
    ``store`` shows: read from the generation's kept answer, or evaluated and kept. ``store`` is an
    embedded store with a generation directory."""
    return ox.parse_query_results(kept_tsv(store, name, text), format=TSV)


def kept_tsv(store: Any, name: str, text: str) -> bytes:
    """:func:`kept` as the SPARQL TSV results text it is kept as (what a table or TSV output reads
    without parsing it into terms and writing it again)."""
    path = path_for(store.generation, name, text, store.visible_graphs())
    try:
        return path.read_bytes()
    except OSError:  # not kept yet (or the generation keeps nothing)
        data = store.query(text).serialize(format=TSV)
        _keep(path, data)
        return bytes(data)


def _keep(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (readers in other processes see either no
    file or the complete answer); a directory that cannot be written keeps nothing."""
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".tsv")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
