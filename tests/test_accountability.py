"""Accountability (issue 12): officials and their posts, sanctions decisions, the `officials` and
`sanctions` queries and `analyze accountability`, on a synthetic source
(tests/fixtures/accountability/officials.yaml: invented officials at a court, a prosecutor's office,
an investigative committee, a security unit and a colony; verdicts naming judges; one decision of an
intergovernmental authority with three targets, one of a government, and a later delisting)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.api import Store
from repnet.graph.ingest.build import build
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore

FIXTURE = Path(__file__).parent / "fixtures" / "accountability"
SRC = "https://w3id.org/repnet/id/source/accountability-synthetic"


@pytest.fixture(scope="module")
def acc_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("accountability-store")
    build([FIXTURE / "officials.yaml"], root)
    return root


@pytest.fixture(scope="module")
def acc_store(acc_dir: Path) -> EmbeddedStore:
    return open_store(acc_dir)


def rows(store: EmbeddedStore, name: str) -> list[tuple[object, ...]]:
    result = Store(store).query(name)  # the library face: plain Python values
    return [tuple(r[c] for c in result.columns) for r in result]


def test_officials_rows_rank_posts_by_persons_and_years_with_who_sanctions_them(acc_store: EmbeddedStore) -> None:
    P = "https://w3id.org/repnet/id/person/"
    assert rows(acc_store, "officials") == [
        # s-1 (released 2022-11-04), s-2 (transferred 2022-10), s-3 (still held), s-5 (from 2022-12, the month
        # the post ended); not s-4 (held from 2023-02)
        (P + "barysenka", "Mikalai Barysenka", "head", "Penal Colony No. 1", "2019-02-01", "2022-12", 4, 18, None, SRC),
        (P + "sharapanava", "Volha Sharapanava", "prosecutor", "City Prosecutor's Office", "2016", "2024-03", 3, 18,
         "Union of States", SRC),
        # s-3, s-4 (released 2023-09-01), s-5 (no sentence: no years); not s-1 or s-2, gone before 2023
        (P + "kastsiuk", "Andrei Kastsiuk", "deputy head", "Penal Colony No. 1", "2023", None, 3, 12, None, SRC),
        (P + "lapitski", "Dzmitry Lapitski", "judge", "Central District Court", "2018", None, 2, 12, None, SRC),
        (P + "hrushetskaya", "Alena Hrushetskaya", "judge", "Central District Court", "2015-09", None, 2, 8,
         "Government of Y, Union of States", SRC),
        (P + "tsitou", "Ihar Tsitou", "investigator", "Investigative Committee", None, None, 1, 10, None, SRC),
        # named on verdicts outside every post: no post at all (Zhukava), a verdict of June 2024 after the
        # prosecutor's post ended (2024-03), a verdict of 2016 before the judge's post began (2018)
        (P + "zhukava", "Iryna Zhukava", "judge", "Regional Court", None, None, 1, 6, None, SRC),
        (P + "sharapanava", "Volha Sharapanava", "prosecutor", None, None, None, 1, 6, "Union of States", SRC),
        (P + "lapitski", "Dzmitry Lapitski", "judge", "Central District Court", None, None, 1, 4, None, SRC),
        (P + "kurylenka", "Pavel Kurylenka", "officer", "Security Service Unit", None, None, None, None, None, SRC),
    ]


def test_sanctions_rows_one_per_decision_and_target_with_the_delisting(acc_store: EmbeddedStore) -> None:
    P = "https://w3id.org/repnet/id/person/"
    union = ("Union of States", "2022-02-24", "Council Regulation (synthetic) 2022/1", "Union listing 2022/1",
             "responsible for politically motivated sentences and for the treatment of prisoners", SRC)
    assert rows(acc_store, "sanctions") == [
        (P + "hrushetskaya", "Alena Hrushetskaya", *union, None),
        (P + "barysenka", "Mikalai Barysenka", *union, "2024-02-20"),
        (P + "sharapanava", "Volha Sharapanava", *union, None),
        (P + "hrushetskaya", "Alena Hrushetskaya", "Government of Y", "2023-08-09", "Executive Order (synthetic) 7",
         "Government of Y designation 2023", "sentenced political prisoners", SRC, None),
    ]


def test_a_sanction_naming_no_target_entity_gives_one_row_with_its_words(belarus_store: EmbeddedStore) -> None:
    assert rows(belarus_store, "sanctions") == [
        (None, "Belarusian potash", None, None, None, "sanctions on Belarusian potash", None,
         "https://w3id.org/repnet/id/source/hrw-2025-12-15-belarus", None)]


def test_analyze_accountability_unsanctioned_lists_exactly_the_officials_no_authority_lists_now(acc_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["--store", str(acc_dir), "analyze", "accountability", "--unsanctioned", "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert (result["officials"], result["sanctioned"], result["unsanctioned"], result["posts"]) == (8, 2, 6, 10)
    assert [(r["rank"], r["official"], r["post"], r["organization"], r["from"], r["to"], r["persons"], r["total_years"],
             r["sanctioned_by"]) for r in result["rows"]] == [
        (1, "Mikalai Barysenka", "head", "Penal Colony No. 1", "2019-02-01", "2022-12", 4, 18, None),  # delisted in 2024
        (2, "Andrei Kastsiuk", "deputy head", "Penal Colony No. 1", "2023", None, 3, 12, None),
        (3, "Dzmitry Lapitski", "judge", "Central District Court", "2018", None, 2, 12, None),
        (4, "Ihar Tsitou", "investigator", "Investigative Committee", None, None, 1, 10, None),
        (5, "Iryna Zhukava", "judge", "Regional Court", None, None, 1, 6, None),
        (6, "Dzmitry Lapitski", "judge", "Central District Court", None, None, 1, 4, None),
        (7, "Pavel Kurylenka", "officer", "Security Service Unit", None, None, None, None, None),
    ]


def test_analyze_accountability_by_organization_ranks_within_each_court_office_and_facility(acc_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["--store", str(acc_dir), "analyze", "accountability", "--by", "organization",
                                   "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = [line.split(",")[:4] for line in out.stdout.splitlines()]
    assert lines == [["organization", "rank", "official", "post"],
                     ["Central District Court", "1", "Dzmitry Lapitski", "judge"],
                     ["Central District Court", "2", "Alena Hrushetskaya", "judge"],
                     ["Central District Court", "3", "Dzmitry Lapitski", "judge"],
                     ["City Prosecutor's Office", "1", "Volha Sharapanava", "prosecutor"],
                     ["Investigative Committee", "1", "Ihar Tsitou", "investigator"],
                     ["Penal Colony No. 1", "1", "Mikalai Barysenka", "head"],
                     ["Penal Colony No. 1", "2", "Andrei Kastsiuk", "deputy head"],
                     ["Regional Court", "1", "Iryna Zhukava", "judge"],
                     ["Security Service Unit", "1", "Pavel Kurylenka", "officer"],
                     ["", "1", "Volha Sharapanava", "prosecutor"]]  # no organization: last


def test_accountability_refuses_an_unknown_grouping() -> None:
    from repnet.graph.errors import UsageError
    from repnet.graph.network.analysis import accountability

    with pytest.raises(UsageError, match="by='court': use official or organization"):
        accountability([], by="court")


def test_an_entity_page_lists_posts_and_sanctions_with_their_sources(acc_store: EmbeddedStore) -> None:
    from repnet.graph.web.pages import entity

    page = entity(acc_store, "https://w3id.org/repnet/id/person/barysenka", "text/html").body.decode()
    assert ("<h2>Posts</h2><table><tr><th>post</th><th>at</th><th>from</th><th>to</th><th>source</th></tr>"
            '<tr><td>head</td><td><a href="/id/place/colony-1">Penal Colony No. 1</a></td><td>2019-02-01</td><td>2022-12</td>'
            "<td>accountability-synthetic</td></tr></table>") in page
    assert ('<tr><td>Union of States</td><td>2022-02-24</td><td>Council Regulation (synthetic) 2022/1</td>'
            '<td><a href="/id/sanction/union-2022-1">Union listing 2022/1</a></td><td>2024-02-20</td>'
            "<td>accountability-synthetic</td></tr>") in page


def test_the_explorer_marks_officials_sanctioned_or_not_with_authority_and_source_in_the_panel(acc_store: EmbeddedStore) -> None:
    from repnet.graph.viz.data import page_data
    from repnet.graph.viz.view import build_view

    data, _ = page_data(acc_store, build_view(acc_store))
    sources = list(data["sources"]) if isinstance(data["sources"], dict) else [s["id"] for s in data["sources"]]
    marks = {n["l"]: (n.get("sanc"), [(f["k"], f["v"], [sources[i] for i in f["src"]]) for f in n.get("facts", [])
                                       if f["k"] in ("post", "sanctioned by")])
             for n in data["nodes"] if "sanc" in n}
    assert marks["Alena Hrushetskaya"] == (1, [
        ("post", "judge at Central District Court (from 2015-09)", ["accountability-synthetic"]),
        ("sanctioned by", "Government of Y, 2023-08-09, Executive Order (synthetic) 7", ["accountability-synthetic"]),
        ("sanctioned by", "Union of States, 2022-02-24, Council Regulation (synthetic) 2022/1", ["accountability-synthetic"])])
    assert marks["Mikalai Barysenka"][0] == 0  # delisted: not sanctioned now
    assert {k: v[0] for k, v in marks.items()} == {
        "Alena Hrushetskaya": 1, "Volha Sharapanava": 1, "Mikalai Barysenka": 0, "Andrei Kastsiuk": 0,
        "Dzmitry Lapitski": 0, "Ihar Tsitou": 0, "Pavel Kurylenka": 0}


# ------------------------------------------------------------------------------- on Virtuoso
@pytest.fixture(scope="module")
def acc_remote(acc_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The accountability store pushed to a private Virtuoso of its own (tests/external.py), read back
    through ``--store http://127.0.0.1:PORT/sparql``."""
    from .external import start_virtuoso

    v = start_virtuoso(tmp_path_factory.mktemp("acc-virtuoso"))
    try:
        r = CliRunner().invoke(cli, ["--store", str(acc_dir), "push", v.graph_crud_auth, "--user", "dba"],
                               env={"REPNET_PASSWORD": "dba"})
        assert r.exit_code == 0, r.output
        yield v
    finally:
        v.stop()


@pytest.mark.parametrize("name", ["officials", "sanctions"])
def test_officials_and_sanctions_give_the_same_rows_on_virtuoso(name: str, acc_store: EmbeddedStore, acc_remote: Any) -> None:
    remote = open_store(acc_remote.sparql)
    expected = rows(acc_store, name)
    assert len(expected) == {"officials": 10, "sanctions": 4}[name]
    assert rows(remote, name) == expected


def test_analyze_accountability_and_entity_facts_are_the_same_on_virtuoso(acc_dir: Path, acc_store: EmbeddedStore,
                                                                          acc_remote: Any) -> None:
    from repnet.graph.ask.accountability import posts, sanctions

    for args in (["--unsanctioned"], ["--by", "organization"]):
        local, remote = (CliRunner().invoke(cli, ["--store", s, "analyze", "accountability", *args, "--format", "json"])
                         for s in (str(acc_dir), acc_remote.sparql))
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.output) == json.loads(local.output)
    people = [f"https://w3id.org/repnet/id/person/{p}" for p in ("barysenka", "hrushetskaya", "zhukava", "s-1")]
    server = open_store(acc_remote.sparql)
    assert posts(server, people) == posts(acc_store, people)
    assert sanctions(server, people) == sanctions(acc_store, people)
