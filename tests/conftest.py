"""Shared fixtures: a store built from the shipped data, a CLI runner, small helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repnet.graph.build import build
from repnet.graph.store import EmbeddedStore, open_store
from repnet.graph.terms import to_python

from . import external

BASE = "https://w3id.org/repnet/"
ID = BASE + "id/"


@pytest.fixture(scope="session")
def belarus_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The packaged data/ built into a store on disk, opened read-only with restricted graphs visible."""
    root = tmp_path_factory.mktemp("belarus-store")
    build(None, root)
    return open_store(root, include_restricted=True)


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
