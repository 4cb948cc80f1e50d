"""`repnet analyze ...` and `repnet export gexf|graphml|network-csv` on the Belarus store."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.network.analysis import SHARED_KINDS, STATS_BY
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID

COMMANDS = ["centrality", "path", "ego", "communities", "brokers", "shared", "judges", "diff", "stats"]
DECEMBER = "Release of 123 prisoners, 13 December 2025"


@pytest.fixture
def run(belarus_store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Invoke repnet on the Belarus store; projections are cached under tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        r = runner.invoke(cli, ["--store", str(belarus_store.location), *args], catch_exceptions=False)
        assert "Traceback" not in r.output
        return r.exit_code, r.stdout, r.stderr

    return invoke


@pytest.mark.parametrize("command", [["analyze"], *(["analyze", c] for c in COMMANDS),
                                     ["export", "gexf"], ["export", "graphml"], ["export", "network-csv"]])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    r = CliRunner().invoke(cli, [*command, "--help"])
    assert r.exit_code == 0
    assert r.stdout.startswith("Usage: ")
    assert "Example" in r.stdout


def test_choices_match_the_library() -> None:
    shared = next(p for p in cli.commands["analyze"].commands["shared"].params if p.name == "kinds")  # type: ignore[attr-defined]
    assert list(shared.type.choices) == list(SHARED_KINDS)
    stats = next(p for p in cli.commands["analyze"].commands["stats"].params if p.name == "by")  # type: ignore[attr-defined]
    assert list(stats.type.choices) == list(STATS_BY)


def test_path_table(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "path", "Marfa Rabkova", "United States", "--limit", "1", "--format", "table")
    assert code == 0
    assert out.splitlines() == [
        "path  step  from                                        dir  relation       to                                          date        source",
        "----  ----  ------------------------------------------  ---  -------------  ------------------------------------------  ----------  ----------------------",
        "1     1     Marfa Rabkova                               ->   member_of      Viasna                                                  hrw-2025-12-15-belarus",
        "1     2     Viasna                                      <-   member_of      Ales Bialiatski                                         hrw-2025-12-15-belarus",
        f"1     3     Ales Bialiatski                             ->   released_in    {DECEMBER}  2025-12-13  hrw-2025-12-15-belarus",
        f"1     4     {DECEMBER}  ->   negotiated_by  United States government                    2025-12-13  hrw-2025-12-15-belarus",
        "1     5     United States government                    ->   government_of  United States                                           hrw-2025-12-15-belarus",
        "(5 rows)",
        "from: Marfa Rabkova",
        "to: United States",
        "hops: 5",
        "paths: 1 shown (limit)",
    ]


def test_path_json_names_variants_and_sources(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "path", "anastasia lojka", "Minsk City Court", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["analysis"] == "path" and doc["hops"] == 1
    assert doc["rows"] == [{"path": 1, "step": 1, "from": "Nasta Loika", "dir": "->", "relation": "sentenced_by",
                            "to": "Minsk City Court", "date": "2023-06", "source": "hrw-2025-12-15-belarus",
                            "from_node": ID + "person/nasta-loika", "to_node": ID + "org/minsk-city-court",
                            "event": ID + "sentence/loika-2023"}]


def test_centrality_by_class(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "centrality", "--class", "Court", "--top", "10", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["betweenness"] == "exact" and doc["nodes"] == 30
    assert [(r["rank"], r["label"], r["degree"], r["betweenness"]) for r in doc["rows"]] == [
        (1, "Minsk City Court", 1, 0.0)]


def test_ego_csv(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("analyze", "ego", "Ales Bialiatski", "--radius", "1", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "distance,label,class,via,relation,node",
        f"0,Ales Bialiatski,Person,,,{ID}person/ales-bialiatski",
        f"1,tax evasion,Offence,Ales Bialiatski,charged_under,{ID}offence/tax-evasion",
        f"1,Viasna,Organization,Ales Bialiatski,member_of,{ID}org/viasna",
        f'1,"{DECEMBER}",ReleaseRound,Ales Bialiatski,released_in,{ID}release/2025-12-13',
    ]
    assert "radius: 1" in err  # notes go to stderr, so stdout stays CSV


def test_communities_and_brokers(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "communities", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["modularity"] == 0.574 and doc["communities"] == 5 and doc["seed"] == 42
    code, out, _ = run("analyze", "brokers", "--top", "2", "--format", "json")
    assert code == 0
    assert [r["label"] for r in json.loads(out)["rows"]] == ["Marfa Rabkova", DECEMBER]


def test_judges_and_stats(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "judges", "--format", "table")
    assert code == 0
    assert out.splitlines()[2] == "1     court  Minsk City Court         1        1          7"
    code, out, _ = run("analyze", "stats", "--by", "year", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["by,label,sentences,persons,total_years,mean_years,max_years,key",
                                "year,2022,1,1,15.0,15.0,15.0,2022", "year,2023,2,2,16.0,8.0,9.0,2023"]


def test_diff_lists_who_was_released(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "diff", "--from", "2025-12-12", "--to", "2025-12-13", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["from"], doc["to"], doc["released"], doc["added"]) == ("2025-12-12", "2025-12-13", 6, 0)
    assert sorted(r["label"] for r in doc["rows"]) == ["Ales Bialiatski", "Maksim Znak", "Maria Kalesnikava",
                                                       "Maryna Zolatava", "Uladzimir Labkovich", "Viktar Babaryka"]
    code, out, _ = run("analyze", "diff", "--from", "2025-09-01", "--to", "2025-12-31", "--format", "table")
    # pardoned in September, then returned to prison: not released; the date as the source states it
    assert code == 0 and "Mikalai Statkevich      Person  added     2025-09 " in out


def test_shared_and_views(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("analyze", "shared", "--by", "organization", "--person", "Marfa Rabkova", "--format", "csv")
    assert code == 0
    assert out.splitlines()[1:] == [
        f"1,Marfa Rabkova,Ales Bialiatski,1,Viasna,{ID}person/marfa-rabkova,{ID}person/ales-bialiatski",
        f"2,Marfa Rabkova,Uladzimir Labkovich,1,Viasna,{ID}person/marfa-rabkova,{ID}person/uladzimir-labkovich",
        f"3,Marfa Rabkova,Valiantsin Stefanovic,1,Viasna,{ID}person/marfa-rabkova,{ID}person/valiantsin-stefanovic"]
    code, out, _ = run("analyze", "path", "Marfa Rabkova", "United States", "--as-of", "2025-12-12", "--format", "table")
    assert code == 0 and "paths: 0" in out
    code, out, _ = run("analyze", "judges", "--relation", "member_of", "--format", "table")
    assert code == 0 and "(0 rows)" in out


@pytest.mark.parametrize("args, code, message", [
    (["analyze", "path", "Nobody Atall", "United States"], 1, "Error: no entity is called 'Nobody Atall'."),
    (["analyze", "ego", "Human Rights Watch"], 1, "has no relation in this view of the network"),
    (["analyze", "diff", "--from", "2025-13-01", "--to", "2025-12-31"], 2, "--from '2025-13-01': give a day"),
    (["analyze", "centrality", "--class", "Courts"], 2, "Error: unknown class 'Courts'. Classes: Person, Judge"),
    (["analyze", "stats", "--relation", "sentenced"], 2, "Error: unknown relation 'sentenced'."),
    (["analyze", "judges", "--as-of", "yesterday"], 2, "--as-of 'yesterday': give a day, YYYY-MM-DD"),
    (["analyze", "diff", "--from", "2024-01-01", "--to", "2023-01-01"], 2, "--from 2024-01-01 is after --to 2023-01-01"),
])
def test_errors_are_messages_with_exit_codes(run, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    got, out, err = run(*args)
    assert got == code
    assert message in err and out == ""


def test_export_gexf_graphml_and_csv(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("export", "gexf", "-o", str(tmp_path / "n.gexf"))
    assert code == 0 and err.strip() == f"Wrote {tmp_path / 'n.gexf'}: 30 nodes, 35 edges; public facts only."
    G = nx.read_gexf(tmp_path / "n.gexf")
    assert G.nodes[ID + "org/viasna"] == {"label": "Viasna", "class": "Organization"}
    d = next(iter(G.get_edge_data(ID + "person/nasta-loika", ID + "org/minsk-city-court").values()))
    assert (d["relation"], d["years"], d["date"], d["source"]) == ("sentenced_by", 7.0, "2023-06", "hrw-2025-12-15-belarus")
    code, _, _ = run("export", "graphml", "--as-of", "2025-12-12", "-o", str(tmp_path / "n.graphml"))
    H = nx.read_graphml(tmp_path / "n.graphml", force_multigraph=True)
    assert code == 0 and (H.number_of_nodes(), H.number_of_edges()) == (25, 25)
    code, _, _ = run("export", "network-csv", "--relation", "member_of", "-o", str(tmp_path / "csv"))
    assert code == 0
    assert len((tmp_path / "csv" / "edges.csv").read_text().splitlines()) == 6
    assert (tmp_path / "csv" / "nodes.csv").read_text().splitlines()[0] == "Id,Label,class"
    code, out, _ = run("export", "gexf", "--class", "Person", "--class", "Court", "-o", "-")
    assert code == 0 and out.startswith("<?xml") and "Minsk City Court" in out and "Viasna" not in out
