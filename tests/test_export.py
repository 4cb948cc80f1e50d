"""Exports and the dataset description: every format reads back to the same data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.compare import isomorphic

from repnet.cli import cli
from repnet.graph.ask.describe import describe
from repnet.graph.formats import RDF
from repnet.graph.publish.export import export_rdf
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID

DESCRIPTION = "https://w3id.org/repnet/graph/description"


@pytest.fixture(scope="module")
def store_dir(belarus_dir: Path) -> Path:
    return belarus_dir


@pytest.fixture(scope="module")
def public(store_dir: Path) -> EmbeddedStore:
    return open_store(store_dir)


def expected_dataset(store: EmbeddedStore) -> ox.Dataset:
    ds = ox.Dataset(store.quads())
    g = ox.NamedNode(DESCRIPTION)
    for t in describe(store):
        ds.add(ox.Quad(t.subject, t.predicate, t.object, g))
    return ds


@pytest.mark.parametrize("fmt", sorted(RDF))
def test_every_format_reads_back_to_the_same_data(public: EmbeddedStore, fmt: str) -> None:
    buf = io.BytesIO()
    written = export_rdf(public, fmt, buf)
    rdf_format, holds_graphs = RDF[fmt], RDF[fmt].supports_datasets
    parsed = list(ox.parse(buf.getvalue(), format=rdf_format))
    expected = expected_dataset(public)
    assert written == len(expected)
    if holds_graphs:
        assert set(parsed) == set(expected)
    else:
        assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == {
            ox.Triple(q.subject, q.predicate, q.object) for q in expected}


def test_trig_export_then_import_is_isomorphic_per_graph(public: EmbeddedStore) -> None:
    buf = io.BytesIO()
    export_rdf(public, "trig", buf, description=False)
    a = Dataset()
    a.parse(data=buf.getvalue().decode(), format="trig")
    b = Dataset()
    b.parse(data=(ox.serialize(public.quads(), format=ox.RdfFormat.N_QUADS) or b"").decode(), format="nquads")
    ga = {g.identifier: g for g in a.graphs() if len(g)}
    gb = {g.identifier: g for g in b.graphs() if len(g)}
    assert ga.keys() == gb.keys() and len(ga) == 6  # 2 sources, their 2 derived views, meta, vocabulary
    assert all(isomorphic(ga[k], gb[k]) for k in ga)


def test_jsonld_is_compacted_with_the_context_and_readable(public: EmbeddedStore) -> None:
    buf = io.BytesIO()
    export_rdf(public, "jsonld", buf, description=False)
    doc = json.loads(buf.getvalue())
    assert doc["@context"]["prefLabel"] == {"@id": "skos:prefLabel", "@container": "@language"}
    hrw = next(g for g in doc["@graph"] if g["id"] == "graph:hrw-2025-12-15-belarus")
    loika = next(n for n in hrw["@graph"] if n["id"] == "person:nasta-loika")
    assert loika["prefLabel"] == {"en": "Nasta Loika"}
    assert sorted(loika["altLabel"]["en"]) == ["Anastasia Loika", "Anastasia Lojka", "Nasta Lojka"]
    assert loika["type"] == "schema:Person"
    assert loika["hasOccupation"] == "rpnc:occupation/human-rights-defender"
    sentence = next(n for n in hrw["@graph"] if n["id"] == ID + "sentence/loika-2023")
    assert sentence["sentencedPerson"] == "person:nasta-loika"
    assert sentence["startDate"] == {"@value": "2023-06", "@type": "xsd:gYearMonth"}
    assert sentence["earliestStart"] == "2023-06-01"


def test_the_description_counts_public_data_only(store_dir: Path) -> None:
    def triples(store: EmbeddedStore) -> int:
        (n,) = [t.object.value for t in describe(store) if t.predicate.value == "http://rdfs.org/ns/void#triples"
                and t.subject.value == "https://w3id.org/repnet/dataset"]
        return int(n)

    public, full = open_store(store_dir), open_store(store_dir, include_restricted=True)
    assert triples(public) == len(public) == len(full) - 23
    entities = {t.subject.value: t.object.value for t in describe(public) if t.predicate.value.endswith("#entities")}
    assert not [k for k in entities if "IllTreatment" in k or "HealthReport" in k]


def test_cli_exports(store_dir: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--store", str(store_dir), "export", "trig", "-o", str(tmp_path / "b.trig")])
    assert r.exit_code == 0
    assert r.stderr.startswith("Wrote ") and r.stderr.rstrip().endswith("public graphs only.")
    r = CliRunner().invoke(cli, ["--store", str(store_dir), "export", "csv", "-o", str(tmp_path / "t")])
    assert r.exit_code == 0
    assert r.stdout == f"persons.csv: 11 rows, sentences.csv: 3 rows, detentions.csv: 7 rows, releases.csv: 7 rows, sources.csv: 2 rows in {tmp_path / 't'}.\n"
    with (tmp_path / "t" / "sentences.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(x["personLabel"], x["years"]) for x in rows] == [("Marfa Rabkova", "15"), ("Nasta Loika", "7"), ("Valiantsin Stefanovic", "9")]
    r = CliRunner().invoke(cli, ["--store", str(store_dir), "export", "trig", "--include-restricted", "-o", str(tmp_path / "i.trig")])
    assert "warning: --include-restricted" in r.stderr and "includes RESTRICTED facts" in r.stderr
    r = CliRunner().invoke(cli, ["--store", str(store_dir), "describe", "--endpoint", "http://127.0.0.1:8000/sparql"])
    assert r.exit_code == 0
    assert "void:sparqlEndpoint <http://127.0.0.1:8000/sparql>" in r.stdout


def test_native_dumps_name_every_line_across_chunks_and_tricky_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    from repnet.graph.publish import export as E
    from repnet.graph.store.embedded import memory_store

    g, h = "https://example.org/graph/a", "https://example.org/graph/b"
    n = ox.NamedNode
    quads = [ox.Quad(n(f"https://example.org/s{i}"), n("https://example.org/p"),
                     ox.Literal(f"ends with a stop .\nand a line {i} .") if i % 2 else ox.Literal(f"plain {i}"), n(g))
             for i in range(50)] + [ox.Quad(n("https://example.org/x"), n("https://example.org/p"), ox.BlankNode("b1"), n(h))]
    store = memory_store(quads)
    monkeypatch.setattr(E, "_CHUNK", 7)  # chunks far shorter than a line: every cut falls inside one
    for fmt in E.NATIVE:
        buf = io.BytesIO()
        assert E.export_native(store, fmt, buf, description=False) == 51
        parsed = list(ox.parse(buf.getvalue(), format=RDF[fmt]))
        assert {(q.subject, q.predicate, q.object, q.graph_name) for q in parsed if not isinstance(q.object, ox.BlankNode)} \
            == {(q.subject, q.predicate, q.object, q.graph_name) for q in quads[:50]}
        assert [q.graph_name for q in parsed if isinstance(q.object, ox.BlankNode)] == [n(h)]


def test_a_public_export_dumps_no_restricted_graph(belarus_store: EmbeddedStore, public: EmbeddedStore) -> None:
    restricted = set(belarus_store.visible_graphs()) - set(public.visible_graphs())
    assert restricted  # the Belarus data has a restricted graph
    for fmt in ("nquads", "trig"):
        buf = io.BytesIO()
        export_rdf(public, fmt, buf)
        names = {q.graph_name.value for q in ox.parse(buf.getvalue(), format=RDF[fmt]) if isinstance(q.graph_name, ox.NamedNode)}
        assert names and not names & restricted
