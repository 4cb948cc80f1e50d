"""Shared fixtures: a store built from the shipped data, a CLI runner, small helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repnet.graph.ingest.build import build
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore
from repnet.graph.terms import to_python

from . import external

BASE = "https://w3id.org/repnet/"
ID = BASE + "id/"


@pytest.fixture(scope="session")
def belarus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged data/ built once per test session into a store directory (tests only read it)."""
    root = tmp_path_factory.mktemp("belarus-store")
    build(None, root)
    return root


@pytest.fixture(scope="session")
def belarus_store(belarus_dir: Path) -> EmbeddedStore:
    """The session's Belarus store, opened read-only with restricted graphs visible."""
    return open_store(belarus_dir, include_restricted=True)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium for playwright; skipped off CI when missing, a failure in CI (tests/external.py)."""
    return external.chromium()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def select(store: EmbeddedStore, sparql: str, **kw: Any) -> list[tuple[Any, ...]]:
    """Rows of a SELECT as tuples of plain Python values, in the query's variable order."""
    result = store.query(sparql, **kw)
    names = [v.value for v in result.variables]
    return [tuple(to_python(row[n]) for n in names) for row in result]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL_SOURCE = """\
source:
  id: tiny
  title: A tiny test source
  publisher: org/tester
  published: 2024-05-01
  terms: test data
records:
  - {id: org/tester, type: Organization, name: Tester}
  - {id: person/a, type: Person, name: Person A}
"""
