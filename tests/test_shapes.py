"""The SHACL shapes: every node shape has a passing and a failing fixture, and both engines agree.

Fixtures live in ``tests/fixtures/shapes/``: ``<Shape>.pass.ttl`` conforms to *all* shapes and
``<Shape>.fail.ttl`` violates that one shape only (its first line says how). Shapes are read from
the packaged ``shapes.ttl``, so a new shape without fixtures fails here.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from repnet.graph.ingest.shacl import Check, ShapesError, Violation, compile_shapes, jobs, packaged_checks, reads, run_checks
from repnet.graph.ingest.validate import ENGINES, Report, validate_store
from repnet.graph.store.embedded import EmbeddedStore, memory_store
from repnet.ontology.resources import shapes_text

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
GRAPH = ox.NamedNode("https://example.org/graph")
RPNS = "https://w3id.org/repnet/shapes#"


def node_shapes() -> list[str]:
    g = Graph().parse(data=shapes_text(), format="turtle")
    return sorted(str(s) for s in g.subjects(RDF.type, SH.NodeShape))


SHAPES = node_shapes()


def local(shape: str) -> str:
    return shape.rsplit("#", 1)[-1]


def fixture(shape: str, kind: str) -> Path:
    path = FIXTURES / f"{local(shape)}.{kind}.ttl"
    assert path.is_file(), f"missing fixture {path.relative_to(Path(__file__).parent)} for shape {shape}"
    return path


def load(path: Path) -> EmbeddedStore:
    triples = ox.parse(path.read_text(encoding="utf-8"), format=ox.RdfFormat.TURTLE)
    return memory_store(ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in triples)


@functools.cache
def report(path: Path, engine: str) -> Report:
    return validate_store(load(path), engine)


def explain(r: Report) -> str:
    return "\n".join(sorted(f"{v.focus} {v.shape} {v.path} {v.component}: {v.message}" for v in r.violations))


def test_shapes_found() -> None:
    assert len(SHAPES) >= 25
    assert all(s.startswith(RPNS) for s in SHAPES)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape", SHAPES, ids=local)
def test_pass_fixture_conforms(shape: str, engine: str) -> None:
    r = report(fixture(shape, "pass"), engine)
    assert r.conforms is True, explain(r)
    assert r.violations == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape", SHAPES, ids=local)
def test_fail_fixture_violates_only_its_shape(shape: str, engine: str) -> None:
    path = fixture(shape, "fail")
    assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name} must say on its first line what is wrong"
    r = report(path, engine)
    assert r.conforms is False
    assert {v.shape for v in r.violations} == {shape}, explain(r)


@pytest.mark.parametrize("shape", SHAPES, ids=local)
def test_engines_agree_on_fail_fixture(shape: str) -> None:
    path = fixture(shape, "fail")
    fast, reference = ({(v.focus, v.shape) for v in report(path, e).violations} for e in ("fast", "pyshacl"))
    assert fast == reference, f"only fast: {sorted(fast - reference)}; only pyshacl: {sorted(reference - fast)}"


def test_no_stale_fixtures() -> None:
    names = {local(s) for s in SHAPES}
    stale = sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name.split(".", 1)[0] not in names)
    assert stale == [], f"fixtures for shapes that no longer exist: {stale}"


UNSUPPORTED_PREFIXES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""


@pytest.mark.parametrize("body", [
    pytest.param("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 ] .""",
                 id="qualifiedValueShape"),
    pytest.param("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .""", id="sequence-path"),
    pytest.param("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] .""", id="inverse-path"),
    pytest.param("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:or ( [ sh:class ex:D ] [ sh:class ex:E ] ) ] .""", id="or-of-classes"),
    pytest.param("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:nodeKind sh:BlankNode ] .""", id="nodeKind-BlankNode"),
    pytest.param("""ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .""", id="closed"),
    pytest.param("""ex:S a sh:NodeShape ; sh:targetNode ex:n ;
        sh:property [ sh:path ex:p ; sh:minCount 1 ] .""", id="targetNode"),
    pytest.param("""ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .""", id="no-target"),
    pytest.param("""[] a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .""",
                 id="blank-node-shape"),
])
def test_compile_refuses_unsupported_shacl(body: str) -> None:
    with pytest.raises(ShapesError):
        compile_shapes(UNSUPPORTED_PREFIXES + body)


def test_compile_accepts_the_packaged_shapes() -> None:
    checks = compile_shapes(shapes_text())
    assert {c.shape for c in checks} == set(SHAPES)


ILL_TYPED = """
@prefix schema: <https://schema.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rpn: <https://w3id.org/repnet/ontology#> .
<https://example.org/e> schema:startDate "2024-02-30"^^xsd:date .
<https://example.org/f> rpn:earliestStart "2020-13-01"^^xsd:date .
"""


@pytest.mark.filterwarnings("ignore")
def test_ill_typed_literals_fail_in_both_engines(tmp_path: Path) -> None:
    path = tmp_path / "ill.ttl"
    path.write_text(ILL_TYPED, encoding="utf-8")
    found = {e: sorted((v.focus, local(v.shape), v.component) for v in validate_store(load(path), e).violations)
             for e in ENGINES}
    assert found["fast"] == found["pyshacl"] == [
        ("https://example.org/e", "StartDateShape", "Or"),
        ("https://example.org/f", "DateBoundsShape", "Datatype"),
    ]


SUBJECTS_OF = UNSUPPORTED_PREFIXES + """
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
    sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ] ;
    sh:property [ sh:path ex:q ; sh:minCount 1 ] .
ex:T a sh:NodeShape ; sh:targetSubjectsOf ex:r ; sh:property [ sh:path ex:r ; sh:minCount 2 ] .
"""
SUBJECTS_OF_DATA = """
@prefix ex: <https://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ok ex:p 1 ; ex:q "x" .
ex:two ex:p 1, 2 ; ex:q "x" .
ex:word ex:p "one" ; ex:q "x" .
ex:noq ex:p 3 .
ex:oneR ex:r 1 .
ex:twoR ex:r 1, 2 .
"""


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("engine", ENGINES)
def test_a_subjects_of_target_is_checked_without_a_target_join(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import repnet.graph.ingest.shacl as shacl
    import repnet.graph.ingest.validate as validate

    checks = compile_shapes(SUBJECTS_OF)
    own = [c for c in checks if c.path == "https://example.org/p"]
    assert sorted(c.component for c in own) == ["Datatype", "MaxCount"]  # minCount 1 always holds
    assert not any("DISTINCT ?this" in c.sparql for c in own)
    other = [c for c in checks if c.path == "https://example.org/q"]
    assert [c.component for c in other] == ["MinCount"] and "SELECT DISTINCT ?this" in other[0].sparql
    monkeypatch.setattr(shacl, "packaged_checks", lambda: tuple(checks))
    monkeypatch.setattr(validate, "shapes_text", lambda: SUBJECTS_OF)
    path = tmp_path / "d.ttl"
    path.write_text(SUBJECTS_OF_DATA, encoding="utf-8")
    found = sorted((v.focus.rsplit("/", 1)[-1], v.path.rsplit("/", 1)[-1], v.component)
                   for v in validate_store(load(path), engine).violations)
    assert found == [("noq", "q", "MinCount"), ("oneR", "r", "MinCount"), ("two", "p", "MaxCount"),
                     ("word", "p", "Datatype")]


def _triple(s: str, p: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))


def test_the_checks_across_sources_read_their_predicates_and_classes_and_no_derived_period() -> None:
    read = reads(tuple(c for c in packaged_checks() if c.across)).matches
    rpn, x = "https://w3id.org/repnet/ontology#", "https://example.org/x"
    assert read(_triple(x, f"{rpn}detainedPerson", x))
    assert read(_triple(x, str(RDF.type), "https://schema.org/Person"))
    assert not read(_triple(x, str(RDF.type), f"{rpn}StatusPeriod"))
    assert not read(_triple(x, f"{rpn}periodOf", x))
    assert not read(_triple(x, "https://schema.org/startDate", x))


def test_a_query_written_in_the_shapes_may_read_every_triple() -> None:
    anything = reads((Check("urn:x-test:shape", None, "SPARQL", "", "", "SELECT ?this WHERE { ?this ?p ?o }"),))
    assert (anything.predicates, anything.classes) == (None, None)
    assert anything.matches(_triple("https://example.org/x", "urn:x-test:p", "https://example.org/x"))


def _query_patterns(sparql: str) -> set[tuple[str, str | None]]:
    """The triple patterns of a query by rdflib's SPARQL algebra: (predicate, the class of an
    rdf:type pattern, else None)."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    out: set[tuple[str, str | None]] = set()

    def walk(x: object) -> None:
        if isinstance(x, CompValue):
            if x.name == "BGP":
                for _, p, o in x.triples:
                    assert isinstance(p, URIRef)  # no variable or path predicate in a compiled check
                    out.add((str(p), str(o) if p == RDF.type and isinstance(o, URIRef) else None))
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)

    walk(prepareQuery(sparql).algebra)
    return out


def test_every_compiled_check_declares_exactly_the_triple_patterns_of_its_query() -> None:
    compiled = [c for c in packaged_checks() if c.component != "SPARQL"]
    assert len(compiled) > 100
    for c in compiled:
        assert c.patterns is not None and set(c.patterns) == _query_patterns(c.sparql), c


def test_a_derived_graph_is_read_by_no_check_and_the_same_triples_in_a_source_graph_are() -> None:
    triples = list(ox.parse(fixture(f"{RPNS}DetentionShape", "fail").read_text(encoding="utf-8"),
                            format=ox.RdfFormat.TURTLE))
    derived = ox.NamedNode("https://example.org/graph/derived")  # what the build computes, never a source
    store = memory_store(ox.Quad(t.subject, t.predicate, t.object, derived) for t in triples)
    assert validate_store(store, "fast").violations == []
    store.oxigraph.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in triples)
    found = {(local(v.shape), v.component, v.source is None) for v in validate_store(store, "fast").violations}
    assert ("DetentionShape", "Class", True) in found and ("DetentionShape", "MaxCount", False) in found


def test_checks_run_together_report_what_each_reports_alone() -> None:
    # every failing fixture in one graph: Class checks of several shapes against one class, and
    # minCount / maxCount pairs, fire in the same joined queries
    triples = [t for shape in SHAPES for t in ox.parse(fixture(shape, "fail").read_text(encoding="utf-8"),
                                                       format=ox.RdfFormat.TURTLE)]
    store = memory_store(ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in triples).oxigraph
    checks = list(packaged_checks())
    joined = [cs for cs, _ in jobs(checks) if len(cs) > 1]
    assert {cs[0].component for cs in joined} == {"Class", "MinCount"}
    assert [c.component for cs in joined if cs[0].component == "MinCount" for c in cs] == ["MinCount", "MaxCount"] * (
        sum(1 for cs in joined if cs[0].component == "MinCount"))

    def key(v: Violation) -> tuple[str, str, str | None, str, str | None]:
        return v.focus, v.shape, v.path, v.component, v.value

    together = run_checks(store, checks)
    alone = [v for c in checks for v in run_checks(store, [dataclasses.replace(c, part=None, shares=None, pair=None)])]
    assert sorted(set(map(key, together))) == sorted(set(map(key, alone)))
    fired = {(v.component, v.shape) for v in together}
    assert sum(1 for comp, _ in fired if comp == "Class") >= 2 and {"MinCount", "MaxCount"} <= {comp for comp, _ in fired}
    # violations come in the order of the checks
    order = {c: i for i, c in enumerate(checks)}
    ranks = [order[next(c for c in checks if (c.shape, c.path, c.component, c.message) == (v.shape, v.path, v.component, v.message))]
             for v in together]
    assert ranks == sorted(ranks)
