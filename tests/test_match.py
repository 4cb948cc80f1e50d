"""repnet match: candidate pairs with score and evidence, measured on a list with known duplicates
(tests/fixtures/lists/duplicates.csv: invented names; column "Same as" gives the truth), and the
judgements file that the build applies as owl:sameAs in its own graph, reversibly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.ingest.build import build
from repnet.graph.ingest.lists import import_list
from repnet.graph.ingest.match import AUTO_SAME, MIN_SCORE, candidates, persons_of_sources, precision_recall
from repnet.graph.store import open_store

from .conftest import ID, select

LISTS = Path(__file__).parent / "fixtures" / "lists"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dups")
    import_list(LISTS / "duplicates.csv", LISTS / "duplicates-map.yaml", out)
    return out


def truth() -> set[tuple[str, str]]:
    with (LISTS / "duplicates.csv").open(encoding="utf-8") as f:
        return {(f"person/sd-{r['Same as']}", f"person/sd-{r['No']}") for r in csv.DictReader(f) if r["Same as"]}


@pytest.mark.parametrize(("threshold", "found", "precision", "recall"), [
    (0.6, 14, 12 / 14, 1.0),     # the two namesakes (born in other years, 0.7) are the false pairs
    (MIN_SCORE, 11, 1.0, 11 / 12),  # listed for review by default (0.75)
    (0.85, 11, 1.0, 11 / 12),    # Volha Kalesnik / Ольга Колесник (Volha and Olga share no key) falls below
    (AUTO_SAME, 4, 1.0, 4 / 12),  # decided "same" automatically: the same name, birth year and address only
])
def test_precision_and_recall_on_known_duplicates(folder: Path, threshold: float, found: int, precision: float, recall: float) -> None:
    pairs = [c.pair for c in candidates(persons_of_sources([folder]), min_score=0.5) if c.score >= threshold]
    assert len(truth()) == 12
    assert len(pairs) == found
    assert precision_recall(pairs, truth()) == pytest.approx((precision, recall))


def test_a_candidate_gives_its_evidence(folder: Path) -> None:
    found = {c.pair: c for c in candidates(persons_of_sources([folder]), min_score=0.6)}
    c = found[("person/sd-12", "person/sd-28")]
    assert (c.score, c.evidence) == (0.7, "names 'Andrei Ivanou' ~ 'Андрей Иванов' 1.00; born 1970 vs 1985; addresses differ")


def test_judgements_are_applied_at_build_and_can_be_taken_back(folder: Path, tmp_path: Path, runner: CliRunner) -> None:
    import shutil

    src = tmp_path / "src"
    shutil.copytree(folder, src)
    r = runner.invoke(cli, ["match", "--within", str(src), "--review", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stderr.startswith(f"11 candidate pairs; 11 added to {src / 'judgements.yaml'} (4 decided same automatically")
    text = (src / "judgements.yaml").read_text(encoding="utf-8")
    assert text.count("  decision: same\n") == 4 and text.count("  decision: unsure\n") == 7
    build([src], store=tmp_path / "s")
    q = "SELECT ?a ?b WHERE { GRAPH <https://w3id.org/repnet/graph/same-as> { ?a owl:sameAs ?b } FILTER(STR(?a) < STR(?b)) } ORDER BY ?a"
    P = ID + "person/sd-"
    assert select(open_store(tmp_path / "s"), q) == [(P + "11", P + "27"), (P + "14", P + "30"), (P + "24", P + "8"), (P + "25", P + "9")]
    # a rerun keeps the decisions; a reviewer's "different" takes the sameAs back at the next build
    r = runner.invoke(cli, ["match", "--within", str(src), "--review", "--format", "csv"])
    assert "; 0 added to" in r.stderr
    edited = text.replace("entity: person/sd-14\n  other: person/sd-30\n  decision: same", "entity: person/sd-14\n  other: person/sd-30\n  decision: different")
    assert edited != text
    (src / "judgements.yaml").write_text(edited, encoding="utf-8")
    build([src], store=tmp_path / "s")
    assert select(open_store(tmp_path / "s"), q) == [(P + "11", P + "27"), (P + "24", P + "8"), (P + "25", P + "9")]


def test_match_against_the_graph(tmp_path: Path, runner: CliRunner) -> None:
    import_list(LISTS / "prisoners.csv", LISTS / "prisoners-map.yaml", tmp_path / "built")
    build([tmp_path / "built"], store=tmp_path / "s")
    new = tmp_path / "new"
    new.mkdir()
    (new / "n.yaml").write_text("""\
source: {id: synthetic-new, title: A new list (synthetic), publisher: org/n, published: 2026-04-01, terms: test data, synthetic: true}
records:
  - {id: org/n, type: Organization, name: N}
  - {id: person/n-1, type: Person, name: Журавенко Алёна, birth_date: 1985}
""", encoding="utf-8")
    r = runner.invoke(cli, ["--store", str(tmp_path / "s"), "match", "--within", str(new), "--graph", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "a,a_name,b,b_name,score,evidence"
    rows = [line.split(",", 5) for line in r.stdout.splitlines()[1:]]
    assert [(a, b, s) for a, _, b, _, s, _ in rows] == [("person/n-1", "person/spl-1", "0.9"), ("person/n-1", "person/spl-4", "0.9")]
