"""Lists named only in Russian on Virtuoso: the saved queries that fall back to a label in another
language when no English one exists (sentences, persons, members, timeline) give the same rows from
the embedded store and from a private Virtuoso (see tests/test_remote.py for how it is run)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from repnet.graph.ingest.build import build
from repnet.graph.ingest.lists import import_list
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore
from repnet.graph.store.remote import RemoteStore

from .external import Virtuoso, start_virtuoso
from .test_remote import repnet, rows

LISTS = Path(__file__).parent / "fixtures" / "lists"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    v = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield v
    finally:
        v.stop()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    root = tmp_path_factory.mktemp("lists")
    import_list(LISTS / "prisoners.csv", LISTS / "prisoners-map.yaml", root / "src")
    import_list(LISTS / "victims.tsv", LISTS / "victims-map.yaml", root / "src")
    build([root / "src"], store=root / "store")
    return open_store(root / "store")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def remote(virtuoso: Virtuoso, local: EmbeddedStore) -> RemoteStore:
    r = repnet("--store", str(local.location), "push", virtuoso.graph_crud_auth, "--user", "dba", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)
    return open_store(virtuoso.sparql)  # type: ignore[return-value]


@pytest.mark.parametrize(("name", "params"), [
    ("sentences", {}), ("persons", {}), ("members", {"organization": "ВКП(б)"}), ("timeline", {"person": "Левин Исаак"}),
    ("sentences", {"person": "Sidorchuk"}),
])
def test_labels_in_other_languages_give_the_same_rows_from_virtuoso(name: str, params: dict[str, str], local: EmbeddedStore,
                                                                    remote: RemoteStore) -> None:
    def key(r: tuple[Any, ...]) -> str:  # two persons of the same name come in either order
        return repr(r)

    expected = rows(local, name, params)
    assert any("Журавский Андрей Петрович" in r or "Сидорчук Мария Ивановна" in r or "ВКП(б)" in r for r in expected) or name == "timeline"
    assert sorted(rows(remote, name, params), key=key) == sorted(expected, key=key)
