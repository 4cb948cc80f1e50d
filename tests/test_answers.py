"""The answers a store generation keeps (graph/ask/answers.py): a whole-table saved query read a
second time gives exactly the rows its SPARQL gives, in the same order; only whole-table reads of
every visible graph are kept, per reader visibility, and never outlive their generation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from repnet.graph.ask import answers
from repnet.graph.ask import query as q
from repnet.graph.ingest.build import build
from repnet.graph.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"


def whole_tables() -> list[q.SavedQuery]:
    return [s for s in q.saved_queries().values()
            if s.name != "detained-on" and not any(p.required for p in s.params)]


def terms(result: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and rows of a SELECT result as pyoxigraph terms, in the result's order."""
    columns = [v.value for v in result.variables]
    rows = [tuple(sol[c] for c in columns) for sol in result]
    assert not any(isinstance(t, ox.BlankNode) for row in rows for t in row)  # compared as they are
    return columns, rows


def kept_files(store: Any) -> list[str]:
    d = store.generation / answers.DIR
    return sorted(p.name.rsplit("-", 1)[0] for p in d.glob("*.tsv")) if d.is_dir() else []


def assert_kept_like_sparql(store: Any) -> int:
    listed = 0
    for saved in whole_tables():
        prepared = q.prepare(store, saved.text, {}, saved)
        sparql = terms(store.query(prepared.text))
        first = terms(q.execute(store, prepared))
        assert saved.name in kept_files(store), saved.name
        second = terms(q.execute(store, prepared))
        assert first == sparql, saved.name
        assert second == sparql, saved.name
        listed += len(sparql[1])
    return listed


def test_the_belarus_tables_read_back_as_their_sparql_gives_them(tmp_path: Path) -> None:
    build(None, tmp_path)
    store = open_store(tmp_path)
    assert kept_files(store) == []
    assert assert_kept_like_sparql(store) > 40
    assert kept_files(store) == sorted(s.name for s in whole_tables())


def test_two_sources_that_disagree(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    assert assert_kept_like_sparql(store) > 0
    conflicts = q.saved_queries()["conflicts"]
    assert len(terms(q.execute(store, q.prepare(store, conflicts.text, {}, conflicts)))[1]) > 0


def test_public_and_restricted_readers_keep_their_own_answers(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "confidential").glob("*.yaml")), tmp_path)
    sources = q.saved_queries()["sources"]
    public, everything = open_store(tmp_path), open_store(tmp_path, include_restricted=True)
    for store in (public, everything, public, everything):  # the second round reads kept answers
        prepared = q.prepare(store, sources.text, {}, sources)
        assert terms(q.execute(store, prepared)) == terms(store.query(prepared.text))
    assert kept_files(public) == ["sources", "sources"]
    public_rows = terms(q.execute(public, q.prepare(public, sources.text, {}, sources)))[1]
    restricted_rows = terms(q.execute(everything, q.prepare(everything, sources.text, {}, sources)))[1]
    assert public_rows != restricted_rows  # the restricted graphs' triples are counted for one reader only


def test_reads_with_parameters_or_chosen_sources_are_not_kept(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    persons = q.saved_queries()["persons"]
    first = terms(store.query("SELECT ?p WHERE { ?p a schema:Person } ORDER BY ?p LIMIT 1"))[1][0][0]
    one = q.prepare(store, persons.text, {"person": first.value}, persons)
    assert len(terms(q.execute(store, one))[1]) == 1
    every = q.prepare(store, persons.text, {}, persons)
    q.execute(store, every, q.source_graphs(store, ["synthetic-first"]))
    inline = q.prepare(store, persons.text)  # the same text, not run as the saved query
    q.execute(store, inline)
    assert kept_files(store) == []


def test_a_new_generation_keeps_nothing_of_the_last(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    persons = q.saved_queries()["persons"]
    q.execute(store, q.prepare(store, persons.text, {}, persons))
    assert kept_files(store) == ["persons"]
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path, full=True)
    rebuilt = open_store(tmp_path)
    assert rebuilt.generation != store.generation
    assert kept_files(rebuilt) == []


def test_a_generation_that_cannot_be_written_is_answered_without_keeping(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    (store.generation / answers.DIR).write_text("not a directory")  # mkdir fails, as on a read-only store
    persons = q.saved_queries()["persons"]
    prepared = q.prepare(store, persons.text, {}, persons)
    assert terms(q.execute(store, prepared)) == terms(store.query(prepared.text))
    assert (store.generation / answers.DIR).read_text() == "not a directory"


def test_a_kept_answer_prints_as_its_sparql_does_in_every_format(tmp_path: Path) -> None:
    # a table or TSV is printed straight from the kept answer's text (q.answer_text); every format
    # must print what the query evaluated afresh prints, on the first read (which keeps) and later
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    for saved in whole_tables():
        prepared = q.prepare(store, saved.text, {}, saved)
        for fmt in ("table", "tsv", "csv", "json", "xml"):
            fresh = q.render_result(store.query(prepared.text), prepared, fmt)
            assert q.answer_text(store, prepared, fmt) == fresh, (saved.name, fmt)
            assert saved.name in kept_files(store)
            assert q.answer_text(store, prepared, fmt) == fresh, (saved.name, fmt)
