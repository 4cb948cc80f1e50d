"""Accountability: officials ranked by the persons sentenced or held under their posts and the total
years, overall or within each court, office and facility, with who has sanctioned each of them and
who has not (:func:`accountability`).

The numbers are those of the saved query ``officials`` (``graph/ask/queries/officials.rq``, which
defines them: a judge's sentences at the post's court, a prosecutor's or investigator's through the
verdict, trial or case, a facility head's persons held there, each within the post's dates; and the
officials named outside any post); this module ranks, groups and filters
its rows, so the query and the analysis can never disagree. It takes the rows rather than the
network because a post, its dates and the authorities that listed an official are facts on
membership and sanction nodes that the projection does not keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import UsageError
from .common import Table

ACCOUNTABILITY_BY = ("official", "organization")
COLUMNS = ["rank", "official", "post", "organization", "from", "to", "persons", "total_years", "sanctioned_by"]


def accountability(officials: Iterable[Mapping[str, Any]], *, by: str = "official", unsanctioned: bool = False,
                   top: int | None = None) -> Table:
    """Officials' posts ranked by persons (sentenced or held under the post), then total years.

    Parameters
    ----------
    officials : rows of the saved query ``officials`` (dicts with its columns, plain values).
    by : ``official`` ranks every post together; ``organization`` ranks the posts within each
        court, office, unit or facility (rank restarts at 1 for each), organizations by name, and
        the rows that name none (an official named on verdicts outside any post) last.
    unsanctioned : keep only officials no authority lists now (never listed, or delisted).
    top : the first ``top`` rows overall (``official``) or per organization.

    Examples
    --------
    >>> rows = [{"person": "p1", "personLabel": "A", "post": "judge", "organization": "Court K", "from": "2015",
    ...          "to": None, "persons": 2, "totalYears": 8, "sanctionedBy": "Union", "source": "s"},
    ...         {"person": "p2", "personLabel": "B", "post": "judge", "organization": "Court K", "from": None,
    ...          "to": None, "persons": 3, "totalYears": 4, "sanctionedBy": None, "source": "s"}]
    >>> [(r["rank"], r["official"], r["sanctioned_by"]) for r in accountability(rows).rows]
    [(1, 'B', None), (2, 'A', 'Union')]
    >>> [r["official"] for r in accountability(rows, unsanctioned=True).rows]
    ['B']
    """
    if by not in ACCOUNTABILITY_BY:
        raise UsageError(f"by={by!r}: use {' or '.join(ACCOUNTABILITY_BY)}", argument="by")
    posts = [{"official": r.get("personLabel") or r.get("person"), "post": r.get("post"),
              "organization": r.get("organization"), "from": r.get("from"), "to": r.get("to"),
              "persons": r.get("persons"), "total_years": r.get("totalYears"),
              "sanctioned_by": r.get("sanctionedBy") or None, "node": r.get("person"), "source": r.get("source")}
             for r in officials]
    listed = {p["node"] for p in posts if p["sanctioned_by"]}
    notes = {"officials": len({p["node"] for p in posts}), "sanctioned": len(listed),
             "unsanctioned": len({p["node"] for p in posts} - listed), "posts": len(posts)}
    if unsanctioned:
        posts = [p for p in posts if p["node"] not in listed]

    def key(p: dict[str, Any]) -> tuple[Any, ...]:
        return (-(p["persons"] if p["persons"] is not None else -1), -(p["total_years"] if p["total_years"] is not None else -1),
                str(p["official"]), str(p["organization"] or ""))

    out: list[dict[str, Any]] = []
    if by == "official":
        out = sorted(posts, key=key)[:top] if top else sorted(posts, key=key)
        for i, p in enumerate(out, 1):
            p["rank"] = i
    else:
        groups: dict[str, list[dict[str, Any]]] = {}
        for p in posts:
            groups.setdefault(p["organization"] or "", []).append(p)
        for org in sorted(groups, key=lambda o: (o == "", o)):  # rows naming no organization last
            part = sorted(groups[org], key=key)
            for i, p in enumerate(part[:top] if top else part, 1):
                p["rank"] = i
                out.append(p)
    cols = COLUMNS if by == "official" else ["organization", "rank"] + [c for c in COLUMNS if c not in ("rank", "organization")]
    return Table("accountability", cols, out, notes, ["node", "source"])
