"""What a record cites (``cite:``), how it words its offences (``wording:``) and which of its values are
inferred (``inferred:``), read from a store.

A citation is stored with PROV-O in the graph of the record's source (see ontology/mapping.yaml)::

    <record> prov:qualifiedDerivation <citation> .
    <citation> a prov:Derivation, rpn:Citation ; prov:entity <document> ; rpn:quote "..." ; rpn:locator "..." .
    <document> a prov:Entity, schema:CreativeWork, rpn:CitedDocument ; schema:url <url> ; dcterms:title "..." ;
               schema:publisher "..." ; schema:datePublished "2025-12" .

a wording as ``<record> rpn:reportedOffence [ rpn:offence <offence> ; rpn:wordingAsReported "..." ]``, and an
inferred value as ``<record> rpn:hasInference [ rpn:inferredProperty <p> ; rpn:inferenceReason "..." ]``.
Both are read through the store's visible graphs, so a restricted record's citations stay hidden
unless restricted graphs are visible. Dates are returned as the source wrote them ("2025-12").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..iris import source_id
from ..sparql import chunks, values
from ..store.base import Store

CITATIONS = """
SELECT DISTINCT ?s ?g ?doc ?url ?title ?publisher ?date ?quote ?locator WHERE {
  %s
  GRAPH ?g { ?s prov:qualifiedDerivation ?c . ?c prov:entity ?doc .
    OPTIONAL { ?doc schema:url ?url } OPTIONAL { ?doc dcterms:title ?title }
    OPTIONAL { ?doc schema:publisher ?publisher FILTER(isLiteral(?publisher)) }
    OPTIONAL { ?doc schema:datePublished ?date }
    OPTIONAL { ?c rpn:quote ?quote } OPTIONAL { ?c rpn:locator ?locator } }
}"""

INFERENCES = """
SELECT DISTINCT ?s ?g ?i ?p ?why WHERE {
  %s
  GRAPH ?g { ?s rpn:hasInference ?i . ?i rpn:inferredProperty ?p . OPTIONAL { ?i rpn:inferenceReason ?why } }
}"""

WORDINGS = """
SELECT DISTINCT ?s ?g ?w ?o ?words WHERE {
  %s
  GRAPH ?g { ?s rpn:reportedOffence ?w . ?w rpn:offence ?o ; rpn:wordingAsReported ?words }
}"""


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)


def citations(store: Store, subjects: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Record IRI -> its citations, each ``{url, title, publisher, date, quote, locator, src: [source ids]}``.

    Keys whose value is unknown are left out. One citation stated by several sources is listed
    once with all of them in ``src``. Sorted by document date, title and quote.
    """
    found: dict[str, dict[tuple[Any, ...], set[str]]] = defaultdict(dict)
    for chunk in chunks(sorted(set(subjects))):
        for row in store.query(CITATIONS % values("s", chunk)):
            cite = {k: _text(row[k]) for k in ("url", "title", "publisher", "date", "quote", "locator")}
            key = tuple(sorted((k, v) for k, v in cite.items() if v is not None))
            found[row["s"].value].setdefault(key, set()).add(source_id(row["g"].value))
    out: dict[str, list[dict[str, Any]]] = {}
    for s, items in found.items():
        rows = [{**dict(k), "src": sorted(src)} for k, src in items.items()]
        out[s] = sorted(rows, key=lambda c: (c.get("date") or "", c.get("title") or "", c.get("quote") or ""))
    return out


def inferences(store: Store, subjects: Iterable[str]) -> dict[str, dict[tuple[str, str], str]]:
    """Record IRI -> {(property IRI, source id): reason} for every value a source marks inferred."""
    out: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for chunk in chunks(sorted(set(subjects))):
        for row in store.query(INFERENCES % values("s", chunk)):
            why = _text(row["why"]) or "inferred"
            out[row["s"].value][(row["p"].value, source_id(row["g"].value))] = why
    return dict(out)


def wordings(store: Store, subjects: Iterable[str]) -> dict[tuple[str, str], list[tuple[str, list[str]]]]:
    """(record IRI, offence IRI) -> [(the words a source used for it, [source ids])], for charges,
    sentences and administrative detentions that keep their source's wording."""
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(dict)
    for chunk in chunks(sorted(set(subjects))):
        for row in store.query(WORDINGS % values("s", chunk)):
            found[(row["s"].value, row["o"].value)].setdefault(row["words"].value, set()).add(source_id(row["g"].value))
    return {k: sorted((w, sorted(src)) for w, src in v.items()) for k, v in found.items()}


def wording_nodes(store: Store, subject: str) -> dict[str, tuple[str, str]]:
    """Wording node IRI -> (offence IRI, words) for one record (to show a wording where the node is linked)."""
    return {row["w"].value: (row["o"].value, row["words"].value) for row in store.query(WORDINGS % values("s", [subject]))}
