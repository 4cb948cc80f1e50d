"""Validation of built RDF against ontology/shapes.ttl.

Two engines give the same verdict: ``fast`` (shapes compiled to SPARQL, run inside Oxigraph; the
default, linear in the data) and ``pyshacl`` (the reference implementation, for small data and
for cross-checking).

Each source is validated on its own graphs (public and restricted): two sources may state
different values for one fact, and those are kept and listed by the ``conflicts`` query. Only the
constraints marked ``rpns:acrossSources`` in the shapes (references and types, one preferred name
per language, provenance) are checked on the union; their violations name every source that states
a value, with the value.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ...ontology.resources import shapes_text
from ..errors import ValidationFailed
from ..iris import is_derived
from ..progress import Progress
from ..store.embedded import EmbeddedStore
from .dataset import Dataset
from .shacl import Violation, run_checks, scoped_shapes

ENGINES = ("fast", "pyshacl")


@dataclass
class Report:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def text(self, where: Locations | None = None) -> str:
        """Violations grouped by message; each focus node placed in its source file when known."""
        if self.conforms:
            return "The data conforms to the shapes."
        groups: dict[tuple[str, str | None], list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[(v.message, v.path)].append(v)
        lines = [f"{len(self.violations)} violation{'s' if len(self.violations) != 1 else ''} of the SHACL shapes:"]
        for (msg, path), vs in sorted(groups.items(), key=lambda kv: kv[0][0]):
            lines.append(f"- {msg}" + (f" [{path}]" if path else ""))
            for v in sorted(vs, key=lambda v: (v.focus, v.source or ""))[:20]:
                loc = where.get(v.focus, v.source) if where else None
                val = f" (value: {v.value})" if v.value is not None and not v.stated else ""
                lines.append(f"    {loc or v.focus}{val}")
                for doc, value in v.stated:
                    lines.append(f"      {(where.source_file(doc) if where else None) or doc} says: {value}")
            if len(vs) > 20:
                lines.append(f"    ... and {len(vs) - 20} more")
        return "\n".join(lines)


_SOURCE_GRAPHS = """SELECT ?doc ?g WHERE { GRAPH ?m { ?g a <https://w3id.org/repnet/ontology#SourceGraph> ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> ?doc } }"""


def source_scopes(store: Any) -> list[tuple[str, list[str]]]:
    """(source document IRI, the graphs built from it) for every source in a pyoxigraph store.

    A named graph that no source claims (the metadata and vocabulary graphs, a graph loaded by
    hand) is a scope of its own, named by its IRI.
    """
    by_doc: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_SOURCE_GRAPHS):
        by_doc[row["doc"].value].add(row["g"].value)
    claimed = {g for gs in by_doc.values() for g in gs}
    for g in store.named_graphs():
        if isinstance(g, ox.NamedNode) and g.value not in claimed and not is_derived(g.value):
            by_doc[g.value].add(g.value)
    return [(doc, sorted(gs)) for doc, gs in sorted(by_doc.items())]


def validate_store(store: EmbeddedStore, engine: str = "fast", progress: Progress | None = None) -> Report:
    """Validate each source's graphs on their own, and the union for the constraints across sources.

    ``progress("validating", done, total)`` follows the checks of the fast engine."""
    scopes = source_scopes(store.oxigraph)
    if engine == "fast":
        vs = run_checks(store.oxigraph, scopes=scopes, progress=progress)
    elif engine == "pyshacl":
        vs = _pyshacl(store, scopes)
    else:
        raise ValueError(f"unknown engine {engine!r}; use one of {ENGINES}")
    vs = [_with_statements(store.oxigraph, v, scopes) if v.source is None and v.path else v for v in vs]
    return Report(conforms=not vs, violations=vs)


def _with_statements(store: Any, v: Violation, scopes: list[tuple[str, list[str]]]) -> Violation:
    """A violation across sources, with what each source states for its focus node and path."""
    doc_of = {g: doc for doc, gs in scopes for g in gs}
    assert v.path is not None
    rows = store.query(f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ {ox.NamedNode(v.focus)} {ox.NamedNode(v.path)} ?o }} }}")
    stated = sorted({(doc_of[r["g"].value], _plain(r["o"])) for r in rows if r["g"].value in doc_of})
    return dataclasses.replace(v, stated=tuple(stated)) if len({d for d, _ in stated}) > 1 else v


def _plain(term: Any) -> str:
    return f"{term.value}" + (f" ({term.language})" if isinstance(term, ox.Literal) and term.language else "")


def _pyshacl(store: EmbeddedStore, scopes: list[tuple[str, list[str]]]) -> list[Violation]:
    """pySHACL on each source's graphs with the per-source shapes, then on the union with the rest."""
    text = shapes_text()
    own = scoped_shapes(text, across_sources=False)
    out = [v for doc, gs in scopes for v in _pyshacl_run(_graph_of(store, gs), own, doc)]
    return _pyshacl_run(_graph_of(store, None), scoped_shapes(text, across_sources=True), None) + out


def _graph_of(store: EmbeddedStore, graphs: list[str] | None) -> Any:
    from rdflib import Graph

    ox_store = store.oxigraph
    quads = (ox_store.quads_for_pattern(None, None, None, None) if graphs is None else
             (q for g in graphs for q in ox_store.quads_for_pattern(None, None, None, ox.NamedNode(g))))
    nt = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    # the union of the graphs: drop graph names
    return Graph().parse(data=_strip_graphs(nt), format="nt")


def _pyshacl_run(data: Any, shapes: Any, source: str | None) -> list[Violation]:
    import pyshacl
    from rdflib.namespace import SH

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    out = []
    for r in report.subjects(SH.resultSeverity, None):
        focus = report.value(r, SH.focusNode)
        src = report.value(r, SH.sourceShape)
        # a property shape is a blank node: report the node shape that holds it
        node_shape = shapes.value(None, SH.property, src) or src
        path = report.value(r, SH.resultPath)
        comp = str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        value = report.value(r, SH.value)
        msg = report.value(r, SH.resultMessage)
        out.append(Violation(str(focus), str(node_shape), str(path) if path else None, comp,
                             str(value) if value is not None else None, str(msg), str(report.value(r, SH.resultSeverity)),
                             source))
    return out


def _strip_graphs(nquads: bytes | None) -> str:
    triples = ox.parse(nquads or b"", format=ox.RdfFormat.N_QUADS)
    return (ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()


@dataclass
class Locations:
    """Where records are in the source files, for messages that point at them."""

    first: dict[str, str] = field(default_factory=dict)  # entity IRI -> where a source first defines it
    by_source: dict[tuple[str, str], str] = field(default_factory=dict)  # (source document IRI, entity IRI) -> where
    files: dict[str, str] = field(default_factory=dict)  # source document IRI -> "file (source ID)"

    def get(self, iri: str, source: str | None = None) -> str | None:
        """ "file, line N, record ID" of the record for ``iri`` in ``source`` (else the first one)."""
        return self.by_source.get((source, iri)) if source and (source, iri) in self.by_source else self.first.get(iri)

    def source_file(self, doc: str) -> str | None:
        return self.files.get(doc)


def locations(dataset: Dataset) -> Locations:
    """Where each record of the dataset is: file, line and record id."""
    out = Locations()
    for src in dataset.sources:
        doc = f"{dataset.base}id/source/{src.id}"
        out.files[doc] = f"{src.path} (source {src.id})"
        for rec in src.records:
            if rec.id:
                iri = f"{dataset.base}id/{rec.id}"
                where = f"{rec.file}" + (f", line {rec.line}" if rec.line else "") + f", record {rec.id}"
                out.first.setdefault(iri, where)
                out.by_source.setdefault((doc, iri), where)
    return out


def require_valid(dataset: Dataset, engine: str = "fast",
                  progress: Progress | None = None) -> Callable[[EmbeddedStore], None]:
    """A store check for :func:`repnet.graph.store.layout.replace_store` that raises ValidationFailed."""

    def check(store: EmbeddedStore) -> None:
        report = validate_store(store, engine, progress)
        if not report.conforms:
            raise ValidationFailed(report, report.text(locations(dataset)) + "\nFix the records above and build again.")

    return check
