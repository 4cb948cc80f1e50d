"""The dataset description: VoID and DCAT, computed from the visible (by default public) graphs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, DCAT, DCTERMS, DEFAULT_BASE, ELI, ORG, PROV, RPN, SDO, SKOS, VOID, XSD
from ...ontology.namespaces import RDF as RDF_NS
from ..formats import EXTENSIONS, RDF, media_type
from ..iris import base_of
from ..store.base import Store

TITLE = "repnet: a knowledge graph of political-repression networks"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DUMP_FORMATS = ("trig", "nquads", "jsonld", "turtle")

_CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"""
_SOURCES = """SELECT ?g ?doc (COUNT(*) AS ?n) WHERE { ?g a rpn:SourceGraph ; prov:wasDerivedFrom ?doc . GRAPH ?g { ?s ?p ?o } }
GROUP BY ?g ?doc ORDER BY ?g"""


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _modified(store: Store) -> str:
    """When the store was built: from its generation's name, else today."""
    if isinstance(store.location, Path):  # a remote store's location is its URL
        link = store.location / "current"
        m = re.search(r"gen-(\d{8})T", str(link.resolve())) if link.exists() else None
        if m:
            return dt.datetime.strptime(m.group(1), "%Y%m%d").date().isoformat()
    return dt.date.today().isoformat()


def describe(store: Store, endpoint: str | None = None, dump_base: str | None = None) -> Iterator[ox.Triple]:
    """VoID + DCAT triples for the store as it is visible (public graphs only unless opened otherwise)."""
    seen: set[ox.Triple] = set()
    for t in _describe(store, endpoint, dump_base):
        if t not in seen:
            seen.add(t)
            yield t


def _describe(store: Store, endpoint: str | None, dump_base: str | None) -> Iterator[ox.Triple]:
    base = base_of(store.named_graphs(), DEFAULT_BASE)
    ds = _n(base + "dataset")
    T = ox.Triple
    yield T(ds, _n(str(RDF_NS.type)), _n(str(VOID.Dataset)))
    yield T(ds, _n(str(RDF_NS.type)), _n(str(DCAT.Dataset)))
    yield T(ds, _n(str(DCTERMS.title)), ox.Literal(TITLE, language="en"))
    yield T(ds, _n(str(DCTERMS.description)), ox.Literal(
        "Facts about political repression (detentions, charges, courts, sentences, colonies, releases and the "
        "negotiations behind them) recorded from cited sources, one named graph per source.", language="en"))
    yield T(ds, _n(str(DCTERMS.publisher)), _n(base + "id/org/repnet"))
    yield T(ds, _n(str(DCTERMS.license)), _n(LICENSE))
    yield T(ds, _n(str(DCTERMS.modified)), ox.Literal(_modified(store), datatype=_n(str(XSD.date))))
    yield T(ds, _n(str(DCTERMS.accessRights)), _n(
        str(ACCESS.PUBLIC if store.public_only else ACCESS.RESTRICTED)))
    yield T(ds, _n(str(VOID.uriSpace)), ox.Literal(base + "id/"))
    for vocab in map(str, (RPN, SDO, ORG, PROV, SKOS, ELI)):
        yield T(ds, _n(str(VOID.vocabulary)), _n(vocab))
    yield T(ds, _n(str(VOID.triples)), ox.Literal(str(len(store)), datatype=_n(str(XSD.integer))))
    for row in store.query(_CLASSES):
        part = _n(base + "dataset/class/" + re.sub(r"[^A-Za-z0-9]+", "-", row["class"].value).strip("-"))
        yield T(ds, _n(str(VOID.classPartition)), part)
        yield T(part, _n(str(VOID["class"])), row["class"])
        yield T(part, _n(str(VOID.entities)), row["n"])
    for row in store.query(_SOURCES):
        g = row["g"]
        yield T(ds, _n(str(VOID.subset)), g)
        yield T(g, _n(str(RDF_NS.type)), _n(str(VOID.Dataset)))
        yield T(g, _n(str(VOID.triples)), row["n"])
        yield T(g, _n(str(DCTERMS.source)), row["doc"])
        yield T(ds, _n(str(DCTERMS.source)), row["doc"])
    if endpoint:
        yield T(ds, _n(str(VOID.sparqlEndpoint)), _n(endpoint))
        svc = _n(base + "dataset/sparql")
        yield T(svc, _n(str(RDF_NS.type)), _n(str(DCAT.DataService)))
        yield T(svc, _n(str(DCAT.endpointURL)), _n(endpoint))
        yield T(svc, _n(str(DCAT.servesDataset)), ds)
        yield T(ds, _n(str(DCAT.accessService)), svc)
    if dump_base:
        for fmt in DUMP_FORMATS:
            media = media_type(RDF[fmt])
            url = dump_base.rstrip("/") + f"/repnet{EXTENSIONS[fmt]}"
            dist = _n(f"{base}dataset/distribution/{fmt}")
            yield T(ds, _n(str(VOID.dataDump)), _n(url))
            yield T(ds, _n(str(DCAT.distribution)), dist)
            yield T(dist, _n(str(RDF_NS.type)), _n(str(DCAT.Distribution)))
            yield T(dist, _n(str(DCAT.downloadURL)), _n(url))
            yield T(dist, _n(str(DCAT.mediaType)), _n(f"https://www.iana.org/assignments/media-types/{media}"))
            yield T(dist, _n(str(DCTERMS.license)), _n(LICENSE))
