"""Analyses: each on a small graph with a known answer, on the Belarus data with exact results, and
checked against networkx and the saved queries on synthetic data."""

from __future__ import annotations

import doctest
import importlib
import json
import pkgutil
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import combinations
from typing import Any

import networkx as nx
import pytest

from repnet.graph.ask.query import saved_queries
from repnet.graph.ask.status import stored_periods
from repnet.graph.errors import UsageError
from repnet.graph.ingest.build import in_memory
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.ingest.synth import write_synthetic
from repnet.graph.network import analysis as A
from repnet.graph.network import netexport
from repnet.graph.network import project as P
from repnet.graph.network.analysis import centralities
from repnet.graph.network.analysis.pairs import person_groups, top_pairs
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, select

SRC = "hrw-2025-12-15-belarus"
DECEMBER = "Release of 123 prisoners, 13 December 2025"
SEPTEMBER = "Pardon and expulsion of a group of prisoners, September 2025"
RELEASED_2025_12_13 = ["Ales Bialiatski", "Maksim Znak", "Maria Kalesnikava", "Maryna Zolatava", "Uladzimir Labkovich",
                       "Viktar Babaryka"]


def n(key: str) -> str:
    return ID + key


@pytest.fixture(scope="module")
def G(belarus_store: EmbeddedStore) -> nx.MultiDiGraph:
    return P.project(belarus_store)


def period(status: str, **days: str) -> dict[str, Any]:
    """A status period as repnet.graph.ask.status.stored_periods gives it."""
    keys = ("lo", "first", "last", "end_lo", "end_hi", "since", "until", "last_known", "facility")
    return {"status": status, "intermittent": False, **dict.fromkeys(keys), **days}


def graph(nodes: dict[str, str], edges: list[tuple[str, str, dict[str, Any]]]) -> nx.MultiDiGraph:
    """A small projection: nodes {id: class} labelled by their id, edges (tail, head, attributes)."""
    g = nx.MultiDiGraph()
    for v, c in nodes.items():
        g.add_node(v, label=v, **{"class": c})
    for u, v, d in edges:
        g.add_edge(u, v, **d)
    return g


def two_triangles() -> nx.Graph:
    return nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])


ANALYSIS_MODULES = [importlib.import_module(f"{A.__name__}.{m.name}") for m in pkgutil.iter_modules(A.__path__)]


@pytest.mark.parametrize("module", [P, netexport, A, *ANALYSIS_MODULES], ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module: Any) -> None:
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def test_the_analysis_package_has_eight_modules_each_with_examples() -> None:
    names = sorted(m.__name__.rsplit(".", 1)[-1] for m in ANALYSIS_MODULES)
    assert names == ["accountability", "centralities", "change", "common", "connections", "louvain", "pairs", "sentences"]
    assert all(doctest.DocTestFinder().find(m) and m.__doc__ for m in ANALYSIS_MODULES)


# ---------------------------------------------------------------------------- small graphs, known answers
def test_undirected_counts_facts_and_drops_self_loops() -> None:
    g = graph({"p": "Person", "k": "Court"}, [("p", "k", {"relation": "sentenced_by"}), ("p", "k", {"relation": "x"}),
                                               ("k", "k", {"relation": "y"})])
    H = A.undirected(g)
    assert list(H.edges(data=True)) == [("p", "k", {"weight": 2})]
    assert H.nodes["k"] == {"label": "k", "class": "Court"}


def test_betweenness_is_networkx_betweenness_exact_and_sampled() -> None:
    for g in (nx.karate_club_graph(), nx.florentine_families_graph(), nx.krackhardt_kite_graph(),
              nx.disjoint_union(nx.path_graph(5), nx.star_graph(4)), nx.gnm_random_graph(300, 700, seed=3)):
        exact, theirs = A.betweenness(g), nx.betweenness_centrality(g)
        assert max(abs(exact[v] - theirs[v]) for v in g) < 1e-12
        sampled, theirs = A.betweenness(g, k=9, seed=5, batch=4), nx.betweenness_centrality(g, k=9, seed=5)
        assert max(abs(sampled[v] - theirs[v]) for v in g) < 1e-12
    kite = A.betweenness(nx.krackhardt_kite_graph())
    assert round(kite[7], 3) == 0.389 and kite[0] == pytest.approx(0.023148, abs=1e-6)


def test_centrality_on_a_star_and_the_class_filter() -> None:
    g = graph({"a": "Person", "b": "Person", "c": "Person", "k": "Court"},
              [(p, "k", {"relation": "sentenced_by"}) for p in "abc"])
    t = A.centrality(g)
    assert [(r["rank"], r["label"], r["degree"], r["betweenness"]) for r in t.rows] == [
        (1, "k", 3, 1.0), (2, "a", 1, 0.0), (3, "b", 1, 0.0), (4, "c", 1, 0.0)]
    assert t.rows[0]["pagerank"] == pytest.approx(nx.pagerank(A.undirected(g))["k"], rel=1e-5)
    assert t.notes == {"nodes": 4, "links": 3, "betweenness": "exact"}
    assert [r["label"] for r in A.centrality(g, classes=["Person"], by="degree", top=2).rows] == ["a", "b"]
    with pytest.raises(UsageError, match="by='closeness'"):
        A.centrality(g, by="closeness")


def test_centrality_samples_above_the_documented_size(monkeypatch: pytest.MonkeyPatch) -> None:
    g = nx.gnm_random_graph(60, 150, seed=1)
    nx.set_node_attributes(g, "Person", "class")
    monkeypatch.setattr(centralities, "EXACT_BETWEENNESS_MAX_NODES", 50)
    monkeypatch.setattr(centralities, "BETWEENNESS_WORK", 20 * (60 + 150))
    monkeypatch.setattr(centralities, "BETWEENNESS_SAMPLES_RANGE", (10, 30))
    assert A.betweenness_samples(60, 150) == 20 and A.betweenness_samples(6, 15) == 30
    assert A.betweenness_samples(600, 1500) == 10
    t = A.centrality(g, top=None, seed=3)
    assert t.notes["betweenness"] == "sampled, k=20 source nodes, seed 3"
    theirs = nx.betweenness_centrality(g, k=20, seed=3)
    assert all(r["betweenness"] == pytest.approx(theirs[r["node"]], rel=1e-5, abs=1e-12) for r in t.rows)
    assert A.centrality(g, k=1000).notes["betweenness"] == "exact"


@pytest.mark.parametrize("name, g", [
    ("karate", nx.karate_club_graph()), ("les miserables", nx.les_miserables_graph()),
    ("florentine", nx.florentine_families_graph()), ("random", nx.gnm_random_graph(2000, 8000, seed=2)),
    ("caveman", nx.relaxed_caveman_graph(30, 8, 0.2, seed=1)),
    ("planted", nx.planted_partition_graph(20, 30, 0.3, 0.01, seed=4))])
def test_louvain_reaches_networkx_modularity(name: str, g: nx.Graph) -> None:
    comms, q = A.partition(g, seed=42)
    H = A.undirected(g)
    assert sorted(v for c in comms for v in c) == sorted(H)  # a partition of the nodes
    assert q == pytest.approx(nx.community.modularity(H, comms, weight="weight"), abs=1e-12)
    theirs = nx.community.modularity(H, nx.community.louvain_communities(H, weight="weight", seed=42), weight="weight")
    assert q >= theirs - 0.002
    assert A.partition(g, seed=42) == (comms, q)  # the same seed gives the same communities
    fine, q2 = A.partition(g, resolution=2.0)
    assert q2 == pytest.approx(nx.community.modularity(H, fine, weight="weight", resolution=2.0), abs=1e-12)
    assert len(fine) >= len(comms)


def test_communities_and_modularity_of_two_triangles() -> None:
    t = A.communities(two_triangles())
    assert [(r["community"], r["size"], r["members"]) for r in t.rows] == [(1, 3, "c; a; b"), (2, 3, "x; y; z")]
    assert t.notes == {"communities": 2, "modularity": 0.357, "method": "Louvain", "seed": 42, "resolution": 1.0}
    comms, q = A.partition(two_triangles())
    assert q == pytest.approx(nx.community.modularity(two_triangles(), comms))


def test_brokers_link_the_communities() -> None:
    t = A.brokers(two_triangles())
    assert [(r["node"], r["reaches"], r["outside"], r["degree"], r["participation"]) for r in t.rows] == [
        ("c", 1, 1, 3, 0.4444), ("x", 1, 1, 3, 0.4444)]


def test_shortest_paths_in_label_order_with_every_fact() -> None:
    g = graph({"s": "Person", "b": "Organization", "a": "Organization", "t": "Person"},
              [("s", "a", {"relation": "member_of", "source": "x"}), ("s", "b", {"relation": "member_of", "source": "x"}),
               ("t", "a", {"relation": "member_of", "source": "y"}), ("t", "b", {"relation": "member_of", "source": "y"}),
               ("a", "t", {"relation": "held_at", "source": "z", "date": "2020"})])
    assert list(A.shortest_paths(g, "s", "t")) == [["s", "a", "t"], ["s", "b", "t"]]
    assert list(A.shortest_paths(g, "s", "t", limit=1)) == [["s", "a", "t"]]
    t = A.paths(g, "s", "t")
    assert [(r["path"], r["step"], r["from"], r["dir"], r["relation"], r["to"], r["source"]) for r in t.rows] == [
        (1, 1, "s", "->", "member_of", "a", "x"), (1, 2, "a", "->", "held_at", "t", "z"),
        (1, 2, "a", "<-", "member_of", "t", "y"), (2, 1, "s", "->", "member_of", "b", "x"),
        (2, 2, "b", "<-", "member_of", "t", "y")]
    assert t.notes == {"from": "s", "to": "t", "hops": 2, "paths": 2}
    lonely = graph({"u": "Person", "v": "Person", "w": "Person"}, [("u", "v", {"relation": "co_defendant"})])
    assert A.paths(lonely, "u", "w").rows == [] and A.paths(lonely, "u", "w").notes["paths"] == 0


def test_ego_network() -> None:
    g = graph({"p": "Person", "o": "Organization", "q": "Person", "r": "Person"},
              [("p", "o", {"relation": "member_of"}), ("q", "o", {"relation": "member_of"}),
               ("r", "q", {"relation": "co_defendant"})])
    t = A.ego(g, "p", radius=2)
    assert [(r["distance"], r["label"], r["via"], r["relation"]) for r in t.rows] == [
        (0, "p", None, None), (1, "o", "p", "member_of"), (2, "q", "o", "member_of")]
    assert sorted(A.ego_network(g, "p", radius=1)) == ["o", "p"]
    assert A.ego(g, "p", radius=0).notes == {"center": "p", "radius": 0, "nodes": 1, "links": 0}


def test_shared_entities_between_persons() -> None:
    g = graph({"a": "Person", "b": "Person", "c": "Person", "d": "Person", "j": "Judge", "k": "Court", "f": "Facility"},
              [("a", "j", {"relation": "sentenced_by"}), ("b", "j", {"relation": "sentenced_by"}),
               ("a", "k", {"relation": "sentenced_by"}), ("b", "k", {"relation": "sentenced_by"}),
               ("c", "k", {"relation": "sentenced_by"}), ("c", "f", {"relation": "held_at"}),
               ("d", "f", {"relation": "held_at"}), ("a", "d", {"relation": "co_defendant", "case": "case-1"})])
    rows = lambda t: [(r["person_a"], r["person_b"], r["shared"], r["via"]) for r in t.rows]  # noqa: E731
    assert rows(A.shared(g)) == [("a", "b", 2, "j; k"), ("a", "c", 1, "k"), ("a", "d", 1, "case-1"),
                                 ("b", "c", 1, "k"), ("c", "d", 1, "f")]
    assert rows(A.shared(g, by=["court"], min_shared=1)) == [("a", "b", 1, "k"), ("a", "c", 1, "k"), ("b", "c", 1, "k")]
    assert rows(A.shared(g, min_shared=2)) == [("a", "b", 2, "j; k")]
    assert rows(A.shared(g, person="c")) == [("c", "a", 1, "k"), ("c", "b", 1, "k"), ("c", "d", 1, "f")]
    assert A.shared(g, top=2).notes == {"by": "case, judge, court, facility", "groups": 4, "pairs": 5}
    with pytest.raises(UsageError, match="kinds='colony'"):
        A.shared(g, by=["colony"])


def test_shared_refuses_a_projection_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    g = graph({**{f"p{i}": "Person" for i in range(10)}, "k": "Court"},
              [(f"p{i}", "k", {"relation": "sentenced_by"}) for i in range(10)])
    monkeypatch.setattr(A.pairs, "SHARED_MAX_PAIRS", 44)
    with pytest.raises(UsageError, match=r"up to 45 pairs(.|\n)*--person"):
        A.shared(g)
    assert len(A.shared(g, person="p0").rows) == 9


def test_judges_stats_and_diff_on_a_small_graph() -> None:
    g = graph({"a": "Person", "b": "Person", "c": "Person", "j": "Judge", "k": "Court", "m": "Court", "o": "Offence",
               "r": "ReleaseRound"},
              [("a", "j", {"relation": "sentenced_by", "event": "s1", "years": 5.0, "date": "2021-03", "since": "2021-03-31"}),
               ("a", "k", {"relation": "sentenced_by", "event": "s1", "years": 5.0, "date": "2021-03", "since": "2021-03-31"}),
               ("b", "m", {"relation": "sentenced_by", "event": "s2", "years": 2.5, "date": "2022", "since": "2022-12-31"}),
               ("b", "o", {"relation": "charged_under", "stage": "conviction", "event": "s2", "years": 2.5,
                           "date": "2022", "since": "2022-12-31"}),
               ("c", "j", {"relation": "sentenced_by", "event": "s3", "years": 1.0, "date": "2023-01-05",
                           "since": "2023-01-05"}),
               ("a", "r", {"relation": "released_in", "event": "r1", "since": "2023-06-01"})])
    assert [(r["kind"], r["label"], r["court"], r["persons"], r["sentences"], r["total_years"])
            for r in A.judges(g).rows] == [("judge", "j", "k", 2, 2, 6.0), ("court", "k", None, 1, 1, 5.0),
                                           ("court", "m", None, 1, 1, 2.5)]
    assert [r["label"] for r in A.judges(g, kind="court").rows] == ["k", "m"]
    got = [(r["by"], r["label"], r["sentences"], r["persons"], r["total_years"], r["mean_years"], r["max_years"])
           for r in A.stats(g).rows]
    assert got == [("court", "k", 1, 1, 5.0, 5.0, 5.0), ("court", "m", 1, 1, 2.5, 2.5, 2.5),
                   ("court", "(none named)", 1, 1, 1.0, 1.0, 1.0), ("judge", "j", 2, 2, 6.0, 3.0, 5.0),
                   ("judge", "(none named)", 1, 1, 2.5, 2.5, 2.5), ("charge", "o", 1, 1, 2.5, 2.5, 2.5),
                   ("charge", "(none named)", 2, 2, 6.0, 3.0, 5.0), ("year", "2021", 1, 1, 5.0, 5.0, 5.0),
                   ("year", "2022", 1, 1, 2.5, 2.5, 2.5), ("year", "2023", 1, 1, 1.0, 1.0, 1.0)]
    periods = {"a": [period("held", lo="2021-03-01", first="2021-03-31", last="2023-05-31", end_lo="2023-06-01",
                            end_hi="2023-06-01", since="2021-03"),
                     period("released", lo="2023-06-01", first="2023-06-01", last="2023-06-01", since="2023-06-01")]}
    t = A.diff(g, "2022-06-01", "2023-12-31", periods)
    # dates as the sources state them: "2022", not the day bound 2022-12-31
    assert [(r["label"], r["change"], r["date"], r["gained"]) for r in t.rows] == [
        ("a", "released", "2023-06-01", "released_in r"), ("b", "added", "2022", "charged_under o; sentenced_by m"),
        ("c", "added", "2023-01-05", "sentenced_by j"), ("j", "changed", "2023-01-05", "<- sentenced_by c")]
    assert t.notes == {"from": "2022-06-01", "to": "2023-12-31", "released": 1, "added": 2, "removed": 0, "changed": 1}
    assert [(r["label"], r["change"], r["lost"]) for r in A.diff(g, "2021-04-01", "2021-04-02").rows] == []
    with pytest.raises(UsageError, match="start 2024-01-01 is after end 2023-01-01"):
        A.diff(g, "2024-01-01", "2023-01-01")


def test_diff_removed_when_every_fact_ended() -> None:
    g = graph({"p": "Person", "f": "Facility", "q": "Person"},
              [("p", "f", {"relation": "held_at", "since": "2020-01-01", "until": "2021-06-01", "end_date": "2021-06-01"}),
               ("q", "f", {"relation": "held_at", "since": "2020-01-01"})])
    t = A.diff(g, "2021-01-01", "2022-01-01")
    assert [(r["label"], r["change"], r["date"], r["gained"], r["lost"]) for r in t.rows] == [
        ("p", "removed", "2021-06-01", None, "held_at f")]
    assert (t.notes["removed"], t.notes["changed"]) == (1, 0)


def test_table_formats() -> None:
    t = A.Table("x", ["a", "b"], [{"a": 1, "b": 0.000012345, "c": "https://w3id.org/repnet/id/person/p"}],
                {"note": Decimal("1.5")}, ["c"])
    assert t.render("table") == "a  b\n-  ---------\n1  1.234e-05\n(1 row)\nnote: 1.5"
    assert json.loads(t.render("json")) == {"analysis": "x", "note": 1.5,
                                            "rows": [{"a": 1, "b": 0.000012345, "c": "https://w3id.org/repnet/id/person/p"}]}
    assert t.render("csv") == "a,b,c\n1,1.2345e-05,https://w3id.org/repnet/id/person/p"


# ---------------------------------------------------------------------------- the Belarus data, exactly
def test_how_marfa_rabkova_is_connected_to_the_united_states(G: nx.MultiDiGraph, belarus_store: EmbeddedStore) -> None:
    t = A.paths(G, P.node_for(belarus_store, G, "Marfa Rabkova"), P.node_for(belarus_store, G, "United States"))
    got = [(r["path"], r["step"], r["from"], r["dir"], r["relation"], r["to"], r["date"], r["source"]) for r in t.rows]
    assert got == [
        (1, 1, "Marfa Rabkova", "->", "member_of", "Viasna", None, SRC),
        (1, 2, "Viasna", "<-", "member_of", "Ales Bialiatski", None, SRC),
        (1, 3, "Ales Bialiatski", "->", "released_in", DECEMBER, "2025-12-13", SRC),
        (1, 4, DECEMBER, "->", "negotiated_by", "United States government", "2025-12-13", SRC),
        (1, 5, "United States government", "->", "government_of", "United States", None, SRC),
        (2, 1, "Marfa Rabkova", "->", "member_of", "Viasna", None, SRC),
        (2, 2, "Viasna", "<-", "member_of", "Uladzimir Labkovich", None, SRC),
        (2, 3, "Uladzimir Labkovich", "->", "released_in", DECEMBER, "2025-12-13", SRC),
        (2, 4, DECEMBER, "->", "negotiated_by", "United States government", "2025-12-13", SRC),
        (2, 5, "United States government", "->", "government_of", "United States", None, SRC)]
    assert [r["event"] for r in t.rows[:5]] == [n("membership/rabkova-viasna"), n("membership/bialiatski-viasna"),
                                                n("release/2025-12-13-bialiatski"), n("negotiation/us-belarus-2025-12"),
                                                n("org/us-government")]
    assert t.notes == {"from": "Marfa Rabkova", "to": "United States", "hops": 5, "paths": 2}
    # before the release there was no such connection
    before = P.view(G, as_of="2025-12-12")
    assert A.paths(before, n("person/marfa-rabkova"), n("place/united-states")).notes["paths"] == 0


def test_diff_around_the_13_december_release(G: nx.MultiDiGraph, belarus_store: EmbeddedStore) -> None:
    t = A.diff(G, "2025-12-12", "2025-12-13", stored_periods(belarus_store))
    assert [(r["label"], r["change"], r["date"], r["gained"], r["lost"]) for r in t.rows] == [
        (p, "released", "2025-12-13", f"released_in {DECEMBER}", None) for p in RELEASED_2025_12_13]


def test_diff_from_september_to_december(G: nx.MultiDiGraph, belarus_store: EmbeddedStore) -> None:
    t = A.diff(G, "2025-09-01", "2025-12-31", stored_periods(belarus_store))
    # Statkevich was pardoned in September and returned to prison: not released; dates as stated
    assert [(r["label"], r["change"], r["date"]) for r in t.rows] == [
        *[(p, "released", "2025-12-13") for p in RELEASED_2025_12_13],
        ("Aliaksander Lukashenka", "added", "2025-09"), ("Mikalai Statkevich", "added", "2025-09")]
    assert t.rows[-1]["gained"] == f"released_by Aliaksander Lukashenka; released_in {SEPTEMBER}"


def test_belarus_centrality(G: nx.MultiDiGraph) -> None:
    t = A.centrality(G, top=3)
    assert [(r["label"], r["degree"]) for r in t.rows] == [(DECEMBER, 8), ("Viasna", 4), ("Marfa Rabkova", 6)]
    theirs = nx.betweenness_centrality(A.undirected(G))
    assert all(r["betweenness"] == pytest.approx(theirs[r["node"]], rel=1e-5) for r in t.rows)
    courts = A.centrality(G, classes=["Court"])
    assert [(r["label"], r["degree"], r["betweenness"]) for r in courts.rows] == [("Minsk City Court", 1, 0.0)]


def test_belarus_communities_and_brokers(G: nx.MultiDiGraph) -> None:
    t = A.communities(G)
    assert t.notes["communities"] == 5 and t.notes["modularity"] == 0.574
    assert [r["size"] for r in t.rows] == [8, 8, 5, 5, 4]
    assert sum(r["size"] for r in t.rows) == G.number_of_nodes()
    b = A.brokers(G, top=2)
    assert [(r["label"], r["reaches"], r["outside"]) for r in b.rows] == [("Marfa Rabkova", 2, 3), (DECEMBER, 2, 3)]


def test_belarus_ego_network_of_ales_bialiatski(G: nx.MultiDiGraph) -> None:
    t = A.ego(G, n("person/ales-bialiatski"), radius=2)
    by_distance = defaultdict(set)
    for r in t.rows:
        by_distance[r["distance"]].add(r["label"])
    assert by_distance == {
        0: {"Ales Bialiatski"}, 1: {"Viasna", "tax evasion", DECEMBER},
        2: {"Marfa Rabkova", "Uladzimir Labkovich", "Valiantsin Stefanovic", "Maria Kalesnikava", "Maksim Znak",
            "Viktar Babaryka", "Maryna Zolatava", "United States government", "Government of Belarus"}}
    assert next(r for r in t.rows if r["label"] == "Valiantsin Stefanovic")["via"] == "Viasna"


def test_belarus_judges_stats_and_shared(G: nx.MultiDiGraph) -> None:
    assert [(r["kind"], r["label"], r["persons"], r["sentences"], r["total_years"]) for r in A.judges(G).rows] == [
        ("court", "Minsk City Court", 1, 1, 7.0)]
    got = [(r["by"], r["label"], r["sentences"], r["total_years"]) for r in A.stats(G).rows]
    assert got == [("court", "Minsk City Court", 1, 7.0), ("court", "(none named)", 2, 24.0),
                   ("judge", "(none named)", 3, 31.0),
                   ("charge", "cash smuggling by an organized group", 1, 9.0),
                   ("charge", "financing activities grossly violating public order", 1, 9.0),
                   ("charge", "(none named)", 2, 22.0), ("year", "2022", 1, 15.0), ("year", "2023", 2, 16.0)]
    assert A.shared(G).rows == []  # no two persons share a case, judge, court or colony in this source
    viasna = A.shared(G, by=["organization"])
    assert sorted((r["person_a"], r["person_b"]) for r in viasna.rows) == sorted(
        combinations(["Ales Bialiatski", "Marfa Rabkova", "Uladzimir Labkovich", "Valiantsin Stefanovic"], 2))
    assert {r["via"] for r in viasna.rows} == {"Viasna"}


# ---------------------------------------------------------------------------- synthetic data, against the saved queries
@pytest.fixture(scope="module")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    out = tmp_path_factory.mktemp("synth-analysis")
    write_synthetic(out, persons=1500, seed=7, per_file=500, progress=None)
    return in_memory(load_dataset([out]))


@pytest.fixture(scope="module")
def S(synth_store: EmbeddedStore) -> nx.MultiDiGraph:
    return P.project(synth_store)


def test_synthetic_courts_and_judges_agree_with_the_saved_queries(S: nx.MultiDiGraph, synth_store: EmbeddedStore) -> None:
    mine = {r["node"]: (r["persons"], r["sentences"], r["total_years"]) for r in A.judges(S, kind="court").rows}
    rows = select(synth_store, saved_queries()["courts"].text)
    assert mine == {court: (persons, sentences, float(years)) for court, _, persons, sentences, years in rows}
    per_judge: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for judge, _, _, _, persons, years in select(synth_store, saved_queries()["judges"].text):
        per_judge[judge][0] += persons
        per_judge[judge][1] += float(years)
    assert {r["node"]: (r["persons"], r["total_years"]) for r in A.judges(S, kind="judge").rows} == {
        j: (p, round(y, 2)) for j, (p, y) in per_judge.items()}


def test_synthetic_sentence_years_by_charge_agree_with_the_saved_query(S: nx.MultiDiGraph,
                                                                      synth_store: EmbeddedStore) -> None:
    mine = {r["key"]: r["total_years"] for r in A.stats(S, by=["charge"]).rows if r["key"]}
    theirs = {charge: float(years) for charge, _, _, _, years, _ in select(synth_store, saved_queries()["charges"].text)
              if years is not None}
    assert mine == pytest.approx(theirs)


def test_synthetic_co_defendants_are_the_cases(S: nx.MultiDiGraph, synth_store: EmbeddedStore) -> None:
    cases = defaultdict(set)
    for case, person in select(synth_store, "SELECT DISTINCT ?c ?p WHERE { ?c a rpn:CriminalCase ; rpn:defendant ?p }"):
        cases[case].add(person)
    want = {(case, a, b) for case, ps in cases.items() for a, b in combinations(sorted(ps), 2)}
    got = {(d["case"], u, v) for u, v, d in S.edges(data=True) if d["relation"] == "co_defendant"}
    assert got == want and len(got) > 20


def test_synthetic_shared_agrees_with_brute_force(S: nx.MultiDiGraph) -> None:
    groups = person_groups(S, A.DEFAULT_SHARED)
    counts: Counter[tuple[str, str]] = Counter()
    for ps in groups.values():
        counts.update(combinations(sorted(ps), 2))
    t = A.shared(S, top=None)
    assert t.notes["pairs"] == len(counts)
    assert {(r["node_a"], r["node_b"]): r["shared"] for r in t.rows} == dict(counts)
    everything = [(r["node_a"], r["node_b"], r["shared"]) for r in t.rows]
    assert everything == sorted(everything, key=lambda r: (-r[2], r[0], r[1]))
    for top in (1, 7, 50, 500, len(everything) - 1):
        assert [(r["node_a"], r["node_b"], r["shared"]) for r in A.shared(S, top=top).rows] == everything[:top]
    assert [(r["node_a"], r["node_b"], r["shared"]) for r in A.shared(S, top=20, min_shared=2).rows] == [
        x for x in everything if x[2] >= 2][:20]


def test_synthetic_ego_and_paths_search_outwards_with_networkx_answers(S: nx.MultiDiGraph) -> None:
    """ego, ego_network and shortest_paths read one entity's neighbourhood from the projection
    (common.distances), and give what networkx gives on the whole undirected graph."""
    H = A.undirected(S)
    nodes = sorted(S)
    centers = nodes[:: len(nodes) // 40] + [next(v for v in nodes if S.nodes[v]["class"] == "Court")]
    for center in centers:
        for radius in (0, 1, 2, 3):
            near = nx.single_source_shortest_path_length(H, center, cutoff=radius)
            t = A.ego(S, center, radius=radius)
            assert {r["node"]: r["distance"] for r in t.rows} == near
            sub = H.subgraph(near)
            assert (t.notes["nodes"], t.notes["links"]) == (sub.number_of_nodes(), sub.number_of_edges())
            for r in t.rows[1:]:  # the link shown comes from the first node, by label, one step nearer
                parents = [u for u in H[r["node"]] if near.get(u) == r["distance"] - 1]
                assert r["via"] == min(A.common.label_of(H, u) for u in parents)
            assert nx.utils.graphs_equal(A.ego_network(S, center, radius=radius), S.subgraph(near).copy())
    pairs = list(zip(centers, reversed(centers), strict=True))
    assert sum(1 for a, b in pairs if b in nx.node_connected_component(H, a)) > 10
    for a, b in pairs:
        want = sorted(nx.all_shortest_paths(H, a, b)) if b in nx.node_connected_component(H, a) else []
        got = list(A.shortest_paths(S, a, b, limit=len(want) + 1))
        assert sorted(got) == want
        assert got == sorted(got, key=lambda p: [(A.common.label_of(H, v), v) for v in p])


def test_every_analysis_of_a_graph_runs_with_the_collector_paused() -> None:
    """They make many short-lived objects beside a projection of millions (graph/runtime.py); a
    generator (shortest_paths) would only pause while it is made, and paths() wraps it."""
    import gc
    import inspect

    of_a_graph = [name for name in A.__all__ if inspect.isfunction(getattr(A, name))
                  and next(iter(inspect.signature(getattr(A, name)).parameters), None) == "G"]
    assert len(of_a_graph) == 15
    assert [n for n in of_a_graph if not getattr(getattr(A, n), "collector_paused", False)] == ["shortest_paths"]
    with_gc = []
    A.judges(graph({"a": "Person", "b": "Court"}, [("a", "b", {"relation": "sentenced_by"})]))
    with_gc.append(gc.isenabled())  # restored after
    assert with_gc == [True]


def test_links_ignore_direction_and_self_loops() -> None:
    g = graph({"a": "Person", "b": "Court", "c": "Person"},
              [("a", "b", {"relation": "sentenced_by"}), ("c", "b", {"relation": "sentenced_by"}),
               ("b", "a", {"relation": "member_of"}), ("a", "a", {"relation": "co_defendant"})])
    assert A.common.linked(g, "a") == ["b"] and A.common.linked(g, "b") == ["a", "c"]
    assert A.common.distances(g, "a") == {"a": 0, "b": 1, "c": 2}
    assert A.ego(g, "a").notes == {"center": "a", "radius": 2, "nodes": 3, "links": 2}
    with pytest.raises(nx.NodeNotFound):
        A.common.distances(g, "nobody")


def test_synthetic_releases_in_the_diff(S: nx.MultiDiGraph, synth_store: EmbeddedStore) -> None:
    released = {p for p, in select(synth_store, """SELECT DISTINCT ?p WHERE {
        ?r rpn:releasedPerson ?p ; schema:superEvent ?round ; rpn:latestStart ?d
        FILTER(?d > "2025-06-30"^^xsd:date && ?d <= "2025-12-31"^^xsd:date) }""")}
    t = A.diff(S, "2025-06-30", "2025-12-31", stored_periods(synth_store))
    assert {r["node"] for r in t.rows if r["change"] == "released"} == released and released


def test_every_analysis_runs_on_synthetic_data(S: nx.MultiDiGraph) -> None:
    person = next(v for v, d in S.nodes(data=True) if d["class"] == "Person" and S.degree(v) > 3)
    court = next(v for v, d in S.nodes(data=True) if d["class"] == "Court")
    assert A.centrality(S, classes=["Court"], top=5).rows[0]["class"] == "Court"
    assert A.communities(S).notes["modularity"] > 0.3
    assert A.brokers(S, top=5).rows
    assert A.paths(S, person, court).notes["hops"] >= 1
    assert A.ego(S, person, radius=1).rows[0]["node"] == person
    assert len(A.stats(S).rows) > 20


@pytest.mark.parametrize("top", [None, 1, 7, 40])
def test_shared_pairs_computed_in_blocks_equal_the_whole_product(top: int | None) -> None:
    import random

    rnd = random.Random(5)
    people = [f"p{i:03d}" for i in range(120)]
    groups = {f"g{k}": set(rnd.sample(people, rnd.randint(2, 25))) for k in range(30)}
    whole = top_pairs(groups, 1, top, block=10_000)
    for block in (1, 7, 50):
        assert top_pairs(groups, 1, top, block=block) == whole
    assert top_pairs(groups, 2, top, block=7) == top_pairs(groups, 2, top, block=10_000)
    pairs, total = whole
    assert total == len({(a, b) for ps in groups.values() for a in ps for b in ps if a < b})
    assert len(pairs) == (total if top is None else min(top, total))
    assert [c for _, _, c in pairs] == sorted((c for _, _, c in pairs), reverse=True)
