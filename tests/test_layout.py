"""The package's shape: no import cycles, no private names across modules, imports flow down."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
# stage -> the stages it may import (besides the foundation modules and itself); cli and api on top
LAYERS = {
    "store": set(),
    "ingest": {"store", "ask"},  # the build computes status periods (ask.status) into the new store
    "ask": {"store"},
    "network": {"store", "ask"},
    "publish": {"store", "ask"},
    "web": {"store", "ask", "publish", "network", "viz"},  # the live explorer (web/explore.py) serves viz data
    "viz": {"store", "ask", "network"},
}
FOUNDATION = {"errors", "iris", "dates", "formats", "sparql", "terms", "output", "csvsafe", "files", "progress", "runtime", "names",
              "resolution"}


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the runtime package (tests excluded)."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("tests", ".venv", "build") or any(p.startswith(".") for p in rel.parts):
            continue
        parts = ["repnet", *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, list[str]]]:
    """(imported module, names) for every import in the module, function-level ones included."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            for n in names:  # `from . import query` imports a module
                if f"{target}.{n}" in known:
                    found.append((f"{target}.{n}", []))
            found.append((target, names))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return [(t, n) for t, n in found if t in known]


def import_graph() -> tuple[nx.DiGraph, dict[tuple[str, str], list[str]]]:
    mods = modules()
    G = nx.DiGraph()
    names: dict[tuple[str, str], list[str]] = {}
    for name, path in mods.items():
        G.add_node(name)
        for target, imported in imports(name, path, set(mods)):
            if target != name:
                G.add_edge(name, target)
                names.setdefault((name, target), []).extend(imported)
    return G, names


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "graph" else None


def test_no_import_cycles() -> None:
    G, _ = import_graph()
    # a package's __init__ re-exporting its modules is not a cycle of behaviour: leave those edges out
    H = G.copy()
    H.remove_edges_from([(a, b) for a, b in G.edges if b.startswith(a + ".") or a in ("repnet", "repnet.graph")])
    assert list(nx.simple_cycles(H)) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    _, names = import_graph()
    private = sorted(f"{a} imports {n} from {b}" for (a, b), ns in names.items() for n in ns
                     if n.startswith("_") and not n.startswith("__"))
    assert private == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_imports_flow_down(layer: str) -> None:
    G, _ = import_graph()
    wrong = sorted(f"{a} -> {b}" for a, b in G.edges
                   if stage(a) == layer and stage(b) not in (None, layer, *FOUNDATION, *LAYERS[layer])
                   and b != "repnet.graph")
    assert wrong == []


def test_foundation_modules_import_no_stage() -> None:
    G, _ = import_graph()
    wrong = sorted(f"{a} -> {b}" for a, b in G.edges if stage(a) in FOUNDATION and stage(b) in LAYERS)
    assert wrong == []
