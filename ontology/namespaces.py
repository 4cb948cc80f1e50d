"""Every namespace repnet uses, in one place.

Vocabulary IRIs (``RPN``, ``RPNC``) are fixed: they name the ontology. Data IRIs (entities,
events, named graphs) live under a configurable *base* (``REPNET_BASE`` or ``--base``); see
:func:`data_base`.
"""

from __future__ import annotations

import os


class Namespace(str):
    """A vocabulary's namespace IRI; ``NS.term`` and ``NS["term"]`` are a term's IRI, a plain ``str``.

    Hand-written rather than rdflib's ``Namespace`` (whose terms are ``URIRef``) for start-up time:
    importing rdflib took 0.09-0.13 s of every command that reads the store, about a third of
    `repnet query` answering from a kept answer. Every user of these names wants the IRI's text
    (for SPARQL, N-Quads and pyoxigraph terms); code that builds rdflib graphs (the SHACL shapes,
    pySHACL, the tests) makes its rdflib terms itself, with ``rdflib.URIRef`` or rdflib's own
    namespaces.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):  # copy, pickle and the like look for dunder methods
            raise AttributeError(name)
        return str(self) + name

    def __getitem__(self, key: str) -> str:  # type: ignore[override]
        return str(self) + key

    @property
    def title(self) -> str:  # type: ignore[override]
        """``dcterms:title`` and the like: a term named as a ``str`` method is reached as an attribute
        only when the class defines it (write any other such term as ``NS["term"]``)."""
        return str(self) + "title"


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SDO = Namespace("https://schema.org/")
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
