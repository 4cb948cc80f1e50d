"""The build and the store: rebuilds are isomorphic, failed builds leave the store intact."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from repnet.graph.errors import SourceError, StoreError, ValidationFailed
from repnet.graph.ingest.build import build, in_memory
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore, memory_store
from repnet.graph.store.layout import default_location, replace_store, resolve

from .conftest import MINIMAL_SOURCE, write


def as_rdflib(store: EmbeddedStore) -> Dataset:
    data = ox.serialize(store.quads(), format=ox.RdfFormat.N_QUADS) or b""
    ds = Dataset()
    ds.parse(data=data.decode(), format="nquads")
    return ds


def graphs_isomorphic(a: Dataset, b: Dataset) -> bool:
    ga = {g.identifier: g for g in a.graphs() if len(g)}
    gb = {g.identifier: g for g in b.graphs() if len(g)}
    return ga.keys() == gb.keys() and all(isomorphic(ga[k], gb[k]) for k in ga)


def test_two_builds_give_isomorphic_datasets(tmp_path: Path) -> None:
    build(None, tmp_path / "one")
    build(None, tmp_path / "two")
    a, b = open_store(tmp_path / "one", True), open_store(tmp_path / "two", True)
    assert len(a) == len(b) > 500
    assert graphs_isomorphic(as_rdflib(a), as_rdflib(b))


def test_build_and_memory_store_hold_the_same_quads(tmp_path: Path, belarus_store: EmbeddedStore) -> None:
    mem = in_memory(load_dataset())
    assert graphs_isomorphic(as_rdflib(mem), as_rdflib(belarus_store))


@pytest.mark.parametrize("workers, batch", [(1, 10_000), (2, 3), (2, 10_000)])
def test_nquads_batches_hold_exactly_the_quads_of_the_dataset(tmp_path: Path, workers: int, batch: int) -> None:
    from repnet.graph.ingest.synth import write_synthetic

    write_synthetic(tmp_path / "synth", persons=40, seed=3, per_file=15)
    for paths in (None, [tmp_path / "synth"]):
        ds = load_dataset(paths)
        with ds.nquads_batches(workers=workers, batch=batch) as it:
            batches = list(it)
        got = [q for data, _ in batches for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)]
        assert sum(n for _, n in batches) == len(got)
        assert sorted(map(str, got)) == sorted(map(str, ds.quads()))


def test_no_blank_nodes(belarus_store: EmbeddedStore) -> None:
    assert not [q for q in belarus_store.quads() if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]


def test_one_named_graph_per_source_plus_meta_and_vocabulary(belarus_store: EmbeddedStore) -> None:
    base = "https://w3id.org/repnet/graph/"
    assert belarus_store.named_graphs() == [
        base + "derived",
        base + "hrw-2025-12-15-belarus",
        base + "hrw-2025-12-15-belarus/derived",
        base + "hrw-2025-12-15-belarus/restricted",
        base + "meta",
        base + "vocabulary",
        base + "wikidata-links",
    ]
    assert not list(belarus_store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    write(tmp_path / "src" / "tiny.yaml", MINIMAL_SOURCE)
    build([tmp_path / "src"], tmp_path / "store", base="https://example.org/x/")
    s = open_store(tmp_path / "store", True)
    assert s.named_graphs() == ["https://example.org/x/graph/meta", "https://example.org/x/graph/tiny",
                                "https://example.org/x/graph/vocabulary"]
    assert ox.Quad(ox.NamedNode("https://example.org/x/id/person/a"),
                   ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                   ox.Literal("Person A", language="en"),
                   ox.NamedNode("https://example.org/x/graph/tiny")) in set(s.quads())


def test_the_same_id_in_two_sources_is_one_iri(belarus_store: EmbeddedStore) -> None:
    lukashenka = ox.NamedNode("https://w3id.org/repnet/id/person/aliaksandr-lukashenka")
    graphs = {q.graph_name.value for q in belarus_store.oxigraph.quads_for_pattern(lukashenka, None, None, None)}
    assert graphs == {"https://w3id.org/repnet/graph/hrw-2025-12-15-belarus", "https://w3id.org/repnet/graph/wikidata-links"}


def _current_target(root: Path) -> str:
    return os.readlink(root / "current")


def test_a_broken_source_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    root = tmp_path / "store"
    build(None, root)
    before, count = _current_target(root), len(open_store(root, True))
    with pytest.raises(SourceError):
        build([_astronaut(tmp_path).parent], root)
    assert _current_target(root) == before
    assert len(open_store(root, True)) == count
    assert sorted(p.name for p in root.iterdir()) == ["current", before]


def _astronaut(tmp_path: Path) -> Path:
    """A source whose records fail the checks (an occupation no scheme has)."""
    return write(tmp_path / "bad" / "bad.yaml", MINIMAL_SOURCE + "  - {id: person/b, type: Person, name: B, occupation: [astronaut]}\n")


def test_checks_that_fail_while_records_load_raise_their_problems_not_what_loading_tripped_on(tmp_path: Path) -> None:
    from repnet.graph.ingest.dataset import Checking, read_dataset

    ds = read_dataset([_astronaut(tmp_path).parent])

    def batches() -> Iterator[tuple[bytes, int]]:
        raise RuntimeError("the loader tripped on an unchecked record")
        yield b"", 0  # (a generator)

    with pytest.raises(SourceError) as e, Checking(ds) as checks:
        for _ in checks.gate(batches()):
            pass
    assert "astronaut" in str(e.value)
    assert isinstance(e.value.__cause__, RuntimeError)


def test_checks_that_fail_stop_the_load_at_the_next_batch(tmp_path: Path) -> None:
    import time

    from repnet.graph.ingest.dataset import Checking, read_dataset

    ds = read_dataset([_astronaut(tmp_path).parent])
    taken: list[int] = []

    def batches() -> Iterator[tuple[bytes, int]]:
        for i in range(100):
            while i == 1 and not checks.done():
                time.sleep(0.01)
            taken.append(i)
            yield b"", 0

    with pytest.raises(SourceError), Checking(ds) as checks:
        for _ in checks.gate(batches()):
            pass
    assert taken in ([0], [0, 1])


def test_checks_that_pass_let_every_batch_through_and_report_once(tmp_path: Path) -> None:
    from repnet.graph.ingest.dataset import Checking, read_dataset

    ds = read_dataset(None)
    seen: list[tuple[str, int, int | None]] = []
    with Checking(ds, lambda stage, done, total=None: seen.append((stage, done, total))) as checks:
        assert [n for _, n in checks.gate((b"", n) for n in range(5))] == [0, 1, 2, 3, 4]
    assert seen == [("checking records", 0, ds.record_count), ("checking records", ds.record_count, ds.record_count)]


def test_a_shacl_violation_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    root = tmp_path / "store"
    build(None, root)
    before = _current_target(root)
    # passes the record checks, fails the SHACL "ends before it starts" constraint
    bad = write(tmp_path / "bad" / "bad.yaml", MINIMAL_SOURCE +
                "  - {id: detention/x, type: Detention, person: person/a, detention_type: pre-trial, start: 2023-05, end: 2023-01}\n")
    with pytest.raises(ValidationFailed) as e:
        build([bad.parent], root)
    assert "ends before it starts" in str(e.value)
    assert "bad.yaml, line 10, record detention/x" in str(e.value)
    assert _current_target(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["current", before]


def test_an_interrupted_build_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    root = tmp_path / "store"
    build(None, root)
    before, count = _current_target(root), len(open_store(root, True))

    def dying_quads():  # type: ignore[no-untyped-def]
        yield from list(load_dataset().quads())[:100]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_store(root, dying_quads())
    assert _current_target(root) == before
    assert len(open_store(root, True)) == count
    assert sorted(p.name for p in root.iterdir()) == ["current", before]


def test_the_index_is_written_while_the_checks_run_and_a_failure_of_either_keeps_the_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    build(None, root)
    before = _current_target(root)
    quads = list(load_dataset().quads())[:50]
    index_done: list[bool] = []

    def slow_index(s: EmbeddedStore) -> None:
        import time
        time.sleep(0.3)
        index_done.append(True)

    def failing_check(s: EmbeddedStore) -> None:
        raise ValueError("check failed")

    with pytest.raises(ValueError, match="check failed"):
        replace_store(root, quads, check=failing_check, index=slow_index)
    assert index_done == [True]  # the index finished before the generation was removed

    def failing_index(s: EmbeddedStore) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_store(root, quads, check=lambda s: None, index=failing_index)
    assert _current_target(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["current", before]


def test_derived_quads_are_loaded_while_the_next_are_computed_and_a_failing_derive_keeps_the_store(
        tmp_path: Path) -> None:
    from repnet.graph.formats import text_batches

    root = tmp_path / "store"
    quads = list(load_dataset().quads())[:50]
    g = ox.NamedNode("urn:x-test:derived")
    derived = [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads[:40]]
    lines = [f"{q} .\n" for q in derived]  # batches of 7: loads and computing overlap
    loaded = replace_store(root, quads, derive=lambda s: text_batches(lines, 7))
    assert loaded.quads == 90
    store = open_store(root, True)
    assert set(store.oxigraph.quads_for_pattern(None, None, None, g)) == set(derived)
    store.close()
    before = _current_target(root)

    def failing_derive(s: EmbeddedStore):  # type: ignore[no-untyped-def]
        yield from text_batches(lines[:20], 7)
        raise ValueError("derive failed")

    with pytest.raises(ValueError, match="derive failed"):
        replace_store(root, quads, derive=failing_derive)
    assert _current_target(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["current", before]


def test_a_partial_generation_left_by_a_dead_build_is_removed_by_the_next(tmp_path: Path) -> None:
    root = tmp_path / "store"
    build(None, root)
    dead = root / "gen-20200101T000000-999999.partial"
    dead.mkdir()
    build(None, root)
    assert sorted(p.name for p in root.iterdir()) == ["current", _current_target(root)]


def test_opening_a_store_that_was_never_built_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"Build one first \(`repnet build`"):
        open_store(tmp_path / "nothing")


def test_the_default_store_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_location() == tmp_path / "repnet" / "store"
    assert resolve(None) == tmp_path / "repnet" / "store"


def test_a_remote_url_opens_a_remote_store_and_is_no_directory(tmp_path: Path) -> None:
    from repnet.graph.store.remote import RemoteStore

    assert isinstance(open_store("http://127.0.0.1:8890/sparql"), RemoteStore)  # tests/test_remote.py uses it
    with pytest.raises(StoreError, match="this command needs a local store directory"):
        resolve("http://127.0.0.1:8890/sparql")  # build and serve write or serve a local store


def test_queries_see_the_union_of_sources_by_default(belarus_store: EmbeddedStore) -> None:
    q = "ASK { <https://w3id.org/repnet/id/place/belarus> owl:sameAs wd:Q184 ; skos:prefLabel 'Belarus'@en }"
    assert belarus_store.query(q) is not None and bool(belarus_store.query(q))
    only_hrw = belarus_store.query(q, graphs=["https://w3id.org/repnet/graph/hrw-2025-12-15-belarus"])
    assert not bool(only_hrw)


def test_reads_see_public_graphs_only_by_default(tmp_path: Path) -> None:
    root = tmp_path / "store"
    build(None, root)
    public, full = open_store(root), open_store(root, include_restricted=True)
    base = "https://w3id.org/repnet/graph/"
    assert public.named_graphs() == [base + "derived", base + "hrw-2025-12-15-belarus", base + "hrw-2025-12-15-belarus/derived",
                                     base + "meta", base + "vocabulary", base + "wikidata-links"]
    assert base + "hrw-2025-12-15-belarus/restricted" in full.named_graphs()
    ask = "ASK { ?x a rpn:IllTreatmentAllegation }"
    assert bool(full.query(ask)) and not bool(public.query(ask))
    assert not bool(public.query("ASK { GRAPH ?g { ?x a rpn:HealthReport } }"))
    assert not bool(public.query(f"ASK {{ GRAPH <{base}hrw-2025-12-15-belarus/restricted> {{ ?s ?p ?o }} }}"))
    restricted = {q.graph_name.value for q in public.quads()} & {base + "hrw-2025-12-15-belarus/restricted"}
    assert restricted == set()
    assert len(full) - len(public) == 23
    # asking for a restricted graph by name gives nothing, not an error
    assert not bool(public.query("ASK { ?s ?p ?o }", graphs=[base + "hrw-2025-12-15-belarus/restricted"]))


def test_a_graph_without_an_access_statement_is_not_public(tmp_path: Path) -> None:
    quads = list(load_dataset().quads()) + [ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("secret"),
                                                     ox.NamedNode("https://w3id.org/repnet/graph/undeclared"))]
    s = memory_store(quads, public_only=True)
    assert "https://w3id.org/repnet/graph/undeclared" not in s.named_graphs()
    assert not bool(s.query('ASK { ?s ?p "secret" }'))


# ---------------------------------------------------------------------------- reads ahead in workers
def test_read_ahead_documented_example_holds() -> None:
    import doctest

    from repnet.graph.store import readahead

    result = doctest.testmod(readahead)
    assert result.attempted > 0 and result.failed == 0


def test_reads_ahead_give_what_select_tsv_gives_in_any_order_asked(belarus_store: EmbeddedStore) -> None:
    public = open_store(belarus_store.location)
    assert isinstance(public, EmbeddedStore)
    graphs = [g for g in public.named_graphs() if g.endswith("/graph/hrw-2025-12-15-belarus")]
    reads: list[tuple[str, list[str] | None]] = [
        ("SELECT ?s ?o WHERE { ?s skos:prefLabel ?o } ORDER BY ?s ?o", None),
        ("SELECT ?s ?o WHERE { ?s rpn:sentencedPerson ?o }", graphs),
        ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", None),
        ("SELECT ?x WHERE { ?x a <http://example.org/nothing> }", None),
    ]
    expected = [public.select_tsv(sparql, graphs=g) for sparql, g in reads]
    assert all(expected[:3]) and expected[3] == []
    # the restricted graphs stay out of a public store's reads ahead, as out of its own
    assert not any("restricted" in line for line in expected[2])
    assert any("restricted" in line for line in belarus_store.select_tsv(reads[2][0]))
    ahead = public.read_ahead(reads, workers=2)
    assert ahead is not None
    with ahead:
        assert [ahead.lines(i) for i in (2, 0, 3, 1)] == [expected[i] for i in (2, 0, 3, 1)]
        with pytest.raises(IndexError):
            ahead.lines(4)
        procs = list(ahead.procs)
    assert all(p.returncode is not None for p in procs)  # closed: no worker left behind


def test_reads_beyond_what_the_job_pipe_holds_are_left_to_the_caller(belarus_store: EmbeddedStore,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from repnet.graph.store import readahead

    monkeypatch.setattr(readahead, "_widen", lambda fd: None)  # a pipe of 64 KiB: 16,384 numbers
    read = ("SELECT ?s WHERE { ?s a <http://example.org/nothing> }", None)
    ahead = belarus_store.read_ahead([read] * 20_000, workers=1)
    assert ahead is not None
    with ahead:
        assert ahead.queued == 16_384
        assert ahead.lines(16_384) is None and ahead.lines(19_999) is None
        assert ahead.lines(0) == []


def test_a_store_in_memory_reads_nothing_ahead() -> None:
    assert in_memory(load_dataset(None)).read_ahead([("SELECT * WHERE { ?s ?p ?o }", None)]) is None


@pytest.mark.parametrize("text", ["plain", "", 'a "quote"', "back\\slash", "tab\tline\nreturn\r", "bell\x07 del\x7f",
                                  "\ufffe\uffff", "\u2028 é 😀 \x85"])
def test_literals_written_as_text_are_what_oxigraph_writes(text: str) -> None:
    from repnet.graph.formats import nt_literal

    date = "http://www.w3.org/2001/XMLSchema#date"
    assert nt_literal(text) == str(ox.Literal(text))
    assert nt_literal(text, date) == str(ox.Literal(text, datatype=ox.NamedNode(date)))
    assert nt_literal(text, language="be-Latn") == str(ox.Literal(text, language="be-Latn"))
    assert nt_literal(text, "http://www.w3.org/2001/XMLSchema#string") == str(ox.Literal(text))


def test_a_literal_with_a_lone_surrogate_is_refused_as_oxigraph_refuses_it() -> None:
    from repnet.graph.formats import nt_literal

    with pytest.raises(ValueError):
        ox.Literal("x\ud800")
    with pytest.raises(ValueError):
        nt_literal("x\ud800")
