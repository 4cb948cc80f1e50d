"""Sources -> a checked dataset: the value every later stage (validation, store) takes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..ontology.namespaces import ACCESS, DCTERMS, PROV, RDF, data_base
from ..ontology.resources import read_text
from . import records
from .sources import Source, default_paths, expand_paths, read_sources

ONTOLOGY_IRI = "https://w3id.org/repnet/ontology"


@dataclass
class Dataset:
    """Checked sources under one base. ``quads()`` streams the RDF (one named graph per source)."""

    sources: list[Source]
    base: str

    def quads(self) -> Iterator[ox.Quad]:
        yield from records.quads(self.sources, self.base)
        yield from vocabulary_quads(self.base)

    @property
    def record_count(self) -> int:
        return sum(len(s.records) for s in self.sources)


def vocabulary_quads(base: str) -> Iterator[ox.Quad]:
    """The SKOS concept schemes, in their own public graph, so queries can read concept labels."""
    g = ox.NamedNode(f"{base}graph/vocabulary")
    for t in ox.parse(read_text("concepts.ttl"), format=ox.RdfFormat.TURTLE):
        yield ox.Quad(t.subject, t.predicate, t.object, g)
    meta = ox.NamedNode(f"{base}graph/meta")
    yield ox.Quad(g, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Entity)), meta)
    yield ox.Quad(g, ox.NamedNode(str(PROV.wasDerivedFrom)), ox.NamedNode(ONTOLOGY_IRI), meta)
    yield ox.Quad(g, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)
    # the metadata graph is public too: it describes public graphs only (a restricted source's
    # description and its graphs' provenance live in its restricted graph)
    yield ox.Quad(meta, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)


def load_dataset(paths: Iterable[str | Path] | None = None, base: str | None = None) -> Dataset:
    """Read and check source files (default: the packaged data/). Raises SourceError listing every problem."""
    files = expand_paths(paths) if paths else default_paths()
    if not files:
        from .errors import Problem, SourceError

        where = ", ".join(map(str, paths or [])) or "data/"
        raise SourceError([Problem(where, None, None, "no source files found",
                                   "give .yaml or .json source files, or a folder that holds them")])
    sources = list(read_sources(files))
    records.check(sources)
    return Dataset(sources=sources, base=data_base(base))
