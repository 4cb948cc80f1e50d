"""What the side panels and tooltips say about an entity, each fact with its sources, read from the store.

Names and name variants (:func:`name_variants`), key facts (:func:`entity_facts`), the sources'
metadata (:func:`sources_meta`, links kept only for http(s): :func:`safe_url`), and persons'
held/released statuses, taken from the status periods the build stored (:func:`person_status`,
from :func:`repnet.graph.ask.status.stored_periods`; the explorer derives no status of its own).
Dates stay as their sources state them ("2022-09", "after 2021-07"), never as day bounds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ..ask import citations as cited
from ..ask.status import HELD, stored_periods
from ..iris import source_id
from ..sparql import chunks, values
from ..store.base import Store
from ..terms import to_python

_FACT_PROPERTIES = {
    "https://schema.org/description": "description",
    "https://schema.org/hasOccupation": "occupation",
    "http://www.w3.org/ns/org#classification": "type",
    "https://schema.org/award": "award",
    "https://w3id.org/repnet/ontology#facilityType": "facility type",
    "https://schema.org/areaServed": "serves",
    "https://schema.org/location": "located in",
    "https://schema.org/containedInPlace": "within",
    "http://data.europa.eu/eli/ontology#number": "number",
}


def safe_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL without spaces or control characters, else None.

    >>> safe_url("https://www.hrw.org/news"), safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:x")
    ('https://www.hrw.org/news', None, None)
    """
    if not isinstance(url, str):
        return None
    if not re.match(r"^https?://[^\s<>\"'`\\]+$", url, re.IGNORECASE) or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    return url


def sources_meta(store: Store) -> dict[str, dict[str, Any]]:
    """Source id -> title, publisher, date, url (http(s) only), from the metadata graph."""
    q = """
SELECT DISTINCT ?g ?doc ?title ?pub ?publabel ?date ?url WHERE {
  GRAPH ?m { ?g prov:wasDerivedFrom ?doc . ?doc a rpn:SourceDocument .
    OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc schema:publisher ?pub }
    OPTIONAL { ?doc schema:datePublished ?date } OPTIONAL { ?doc schema:url ?url } }
  FILTER(STRENDS(STR(?m), "/graph/meta"))
  OPTIONAL { ?pub skos:prefLabel ?publabel }
}"""
    out: dict[str, dict[str, Any]] = {}
    for row in store.query(q):
        sid = source_id(row["g"].value)
        s = out.setdefault(sid, {"id": sid})
        for key, var in (("title", "title"), ("publisher", "publabel"), ("date", "date")):
            if row[var] is not None and key not in s:
                value = to_python(row[var])
                s[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
        if row["url"] is not None and "url" not in s:
            s["url"] = safe_url(row["url"].value)
        if row["pub"] is not None and "publisher" not in s and row["publabel"] is None:
            s["publisher"] = row["pub"].value.rstrip("/").rsplit("/", 1)[-1]
    for s in out.values():
        if s.get("url") is None:
            s.pop("url", None)
    return out


def entity_facts(store: Store, nodes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Node IRI -> key facts about the entity itself (names, description, occupation ...), each with its sources."""
    facts: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(dict)
    inferred = cited.inferences(store, nodes)
    why: dict[tuple[str, str, str], str] = {}  # (entity, key, text) -> reason a source gives for inferring it
    props = ", ".join(f"<{p}>" for p in _FACT_PROPERTIES)
    for chunk in chunks(list(nodes)):
        # (FILTER IN, not VALUES ?p: Oxigraph plans the VALUES cross product 50x slower)
        q = f"""
SELECT DISTINCT ?e ?p ?o ?label ?g WHERE {{
  {values("e", chunk)}
  GRAPH ?g {{ ?e ?p ?o }} FILTER(?p IN ({props}))
  OPTIONAL {{ ?o skos:prefLabel ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }}
}}"""
        for row in store.query(q):
            o = row["o"]
            text = (str(to_python(row["label"])) if row["label"] is not None else
                    o.value.rstrip("/").rsplit("/", 1)[-1].replace("-", " ") if not hasattr(o, "language") else
                    str(to_python(o)))
            key = (_FACT_PROPERTIES[row["p"].value], text)
            e, sid = row["e"].value, source_id(row["g"].value)
            facts[e].setdefault(key, set()).add(sid)
            reason = inferred.get(e, {}).get((row["p"].value, sid))
            if reason:
                why[(e, *key)] = reason
    out: dict[str, list[dict[str, Any]]] = {}
    order = list(dict.fromkeys(_FACT_PROPERTIES.values()))
    for e, items in facts.items():
        out[e] = [{"k": k, "v": v, "src": sorted(src), **({"inf": why[(e, k, v)]} if (e, k, v) in why else {})}
                  for (k, v), src in sorted(items.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))]
    return out


def holds_as_stated(d: dict[str, Any], day: str) -> bool:
    """Whether a projected edge holds on ``day`` by the dates its sources state: the explorer's time
    rule (viz.js ``edgeHolds``). A date is compared on its own precision: "2022-09" covers the
    whole month, "after 2021-07" counts from July 2021.

    >>> holds_as_stated({"date": "2022-09"}, "2022-09-01"), holds_as_stated({"date": "2022-09-17"}, "2022-09-01")
    (True, False)
    >>> holds_as_stated({"date": "2022-09", "end_date": "2022-12"}, "2022-12-31"), holds_as_stated({"end_date": "2022-12"}, "2023-01-01")
    (True, False)
    """
    since, until = stated_key(d.get("date") or d.get("basis_date")), stated_key(d.get("end_date"))
    if since and since > day[: len(since)]:
        return False
    return not (until and day[: len(until)] > until)


def stated_key(stated: Any) -> str | None:
    """A date as stated, as the page compares it: "after 2021-07" -> "2021-07".

    >>> stated_key("after 2021-07"), stated_key("2022-09-17"), stated_key(None)
    ('2021-07', '2022-09-17', None)
    """
    if not stated:
        return None
    text = str(stated)
    return text.split(" ", 1)[1] if text.startswith(("after ", "before ")) else text


def person_status(store: Store, persons: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Person IRI -> status facts, oldest first: ``{"d": date as stated or None, "s": "held"|"released", "why": ..., "src": [...]}``.

    One fact per status period computed at build (:mod:`repnet.graph.ask.status`, the one definition
    of status): held, or released (in exile counts as released here), from the period's start as
    its source states it ("2022-09"; "after 2021-07" is keyed "2021-07"), or from its observation
    when no start is stated. The page's status on a day is the latest fact whose date is on or
    before it (a month-precise date counts from the month); ``why`` says how the sources know it.
    """
    return {person: [status_fact(p) for p in periods] for person, periods in stored_periods(store, persons).items()}


def status_fact(period: dict[str, Any]) -> dict[str, Any]:
    """The page's fact for one stored status period (see :func:`person_status`).

    >>> status_fact({"status": "in-exile", "since": "after 2021-07", "until": None, "last_known": "2025-12-15",
    ...              "intermittent": False, "sources": ["s"]})
    {'d': '2021-07', 's': 'released', 'why': 'in exile from after 2021-07; last known 2025-12-15', 'src': ['s']}
    """
    p = period
    held = p["status"] == HELD
    why = ("held" + (" at some times (separate terms)" if p["intermittent"] else "") if held else
           p["status"].replace("-", " "))
    why += f" from {p['since']}" if p["since"] else ""
    why += f" until {p['until']}" if p["until"] else f"; last known {p['last_known']}" if p["last_known"] else ""
    return {"d": stated_key(p["since"] or p["last_known"]), "s": "held" if held else "released", "why": why,
            "src": p["sources"]}


def status_on(facts: list[dict[str, Any]], day: str | None) -> dict[str, Any] | None:
    """The status fact that holds on ``day`` (None: the latest), as the page computes it.

    >>> f = [{"d": None, "s": "held"}, {"d": "2025-09-30", "s": "released"}]
    >>> status_on(f, None)["s"], status_on(f, "2025-01-01"), status_on(f, "2025-10-01")["s"]
    ('released', None, 'released')
    """
    best = None
    for f in facts:
        if f["d"] is None:
            if day is None and best is None:
                best = f
            continue
        if day is None or f["d"] <= day:
            best = f
    return best


def name_variants(store: Store, nodes: Sequence[str]) -> dict[str, list[str]]:
    """Node IRI -> every preferred label and name variant (all languages)."""
    out: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(list(nodes)):
        q = f"""SELECT DISTINCT ?e ?l WHERE {{ {values("e", chunk)}
  GRAPH ?g {{ {{ ?e skos:prefLabel ?l }} UNION {{ ?e skos:altLabel ?l }} }} }}"""
        for row in store.query(q):
            text = row["l"].value
            if text not in out[row["e"].value]:
                out[row["e"].value].append(text)
    return out


OFFICIAL_ROLES = frozenset({"judge", "prosecutor", "investigator", "head", "deputy head", "officer"})


def accountability_facts(store: Store, nodes: Sequence[str]) -> dict[str, tuple[list[dict[str, Any]], int | None]]:
    """Node IRI -> (its posts and sanctions as panel facts with their sources, 1 when an authority
    lists it now / 0 for an official no authority lists now / None for anyone else).

    A post reads "judge at Central District Court (2015-09 to 2024-03)"; a sanction "Union of States,
    2022-02-24, Council Regulation ... (delisted 2024-02-20)". An official holds a post in the
    apparatus (:data:`OFFICIAL_ROLES`); the explorer's sanctions filter uses the mark."""
    from ..ask.accountability import listed_now, posts, sanctions

    held, listed = posts(store, nodes), sanctions(store, nodes)
    out: dict[str, tuple[list[dict[str, Any]], int | None]] = {}
    for n in set(held) | set(listed):
        facts = []
        for p in held.get(n, []):
            when = (f"{p['from']} to {p['to']}" if p["from"] and p["to"] else f"from {p['from']}" if p["from"]
                    else f"until {p['to']}" if p["to"] else "")
            facts.append({"k": "post", "v": f"{p['role']} at {p['organizationLabel']}" + (f" ({when})" if when else ""),
                          "src": p["source"].split(", ")})
        for s in listed.get(n, []):
            text = ", ".join(str(x) for x in (s["authority"] or "authority not stated", s["date"], s["act"]) if x)
            facts.append({"k": "sanctioned by", "v": text + (f" (delisted {s['delisted']})" if s["delisted"] else ""),
                          "src": s["source"].split(", ")})
        official = any(p["role"] in OFFICIAL_ROLES for p in held.get(n, []))
        mark = 1 if listed_now(listed.get(n, [])) else 0 if official or n in listed else None
        out[n] = (facts, mark)
    return out
