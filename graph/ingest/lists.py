"""Lists of prisoners and victims -> ordinary source files (``repnet import list``).

A list (CSV or TSV, an XLSX or ODS spreadsheet, JSON lines) and a *mapping* (YAML; documented in
README, "Importing a list") that says which records each row yields, how their ids are keyed from
columns, which column fills which field and in what form, and the source block. The import writes
one source file that the ordinary reader, checks, validation and build take like a hand-written one.

* **Readers** stream: a CSV is read row by row (encoding stated or detected by ``charset-normalizer``,
  delimiter stated or found by :class:`csv.Sniffer`), a spreadsheet through ``python-calamine``
  (XLSX, XLS, ODS), JSON lines line by line. Rows are numbered as a spreadsheet shows them: the
  header is row 1.
* **The mapping is checked before any row is read**: its keys, record types, fields, forms, and
  every column it names against the file's header (a wrong name lists the columns the file has),
  and its source block with the checks :func:`repnet.graph.ingest.records.check` applies.
* **Rows**: each row's records are checked as the build checks records
  (:class:`~repnet.graph.ingest.records.RecordChecker`); a row with any problem is refused whole,
  and every problem names the file, the row, the column, the value and the fix. Without
  ``skip_bad`` nothing is written when a row is bad; with it, the refused rows go to a rejects file
  (``<source id>.rejects.csv``: row, column, value, problem, fix, then the row as read).
* **Value forms** (hand-written here: each is a few lines over the house date and term formats, and
  no library reads Russian term phrases): ``date`` (``d.m.yyyy``, ``m.yyyy``, ``yyyy``, ISO,
  "spring 1938" -> the year with the words kept in ``as_reported``, "unknown" -> no value), ``term``
  ("15 years 6 months", "10 лет", "8 лет 6 мес."; "death penalty" and "life" give no term),
  ``penalty`` (imprisonment, death-penalty, life-imprisonment from the same words), ``articles``
  (several article numbers in one cell), ``int``, ``text``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ...ontology.resources import mapping as record_mapping
from ..dates import parse_date
from ..errors import Problem, RowProblem, SourceError, UsageError
from ..files import atomic_output
from ..names import fold
from ..progress import Progress
from .records import RecordChecker, check_meta
from .safeyaml import KEY_LINES, LINE, ReadError, load_yaml

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MAPPING_KEYS = ("source", "read", "row_id", "cite_url", "entities", "records")
READ_KEYS = ("encoding", "delimiter", "sheet")
RECORD_SPEC_KEYS = ("type", "id", "when", "fields")
FIELD_SPEC_KEYS = ("column", "value", "template", "form", "split", "map", "entity", "key", "name", "with", "before", "after")
FORMS = ("text", "date", "term", "penalty", "articles", "int")
UNKNOWN = {"", "unknown", "n/a", "na", "-", "—", "?", "неизвестно", "невядома", "нет данных", "не установлено"}
SEASONS = {"spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn", "winter": "winter",
           "весна": "spring", "весной": "spring", "лето": "summer", "летом": "summer", "осень": "autumn",
           "осенью": "autumn", "зима": "winter", "зимой": "winter"}
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
YAML_SPOOL_LIMIT = 3 * 1024 * 1024  # records as JSON lines; YAML of them is about as large (the reader takes 4 MB)


class _Bad(Exception):
    """One problem with one value of a row (becomes a RowProblem)."""

    def __init__(self, column: str | None, value: str, message: str, fix: str):
        super().__init__(message)
        self.column, self.value, self.message, self.fix = column, value, message, fix


# ---------------------------------------------------------------------------- readers
@dataclass
class Table:
    """A list being read: its columns and a stream of (row number, {column: text})."""

    path: Path
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    total: int | None = None  # rows expected, when known cheaply (for the progress bar)
    encoding: str | None = None
    delimiter: str | None = None
    file: IO[str] | None = None  # the open text file, closed by close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return str(v.isoformat())[:10] if not hasattr(v, "hour") or not (v.hour or v.minute) else str(v.isoformat())
    return str(v).strip()


def detect_encoding(path: Path, sample: int = 1 << 16) -> str:
    """The text encoding of a file: UTF-8 when its first 64 KB decode as UTF-8 (with or without a
    BOM), else charset-normalizer's best guess (cp1251 for most Cyrillic lists from Windows)."""
    from charset_normalizer import from_bytes

    head = path.read_bytes()[:sample] if path.stat().st_size <= sample else _head(path, sample)
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as e:
        if e.start > len(head) - 4:  # a character cut at the sample's end
            return "utf-8-sig"
    best = from_bytes(head).best()
    return best.encoding if best is not None else "utf-8"


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _head(path: Path, n: int) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


def read_table(path: Path, encoding: str | None = None, delimiter: str | None = None,
               sheet: int | str | None = None) -> Table:
    """Open a list for streaming. Raises SourceError naming the file when it cannot be read."""
    name = str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SourceError([Problem(name, None, None, "no such file", "give the path of a CSV, TSV, XLSX, ODS or JSON lines file")])
    if suffix in SHEET_SUFFIXES:
        return _read_sheet(path, sheet)
    if suffix in JSONL_SUFFIXES:
        return _read_jsonl(path, encoding or "utf-8")
    if suffix not in CSV_SUFFIXES:
        raise SourceError([Problem(name, None, None, f"unknown list type '{suffix}'",
                                   "give a .csv, .tsv, .txt, .xlsx, .xls, .ods, .jsonl or .ndjson file")])
    enc = encoding or detect_encoding(path)
    try:
        f: IO[str] = path.open(encoding=enc, newline="", errors="strict")
        sample = f.read(1 << 15)
        f.seek(0)
    except (LookupError, UnicodeDecodeError) as e:
        raise SourceError([Problem(name, None, None, f"cannot read the file as {enc}: {e}",
                                   "state the encoding in the mapping (read: {encoding: cp1251}) or with --encoding")]) from None
    if delimiter is None:
        if suffix == ".tsv":
            delimiter = "\t"
        else:
            try:
                delimiter = csv.Sniffer().sniff(sample.split("\n", 20)[0] if sample else ",", delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
    reader = csv.reader(f, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        f.close()
        raise SourceError([Problem(name, 1, None, "the file is empty", "the first row names the columns")]) from None
    columns = [h.strip() for h in header]
    try:
        _check_header(name, columns)
    except SourceError:
        f.close()
        raise
    total = _count_lines(path) - 1  # rows expected (a quoted line break makes it an estimate)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with f:
            try:
                for n, row in enumerate(reader, 2):
                    if not any(c.strip() for c in row):
                        continue
                    if len(row) > len(columns):
                        raise SourceError([RowProblem(name, n, None, "|".join(row[len(columns):])[:60],
                                                      f"the row has {len(row)} cells, the header {len(columns)}",
                                                      "quote cells that hold the delimiter, or state the delimiter")])
                    yield n, {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns)}
            except UnicodeDecodeError as e:
                raise SourceError([Problem(name, None, None, f"the file is not {enc} ({e.reason})",
                                           "state the encoding in the mapping (read: {encoding: ...})")]) from None

    return Table(path, columns, rows(), total, enc, delimiter, f)


def _read_sheet(path: Path, sheet: int | str | None) -> Table:
    from python_calamine import CalamineWorkbook

    name = str(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for unreadable workbooks
        raise SourceError([Problem(name, None, None, f"cannot read the spreadsheet: {e}", "save it again as .xlsx or .ods")]) from None
    names = wb.sheet_names
    try:
        if sheet is None:
            ws = wb.get_sheet_by_index(0)
        elif isinstance(sheet, int) or str(sheet).isdigit():
            ws = wb.get_sheet_by_index(int(sheet) - 1)  # sheets are counted from 1, as a user sees them
        else:
            ws = wb.get_sheet_by_name(str(sheet))
    except Exception:  # an index or name the workbook does not have
        raise SourceError([Problem(name, None, None, f"the workbook has no sheet {sheet!r}",
                                   f"its sheets: {', '.join(repr(s) for s in names)} (give a name or a number from 1)")]) from None
    it = iter(ws.iter_rows())
    try:
        header = [_cell(c) for c in next(it)]
    except StopIteration:
        raise SourceError([Problem(name, 1, None, "the sheet is empty", "the first row names the columns")]) from None
    while header and not header[-1]:
        header.pop()
    _check_header(name, header)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, row in enumerate(it, 2):
            cells = [_cell(c) for c in row]
            if not any(cells):
                continue
            yield n, {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(header)}

    return Table(path, header, rows(), max(ws.height - 1, 0))


def _read_jsonl(path: Path, encoding: str) -> Table:
    name = str(path)
    f = path.open(encoding=encoding)
    first: dict[str, Any] | None = None
    lines = enumerate(f, 1)
    for n, line in lines:
        if line.strip():
            first = _json_row(name, n, line)
            break
    if first is None:
        f.close()
        raise SourceError([Problem(name, 1, None, "the file holds no rows", "write one JSON object per line")])
    columns = list(first)
    start = n

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with f:
            yield start, {c: _cell(first.get(c)) for c in columns}
            for k, line in lines:
                if line.strip():
                    obj = _json_row(name, k, line)
                    yield k, {c: _cell(obj.get(c)) for c in columns}

    return Table(path, columns, rows(), file=f)


def _json_row(name: str, n: int, line: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise SourceError([Problem(name, n, None, f"not JSON: {e.msg}", "write one JSON object per line")]) from None
    if not isinstance(obj, dict):
        raise SourceError([Problem(name, n, None, "the line is not a JSON object", "write one {\"column\": value} object per line")])
    return obj


def _check_header(name: str, columns: list[str]) -> None:
    seen = set()
    for c in columns:
        if not c:
            raise SourceError([Problem(name, 1, None, "a column has no name", "give every column a name in the first row")])
        if c in seen:
            raise SourceError([Problem(name, 1, None, f"the column '{c}' is named twice", "give every column its own name")])
        seen.add(c)


# ---------------------------------------------------------------------------- value forms
def slug(text: str) -> str:
    """A record key from any text, in any script: 'Калеснікава 12' -> 'kalesnikava-12'."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return s[:120] or hashlib.sha256(text.encode()).hexdigest()[:12]


def is_unknown(value: str) -> bool:
    return value.strip().lower().rstrip(".") in UNKNOWN


_DMY = re.compile(r"([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]{4})")
_MY = re.compile(r"([0-9]{1,2})[./]([0-9]{4})")
_ISO = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_SEASON = re.compile(r"(\w+)\s+([0-9]{4})(?:\s*(?:г\.?|года?))?", re.IGNORECASE)


def date_form(value: str) -> tuple[str, str | None]:
    """A date as a list writes it -> (the date as repnet writes it, the words to keep or None).

    >>> date_form("7.3.1938"), date_form("1938"), date_form("spring 1938")
    (('1938-03-07', None), ('1938', None), ('1938', 'spring 1938'))
    """
    v = value.strip()
    m = _DMY.fullmatch(v)
    if m:
        text = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    elif (m := _MY.fullmatch(v)):
        text = f"{m[2]}-{int(m[1]):02d}"
    elif _ISO.fullmatch(v):
        text = v
    elif (m := re.fullmatch(r"([0-9]{4})\s*(?:г\.?|года?)", v)):
        text = m[1]
    elif (m := _SEASON.fullmatch(v)) and m[1].lower() in SEASONS:
        return m[2], v
    else:
        raise ValueError(f"'{v}' is not a date this import reads")
    parse_date(text)  # raises for 31.02.1990
    return text, None


_TERM_PART = re.compile(r"([0-9]+)\s*(years?|yrs?|y|лет|года?|г\.?|months?|mos?|m|месяц(?:а|ев)?|мес\.?|days?|d|дн(?:я|ей)?|сут(?:ок|ки)?)",
                        re.IGNORECASE)
DEATH = re.compile(r"death( penalty| sentence)?|execution|shot|расстрел|высшая мера.*|вмн|смертная казнь|пакаранне смерцю", re.IGNORECASE)
LIFE = re.compile(r"life( imprisonment)?|пожизненн\w*( лишение свободы)?|пажыццёвае.*", re.IGNORECASE)


def term_form(value: str) -> dict[str, int] | None:
    """A term of imprisonment in words -> {years, months, days}; None for death or life.

    >>> term_form("15 years 6 months"), term_form("10 лет"), term_form("death penalty")
    ({'years': 15, 'months': 6}, {'years': 10}, None)
    """
    v = value.strip()
    if DEATH.fullmatch(v) or LIFE.fullmatch(v):
        return None
    parts = _TERM_PART.findall(v)
    rest = _TERM_PART.sub("", v).replace(",", " ").replace("and", " ").replace(" и ", " ")
    if not parts or rest.strip():
        raise ValueError(f"'{v}' is not a term this import reads")
    out: dict[str, int] = {}
    for n, unit in parts:
        u = unit.lower()
        key = "months" if u.startswith(("m", "мес")) else "days" if u.startswith(("d", "дн", "сут")) else "years"
        out[key] = out.get(key, 0) + int(n)
    return out


def penalty_form(value: str) -> str:
    """The penalty a sentence's words state: death-penalty, life-imprisonment or imprisonment."""
    v = value.strip()
    if DEATH.fullmatch(v):
        return "death-penalty"
    if LIFE.fullmatch(v):
        return "life-imprisonment"
    term_form(v)  # raises when the words are not a term either
    return "imprisonment"


def articles_form(value: str) -> list[str]:
    """Several article numbers in one cell -> the numbers: 'ст. 342 ч.1; 361-1' -> ['342 part 1', '361-1']."""
    out = []
    for part in re.split(r"[;,/]|\s+and\s+|\s+и\s+", value):
        p = re.sub(r"(?i)^\s*(ст\.?|art\.?|article|артыкул|статья)\s*", "", part).strip()
        if not p:
            continue
        m = re.fullmatch(r"([0-9]+(?:[-.][0-9]+)*)(?:\s*(?:ч\.?|part|p\.)\s*([0-9]+))?", p, re.IGNORECASE)
        if not m:
            raise ValueError(f"'{p}' is not an article number")
        out.append(m[1] + (f" part {m[2]}" if m[2] else ""))
    if not out:
        raise ValueError(f"'{value}' names no article")
    return out


# ---------------------------------------------------------------------------- mapping
@dataclass
class FieldRule:
    name: str
    column: str | None = None
    value: Any = None
    template: str | None = None
    form: str = "text"
    split: str | None = None
    map: dict[str, Any] | None = None
    entity: str | None = None
    key: str = "{value}"
    entity_name: str = "{value}"
    before: str | None = None
    after: str | None = None
    entity_with: dict[str, Any] = field(default_factory=dict)  # constant fields of the entity records

    def columns(self) -> list[str]:
        cols = [self.column] if self.column else []
        return cols + (_TEMPLATE.findall(self.template) if self.template else [])


@dataclass
class RecordRule:
    type: str
    id: str
    when: str | None
    fields: list[FieldRule]
    unless: list[str] = field(default_factory=list)  # values of the `when` column that make no record


@dataclass
class ListMapping:
    path: str
    source: dict[str, Any]
    records: list[RecordRule]
    entities: list[dict[str, Any]] = field(default_factory=list)
    row_id: str = ""
    cite_url: str | None = None
    read: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> set[str]:
        cols = set(_TEMPLATE.findall(self.row_id)) | set(_TEMPLATE.findall(self.cite_url or ""))
        for r in self.records:
            cols |= set(_TEMPLATE.findall(r.id))
            if r.when:
                cols.add(r.when)
            for f in r.fields:
                cols |= set(f.columns())
        return cols


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in (LINE, KEY_LINES)}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def load_mapping(path: Path) -> ListMapping:
    """Read and check a mapping file (everything that can be checked without the list)."""
    name = str(path)
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"cannot read the mapping {name}: {e.strerror}", argument="mapping") from None
    except ReadError as e:
        raise SourceError([Problem(name, e.line, None, e.message, e.fix)]) from None
    problems: list[Problem] = []

    def bad(message: str, fix: str, where: Any = None) -> None:
        line = where.get(LINE) if isinstance(where, dict) else None
        problems.append(Problem(name, line, None, message, fix))

    if not isinstance(doc, dict):
        raise SourceError([Problem(name, 1, None, "a mapping file is a YAML mapping", "see README, 'Importing a list'")])
    for k in doc:
        if k not in MAPPING_KEYS and k not in (LINE, KEY_LINES):
            bad(f"unknown key '{k}'", f"a mapping has {', '.join(MAPPING_KEYS)}", doc)
    source = _strip(doc.get("source"))
    if not isinstance(source, dict):
        bad("the mapping has no 'source:' block", "give the source block a source file has (id, title, publisher, published, terms)", doc)
        source = {}
    else:
        problems.extend(Problem(name, p.line, "source", p.message, p.fix) for p in check_meta(source, name))
    read = _strip(doc.get("read") or {})
    if not isinstance(read, dict) or set(read) - set(READ_KEYS):
        bad("'read:' takes encoding, delimiter and sheet", "e.g. read: {encoding: cp1251, delimiter: ';'}", doc)
        read = {}
    row_id = doc.get("row_id")
    if not isinstance(row_id, str) or not _TEMPLATE.search(row_id):
        bad("the mapping has no 'row_id:'", "name the column of the list's own row number, e.g. row_id: \"{No}\"", doc)
        row_id = ""
    cite_url = doc.get("cite_url")
    if cite_url is not None and not isinstance(cite_url, str):
        bad("'cite_url' must be a URL template", "e.g. cite_url: \"https://example.org/list/{No}\"", doc)
        cite_url = None
    entities = _strip(doc.get("entities") or [])
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        bad("'entities:' is a list of records", "write each as a source record: {id: org/x, type: Organization, name: X}", doc)
        entities = []
    types = record_mapping().types
    common = record_mapping().common
    rules: list[RecordRule] = []
    recs = doc.get("records")
    if not isinstance(recs, list) or not recs:
        bad("the mapping has no 'records:'", "list the records each row yields: - {type: Person, id: \"person/x-{No}\", fields: {...}}", doc)
        recs = []
    for r in recs:
        if not isinstance(r, dict):
            bad("a record rule is a mapping", "write - {type: ..., id: ..., fields: {...}}", doc)
            continue
        for k in r:
            if k not in RECORD_SPEC_KEYS and k not in (LINE, KEY_LINES):
                bad(f"unknown key '{k}' in a record rule", f"a record rule has {', '.join(RECORD_SPEC_KEYS)}", r)
        rtype, rid, when = r.get("type"), r.get("id"), r.get("when")
        if rtype not in types:
            bad(f"unknown record type {rtype!r}", f"use one of: {', '.join(sorted(types))}", r)
            continue
        seg = types[rtype].segment
        if not isinstance(rid, str) or not rid.startswith(seg + "/") or not _TEMPLATE.search(rid):
            bad(f"the {rtype} rule's id {rid!r} is not a key template", f"write id: \"{seg}/<prefix>-{{Column}}\", keyed from columns so a re-import gives the same ids", r)
            continue
        unless: list[str] = []
        if isinstance(when, dict):
            unless = [str(x) for x in (when.get("not") or [])]
            when = when.get("column")
        if when is not None and not isinstance(when, str):
            bad("'when:' names a column", "write when: ColumnName, or when: {column: C, not: [values]} (the record is made "
                "when that cell is not empty and none of the values)", r)
            when = None
        allowed = {**common, **types[rtype].fields}
        frules = []
        fields = r.get("fields") or {}
        if not isinstance(fields, dict):
            bad(f"the {rtype} rule's fields must be a mapping", "write fields: {name: {column: Name}}", r)
            continue
        for fname, spec in fields.items():
            if fname in (LINE, KEY_LINES):
                continue
            if fname not in allowed:
                bad(f"{rtype} has no field '{fname}'", f"fields of {rtype}: {', '.join(types[rtype].fields)}", r)
                continue
            if isinstance(spec, str | int | float | bool) or spec is None:
                spec = {"value": spec}
            spec = _strip(spec)
            if not isinstance(spec, dict) or set(spec) - set(FIELD_SPEC_KEYS):
                bad(f"field '{fname}' of {rtype}: unknown keys {sorted(set(spec) - set(FIELD_SPEC_KEYS)) if isinstance(spec, dict) else spec!r}",
                    f"a field takes {', '.join(FIELD_SPEC_KEYS)}", r)
                continue
            if "column" in spec and not isinstance(spec["column"], str):
                bad(f"field '{fname}' of {rtype}: the column name {spec['column']!r} is not text",
                    f"quote it: column: \"{'No' if spec['column'] is False else spec['column']}\" (YAML reads No, Yes, 1 unquoted as other values)", r)
                continue
            given = [k for k in ("column", "value", "template") if k in spec]
            if len(given) != 1:
                bad(f"field '{fname}' of {rtype} needs exactly one of column, value, template", "e.g. name: {column: Name}", r)
                continue
            form = spec.get("form", "text")
            if form not in FORMS:
                bad(f"field '{fname}' of {rtype}: unknown form {form!r}", f"forms: {', '.join(FORMS)}", r)
                continue
            ent = spec.get("entity")
            if ent is not None and ent not in types:
                bad(f"field '{fname}' of {rtype}: unknown entity type {ent!r}", f"use one of: {', '.join(sorted(types))}", r)
                continue
            frules.append(FieldRule(fname, spec.get("column"), spec.get("value"), spec.get("template"), form, spec.get("split"),
                                    spec.get("map"), ent, spec.get("key", "{value}"), spec.get("name", "{value}"),
                                    spec.get("before"), spec.get("after"), dict(spec.get("with") or {})))
        rules.append(RecordRule(rtype, rid, when, frules, unless))
    if problems:
        raise SourceError(problems)
    return ListMapping(name, source, rules, entities, row_id, cite_url, read)


def check_columns(m: ListMapping, table: Table) -> None:
    """Every column the mapping names is in the list; the error lists the columns the list has."""
    missing = sorted(m.columns() - set(table.columns))
    if missing:
        import difflib

        problems = []
        for c in missing:
            close = difflib.get_close_matches(c, table.columns, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(m.path, None, None, f"the column '{c}' is not in {table.path.name}{hint}",
                                    f"the columns of {table.path.name}: {', '.join(repr(x) for x in table.columns)}"))
        raise SourceError(problems)


# ---------------------------------------------------------------------------- rows -> records
@dataclass
class ImportReport:
    """What an import did: rows read, written and refused, records, and the files written."""

    rows: int = 0
    imported: int = 0
    rejected: int = 0
    records: int = 0
    output: Path | None = None
    rejects: Path | None = None
    problems: list[Problem] = field(default_factory=list)


class _Row:
    def __init__(self, m: ListMapping, n: int, cells: dict[str, str]):
        self.m, self.n, self.cells = m, n, cells
        self.new_entities: list[dict[str, Any]] = []
        self.reported: list[str] = []

    def fill(self, template: str, extra: dict[str, str] | None = None, keyed: bool = False) -> str:
        def sub(mo: re.Match[str]) -> str:
            col = mo[1]
            v = (extra or {}).get(col, self.cells.get(col, ""))
            if keyed:
                if is_unknown(v):
                    raise _Bad(col, v, "the id is keyed from this column, which is empty here", "fill the cell, or key the id from another column")
                return slug(v)
            return v
        return _TEMPLATE.sub(sub, template)


def _values(row: _Row, f: FieldRule) -> list[Any]:
    if f.value is not None:
        return [f.value]
    if f.template is not None:
        return [row.fill(f.template)]
    assert f.column is not None
    raw = row.cells.get(f.column, "")
    if f.before is not None:
        raw = raw.split(f.before, 1)[0] if f.before in raw else raw
    if f.after is not None:
        raw = raw.split(f.after, 1)[1] if f.after in raw else ""
    parts = [p.strip() for p in (re.split(f.split, raw) if f.split else [raw])]
    out: list[Any] = []
    for p in parts:
        if is_unknown(p):
            continue
        try:
            out.extend(_form(row, f, p))
        except ValueError as e:
            raise _Bad(f.column, raw, f"'{f.name}': {e}", _FORM_FIX[f.form]) from None
    return out


_FORM_FIX = {
    "date": "write the date as d.m.yyyy, m.yyyy, yyyy or yyyy-mm-dd (or 'unknown'); a season as 'spring 1938'",
    "term": "write the term as e.g. '15 years 6 months' or '10 лет', or 'death penalty' or 'life'",
    "penalty": "write the sentence as a term ('15 years 6 months', '10 лет'), 'death penalty' or 'life'",
    "articles": "write article numbers separated by ';' or ',', e.g. '342; 361-1 ч.1'",
    "int": "write a whole number",
    "text": "fix the value",
}


def _form(row: _Row, f: FieldRule, v: str) -> list[Any]:
    if f.form == "date":
        text, words = date_form(v)
        if words:
            row.reported.append(f"{f.name}: {words}")
        return [text]
    if f.form == "term":
        t = term_form(v)
        return [t] if t else []
    if f.form == "penalty":
        return [penalty_form(v)]
    if f.form == "articles":
        vals: list[Any] = articles_form(v)
    elif f.form == "int":
        if not re.fullmatch(r"[0-9]+", v):
            raise ValueError(f"'{v}' is not a whole number")
        vals = [int(v)]
    else:
        vals = [v]
    if f.map is not None:
        mapped = []
        for x in vals:
            key = next((k for k in f.map if fold(str(k)) == fold(str(x))), None)
            if key is None:
                raise ValueError(f"'{x}' is none of the values the mapping knows ({', '.join(map(str, f.map))})")
            mapped.append(f.map[key])
        vals = mapped
    if f.entity is not None:
        spec = record_mapping().types[f.entity]
        ids = []
        for x in vals:
            rid = f"{spec.segment}/{slug(row.fill(f.key, {'value': str(x)}))}"
            row.new_entities.append({"id": rid, "type": f.entity, "name": row.fill(f.entity_name, {"value": str(x)}),
                                     **f.entity_with})
            ids.append(rid)
        vals = ids
    return vals


def row_records(m: ListMapping, n: int, cells: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row -> (its records, the shared entities it names). Raises _Bad."""
    row = _Row(m, n, cells)
    out = []
    for r in m.records:
        if r.when is not None and (is_unknown(cells.get(r.when, "")) or
                                   fold(cells.get(r.when, "")) in {fold(u) for u in r.unless}):
            continue
        rec: dict[str, Any] = {"id": row.fill(r.id, keyed=True), "type": r.type}
        fields = record_mapping().record_fields[r.type]
        row.reported = []
        for f in r.fields:
            vals = _values(row, f)
            if not vals:
                continue
            if f.name == "term" and len(vals) == 1:
                rec[f.name] = vals[0]
            elif fields[f.name].many:
                rec.setdefault(f.name, [])
                rec[f.name] += [v for v in vals if v not in rec[f.name]]
            elif len(vals) > 1:
                col = f.column or f.template or ""
                raise _Bad(f.column, cells.get(col, ""), f"'{f.name}' takes one value, the cell holds {len(vals)}",
                           "give one value per cell for this field, or drop 'split:'")
            else:
                rec[f.name] = vals[0]
        if row.reported:
            rec["as_reported"] = "; ".join(row.reported)
        out.append(rec)
    if out and m.row_id:
        locator = f"row {n}, {m.row_id.strip('{}')} {row.fill(m.row_id)}"
        url = row.fill(m.cite_url) if m.cite_url else m.source.get("url")
        if url:
            out[0]["cite"] = [{"url": url, "title": m.source.get("title", ""), "locator": locator}]
    return out, row.new_entities


def _problem_of(file: str, n: int, p: Problem, recs: list[dict[str, Any]], m: ListMapping, cells: dict[str, str]) -> RowProblem:
    """A record problem of a row -> the same problem named by row, column and value."""
    fm = re.match(r"'(\w+)': ", p.message)
    column, value = None, ""
    if fm:
        rtype = next((r.get("type") for r in recs if r.get("id") == p.record), None)
        rule = next((r for r in m.records if r.type == rtype), None)
        f = next((f for f in rule.fields if f.name == fm[1]), None) if rule else None
        if f is not None and f.column:
            column, value = f.column, cells.get(f.column, "")
    return RowProblem(file, n, column, value, p.message, p.fix)


def import_list(path: str | os.PathLike[str], mapping_path: str | os.PathLike[str], out_dir: str | os.PathLike[str],
                skip_bad: bool = False, encoding: str | None = None, delimiter: str | None = None,
                sheet: int | str | None = None, fmt: str | None = None, max_problems: int = 50,
                progress: Progress | None = None) -> ImportReport:
    """Import a list as one source file ``<out_dir>/<source id>.yaml`` (``.json`` with ``fmt='json'``,
    or by default when YAML would pass the 4 MB the reader takes for YAML: some 3,000 rows).

    Raises SourceError (the mapping, the list, or bad rows without ``skip_bad``: up to
    ``max_problems`` of them, each naming file, row, column, value and fix); then nothing is written.
    """
    m = load_mapping(Path(mapping_path))
    read = m.read
    table = read_table(Path(path), encoding or read.get("encoding"), delimiter or read.get("delimiter"),
                       sheet if sheet is not None else read.get("sheet"))
    try:
        return _import(m, table, out_dir, skip_bad, fmt, max_problems, progress)
    finally:
        table.close()


def _import(m: ListMapping, table: Table, out_dir: str | os.PathLike[str], skip_bad: bool, fmt: str | None,
            max_problems: int, progress: Progress | None) -> ImportReport:
    check_columns(m, table)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} is not a directory", argument="out_dir")
    out.mkdir(parents=True, exist_ok=True)
    sid = m.source["id"]
    if fmt not in (None, "yaml", "json"):
        raise UsageError(f"format {fmt!r}: use yaml or json", argument="fmt")
    rejects_path = out / f"{sid}.rejects.csv"
    file = str(table.path)
    checker = RecordChecker(m.source, file)
    report = ImportReport()
    for e in m.entities:
        e = dict(e)
        probs = checker.check([e])
        if probs:
            raise SourceError([Problem(m.path, None, p.record, "entities: " + p.message, p.fix) for p in probs])
    seen_ids: dict[str, int] = {}
    rejects: list[tuple[RowProblem, dict[str, str]]] = []
    import tempfile

    spool = tempfile.TemporaryFile("w+", encoding="utf-8", dir=out, prefix=f".{sid}.", suffix=".jsonl")
    try:
        for e in m.entities:
            spool.write(json.dumps(e, ensure_ascii=False) + "\n")
            report.records += 1
        entity_seen: set[str] = {e["id"] for e in m.entities if isinstance(e.get("id"), str)}
        for k, (n, cells) in enumerate(table.rows, 1):
            report.rows += 1
            if progress and (k % 500 == 0 or k == 1):
                progress("importing rows", k, table.total)
            problems: list[RowProblem] = []
            try:
                recs, ents = row_records(m, n, cells)
            except _Bad as b:
                problems.append(RowProblem(file, n, b.column, b.value, b.message, b.fix))
                recs, ents = [], []
            new_ents = []
            for e in ents:
                if e["id"] not in entity_seen:
                    entity_seen.add(e["id"])
                    new_ents.append(e)
            if not problems:
                for r in recs:
                    first = seen_ids.get(r["id"])
                    if first is not None:
                        problems.append(RowProblem(file, n, None, r["id"], f"the id '{r['id']}' was made from row {first} already",
                                                   "key the ids from columns that differ between rows (the list's own number)"))
                if not problems:
                    problems = [_problem_of(file, n, p, recs, m, cells) for p in checker.check(new_ents + recs)]
            if problems:
                for e in new_ents:
                    entity_seen.discard(e["id"])
                report.rejected += 1
                if skip_bad:
                    rejects.extend((p, cells) for p in problems)
                else:
                    report.problems.extend(problems)
                    if len(report.problems) >= max_problems:
                        break
                continue
            for r in recs:
                seen_ids[r["id"]] = n
            for r in new_ents + recs:
                spool.write(json.dumps(r, ensure_ascii=False) + "\n")
            report.records += len(new_ents) + len(recs)
            report.imported += 1
        if progress:
            progress("importing rows", report.rows, report.rows)
        if report.problems:
            more = "" if len(report.problems) < max_problems else f" (stopped after {max_problems} problems)"
            raise SourceError(report.problems + [Problem(file, None, None, f"nothing was written{more}",
                                                         "fix the rows, or run with --skip-bad to write the good rows and a rejects file")])
        # YAML unless it would pass the reader's limit for YAML sources (then JSON, which reads faster too)
        fmt = fmt or ("json" if spool.tell() > YAML_SPOOL_LIMIT else "yaml")
        target = out / f"{sid}.{fmt}"
        for other in ("yaml", "json"):
            if other != fmt and (out / f"{sid}.{other}").exists():
                (out / f"{sid}.{other}").unlink()  # an earlier import of the same list in the other format
        spool.seek(0)
        _write_source(target, fmt, m.source, spool)
        report.output = target
        if rejects:
            _write_rejects(rejects_path, table.columns, rejects)
            report.rejects = rejects_path
        elif rejects_path.exists():
            rejects_path.unlink()
    finally:
        spool.close()
    return report


def _write_source(target: Path, fmt: str, meta: dict[str, Any], spool: IO[str]) -> None:
    with atomic_output(target, "w", encoding="utf-8") as f:
        if fmt == "json":
            f.write('{"source": ' + json.dumps(meta, ensure_ascii=False, default=str) + ',\n "records": [\n')
            for i, line in enumerate(spool):
                f.write((",\n" if i else "") + "  " + line.rstrip("\n"))
            f.write("\n]}\n")
            return
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when installed: ten times faster
        f.write("# Written by `repnet import list`; edit the list or the mapping and import again rather than this file.\n")
        f.write(yaml.dump({"source": meta}, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000))
        f.write("records:\n")
        for line in spool:
            rec = json.loads(line)
            text = yaml.dump([rec], Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)
            f.write("".join("  " + x + "\n" for x in text.splitlines()))


def _write_rejects(path: Path, columns: list[str], rejects: list[tuple[RowProblem, dict[str, str]]]) -> None:
    from ..csvsafe import neutralise as safe_cell

    with atomic_output(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "column", "value", "problem", "fix", *columns])
        for p, cells in rejects:
            w.writerow([p.line, p.column or "", safe_cell(p.value), p.message, p.fix, *(safe_cell(cells.get(c, "")) for c in columns)])


__all__ = ["import_list", "load_mapping", "read_table", "date_form", "term_form", "penalty_form", "articles_form",
           "slug", "ImportReport", "ListMapping", "Table"]
