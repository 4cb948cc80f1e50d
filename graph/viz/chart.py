"""Held over time: how many persons were held, sentenced and released, month by month
(``repnet viz --chart -o held.png|svg``, and the chart in every explorer page).

Held is counted on the last day of each month from the status periods the build stored
(:func:`repnet.graph.ask.status.stored_periods`, :func:`~repnet.graph.ask.status.status_at`: the one
definition ``detained-on`` uses, so a month's count is the number of rows ``detained-on`` lists for
that day), split by how the sources know it: *stated* (a source puts the person in custody on that
day), *last known* (the day is after the person's last observation in an open period: the person
may have been released since without a source saying so) and *possible* (the day falls within the
imprecision of a start or end). Released is the number of persons whose released (or exile) period
begins in the month; sentenced, the number of persons with a sentence dated in the month (dates as
their sources state them: a sentence dated only by its year is counted in no month, and the chart
says how many).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from ..ask.status import EXILE, HELD, RELEASED, status_at, stored_periods
from ..store.base import Store
from .picture import wrap, write_picture

CERTAINTIES = ("stated", "last known", "possible")
COLOURS = {"stated": "#d62728", "last known": "#f2a2a3", "possible": "#f6d5d5", "sentenced": "#6b4c9a",
           "released": "#2ca02c"}
LIMITS = ("Held: persons in custody on the last day of each month, from the status periods (the rows of "
          "detained-on on that day). Stated: a source puts the person in custody that day. Last known: the day is "
          "after the person's last observation (the person may have been released since, unreported). Possible: the "
          "day falls within the imprecision of a stated date. Released: released or exiled persons whose release "
          "falls in the month. Sentenced: persons with a sentence dated in the month.")
"""What the chart's numbers mean and where the sources limit them (printed under the chart)."""


def month_ends(first: str, last: str) -> list[str]:
    """The last day of every month from ``first``'s month to ``last``'s (ISO dates).

    >>> month_ends("2020-11-15", "2021-02-01")
    ['2020-11-30', '2020-12-31', '2021-01-31', '2021-02-28']
    """
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while (y, m) <= (int(last[:4]), int(last[5:7])):
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append((nxt - dt.timedelta(days=1)).isoformat())
        y, m = nxt.year, nxt.month
    return out


def monthly(store: Store, G: nx.MultiDiGraph | None = None, persons: set[str] | None = None,
            periods: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The chart's numbers: ``{months: [YYYY-MM], ends: [last day], held: {certainty: [n]},
    released: [n], sentenced: [n], undatedSentences: n, persons: n}``.

    ``G`` (the projection) gives the sentences' dates (``sentenced_by`` edges); ``persons`` limits
    the count to those persons (a view's), else every person with a status period counts;
    ``periods``, the stored status periods when already read (:func:`stored_periods`).
    """
    periods = stored_periods(store) if periods is None else periods
    if persons is not None:
        periods = {p: ps for p, ps in periods.items() if p in persons}
    days = [d for ps in periods.values() for p in ps for d in (p["lo"], p["first"], p["last"]) if d]
    sentences: dict[str, set[str]] = defaultdict(set)
    undated = 0
    if G is not None:
        for u, _w, d in G.edges(data=True):
            if d.get("relation") != "sentenced_by" or (persons is not None and u not in persons):
                continue
            date = str(d.get("date") or "")
            if len(date) >= 7 and date[:4].isdigit() and date[5:7].isdigit():
                sentences[date[:7]].add(u)
            else:
                undated += 1
    days += [m + "-01" for m in sentences]
    if not days:
        return {"months": [], "ends": [], "held": {c: [] for c in CERTAINTIES}, "released": [], "sentenced": [],
                "undatedSentences": undated, "persons": len(periods)}
    ends = month_ends(min(days), max(days))
    held = {c: [0] * len(ends) for c in CERTAINTIES}
    released = [0] * len(ends)
    month_of = {e[:7]: i for i, e in enumerate(ends)}
    for ps in periods.values():
        for p in ps:
            start = p["lo"] or p["first"]
            if p["status"] in (RELEASED, EXILE) and start and start[:7] in month_of:
                released[month_of[start[:7]]] += 1
        starts = [p["lo"] or p["first"] for p in ps if p["status"] == HELD and (p["lo"] or p["first"])]
        if not starts:
            continue
        lo = min(starts)
        for i, end in enumerate(ends):
            if end < lo[:10]:
                continue
            s = status_at(ps, end)
            if s is not None and s[0] == HELD:
                held[s[1]][i] += 1
    return {"months": [e[:7] for e in ends], "ends": ends, "held": held, "released": released,
            "sentenced": [len(sentences.get(e[:7], ())) for e in ends], "undatedSentences": undated,
            "persons": len(periods)}


def write_chart(store: Store, out: str | Path, G: nx.MultiDiGraph | None = None, *, title: str | None = None,
                persons: set[str] | None = None) -> dict[str, Any]:
    """Draw the chart (PNG or SVG by ``out``'s extension) with matplotlib; the numbers drawn, and
    ``seconds``. Written whole or not at all; SVG text is drawn as paths."""
    return write_picture(out, "a chart", lambda: monthly(store, G, persons),
                         lambda data: draw_chart(data, title or "Persons held, sentenced and released, by month"))


def draw_chart(data: dict[str, Any], title: str) -> Any:
    """The figure: held on each month's last day (stacked by certainty) above, sentenced and released per month below."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure


    fig = Figure(figsize=(11, 6.5), dpi=100)
    FigureCanvasAgg(fig)
    top = fig.add_axes((0.07, 0.45, 0.9, 0.45))
    low = fig.add_axes((0.07, 0.2, 0.9, 0.2), sharex=top)
    x = list(range(len(data["months"])))
    bottom = [0] * len(x)
    for c in CERTAINTIES:
        ys = data["held"][c]
        top.bar(x, ys, bottom=bottom, width=0.9, color=COLOURS[c], label=f"held ({c})")
        bottom = [a + b for a, b in zip(bottom, ys, strict=True)]
    top.set_ylabel("persons held")
    top.legend(loc="upper left", frameon=False, fontsize=9)
    low.bar([i - 0.2 for i in x], data["sentenced"], width=0.4, color=COLOURS["sentenced"], label="sentenced")
    low.bar([i + 0.2 for i in x], data["released"], width=0.4, color=COLOURS["released"], label="released")
    low.set_ylabel("persons / month")
    low.legend(loc="upper left", frameon=False, fontsize=9)
    step = max(1, len(x) // 12)
    low.set_xticks(x[::step], [m for m in data["months"]][::step], fontsize=8, rotation=45, ha="right")
    for ax in (top, low):
        ax.spines[["top", "right"]].set_visible(False)
    top.tick_params(labelbottom=False)
    fig.text(0.07, 0.96, title, fontsize=14, weight="bold", va="top", parse_math=False)
    note = LIMITS + (f" {data['undatedSentences']:,} sentences are dated by less than a month and not counted."
                     if data["undatedSentences"] else "")
    fig.text(0.07, 0.02, wrap(note, 170), fontsize=7.5, va="bottom", parse_math=False)
    return fig
