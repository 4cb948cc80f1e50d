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
        dtype = term.datatype.value
        v = term.value
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
    if hasattr(term, "toPython"):  # rdflib
        value = term.toPython()
        return str(value) if not isinstance(value, int | float | Decimal | bool | dt.date | str) else value
    return str(term)


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
