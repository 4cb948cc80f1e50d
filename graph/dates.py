"""Dates as sources state them: the one home for parsing, precision, bounds and display.

A source gives a day (``2023-06-20``), a month (``2023-06``), a year (``2023``), or only a bound
(``{after: "2021-07"}``, ``{before: "2025-12-13"}``). :func:`parse_date` keeps the text at its
precision and the earliest and latest day it allows (:class:`DateValue`): the text is what is
shown and stored (``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``), the days are only for
comparison, never printed as if the source had said them. :func:`parse_day` reads a day a user
asks about (``as_of``, query parameters).

Hand-written rather than ``edtf``: the source format allows only these forms, each a fullmatch of
one pattern, and the messages must tell a data entrant what to write instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from ..ontology.namespaces import XSD as XSD_NS
from .errors import UsageError

XSD = str(XSD_NS)
# matched with fullmatch; digits spelt [0-9] (`\d` also matches other scripts' digits)
DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


@dataclass(frozen=True)
class DateValue:
    """A date at the precision a source gives, with the earliest and latest day it allows."""

    text: str | None  # "2023-06"; None when only a bound is known ("after July 2021")
    earliest: dt.date | None
    latest: dt.date | None
    after: str | None = None  # {after: "2021-07"}: the bound as stated, at its precision
    before: str | None = None  # {before: "2025-12-13"}

    @property
    def stated(self) -> str | None:
        """The date as the source states it: "2023-06", "after 2021-07", "before 2025-12-13"."""
        if self.text:
            return self.text
        return f"after {self.after}" if self.after else f"before {self.before}" if self.before else None

    @property
    def datatype(self) -> str:
        return datatype(self.text or "")


def datatype(text: str) -> str:
    """The XSD datatype of a date written at its precision: YYYY, YYYY-MM or YYYY-MM-DD."""
    n = len(text)
    return f"{XSD}date" if n == 10 else f"{XSD}gYearMonth" if n == 7 else f"{XSD}gYear"


def parse_date(value: Any) -> DateValue:
    """``"2023"``, ``"2023-06"``, ``"2023-06-20"``, ``{after: "2021-07"}`` or ``{before: ...}``.

    Raises ValueError with a message fit for the user.

    >>> d = parse_date("2023-06")
    >>> d.text, d.earliest.isoformat(), d.latest.isoformat()
    ('2023-06', '2023-06-01', '2023-06-30')
    >>> parse_date({"after": "2021-07"}).stated
    'after 2021-07'
    """
    if isinstance(value, dict):
        keys = set(value)
        if keys == {"after"}:
            d = parse_date(value["after"])
            return DateValue(None, d.earliest, None, after=d.text)
        if keys == {"before"}:
            d = parse_date(value["before"])
            return DateValue(None, None, d.latest, before=d.text)
        raise ValueError(f"a date object takes 'after' or 'before', not {sorted(keys)}")
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str | int):
        raise ValueError(f"'{value}' is not a date")
    return _parse_text(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _parse_text(value: str) -> DateValue:
    """:func:`parse_date` of a date written as text. Cached: a build parses each date of its records
    when it checks them and again when it converts them, and dates repeat (371,000 checked at
    100,000 persons); a DateValue is immutable."""
    m = DATE.fullmatch(value)
    if not m:
        raise ValueError(f"'{value}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD at the precision the source gives")
    y, mo, dd = (int(g) if g else None for g in m.groups())
    assert y is not None
    if mo is not None and not 1 <= mo <= 12:
        raise ValueError(f"'{value}' is an impossible date: month {mo}")
    if dd is not None:
        assert mo is not None
        try:
            day = dt.date(y, mo, dd)
        except ValueError:
            raise ValueError(f"'{value}' is an impossible date: {calendar.month_name[mo]} {y} has "
                             f"{calendar.monthrange(y, mo)[1]} days") from None
        return DateValue(value, day, day)
    if mo is not None:
        return DateValue(value, dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]))
    return DateValue(value, dt.date(y, 1, 1), dt.date(y, 12, 31))


def parse_day(value: str | dt.date | None, argument: str = "as_of") -> str | None:
    """A day a user asks about, as ISO text; None stays None. A UsageError names the argument.

    >>> parse_day("2025-12-13"), parse_day(dt.date(2025, 1, 2)), parse_day(None)
    ('2025-12-13', '2025-01-02', None)
    """
    if value is None or isinstance(value, dt.date):
        return value.isoformat() if value else None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UsageError(f"{argument}={str(value)!r}: give a day, YYYY-MM-DD (e.g. 2025-12-13)", argument=argument) from None


@functools.lru_cache(maxsize=1 << 16)  # whole-store readers ask for the same few thousand days again and again
def bound(text: str, end: bool) -> str | None:
    """The earliest day a date allows (``end``: where a period may end at the earliest) or the
    latest (where it may start at the latest), as ISO text; None for text that is not a date.

    >>> bound("2023-06", end=False), bound("2023-06", end=True), bound("soon", end=True)
    ('2023-06-30', '2023-06-01', None)
    """
    try:
        d = parse_date(text)
    except ValueError:
        return None
    day = d.earliest if end else d.latest
    return day.isoformat() if day else None
