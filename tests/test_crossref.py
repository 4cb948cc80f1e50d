"""Cross-reference (issue 12): `repnet match SOURCE` of a synthetic FtM list (officials in Cyrillic
and two Latin transliterations, namesakes with other birth dates) against synthetic officials, the
judgements it writes for review (issue 13's judgements file) and the build applying them as owl:sameAs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.ingest.build import build
from repnet.graph.ingest.sources import read_source
from repnet.graph.resolution import THRESHOLD, Person, score
from repnet.graph.store import open_store

from .conftest import select, write

FIXTURE = Path(__file__).parent / "fixtures" / "accountability"
ID = "https://w3id.org/repnet/id/"
TRUE_PAIRS = {("syn-1", "hrushetskaya"), ("syn-2", "hrushetskaya"), ("syn-3", "hrushetskaya"),
              ("syn-4", "lapitski"), ("syn-5", "lapitski"), ("syn-6", "lapitski"),
              ("syn-7", "sharapanava"), ("syn-8", "sharapanava"), ("syn-9", "sharapanava")}
NAMESAKES = {("syn-10", "hrushetskaya"), ("syn-11", "kurylenka")}


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("match")
    out = CliRunner().invoke(cli, ["import", "ftm", str(FIXTURE / "list.ftm.json"), "--source", "synthetic-list",
                                   "--published", "2025-06-01", "-o", str(root / "src")])
    assert out.exit_code == 0, out.output
    build([FIXTURE / "officials.yaml", root / "src"], root / "store")
    return root


def pairs(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(r["a"].removeprefix(ID + "person/synthetic-list-"), r["b"].removeprefix(ID + "person/")) for r in rows}


def run_match(root: Path, *args: str) -> dict[str, object]:
    out = CliRunner().invoke(cli, ["--store", str(root / "store"), "match", "synthetic-list", "--format", "json", *args])
    assert out.exit_code == 0, out.output
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_match_proposes_every_true_pair_and_no_namesake(matched: Path) -> None:
    result = run_match(matched)
    rows = result["rows"]
    assert isinstance(rows, list)
    assert pairs([r for r in rows if r["decision"] == "proposed"]) == TRUE_PAIRS
    assert all(r["score"] >= THRESHOLD for r in rows if r["decision"] == "proposed")
    everything = run_match(matched, "--min-score", "0")["rows"]
    assert isinstance(everything, list)
    namesakes = [r for r in everything if (r["a"].removeprefix(ID + "person/synthetic-list-"), r["b"].removeprefix(ID + "person/")) in NAMESAKES]
    assert [(r["score"], r["decision"]) for r in namesakes] == [(0.3, "review"), (0.3, "review")]
    assert all("birth dates differ" in r["reasons"] for r in namesakes)


def test_the_reasons_name_the_evidence(matched: Path) -> None:
    rows = {(r["a"].rsplit("-", 1)[-1], r["b"].rsplit("/", 1)[-1]): r for r in run_match(matched)["rows"]}  # type: ignore[union-attr]
    r = rows[("7", "sharapanava")]
    # Ольга is Вольга (graph/given-names.yaml): the names agree, and so do the birth date and the post
    assert (r["score"], r["reasons"]) == (1.0, "name: 'Шарапанова Ольга Сергеевна' ~ 'Volha Sharapanava' (1.00); "
                                               "same word: sarapanava; birth date 1983-11-20 ~ 1983-11-20; post: prosecutor in both")
    assert (rows[("8", "sharapanava")]["score"], rows[("8", "sharapanava")]["reasons"]) == (
        1.0, "name: 'Olga Sharapanova' ~ 'Volha Sharapanava' (1.00); same word: sarapanava; birth date 1983-11-20 ~ 1983-11-20")


def test_the_same_name_alone_is_not_proposed() -> None:
    a = Person("a", "Alena Hrushetskaya", ["Alena Hrushetskaya"])
    s, why = score(a, Person("b", "Алёна Грушецкая", ["Алёна Грушецкая"]))
    assert round(s, 2) == 0.8 and s < THRESHOLD and why == ["name: 'Alena Hrushetskaya' ~ 'Алёна Грушецкая' (1.00)",
                                                            "same word: hrasatka"]


def test_judgements_are_written_for_review_and_applied_at_build(matched: Path, tmp_path: Path) -> None:
    d = tmp_path / "decisions"
    result = run_match(matched, "--review", "--judgements", str(d))
    assert (result["written"], result["decided_same"]) == (9, 9)  # every true pair has a full birth date or a post
    items = {(r.data["entity"], r.data["other"]): r.data for r in read_source(d / "judgements.yaml").records
             if r.data["type"] == "Judgement"}
    expected = {tuple(sorted((f"person/synthetic-list-{a}", f"person/{b}"))) for a, b in TRUE_PAIRS}
    assert set(items) == expected
    olga = items[("person/sharapanava", "person/synthetic-list-syn-8")]
    assert (olga["decision"], olga["score"]) == ("same", 100)
    # a reviewer confirms one pair and overrules another; a rerun adds nothing and shows the decisions
    data = yaml.safe_load((d / "judgements.yaml").read_text(encoding="utf-8"))
    for r in data["records"]:
        if r.get("other") == "person/synthetic-list-syn-8":
            r["decision"] = "same"
        if r.get("other") == "person/synthetic-list-syn-2":
            r["decision"] = "different"
    write(d / "judgements.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    again = run_match(matched, "--review", "--judgements", str(d))
    assert again["written"] == 0
    assert {r["decision"] for r in again["rows"]} == {"same", "different"}  # type: ignore[union-attr]
    store_dir = tmp_path / "store"
    build([FIXTURE / "officials.yaml", matched / "src", d], store_dir)
    links = select(open_store(store_dir), "SELECT ?a ?b WHERE { GRAPH <https://w3id.org/repnet/graph/same-as> { ?a owl:sameAs ?b } }")
    got = {tuple(sorted((a.removeprefix(ID), b.removeprefix(ID)))) for a, b in links}
    assert got == expected - {tuple(sorted(("person/synthetic-list-syn-2", "person/hrushetskaya")))}


@pytest.mark.parametrize("module", ["repnet.graph.resolution", "repnet.graph.ingest.ftm", "repnet.graph.publish.ftm"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(module)).failed == 0


def test_match_names_a_source_without_persons(matched: Path) -> None:
    out = CliRunner().invoke(cli, ["--store", str(matched / "store"), "match", "nothing-here"])
    assert out.exit_code == 2 and "source 'nothing-here' types no person" in out.output
