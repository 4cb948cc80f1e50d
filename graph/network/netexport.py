"""Write a projected network (:mod:`repnet.graph.network.project`) for Gephi, Cytoscape or a spreadsheet.

    gexf     GEXF 1.2 (Gephi): node ``label`` is the GEXF label; every other node and edge
             attribute becomes a GEXF attribute
    graphml  GraphML (Cytoscape, yEd, igraph); edge ids are the projection's edge keys
    csv      two files: ``nodes.csv`` (Id, Label, class) and ``edges.csv`` (Source, Target, Id,
             Type, then the edge attributes), the column names Gephi's spreadsheet import expects;
             the provenance attribute ``source`` is written as ``source_id`` there, because Gephi
             reads a column named Source as the edge's first node

The projection holds only plain values (str, float, bool) and leaves missing attributes out, so
both XML writers accept it as it is; restricted facts are never in it unless asked for.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import networkx as nx

from ..csvsafe import Writer
from ..files import atomic_output, output_directory

EDGE_COLUMNS = ("relation", "source", "event", "date", "since", "until", "years", "penalty", "stage", "role", "kind",
                "detention_type", "negotiation", "led", "case")


@contextlib.contextmanager
def _open(path: str | Path) -> Iterator[IO[bytes]]:
    """stdout for "-", else ``path`` written whole or not at all (:mod:`repnet.graph.files`)."""
    if str(path) == "-":
        yield sys.stdout.buffer
        return
    with atomic_output(path, "wb") as f:
        yield f


def write_gexf(G: nx.Graph, path: str | Path) -> Path | None:
    """Write GEXF to ``path`` ("-" for stdout).

    Examples
    --------
    >>> import io, tempfile, os
    >>> G = nx.MultiDiGraph(); G.add_node("a", label="A", **{"class": "Person"}); G.add_node("b", label="B", **{"class": "Court"})
    >>> _ = G.add_edge("a", "b", key="sentenced_by s1", relation="sentenced_by", years=7.0, source="src")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_gexf(G, os.path.join(d, "n.gexf")); H = nx.read_gexf(os.path.join(d, "n.gexf"))
    >>> [(u, v, e["relation"], e["years"], e["source"]) for u, v, e in H.edges(data=True)]
    [('a', 'b', 'sentenced_by', 7.0, 'src')]
    """
    with _open(path) as f:
        nx.write_gexf(G, f, version="1.2draft")
    return None if str(path) == "-" else Path(path)


def write_graphml(G: nx.Graph, path: str | Path) -> Path | None:
    """Write GraphML to ``path`` ("-" for stdout).

    Examples
    --------
    >>> import tempfile, os
    >>> G = nx.MultiDiGraph(); G.add_node("a", label="A"); G.add_node("b", label="B")
    >>> _ = G.add_edge("a", "b", key="member_of m1", relation="member_of", led=False)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_graphml(G, os.path.join(d, "n.graphml")); H = nx.read_graphml(os.path.join(d, "n.graphml"), force_multigraph=True)
    >>> list(H.edges(keys=True, data=True))
    [('a', 'b', 'member_of m1', {'relation': 'member_of', 'led': False})]
    """
    with _open(path) as f:
        nx.write_graphml(G, f)
    return None if str(path) == "-" else Path(path)


def write_csv(G: nx.Graph, directory: str | Path, raw: bool = False) -> tuple[Path, Path]:
    """Write ``nodes.csv`` and ``edges.csv`` into ``directory`` (created if needed).

    Cells a spreadsheet would evaluate are neutralised unless ``raw`` (:mod:`repnet.graph.csvsafe`).

    Examples
    --------
    >>> import tempfile
    >>> G = nx.MultiDiGraph(); G.add_node("a", label="A", **{"class": "Person"}); G.add_node("b", label="B", **{"class": "Court"})
    >>> _ = G.add_edge("a", "b", key="k1", relation="sentenced_by", source="src")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     nodes, edges = write_csv(G, d); print(edges.read_text().splitlines()[:2])
    ['Source,Target,Id,Type,relation,source_id', 'a,b,k1,Directed,sentenced_by,src']
    """
    out = output_directory(directory)
    nodes_path, edges_path = out / "nodes.csv", out / "edges.csv"
    node_attrs = sorted({k for _, d in G.nodes(data=True) for k in d} - {"label"})
    with atomic_output(nodes_path, newline="") as f:
        w = Writer(f, raw)
        w.writerow(["Id", "Label", *node_attrs])
        for n, d in G.nodes(data=True):
            w.writerow([n, d.get("label", n), *(_cell(d.get(a)) for a in node_attrs)])
    present = {k for *_, d in G.edges(data=True) for k in d}
    cols = [c for c in EDGE_COLUMNS if c in present] + sorted(present - set(EDGE_COLUMNS))
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, i, d) for i, (u, v, d) in enumerate(G.edges(data=True)))
    with atomic_output(edges_path, newline="") as f:
        w = Writer(f, raw)
        w.writerow(["Source", "Target", "Id", "Type", *("source_id" if c == "source" else c for c in cols)])
        for u, v, k, d in edges:
            w.writerow([u, v, k, "Directed" if G.is_directed() else "Undirected", *(_cell(d.get(c)) for c in cols)])
    return nodes_path, edges_path


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


NETWORK_FORMATS: dict[str, Callable[..., Any]] = {"gexf": write_gexf, "graphml": write_graphml, "csv": write_csv}
