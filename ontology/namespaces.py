"""Every namespace repnet uses, in one place.

Vocabulary IRIs (``RPN``, ``RPNC``) are fixed: they name the ontology. Data IRIs (entities,
events, named graphs) live under a configurable *base* (``REPNET_BASE`` or ``--base``); see
:func:`data_base`.
"""

from __future__ import annotations

import os

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

RPN = Namespace("https://w3id.org/repnet/ontology#")
RPNC = Namespace("https://w3id.org/repnet/concept/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
FTM = Namespace("https://schema.followthemoney.tech/#")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SCHEMA = SDO

DEFAULT_BASE = "https://w3id.org/repnet/"

PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SDO),
    "org": str(ORG),
    "eli": str(ELI),
    "ftm": str(FTM),
    "wd": str(WD),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "rpn": str(RPN),
    "rpnc": str(RPNC),
}


def data_base(base: str | None = None) -> str:
    """The base IRI for minted data IRIs: the argument, else ``REPNET_BASE``, else the default."""
    value = base or os.environ.get("REPNET_BASE") or DEFAULT_BASE
    return value if value.endswith(("/", "#")) else value + "/"


def data_prefixes(base: str) -> dict[str, str]:
    """Prefixes for one data base: one CURIE prefix per IRI pattern (Turtle local names cannot hold '/')."""
    return {
        "graph": f"{base}graph/",
        "person": f"{base}id/person/",
        "orgs": f"{base}id/org/",
        "place": f"{base}id/place/",
        "source": f"{base}id/source/",
    }


def expand(curie: str) -> str:
    """``"schema:Person"`` -> full IRI string; raises KeyError for an unknown prefix."""
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local
