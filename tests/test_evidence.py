"""Status evidence read from a store (graph/ask/status.py evidence): what each kind of record gives."""

from __future__ import annotations

import pyoxigraph as ox

from repnet.graph.ask.status import Evidence, When, evidence
from repnet.graph.store.embedded import memory_store

RPN = "https://w3id.org/repnet/ontology#"
SCHEMA = "https://schema.org/"
EX = "https://example.org/synthetic/"
GRAPH, META, DOC = f"{EX}graph/a", f"{EX}graph/meta", f"{EX}doc/a"


def quads(graph: str, *triples: tuple[str, str, str | ox.Literal]) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o if isinstance(o, ox.Literal) else ox.NamedNode(o), ox.NamedNode(graph))
            for s, p, o in triples]


def day(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))


def test_detentions_arrests_and_returns_give_their_evidence_once_each() -> None:
    type_ = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    store = memory_store(
        quads(META, (GRAPH, "http://www.w3.org/ns/prov#wasDerivedFrom", DOC), (DOC, type_, f"{RPN}SourceDocument"))
        + quads(GRAPH,
                # an arrest that (unlike what the mapping writes) names two facilities: one piece of evidence, no facility
                (f"{EX}arrest", f"{RPN}arrestedPerson", f"{EX}person/a"), (f"{EX}arrest", f"{SCHEMA}startDate", day("2021-03-04")),
                (f"{EX}arrest", f"{RPN}heldAt", f"{EX}site/1"), (f"{EX}arrest", f"{RPN}heldAt", f"{EX}site/2"),
                (f"{EX}return", f"{RPN}returnedPerson", f"{EX}person/a"), (f"{EX}return", f"{SCHEMA}startDate", day("2023-05-06")),
                (f"{EX}return", f"{RPN}heldAt", f"{EX}site/3"),
                (f"{EX}detention", f"{type_}", f"{RPN}Detention"), (f"{EX}detention", f"{RPN}detainedPerson", f"{EX}person/b"),
                (f"{EX}detention", f"{SCHEMA}startDate", day("2022-01-02")), (f"{EX}detention", f"{RPN}heldAt", f"{EX}site/1")))
    found = sorted(evidence(store.oxigraph, [GRAPH]), key=lambda ev: ev.record)

    def on(text: str) -> When:  # a stated day whose bounds the store does not hold (the build writes them)
        return When(text, None, None)

    assert found == [
        Evidence(f"{EX}person/a", "start", f"{EX}arrest", DOC, start=on("2021-03-04")),
        Evidence(f"{EX}person/b", "detention", f"{EX}detention", DOC, start=on("2022-01-02"), facility=f"{EX}site/1"),
        Evidence(f"{EX}person/a", "start", f"{EX}return", DOC, start=on("2023-05-06"), facility=f"{EX}site/3"),
    ]
