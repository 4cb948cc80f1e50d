"""Spreadsheet-safe CSV and TSV: cells a spreadsheet would evaluate as a formula are neutralised.

Names and notes in the sources come from many hands, and a CSV file is usually opened in a
spreadsheet. A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets skip before looking) is read as a formula, and a formula can fetch URLs or
run commands (CSV injection). Every CSV and TSV output of repnet therefore gets the usual rule
(OWASP, "CSV Injection"): such a cell is written with a leading apostrophe, ``'=1+1``, which
spreadsheets show as text and hide the apostrophe of.

Numbers are left alone: a cell that is a plain number (``-3``, ``+1.5``, ``-2e-3``) cannot hold a
formula, and negative numbers are common in analyses. Everything else that starts with one of the
characters is neutralised, including text like ``-3 days`` or ``+7 (phone)``.

``raw=True`` (the CLI's ``--raw-csv``) turns the rule off, for programs that read the files and
need the values exactly as stored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would evaluate it.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-3"), neutralise("-3 days"), neutralise("Ales")
    ('\\'=HYPERLINK("http://x")', '-3', "'-3 days", 'Ales')
    """
    if value[:1] in TRIGGERS and value and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def cell(value: Any, raw: bool = False) -> Any:
    """A value for a CSV cell: text neutralised unless ``raw``; other values unchanged."""
    return neutralise(value) if isinstance(value, str) and not raw else value


class Writer:
    """``csv.writer`` whose text cells are neutralised unless ``raw``."""

    def __init__(self, fh: IO[str], raw: bool = False, **kwargs: Any):
        self._w = csv.writer(fh, **kwargs)
        self.raw = raw

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([cell(v, self.raw) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for r in rows:
            self.writerow(r)


# Where a cell of CSV text may begin with a trigger: unquoted (a cell holding a carriage return is
# quoted), or inside the quotes. Every cell begins at the start of the text, after a line break or
# after a comma, so a text with no match has no cell to neutralise and is returned as it is: at
# 100,000 persons, parsing and writing again the CSV of `detentions` (150k rows) took 0.8 s.
# A match may be a false alarm (a comma or line break inside a quoted cell, a negative number):
# the text is then parsed and written cell by cell.
# (A cell's start is looked for after a comma or line break, and at the text's start apart: one
# pattern with "^" took 0.39 s over 31 MB, these 0.11 s.)
_CSV_START = r'[=+\-@\t]|"[=+\-@\t\r]'
_CSV_CELL, _CSV_TRIGGER = re.compile(_CSV_START), re.compile(rf"[,\n](?:{_CSV_START})")
# The same for SPARQL TSV results, whose terms never hold a raw tab or line break (they are escaped),
# so a tab after a tab is an empty cell, not a cell that begins with one.
_TSV_START = r'[=+\-@\r]|"[=+\-@\t\r]'
_TSV_CELL, _TSV_TRIGGER = re.compile(_TSV_START), re.compile(rf"[\t\n](?:{_TSV_START})")


def _may_need(text: str, first: re.Pattern[str], later: re.Pattern[str]) -> bool:
    return bool(first.match(text) or later.search(text))


def csv_text(text: str, raw: bool = False, header: bool = True) -> str:
    """SPARQL CSV results (or any CSV text) with every cell after the header row neutralised."""
    if raw or not _may_need(text, _CSV_CELL, _CSV_TRIGGER):
        return text
    return csv_cells_neutralised(text, header)


def csv_cells_neutralised(text: str, header: bool = True) -> str:
    """:func:`csv_text` cell by cell, without the quick look for a trigger first."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return text
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for i, row in enumerate(rows):
        w.writerow(row if header and i == 0 else [neutralise(c) for c in row])
    return buf.getvalue()


def tsv_term(text: str) -> str:
    """A term of SPARQL TSV results: a literal's lexical form is neutralised inside its quotes;
    bare numbers, IRIs (``<...>``) and blank nodes cannot start a formula."""
    if text.startswith('"') and len(text) > 1 and text[1] in TRIGGERS:
        end = text.rfind('"')
        lexical = text[1:end] if end > 0 else text[1:]
        if not NUMBER.fullmatch(lexical):
            return "\"'" + text[1:]
        return text
    return neutralise(text) if text else text


def tsv_text(text: str, raw: bool = False) -> str:
    """SPARQL TSV results with every term after the header row neutralised (terms never hold a raw
    tab or line break: TSV results escape them)."""
    if raw or not _may_need(text, _TSV_CELL, _TSV_TRIGGER):  # no term starts with a trigger (see _CSV_TRIGGER)
        return text
    return tsv_terms_neutralised(text)


def tsv_terms_neutralised(text: str) -> str:
    """:func:`tsv_text` term by term, without the quick look for a trigger first."""
    lines = text.split("\n")
    return "\n".join(line if i == 0 else "\t".join(tsv_term(t) for t in line.split("\t")) for i, line in enumerate(lines))
