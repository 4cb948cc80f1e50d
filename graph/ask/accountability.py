"""Posts and sanctions of given entities, as plain values, for the entity pages and the explorer's
panel (the saved queries ``officials`` and ``sanctions`` give the same facts for everyone).

Each function takes the IRIs asked about and returns, per IRI, a list of dicts sorted by date; the
dates are as their sources state them, and ``source`` names the sources stating the fact."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..iris import source_id
from ..sparql import values
from ..store.base import Store
from ..terms import to_python

_POSTS = """SELECT ?x ?role ?org ?orgLabel ?start ?end ?g WHERE {
  %s
  GRAPH ?g { ?m org:member ?x ; org:organization ?org ; org:role ?r }
  ?r skos:prefLabel ?role FILTER(LANG(?role) = "en")
  OPTIONAL { ?org skos:prefLabel ?orgLabel FILTER(LANG(?orgLabel) = "en") }
  OPTIONAL { ?m schema:startDate ?s0 } OPTIONAL { ?m schema:endDate ?e0 }
  BIND(STR(?s0) AS ?start) BIND(STR(?e0) AS ?end) }"""
_SANCTIONS = """SELECT ?x ?sa ?authority ?date ?act ?decision ?delisted ?g WHERE {
  %s
  GRAPH ?g { ?sa <https://schema.followthemoney.tech/#Sanction:entity> ?x }
  OPTIONAL { ?sa rpn:imposedBy ?a . ?a skos:prefLabel ?authority FILTER(LANG(?authority) = "en") }
  OPTIONAL { ?sa schema:startDate ?d0 } BIND(STR(?d0) AS ?date)
  OPTIONAL { ?sa rpn:legalAct ?act } OPTIONAL { ?sa skos:prefLabel ?decision }
  OPTIONAL { ?dl rpn:delists ?sa OPTIONAL { ?dl rpn:delistedTarget ?dt } FILTER(!BOUND(?dt) || ?dt = ?x)
             OPTIONAL { ?dl schema:startDate ?dd } }
  BIND(STR(?dd) AS ?delisted) }"""


def _rows(store: Store, text: str, iris: Iterable[str]) -> list[dict[str, Any]]:
    from . import query as q

    block = values("x", iris)
    if block.endswith("{  }"):
        return []
    result = q.execute(store, q.prepare(store, text % block, {}))
    return [{k: to_python(v) if v is not None else None for k, v in zip([x.value for x in result.variables], row, strict=True)}
            for row in result]


def posts(store: Store, iris: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each person's posts: role, organization (IRI and name), from, to, source (ids, ", ")."""
    acc: dict[tuple[str, str, str, str | None, str | None], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for r in _rows(store, _POSTS, iris):
        acc[(r["x"], r["role"], r["org"], r["start"], r["end"])].add(source_id(r["g"]))
        names[r["org"]] = r["orgLabel"] or r["org"]
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (x, role, org, start, end), srcs in sorted(acc.items(), key=lambda kv: (kv[0][0], kv[0][3] or "", kv[0][1], kv[0][2])):
        out[x].append({"role": role, "organization": org, "organizationLabel": names[org], "from": start, "to": end,
                       "source": ", ".join(sorted(srcs))})
    return dict(out)


def sanctions(store: Store, iris: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The sanctions decisions listing each entity: authority, date, act, decision, delisted, source."""
    acc: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for r in _rows(store, _SANCTIONS, iris):
        acc[(r["x"], r["sa"], r["authority"], r["date"], r["act"], r["decision"], r["delisted"])].add(source_id(r["g"]))
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (x, sa, authority, date, act, decision, delisted), srcs in sorted(acc.items(), key=lambda kv: tuple(str(v or "") for v in kv[0])):
        out[x].append({"sanction": sa, "authority": authority, "date": date, "act": act, "decision": decision,
                       "delisted": delisted, "source": ", ".join(sorted(srcs))})
    return dict(out)


def listed_now(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sanctions of an entity that have not delisted it."""
    return [s for s in entries if not s["delisted"]]
