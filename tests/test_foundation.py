"""The foundation modules every stage imports: their documented examples run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

from repnet.graph.errors import UsageError
from repnet.graph.files import atomic_output, write_text

FOUNDATION = ["repnet.graph.sparql", "repnet.graph.formats", "repnet.graph.iris", "repnet.graph.files",
              "repnet.graph.dates", "repnet.graph.api"]


@pytest.mark.parametrize("name", FOUNDATION)
def test_documented_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("path", ["/nonexistent/dir/x.html", "/proc/x.csv"])
def test_an_unwritable_output_is_a_usage_error_naming_the_path(path: str) -> None:
    with pytest.raises(UsageError, match=f"cannot write {path}: "):
        write_text(path, "x")


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_part(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "page.html"
    target.write_text("previous")
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(target) as f:
            f.write("half a page")
            raise KeyboardInterrupt
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
