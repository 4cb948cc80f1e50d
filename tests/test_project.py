"""The projection: the Belarus data as the network of entities and relations, views, exports, cache."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from repnet.graph.ask.query import UnknownName
from repnet.graph.errors import UsageError
from repnet.graph.ingest.build import build, in_memory
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.ingest.synth import write_synthetic
from repnet.graph.network import project as P
from repnet.graph.network.netexport import write_csv, write_gexf, write_graphml
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore, memory_store

from .conftest import ID, select, write

SRC = "hrw-2025-12-15-belarus"
RELEASED_2025_12_13 = {"Ales Bialiatski", "Uladzimir Labkovich", "Maria Kalesnikava", "Maksim Znak", "Viktar Babaryka",
                       "Maryna Zolatava"}


def n(key: str) -> str:
    return ID + key


@pytest.fixture(scope="module")
def G(belarus_store: EmbeddedStore) -> nx.MultiDiGraph:
    return P.project(belarus_store)


def facts(G: nx.MultiDiGraph, relation: str) -> set[tuple[str, str]]:
    return {(G.nodes[u]["label"], G.nodes[v]["label"]) for u, v, d in G.edges(data=True) if d["relation"] == relation}


def edge(G: nx.MultiDiGraph, u: str, v: str, relation: str) -> dict[str, Any]:
    found = [d for d in G.get_edge_data(n(u), n(v), default={}).values() if d["relation"] == relation]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------- the Belarus network
def test_nodes_and_their_classes(G: nx.MultiDiGraph) -> None:
    classes = {G.nodes[v]["label"]: G.nodes[v]["class"] for v in G}
    assert Counter(classes.values()) == {"Person": 11, "Offence": 8, "Government": 2, "Organization": 2, "Country": 2,
                                         "ReleaseRound": 2, "Court": 1, "Facility": 1, "Place": 1}
    assert classes["Minsk City Court"] == "Court"
    assert classes["United States government"] == "Government"
    assert classes["United States"] == "Country"
    assert classes["Homiel penal colony No. 4"] == "Facility"
    assert classes["Release of 123 prisoners, 13 December 2025"] == "ReleaseRound"
    # Human Rights Watch publishes the source but takes part in no relation: not a node
    assert n("org/human-rights-watch") not in G


def test_edges_per_relation(G: nx.MultiDiGraph) -> None:
    counts = Counter(d["relation"] for _, _, d in G.edges(data=True))
    assert counts == {"released_in": 7, "charged_under": 10, "member_of": 5, "negotiated_by": 4, "released_by": 3,
                      "government_of": 2, "sentenced_in": 2, "held_at": 1, "sentenced_by": 1}


def test_memberships_releases_and_the_deal(G: nx.MultiDiGraph) -> None:
    assert facts(G, "member_of") == {("Ales Bialiatski", "Viasna"), ("Uladzimir Labkovich", "Viasna"),
                                     ("Valiantsin Stefanovic", "Viasna"), ("Marfa Rabkova", "Viasna"),
                                     ("Maryna Zolatava", "TUT.by")}
    december = "Release of 123 prisoners, 13 December 2025"
    assert {p for p, r in facts(G, "released_in") if r == december} == RELEASED_2025_12_13
    assert facts(G, "negotiated_by") == {
        (december, "United States government"), (december, "Government of Belarus"),
        ("Pardon and expulsion of a group of prisoners, September 2025", "United States government"),
        ("Pardon and expulsion of a group of prisoners, September 2025", "Government of Belarus")}
    assert facts(G, "government_of") == {("United States government", "United States"),
                                         ("Government of Belarus", "Belarus")}
    assert facts(G, "released_by") == {
        ("Mikalai Statkevich", "Aliaksander Lukashenka"), (december, "Government of Belarus"),
        ("Pardon and expulsion of a group of prisoners, September 2025", "Aliaksander Lukashenka")}


def test_edge_attributes_keep_dates_terms_and_sources(G: nx.MultiDiGraph) -> None:
    assert edge(G, "person/nasta-loika", "org/minsk-city-court", "sentenced_by") == {
        "relation": "sentenced_by", "source": SRC, "event": n("sentence/loika-2023"), "date": "2023-06",
        "since": "2023-06-30", "years": 7.0, "penalty": "imprisonment"}
    # "a court in Minsk": no court is named, so the sentence links to the place
    assert edge(G, "person/marfa-rabkova", "place/minsk", "sentenced_in") == {
        "relation": "sentenced_in", "source": SRC, "event": n("sentence/rabkova-2022"), "date": "2022-09",
        "since": "2022-09-30", "years": 15.0, "penalty": "imprisonment"}
    # a detention without a start began by the time of the sentence it rests on
    assert edge(G, "person/marfa-rabkova", "place/homiel-penal-colony-4", "held_at") == {
        "relation": "held_at", "source": SRC, "event": n("detention/rabkova-homiel-colony"),
        "detention_type": "post-conviction", "since": "2022-09-30", "basis_date": "2022-09"}
    assert edge(G, "person/ales-bialiatski", "release/2025-12-13", "released_in") == {
        "relation": "released_in", "source": SRC, "event": n("release/2025-12-13-bialiatski"), "date": "2025-12-13",
        "since": "2025-12-13", "kind": "release"}
    # a negotiation is dated by the round it led to; the leader is marked
    assert edge(G, "release/2025-12-13", "org/us-government", "negotiated_by") == {
        "relation": "negotiated_by", "source": SRC, "event": n("negotiation/us-belarus-2025-12"),
        "negotiation": n("negotiation/us-belarus-2025-12"), "led": True, "date": "2025-12-13", "since": "2025-12-13"}
    assert edge(G, "release/2025-12-13", "org/government-of-belarus", "negotiated_by")["led"] is False
    assert edge(G, "org/us-government", "place/united-states", "government_of") == {
        "relation": "government_of", "source": SRC, "event": n("org/us-government")}
    assert edge(G, "person/marfa-rabkova", "org/viasna", "member_of")["role"] == "activist, volunteer-coordinator"


def test_charges_convictions_and_administrative_offences(G: nx.MultiDiGraph) -> None:
    stages = {(G.nodes[u]["label"], G.nodes[v]["label"]): d["stage"] for u, v, d in G.edges(data=True)
              if d["relation"] == "charged_under"}
    assert stages[("Nasta Loika", "petty hooliganism")] == "administrative"
    assert stages[("Valiantsin Stefanovic", "tax evasion")] == "charge"
    assert stages[("Valiantsin Stefanovic", "cash smuggling by an organized group")] == "conviction"
    conviction = edge(G, "person/valiantsin-stefanovic", "offence/organized-cash-smuggling", "charged_under")
    assert conviction["years"] == 9.0 and conviction["date"] == "2023-03"
    hooliganism = edge(G, "person/nasta-loika", "offence/petty-hooliganism", "charged_under")
    assert (hooliganism["since"], hooliganism["until"]) == ("2022-09-30", "2022-12-01")


def test_attributes_are_plain_python(G: nx.MultiDiGraph) -> None:
    for _, d in G.nodes(data=True):
        assert set(d) == {"label", "class"} and all(type(v) is str for v in d.values())
    for _, _, d in G.edges(data=True):
        assert all(type(v) in (str, float, bool) for v in d.values()), d
        assert {"relation", "source", "event"} <= set(d)


def test_union_default_graph_does_not_double_entities(G: nx.MultiDiGraph) -> None:
    # Lukashenka is described by two sources; he is one node with one label
    lukashenka = n("person/aliaksandr-lukashenka")
    assert G.nodes[lukashenka] == {"label": "Aliaksander Lukashenka", "class": "Person"}
    assert len(G.get_edge_data(n("person/mikalai-statkevich"), lukashenka)) == 1


def test_public_and_restricted_stores_project_the_same(belarus_store: EmbeddedStore, G: nx.MultiDiGraph) -> None:
    public = open_store(belarus_store.location)
    assert public.public_only
    H = P.project(public)
    assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))


class _TermStore:
    """A store that is not embedded: the projection reads it as a remote one, term by term."""

    def __init__(self, store: EmbeddedStore):
        self.store = store

    def named_graphs(self) -> list[str]:
        return self.store.named_graphs()

    def query(self, sparql: str, **kw: Any) -> Any:
        return self.store.query(sparql, **kw)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    out = tmp_path_factory.mktemp("synthetic-projection")
    write_synthetic(out, persons=300, seed=11, per_file=150, progress=None)
    return in_memory(load_dataset([out]))


@pytest.mark.parametrize(("which", "restricted", "edges"), [("belarus", False, 35), ("belarus", True, 35),
                                                            ("synthetic", False, 1559), ("synthetic", True, 1559)])
def test_tsv_reads_project_what_term_by_term_reads_project(belarus_store: EmbeddedStore, synthetic: EmbeddedStore,
                                                                   which: str, restricted: bool, edges: int) -> None:
    store = belarus_store if which == "belarus" else synthetic
    by_tsv = P.project(store, restricted=restricted)
    by_terms = P.project(_TermStore(store), restricted=restricted)  # type: ignore[arg-type]
    assert by_tsv.number_of_edges() == edges
    assert list(by_tsv.nodes(data=True)) == list(by_terms.nodes(data=True))
    assert list(by_tsv.edges(keys=True, data=True)) == list(by_terms.edges(keys=True, data=True))


@pytest.fixture(scope="module")
def synthetic_on_disk(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    out = tmp_path_factory.mktemp("synthetic-projection-sources")
    write_synthetic(out, persons=300, seed=11, per_file=150, progress=None)
    root = tmp_path_factory.mktemp("synthetic-projection-store")
    build([out], root)
    store = open_store(root, include_restricted=True)
    assert isinstance(store, EmbeddedStore) and store.generation is not None
    return store


@pytest.mark.parametrize(("which", "restricted", "edges"), [("belarus", False, 35), ("belarus", True, 35),
                                                            ("synthetic", False, 1559), ("synthetic", True, 1559)])
def test_reads_ahead_in_workers_project_what_reads_here_project(belarus_store: EmbeddedStore,
                                                                  synthetic_on_disk: EmbeddedStore, which: str,
                                                                  restricted: bool, edges: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(P, "READ_AHEAD_BYTES", 0)  # these stores are small: read ahead all the same
    store = belarus_store if which == "belarus" else synthetic_on_disk
    unplanned: list[str] = []
    select_tsv = EmbeddedStore.select_tsv

    def here(self: EmbeddedStore, sparql: str, **kw: Any) -> list[str]:
        unplanned.append(sparql)
        return select_tsv(self, sparql, **kw)

    monkeypatch.setattr(EmbeddedStore, "select_tsv", here)
    ahead = P.project(store, restricted=restricted)
    assert unplanned == []  # _plan named every read the relations made: the workers read them all
    monkeypatch.setattr(P, "READ_WORKERS", 0)
    by_here = P.project(store, restricted=restricted)
    assert len(unplanned) > 40  # every read made here (at least one per predicate a relation reads)
    assert ahead.number_of_edges() == edges
    assert list(ahead.nodes(data=True)) == list(by_here.nodes(data=True))
    assert list(ahead.edges(keys=True, data=True)) == list(by_here.edges(keys=True, data=True))


def test_a_read_ahead_whose_workers_fail_leaves_the_reads_to_the_caller(belarus_store: EmbeddedStore,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(P, "READ_AHEAD_BYTES", 0)
    expected = P.project(belarus_store)
    monkeypatch.setattr(belarus_store, "generation", belarus_store.location / "no-such-generation")
    assert list(P.project(belarus_store).edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert "no-such-generation" in capfd.readouterr().err  # each worker said why it stopped


def test_the_graph_filled_directly_is_the_graph_add_edge_builds(synthetic: EmbeddedStore) -> None:
    G = P.project(synthetic)
    H = nx.MultiDiGraph()
    H.add_nodes_from(G.nodes(data=True))
    # added in the projection's own order: by relation, event, tail and head
    for a, b, key, attrs in sorted(G.edges(keys=True, data=True), key=lambda e: (e[3]["relation"], e[3]["event"], e[0], e[1])):
        H.add_edge(a, b, key, **attrs)
    assert G.number_of_edges() == 1559
    assert nx.utils.graphs_equal(G, H)
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))
    assert list(G.in_edges(keys=True, data=True)) == list(H.in_edges(keys=True, data=True))
    assert all(G._pred[v][u] is G._succ[u][v] for u, v in G.edges())  # one key dict, seen from both ends


def test_a_small_store_is_read_here_without_workers(belarus_store: EmbeddedStore,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    read_ahead = EmbeddedStore.read_ahead

    def counted(self: EmbeddedStore, *args: Any) -> Any:
        ahead = read_ahead(self, *args)
        started.append(ahead is not None)
        return ahead

    monkeypatch.setattr(EmbeddedStore, "read_ahead", counted)
    P.project(belarus_store)
    assert started == [False]  # asked, and declined: the store is under READ_AHEAD_BYTES on disk
    monkeypatch.setattr(P, "READ_AHEAD_BYTES", 1)
    P.project(belarus_store)
    assert started == [False, True]


# ---------------------------------------------------------------------------- small sources
TWO_SOURCES_A = """\
source: {id: src-a, title: A, publisher: org/pub, published: 2024-05-01, terms: test}
records:
  - {id: org/pub, type: Organization, name: Publisher}
  - {id: org/club, type: Organization, name: Club}
  - {id: person/p, type: Person, name: Pat Doe}
  - {id: membership/p-club, type: Membership, person: person/p, organization: org/club, role: [member], start: 2020}
"""
TWO_SOURCES_B = """\
source: {id: src-b, title: B, publisher: org/pub, published: 2024-06-01, terms: test}
records:
  - {id: person/p, type: Person, name: Pat Doe}
  - {id: org/club, type: Organization, name: Club}
  - {id: membership/p-club, type: Membership, person: person/p, organization: org/club, role: [member], start: 2020}
"""
CASE = """\
source: {id: court-file, title: C, publisher: org/pub, published: 2024-06-01, terms: test}
records:
  - {id: org/pub, type: Organization, name: Publisher}
  - {id: place/land, type: Country, name: Land}
  - {id: org/gov, type: Government, name: Land government, country: place/land}
  - {id: org/court, type: Court, name: District Court}
  - {id: person/a, type: Person, name: Ann}
  - {id: person/b, type: Person, name: Bob}
  - {id: person/c, type: Person, name: Cy}
  - {id: person/j, type: Person, name: Judge Jay}
  - {id: person/pr, type: Person, name: Prosecutor Pru}
  - {id: law/code, type: LegalCode, name: Code, jurisdiction: place/land}
  - {id: law/art-1, type: LegalProvision, name: Article 1, number: "1", part_of: law/code}
  - {id: offence/riot, type: Offence, name: riot, provision: law/art-1}
  - {id: place/colony, type: Facility, name: Colony 1, facility_type: penal-colony}
  - {id: case/x, type: CriminalCase, name: Case X, defendant: [person/a, person/b], start: 2021-03}
  - {id: trial/x, type: Trial, defendant: [person/a, person/b], court: org/court, judge: person/j, prosecutor: [person/pr], case: case/x}
  - {id: verdict/x, type: Verdict, defendant: [person/a, person/b], court: org/court, judge: person/j, trial: trial/x, date: 2021-09-01}
  - {id: sentence/a, type: Sentence, person: person/a, penalty: imprisonment, term: {years: 5, months: 6}, date: 2021-09-01, verdict: verdict/x, offence: [offence/riot]}
  - {id: sentence/b, type: Sentence, person: person/b, penalty: imprisonment, term: {years: 3}, date: 2021-09-01, verdict: verdict/x}
  - {id: charge/c, type: Charge, person: person/c, offence: [offence/riot], provision: [law/art-1], case: case/x}
  - id: detention/a
    type: Detention
    person: person/a
    detention_type: post-conviction
    facility: place/colony
    start: 2021-09
    end: {after: 2024-01}
    restricted: [facility]
"""


def store_of(tmp_path: Path, *texts: str, public_only: bool = False) -> EmbeddedStore:
    paths = [write(tmp_path / f"s{i}.yaml", t) for i, t in enumerate(texts)]
    return in_memory(load_dataset(paths), public_only=public_only)


def test_a_fact_two_sources_state_is_one_edge_with_both_sources(tmp_path: Path) -> None:
    G = P.project(store_of(tmp_path, TWO_SOURCES_A, TWO_SOURCES_B))
    (u, v, d), = G.edges(data=True)
    assert (u, v) == (n("person/p"), n("org/club"))
    assert d == {"relation": "member_of", "source": "src-a; src-b", "event": n("membership/p-club"), "date": "2020",
                 "since": "2020-12-31", "role": "member"}


def test_verdicts_cases_prosecutors_and_articles(tmp_path: Path) -> None:
    G = P.project(store_of(tmp_path, CASE))
    cls = {G.nodes[v]["label"]: G.nodes[v]["class"] for v in G}
    assert cls["Judge Jay"] == "Judge" and cls["Prosecutor Pru"] == "Prosecutor" and cls["Article 1"] == "Article"
    # a sentence takes its court and judge from its verdict
    assert facts(G, "sentenced_by") == {("Ann", "District Court"), ("Ann", "Judge Jay"), ("Bob", "District Court"),
                                        ("Bob", "Judge Jay")}
    a_court = edge(G, "person/a", "org/court", "sentenced_by")
    assert a_court["years"] == 5.5 and a_court["source"] == "court-file"
    # co-defendants: the case names Ann and Bob; Cy is charged in the same case
    assert facts(G, "co_defendant") == {("Ann", "Bob"), ("Ann", "Cy"), ("Bob", "Cy")}
    assert edge(G, "person/a", "person/b", "co_defendant")["case"] == n("case/x")
    assert edge(G, "person/a", "person/b", "co_defendant")["since"] == "2021-03-31"
    assert facts(G, "prosecuted_by") == {("Ann", "Prosecutor Pru"), ("Bob", "Prosecutor Pru")}
    assert facts(G, "charged_under") == {("Ann", "riot"), ("Cy", "riot"), ("Cy", "Article 1")}
    assert facts(G, "defined_by") == {("riot", "Article 1")}
    assert facts(G, "government_of") == {("Land government", "Land")}
    assert facts(G, "held_at") == set()  # the facility is restricted


def test_restricted_facts_only_when_asked(tmp_path: Path) -> None:
    everything = store_of(tmp_path, CASE)
    assert facts(P.project(everything), "held_at") == set()
    G = P.project(everything, restricted=True)
    assert facts(G, "held_at") == {("Ann", "Colony 1")}
    d = edge(G, "person/a", "place/colony", "held_at")
    assert (d["since"], d["until"], d["source"]) == ("2021-09-30", "2024-01-01", "court-file")
    # a public-only store does not even show the restricted graph
    assert facts(P.project(store_of(tmp_path, CASE, public_only=True), restricted=True), "held_at") == set()


# ---------------------------------------------------------------------------- views
def test_view_by_relation_class_and_day(G: nx.MultiDiGraph, belarus_store: EmbeddedStore) -> None:
    released = P.view(G, relations=["released_in"])
    assert {d["relation"] for *_, d in released.edges(data=True)} == {"released_in"}
    assert P.project(belarus_store, relations=["released_in"]).edges == released.edges
    courts = P.view(G, classes=["Person", "Court"])
    assert {(d["relation"], courts.nodes[u]["label"], courts.nodes[v]["label"]) for u, v, d in courts.edges(data=True)} == {
        ("sentenced_by", "Nasta Loika", "Minsk City Court"), ("released_by", "Mikalai Statkevich", "Aliaksander Lukashenka")}
    before, after = P.view(G, as_of="2025-12-12"), P.view(G, as_of=dt.date(2025, 12, 13))
    assert after.number_of_edges() - before.number_of_edges() == 9  # 6 releases, 2 negotiation parties, 1 grantor
    assert P.view(G, as_of="2022-10-01").has_edge(n("person/nasta-loika"), n("offence/petty-hooliganism"))
    assert not P.view(G, as_of="2022-12-02").has_edge(n("person/nasta-loika"), n("offence/petty-hooliganism"))


def test_as_of_views_differ_exactly_by_the_people_released(G: nx.MultiDiGraph, belarus_store: EmbeddedStore) -> None:
    said = {p for p, in select(belarus_store, """SELECT DISTINCT ?p WHERE {
        ?r rpn:releasedPerson ?p ; schema:startDate "2025-12-13"^^xsd:date }""")}
    assert {G.nodes[p]["label"] for p in said} == RELEASED_2025_12_13
    before, after = P.view(G, as_of="2025-12-12"), P.view(G, as_of="2025-12-13")
    changed = set(after.edges(keys=True)) ^ set(before.edges(keys=True))
    assert {x for u, v, _ in changed for x in (u, v) if G.nodes[x]["class"] in P.PERSON_CLASSES} == said
    assert set(before.edges(keys=True)) < set(after.edges(keys=True))  # nothing ended that day


def test_bad_view_arguments_are_usage_errors(G: nx.MultiDiGraph) -> None:
    with pytest.raises(UsageError, match="unknown class 'Judges'.*Judge"):
        P.view(G, classes=["Judges"])
    with pytest.raises(UsageError, match="unknown relation 'member'"):
        P.view(G, relations=["member"])
    with pytest.raises(UsageError, match="give a day, YYYY-MM-DD"):
        P.view(G, as_of="2025-12")


def test_names_resolve_by_label_and_variant(G: nx.MultiDiGraph, belarus_store: EmbeddedStore) -> None:
    assert P.node_for(belarus_store, G, "Anastasia Lojka") == n("person/nasta-loika")
    assert P.node_for(belarus_store, G, "united states") == n("place/united-states")
    with pytest.raises(UnknownName, match="no entity is called 'Nasta Lojkina'"):
        P.node_for(belarus_store, G, "Nasta Lojkina")
    with pytest.raises(UnknownName, match="has no relation in this view"):
        P.node_for(belarus_store, P.view(G, relations=["released_in"]), "Nasta Loika")


# ---------------------------------------------------------------------------- exports
def test_gexf_reads_back_with_its_attributes(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    write_gexf(G, tmp_path / "n.gexf")
    H = nx.read_gexf(tmp_path / "n.gexf")
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    got = sorted((u, v, tuple(sorted((k, x) for k, x in d.items() if k != "id"))) for u, v, d in H.edges(data=True))
    want = sorted((u, v, tuple(sorted(d.items()))) for u, v, d in G.edges(data=True))
    assert got == want


def test_graphml_reads_back_with_its_attributes(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    write_graphml(G, tmp_path / "n.graphml")
    H = nx.read_graphml(tmp_path / "n.graphml", force_multigraph=True)
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
    assert isinstance(H.edges[n("release/2025-12-13"), n("org/us-government"),
                              f"negotiated_by {n('negotiation/us-belarus-2025-12')}"]["led"], bool)


def test_node_and_edge_csv(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    import csv

    nodes, edges = write_csv(G, tmp_path / "net")
    node_rows = list(csv.DictReader(nodes.read_text(encoding="utf-8").splitlines()))
    edge_rows = list(csv.DictReader(edges.read_text(encoding="utf-8").splitlines()))
    assert len(node_rows) == 30 and len(edge_rows) == 35
    assert list(edge_rows[0])[:6] == ["Source", "Target", "Id", "Type", "relation", "source_id"]
    loika = next(r for r in edge_rows if r["relation"] == "sentenced_by")
    assert (loika["Source"], loika["Target"], loika["years"], loika["source_id"]) == (
        n("person/nasta-loika"), n("org/minsk-city-court"), "7.0", SRC)


@pytest.mark.parametrize("write", [write_gexf, write_graphml, write_csv], ids=["gexf", "graphml", "csv"])
def test_an_unwritable_export_path_is_a_usage_error_naming_it(G: nx.MultiDiGraph, write: Any) -> None:
    target = "/nonexistent/x.gexf" if write is not write_csv else "/proc/net-export"  # no directory can be made in /proc
    with pytest.raises(UsageError, match=f"cannot write {target}: "):
        write(G, target)


@pytest.mark.parametrize("fmt, write", [("gexf", write_gexf), ("graphml", write_graphml)])
def test_an_export_that_fails_midway_leaves_the_previous_file(G: nx.MultiDiGraph, tmp_path: Path, fmt: str, write: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / f"n.{fmt}"
    write(G, target)
    before = target.read_bytes()

    def half(graph: nx.Graph, f: Any, **_: Any) -> None:
        f.write(b"<?xml version='1.0'")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(nx, f"write_{fmt}", half)
    with pytest.raises(RuntimeError, match="interrupted"):
        write(G, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_csv_export_that_fails_midway_leaves_the_previous_files(G: nx.MultiDiGraph, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from repnet.graph.network import netexport

    nodes, edges = write_csv(G, tmp_path)
    before = nodes.read_bytes(), edges.read_bytes()
    monkeypatch.setattr(netexport, "_cell", lambda v: (_ for _ in ()).throw(RuntimeError("interrupted")))
    with pytest.raises(RuntimeError, match="interrupted"):
        write_csv(G, tmp_path)
    assert (nodes.read_bytes(), edges.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.csv", "nodes.csv"]


# ---------------------------------------------------------------------------- cache
def test_the_projection_of_a_store_generation_is_cached(belarus_store: EmbeddedStore, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = open_store(belarus_store.location)
    first = P.network(store)
    files = list((tmp_path / "repnet" / "networks").glob("*.pickle"))
    assert len(files) == 1
    monkeypatch.setattr(P, "project", lambda *a, **k: pytest.fail("projected again instead of reading the cache"))
    again = P.network(store, as_of="2025-12-12")
    assert sorted(again.edges(keys=True)) == sorted(P.view(first, as_of="2025-12-12").edges(keys=True))
    with files[0].open("rb") as f:
        assert sorted(pickle.load(f).edges(keys=True, data=True)) == sorted(first.edges(keys=True, data=True))


def test_a_damaged_cache_is_recomputed_and_memory_stores_are_not_cached(belarus_store: EmbeddedStore, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = open_store(belarus_store.location)
    path = P._cache_file(store, False)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    assert P.network(store).number_of_edges() == 35
    assert path.read_bytes() != b"not a pickle"
    assert P._cache_file(memory_store(), False) is None
    # the key is what the projection reads: a public-only store gives the same projection either way
    assert P._cache_file(store, True) == path
    assert P._cache_file(belarus_store, True) != P._cache_file(belarus_store, False) == path


def test_an_entity_without_a_visible_type_is_unknown_never_guessed(tmp_path: Path) -> None:
    """The finding of issue 16: a public fact naming an entity whose own record is not visible drew
    that entity as a Place. Here the facility's type is left out of the store, as a restricted
    record's would be."""
    from .fixtures.bad_sources import source

    src = write(tmp_path / "s.yaml", source(records=[
        "{id: place/by, type: Country, name: Belarus}",
        "{id: place/f, type: Facility, name: Colony 1, facility_type: penal-colony}",
        "{id: detention/d, type: Detention, person: person/a, detention_type: post-conviction, facility: place/f}"]))
    facility = ID + "place/f"
    quads = [q for q in load_dataset([src]).quads()
             if not (q.subject.value == facility and q.predicate.value.endswith("#type"))]
    G = P.project(memory_store(quads, public_only=True))
    assert G.nodes[facility]["class"] == "Unknown"
    assert G.nodes[ID + "person/a"]["class"] == "Person"
    typed = P.project(memory_store(load_dataset([src]).quads(), public_only=True))
    assert typed.nodes[facility]["class"] == "Facility"


# ---------------------------------------------------------------------------- the projection stays the same
SNAPSHOT = Path(__file__).parent / "fixtures" / "belarus-projection.json"


def as_json(G: nx.MultiDiGraph) -> dict[str, list[Any]]:
    """A projection as sorted JSON-ready lists: nodes [id, attributes], edges [tail, head, key, attributes]."""
    nodes = sorted([v, dict(sorted(d.items()))] for v, d in G.nodes(data=True))
    edges = sorted([u, v, k, dict(sorted(d.items()))] for u, v, k, d in G.edges(keys=True, data=True))
    return {"nodes": nodes, "edges": edges}


def test_the_belarus_projection_equals_its_snapshot(G: nx.MultiDiGraph) -> None:
    """tests/fixtures/belarus-projection.json was written by the projection before it was table-driven
    (issue 14): every node, edge, key and attribute is the same."""
    assert as_json(G) == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- the relation table, progress
def test_the_relations_are_the_table_in_relations_yaml() -> None:
    assert list(P.RELATIONS) == [r.name for r in P.RELATION_TABLE] == [
        "member_of", "sentenced_by", "sentenced_in", "prosecuted_by", "held_at", "charged_under", "defined_by",
        "co_defendant", "released_in", "released_by", "negotiated_by", "government_of"]
    assert P.RELATIONS["held_at"] == "person -> detention facility (detention, return to custody)"
    sentenced_by = next(r for r in P.RELATION_TABLE if r.name == "sentenced_by")
    assert sentenced_by.marks_head == "presides" and len(sentenced_by.patterns[0].head) == 4
    assert sentenced_by.patterns[0].head[2] == P.parse_path("rpn:verdict/rpn:court")


@pytest.mark.parametrize("text, problem", [
    ("r: {about: x}", "give about, and patterns or pairs"),
    ("r: {about: x, patterns: [], colour: red}", r"unknown: \['colour'\]"),
    ("r: {about: x, dated_by: head, patterns: []}", "give about"),
    ("r: {about: x, patterns: [{tail: ., head: rpn:court, attributes: {a: {as: name}}}]}", r"attribute a: unknown form \['as'\]"),
])
def test_a_malformed_relation_table_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        P.load_relations(text)


def test_a_relation_added_to_the_table_is_projected(belarus_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new relation is data only: here countries -> the governments that serve them, an inverse path."""
    table = P.load_relations("""
served_by:
  about: country -> a government that serves it
  patterns:
    - {tail: ., head: ^schema:areaServed, attributes: {stage: {value: test}}}
""")
    monkeypatch.setattr(P, "RELATION_TABLE", table)
    monkeypatch.setattr(P, "RELATIONS", {r.name: r.about for r in table})
    G = P.project(belarus_store)
    assert sorted((G.nodes[u]["label"], G.nodes[v]["label"], d["stage"], d["source"]) for u, v, d in G.edges(data=True)) == [
        ("Belarus", "Government of Belarus", "test", SRC), ("United States", "United States government", "test", SRC)]


def test_projection_reports_progress_per_relation_and_phase(belarus_store: EmbeddedStore) -> None:
    calls: list[tuple[str, int, int | None]] = []
    P.project(belarus_store, relations=["member_of", "held_at"], progress=lambda *c: calls.append(c))
    assert calls == [(P.STAGE, done, 5) for done in range(6)]


def test_network_reports_progress_only_when_it_projects(belarus_store: EmbeddedStore, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = open_store(belarus_store.location)
    calls: list[int] = []
    P.network(store, progress=lambda stage, done, total: calls.append(done))
    assert calls == list(range(len(P.RELATIONS) + 4))
    calls.clear()
    P.network(store, progress=lambda stage, done, total: calls.append(done))
    assert calls == []


def test_projection_reads_what_the_sources_state_not_what_the_build_derives(belarus_store: EmbeddedStore) -> None:
    names = belarus_store.named_graphs()
    assert "https://w3id.org/repnet/graph/derived" in names  # status periods, which hold rpn:heldAt too
    assert P._Reader(belarus_store, restricted=False).sources == [
        "https://w3id.org/repnet/graph/hrw-2025-12-15-belarus", "https://w3id.org/repnet/graph/wikidata-links"]
    assert P._Reader(belarus_store, restricted=True).sources == [
        "https://w3id.org/repnet/graph/hrw-2025-12-15-belarus", "https://w3id.org/repnet/graph/hrw-2025-12-15-belarus/restricted",
        "https://w3id.org/repnet/graph/wikidata-links"]
