"""Validation of built RDF against ontology/shapes.ttl.

Two engines give the same verdict: ``fast`` (shapes compiled to SPARQL, run inside Oxigraph; the
default, linear in the data) and ``pyshacl`` (the reference implementation, for small data and
for cross-checking).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..ontology.resources import shapes_text
from .dataset import Dataset
from .errors import ValidationFailed
from .shacl import Violation, run_checks
from .store import EmbeddedStore

ENGINES = ("fast", "pyshacl")


@dataclass
class Report:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def text(self, where: dict[str, str] | None = None) -> str:
        """Violations grouped by message; each focus node placed in its source file when known."""
        if self.conforms:
            return "The data conforms to the shapes."
        groups: dict[tuple[str, str | None], list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[(v.message, v.path)].append(v)
        lines = [f"{len(self.violations)} violation{'s' if len(self.violations) != 1 else ''} of the SHACL shapes:"]
        for (msg, path), vs in sorted(groups.items(), key=lambda kv: kv[0][0]):
            lines.append(f"- {msg}" + (f" [{path}]" if path else ""))
            for v in sorted(vs, key=lambda v: v.focus)[:20]:
                loc = (where or {}).get(v.focus)
                val = f" (value: {v.value})" if v.value is not None else ""
                lines.append(f"    {loc or v.focus}{val}")
            if len(vs) > 20:
                lines.append(f"    ... and {len(vs) - 20} more")
        return "\n".join(lines)


def validate_store(store: EmbeddedStore, engine: str = "fast") -> Report:
    """Validate the union of all graphs of a store."""
    if engine == "fast":
        vs = run_checks(store.oxigraph)
    elif engine == "pyshacl":
        vs = _pyshacl(store)
    else:
        raise ValueError(f"unknown engine {engine!r}; use one of {ENGINES}")
    return Report(conforms=not vs, violations=vs)


def _pyshacl(store: EmbeddedStore) -> list[Violation]:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    import pyoxigraph as ox

    data = Graph()
    nt = ox.serialize(store.oxigraph.quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS)
    # the union of all graphs: drop graph names
    data.parse(data=_strip_graphs(nt), format="nt")
    shapes = Graph().parse(data=shapes_text(), format="turtle")
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
                             str(value) if value is not None else None, str(msg), str(report.value(r, SH.resultSeverity))))
    return out


def _strip_graphs(nquads: bytes | None) -> str:
    import pyoxigraph as ox

    triples = ox.parse(nquads or b"", format=ox.RdfFormat.N_QUADS)
    return (ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def locations(dataset: Dataset) -> dict[str, str]:
    """Entity IRI -> "file, line N, record ID" for messages that point at the source."""
    out = {}
    for src in dataset.sources:
        for rec in src.records:
            if rec.id:
                iri = f"{dataset.base}id/{rec.id}"
                out.setdefault(iri, f"{rec.file}" + (f", line {rec.line}" if rec.line else "") + f", record {rec.id}")
    return out


def require_valid(dataset: Dataset, engine: str = "fast") -> "callable[[EmbeddedStore], None]":  # type: ignore[valid-type]
    """A store check for :func:`repnet.graph.store.replace_store` that raises ValidationFailed."""

    def check(store: EmbeddedStore) -> None:
        report = validate_store(store, engine)
        if not report.conforms:
            raise ValidationFailed(report, report.text(locations(dataset)) + "\nFix the records above and build again.")

    return check
