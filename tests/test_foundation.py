"""The foundation modules every stage imports: their documented examples run and hold."""

from __future__ import annotations

import doctest
import importlib

import pyoxigraph as ox
import pytest

from repnet.graph.errors import UsageError
from repnet.graph.files import atomic_output, write_text
from repnet.graph.terms import from_tsv, split_tsv_literal, to_python

FOUNDATION = ["repnet.graph.sparql", "repnet.graph.formats", "repnet.graph.iris", "repnet.graph.files",
              "repnet.graph.dates", "repnet.graph.api", "repnet.graph.terms", "repnet.graph.runtime"]


@pytest.mark.parametrize("name", FOUNDATION)
def test_documented_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


XSD = "http://www.w3.org/2001/XMLSchema#"
TERMS = [ox.NamedNode("https://w3id.org/repnet/id/person/é-x"), ox.BlankNode("b1"), ox.Literal("plain"), ox.Literal(""),
         ox.Literal('tab\there, "quoted", back\\slash,\nnew line, \r, \x01, ü', language="be"),
         ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("-2.50", datatype=ox.NamedNode(XSD + "decimal")),
         ox.Literal("1.5E0", datatype=ox.NamedNode(XSD + "double")), ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
         ox.Literal("2025-12-13", datatype=ox.NamedNode(XSD + "date")), ox.Literal("2023-06", datatype=ox.NamedNode(XSD + "gYearMonth")),
         ox.Literal("P5Y", datatype=ox.NamedNode(XSD + "duration"))]


def test_tsv_cells_read_as_the_terms_oxigraph_wrote() -> None:
    store = ox.Store()
    for i, term in enumerate(TERMS):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"), term))
    result = store.query("SELECT ?i ?o (LANG(?o) AS ?l) WHERE { ?s <http://example.org/p> ?o BIND(STRAFTER(STR(?s), 's') AS ?i) }")
    lines = result.serialize(format=ox.QueryResultsFormat.TSV).decode().split("\n")[1:-1]
    assert len(lines) == len(TERMS)
    for line in lines:
        i, o, lang = line.split("\t")
        term = TERMS[int(from_tsv(i))]
        stored = next(iter(store.quads_for_pattern(None, None, term))).object  # as Oxigraph keeps it (2.50 -> 2.5)
        assert from_tsv(o) == to_python(stored), line
        if o.startswith('"'):  # a literal not abbreviated: its language too
            assert split_tsv_literal(o)[2] == term.language  # type: ignore[union-attr]
        assert from_tsv(lang) == ((term.language or "") if isinstance(term, ox.Literal) else None)  # LANG(IRI): unbound


@pytest.mark.parametrize("path", ["/nonexistent/dir/x.html", "/proc/x.csv"])
def test_an_unwritable_output_is_a_usage_error_naming_the_path(path: str) -> None:
    with pytest.raises(UsageError, match=f"cannot write {path}: "):
        write_text(path, "x")


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_part(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "page.html"
    target.write_text("previous")
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(target) as f:
            f.write("half a page")
            raise KeyboardInterrupt
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
