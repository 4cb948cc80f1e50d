"""Packaging: every data file in git reaches the wheel, and the licence is declared the SPDX way.

The wheel itself is built and checked by hand (see README, "Development"); building one here would
need setuptools from the package index in each run. This test reads pyproject.toml and expands its
``package-data`` globs the way setuptools' build_py does (``glob(..., recursive=True)`` from each
package's folder, files only), so a new query, asset or source file that the globs miss fails here.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# Files in package folders that nothing reads at run time, so not package data (relative to the root).
NOT_PACKAGE_DATA = ("*/screenshots/*",)  # the README's pictures


def package_folder(package: str) -> Path:
    """The folder a package is built from, through the longest matching ``package-dir`` entry."""
    mapping: dict[str, str] = SETUPTOOLS.get("package-dir", {})
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in mapping:
            return ROOT / mapping[prefix] / Path(*parts[n:])
    return ROOT / Path(*parts)


def packaged_data() -> set[Path]:
    """The files ``package-data`` puts in the wheel."""
    found: set[Path] = set()
    for package, patterns in SETUPTOOLS.get("package-data", {}).items():
        folder = package_folder(package)
        for pattern in patterns:
            found.update(Path(p).resolve() for p in glob.glob(os.path.join(folder, pattern), recursive=True)
                         if os.path.isfile(p))
    return found


def tracked_files(folder: Path) -> set[Path]:
    """The files git tracks under ``folder`` (untracked scratch files are no one's data)."""
    out = subprocess.run(["git", "ls-files", "-z", "--", str(folder)], cwd=ROOT, capture_output=True, check=True)
    return {(ROOT / name).resolve() for name in out.stdout.decode().split("\0") if name}


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_every_data_file_of_a_package_folder_is_package_data() -> None:
    packages = [p for p in SETUPTOOLS["packages"] if package_folder(p).resolve() != ROOT]  # the root holds no data
    data = {f for p in packages for f in tracked_files(package_folder(p)) if f.suffix not in (".py", ".pyc")
            and not any(fnmatch.fnmatch(f.relative_to(ROOT).as_posix(), pattern) for pattern in NOT_PACKAGE_DATA)}
    assert data, "no data files found: the package folders moved?"
    missing = sorted(str(f.relative_to(ROOT)) for f in data - packaged_data())
    assert not missing, f"not in [tool.setuptools.package-data], so not installed: {missing}"


def test_licence_is_an_spdx_expression_with_its_file() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "repnet contributors" in text
