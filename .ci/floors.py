"""Print pip constraints that pin each direct dependency of pyproject.toml to its declared floor.

`make test-floors` installs repnet with these constraints and runs the suite, which is how the
floors in pyproject.toml were tested. Written by hand because pip has no "lowest versions"
resolution (uv's `--resolution lowest-direct` would do it, but uv is not a dependency here).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

FLOOR = re.compile(r"^\s*([A-Za-z0-9._-]+)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def floors(requirements: list[str]) -> list[str]:
    """``name==version`` for each requirement with a ``>=`` floor; one without a floor is an error."""
    pins = []
    for req in requirements:
        m = FLOOR.match(req)
        if not m:
            raise SystemExit(f"no >= floor to pin in {req!r}")
        pins.append(f"{m.group(1)}=={m.group(2)}")
    return pins


def main() -> None:
    pyproject = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "pyproject.toml")
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    print("\n".join(floors(project["dependencies"])))


if __name__ == "__main__":
    main()
