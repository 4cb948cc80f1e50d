"""Incremental builds: after a change to some source files, the store a build leaves is the one a
full build of the same files leaves, and what a full build refuses is refused."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from repnet.cli import cli
from repnet.graph.ask.dayindex import FILE as DAY_INDEX
from repnet.graph.errors import SourceError, ValidationFailed
from repnet.graph.ingest import incremental
from repnet.graph.ingest.build import BuildResult, build
from repnet.graph.ingest.incremental import try_incremental
from repnet.graph.ingest.synth import write_synthetic
from repnet.graph.store import open_store
from repnet.ontology.namespaces import data_base

from .test_store import as_rdflib, graphs_isomorphic

REF = "synthetic-reference.json"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three files of 100 synthetic persons and the reference file, and a full build of them."""
    d = tmp_path_factory.mktemp("incremental")
    write_synthetic(d / "sources", persons=300, seed=3, per_file=100)
    build([d / "sources"], d / "store")
    return d


def _copy(synthetic: Path, tmp_path: Path) -> tuple[Path, Path]:
    src, store = tmp_path / "sources", tmp_path / "store"
    shutil.copytree(synthetic / "sources", src)
    shutil.copytree(synthetic / "store", store, symlinks=True)
    return src, store


def _edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc["records"])
    path.write_text(json.dumps(doc, ensure_ascii=False))


def _record(records: list[dict[str, Any]], rid: str) -> dict[str, Any]:
    return next(r for r in records if r["id"] == rid)


def _day_index(store: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(store / "current" / DAY_INDEX)
    try:
        return db.execute("SELECT * FROM held ORDER BY rowid").fetchall()  # rows and their sort keys
    finally:
        db.close()


def assert_same_as_full_build(src: Path, store: Path, tmp_path: Path) -> None:
    """Every graph (sources, restricted, metadata, derived, per-source views) and the day index
    equal those of a full build of the same files."""
    full = tmp_path / "full"
    build([src], full)
    a, b = open_store(store, include_restricted=True), open_store(full, include_restricted=True)
    assert len(a) == len(b)
    assert graphs_isomorphic(as_rdflib(a), as_rdflib(b))
    assert _day_index(store) == _day_index(full)


def _incremental(result: BuildResult, changed: int, removed: int = 0) -> None:
    assert (result.incremental, result.changed, result.removed) == (True, changed, removed)


def test_an_edited_source_gives_the_store_of_a_full_build(synthetic: Path, tmp_path: Path) -> None:
    src, store = _copy(synthetic, tmp_path)

    def change(records: list[dict[str, Any]]) -> None:
        arrest = next(r for r in records if r["type"] == "Arrest")
        arrest["date"] = "2021-01-02"  # moves a person's periods
        next(r for r in records if r["type"] == "Person")["name"] = "Renamed Person [synthetic]"  # a label in the runs
        records.append({"id": "person/synthetic-added", "type": "Person", "name": "Added Person [synthetic]"})
        records.append({"id": "detention/synthetic-added", "type": "Detention", "person": "person/synthetic-added",
                        "detention_type": "pre-trial", "start": "2022-03-04", "facility": "place/synthetic-facility-1"})
        records.remove(next(r for r in records if r["type"] == "Release"))
        # a person of another file: their periods combine the evidence of both files
        records.append({"id": "detention/synthetic-cross", "type": "Detention", "person": "person/synthetic-000001",
                        "detention_type": "administrative", "start": "2024-05-01", "end": "2024-05-10",
                        "facility": "place/synthetic-facility-2"})

    _edit(src / "synthetic-persons-0002.json", change)
    _incremental(build([src], store), changed=1)
    assert_same_as_full_build(src, store, tmp_path)
    gens = [p.name for p in store.iterdir() if p.name.startswith("gen-")]
    assert gens == [os.readlink(store / "current")]  # the previous generation was removed as after a full build


def test_moving_every_arrest_of_a_file_checks_across_sources_on_a_few_nodes(synthetic: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every person's periods move, but no check across sources reads a period or a date: the
    checks across sources run on the neighbourhood of the nodes they can read (here none changed),
    not on the whole store; the store is still the full build's."""
    import datetime as dt

    focus: list[int] = []
    real = incremental.focus_nodes
    monkeypatch.setattr(incremental, "focus_nodes", lambda *a: focus.append(len(f := real(*a) or set())) or f)
    src, store = _copy(synthetic, tmp_path)

    def change(records: list[dict[str, Any]]) -> None:
        for r in records:
            if r["type"] == "Arrest" and len(str(r.get("date", ""))) == 10:
                r["date"] = (dt.date.fromisoformat(r["date"]) - dt.timedelta(days=1)).isoformat()

    _edit(src / "synthetic-persons-0002.json", change)
    _incremental(build([src], store), changed=1)
    assert focus == [0]
    assert_same_as_full_build(src, store, tmp_path)


def test_removing_one_source_and_adding_another_gives_the_store_of_a_full_build(synthetic: Path, tmp_path: Path) -> None:
    src, store = _copy(synthetic, tmp_path)
    (src / "synthetic-persons-0001.json").unlink()
    added = {"source": {"id": "synthetic-added", "kind": "Dataset", "title": "Added persons [synthetic]",
                        "publisher": "org/synthetic-publisher", "published": "2025-12-31", "terms": "Synthetic test data.",
                        "synthetic": True},
             "records": [{"id": "person/synthetic-000050", "type": "Person", "name": "Zmitser Added [synthetic]"},
                         {"id": "detention/synthetic-added-1", "type": "Detention", "person": "person/synthetic-000050",
                          "detention_type": "administrative", "start": "2023-02-01", "end": "2023-02-15",
                          "facility": "place/synthetic-facility-2"}]}
    (src / "synthetic-added.json").write_text(json.dumps(added))
    _incremental(build([src], store), changed=1, removed=1)
    assert_same_as_full_build(src, store, tmp_path)


def test_a_renamed_facility_changes_the_runs_of_every_person_held_there(synthetic: Path, tmp_path: Path) -> None:
    src, store = _copy(synthetic, tmp_path)
    _edit(src / REF, lambda rs: _record(rs, "place/synthetic-facility-1").update(name="Renamed Centre [synthetic]"))
    _incremental(build([src], store), changed=1)
    assert any("Renamed Centre [synthetic]" in row[2] for row in _day_index(store))
    assert_same_as_full_build(src, store, tmp_path)


def test_an_unchanged_set_of_files_builds_the_same_store(synthetic: Path, tmp_path: Path) -> None:
    import repnet

    src, store = _copy(synthetic, tmp_path)
    _incremental(repnet.build([src], store=store), changed=0)
    assert_same_as_full_build(src, store, tmp_path)
    assert not repnet.build([src], store=store, full=True).incremental


def test_full_builds_from_scratch(synthetic: Path, tmp_path: Path) -> None:
    src, store = _copy(synthetic, tmp_path)
    _edit(src / "synthetic-persons-0003.json", lambda rs: rs.pop())
    r = build([src], store, full=True)
    assert not r.incremental and r.changed is None
    assert_same_as_full_build(src, store, tmp_path)


def test_removing_an_entity_another_source_refers_to_fails_as_a_full_build_does(synthetic: Path, tmp_path: Path) -> None:
    src, store = _copy(synthetic, tmp_path)
    before = os.readlink(store / "current")
    _edit(src / REF, lambda rs: rs.remove(_record(rs, "place/synthetic-facility-1")))
    with pytest.raises(SourceError) as e:
        build([src], store)
    assert "refers to 'place/synthetic-facility-1', which no source defines" in str(e.value)
    assert "synthetic-persons-0001.json" in str(e.value)  # the referring file, which did not change
    assert os.readlink(store / "current") == before
    assert sorted(p.name for p in store.iterdir()) == ["current", before]


@pytest.mark.parametrize("focus_limit", [10_000, 0])
def test_a_second_preferred_name_from_another_source_fails_validation(synthetic: Path, tmp_path: Path, focus_limit: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The check across sources (one preferred name per language) catches a change in one file
    that contradicts another, on the incremental path itself, with the full build's report: on the
    focus nodes' neighbourhood, and on the whole store (when there are too many focus nodes)."""
    monkeypatch.setattr(incremental, "FOCUS_LIMIT", focus_limit)
    src, store = _copy(synthetic, tmp_path)
    before = os.readlink(store / "current")
    _edit(src / "synthetic-persons-0003.json",
          lambda rs: rs.append({"id": "person/synthetic-000001", "type": "Person", "name": "Another Name [synthetic]"}))
    with pytest.raises(ValidationFailed) as e:
        try_incremental([src], store, data_base(None), "fast", None)
    message = str(e.value)
    full_store = tmp_path / "full"
    with pytest.raises(ValidationFailed) as full:
        build([src], full_store)
    assert message == str(full.value)
    assert "one preferred name per language in all sources together" in message
    assert "synthetic-persons-0003.json" in message and "synthetic-persons-0001.json" in message
    assert os.readlink(store / "current") == before
    assert sorted(p.name for p in store.iterdir()) == ["current", before]


def test_the_cli_says_when_a_build_was_incremental(synthetic: Path, tmp_path: Path, runner: Any) -> None:
    src, store = _copy(synthetic, tmp_path)
    _edit(src / "synthetic-persons-0002.json", lambda rs: rs.pop())
    out = runner.invoke(cli, ["--store", str(store), "build", str(src)])
    assert out.exit_code == 0, out.output
    assert "incrementally (1 changed source read)" in out.output
    out = runner.invoke(cli, ["--store", str(store), "build", "--full", str(src)])
    assert out.exit_code == 0, out.output
    assert "incrementally" not in out.output
