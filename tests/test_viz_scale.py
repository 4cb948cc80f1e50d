"""The explorer at scale: the chart of persons held per month equals detained-on at each month's
end (on the Belarus data and on a synthetic store), the overview's groups count every entity once,
and the command line writes the chart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from repnet.cli import cli
from repnet.graph.api import Store
from repnet.graph.ingest.build import in_memory
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.ingest.synth import write_synthetic
from repnet.graph.network.project import project
from repnet.graph.store.embedded import EmbeddedStore
from repnet.graph.viz.chart import month_ends, monthly
from repnet.graph.viz.groups import overview


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    out = tmp_path_factory.mktemp("synth-viz")
    write_synthetic(out, persons=250, seed=5, per_file=250, progress=None)
    return in_memory(load_dataset([out]))


def detained_on_counts(store: EmbeddedStore, day: str) -> dict[str, int]:
    return dict(Counter(r["status"] for r in Store(store).query("detained-on", date=day)))


def chart_counts(data: dict[str, Any], i: int) -> dict[str, int]:
    return {c: ns[i] for c, ns in data["held"].items() if ns[i]}


def test_month_ends() -> None:
    assert month_ends("2024-01-31", "2024-03-01") == ["2024-01-31", "2024-02-29", "2024-03-31"]


def test_chart_held_per_month_equals_detained_on_belarus(belarus_store: EmbeddedStore) -> None:
    data = monthly(belarus_store, project(belarus_store))
    assert data["months"][0] <= "2020-09" and len(data["months"]) == len(data["ends"]) > 50
    for i, end in enumerate(data["ends"]):
        assert chart_counts(data, i) == detained_on_counts(belarus_store, end), end
    assert max(sum(x) for x in zip(*data["held"].values(), strict=True)) > 0


def test_chart_held_per_month_equals_detained_on_synthetic(synthetic: EmbeddedStore) -> None:
    data = monthly(synthetic, project(synthetic))
    assert sum(data["sentenced"]) > 0 and sum(data["released"]) > 0
    for i, end in enumerate(data["ends"]):
        assert chart_counts(data, i) == detained_on_counts(synthetic, end), end


def test_overview_groups_hold_every_entity_once(synthetic: EmbeddedStore) -> None:
    G = project(synthetic)
    for by in ("community", "court", "facility", "class"):
        ov = overview(G, dict(G.degree()), by, max_groups=20)
        members = [n for g in ov.groups for n in g.members]
        assert sorted(members) == sorted(G) and len(ov.groups) <= 20, by
        assert all(ov.of[n] == j for j, g in enumerate(ov.groups) for n in g.members)
        # the links between groups count every relation whose ends are in different groups once
        across = sum(1 for u, w in G.edges() if ov.of[u] != ov.of[w])
        assert sum(int(r["n"]) for r in ov.links.values()) == across


def test_viz_chart_command(runner: Any, belarus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name, magic in (("held.png", b"\x89PNG"), ("held.svg", b"<?xml")):
        r = runner.invoke(cli, ["--store", str(belarus_dir), "viz", "--chart", "-o", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
        assert r.output.startswith(f"Wrote {tmp_path / name}: ") and "persons held on a month's last day" in r.output
        assert (tmp_path / name).read_bytes()[:len(magic)] == magic
    r = runner.invoke(cli, ["--store", str(belarus_dir), "viz", "--chart", "-o", str(tmp_path / "held.html")])
    assert r.exit_code != 0 and "a chart is a .png or .svg file" in r.output


def test_overview_groups_graph_is_small(synthetic: EmbeddedStore) -> None:
    G = project(synthetic)
    ov = overview(G, dict(G.degree()), "community")
    assert isinstance(G, nx.MultiDiGraph) and 1 < len(ov.groups) <= 300


PREFIXES = """PREFIX rpn: <https://w3id.org/repnet/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
"""
COHORT = """{ SELECT DISTINCT ?p WHERE {
    { ?x rpn:arrestedPerson ?p } UNION { ?x rpn:detainedPerson ?p } UNION { ?x rpn:returnedPerson ?p }
    ?x rpn:earliestStart ?day FILTER(SUBSTR(STR(?day), 1, 10) >= "%s" && SUBSTR(STR(?day), 1, 10) <= "%s") } }"""
"""The persons arrested or detained between two days (by the earliest day their start may be)."""
STAGE_PERSONS = {
    "court": "?s rpn:sentencedPerson ?p . { ?s rpn:court ?k } UNION { ?s rpn:verdict/rpn:court ?k }",
    "judge": "?s rpn:sentencedPerson ?p . { ?s rpn:presidingJudge ?k } UNION { ?s rpn:verdict/rpn:presidingJudge ?k }",
    "facility": "{ ?e rpn:detainedPerson ?p } UNION { ?e rpn:returnedPerson ?p } ?e rpn:heldAt ?k .",
    "release": "?r rpn:releasedPerson ?p ; schema:superEvent ?k .",
    "detention": """{ ?e rpn:arrestedPerson ?p BIND("arrest" AS ?k) } UNION { ?e rpn:detainedPerson ?p ; rpn:detentionType ?k }
                    UNION { ?e rpn:returnedPerson ?p BIND("return to custody" AS ?k) }""",
}
"""Per stage: the pattern that links a person ?p to an entity ?k of that stage, as the store states it."""


def sparql_counts(store: EmbeddedStore, stage: str, span: tuple[str, str] | None = None) -> dict[str, int]:
    pattern = STAGE_PERSONS[stage]
    if span and stage == "detention":  # the first stage counts only the arrests and detentions in the range
        pattern += (' ?e rpn:earliestStart ?day FILTER(SUBSTR(STR(?day), 1, 10) >= "{}" '
                    '&& SUBSTR(STR(?day), 1, 10) <= "{}")').format(*span)
    elif span:
        pattern = COHORT % span + " " + pattern
    q = PREFIXES + f"SELECT ?k (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {pattern} }} GROUP BY ?k"
    return {str(r["k"]): int(r["n"]) for r in Store(store).query(q)}


@pytest.mark.parametrize("which", ["belarus", "synthetic"])
@pytest.mark.parametrize("span", [None, ("2021-01-01", "2021-12-31"), ("2020-08-09", "2020-12-31")])
def test_flow_counts_equal_sparql_counts(which: str, span: tuple[str, str] | None, belarus_store: EmbeddedStore,
                                         synthetic: EmbeddedStore) -> None:
    from repnet.graph.viz.flow import NO_STATUS, NONE, RELEASED_NO_ROUND, STILL_HELD, flow

    store = belarus_store if which == "belarus" else synthetic
    since, until = span or (None, None)
    data = flow(store, project(store), top=10_000, since=since, until=until)
    for stage in ("detention", "court", "judge", "facility", "release"):
        drawn = {k: v for k, v in data["nodes"][stage].items() if k not in (NONE, STILL_HELD, RELEASED_NO_ROUND, NO_STATUS)}
        assert drawn == sparql_counts(store, stage, span), stage
    if span:
        cohort = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { " + COHORT % span + " }"
        assert data["persons"] == int(Store(store).query(cohort)[0]["n"]) > 0
    if which == "synthetic":
        assert data["nodes"]["judge"] and data["nodes"]["court"] and data["nodes"]["release"]
    # every person is in every stage once at least
    assert all(sum(n.values()) >= data["persons"] for n in data["nodes"].values())


@pytest.mark.parametrize("which", ["belarus", "synthetic"])
def test_flow_still_held_equals_detained_on_last_day(which: str, belarus_store: EmbeddedStore,
                                                     synthetic: EmbeddedStore) -> None:
    from repnet.graph.viz.flow import STILL_HELD, flow_of, person_paths

    store = belarus_store if which == "belarus" else synthetic
    P = person_paths(store, project(store))
    assert P.last_day is not None
    held = {r["person"] for r in Store(store).query("detained-on", date=P.last_day)}
    rounds = {str(r["p"]) for r in Store(store).query(PREFIXES + "SELECT DISTINCT ?p WHERE { " + STAGE_PERSONS["release"] + " }")}
    expected = len((held - rounds) & set(P.at))
    assert flow_of(P)["nodes"]["release"].get(STILL_HELD, 0) == expected and expected > 0


def test_flow_through_an_entity_keeps_its_persons(synthetic: EmbeddedStore) -> None:
    from repnet.graph.viz.flow import flow_of, person_paths

    P = person_paths(synthetic, project(synthetic))
    whole = flow_of(P, top=10_000)
    court = next(k for k in whole["nodes"]["court"] if k.startswith("http"))
    judge = next(k for k in whole["nodes"]["judge"] if k.startswith("http"))
    for key, stage in ((court, "court"), (judge, "judge")):
        through = flow_of(P, top=10_000, through=key)
        assert through["persons"] == whole["nodes"][stage][key] == through["nodes"][stage][key]
        assert set(through["nodes"][stage]) <= {key} | {k for k in whole["nodes"][stage]}
    top3 = flow_of(P, top=3)
    assert all(len(n) <= 5 for n in top3["nodes"].values())  # 3, "(none stated)" and "N more"
    assert sum(top3["nodes"]["court"].values()) == sum(whole["nodes"]["court"].values())


def test_viz_flow_command_with_a_date_range(runner: Any, belarus_dir: Path, belarus_store: EmbeddedStore,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "flow.svg"
    r = runner.invoke(cli, ["--store", str(belarus_dir), "viz", "--flow", "--from", "2020-08-09", "--to", "2020-12-31",
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    cohort = PREFIXES + "SELECT ?p WHERE { " + COHORT % ("2020-08-09", "2020-12-31") + " }"
    assert [str(r["p"]) for r in Store(belarus_store).query(cohort)] == ["https://w3id.org/repnet/id/person/marfa-rabkova"]
    assert r.output.startswith(f"Wrote {out}: 1 person, arrested or detained 2020-08-09 to 2020-12-31 along 6 stages")
    assert out.read_bytes()[:5] == b"<?xml"
    r = runner.invoke(cli, ["--store", str(belarus_dir), "viz", "--flow", "--from", "2021-02-30", "-o", str(out)])
    assert r.exit_code == 2 and "--from '2021-02-30': give a day, YYYY-MM-DD" in r.output
    r = runner.invoke(cli, ["--store", str(belarus_dir), "viz", "--from", "2021-01-01", "-o", str(tmp_path / "x.html")])
    assert r.exit_code == 2 and "add --flow" in r.output
