"""Read curated source files (one per source document) into plain records.

A source file is YAML (or JSON, which synthetic data uses for speed) with two keys:
``source`` (the document's metadata) and ``records`` (the entities, events and relations it
states). This module only reads and remembers where each record stands in its file; checking
records against the mapping is :mod:`repnet.graph.records`' job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, SourceError

SUFFIXES = (".yaml", ".yml", ".json")
LINE = "__line__"


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

    @property
    def id(self) -> str:
        return str(self.meta.get("id", ""))


_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Loader):  # type: ignore[misc, valid-type]
    """A safe YAML loader that remembers the line of every mapping."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping  # type: ignore[no-any-return]


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: the source's precision ("2023-06") must survive, and YAML would turn
# 2023-06-20 into a datetime.date while leaving 2023-06 a string.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _LineLoader.yaml_implicit_resolvers.copy().items()
}


def default_paths() -> list[Path]:
    """The source files shipped in the package's ``data/`` folder."""
    root = files("repnet.data")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(SUFFIXES))  # type: ignore[attr-defined]


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
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def read_source(path: Path) -> Source:
    """Read one source file. Raises SourceError naming the file and line when it cannot be parsed."""
    import hashlib

    name = str(path)
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
    if path.suffix == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise SourceError([Problem(name, e.lineno, None, f"invalid JSON: {e.msg} (column {e.colno})",
                                       "fix the JSON syntax at that line")]) from e
    elif path.suffix in (".yaml", ".yml"):
        try:
            doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(e, "problem", None) or str(e)
            raise SourceError([Problem(name, line, None, f"invalid YAML: {problem}",
                                       "fix the YAML syntax at that line (indentation, a missing ':' or quote)")]) from e
    else:
        raise SourceError([Problem(name, None, None, f"unknown file type '{path.suffix}'",
                                   "source files end in .yaml, .yml or .json")])
    if not isinstance(doc, dict) or "source" not in doc or "records" not in doc:
        raise SourceError([Problem(name, 1, None, "a source file needs the top-level keys 'source' and 'records'",
                                   "see README.md, 'Adding a source', for a short example")])
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
    out = Source(path=name, meta=_strip_lines(meta), meta_line=meta.get(LINE) if isinstance(meta, dict) else None,
                 sha256=hashlib.sha256(raw_bytes).hexdigest())
    for i, r in enumerate(records):
        if isinstance(r, dict):
            line = r.get(LINE)
            out.records.append(Record(_strip_lines(r), name, line, i))
        else:
            out.records.append(Record({"__invalid__": r}, name, None, i))
    return out


def read_sources(paths: Iterable[Path]) -> Iterator[Source]:
    """Read every file; raise one SourceError listing the problems of all files that failed."""
    problems: list[Problem] = []
    good: list[Source] = []
    for p in paths:
        try:
            good.append(read_source(p))
        except SourceError as e:
            problems.extend(e.problems)
    if problems:
        raise SourceError(problems)
    yield from good
