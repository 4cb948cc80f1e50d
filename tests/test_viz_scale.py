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


COURT_PERSONS = """PREFIX rpn: <https://w3id.org/repnet/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE {
  ?s rpn:sentencedPerson ?p . { ?s rpn:court ?c } UNION { ?s rpn:verdict/rpn:court ?c }
  ?c skos:prefLabel ?label FILTER(LANG(?label) = "en") } GROUP BY ?label"""
FACILITY_PERSONS = """PREFIX rpn: <https://w3id.org/repnet/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE {
  { ?e rpn:detainedPerson ?p } UNION { ?e rpn:returnedPerson ?p } ?e rpn:heldAt ?f .
  ?f skos:prefLabel ?label FILTER(LANG(?label) = "en") } GROUP BY ?label"""


@pytest.mark.parametrize("which", ["belarus", "synthetic"])
def test_flow_counts_equal_sparql_counts(which: str, belarus_store: EmbeddedStore, synthetic: EmbeddedStore) -> None:
    from repnet.graph.viz.flow import flow

    store = belarus_store if which == "belarus" else synthetic
    data = flow(store, project(store), top=10_000)
    for stage, q in (("court", COURT_PERSONS), ("facility", FACILITY_PERSONS)):
        counted = {r["label"]: r["n"] for r in Store(store).query(q)}
        drawn = {k: v for k, v in data["nodes"][stage].items() if k != "(none stated)"}
        assert drawn == counted and drawn, stage
    # every person is in every stage once at least; still held matches detained-on on the data's last day
    assert all(sum(n.values()) >= data["persons"] for n in data["nodes"].values())
