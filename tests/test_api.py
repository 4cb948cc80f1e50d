"""The library face (repnet.open, Store.query, Rows): plain values, errors that name arguments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import repnet
from repnet.graph.api import Store


@pytest.fixture(scope="module")
def store(belarus_store) -> Store:  # type: ignore[no-untyped-def]
    return Store(belarus_store)


def test_rows_hold_plain_python_values_in_column_order(store: Store) -> None:
    rows = store.query("sentences")
    assert rows.columns == ["person", "personLabel", "court", "courtLabel", "date", "years", "charges", "source", "status"]
    assert sorted((r["personLabel"], r["years"]) for r in rows) == [
        ("Marfa Rabkova", 15), ("Nasta Loika", 7), ("Valiantsin Stefanovic", 9)]
    assert not any(isinstance(v, Decimal) for r in rows for v in r.values())


def test_parameters_are_keywords_and_dates_may_be_dates(store: Store) -> None:
    as_text = store.query("detained-on", date="2025-12-15")
    as_date = store.query("detained-on", date=dt.date(2025, 12, 15))
    assert as_text == as_date and len(as_text) == 4


def test_sources_restrict_the_graphs(store: Store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert store.query(count, sources=["wikidata-links"])[0]["n"] < store.query(count)[0]["n"]


def test_the_package_exports_the_library_lazily() -> None:
    from repnet.graph import api, errors

    assert (repnet.open, repnet.Store, repnet.UsageError) == (api.open, api.Store, errors.UsageError)


def test_a_misspelt_saved_query_is_a_usage_error_with_suggestions() -> None:
    with pytest.raises(repnet.UsageError, match="Did you mean sentences"):
        Store(None).query("sentnces")


def test_construct_is_refused_by_query_with_what_to_use_instead(store: Store) -> None:
    with pytest.raises(repnet.UsageError, match="gives rows of a SELECT; this is CONSTRUCT"):
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")


def test_export_writes_the_visible_graphs(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "belarus.nq"
    n = store.export("nquads", path, description=False)
    written = _by_graph(path.read_bytes())
    expected = _by_graph(b"".join(str(q).encode() + b" .\n" for q in store.backend.quads()))
    assert n == sum(len(g) for g in written.values()) and written.keys() == expected.keys()
    assert all(isomorphic(written[k], expected[k]) for k in expected)


def _by_graph(nquads: bytes) -> dict[str, Graph]:
    graphs: dict[str, Graph] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        g = graphs.setdefault(q.graph_name.value, Graph())
        g.parse(data=f"{q.subject} {q.predicate} {q.object} .", format="nt")
    return graphs


def test_export_refuses_an_unknown_format_naming_the_argument(store: Store, tmp_path: Path) -> None:
    with pytest.raises(repnet.UsageError, match="fmt='xlsx': use one of turtle"):
        store.export("xlsx", tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def test_network_is_the_projection(store: Store) -> None:
    G = store.network()
    assert (G.number_of_nodes(), G.number_of_edges()) == (30, 35)
