"""Read curated source files (one per source document) into plain records.

A source file is YAML (or JSON, which synthetic data uses for speed) with two keys:
``source`` (the document's metadata) and ``records`` (the entities, events and relations it
states). This module only reads and remembers where each record stands in its file; checking
records against the mapping is :mod:`repnet.graph.ingest.records`' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError
from ..progress import Progress
from .safeyaml import KEY_LINES, LINE, MAX_JSON_BYTES, MAX_YAML_BYTES, ReadError, load_json, load_yaml

SUFFIXES = (".yaml", ".yml", ".json")
TOP_KEYS = ("source", "records")


@dataclass
class Record:
    """One record of a source file: its fields, and where it stands."""

    data: dict[str, Any]
    file: str
    line: int | None
    index: int

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def label(self) -> str:
        return self.id or f"#{self.index + 1}"


@dataclass
class Source:
    """A source document's metadata and its records."""

    path: str
    meta: dict[str, Any]
    meta_line: int | None
    records: list[Record] = field(default_factory=list)
    sha256: str = ""
    meta_lines: dict[str, int] = field(default_factory=dict)  # metadata key -> its line (YAML)

    @property
    def id(self) -> str:
        return str(self.meta.get("id", ""))


def default_paths() -> list[Path]:
    """The source files shipped in the package's ``data/`` folder."""
    root = files("repnet.data")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(SUFFIXES))


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files and folders -> the source files they hold, sorted, each once."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in SUFFIXES and q.is_file()))
        else:
            out.append(p)
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]  # type: ignore[func-returns-value]


def _strip_lines(value: Any) -> Any:
    """The value without the line bookkeeping of the YAML reader, removed in place: the records of a
    100,000-row list are not held twice while a file is read."""
    if isinstance(value, dict):
        value.pop(LINE, None)
        value.pop(KEY_LINES, None)
        for v in value.values():
            _strip_lines(v)
    elif isinstance(value, list):
        for v in value:
            _strip_lines(v)
    return value


def read_source(path: Path) -> Source:
    """Read one source file. Raises SourceError naming the file and line when it cannot be parsed."""
    import hashlib

    name = str(path)
    limit = MAX_JSON_BYTES if path.suffix == ".json" else MAX_YAML_BYTES
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reported by the read below
    if size > limit:
        raise SourceError([Problem(name, None, None, f"the file ({size:,} bytes) is larger than the limit of "
                                   f"{limit // (1024 * 1024)} MB for {path.suffix} sources",
                                   "split the source into several files" + (", or write it as JSON" if limit == MAX_YAML_BYTES else ""))])
    try:
        raw_bytes = path.read_bytes()
    except OSError as e:
        raise SourceError([Problem(name, None, None, f"cannot read the file ({e.strerror})",
                                   "check the path; give a .yaml or .json source file or a folder of them")]) from e
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SourceError([Problem(name, None, None, f"the file is not UTF-8 ({e.reason} at byte {e.start})",
                                   "save the file as UTF-8")]) from e
    if path.suffix not in SUFFIXES:
        raise SourceError([Problem(name, None, None, f"unknown file type '{path.suffix}'",
                                   "source files end in .yaml, .yml or .json")])
    try:
        doc = load_json(text) if path.suffix == ".json" else load_yaml(text)
    except ReadError as e:
        raise SourceError([Problem(name, e.line, None, e.message, e.fix)]) from None
    if not isinstance(doc, dict) or "source" not in doc or "records" not in doc:
        raise SourceError([Problem(name, 1, None, "a source file needs the top-level keys 'source' and 'records'",
                                   "see README.md, 'Adding a source', for a short example")])
    unknown = [k for k in doc if k not in TOP_KEYS and k not in (LINE, KEY_LINES)]
    if unknown:
        raise SourceError([Problem(name, doc.get(KEY_LINES, {}).get(unknown[0], 1), None,
                                   f"unknown top-level key '{unknown[0][:80]}'",
                                   "a source file has only 'source:' and 'records:'; put notes under source: note:")])
    meta = doc["source"]
    records = doc["records"]
    problems = []
    if not isinstance(meta, dict):
        problems.append(Problem(name, 1, None, "'source' must be a mapping of metadata fields",
                                "give id, title, publisher, url, published and terms under 'source:'"))
        meta = {}
    if not isinstance(records, list):
        problems.append(Problem(name, None, None, "'records' must be a list", "start each record with '- id: ...'"))
        records = []
    if problems:
        raise SourceError(problems)
    meta_line, meta_lines = meta.get(LINE), dict(meta.get(KEY_LINES, {}))
    out = Source(path=name, meta=_strip_lines(meta), meta_line=meta_line, sha256=hashlib.sha256(raw_bytes).hexdigest(),
                 meta_lines=meta_lines)
    del raw_bytes, text, doc  # the records are what is kept
    strip = _strip_lines if path.suffix != ".json" else lambda r: r  # JSON has no line bookkeeping (load_json refuses the keys)
    for i, r in enumerate(records):
        if isinstance(r, dict):
            line = r.get(LINE)
            out.records.append(Record(strip(r), name, line, i))
        else:
            out.records.append(Record({"__invalid__": r}, name, None, i))
    return out


def read_sources(paths: Iterable[Path], progress: Progress | None = None) -> Iterator[Source]:
    """Read every file; raise one SourceError listing the problems of all files that failed.

    ``progress("reading files", done, total)`` is called before the first file and after each."""
    problems: list[Problem] = []
    good: list[Source] = []
    paths = list(paths)
    if progress:
        progress("reading files", 0, len(paths))
    for k, p in enumerate(paths, 1):
        try:
            good.append(read_source(p))
        except SourceError as e:
            problems.extend(e.problems)
        if progress:
            progress("reading files", k, len(paths))
    if problems:
        raise SourceError(problems)
    yield from good
