"""Synthetic data: deterministic, accepted by the reader, valid, and unmistakably synthetic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.ingest.build import in_memory
from repnet.graph.ingest.dataset import Dataset, load_dataset
from repnet.graph.ingest.synth import write_synthetic
from repnet.graph.ingest.validate import validate_store
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import BASE, select

PERSONS, PER_FILE, SEED = 300, 100, 11
RESTRICTED_TYPES = ("IllTreatmentAllegation", "HealthReport")


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def records_of(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for p in sorted(folder.glob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        out.extend((doc["source"]["id"], r) for r in doc["records"])
    return out


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    write_synthetic(out, persons=PERSONS, seed=SEED, per_file=PER_FILE, progress=None)
    return out


@pytest.fixture(scope="module")
def dataset(synth_dir: Path) -> Dataset:
    return load_dataset([synth_dir])


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> EmbeddedStore:
    return in_memory(dataset)


# ---------------------------------------------------------------------------- files
def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a = write_synthetic(tmp_path / "a", persons=250, seed=5, per_file=100, progress=None)
    b = write_synthetic(tmp_path / "b", persons=250, seed=5, per_file=100, progress=None)
    assert [p.name for p in a] == [p.name for p in b]
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_another_seed_gives_other_content(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "a", persons=250, seed=5, per_file=100, progress=None)
    write_synthetic(tmp_path / "b", persons=250, seed=6, per_file=100, progress=None)
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert a.keys() == b.keys()
    assert all(a[name] != b[name] for name in a if name.startswith("synthetic-persons-"))


def test_layout_progress_and_returned_paths(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    paths = write_synthetic(tmp_path, persons=PERSONS, seed=SEED, per_file=PER_FILE,
                            progress=lambda stage, done, total=None: seen.append((stage, done, total)))
    assert seen == [("writing persons", 100, 300), ("writing persons", 200, 300), ("writing persons", 300, 300)]
    assert [p.name for p in paths] == ["synthetic-reference.json", "synthetic-persons-0001.json",
                                      "synthetic-persons-0002.json", "synthetic-persons-0003.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_a_smaller_run_removes_stale_persons_files(tmp_path: Path) -> None:
    write_synthetic(tmp_path, persons=300, seed=1, per_file=100, progress=None)
    paths = write_synthetic(tmp_path, persons=150, seed=1, per_file=100, progress=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    assert len(paths) == 3
    load_dataset([tmp_path])


def test_sources_are_marked_synthetic(synth_dir: Path) -> None:
    ids = []
    for p in sorted(synth_dir.glob("*.json")):
        meta = json.loads(p.read_text(encoding="utf-8"))["source"]
        ids.append(meta["id"])
        assert meta["id"].startswith("synthetic-")
        assert meta["kind"] == "Dataset"
        assert "[synthetic]" in meta["title"]
        assert meta["publisher"] == "org/synthetic-publisher"
        assert meta["published"] == "2025-12-31"
        assert meta["terms"] == "Synthetic test data, no real persons."
        assert meta["synthetic"] is True
    assert len(ids) == len(set(ids)) == 4


def test_record_ids_are_synthetic_and_unique_across_files(synth_dir: Path) -> None:
    recs = records_of(synth_dir)
    ids = [r["id"] for _, r in recs]
    assert all("synthetic" in i for i in ids)
    assert len(ids) == len(set(ids))
    persons = [r for src, r in recs if r["type"] == "Person" and src != "synthetic-reference"]
    assert len(persons) == PERSONS
    # names and labels carry the marker too
    for _, r in recs:
        names = ([r["name"]] if "name" in r else []) + r.get("names", []) + list(r.get("labels", {}).values())
        assert all(v.endswith(" [synthetic]") for v in names), r["id"]


def test_sensitive_records_are_marked_restricted(synth_dir: Path) -> None:
    sensitive = [r for _, r in records_of(synth_dir) if r["type"] in RESTRICTED_TYPES]
    assert sensitive, "expected a few ill-treatment or health records"
    assert all(r.get("restricted") is True for r in sensitive)


def test_the_data_is_varied(synth_dir: Path) -> None:
    recs = [r for _, r in records_of(synth_dir)]
    types = {r["type"] for r in recs}
    assert {"Person", "Membership", "Arrest", "Detention", "Charge", "Sentence", "Trial", "Verdict", "CriminalCase",
            "StatusObservation", "MassRelease", "Negotiation", "Sanction", "SanctionsRelief", "Court", "Facility",
            "Offence", "LegalProvision", "LegalCode", "Government", "Country", "Place"} <= types
    assert types & {"Release", "Pardon", "Expulsion"}
    arrest_dates = {len(r["date"]) for r in recs if r["type"] == "Arrest"}
    assert arrest_dates == {4, 7, 10}  # year, month and day precision
    released = {r["person"] for r in recs if r["type"] in ("Release", "Pardon", "Expulsion")}
    assert 0.2 < len(released) / PERSONS < 0.4
    sentenced = {r["person"] for r in recs if r["type"] == "Sentence"}
    assert len(sentenced) / PERSONS > 0.5
    assert all(1 <= r["term"]["years"] <= 20 for r in recs if r["type"] == "Sentence")


# ---------------------------------------------------------------------------- the graph
def test_the_reader_accepts_the_output(dataset: Dataset) -> None:
    assert len(dataset.sources) == 4
    assert dataset.record_count > PERSONS * 5


def test_the_graph_validates(store: EmbeddedStore) -> None:
    report = validate_store(store)
    assert report.conforms is True, report.violations[:5]


def test_every_person_is_synthetic(store: EmbeddedStore) -> None:
    rows = select(store, "SELECT ?p ?label WHERE { ?p a schema:Person ; skos:prefLabel ?label }")
    assert len(rows) > PERSONS  # the persons, their judges and prosecutors
    assert all("synthetic" in p for p, _ in rows)
    assert all(label.endswith("[synthetic]") for _, label in rows)


def test_triples_per_person(store: EmbeddedStore) -> None:
    persons_graphs = [g for g in store.named_graphs() if g.startswith(f"{BASE}graph/synthetic-0") and not g.endswith("/derived")]
    assert len(persons_graphs) >= 3
    triples = sum(1 for g in persons_graphs for _ in store.quads(g))
    assert 15 <= triples / PERSONS <= 40


def test_restricted_records_only_in_restricted_graphs(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT DISTINCT ?s ?g WHERE {
          GRAPH ?r { ?s a ?t } VALUES ?t { rpn:IllTreatmentAllegation rpn:HealthReport }
          GRAPH ?g { ?s ?p ?o } }""")
    assert rows
    assert all(g.endswith("/restricted") for _, g in rows)


def test_no_date_after_publication_and_events_in_order(store: EmbeddedStore) -> None:
    (latest,) = select(store, """
        SELECT (MAX(?d) AS ?max) WHERE {
          VALUES ?p { rpn:earliestStart rpn:latestStart rpn:earliestEnd rpn:latestEnd } ?s ?p ?d }""")[0]
    assert str(latest) <= "2025-12-31"
    early = select(store, """
        SELECT ?sentence WHERE {
          ?sentence rpn:sentencedPerson ?person ; rpn:earliestStart ?s .
          ?arrest rpn:arrestedPerson ?person ; rpn:earliestStart ?a .
          FILTER (?s < ?a) }""")
    assert early == []


# ---------------------------------------------------------------------------- command line
def test_cli_synth(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["synth", "--persons", "200", "--seed", "3", "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "Wrote" in r.stdout
    assert (out / "synthetic-reference.json").is_file()
    assert (out / "synthetic-persons-0001.json").is_file()
