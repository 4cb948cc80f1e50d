"""Check source records against the mapping, then turn them into quads.

Two passes over every source: :func:`check` collects *all* problems (each naming file, line,
record and fix) and never raises half-way; :func:`quads` then streams pyoxigraph quads for records
that are known to be good. IRIs are minted from record ids under the data base, so a rebuild
gives the same graph and two sources that name ``person/nasta-loika`` share one IRI.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, DCTERMS, PROV, RDF, RPN, RPNC, SDO, WD, XSD
from ...ontology.resources import FieldSpec, ItemSpec, Mapping, TypeSpec, concept_schemes, mapping, open_bounds
from ..dates import DateValue, datatype, parse_date
from ..errors import Problem, SourceError
from ..formats import nt_literal
from ..iris import graph_iri
from .sources import Record, Source

# every pattern is matched with fullmatch (a `$` would let a trailing newline through) and spells
# digits [0-9] (`\d` also matches other scripts' digits)
KEY = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
LANG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,4}")
QID = re.compile(r"Q[1-9][0-9]{0,11}")
URL = re.compile(r"https?://[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")
# graph names the store itself uses under <base>graph/: a source with one of these ids would
# write into them (or be confused with them)
RESERVED_SOURCE_IDS = ("meta", "vocabulary", "description", "derived", "restricted", "ontology", "void", "dataset")
# text fields that may span lines (tab and line breaks allowed); every other text stays on one line
MULTILINE_FIELDS = ("note", "description", "as_reported", "terms")
SOURCE_KINDS = ("NewsArticle", "Report", "WebPage", "Dataset", "Legislation")
RECORD_KEYS = ("id", "type", "restricted")
STRUCTURED_KINDS = ("wording", "citation", "inference")  # checked and written by their own functions below
MAX_TERM_YEARS = 50


# ---------------------------------------------------------------------------- values
# dates as stated live in repnet.graph.dates


@dataclass(frozen=True)
class Term:
    years: int
    months: int
    days: int

    @property
    def duration(self) -> str:
        parts = "".join(f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if n)
        return "P" + (parts or "0D")

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def decimal_years(self) -> Decimal:
        return (Decimal(self.years) + Decimal(self.months) / 12 + Decimal(self.days) / 365).quantize(Decimal("0.01"))


def parse_term(value: Any) -> Term:
    if not isinstance(value, dict) or not value or set(value) - {"years", "months", "days"}:
        raise ValueError("a term is written {years: N, months: N, days: N} (any of the three)")
    nums = {}
    for k in ("years", "months", "days"):
        v = value.get(k, 0)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise ValueError(f"term {k} must be a whole number of 0 or more, got {v!r}")
        nums[k] = v
    t = Term(**nums)
    if t.total_months > MAX_TERM_YEARS * 12:
        raise ValueError(f"a term of {t.years} years is not plausible (more than {MAX_TERM_YEARS}); "
                         "for life imprisonment use penalty: life-imprisonment without a term")
    if t.months > 11 or t.days > 366:
        raise ValueError("write 12 months or more as years, and at most 366 days")
    if not (t.years or t.months or t.days):
        raise ValueError("a term of zero length is not a term")
    return t


# ---------------------------------------------------------------------------- checking
@dataclass
class Index:
    """Every record id the sources define, with its type and where it was first defined."""

    types: dict[str, str] = field(default_factory=dict)
    where: dict[str, Record] = field(default_factory=dict)
    public: set[str] = field(default_factory=set)  # ids with at least one record in a public graph


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Checker:
    def __init__(self, m: Mapping, schemes: dict[str, frozenset[str]]):
        self.m = m
        self.schemes = schemes
        self.problems: list[Problem] = []

    def problem(self, rec: Record | None, file: str, message: str, fix: str, line: int | None = None) -> None:
        self.problems.append(Problem(file, line or (rec.line if rec else None), rec.label if rec else None, message, fix))

    # -- source metadata
    def check_meta(self, src: Source) -> None:
        meta, f, line = src.meta, src.path, src.meta_line
        at = lambda key: src.meta_lines.get(key, line)  # noqa: E731 - the line of one metadata key
        for key in ("id", "title", "publisher", "published", "terms"):
            if not meta.get(key):
                self.problem(None, f, f"the source has no '{key}'",
                             f"add '{key}:' under 'source:' ({_META_HELP[key]})", line)
        for key in ("title", "terms", "note"):
            v = meta.get(key)
            if v and not isinstance(v, str):
                self.problem(None, f, f"source {key} must be text, got {_kind_of(v)}",
                             f"write {key}: as one line of text ({_META_HELP[key]})", at(key))
            elif v and not v.strip():
                self.problem(None, f, f"source {key} is empty", f"write the {key}", at(key))
            elif isinstance(v, str) and key not in MULTILINE_FIELDS and _line_break(v):
                self.problem(None, f, f"source {key} contains {_line_break(v)}", "write it on one line", at(key))
        sid = meta.get("id")
        if sid and not (isinstance(sid, str) and SOURCE_ID.fullmatch(sid)):
            self.problem(None, f, f"source id {_shown(sid)} is not a lowercase slug", "use letters, digits and '-', e.g. hrw-2025-12-15-belarus", at("id"))
        elif sid in RESERVED_SOURCE_IDS:
            self.problem(None, f, f"source id '{sid}' is reserved: the store uses the graph <base>graph/{sid} itself",
                         f"choose another id (reserved: {', '.join(RESERVED_SOURCE_IDS)})", at("id"))
        pub = meta.get("publisher")
        if pub and not (isinstance(pub, str) and "/" in pub and KEY.fullmatch(pub.partition("/")[2])):
            self.problem(None, f, f"publisher {_shown(pub)} is not a record id", "write the id of an Organization record, e.g. org/human-rights-watch", at("publisher"))
        kind = meta.get("kind", "NewsArticle")
        if not isinstance(kind, str) or kind not in SOURCE_KINDS:
            self.problem(None, f, f"unknown source kind {_shown(kind)}{_suggest(str(kind), SOURCE_KINDS)}",
                         f"use one of {', '.join(SOURCE_KINDS)}", at("kind"))
        for key in ("url", "license"):
            url = meta.get(key)
            if url is not None and not is_url(url):
                self.problem(None, f, f"source {key} {_shown(url)} is not an http(s) URL",
                             "give the full address, e.g. https://creativecommons.org/licenses/by/4.0/"
                             if key == "license" else "give the document's address", at(key))
        for key in ("published", "retrieved"):
            if meta.get(key) is not None:
                try:
                    parse_date(meta[key])
                except ValueError as e:
                    self.problem(None, f, f"source {key}: {e}", "fix the date", at(key))
        lang = meta.get("language", "en")
        if not (isinstance(lang, str) and LANG.fullmatch(lang)):
            self.problem(None, f, f"language {_shown(lang)} is not a BCP 47 tag", "use e.g. en, be, ru, be-Latn", at("language"))
        for key in ("restricted", "synthetic"):
            if key in meta and not isinstance(meta[key], bool):
                self.problem(None, f, f"'{key}' must be true or false", f"write {key}: true", at(key))
        unknown = set(meta) - set(_META_HELP)
        for key in sorted(unknown):
            self.problem(None, f, f"unknown source field '{key}'{_suggest(key, list(_META_HELP))}",
                         f"use only {', '.join(_META_HELP)}", at(key))

    # -- records, pass 1: shape of each record, and the index of ids
    def index(self, sources: list[Source]) -> Index:
        idx = Index()
        for src in sources:
            local: set[str] = set()
            for rec in src.records:
                if "__invalid__" in rec.data:
                    self.problem(rec, src.path, "a record must be a mapping of fields", "start the record with '- id: kind/key' and 'type: ...'")
                    continue
                rid, rtype = rec.data.get("id"), rec.data.get("type")
                if not isinstance(rid, str):
                    what = "has no id" if rid is None else f"has an id that is not text ({_shown(rid)})"
                    self.problem(rec, src.path, f"the record {what}", "add 'id: <segment>/<key>', e.g. id: person/nasta-loika")
                    continue
                if not isinstance(rtype, str) or rtype not in self.m.types:
                    hint = _suggest(str(rtype), list(self.m.types)) if rtype else ""
                    what = "the record has no 'type'" if rtype is None else f"unknown record type {_shown(rtype)}{hint}"
                    self.problem(rec, src.path, what,
                                 f"use one of: {', '.join(sorted(self.m.types))}")
                    continue
                spec = self.m.types[rtype]
                segment, _, key = rid.partition("/")
                if segment != spec.segment or not KEY.fullmatch(key):
                    self.problem(rec, src.path, f"id '{rid}' does not fit type {rtype}",
                                 f"write it as '{spec.segment}/<key>' with a lowercase key of letters, digits, '.', '_' or '-'")
                    continue
                if rid in local:
                    self.problem(rec, src.path, f"id '{rid}' is defined twice in this source",
                                 "merge the two records or give one another id")
                    continue
                local.add(rid)
                if rid in idx.types and idx.types[rid] != rtype:
                    first = idx.where[rid]
                    self.problem(rec, src.path, f"id '{rid}' is a {rtype} here but a {idx.types[rid]} in {first.file}, line {first.line}",
                                 "one id names one thing: use the same type, or another id")
                    continue
                idx.types.setdefault(rid, rtype)
                idx.where.setdefault(rid, rec)
                if rec.data.get("restricted", False) is not True and src.meta.get("restricted") is not True:
                    idx.public.add(rid)
        return idx

    # -- records, pass 2: fields and references
    def check_record(self, src: Source, rec: Record, idx: Index, published: DateValue | None) -> None:
        rtype = rec.data.get("type")
        if rec.id is None or not isinstance(rtype, str) or idx.types.get(rec.id) != rtype:
            return  # already reported
        spec = self.m.types[str(rtype)]
        fields = self.m.record_fields[str(rtype)]
        restricted = rec.data.get("restricted", False)
        whole = restricted is True or src.meta.get("restricted") is True
        private = {f for f in restricted if isinstance(f, str)} if isinstance(restricted, list) else set()
        for name, value in rec.data.items():
            if name in RECORD_KEYS:
                continue
            fs = fields.get(name)
            if fs is None:
                self.problem(rec, src.path, f"{rtype} has no field '{name}'{_suggest(name, list(fields))}",
                             f"fields of {rtype}: {', '.join(spec.fields)}")
                continue
            self.check_value(src, rec, fs, value, idx, published, public=not whole and name not in private)
        for name, fs in spec.fields.items():
            if fs.required and rec.data.get(name) in (None, "", []):
                self.problem(rec, src.path, f"{rtype} needs '{name}'", f"add '{name}:' ({fs.kind}) to the record")
        if isinstance(restricted, list):
            bad = [f for f in restricted if not isinstance(f, str) or f not in fields]
            if bad:
                self.problem(rec, src.path, f"restricted lists unknown fields {bad}", "list field names of this record, or write restricted: true")
        elif not isinstance(restricted, bool):
            self.problem(rec, src.path, "restricted must be true, false or a list of field names", "write restricted: true")
        if spec.restricted and restricted is not True and not src.meta.get("restricted"):
            self.problem(rec, src.path, f"a {rtype} is sensitive and must be marked restricted",
                         "add 'restricted: true' to the record (it then stays out of public outputs)")

    def check_value(self, src: Source, rec: Record, fs: FieldSpec, value: Any, idx: Index, published: DateValue | None,
                    public: bool = False) -> None:
        if fs.kind in STRUCTURED_KINDS:
            self.check_structured(src, rec, fs, value)
            return
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not fs.many:
            self.problem(rec, src.path, f"'{fs.name}' takes one value, not a list", "keep one value, or split the record")
            return
        if isinstance(value, list) and not value:
            self.problem(rec, src.path, f"'{fs.name}' is an empty list", "give at least one value, or leave the field out")
            return
        for v in values:
            msg = self._value_error(fs, v, idx, published)
            if msg is None and fs.kind == "ref" and public and v not in idx.public:
                msg = (f"refers to '{v}', which is restricted (every record of it is), so this public fact "
                       "would publish its key",
                       f"mark the field restricted as well (restricted: [{fs.name}]) or the whole record "
                       "(restricted: true); or make the record it names public")
            if msg:
                self.problem(rec, src.path, f"'{fs.name}': {msg[0]}", msg[1])

    def _value_error(self, fs: FieldSpec, v: Any, idx: Index, published: DateValue | None) -> tuple[str, str] | None:
        k = fs.kind
        if k in ("text", "string"):
            if not isinstance(v, str) or not v.strip():
                return f"expected text, got {_shown(v)}", "write the value as a non-empty string"
            if fs.name not in MULTILINE_FIELDS and _line_break(v):
                return f"the text contains {_line_break(v)}", "write it on one line"
        elif k == "ref":
            if not isinstance(v, str):
                return f"expected an id, got {_shown(v)}", "refer to a record by its id, e.g. person/nasta-loika"
            t = idx.types.get(v)
            if t is None:
                return (f"refers to '{v}', which no source defines{_suggest(v, idx.types.keys())}",
                        f"add a record with id {v} (type {' or '.join(fs.targets)}) to a source, or fix the id")
            if fs.targets and t not in fs.targets:
                return f"'{v}' is a {t}; this field takes {' or '.join(fs.targets)}", "refer to a record of the right type"
        elif k == "concept":
            assert fs.scheme is not None
            allowed = self.schemes.get(fs.scheme, frozenset())
            if not isinstance(v, str) or v not in allowed:
                return (f"{_shown(v)} is not in the {fs.scheme} scheme{_suggest(str(v), allowed)}",
                        f"use one of: {', '.join(sorted(allowed))}; or add the concept to ontology/concepts.ttl")
        elif k == "date":
            try:
                d = parse_date(v)
            except ValueError as e:
                return str(e), "fix the date"
            if published and published.latest and d.earliest and d.earliest > published.latest:
                return (f"{v} is after the source was published ({published.text})",
                        "a source cannot report what happened after it: check the year")
        elif k == "int":
            if not isinstance(v, int) or isinstance(v, bool):
                return f"expected a whole number, got {v!r}", "write digits only"
            if (fs.min is not None and v < fs.min) or (fs.max is not None and v > fs.max):
                return f"{v} is outside {fs.min}..{fs.max}", "check the number against the source"
        elif k == "bool":
            if not isinstance(v, bool):
                return f"expected true or false, got {v!r}", "write true or false"
        elif k == "term":
            try:
                parse_term(v)
            except ValueError as e:
                return str(e), "write the term the source states, e.g. term: {years: 14, months: 9}"
        elif k == "url":
            if not is_url(v):
                return f"{_shown(v)} is not an http(s) URL", "give a full address"
        elif k == "wikidata":
            if not (isinstance(v, str) and QID.fullmatch(v)):
                return f"{_shown(v)} is not a Wikidata id", "write Q followed by digits, and only an id verified by hand"
        elif k == "langmap":
            if not isinstance(v, dict) or not v:
                return "expected a map of language tag to name", "write e.g. labels: {be: Насця Лойка, ru: Анастасия Лойко}"
            for tag, text in v.items():
                if not LANG.fullmatch(tag):
                    return f"{_shown(tag)} is not a BCP 47 language tag", "use BCP 47 tags such as be, ru, be-Latn"
                for t in text if isinstance(text, list) else [text]:
                    if not isinstance(t, str) or not t.strip():
                        return (f"the {tag} name {_shown(t)} is not a non-empty text",
                                "write e.g. labels: {be: Насця Лойка} or a list of names per language")
                    if _line_break(t):
                        return f"the {tag} name contains {_line_break(t)}", "write it on one line"
                if isinstance(text, list) and not text:
                    return f"the {tag} names are an empty list", "give at least one name, or leave the language out"
        return None


    # -- structured fields: wording (per-record words for a referenced entity), cite (citations), inferred
    def check_structured(self, src: Source, rec: Record, fs: FieldSpec, value: Any) -> None:
        def bad(message: str, fix: str) -> None:
            self.problem(rec, src.path, f"'{fs.name}': {message}", fix)

        if fs.kind == "wording":
            _check_wording(fs, value, rec, bad)
        elif fs.kind == "citation":
            assert self.m.citation is not None
            _check_citations(self.m.citation, value, bad, self._value_error)
        else:
            rtype = str(rec.data.get("type"))
            _check_inference(self.m.record_fields[rtype], value, rec, bad)


def _check_wording(fs: FieldSpec, value: Any, rec: Record, bad: Any) -> None:
    example = f"write e.g. {fs.name}: {{offence/incitement-to-enmity: inciting social enmity}}"
    if not isinstance(value, dict) or not value:
        bad(f"expected a map of {fs.keys} id to the source's words, got {value!r}", example)
        return
    named = rec.data.get(fs.keys or "")
    named = set(named if isinstance(named, list) else [named]) if named else set()
    for key, text in value.items():
        if key not in named:
            bad(f"'{key}' is not one of this record's {fs.keys} ids{_suggest(str(key), named)}",
                f"list '{key}' under {fs.keys}: too, or key the words by one of: {', '.join(sorted(map(str, named))) or '(none)'}")
        if not isinstance(text, str) or not text.strip():
            bad(f"the words for '{key}' must be non-empty text, got {text!r}",
                "quote the words the source uses for it, for this person")


def _check_citations(spec: ItemSpec, value: Any, bad: Any, value_error: Any) -> None:
    fields = {**spec.fields, **spec.document_fields}
    example = "write e.g. cite: [{url: https://..., title: ..., publisher: ..., date: 2025-12-15, quote: ...}]"
    for n, item in enumerate(value if isinstance(value, list) else [value], 1):
        if not isinstance(item, dict) or not item:
            bad(f"item {n} must be a mapping of {', '.join(fields)}, got {item!r}", example)
            continue
        for key, v in item.items():
            fs = fields.get(key)
            if fs is None:
                bad(f"item {n} has no field '{key}'{_suggest(str(key), list(fields))}", f"use only {', '.join(fields)}")
                continue
            msg: tuple[str, str] | None = None
            if fs.kind == "date" and isinstance(v, dict):
                msg = f"{v!r} is not a publication date", "write the date the document gives, e.g. 2025-12 or 2025-12-15"
            elif fs.name == "language" and not (isinstance(v, str) and LANG.fullmatch(v)):
                msg = f"'{v}' is not a BCP 47 tag", "use e.g. en, be, ru, be-Latn"
            else:
                msg = value_error(fs, v, Index(), None)
            if msg:
                bad(f"item {n} '{key}': {msg[0]}", msg[1])
        for name, fs in fields.items():
            if fs.required and item.get(name) in (None, ""):
                bad(f"item {n} needs '{name}'", f"add '{name}:' ({fs.kind}) to the item: every cited document has a url and a title")


def _check_inference(fields: dict[str, FieldSpec], value: Any, rec: Record, bad: Any) -> None:
    example = 'write e.g. inferred: {occupation: "the source says founder of Viasna, not human rights defender"}'
    if not isinstance(value, dict) or not value:
        bad(f"expected a map of field name to the reason it is inferred, got {value!r}", example)
        return
    for name, reason in value.items():
        fs = fields.get(name)
        if fs is None or fs.kind in STRUCTURED_KINDS or name == "note":
            bad(f"'{name}' is not a field that can be inferred{_suggest(str(name), [f for f in fields if f != 'note'])}",
                "name a field of this record whose value the source does not state")
        elif name not in rec.data:
            bad(f"'{name}' is marked inferred but the record has no '{name}'", f"add '{name}:' or remove it from inferred:")
        if not isinstance(reason, str) or not reason.strip():
            bad(f"the reason for '{name}' must be non-empty text, got {reason!r}",
                "say what the source states and why the value is inferred from it")


def is_url(v: Any) -> bool:
    """An absolute http(s) IRI that N-Triples, Turtle and XML can carry as it is."""
    if not (isinstance(v, str) and URL.fullmatch(v)):
        return False
    try:
        ox.NamedNode(v)
    except ValueError:
        return False
    return True


def _line_break(text: str) -> str | None:
    for c, name in (("\n", "a line break"), ("\r", "a carriage return"), ("\t", "a tab")):
        if c in text:
            return name
    return None


def _kind_of(v: Any) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number",
            type(None): "nothing"}.get(type(v), type(v).__name__)


def _shown(v: Any) -> str:
    """A value for a message: short, quoted, on one line."""
    if isinstance(v, str):
        text = v if len(v) <= 60 else v[:57] + "..."
        return repr(text)
    if isinstance(v, list | dict):
        return _kind_of(v)
    return repr(v)


_META_HELP = {
    "id": "a lowercase slug that names the source's graph",
    "kind": "NewsArticle, Report, WebPage, Dataset or Legislation",
    "title": "the document's title",
    "publisher": "the id of an Organization record, e.g. org/human-rights-watch",
    "url": "the document's address",
    "published": "the publication date, at the precision known",
    "retrieved": "when the document was read",
    "language": "the BCP 47 tag of the document's language (default en)",
    "terms": "the terms of use of the document, in a few words",
    "license": "the licence URL, when the document has one",
    "restricted": "true keeps every fact of this source out of public outputs",
    "synthetic": "true for generated test data",
    "note": "anything a curator should know",
}


def check(sources: list[Source]) -> Index:
    """Check every source; raise one SourceError listing every problem found."""
    m, schemes = mapping(), concept_schemes()
    c = _Checker(m, schemes)
    seen: dict[str, str] = {}
    for src in sources:
        c.check_meta(src)
        if src.id in seen:
            c.problem(None, src.path, f"source id '{src.id}' is also used by {seen[src.id]}",
                      "give every source file its own id", src.meta_lines.get("id", src.meta_line))
        seen.setdefault(src.id, src.path)
    idx = c.index(sources)
    for src in sources:
        pub = src.meta.get("publisher")
        if not isinstance(pub, str):
            pass  # reported by check_meta
        elif pub and idx.types.get(pub) not in ("Organization", "Government"):
            c.problem(None, src.path, f"publisher '{pub}' is not an Organization any source defines",
                      f"add a record '- id: {pub}' with type: Organization, or fix the id",
                      src.meta_lines.get("publisher", src.meta_line))
        elif pub not in idx.public and src.meta.get("restricted") is not True:
            c.problem(None, src.path, f"publisher '{pub}' is restricted, so the public source description would publish its key",
                      f"make the record {pub} public, or mark the whole source restricted",
                      src.meta_lines.get("publisher", src.meta_line))
        _check_records(c, src, idx)
    if c.problems:
        raise SourceError(c.problems)
    return idx


def check_changed(changed: list[Source], known_types: dict[str, str], known_public: set[str]) -> Index | None:
    """:func:`check` of the ``changed`` sources of a set whose other sources were checked before
    and define ``known_types`` (id -> type) and ``known_public``; the index of the whole set.

    None when this cannot decide as :func:`check` of the whole set would, or when the changed
    sources have problems (then :func:`check` of the whole set gives the full report): an id
    that changed its type, or a source id used twice. The caller makes sure no unchanged
    source refers to an id whose type or public-ness changed (:func:`mentioned_ids`).
    """
    c = _Checker(mapping(), concept_schemes())
    seen: set[str] = set()
    for src in changed:
        c.check_meta(src)
        if src.id in seen:
            return None
        seen.add(src.id)
    own = c.index(changed)
    if c.problems or any(known_types.get(rid, t) != t for rid, t in own.types.items()):
        return None
    idx = Index(types={**own.types, **known_types}, where=own.where, public=known_public | own.public)
    for src in changed:
        pub = src.meta.get("publisher")
        if isinstance(pub, str) and (idx.types.get(pub) not in ("Organization", "Government") or
                                     (pub not in idx.public and src.meta.get("restricted") is not True)):
            return None
        _check_records(c, src, idx)
    return None if c.problems else idx


def _check_records(c: _Checker, src: Source, idx: Index) -> None:
    """Check every record of ``src`` against ``idx``, relative dates against the source's date of
    publication (when it states a valid one; a bad one is the metadata check's problem)."""
    try:
        published = parse_date(src.meta["published"]) if src.meta.get("published") else None
    except ValueError:
        published = None
    for rec in src.records:
        c.check_record(src, rec, idx, published)


def defined_ids(src: Source) -> tuple[dict[str, str], set[str]]:
    """The ids a checked source defines (id -> type) and those of them with a public record."""
    types: dict[str, str] = {}
    public: set[str] = set()
    for rec in src.records:
        rid, rtype = rec.data.get("id"), rec.data.get("type")
        if isinstance(rid, str) and isinstance(rtype, str):
            types.setdefault(rid, rtype)
            if rec.data.get("restricted", False) is not True and src.meta.get("restricted") is not True:
                public.add(rid)
    return types, public


def mentioned_ids(src: Source, ids: Container[str]) -> set[str]:
    """Every text in a source (metadata, record values and map keys, at any depth) that is one of
    ``ids``: a superset of the ids its references name, which a check of the source looked up.
    (The texts are gathered first and looked up once each: most values are texts at the top of a
    record, and repeat across records.)"""
    texts: set[str] = set()
    stack: list[Any] = [src.meta]
    for rec in src.records:
        for k, v in rec.data.items():
            if k == "id":
                continue
            texts.add(k)
            if isinstance(v, str):
                texts.add(v)
            elif isinstance(v, (dict, list)):
                stack.append(v)
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            texts.add(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return {t for t in texts if t in ids}


# ---------------------------------------------------------------------------- quads
# Records become N-Quads text, not pyoxigraph terms: the build bulk-loads text, and writing it
# directly took 6.7 s for the 618,000 records of 100,000 persons against 9.9 s for terms then
# Oxigraph's serializer (the same quads, compared). IRIs are minted from checked keys and URLs,
# and literals are escaped as Oxigraph writes them (formats.nt_literal); text from records that
# fail their checks never reaches a kept generation. :func:`quads` parses the text for callers
# that want terms.
class Minter:
    """Deterministic IRIs under one base, written as N-Triples terms (``<iri>``) and cached."""

    def __init__(self, base: str):
        self.base = base
        self._nodes: dict[str, str] = {}

    def node(self, iri: str) -> str:
        n = self._nodes.get(iri)
        if n is None:
            n = self._nodes[iri] = f"<{iri}>"
        return n

    def entity(self, rid: str) -> str:
        return self.node(f"{self.base}id/{rid}")

    def graph(self, source_id: str, restricted: bool = False) -> str:
        return self.node(f"{self.base}graph/{source_id}" + ("/restricted" if restricted else ""))

    def source(self, source_id: str) -> str:
        return self.node(f"{self.base}id/source/{source_id}")

    def document(self, url: str) -> str:
        """A cited document, keyed by its URL (every record that cites the URL shares it)."""
        return self.node(f"{self.base}id/document/{_digest(url)}")

    def part(self, rid: str, *path: str) -> str:
        """A node that belongs to one record: ``<record IRI>/<path...>`` (citations, wordings, inferences)."""
        return self.node(f"{self.base}id/{rid}/" + "/".join(path))

    @property
    def meta_graph(self) -> str:
        return self.node(graph_iri(self.base, part="meta"))


_XSD_DATE, _XSD_INT, _XSD_BOOL, _XSD_DEC, _XSD_DUR = (str(x) for x in (XSD.date, XSD.integer, XSD.boolean,
                                                                      XSD.decimal, XSD.duration))
_RDF_TYPE = f"<{RDF.type}>"


def _line(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {p} {o} {g} .\n"


def _objects(fs: FieldSpec, v: Any, mint: Minter, lang: str) -> Iterator[tuple[str, str]]:
    """(predicate, object) pairs for one value of one field."""
    p = mint.node(fs.property)
    k = fs.kind
    if k == "text":
        obj = nt_literal(v.strip(), language=lang)
    elif k == "string":
        obj = nt_literal(str(v).strip())
    elif k == "ref":
        obj = mint.entity(v)
    elif k == "concept":
        obj = mint.node(f"{RPNC}{fs.scheme}/{v}")
    elif k == "url":
        obj = mint.node(v)
    elif k == "wikidata":
        obj = mint.node(f"{WD}{v}")
    elif k == "int":
        obj = nt_literal(str(v), _XSD_INT)
    elif k == "bool":
        obj = nt_literal("true" if v else "false", _XSD_BOOL)
    elif k == "langmap":
        for tag, text in v.items():
            for t in text if isinstance(text, list) else [text]:
                yield p, nt_literal(t.strip(), language=tag)
        return
    elif k == "date":
        d = parse_date(v)
        if d.text:
            yield p, nt_literal(d.text, d.datatype)
        if fs.bounds:
            lo, hi = fs.bounds
            stated = open_bounds().get(lo)
            if stated and (d.after or d.before):  # the bound as stated, so outputs never print a day bound
                bound = d.after or d.before
                assert bound is not None
                yield mint.node(stated[0] if d.after else stated[1]), nt_literal(bound, datatype(bound))
            if d.earliest:
                yield mint.node(lo), nt_literal(d.earliest.isoformat(), _XSD_DATE)
            if d.latest:
                yield mint.node(hi), nt_literal(d.latest.isoformat(), _XSD_DATE)
        return
    elif k == "term":
        t = parse_term(v)
        yield mint.node(str(RPN.termDuration)), nt_literal(t.duration, _XSD_DUR)
        if t.years or t.months:
            yield mint.node(str(RPN.termMonths)), nt_literal(str(t.total_months), _XSD_INT)
        if t.days:
            yield mint.node(str(RPN.termDays)), nt_literal(str(t.years * 365 + t.months * 30 + t.days), _XSD_INT)
        yield mint.node(str(RPN.termYears)), nt_literal(str(t.decimal_years), _XSD_DEC)
        return
    else:  # pragma: no cover - the mapping loader only admits the kinds above
        raise AssertionError(k)
    yield p, obj
    for extra in fs.also:
        yield mint.node(extra), obj


def record_lines(src: Source, rec: Record, mint: Minter, out: list[str]) -> bool:
    """Append the N-Quads lines of one record to ``out``; True when one went to the source's
    restricted graph."""
    m = mapping()
    spec: TypeSpec = m.types[rec.data["type"]]
    lang = src.meta.get("language", "en")
    restricted = rec.data.get("restricted", False)
    whole = restricted is True or bool(src.meta.get("restricted"))
    g_pub, g_res = mint.graph(src.id), mint.graph(src.id, restricted=True)
    g = g_res if whole else g_pub
    s = mint.entity(rec.data["id"])
    first = len(out)
    for c in spec.classes:
        out.append(_line(s, _RDF_TYPE, mint.node(c), g))
    for fixed_p, fixed_o in spec.fixed:
        out.append(_line(s, mint.node(fixed_p), mint.node(fixed_o), g))
    used = whole and len(out) > first
    fields = m.record_fields[rec.data["type"]]
    private = set(restricted) if isinstance(restricted, list) else set()
    for name, value in rec.data.items():
        if name in RECORD_KEYS:
            continue
        fs = fields[name]
        gf = g_res if (whole or name in private) else g_pub
        before = len(out)
        if fs.kind in STRUCTURED_KINDS:
            out.extend(structured_lines(src, rec, fs, value, mint, gf, lang))
        else:
            for v in value if isinstance(value, list) else [value]:
                out.extend(_line(s, p, o, gf) for p, o in _objects(fs, v, mint, lang))
        used = used or (gf == g_res and len(out) > before)
    return used


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def structured_lines(src: Source, rec: Record, fs: FieldSpec, value: Any, mint: Minter, g: str,
                     lang: str) -> Iterator[str]:
    """The N-Quads lines of a wording, cite or inferred field (see mapping.yaml), all in the
    field's graph ``g``."""
    m = mapping()
    rid = rec.data["id"]
    s, p = mint.entity(rid), mint.node(fs.property)
    if fs.kind == "wording":
        node = dict(fs.node)
        for key, text in value.items():
            w = mint.part(rid, "wording", key)
            yield _line(s, p, w, g)
            yield _line(w, _RDF_TYPE, mint.node(node["class"]), g)
            yield _line(w, mint.node(node["key"]), mint.entity(key), g)
            yield _line(w, mint.node(node["value"]), nt_literal(text.strip(), language=lang), g)
    elif fs.kind == "citation":
        spec = m.citation
        assert spec is not None
        for item in value if isinstance(value, list) else [value]:
            ilang = item.get("language") or lang
            url = item["url"]
            doc = mint.document(url)
            c = mint.part(rid, "citation", _digest(url, str(item.get("locator", "")), str(item.get("quote", ""))))
            yield _line(s, p, c, g)
            for cls in spec.classes:
                yield _line(c, _RDF_TYPE, mint.node(cls), g)
            yield _line(c, mint.node(spec.document_property), doc, g)
            for cls in spec.document_classes:
                yield _line(doc, _RDF_TYPE, mint.node(cls), g)
            for key, v in item.items():
                on, f = (c, spec.fields[key]) if key in spec.fields else (doc, spec.document_fields[key])
                for pp, o in _objects(f, v, mint, ilang):
                    yield _line(on, pp, o, g)
    else:  # inference
        fields = m.record_fields[rec.data["type"]]
        inferred_cls, prop, why = (mint.node(m.inference[k]) for k in ("class", "property", "reason"))
        for name, reason in value.items():
            f = fields[name]
            i = mint.part(rid, "inferred", src.id, name)
            yield _line(s, p, i, g)
            yield _line(i, _RDF_TYPE, inferred_cls, g)
            for prop_iri in _field_properties(f):
                yield _line(i, prop, mint.node(prop_iri), g)
            yield _line(i, why, nt_literal(reason.strip(), language="en"), g)


def _field_properties(f: FieldSpec) -> list[str]:
    """Every predicate a field writes (for an inference node to name them)."""
    if f.kind == "term":
        return [f"{RPN}{n}" for n in ("termDuration", "termMonths", "termDays", "termYears")]
    return [f.property, *f.also, *(f.bounds or ())]


def source_lines(src: Source, mint: Minter, restricted_used: bool) -> list[str]:
    """The N-Quads lines of the source's description and of the provenance of its graphs."""
    meta = src.meta
    secret = bool(meta.get("restricted"))
    doc = mint.source(src.id)
    g_meta = mint.graph(src.id, restricted=True) if secret else mint.meta_graph
    lang = meta.get("language", "en")
    out = [_line(doc, _RDF_TYPE, mint.node(f"{SDO}{meta.get('kind', 'NewsArticle')}"), g_meta),
           _line(doc, _RDF_TYPE, mint.node(str(PROV.Entity)), g_meta),
           _line(doc, _RDF_TYPE, mint.node(str(RPN.SourceDocument)), g_meta),
           _line(doc, mint.node(str(DCTERMS.title)), nt_literal(meta["title"], language=lang), g_meta),
           _line(doc, mint.node(str(SDO.publisher)), mint.entity(meta["publisher"]), g_meta)]
    if meta.get("url"):
        out.append(_line(doc, mint.node(str(SDO.url)), mint.node(meta["url"]), g_meta))
    pub = parse_date(meta["published"])
    out.append(_line(doc, mint.node(str(SDO.datePublished)), nt_literal(str(pub.text), pub.datatype), g_meta))
    out.append(_line(doc, mint.node(str(DCTERMS.language)), nt_literal(lang), g_meta))
    out.append(_line(doc, mint.node(str(DCTERMS.rights)), nt_literal(meta["terms"], language="en"), g_meta))
    if meta.get("license"):
        out.append(_line(doc, mint.node(str(DCTERMS.license)), mint.node(meta["license"]), g_meta))
    if meta.get("retrieved"):
        r = parse_date(meta["retrieved"])
        out.append(_line(doc, mint.node(str(RPN.retrieved)), nt_literal(str(r.text), r.datatype), g_meta))
    if meta.get("synthetic"):
        out.append(_line(doc, mint.node(str(RPN.synthetic)), nt_literal("true", _XSD_BOOL), g_meta))
    graphs = [(mint.graph(src.id, restricted=True), True)] if secret else [(mint.graph(src.id), False)]
    if restricted_used and not secret:
        graphs.append((mint.graph(src.id, restricted=True), True))
    for g, is_restricted in graphs:
        gm = mint.graph(src.id, restricted=True) if is_restricted else g_meta
        out.append(_line(g, _RDF_TYPE, mint.node(str(PROV.Entity)), gm))
        out.append(_line(g, _RDF_TYPE, mint.node(str(RPN.SourceGraph)), gm))
        out.append(_line(g, mint.node(str(PROV.wasDerivedFrom)), doc, gm))
        out.append(_line(g, mint.node(str(DCTERMS.accessRights)),
                         mint.node(str(ACCESS.RESTRICTED if is_restricted else ACCESS.PUBLIC)), gm))
        out.append(_line(g, mint.node(str(RPN.sourceFileSha256)), nt_literal(src.sha256), gm))
    return out


def quads(sources: list[Source], base: str) -> Iterator[ox.Quad]:
    """Every quad of the dataset, source by source. Call :func:`check` first."""
    mint = Minter(base)
    for src in sources:
        lines: list[str] = []
        used = records_lines(src, src.records, mint, lines)
        lines += source_lines(src, mint, used)
        yield from ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_QUADS)


def records_lines(src: Source, recs: list[Record], mint: Minter, out: list[str]) -> bool:
    """Append the N-Quads lines of some records of ``src`` to ``out``; True when one went to its
    restricted graph."""
    used = False
    for rec in recs:
        used = record_lines(src, rec, mint, out) or used
    return used


# ---------------------------------------------------------------------------- importers (issue 13)
def check_meta(meta: dict[str, Any], file: str) -> list[Problem]:
    """The problems of a source block on its own (what :func:`check` says of it), for importers that
    write source files and must refuse a bad source block before reading any row."""
    c = _Checker(mapping(), concept_schemes())
    c.check_meta(Source(path=file, meta=meta, meta_line=None))
    return c.problems


class RecordChecker:
    """The checks of :func:`check` for records that arrive a few at a time (one row of a list):
    each batch is checked against the ids known so far (:meth:`know`) and its own, so an importer
    can refuse one row and go on. References to ids no batch or :meth:`know` gave are errors, as
    in :func:`check`."""

    def __init__(self, meta: dict[str, Any], file: str):
        self._c = _Checker(mapping(), concept_schemes())
        self._src = Source(path=file, meta=meta, meta_line=None)
        self._idx = Index()
        try:
            self._published = parse_date(meta["published"]) if meta.get("published") else None
        except ValueError:
            self._published = None

    def know(self, rid: str, rtype: str, public: bool = True) -> None:
        """Record that ``rid`` (of type ``rtype``) is defined, by an earlier batch or another source."""
        self._idx.types.setdefault(rid, rtype)
        if public:
            self._idx.public.add(rid)

    def check(self, records: list[dict[str, Any]]) -> list[Problem]:
        """The problems of one batch (each Problem's ``record`` is the record's id); when there are
        none, the batch's ids are known from then on."""
        c = self._c
        c.problems = []
        recs = [Record(d, self._src.path, None, i) for i, d in enumerate(records)]
        sub = Source(path=self._src.path, meta=self._src.meta, meta_line=None, records=recs)
        own = c.index([sub])
        idx = self._idx  # the batch's ids join the known ones, and leave again if the batch fails
        new_types = {k: v for k, v in own.types.items() if k not in idx.types}
        new_public = own.public - idx.public
        idx.types.update(new_types)
        idx.public |= new_public
        for rec in recs:
            c.check_record(sub, rec, idx, self._published)
        if c.problems:
            for k in new_types:
                del idx.types[k]
            idx.public -= new_public
        return list(c.problems)
