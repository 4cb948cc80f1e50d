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
from repnet.graph.ingest.match import candidates, persons_of_sources, precision_recall
from repnet.graph.resolution import AUTO_SAME, REVIEW_FLOOR, THRESHOLD
from repnet.graph.store import open_store

from .conftest import ID, select

LISTS = Path(__file__).parent / "fixtures" / "lists"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dups")
    import_list(LISTS / "duplicates.csv", LISTS / "duplicates-map.yaml", out)
    return out


# the pairs decided same automatically (score >= 0.95: name, surname, birth year and address agree), as the store sorts them
AUTO = [("10", "26"), ("11", "27"), ("14", "30"), ("18", "2"), ("19", "3"), ("20", "4"), ("21", "5"), ("22", "6"), ("23", "7"), ("24", "8")]


def truth() -> set[tuple[str, str]]:
    with (LISTS / "duplicates.csv").open(encoding="utf-8") as f:
        return {(f"person/sd-{r['Same as']}", f"person/sd-{r['No']}") for r in csv.DictReader(f) if r["Same as"]}


@pytest.mark.parametrize(("threshold", "found", "precision", "recall"), [
    (0.3, 14, 12 / 14, 1.0),     # the two namesakes (born in other years, 0.3) are the false pairs
    (REVIEW_FLOOR, 12, 1.0, 1.0),  # listed for review by default (0.5)
    (THRESHOLD, 12, 1.0, 1.0),   # proposed (0.85); Volha Kalesnik / Ольга Колесник by the given-name table
    (AUTO_SAME, 10, 1.0, 10 / 12),  # decided "same" automatically: the same name, surname word, birth year and address
])
def test_precision_and_recall_on_known_duplicates(folder: Path, threshold: float, found: int, precision: float, recall: float) -> None:
    pairs = [c.pair for c in candidates(persons_of_sources([folder]), min_score=0) if c.score >= threshold]
    assert len(truth()) == 12
    assert len(pairs) == found
    assert precision_recall(pairs, truth()) == pytest.approx((precision, recall))


def test_a_candidate_gives_its_evidence(folder: Path) -> None:
    found = {c.pair: c for c in candidates(persons_of_sources([folder]), min_score=0)}
    c = found[("person/sd-12", "person/sd-28")]
    assert (c.score, c.evidence) == (0.3, "name: 'Andrei Ivanou' ~ 'Андрей Иванов' (1.00); same word: avana; "
                                          "birth dates differ: 1970 vs 1985; addresses differ: Minsk vs Гомель")
    c = found[("person/sd-25", "person/sd-9")]  # Aliaksandr is Александр; a shared given name is not a surname
    assert (c.score, c.evidence) == (0.9, "name: 'Aliaksandr Bialou' ~ 'Александр Белов' (1.00); birth date 1970 ~ 1970; "
                                          "address same: Lida")


def test_judgements_are_applied_at_build_and_can_be_taken_back(folder: Path, tmp_path: Path, runner: CliRunner) -> None:
    import shutil

    src = tmp_path / "src"
    shutil.copytree(folder, src)
    r = runner.invoke(cli, ["match", "--within", str(src), "--review", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stderr.startswith(f"12 candidate pairs; 12 added to {src / 'judgements.yaml'} (10 decided same automatically")
    text = (src / "judgements.yaml").read_text(encoding="utf-8")
    assert text.count("  decision: same\n") == 10 and text.count("  decision: unsure\n") == 2
    build([src], store=tmp_path / "s")
    q = "SELECT ?a ?b WHERE { GRAPH <https://w3id.org/repnet/graph/same-as> { ?a owl:sameAs ?b } FILTER(STR(?a) < STR(?b)) } ORDER BY ?a"
    P = ID + "person/sd-"
    auto = [(P + a, P + b) for a, b in AUTO]
    assert select(open_store(tmp_path / "s"), q) == auto
    # a rerun keeps the decisions; a reviewer's "different" takes the sameAs back at the next build
    r = runner.invoke(cli, ["match", "--within", str(src), "--review", "--format", "csv"])
    assert "; 0 added to" in r.stderr
    edited = text.replace("entity: person/sd-14\n  other: person/sd-30\n  decision: same", "entity: person/sd-14\n  other: person/sd-30\n  decision: different")
    assert edited != text
    (src / "judgements.yaml").write_text(edited, encoding="utf-8")
    build([src], store=tmp_path / "s")
    assert select(open_store(tmp_path / "s"), q) == [p for p in auto if p != (P + "14", P + "30")]


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
    assert r.stdout.splitlines()[0] == "a,a_name,b,b_name,score,decision,evidence"
    rows = [line.split(",", 6) for line in r.stdout.splitlines()[1:]]
    assert [(a, b, s, d) for a, _, b, _, s, d, _ in rows] == [("person/n-1", "person/spl-1", "0.9", "proposed"),
                                                              ("person/n-1", "person/spl-4", "0.9", "proposed")]
