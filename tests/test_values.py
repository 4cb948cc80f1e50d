"""Dates, terms and RDF values with known answers (table-driven)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyoxigraph as ox
import pytest

from repnet.graph.api import plain
from repnet.graph.dates import bound, datatype, parse_date, parse_day
from repnet.graph.errors import UsageError
from repnet.graph.ingest.records import parse_term
from repnet.graph.terms import to_json, to_python

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("value, stated, earliest, latest", [
    ("2023", "2023", "2023-01-01", "2023-12-31"),
    ("2024-02", "2024-02", "2024-02-01", "2024-02-29"),
    ("2023-02", "2023-02", "2023-02-01", "2023-02-28"),
    ("2023-06-20", "2023-06-20", "2023-06-20", "2023-06-20"),
    (dt.date(2025, 12, 15), "2025-12-15", "2025-12-15", "2025-12-15"),
    ({"after": "2021-07"}, "after 2021-07", "2021-07-01", None),
    ({"before": "2025-12-13"}, "before 2025-12-13", None, "2025-12-13"),
])
def test_a_date_keeps_its_precision_and_the_days_it_allows(value, stated, earliest, latest) -> None:  # type: ignore[no-untyped-def]
    d = parse_date(value)
    iso = lambda day: day.isoformat() if day else None  # noqa: E731
    assert (d.stated, iso(d.earliest), iso(d.latest)) == (stated, earliest, latest)


@pytest.mark.parametrize("value, message", [
    ("2023-13", "'2023-13' is an impossible date: month 13"),
    ("2023-02-29", "'2023-02-29' is an impossible date: February 2023 has 28 days"),
    ("June 2023", "'June 2023' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("٢٠٢٣", "is not a date"),  # Arabic-Indic digits are not [0-9]
    ({"after": "2021", "before": "2022"}, "a date object takes 'after' or 'before'"),
    (3.5, "'3.5' is not a date"),
])
def test_a_wrong_date_says_what_to_write(value, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_date(value)


@pytest.mark.parametrize("text, kind", [("2023", "gYear"), ("2023-06", "gYearMonth"), ("2023-06-20", "date")])
def test_the_datatype_follows_the_precision(text: str, kind: str) -> None:
    assert datatype(text) == XSD + kind


def test_bounds_and_days_asked_about() -> None:
    assert (bound("2023", end=False), bound("2023", end=True)) == ("2023-12-31", "2023-01-01")
    assert parse_day("2025-12-13") == "2025-12-13"
    with pytest.raises(UsageError, match="as_of='2025-12': give a day") as e:
        parse_day("2025-12")
    assert e.value.argument == "as_of"


@pytest.mark.parametrize("value, duration, months, years", [
    ({"years": 15}, "P15Y", 180, Decimal("15.00")),
    ({"years": 1, "months": 6}, "P1Y6M", 18, Decimal("1.50")),
    ({"days": 15}, "P15D", 0, Decimal("0.04")),
    ({"years": 10, "months": 11, "days": 366}, "P10Y11M366D", 131, Decimal("11.92")),
])
def test_terms(value, duration: str, months: int, years: Decimal) -> None:  # type: ignore[no-untyped-def]
    t = parse_term(value)
    assert (t.duration, t.total_months, t.decimal_years) == (duration, months, years)


@pytest.mark.parametrize("value", [{"years": -1}, {"years": 1.5}, {"weeks": 2}, {}, "10 years", {"years": True},
                                   {"years": 0}, {"months": 12}, {"years": 51}])
def test_a_wrong_term_is_refused(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_term(value)


@pytest.mark.parametrize("term, expected", [
    (ox.NamedNode("https://w3id.org/repnet/id/person/x"), "https://w3id.org/repnet/id/person/x"),
    (ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")), 7),
    (ox.Literal("2.50", datatype=ox.NamedNode(XSD + "decimal")), Decimal("2.50")),
    (ox.Literal("2023-06-20", datatype=ox.NamedNode(XSD + "date")), dt.date(2023, 6, 20)),
    (ox.Literal("2023-06", datatype=ox.NamedNode(XSD + "gYearMonth")), "2023-06"),
    (ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), True),
    (ox.Literal("P15Y", datatype=ox.NamedNode(XSD + "duration")), "P15Y"),
    (ox.Literal("Насця Лойка", language="be"), "Насця Лойка"),
    (ox.Literal("not a number", datatype=ox.NamedNode(XSD + "integer")), "not a number"),
    (None, None),
])
def test_rdf_terms_become_plain_python(term, expected) -> None:  # type: ignore[no-untyped-def]
    assert to_python(term) == expected


def test_numbers_for_json_and_for_the_library() -> None:
    assert [to_json(Decimal("4")), to_json(Decimal("2.5")), to_json(dt.date(2025, 1, 2))] == [4, 2.5, "2025-01-02"]
    assert [plain(Decimal("4")), plain(Decimal("2.5")), plain(dt.date(2025, 1, 2))] == [4, 2.5, dt.date(2025, 1, 2)]
