"""Rows -> text for people (table) or machines (json, csv, tsv)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from .csvsafe import Writer
from .terms import to_json

FORMATS = ("table", "json", "csv", "tsv")


def _cell(v: Any) -> str:
    v = to_json(v)
    return "" if v is None else str(v)


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, raw: bool = False) -> str:
    """Rows as text; CSV/TSV cells a spreadsheet would evaluate are neutralised unless ``raw``
    (:mod:`repnet.graph.csvsafe`)."""
    if fmt == "json":
        return json.dumps([{c: to_json(r.get(c)) for c in columns} for r in rows], indent=2, ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = Writer(buf, raw, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in columns])
        return buf.getvalue().rstrip("\n")
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(row) for row in cells]
    return "\n".join(out)
