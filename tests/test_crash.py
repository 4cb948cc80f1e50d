"""`kill -9` of a build at several points (issue 16): the store opens with the same contents, no
stale generation or lock is left after the next open, and no build worker outlives the build."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.store import open_store
from repnet.graph.web.loadtest import child_pids, is_gone


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    r = CliRunner().invoke(cli, ["synth", "--persons", "1500", "--per-file", "500", "--seed", "3", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def built(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built") / "store"
    r = CliRunner().invoke(cli, ["--store", str(root), "build", str(synthetic)])
    assert r.exit_code == 0, r.output
    return root


def _copy(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(built, root, symlinks=True)
    return root


def _contents(root: Path) -> tuple[int, list[str]]:
    s = open_store(root, include_restricted=True)
    try:
        return len(s), sorted(s.named_graphs())
    finally:
        s.close()


def _build_and_kill(root: Path, sources: Path, after: str | float, full: bool = True) -> tuple[set[int], str]:
    """Start `repnet build` (``--full``: the same sources would make it an incremental build that
    changes nothing), wait for a progress line starting with ``after`` (or seconds), kill -9 it.
    The build's worker processes at the moment of the kill, and what it had printed."""
    proc = subprocess.Popen([sys.executable, "-m", "repnet.cli", "--store", str(root), "build", *(["--full"] if full else []),
                             str(sources)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = ""
    end = time.monotonic() + 60
    assert proc.stderr is not None
    while time.monotonic() < end:
        if isinstance(after, float) and time.monotonic() > end - 60 + after:
            break
        ready, _, _ = select.select([proc.stderr], [], [], 0.01)
        if ready:
            line = proc.stderr.readline()
            seen += line
            if isinstance(after, str) and after in line:
                break
        assert proc.poll() is None, f"the build ended before the kill point: {seen}"
    workers = child_pids(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    seen += proc.stderr.read()
    proc.stderr.close()
    return workers, seen


def _assert_left_as_it_was(root: Path, workers: set[int], printed: str, before: object, current: str) -> None:
    """The killed build's workers ended with it and printed nothing; the store holds what it held
    (the interrupted generation, left behind, is removed when the store is opened)."""
    deadline = time.monotonic() + 5
    while not all(is_gone(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(is_gone(p) for p in workers), workers
    assert "Traceback" not in printed
    assert _contents(root) == before
    assert os.readlink(root / "current") == current
    assert sorted(p.name for p in root.iterdir()) == sorted(["current", current])


@pytest.mark.parametrize("point", ["reading and checking", "records checked", "triples loaded", 0.4, 0.8, 1.2],
                         ids=["reading", "checked-workers-forked", "loading", "0.4s", "0.8s", "1.2s"])
def test_kill_9_of_a_build_leaves_the_store_as_it_was(synthetic: Path, built: Path, tmp_path: Path,
                                                     point: str | float) -> None:
    root = _copy(built, tmp_path)
    before = _contents(root)
    current = os.readlink(root / "current")
    _assert_left_as_it_was(root, *_build_and_kill(root, synthetic, point), before, current)


def test_a_build_after_an_interrupted_one_removes_its_generation(synthetic: Path, built: Path, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    _build_and_kill(root, synthetic, "triples loaded")
    stale = [p.name for p in root.iterdir() if p.name.endswith(".partial")]
    assert len(stale) == 1 and (root / f".build-{stale[0].removesuffix('.partial')}.lock").exists()
    assert CliRunner().invoke(cli, ["--store", str(root), "build", str(synthetic)]).exit_code == 0
    names = sorted(p.name for p in root.iterdir())
    assert names == sorted(["current", os.readlink(root / "current")])


@pytest.mark.parametrize("point", ["records checked", 0.3, 0.6])
def test_kill_9_of_an_incremental_build_leaves_the_store_as_it_was(synthetic: Path, built: Path, tmp_path: Path,
                                                                   point: str | float) -> None:
    root = _copy(built, tmp_path)
    sources = tmp_path / "sources"
    shutil.copytree(synthetic, sources)
    edited = sorted(sources.glob("synthetic-persons-*.json"))[0]
    edited.write_text(edited.read_text().replace("[synthetic]", "[synthetic, edited]", 1))
    before, current = _contents(root), os.readlink(root / "current")
    _assert_left_as_it_was(root, *_build_and_kill(root, sources, point, full=False), before, current)
    # the next build is incremental again, and complete
    out = CliRunner().invoke(cli, ["--store", str(root), "build", str(sources)])
    assert out.exit_code == 0 and "incrementally (1 changed source read)" in out.output, out.output
