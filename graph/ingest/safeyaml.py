"""Read a source file's text into plain data, refusing what a hostile file could do to the reader.

Source files come from many hands, so the reader assumes nothing about them. Besides YAML/JSON
syntax it refuses, each with the line and a fix:

* files larger than :data:`MAX_YAML_BYTES` (YAML) or :data:`MAX_JSON_BYTES` (JSON);
* YAML anchors and aliases (``&a`` / ``*a``): a few hundred bytes of aliases expand to gigabytes
  ("billion laughs"), and curated sources never need them;
* YAML tags (``!!str``, ``!!binary``, ``!custom`` ...): a source holds plain text, numbers, true or
  false, lists and mappings, and nothing else;
* nesting deeper than :data:`MAX_DEPTH` levels;
* a mapping key that is not text (``1:``, ``null:``, ``[a]:``), or one given twice in a mapping
  (YAML and JSON parsers would keep the last one silently);
* text values longer than :data:`MAX_TEXT` characters;
* control characters in any text (NUL, BEL, ESC, DEL, C1 controls ...): they break XML outputs
  and reach terminals. Tab and line breaks pass here; fields that must stay on one line refuse
  them in :mod:`repnet.graph.ingest.records`.

Why a composer of our own instead of ``yaml.safe_load``: the safe loader still expands aliases,
keeps the last of two duplicate keys and accepts the core schema's tags; those decisions are made
while composing and constructing nodes, so this module composes the node tree from PyYAML's (C)
event parser itself and builds Python values from it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_YAML_BYTES = 4 * 1024 * 1024  # a curated source of 4 MB holds ~25,000 records
MAX_JSON_BYTES = 512 * 1024 * 1024  # synthetic sets for benchmarks are JSON
MAX_DEPTH = 24
MAX_TEXT = 20_000
LINE = "__line__"
KEY_LINES = "__key_lines__"  # key -> line of the key, for messages about one field

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; and the Unicode
# line/paragraph separators, which terminals and CSV readers treat as line breaks
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class ReadError(Exception):
    """A source file's text cannot be read safely: message, line (or None) and fix."""

    def __init__(self, message: str, line: int | None, fix: str):
        super().__init__(message)
        self.message, self.line, self.fix = message, line, fix


def control_char(text: str) -> str | None:
    """The first control character in ``text``, written as U+XXXX with its name, or None."""
    m = CONTROL.search(text)
    if m is None:
        return None
    c = m.group()
    names = {0: "NUL", 7: "BEL", 8: "backspace", 0x1b: "ESC", 0x7f: "DEL", 0x2028: "line separator",
             0x2029: "paragraph separator"}
    name = names.get(ord(c), "control character")
    return f"U+{ord(c):04X} ({name})"


def _check_text(value: str, line: int | None) -> None:
    if len(value) > MAX_TEXT:
        raise ReadError(f"a text value of {len(value):,} characters is longer than the limit of {MAX_TEXT:,}",
                        line, "shorten it; a source states facts, quote only what is needed")
    bad = control_char(value)
    if bad:
        raise ReadError(f"the text contains the control character {bad}", line,
                        "delete the character (it is invisible in most editors; a search for it or "
                        "`cat -A FILE` shows it)")


# ------------------------------------------------------------------------------------------ YAML
class _Loader(Composer, SafeConstructor, Resolver):  # mixed in with the parser below
    """Composes nodes itself so anchors, aliases, tags and depth are refused before construction."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ReadError("YAML anchors and aliases (&name, *name) are not allowed in source files", line,
                            "write the value out in full where it is needed")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise ReadError(f"YAML tags ({tag}) are not allowed in source files", line,
                            "remove the tag: write plain text, numbers, true/false, lists and mappings")
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise ReadError(f"the data is nested more than {MAX_DEPTH} levels deep", line,
                                "a record is a mapping of fields; flatten the structure")
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        assert isinstance(event, ScalarEvent)
        return super().compose_node(parent, index)

    def value(self, node: Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            key_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                kline = key_node.start_mark.line + 1
                if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR):
                    shown = key_node.value if isinstance(key_node, ScalarNode) else "a list or mapping"
                    raise ReadError(f"the key {shown!r} is not a name", kline,
                                    "field names are text: write e.g. 'name:'; quote a key that looks like a "
                                    "number, true/false or null")
                key = key_node.value
                _check_text(key, kline)
                if key in out or key in (LINE, KEY_LINES):
                    raise ReadError(f"the key '{key}' is given twice in one mapping", kline,
                                    "keep one of the two (YAML would silently keep only the last)")
                out[key] = self.value(value_node)
                key_lines[key] = kline
            out[LINE] = line
            out[KEY_LINES] = key_lines
            return out
        if isinstance(node, SequenceNode):
            return [self.value(n) for n in node.value]
        assert isinstance(node, ScalarNode)
        if node.tag == _STR:
            _check_text(node.value, line)
            return node.value
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            return self.construct_yaml_bool(node)
        if node.tag == _INT:
            if len(node.value) > 30:
                raise ReadError(f"the number {node.value[:30]}... is too long", line, "write a plausible number")
            return self.construct_yaml_int(node)
        if node.tag == _FLOAT:
            return self.construct_yaml_float(node)
        raise ReadError(f"a value of type {node.tag} is not allowed", line, "write plain text or a number")


if getattr(yaml, "CParser", None) is not None:  # libyaml's event parser when PyYAML has it

    class _YAMLReader(_Loader, yaml.CParser):
        def __init__(self, text: str):
            yaml.CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

else:

    class _YAMLReader(_Loader, Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, text: str):
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


# Dates stay strings: the source's precision ("2023-06") must survive, and YAML would turn
# 2023-06-20 into a datetime.date while leaving 2023-06 a string.
_YAMLReader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in Resolver.yaml_implicit_resolvers.copy().items()
}


def load_yaml(text: str) -> Any:
    """A YAML document -> plain values, mappings carrying their line under ``__line__``.

    Raises :class:`ReadError` for anything listed in the module docstring, and for YAML syntax errors.
    """
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise ReadError(f"the file is larger than the limit of {MAX_YAML_BYTES // (1024 * 1024)} MB for YAML sources",
                        None, "split the source into several files, or write it as JSON")
    r: Any = None
    try:
        r = _YAMLReader(text)
        node = r.get_single_node()
        if node is None:
            return None
        return r.value(node)
    except ReadError:
        raise
    except yaml.reader.ReaderError as e:  # a character YAML does not allow anywhere (NUL, ESC ...)
        at = text.count("\n", 0, e.position) + 1
        raise ReadError(f"invalid YAML: the character U+{e.character:04X} is not allowed in a YAML file", at,
                        "delete the character (it is invisible in most editors)") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ReadError(f"invalid YAML: {problem}", line,
                        "fix the YAML syntax at that line (indentation, a missing ':' or quote)") from None
    except (ValueError, OverflowError, RecursionError) as e:  # e.g. an int the constructor cannot read
        raise ReadError(f"invalid YAML value: {str(e)[:200]}", None, "fix the value") from None
    finally:
        if r is not None and hasattr(r, "dispose"):
            r.dispose()


# ------------------------------------------------------------------------------------------ JSON
# What in a JSON text can decode to a control character: the character itself, or an escape that
# writes one (\b, \f, \uXXXX). A text with neither cannot hold one in any string, so its strings
# are checked for length only (the character checks took 2 s of reading 100,000 persons).
_MAY_CONTROL = re.compile(CONTROL.pattern + r"|\\[bfu]")


def _json_pairs(pairs: list[tuple[str, Any]], clean: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out or k in (LINE, KEY_LINES):
            raise ReadError(f"the key '{k[:80]}' is given twice in one object", None,
                            "keep one of the two (JSON readers would silently keep only the last)")
        if not clean or len(k) > MAX_TEXT:
            _check_text(k, None)
        out[k] = v
    return out


def _walk_json(value: Any, depth: int, clean: bool = False) -> None:
    if depth > MAX_DEPTH:
        raise ReadError(f"the data is nested more than {MAX_DEPTH} levels deep", None,
                        "a record is an object of fields; flatten the structure")
    if isinstance(value, str):
        if not clean or len(value) > MAX_TEXT:
            _check_text(value, None)
    elif isinstance(value, dict):
        for v in value.values():
            _walk_json(v, depth + 1, clean)
    elif isinstance(value, list):
        for v in value:
            _walk_json(v, depth + 1, clean)
    elif isinstance(value, float) and value != value:
        raise ReadError("NaN is not a number a source can state", None, "write the number, or leave the field out")


_SHARED_MAX = 200  # strings up to this length are shared between records


def load_json(text: str) -> Any:
    """A JSON document -> plain values; the same refusals as :func:`load_yaml` (without lines)."""
    if len(text) > MAX_JSON_BYTES:
        raise ReadError(f"the file is larger than the limit of {MAX_JSON_BYTES // (1024 * 1024)} MB for JSON sources",
                        None, "split the source into several files")
    # one object for each repeated string (a list's citation title, its record types and constants),
    # not one per record: the records of a 100,000-row list are held in memory through the build
    memo: dict[str, str] = {}
    clean = _MAY_CONTROL.search(text) is None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = _json_pairs(items, clean)
        for k, v in out.items():
            if isinstance(v, str) and len(v) <= _SHARED_MAX:
                out[k] = memo.setdefault(v, v)
            elif isinstance(v, list):
                out[k] = [memo.setdefault(x, x) if isinstance(x, str) and len(x) <= _SHARED_MAX else x for x in v]
        return out

    try:
        doc = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        raise ReadError(f"invalid JSON: {e.msg} (column {e.colno})", e.lineno, "fix the JSON syntax at that line") from None
    except RecursionError:
        raise ReadError(f"the data is nested more than {MAX_DEPTH} levels deep", None,
                        "a record is an object of fields; flatten the structure") from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise ReadError(f"invalid JSON value: {str(e)[:200]}", None, "fix the value") from None
    _walk_json(doc, 0, clean)
    return doc
