"""Importing lists (repnet import list): two layouts written for this (a modern prisoner list, a
historical victims list in cp1251), a spreadsheet, the rows of `persons` and `sentences` and a
per-month count of events after import, and one clear error per kind of bad row. Every name in the
fixtures (tests/fixtures/lists/) is invented; the sources are marked synthetic."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from repnet.cli import cli
from repnet.graph.ask.query import resolve_name
from repnet.graph.errors import SourceError
from repnet.graph.ingest.build import build
from repnet.graph.ingest.lists import articles_form, date_form, import_list, penalty_form, term_form
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore

from .conftest import ID, select, write

LISTS = Path(__file__).parent / "fixtures" / "lists"
P = ID + "person/"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sources")
    import_list(LISTS / "prisoners.csv", LISTS / "prisoners-map.yaml", out)
    import_list(LISTS / "victims.tsv", LISTS / "victims-map.yaml", out)
    return out


@pytest.fixture(scope="module")
def store(imported: Path, tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    where = tmp_path_factory.mktemp("store")
    build([imported], store=where)
    return open_store(where)  # type: ignore[return-value]


# ------------------------------------------------------------------ value forms
@pytest.mark.parametrize(("text", "want"), [
    ("7.3.1938", ("1938-03-07", None)), ("07/03/1938", ("1938-03-07", None)), ("3.1938", ("1938-03", None)),
    ("1938", ("1938", None)), ("1938 г.", ("1938", None)), ("1938-03", ("1938-03", None)),
    ("spring 1938", ("1938", "spring 1938")), ("весна 1938", ("1938", "весна 1938")),
])
def test_date_forms(text: str, want: tuple[str, str | None]) -> None:
    assert date_form(text) == want


@pytest.mark.parametrize(("text", "term", "penalty"), [
    ("15 years 6 months", {"years": 15, "months": 6}, "imprisonment"), ("10 лет", {"years": 10}, "imprisonment"),
    ("8 лет 6 месяцев", {"years": 8, "months": 6}, "imprisonment"), ("3 года", {"years": 3}, "imprisonment"),
    ("death penalty", None, "death-penalty"), ("расстрел", None, "death-penalty"), ("ВМН", None, "death-penalty"),
    ("life", None, "life-imprisonment"),
])
def test_term_and_penalty_forms(text: str, term: dict[str, int] | None, penalty: str) -> None:
    assert term_form(text) == term and penalty_form(text) == penalty


def test_several_articles_in_one_cell() -> None:
    assert articles_form("ст. 342 ч.1; 361-1, art. 130 part 3") == ["342 part 1", "361-1", "130 part 3"]


# ------------------------------------------------------------------ after import
def test_persons_after_import(store: EmbeddedStore) -> None:
    # the victims list is in Russian: its persons and their parties show their Russian names
    rows = store_rows(store, "persons", ("person", "name", "variants", "organizations"))
    assert rows[:4] == [
        (P + "spl-1", "Alena Zhuravenka", "Алена Жураўенка", None),
        (P + "spl-4", "Alyona Zhuravenko", "Алёна Журавенко", None),
        (P + "spl-3", "Ihar Paulavets", "Ігар Паўлавец", None),
        (P + "spl-2", "Siarhei Mazheika", "Сяргей Мажэйка", None),
    ]
    assert sorted(rows[4:6]) == [(P + "svl-101", "Журавский Андрей Петрович", None, "ВКП(б)"),
                                 (P + "svl-103", "Журавский Андрей Петрович", None, "ВКП(б)")]  # the same name: either order
    assert rows[6:] == [(P + "svl-102", "Левин Исаак Моисеевич", None, None), (P + "svl-104", "Сидорчук Мария Ивановна", None, "ВЛКСМ")]


def test_sentences_after_import(store: EmbeddedStore) -> None:
    rows = store_rows(store, "sentences", ("person", "personLabel", "date", "years", "charges"))
    # the persons of the Russian-language list are named by their Russian names (no English one), sorted after the Latin ones
    got = [(p, n, d, None if y is None else float(y), c) for p, n, d, y, c in rows]
    assert got[:4] == [
        (P + "spl-1", "Alena Zhuravenka", "2021-06", 5.5, "Article 361-1 part 1; Article 342"),
        (P + "spl-4", "Alyona Zhuravenko", "2021-06", 5.5, "Article 342"),
        (P + "spl-3", "Ihar Paulavets", "2021-11", 10.0, "Article 130 part 3; Article 361-1"),
        (P + "spl-2", "Siarhei Mazheika", "2021-02", 3.0, "Article 342"),
    ]
    assert sorted(got[4:6]) == [(P + "svl-101", "Журавский Андрей Петрович", None, None, None),  # death penalty: no term
                                (P + "svl-103", "Журавский Андрей Петрович", None, None, None)]  # the same name: either order
    assert got[6:] == [(P + "svl-102", "Левин Исаак Моисеевич", None, 10.0, None), (P + "svl-104", "Сидорчук Мария Ивановна", None, 8.5, None)]
    penalties = select(store, "SELECT ?s ?p WHERE { ?s rpn:penaltyType ?p FILTER(CONTAINS(STR(?s), 'svl-10')) } ORDER BY ?s")
    C = "https://w3id.org/repnet/concept/penalty/"
    assert [p for _, p in penalties] == [C + "death-penalty", C + "imprisonment", C + "death-penalty", C + "imprisonment"]


def test_members_of_a_party_named_only_in_russian(store: EmbeddedStore) -> None:
    from repnet.graph.ask.query import execute, prepare, rows_of, saved_queries

    q = saved_queries()["members"]
    _, rows = rows_of(execute(store, prepare(store, q.text, {"organization": "ВКП(б)"}, q)))
    assert sorted((r["person"], r["personLabel"], r["role"]) for r in rows) == [
        (P + "svl-101", "Журавский Андрей Петрович", "member"), (P + "svl-103", "Журавский Андрей Петрович", "member")]


def store_rows(store: EmbeddedStore, name: str, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    from repnet.graph.ask.query import execute, prepare, rows_of, saved_queries

    q = saved_queries()[name]
    _, rows = rows_of(execute(store, prepare(store, q.text, {}, q)))
    return [tuple(r[c] for c in columns) for r in rows]


def test_events_per_month_after_import(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT ?month ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {
          VALUES ?class { rpn:Arrest rpn:Sentence rpn:Execution rpn:Rehabilitation }
          ?e a ?class ; rpn:earliestStart ?d ; rpn:latestStart ?l FILTER(SUBSTR(STR(?d), 1, 7) = SUBSTR(STR(?l), 1, 7))
          BIND(SUBSTR(STR(?d), 1, 7) AS ?month)
        } GROUP BY ?month ?class ORDER BY ?month ?class""")
    R = "https://w3id.org/repnet/ontology#"
    assert rows == [
        ("1937-03", R + "Arrest", 2), ("1937-10", R + "Execution", 2), ("1937-11", R + "Arrest", 1),
        ("1958-05", R + "Rehabilitation", 2), ("2020-09", R + "Arrest", 1), ("2021-02", R + "Sentence", 1),
        ("2021-03", R + "Arrest", 2), ("2021-05", R + "Arrest", 1), ("2021-06", R + "Sentence", 2),
        ("2021-11", R + "Sentence", 1),
    ]


def test_victims_list_vocabulary(store: EmbeddedStore) -> None:
    rows = select(store, """
        SELECT ?born ?place ?nat ?emp ?pos ?addr ?id ?died ?burial WHERE {
          <PERSON> schema:birthDate ?born ; schema:birthPlace/skos:prefLabel ?place ; rpn:nationalityAsStated ?nat ;
            rpn:employerAsStated ?emp ; rpn:positionAsStated ?pos ; rpn:residenceAsStated ?addr ; rpn:listIdentifier ?id ;
            schema:deathDate ?died ; rpn:burialPlace/skos:prefLabel ?burial }""".replace("PERSON", P + "svl-101"))
    assert rows == [("1895", "д. Заречье", "белорус", "Минский трамвайный парк", "водитель", "Минск, ул. Садовая, 5", "101",
                     dt.date(1937, 10, 29), "Куропаты")]
    assert select(store, f"SELECT ?w WHERE {{ ?a rpn:arrestedPerson <{P}svl-102> ; rpn:dateAsReported ?w }}") == [("date: весна 1938",)]


def test_names_in_any_script_resolve_to_one_imported_person(store: EmbeddedStore) -> None:
    for name in ("Ihar Paulavets", "Ігар Паўлавец", "Игорь Павловец", "Paulavets Ihar", "Ihar Pawlawiec"):
        assert resolve_name(store, name, "person") == P + "spl-3", name
    for name in ("Levin Isaak", "Левин Исаак", "Levin Isaak Moiseevich"):
        assert resolve_name(store, name, "person") == P + "svl-102", name


# ------------------------------------------------------------------ readers
def test_a_spreadsheet_gives_the_same_source_as_the_csv(tmp_path: Path) -> None:
    import csv

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    with (LISTS / "prisoners.csv").open(encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            ws.append([int(c) if i and c.isdigit() else c for c in row])  # numbers as a spreadsheet keeps them
    wb.save(tmp_path / "prisoners.xlsx")
    a = import_list(LISTS / "prisoners.csv", LISTS / "prisoners-map.yaml", tmp_path / "a")
    b = import_list(tmp_path / "prisoners.xlsx", LISTS / "prisoners-map.yaml", tmp_path / "b", sheet=1)
    assert a.output and b.output
    assert a.output.read_text(encoding="utf-8") == b.output.read_text(encoding="utf-8")


def test_json_lines_and_json_output(tmp_path: Path) -> None:
    import csv
    import json

    with (LISTS / "prisoners.csv").open(encoding="utf-8") as f:
        lines = [json.dumps(r, ensure_ascii=False) for r in csv.DictReader(f)]
    write(tmp_path / "p.jsonl", "\n".join(lines) + "\n")
    r = import_list(tmp_path / "p.jsonl", LISTS / "prisoners-map.yaml", tmp_path / "out", fmt="json")
    assert r.output == tmp_path / "out" / "synthetic-prisoner-list.json" and (r.rows, r.imported, r.records) == (4, 4, 28)
    build([tmp_path / "out"], store=tmp_path / "store")


def test_reimport_gives_the_same_file(tmp_path: Path) -> None:
    a = import_list(LISTS / "victims.tsv", LISTS / "victims-map.yaml", tmp_path / "a")
    b = import_list(LISTS / "victims.tsv", LISTS / "victims-map.yaml", tmp_path / "b")
    assert a.output and b.output and a.output.read_bytes() == b.output.read_bytes()


def test_cli_import_then_build(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["import", str(LISTS / "prisoners.csv"), "--mapping", str(LISTS / "prisoners-map.yaml"),
                            "-o", str(tmp_path / "src")])
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Imported 4 of 4 rows as 28 records to {tmp_path / 'src' / 'synthetic-prisoner-list.yaml'}.\n"
    r = runner.invoke(cli, ["--store", str(tmp_path / "s"), "build", str(tmp_path / "src")])
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------------ bad rows and bad mappings
BAD_ROWS = [
    ("31.02.1990", "Born", "'birth_date': '1990-02-31' is an impossible date: February 1990 has 28 days"),
    ("12.13.2021", "Detained", "'date': '2021-13-12' is an impossible date: month 13"),
    ("about 5 years", "Sentence", "'penalty': 'about 5 years' is not a term this import reads"),
    ("ст. abc", "Articles", "'offence': 'abc' is not an article number"),
    ("detained", "Status", "'status': 'detained' is none of the values the mapping knows (imprisoned, released)"),
]


@pytest.mark.parametrize(("value", "column", "message"), BAD_ROWS, ids=[b[1] for b in BAD_ROWS])
def test_every_kind_of_bad_cell_has_its_own_error(tmp_path: Path, value: str, column: str, message: str) -> None:
    import csv

    with (LISTS / "prisoners.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[1][column] = value
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(SourceError) as e:
        import_list(path, LISTS / "prisoners-map.yaml", tmp_path / "out")
    first = e.value.problems[0]
    assert str(first).startswith(f"{path}, row 3, column '{column}', value {value!r}: {message}\n    fix: "), str(first)
    assert not (tmp_path / "out" / "synthetic-prisoner-list.yaml").exists()  # nothing written
    # with --skip-bad the other rows are written and the bad one goes to the rejects file with its reason
    r = import_list(path, LISTS / "prisoners-map.yaml", tmp_path / "out", skip_bad=True)
    assert (r.rows, r.imported, r.rejected) == (4, 3, 1)
    assert r.rejects is not None
    with r.rejects.open(encoding="utf-8") as f:
        rejects = list(csv.reader(f))
    assert rejects[0][:5] == ["row", "column", "value", "problem", "fix"]
    assert rejects[1][:4] == ["3", column, value, message] and rejects[1][5] == "2"


def test_a_row_keyed_like_an_earlier_row_is_refused(tmp_path: Path) -> None:
    text = (LISTS / "prisoners.csv").read_text(encoding="utf-8")
    path = write(tmp_path / "p.csv", text + text.splitlines()[1] + "\n")
    with pytest.raises(SourceError) as e:
        import_list(path, LISTS / "prisoners-map.yaml", tmp_path / "out")
    assert str(e.value.problems[0]) == (f"{path}, row 6, value 'person/spl-1': the id 'person/spl-1' was made from row 2 already\n"
                                        "    fix: key the ids from columns that differ between rows (the list's own number)")


def test_a_row_with_an_empty_key_column_is_refused(tmp_path: Path) -> None:
    text = (LISTS / "prisoners.csv").read_text(encoding="utf-8")
    path = write(tmp_path / "p.csv", text + ",Nobody Test,,1990,,,,,,,\n")
    with pytest.raises(SourceError) as e:
        import_list(path, LISTS / "prisoners-map.yaml", tmp_path / "out")
    assert str(e.value.problems[0]).startswith(f"{path}, row 6, column 'No': the id is keyed from this column, which is empty here")


def test_a_wrong_column_name_lists_the_columns_of_the_file(tmp_path: Path) -> None:
    m = write(tmp_path / "m.yaml", (LISTS / "prisoners-map.yaml").read_text(encoding="utf-8").replace("{column: Born,", "{column: Birth,"))
    with pytest.raises(SourceError) as e:
        import_list(LISTS / "prisoners.csv", m, tmp_path / "out")
    assert str(e.value.problems[0]) == (
        f"{m}: the column 'Birth' is not in prisoners.csv\n    fix: the columns of prisoners.csv: 'No', 'Name', "
        "'Name (Cyrillic)', 'Born', 'Region', 'Articles', 'Sentence', 'Colony', 'Status', 'Detained', 'Sentenced'")


def test_a_bad_mapping_is_refused_before_any_row_is_read(tmp_path: Path) -> None:
    text = (LISTS / "prisoners-map.yaml").read_text(encoding="utf-8")
    m = write(tmp_path / "m.yaml", text.replace("type: Arrest", "type: Arest").replace("residence:", "residense:")
              .replace("published: 2026-01-10", "published: 2026-02-30"))
    with pytest.raises(SourceError) as e:
        import_list(LISTS / "prisoners.csv", m, tmp_path / "out")
    text = str(e.value)
    assert "record source: source published: '2026-02-30' is an impossible date" in text
    assert "Person has no field 'residense'" in text
    assert "unknown record type 'Arest'" in text


def test_an_unquoted_no_column_is_explained(tmp_path: Path) -> None:
    text = (LISTS / "prisoners-map.yaml").read_text(encoding="utf-8")
    m = write(tmp_path / "m.yaml", text.replace('list_id: {column: "No"}', "list_id: {column: No}"))
    with pytest.raises(SourceError, match=r"the column name False is not text\n    fix: quote it: column: \"No\""):
        import_list(LISTS / "prisoners.csv", m, tmp_path / "out")


def test_a_cp1251_list_is_read_by_detection_and_by_statement(tmp_path: Path) -> None:
    a = import_list(LISTS / "victims.tsv", LISTS / "victims-map.yaml", tmp_path / "a")
    b = import_list(LISTS / "victims.tsv", LISTS / "victims-map.yaml", tmp_path / "b", encoding="cp1251", delimiter="\t")
    assert a.output and b.output and a.output.read_bytes() == b.output.read_bytes()
    shutil.rmtree(tmp_path / "a")
