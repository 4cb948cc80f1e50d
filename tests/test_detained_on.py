"""``detained-on`` reads runs of days computed at build (rpn:heldOnDays); on every day it gives
what the definition from the status periods gives (tests/fixtures/detained-on-from-periods.rq, the
query it replaced, kept as the oracle): on the Belarus data, on two sources that disagree (all
sources and each source alone), and on synthetic persons. Both ways of answering are checked: the
built store's day index (graph/ask/dayindex.py, what `repnet query detained-on` reads) and the
saved SPARQL (what remote stores and reads of chosen sources run)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from repnet.graph.ask import dayindex
from repnet.graph.ask import query as q
from repnet.graph.ingest.build import build
from repnet.graph.ingest.synth import write_synthetic
from repnet.graph.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
ORACLE = (FIXTURES / "detained-on-from-periods.rq").read_text(encoding="utf-8")


def rows(store: Any, text: str, day: str, sources: list[str] | None = None, sparql: bool = False
         ) -> set[tuple[Any, ...]]:
    """The rows of ``text`` as `repnet query` gives them (the index may answer), or by its SPARQL."""
    saved = q.saved_queries()["detained-on"]
    prepared = q.prepare(store, text, {"date": day}, saved)
    graphs = q.source_graphs(store, sources) if sources else None
    result = store.query(prepared.text, graphs=graphs) if sparql else q.execute(store, prepared, graphs)
    _, found = q.rows_of(result)
    return {(r["person"], r["personLabel"], r["facility"], r["since"], " | ".join(sorted((r["source"] or "").split(" | "))),
             r["status"], r["lastKnown"]) for r in found}


def days_to_ask(store: Any, extra: int, seed: int = 1) -> list[str]:
    """Every first of a month 2019-2026, and days around the segments' edges (where answers change)."""
    days = {dt.date(y, m, 1).isoformat() for y in range(2019, 2027) for m in range(1, 13)}
    edges: set[str] = set()
    for r in store.query("SELECT ?s WHERE { ?p rpn:heldOnDays ?s }"):
        first, last = r["s"].value.split("\t")[:2]
        for d in (first, last):
            if d != "9999-12-31":
                day = dt.date.fromisoformat(d)
                edges |= {(day + dt.timedelta(days=k)).isoformat() for k in (-1, 0, 1)}
    return sorted(days | set(random.Random(seed).sample(sorted(edges), min(extra, len(edges)))))


def assert_same(store: Any, days: list[str], sources: list[str] | None = None) -> int:
    text = q.saved_queries()["detained-on"].text
    listed = 0
    for day in days:
        new = rows(store, text, day, sources)
        assert new == rows(store, ORACLE, day, sources), day
        assert new == rows(store, text, day, sources, sparql=True), day
        listed += len(new)
    return listed


def test_the_belarus_data_on_every_day_that_matters(belarus_dir: Path) -> None:
    store = open_store(belarus_dir)
    assert assert_same(store, days_to_ask(store, 10_000)) > 100


def test_two_sources_that_disagree_together_and_each_alone(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    days = days_to_ask(store, 10_000)
    assert assert_same(store, days) > 0
    for sid in ("synthetic-first", "synthetic-second"):
        assert_same(store, days, [sid])


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("synthetic-held")
    files = write_synthetic(root / "src", persons=300, seed=7, per_file=150)
    build(files, root / "store")
    return open_store(root / "store")


def test_synthetic_persons(synthetic_store: Any) -> None:
    assert assert_same(synthetic_store, days_to_ask(synthetic_store, 60)) > 1000


def test_the_build_writes_a_day_index_that_answers_in_label_order(belarus_dir: Path) -> None:
    store = open_store(belarus_dir)
    saved = q.saved_queries()["detained-on"]
    prepared = q.prepare(store, saved.text, {"date": "2025-12-15"}, saved)
    indexed = dayindex.answer(store.generation, "2025-12-15")
    assert indexed is not None
    by_index = q.rows_of(indexed)
    by_sparql = q.rows_of(store.query(prepared.text))
    assert by_index == by_sparql  # the same columns and rows, in the same order
    assert [r["personLabel"] for r in by_index[1]] == sorted(r["personLabel"] for r in by_index[1])
    assert "Mikalai Statkevich" in {r["personLabel"] for r in by_index[1]}


def test_a_generation_without_the_index_runs_the_sparql(tmp_path: Path) -> None:
    build(sorted((FIXTURES / "many-sources").glob("*.yaml")), tmp_path)
    store = open_store(tmp_path)
    days = days_to_ask(store, 200)
    before = {day: rows(store, q.saved_queries()["detained-on"].text, day) for day in days}
    (store.generation / dayindex.FILE).unlink()
    assert dayindex.answer(store.generation, days[0]) is None
    assert {day: rows(store, q.saved_queries()["detained-on"].text, day) for day in days} == before
    assert any(before.values())


def test_only_the_saved_text_itself_is_answered_from_the_index(belarus_dir: Path) -> None:
    store = open_store(belarus_dir)
    saved = q.saved_queries()["detained-on"]
    assert q.prepare(store, saved.text, {"date": "2025-12-15"}, saved).saved == "detained-on"
    assert q.prepare(store, ORACLE, {"date": "2025-12-15"}, saved).saved is None


@pytest.mark.parametrize("label", ["Ann Example [synthetic]", 'Ann "Quoted" Back\\slash\nline', "Алла Пример", ""])
def test_a_stored_rows_sort_key_is_the_key_it_was_written_with(label: str, tmp_path: Path) -> None:
    import sqlite3

    person = "https://w3id.org/repnet/id/person/synthetic-key"
    cells = ["2020-01-01", "2020-12-31", "held", "2020", "~", "~", "~", label or "~"]
    row = dayindex._row(person, "\t".join(cells))
    assert dayindex._key(row) == (label != "", label, person, "2020-01-01")
    assert dayindex._write(tmp_path, [row]) == 1
    db = sqlite3.connect(tmp_path / dayindex.FILE)
    stored = db.execute("SELECT * FROM held").fetchone()  # as an incremental build reads it back
    db.close()
    assert stored == row


def test_the_index_a_build_writes_holds_the_runs_the_store_holds(tmp_path: Path) -> None:
    import sqlite3

    from repnet.ontology.namespaces import data_base

    write_synthetic(tmp_path / "sources", persons=150, seed=3, per_file=50, progress=None)
    build([tmp_path / "sources"], tmp_path / "store")
    store = open_store(tmp_path / "store")
    assert store.generation is not None
    db = sqlite3.connect(store.generation / dayindex.FILE)
    written = db.execute("SELECT first, last, line FROM held ORDER BY rowid").fetchall()
    db.close()
    read_back = dayindex.rows(store.oxigraph, data_base(None))
    assert len(written) > 100 and written == read_back
