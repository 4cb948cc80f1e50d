"""SPARQL over the store: inline queries, .rq files and saved queries, with safe parameters.

Saved queries live in ``graph/ask/queries/*.rq``; a header of ``#`` lines gives the description, the
columns and the parameters::

    # sentences: One row per sentence, with court, date, term in years and charges.
    # columns: person, personLabel, court, courtLabel, date, years, charges, source
    # param: person (person, optional): only this person's sentences

Parameters are bound with VALUES blocks built from RDF terms (user input is never pasted into the
query text); a ``person`` or ``organization`` parameter takes an IRI or any label or name variant.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ORG, SDO, XSD
from ..errors import QueryError, UnknownName, UsageError
from ..formats import RDF, RESULTS
from ..iris import is_meta, is_vocabulary
from ..names import fold, name_keys, name_words, skeleton
from ..runtime import collector_paused
from ..sparql import bind, forbidden_reason, from_clauses, locate, query_form
from ..store.base import Store

PARAM_KINDS = ("person", "organization", "entity", "date", "text", "int", "iri")
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool
    help: str


@dataclass(frozen=True)
class SavedQuery:
    name: str
    description: str
    columns: tuple[str, ...]
    params: tuple[Param, ...]
    text: str
    path: str = ""


_HEADER = re.compile(r"^#\s*(?P<key>[\w-]+)\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(r"^(?P<name>\w+)\s*\((?P<kind>\w+)(?P<opt>,\s*optional)?\)\s*:?\s*(?P<help>.*)$")


def parse_saved(text: str, name: str, path: str = "") -> SavedQuery:
    description, params = "", []
    columns: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m["key"], m["value"].strip()
        if key == name:
            description = value
        elif key == "columns":
            columns = tuple(c.strip() for c in value.split(","))
        elif key == "param":
            pm = _PARAM.match(value)
            if not pm or pm["kind"] not in PARAM_KINDS:
                raise QueryError(f"{path or name}: bad param line '{value}'.\nWrite: # param: NAME (KIND[, optional]): help, "
                                 f"KIND one of {', '.join(PARAM_KINDS)}")
            params.append(Param(pm["name"], pm["kind"], not pm["opt"], pm["help"]))
    if not description:
        raise QueryError(f"{path or name}: the first line must be '# {name}: <description>'")
    return SavedQuery(name, description, columns, tuple(params), text, path)


@functools.cache
def saved_queries() -> dict[str, SavedQuery]:
    """The packaged saved queries, by name."""
    out = {}
    for f in sorted(files("repnet.graph.ask").joinpath("queries").iterdir(), key=lambda p: p.name):
        if f.name.endswith(".rq"):
            name = f.name[:-3]
            out[name] = parse_saved(f.read_text(encoding="utf-8"), name, f"graph/ask/queries/{f.name}")
    return out


# ------------------------------------------------------------------------- names
# fold, skeleton and name_keys: the one folding of names (repnet.graph.names), re-exported here
# for the stages that look names up through this module


_CLASSES = {
    "person": (str(SDO.Person),),
    "organization": (str(ORG.Organization), str(ORG.FormalOrganization)),
    "entity": (),
}

# every preferred label and name variant: (entity, label, preferred?); %s filters the entities
NAME_LABELS = """
SELECT DISTINCT ?e ?label ?pref WHERE {
  { ?e skos:prefLabel ?label BIND(true AS ?pref) } UNION { ?e skos:altLabel ?label BIND(false AS ?pref) }
  %s
}"""


@dataclass
class NameIndex:
    """Folded label -> entities, name key -> entities and name word -> entities
    (:mod:`repnet.graph.names`), for one class filter."""

    by_label: dict[str, set[str]] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=dict)
    by_word: dict[str, set[str]] = field(default_factory=dict)
    preferred: dict[str, str] = field(default_factory=dict)

    def add(self, iri: str, label: str, pref: bool) -> None:
        self.by_label.setdefault(fold(label), set()).add(iri)
        for key in name_keys(label):
            self.by_key.setdefault(key, set()).add(iri)
        if len(label.split()) > 1:
            for word in name_words(label):
                self.by_word.setdefault(word, set()).add(iri)
        if pref:
            self.preferred.setdefault(iri, label)

    def lookup(self, name: str) -> set[str]:
        """The entities a name names: by its folded spelling (case, diacritics, script), else by
        its name keys (romanisations, Russian forms, name order, patronymic), else, for one word
        that is not a given name (a surname alone: ``Kolesnikova``), by the words of their names."""
        hits = self.by_label.get(fold(name), set())
        if hits:
            return hits
        hits = {i for key in name_keys(name) for i in self.by_key.get(key, ())}
        if hits or len(fold(name).split()) != 1:
            return hits
        return {i for word in name_words(name) for i in self.by_word.get(word, ())}


def name_index(store: Store, kind: str = "entity") -> NameIndex:
    classes = _CLASSES.get(kind, ())
    where = ("VALUES ?class { " + " ".join(f"<{c}>" for c in classes) + " } ?e a ?class .") if classes else \
        "FILTER(isIRI(?e))"
    idx = NameIndex()
    for row in store.query(NAME_LABELS % where):
        idx.add(row["e"].value, row["label"].value, row["pref"].value == "true")
    return idx


def resolve_name(store: Store, name: str, kind: str = "entity") -> str:
    """An IRI, a label or a name variant -> the one entity IRI it names.

    Raises UnknownName listing candidates when the name is ambiguous or unknown.
    """
    if re.match(r"^(https?|urn):", name):
        return name
    idx = name_index(store, kind)
    hits = idx.lookup(name)
    if len(hits) == 1:
        return next(iter(hits))
    what = kind if kind != "entity" else "entity"
    if len(hits) > 1:
        listing = "\n".join(f"  {idx.preferred.get(h, h)}  <{h}>" for h in sorted(hits))
        raise UnknownName(f"'{name}' names {len(hits)} {what}s:\n{listing}\nGive the IRI instead.")
    close = difflib.get_close_matches(fold(name), list(idx.by_label), n=5, cutoff=0.6)
    # also match on any word of the name, in any script or spelling ("Loika" -> "Nasta Loika")
    words = set(skeleton(name).split())
    partial = sorted({lbl for lbl in idx.by_label if words & set(skeleton(lbl).split())})[:5]
    candidates = sorted({idx.preferred.get(i, i) for lbl in close + partial for i in idx.by_label[lbl]})
    hint = ("\nDid you mean: " + "; ".join(candidates)) if candidates else ""
    raise UnknownName(f"no {what} is called '{name}'.{hint}\nNames and name variants are matched without case or diacritics, "
                      "in Latin or Cyrillic, in any common romanisation and in any order.")


# ------------------------------------------------------------------------- running


def _term_for(store: Store, p: Param, value: str) -> Any:
    if p.kind in ("person", "organization", "entity"):
        return ox.NamedNode(resolve_name(store, value, p.kind))
    if p.kind == "iri":
        return ox.NamedNode(value)
    if p.kind == "date":
        from ..dates import parse_date

        try:
            d = parse_date(value)
        except ValueError as e:
            raise UsageError(f"param {p.name}={value!r}: {e}", argument="params") from None
        if d.earliest != d.latest or d.earliest is None:
            raise UsageError(f"param {p.name}={value!r}: give a day, YYYY-MM-DD", argument="params")
        return ox.Literal(d.earliest.isoformat(), datatype=ox.NamedNode(str(XSD.date)))
    if p.kind == "int":
        if not re.fullmatch(r"-?[0-9]+", value):
            raise UsageError(f"param {p.name}={value!r}: give a whole number", argument="params")
        return ox.Literal(value, datatype=ox.NamedNode(str(XSD.integer)))
    return ox.Literal(value)


@dataclass
class Prepared:
    text: str
    form: str
    columns: tuple[str, ...] = ()
    saved: str | None = None  # the saved query's name
    values: dict[str, str] = field(default_factory=dict)  # its parameters, as bound (dates as YYYY-MM-DD)


def prepare(store: Store, text: str, params: dict[str, str] | None = None,
            saved: SavedQuery | None = None) -> Prepared:
    """Check and bind a query. Saved queries check their declared parameters."""
    params = dict(params or {})
    reason = forbidden_reason(text)
    if reason:
        raise QueryError(reason + ".")
    form = query_form(text)
    if form == "UPDATE":
        raise QueryError("this is a SPARQL UPDATE; the store is read-only here. Change data by editing sources "
                         "and running `repnet build`.")
    values: dict[str, Any] = {}
    if saved is not None:
        known = {p.name: p for p in saved.params}
        for k in params:
            if k not in known:
                raise UsageError(f"query '{saved.name}' has no parameter '{k}'"
                                 + (f"; its parameters: {', '.join(known)}" if known else "; it takes none"))
        for p in saved.params:
            if p.name in params:
                values[p.name] = _term_for(store, p, params[p.name])
            elif p.required:
                raise UsageError(f"query '{saved.name}' needs param {p.name}=... ({p.kind}: {p.help})", argument="params")
    else:
        # an inline query declares no kinds: an IRI binds as an IRI, anything else as a plain string
        for k, v in params.items():
            values[k] = ox.NamedNode(v) if re.match(r"^(https?|urn):", v) else ox.Literal(v)
    if saved is None:
        return Prepared(bind(text, values), form)
    # an index may answer the saved query itself, never another text given with its header
    name = saved.name if text == saved.text else None
    return Prepared(bind(text, values), form, saved.columns, name, {k: v.value for k, v in values.items()})


def source_graphs(store: Store, source_ids: Iterable[str]) -> list[str]:
    """Graph IRIs for source ids (public and restricted), plus the metadata and vocabulary graphs."""
    graphs = store.named_graphs()
    out = []
    for sid in source_ids:
        mine = [g for g in graphs if g.endswith(f"/graph/{sid}") or g.endswith(f"/graph/{sid}/restricted")]
        if not mine:
            ids = sorted({g.split("/graph/", 1)[1].removesuffix("/restricted") for g in graphs
                          if "/graph/" in g and not g.endswith("/derived")} - {"meta", "vocabulary"})
            raise UsageError(f"no source '{sid}' in the store. Sources: {', '.join(ids)}")
        out += mine
    return out + [g for g in graphs if is_meta(g) or is_vocabulary(g)]


def execute(store: Store, prepared: Prepared, graphs: list[str] | None = None) -> Any:
    """Run a prepared query. FROM / FROM NAMED in the query choose among the store's visible graphs."""
    default, named = from_clauses(prepared.text)
    if default and graphs is None:
        graphs = default
    with _failing_as_query_errors(prepared):
        found = indexed(store, prepared) if graphs is None and not default and not named else None
        if found is not None:
            return found
        return store.query(prepared.text, graphs=graphs, named=named or None)


@contextlib.contextmanager
def _failing_as_query_errors(prepared: Prepared) -> Iterator[None]:
    """The store's errors while it evaluates ``prepared``, as a :class:`QueryError` that says where."""
    try:
        yield
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {locate(str(e), prepared.text)}") from None
    except (OSError, RuntimeError, ValueError) as e:
        raise QueryError(f"the query failed: {e}") from None


def indexed(store: Store, prepared: Prepared) -> Any:
    """The answer of a saved query that a built store keeps an index or an answer for, or None (run
    the SPARQL). Only reads of every visible graph of an embedded store generation:

    - ``detained-on`` from the day index (:mod:`repnet.graph.ask.dayindex`, public reads; the same
      rows as its SPARQL, tested on every day the answer changes);
    - any other saved SELECT read without parameters (a whole table) from the answer the
      generation keeps (:mod:`repnet.graph.ask.answers`: evaluated by the first read, parsed by
      later ones).
    """
    from ..store.embedded import EmbeddedStore
    from . import answers, dayindex

    if _kept(store, prepared):
        assert prepared.saved is not None
        return answers.kept(store, prepared.saved, prepared.text)
    if prepared.saved == "detained-on" and isinstance(store, EmbeddedStore) and store.generation is not None:
        return dayindex.answer(store.generation, prepared.values["date"]) if store.public_only else None
    return None


def _kept(store: Store, prepared: Prepared) -> bool:
    """Whether ``store`` keeps the answer of ``prepared`` (:func:`indexed`): a saved SELECT read
    without parameters and without FROM, other than ``detained-on``, from an embedded store
    generation."""
    from ..store.embedded import EmbeddedStore

    return (isinstance(store, EmbeddedStore) and store.generation is not None and prepared.saved is not None
            and prepared.saved != "detained-on" and prepared.form == "SELECT" and not prepared.values
            and not any(from_clauses(prepared.text)))


def answer_text(store: Store, prepared: Prepared, fmt: str, raw: bool = False, graphs: list[str] | None = None) -> str:
    """:func:`execute`, then :func:`render_result`: the text `repnet query` prints. A whole table's
    kept answer (:mod:`repnet.graph.ask.answers`) is shown as a table or TSV straight from the
    SPARQL TSV text it is kept as, not parsed into terms and written again (0.3-0.6 s of
    ``detentions`` at 100,000 persons)."""
    if fmt in ("table", "tsv") and graphs is None and _kept(store, prepared):
        from ..csvsafe import tsv_text
        from . import answers

        assert prepared.saved is not None
        with _failing_as_query_errors(prepared):
            text = answers.kept_tsv(store, prepared.saved, prepared.text).decode()
        if fmt == "tsv":
            return _ends_line(tsv_text(text, raw))
        return _table_lines(text)
    return render_result(execute(store, prepared, graphs), prepared, fmt, raw)


def load_text(spec: str) -> tuple[str, SavedQuery | None]:
    """A saved query's name, or a path to a .rq file -> (text, saved query or None)."""
    queries = saved_queries()
    if spec in queries:
        return queries[spec].text, queries[spec]
    path = Path(spec)
    if path.suffix in (".rq", ".sparql") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read {spec}: {e.strerror}") from None
        first = text.splitlines()[0] if text else ""
        m = _HEADER.match(first)
        return text, parse_saved(text, m["key"], spec) if m and m["key"] == path.stem else None
    close = difflib.get_close_matches(spec, list(queries), n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"'{spec}' is neither a saved query nor a .rq file.{hint} `repnet query --list` lists the saved queries.")


# ------------------------------------------------------------------------- output


@functools.lru_cache(maxsize=8)
def _namespaces(base: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """The namespaces tables abbreviate (the vocabularies' and those of data IRIs under ``base``)
    as one pattern that matches the longest of them an IRI starts with, and each one's prefix (the
    first that names it)."""
    from ...ontology.namespaces import PREFIXES, data_prefixes

    prefix_of: dict[str, str] = {}
    for prefix, ns in {**PREFIXES, **data_prefixes(base)}.items():
        prefix_of.setdefault(ns, prefix)
    # alternatives are tried in order, so the longest namespace that matches is the one found
    return re.compile("|".join(re.escape(ns) for ns in sorted(prefix_of, key=len, reverse=True))), prefix_of


def _shortener() -> Any:
    """IRI -> CURIE under the longest namespace it starts with (the IRI itself when none)."""
    from ...ontology.namespaces import data_base

    pattern, prefix_of = _namespaces(data_base())

    def short(iri: str) -> str:
        m = pattern.match(iri)
        return f"{prefix_of[m.group()]}:{iri[m.end():]}" if m else iri

    return short


_LINKS = ("http:", "https:", "urn:")  # values a table shows as CURIEs where a namespace fits


def _table_of_tsv(text: str) -> tuple[list[str], list[list[str]]]:
    """A SELECT's columns and its rows as the cells a table shows, read from its SPARQL TSV
    results text (as Oxigraph writes them: a line per row after the header, none in a result of
    no columns).

    What :func:`rows_of` and :func:`repnet.graph.output.shown` give, without a term object or a
    dict per row: at 100,000 persons the table of ``detentions`` (150k rows) took 4.8 s that way.
    A cell is an IRI, text without escapes (in a language or not, taken as it is), or else read by
    :func:`repnet.graph.terms.from_tsv`, which gives what :func:`repnet.graph.terms.to_python`
    gives for its term; text that is a link is shortened to a CURIE, as on every table."""
    from ..output import shown
    from ..terms import from_tsv

    lines = text.split("\n")
    if not lines[0]:  # no columns: an empty line per row
        return [], [[] for _ in range(text.count("\n") - 1)]
    columns = [v[1:] for v in lines[0].split("\t")]
    short = _shortener()
    # each distinct cell is read once: most columns repeat a few values (a kind, a facility, a
    # source, a date), which a lookup finds in a tenth of the time reading them again takes
    seen: dict[str, str] = {"": ""}

    def cell(c: str) -> str:
        first = c[0]
        if first == "<":
            v = c[1:-1]
        elif first == '"' and "\\" not in c and ((end := c.rfind('"')) == len(c) - 1 or c[end + 1] == "@"):
            v = c[1:end]  # text, or text in a language
        else:
            value = from_tsv(c)
            v = value if isinstance(value, str) else shown(value)  # a number or date is never a link
        seen[c] = s = short(v) if v.startswith(_LINKS) else v
        return s

    rows = lines[1:]
    if rows and not rows[-1]:
        rows.pop()
    return columns, [[seen[c] if c in seen else cell(c) for c in line.split("\t")] for line in rows]


def _table_lines(text: str) -> str:
    """A SELECT's SPARQL TSV results text as the table `repnet query` prints, with its count of rows.
    The collector is paused: a list per row and a tuple per line laid out, none in a cycle
    (graph/runtime.py; 0.66 -> 0.55 s for the 150k rows of ``detentions``)."""
    from ..output import table_text

    with collector_paused():
        columns, cells = _table_of_tsv(text)
        return table_text(columns, cells) + f"\n({len(cells)} row{'s' if len(cells) != 1 else ''})\n"


def _ends_line(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def rows_of(result: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """A SELECT result -> (columns, rows of plain Python values)."""
    from ..terms import to_python

    columns = [v.value for v in result.variables]
    rows = [{c: to_python(sol[c]) for c in columns} for sol in result]
    return columns, rows


def render_result(result: Any, prepared: Prepared, fmt: str, raw: bool = False) -> str:
    """Text for a query result in the requested format (always ends with a newline). CSV/TSV cells a
    spreadsheet would evaluate are neutralised unless ``raw`` (:mod:`repnet.graph.csvsafe`)."""
    if prepared.form == "ASK":
        if fmt in RESULTS and fmt in ("json", "xml"):
            return (result.serialize(format=RESULTS[fmt]) or b"").decode() + "\n"
        return ("true" if bool(result) else "false") + "\n"
    if prepared.form in ("CONSTRUCT", "DESCRIBE"):
        rdf = {"json": "jsonld", "table": "turtle", "xml": "rdfxml"}.get(fmt, fmt)
        if rdf not in RDF:
            raise UsageError(f"format '{fmt}' does not fit a {prepared.form}, which gives RDF: use one of "
                             f"{', '.join(RDF)}", argument="fmt")
        out = (ox.serialize(result, format=RDF[rdf]) or b"").decode()
        return out if out.endswith("\n") or not out else out + "\n"
    if fmt in RDF:
        raise UsageError(f"format '{fmt}' does not fit a SELECT, which gives a table: use one of "
                         f"{', '.join(RESULT_FORMATS)}", argument="fmt")
    if fmt in RESULTS:
        from ..csvsafe import csv_text, tsv_text

        text = (result.serialize(format=RESULTS[fmt]) or b"").decode()
        return _ends_line(csv_text(text, raw) if fmt == "csv" else tsv_text(text, raw) if fmt == "tsv" else text)
    return _table_lines((result.serialize(format=ox.QueryResultsFormat.TSV) or b"").decode())


def list_text(fmt: str = "table") -> str:
    """The saved queries, one line each, with their parameters."""
    import json

    qs = saved_queries().values()
    if fmt == "json":
        return json.dumps([{"name": q.name, "description": q.description, "columns": list(q.columns),
                            "params": [{"name": p.name, "kind": p.kind, "required": p.required, "help": p.help}
                                       for p in q.params]} for q in qs], indent=2)
    lines = []
    for q in qs:
        ps = " ".join(f"--param {p.name}=<{p.kind}>" if p.required else f"[--param {p.name}=<{p.kind}>]" for p in q.params)
        lines.append(f"{q.name:<15} {q.description}" + (f"\n{'':<15} {ps}" if ps else ""))
    return "\n".join(lines)
