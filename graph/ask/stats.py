"""What a store holds: triples, named graphs, entities per class, sources."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ..store.base import Store
from ..terms import to_python

_GRAPHS = """
SELECT ?g (COUNT(*) AS ?triples) ?access WHERE {
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { GRAPH ?mg { ?g dcterms:accessRights ?access } }
} GROUP BY ?g ?access ORDER BY ?g
"""

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER (?g NOT IN (%s) && ?class NOT IN (rpn:SourceGraph, prov:Entity))
} GROUP BY ?class ORDER BY DESC(?entities) ?class
"""

_SOURCES = """
SELECT ?source ?id ?title ?publisher ?date ?access (SUM(?n) AS ?triples) WHERE {
  ?g a rpn:SourceGraph ; prov:wasDerivedFrom ?source ; dcterms:accessRights ?access .
  ?source dcterms:title ?title ; schema:publisher ?pub ; schema:datePublished ?date .
  OPTIONAL { ?pub skos:prefLabel ?publisher }
  { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g }
} GROUP BY ?source ?id ?title ?publisher ?date ?access ORDER BY ?source ?access
"""


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            return iri.rsplit(sep, 1)[-1]
    return iri


def restricted_counts(full: Store) -> dict[str, int]:
    """Triples per restricted graph, keyed by source id: numbers only, never titles or content."""
    out: dict[str, int] = {}
    for r in full.query(_GRAPHS, union=False):
        g = to_python(r["g"])
        if g.endswith("/restricted"):
            sid = g.split("/graph/", 1)[-1].removesuffix("/restricted")
            out[sid] = out.get(sid, 0) + to_python(r["triples"])
    return out


def stats(store: Store, full: Store | None = None) -> dict[str, Any]:
    """A summary of the store as plain data (see `repnet stats --format json`).

    ``store`` is what may be shown (public graphs unless opened otherwise); ``full``, when given,
    only adds how many triples each source keeps restricted, and how many in sources that are
    restricted as a whole.
    """
    graphs = [{"graph": to_python(r["g"]), "triples": to_python(r["triples"]),
               "access": _local(to_python(r["access"])) if r["access"] else None}
              for r in store.query(_GRAPHS, union=False, named=store.visible_graphs())]
    special = {name: ox.NamedNode(next((g["graph"] for g in graphs if g["graph"].endswith(f"/graph/{name}")), "urn:none"))
               for name in ("meta", "vocabulary")}
    skip = ", ".join(str(n) for n in special.values())  # str(NamedNode) is the escaped <iri>
    classes = [{"class": to_python(r["class"]), "entities": to_python(r["entities"])}
               for r in store.query(_CLASSES % skip, union=False)]
    sources: dict[str, dict[str, Any]] = {}
    for r in store.query(_SOURCES):
        iri = to_python(r["source"])
        s = sources.setdefault(iri, {"source": _local(iri), "title": to_python(r["title"]),
                                     "publisher": to_python(r["publisher"]), "date": to_python(r["date"]),
                                     "triples": 0, "restricted_triples": 0})
        key = "restricted_triples" if _local(to_python(r["access"])) == "RESTRICTED" else "triples"
        s[key] += to_python(r["triples"])
    hidden = restricted_counts(full) if full is not None else {}
    unlisted = 0
    for sid, n in hidden.items():
        row = next((x for x in sources.values() if x["source"] == sid), None)
        if row is None:
            unlisted += n  # a source restricted as a whole: not even its title is shown
        elif row["restricted_triples"] == 0:
            row["restricted_triples"] = n
    return {
        "store": str(store.location) if store.location else ":memory:",
        "restricted_triples": sum(hidden.values()) if full is not None else None,
        "restricted_sources_triples": unlisted if full is not None else None,
        "triples": len(store),
        "named_graphs": len(graphs),
        "graphs": graphs,
        "classes": classes,
        "sources": list(sources.values()),
    }
