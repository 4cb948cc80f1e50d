"""The rule for tests that need an external program (tests/external.py): in CI a missing program
fails the test, elsewhere it skips it with the Debian package to install as the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import external


@pytest.mark.parametrize("found, ci, skip_asked, expected", [
    (True, False, False, "run"), (False, False, False, "skip"), (True, False, True, "skip"),
    (False, False, True, "skip"), (True, True, False, "run"), (False, True, False, "fail"),
    (True, True, True, "run"), (False, True, True, "fail"),
])
def test_verdict(found: bool, ci: bool, skip_asked: bool, expected: str) -> None:
    assert external.verdict(found, ci, skip_asked) == expected


@pytest.mark.parametrize("value, ci", [("true", True), ("1", True), ("yes", True), ("", False), ("0", False),
                                        ("false", False), ("False", False), (None, False)])
def test_in_ci(monkeypatch: pytest.MonkeyPatch, value: str | None, ci: bool) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert external.in_ci() is ci


@pytest.fixture
def no_programs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH with nothing on it and no REPNET_SKIP_* variables: a laptop without the programs."""
    monkeypatch.setenv("PATH", str(tmp_path))
    for name in ("REPNET_SKIP_VIRTUOSO", "REPNET_SKIP_JENA", "REPNET_SKIP_CHROMIUM"):
        monkeypatch.delenv(name, raising=False)


def test_a_missing_program_skips_off_ci_naming_the_package(monkeypatch: pytest.MonkeyPatch, no_programs: None) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"chromium is not installed \(Debian package chromium"):
        external.chromium()
    with pytest.raises(pytest.skip.Exception, match="virtuoso-t is not installed .*virtuoso-opensource"):
        external.start_virtuoso(Path("/nonexistent"))


def test_a_missing_program_fails_in_ci(monkeypatch: pytest.MonkeyPatch, no_programs: None, tmp_path: Path) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("REPNET_SKIP_JENA", "1")  # CI ignores it
    with pytest.raises(pytest.fail.Exception, match="java is not installed and CI runs every test.*default-jre-headless"):
        external.jena_classpath(tmp_path)
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed and CI runs every test"):
        external.chromium()


def test_a_missing_file_is_looked_up_as_such(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REPNET_SKIP_JENA", raising=False)
    jar = tmp_path / "jena-core.jar"
    with pytest.raises(pytest.skip.Exception, match="Apache Jena is not installed .*libapache-jena-java"):
        external.require("Apache Jena", "libapache-jena-java", "REPNET_SKIP_JENA", path=jar)
    jar.write_bytes(b"")
    assert external.require("Apache Jena", "libapache-jena-java", "REPNET_SKIP_JENA", path=jar) == str(jar)


def test_skip_variable_leaves_out_an_installed_program_off_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    program = tmp_path / "chromium"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REPNET_SKIP_CHROMIUM", raising=False)
    assert external.chromium() == str(program)
    monkeypatch.setenv("REPNET_SKIP_CHROMIUM", "1")
    with pytest.raises(pytest.skip.Exception, match="REPNET_SKIP_CHROMIUM=1 leaves out"):
        external.chromium()
    monkeypatch.setenv("CI", "true")
    assert external.chromium() == str(program)
