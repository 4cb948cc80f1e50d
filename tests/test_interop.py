"""Interoperability: every export parses in an independent implementation (Apache Jena's riot, from
Debian's libapache-jena-java) and in pyoxigraph to the store's quads; export then import (rdflib)
gives an isomorphic dataset; the SHACL shapes give the same verdict in pySHACL and in Jena SHACL.

Debian installs Jena's jars without wrapper scripts; tests/external.py builds the classpath and works
around the packaging bug that breaks every Jena command (see there). Without Java or Jena these tests
fail in CI and are skipped elsewhere (``REPNET_SKIP_JENA=1`` skips them even with both). Jena
starts a JVM per command (1-3 s), so the commands of this module run in parallel, once.

Two findings about Jena 4.5 as Debian 12 ships it:

* JSON-LD 1.1 cannot be read: Jena reads it with Titanium, which needs a jakarta.json implementation
  (Eclipse Parsson) that Debian does not package. Its JSON-LD 1.0 reader (``--syntax=jsonld10``)
  rejects ``"@version": 1.1``. The export's context uses no other JSON-LD 1.1 feature than
  ``@version`` and ``@protected`` (checked below), which do not change what the document means, so
  Jena reads a copy without those two keys; pyoxigraph and rdflib read the export as it is.
* ``shacl validate`` exits 0 whether or not the data conforms: the verdict is read from its report.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from repnet.cli import cli
from repnet.graph.formats import EXTENSIONS, RDF
from repnet.graph.publish.export import dataset_quads
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore
from repnet.ontology.resources import shapes_text

from .external import jena_classpath

FAIL_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.fail.ttl"))
JSONLD_11_ONLY = {"@version", "@protected"}
JSONLD_10_KEYWORDS = {"@id", "@type", "@container", "@language", "@vocab", "@base", "@context", "@list", "@set",
                      "@reverse", "@index", "@value", "@graph"}
OX = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD, "turtle": ox.RdfFormat.TURTLE,
      "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}
RDFLIB = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld", "turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}


def jsonld_10_copy(src: Path, dst: Path) -> None:
    """The export with the JSON-LD 1.1-only context keys removed, for Jena's JSON-LD 1.0 reader."""
    doc = json.loads(src.read_text(encoding="utf-8"))
    ctx = doc["@context"]
    keywords = {k for k in ctx if k.startswith("@")}
    for v in ctx.values():
        if isinstance(v, dict):
            keywords |= {k for k in v if k.startswith("@")} | {x for x in v.values() if isinstance(x, str) and x.startswith("@")}
    assert keywords - JSONLD_10_KEYWORDS == JSONLD_11_ONLY & keywords, f"the context uses JSON-LD 1.1 features: {keywords}"
    for k in JSONLD_11_ONLY:
        ctx.pop(k, None)
    dst.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def union_ntriples(store: EmbeddedStore) -> bytes:
    return ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()), format=ox.RdfFormat.N_TRIPLES) or b""


@pytest.fixture(scope="module")
def interop(tmp_path_factory: pytest.TempPathFactory, belarus_store: EmbeddedStore) -> dict[str, Any]:
    """Every export written by the CLI, and every Jena command of this module run (in parallel)."""
    work = tmp_path_factory.mktemp("interop")
    cp = jena_classpath(work)
    store_dir = str(belarus_store.location)
    files = {}
    for fmt in RDF:
        files[fmt] = work / f"belarus{EXTENSIONS[fmt]}"
        r = CliRunner().invoke(cli, ["--store", store_dir, "export", fmt, "-o", str(files[fmt])], catch_exceptions=False)
        assert r.exit_code == 0, r.output
    jsonld10 = work / "belarus-1.0.jsonld"
    jsonld_10_copy(files["jsonld"], jsonld10)
    full = open_store(belarus_store.location, include_restricted=True)  # what the build validates: every graph
    (work / "union.nt").write_bytes(union_ntriples(full))
    (work / "fail.ttl").write_text("\n".join(f.read_text(encoding="utf-8") for f in FAIL_FIXTURES), encoding="utf-8")
    (work / "shapes.ttl").write_text(shapes_text(), encoding="utf-8")

    java = ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp]
    commands = {f"riot {fmt}": ["riotcmd.riot", "--output=nquads"] + (["--syntax=jsonld10", str(jsonld10)] if fmt == "jsonld"
                                                                        else [str(path)])
                for fmt, path in files.items()}
    commands["riot count"] = ["riotcmd.riot", "--count", *(str(files[f]) for f in RDF if f != "jsonld")]
    for name in ("union", "fail"):
        commands[f"shacl {name}"] = ["shacl.shacl", "validate", "--shapes", str(work / "shapes.ttl"),
                                     "--data", str(work / f"{name}.{'nt' if name == 'union' else 'ttl'}")]
    procs = {k: subprocess.Popen(java + v, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k, v in commands.items()}
    jena = {}
    for k, p in procs.items():
        out, err = p.communicate(timeout=300)
        jena[k] = subprocess.CompletedProcess(p.args, p.returncode, out.decode(), err.decode())
    public = open_store(belarus_store.location)
    return {"files": files, "jena": jena, "expected": list(dataset_quads(public)), "work": work, "full": full}


def test_every_export_parses_in_jena_and_pyoxigraph_to_the_store_quads(interop: dict[str, Any]) -> None:
    expected: list[ox.Quad] = interop["expected"]
    assert len(expected) == len(set(expected)) == 1240 + len([q for q in expected if q.graph_name.value.endswith("/description")])
    merge = {ox.Triple(q.subject, q.predicate, q.object) for q in expected}
    for fmt, path in interop["files"].items():
        r = interop["jena"][f"riot {fmt}"]
        assert r.returncode == 0 and "ERROR" not in r.stderr and "WARN" not in r.stderr, (fmt, r.stderr[-2000:])
        jena = list(ox.parse(r.stdout.encode(), format=ox.RdfFormat.N_QUADS))
        ours = list(ox.parse(path.read_bytes(), format=OX[fmt]))
        assert len(jena) == len(ours), f"{fmt}: Jena reads {len(jena)} statements, pyoxigraph {len(ours)}"
        if RDF[fmt].supports_datasets:  # named graphs kept
            assert set(jena) == set(ours) == set(expected), fmt
            assert len(jena) == len(expected), fmt
        else:  # the merge of the graphs
            assert {ox.Triple(q.subject, q.predicate, q.object) for q in jena} == merge, fmt
            assert {ox.Triple(q.subject, q.predicate, q.object) for q in ours} == merge, fmt
            assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in jena)


def test_riot_counts_every_file(interop: dict[str, Any]) -> None:
    r = interop["jena"]["riot count"]
    assert r.returncode == 0, r.stderr[-2000:]
    counts = {line.split(" : ")[0].rsplit("/", 1)[-1]: int(line.rsplit("= ", 1)[1].replace(",", ""))
              for line in r.stderr.splitlines() if line.startswith("file://")}
    n = len(interop["expected"])
    assert counts == {p.name: n for f, p in interop["files"].items() if f != "jsonld"}


def test_export_then_import_gives_an_isomorphic_dataset(interop: dict[str, Any]) -> None:
    expected: list[ox.Quad] = interop["expected"]
    ref = Dataset()
    ref.parse(data=(ox.serialize(expected, format=ox.RdfFormat.N_QUADS) or b"").decode(), format="nquads")
    graphs = {g.identifier: g for g in ref.graphs() if len(g)}
    merged = Graph()
    for g in graphs.values():
        merged += g
    for fmt, path in interop["files"].items():
        if RDF[fmt].supports_datasets:
            ds = Dataset()
            ds.parse(path, format=RDFLIB[fmt])
            got = {g.identifier: g for g in ds.graphs() if len(g)}
            assert got.keys() == graphs.keys(), fmt
            for name, g in graphs.items():
                assert isomorphic(got[name], g), f"{fmt}: graph {name} differs"
        else:
            assert isomorphic(Graph().parse(path, format=RDFLIB[fmt]), merged), fmt
        # and back through pyoxigraph: an in-memory store from the file holds the same quads
        s = ox.Store()
        s.load(path=str(path), format=OX[fmt], to_graph=None if RDF[fmt].supports_datasets else ox.DefaultGraph())
        if RDF[fmt].supports_datasets:
            assert set(s) == set(expected), fmt


def shacl_results(report: Graph) -> tuple[bool, Counter[tuple[str, str, str, str]]]:
    """(conforms, the results as (focus node, path, constraint component, value), counted)."""
    root = next(report.subjects(URIRef(str(SH.conforms)), None))
    conforms = report.value(root, SH.conforms) == Literal(True)
    results: Counter[tuple[str, str, str, str]] = Counter()
    for r in report.objects(root, SH.result):
        results[(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
                 str(report.value(r, SH.sourceConstraintComponent)), str(report.value(r, SH.value)))] += 1
    return conforms, results


@pytest.mark.parametrize("name", ["union", "fail"])
def test_shacl_gives_the_same_verdict_in_pyshacl_and_jena(interop: dict[str, Any], name: str) -> None:
    """The Belarus data (every graph, as the build validates it) conforms in both; the failing shape
    fixtures, all together, fail in both with the same results."""
    import pyshacl

    r = interop["jena"][f"shacl {name}"]
    assert r.returncode == 0, r.stderr[-2000:]  # 0 either way: the verdict is in the report
    jena = shacl_results(Graph().parse(data=r.stdout, format="turtle"))
    data = Graph().parse(interop["work"] / f"{name}.{'nt' if name == 'union' else 'ttl'}")
    shapes = Graph().parse(data=shapes_text(), format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    ours = shacl_results(report)
    assert jena[0] is ours[0] is (name == "union")
    assert jena[1] == ours[1]
    if name == "fail":
        assert len(ours[1]) >= len(FAIL_FIXTURES)
