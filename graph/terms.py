"""The one place that turns RDF terms (pyoxigraph or rdflib) into plain Python values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ..ontology.namespaces import XSD

_XSD = str(XSD)
_INTS = {f"{_XSD}{t}" for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


def to_python(term: Any) -> Any:
    """IRIs -> str, numbers -> int/Decimal/float, xsd:date -> datetime.date, booleans -> bool,
    other literals (gYearMonth "2023-06", durations, text) -> their lexical form; None stays None."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.datatype.value)
    if hasattr(term, "toPython"):  # rdflib
        value = term.toPython()
        return str(value) if not isinstance(value, int | float | Decimal | bool | dt.date | str) else value
    return str(term)


def _literal(v: str, dtype: str) -> Any:
    """A literal's lexical form and datatype IRI -> its plain value (see :func:`to_python`)."""
    try:
        if dtype in _INTS:
            return int(v)
        if dtype == f"{_XSD}decimal":
            return Decimal(v)
        if dtype in (f"{_XSD}double", f"{_XSD}float"):
            return float(v)
        if dtype == f"{_XSD}boolean":
            return v in ("true", "1")
        if dtype == f"{_XSD}date":
            return dt.date.fromisoformat(v)
    except ValueError:
        return v
    return v


# ---------------------------------------------------------------------------- SPARQL TSV cells
# Hand-written for speed: the projection reads millions of cells that Oxigraph writes as TSV
# results. pyoxigraph's own parser (ox.parse_query_results, which answers.py uses) makes a term
# object per cell, the cost these cells avoid; rdflib's TSV results parser is pyparsing, slower
# still. A cell is a term in N-Triples syntax, or a number or boolean abbreviated as in Turtle.
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ABBREVIATED = {"true": True, "false": False}


def _unescape(text: str) -> str:
    """An N-Triples string's escapes (ECHAR, UCHAR) -> the characters."""
    out = []
    i = 0
    while (j := text.find("\\", i)) >= 0:
        out.append(text[i:j])
        c = text[j + 1]
        if c in "uU":
            n = 4 if c == "u" else 8
            out.append(chr(int(text[j + 2:j + 2 + n], 16)))
            i = j + 2 + n
        else:
            out.append(_ESCAPES[c])
            i = j + 2
    out.append(text[i:])
    return "".join(out)


def split_tsv_literal(cell: str) -> tuple[str, str | None, str | None]:
    r"""A literal cell -> (lexical form, datatype IRI or None, language or None).

    >>> split_tsv_literal('"a\\tb"@en'), split_tsv_literal('"2023-06"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>')
    (('a\tb', None, 'en'), ('2023-06', 'http://www.w3.org/2001/XMLSchema#gYearMonth', None))
    """
    end = cell.rindex('"')
    text = cell[1:end]
    if "\\" in text:
        text = _unescape(text)
    rest = cell[end + 1:]
    if not rest:
        return text, None, None
    if rest[0] == "@":
        return text, None, rest[1:]
    return text, rest[3:-1], None


def from_tsv(cell: str) -> Any:
    """One cell of SPARQL TSV results -> what :func:`to_python` gives for its term: an IRI or
    blank node -> its value (str), a literal -> its plain value, an empty cell (unbound) -> None.

    >>> from_tsv("<https://w3id.org/repnet/id/person/x>"), from_tsv("2.5"), from_tsv("3"), from_tsv("true")
    ('https://w3id.org/repnet/id/person/x', Decimal('2.5'), 3, True)
    >>> from_tsv('"2025-12-13"^^<http://www.w3.org/2001/XMLSchema#date>'), from_tsv('"Minsk"@en'), from_tsv("")
    (datetime.date(2025, 12, 13), 'Minsk', None)
    """
    if not cell:
        return None
    first = cell[0]
    if first == "<":
        return cell[1:-1]
    if first == '"':
        text, dtype, _ = split_tsv_literal(cell)
        return text if dtype is None else _literal(text, dtype)
    if first == "_":
        return cell[2:]
    if cell in _ABBREVIATED:
        return _ABBREVIATED[cell]
    if "e" in cell or "E" in cell:
        return float(cell)
    return Decimal(cell) if "." in cell else int(cell)


def to_json(value: Any) -> Any:
    """A plain value that ``json.dumps`` accepts."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def solutions(result: Any) -> ox.QuerySolutions:
    """A SELECT's result as what it is (pyoxigraph types every query's result as a union of the three forms)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"expected the solutions of a SELECT, got {type(result).__name__}")
    return result


def value_of(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    """A subject's lexical value (an RDF-star triple as its N-Triples text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value
