"""SPARQL text: the one home for reading and writing query text.

* :func:`code_only` blanks strings, IRIs and comments so keyword checks never match inside them;
  :func:`query_form` and :func:`forbidden_reason` read the query's form and refused operations.
* :func:`from_clauses` reads FROM / FROM NAMED, IRIs and prefixed names alike (the CLI and the
  endpoint share it, so both choose the same graphs).
* :func:`bind` binds variables to terms with VALUES blocks (user input is never pasted as text);
  :func:`values` and :func:`chunks` write VALUES blocks of IRIs in sizes engines plan well.
* :func:`locate` points at the line and column a parser's message names.

Hand-written regular expressions, not a SPARQL parser: Oxigraph parses the query itself when it
runs; these helpers only need the tokens around keywords, and they must work on text that does not
parse (to say where it fails) and on queries for other engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

_STRIP = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_IRI_OK = re.compile(r'^[^<>"{}|^`\\\s]+$')
_KEYWORD_FROM = re.compile(r"(?<![?$\w:])FROM\b(?!:)", re.IGNORECASE)
# a prefixed name's local part may hold %XX and backslash escapes (SPARQL PN_LOCAL_ESC): ex:a\,b is <...a,b>
_FROM_AT = re.compile(r"FROM\s+(NAMED\s+)?(?:<([^<>\"{}|^`\\\s]*)>|([A-Za-z][\w.-]*)?:"
                      r"((?:[\w.:-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*))", re.IGNORECASE)
_LOCAL_ESC = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
PREFIX_DECL = re.compile(r"(?<![?$\w:])PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE)
UNPARSED_FROM = "urn:repnet:unparsed-from"


def code_only(text: str) -> str:
    """The query with strings, IRIs and comments blanked (same length, for keyword checks).

    >>> code_only('SELECT * { ?s ?p "FROM" } # SERVICE')
    'SELECT * { ?s ?p        }          '
    """
    return _STRIP.sub(lambda m: " " * len(m.group(0)), text)


def forbidden_reason(text: str) -> str | None:
    """Why a query may not run against our store (it would reach the network), or None."""
    code = code_only(text)
    if re.search(r"(?<![?$\w:])SERVICE\b(?!:)", code, re.IGNORECASE):
        return "SERVICE is disabled: queries never reach other endpoints over the network"
    if re.search(r"(?<![?$\w:])(LOAD)\b(?!:)", code, re.IGNORECASE):
        return "LOAD is disabled: the store never fetches data from the network"
    return None


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE.

    >>> query_form('PREFIX ex: <http://e/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }')
    'CONSTRUCT'
    """
    m = re.search(r"(?<![?$\w:])(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b(?!:)",
                  code_only(text), re.IGNORECASE)
    form = m.group(1).upper() if m else "SELECT"
    return form if form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else "UPDATE"


def from_clauses(text: str, prefixes: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The IRIs in a query's FROM and FROM NAMED clauses (never fetched; they name graphs).

    Prefixed names resolve with the query's PREFIX declarations over ``prefixes`` (the project's
    own by default). A name that cannot be resolved (an unknown prefix) is kept as written, so it
    matches no graph: a query with FROM never falls back to the union of all graphs.

    >>> from_clauses('PREFIX g: <https://w3id.org/repnet/graph/> '
    ...              'SELECT * FROM g:wikidata-links FROM NAMED <http://e/x> { ?s ?p ?o }')
    (['https://w3id.org/repnet/graph/wikidata-links'], ['http://e/x'])
    """
    if prefixes is None:
        from ..ontology.namespaces import PREFIXES
    table = dict(PREFIXES if prefixes is None else prefixes)
    for m in PREFIX_DECL.finditer(text):
        table[m.group(1) or ""] = m.group(2)
    default: list[str] = []
    named: list[str] = []
    for k in _KEYWORD_FROM.finditer(code_only(text)):
        at = _FROM_AT.match(text, k.start())
        if not at:
            iri = UNPARSED_FROM
        elif at.group(2) is not None:
            iri = at.group(2)
        else:
            ns = table.get(at.group(3) or "")
            local = at.group(4)
            while local.endswith(".") and not local.endswith("\\."):  # a local name never ends in an unescaped '.'
                local = local[:-1]
            local = _LOCAL_ESC.sub(r"\1", local)
            iri = ns + local if ns is not None else f"{at.group(3) or ''}:{local}"
        (named if at and at.group(1) else default).append(iri)
    return default, named


def bind(text: str, values: dict[str, Any]) -> str:
    """Bind variables to RDF terms with a VALUES block at the start of every WHERE group.

    The terms are pyoxigraph terms serialized by pyoxigraph (so IRIs and strings are escaped);
    user input is never pasted into the query as text. Every WHERE group gets the block because
    SPARQL evaluates subqueries bottom-up: a trailing VALUES would not reach a FILTER inside one.
    A query without a WHERE keyword gets a trailing VALUES.
    """
    if not values:
        return text
    names = " ".join(f"?{k}" for k in values)
    terms = " ".join(str(v) for v in values.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    cuts = [m.end() for m in re.finditer(r"(?<![?$\w:])WHERE\s*\{", code_only(text), re.IGNORECASE)]
    if not cuts:
        return f"{text.rstrip()}\nVALUES ({names}) {{ ({terms}) }}\n"
    out, last = [], 0
    for c in cuts:
        out += [text[last:c], block]
        last = c
    return "".join(out) + text[last:]


def chunks(items: Sequence[str], size: int = 800) -> Iterator[Sequence[str]]:
    """``items`` in slices of ``size``: VALUES blocks of a size every engine plans well."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def values(var: str, iris: Iterable[str]) -> str:
    """A VALUES block binding ``?var`` to IRIs (any string that is not a plain IRI is left out).

    >>> values("p", ["http://e/a", "not an iri"])
    'VALUES ?p { <http://e/a> }'
    """
    return f"VALUES ?{var} {{ " + " ".join(f"<{i}>" for i in iris if _IRI_OK.fullmatch(i)) + " }"


def locate(message: str, text: str) -> str:
    """A parser message 'error at LINE:COL: ...' -> the message with the line and a caret under the column."""
    m = re.search(r"error at (\d+):(\d+)", message)
    if not m:
        return message
    line, col = int(m.group(1)), int(m.group(2))
    lines = text.splitlines()
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"line {line}, column {col}: {message.split(': ', 1)[-1]}\n    {src}\n    {' ' * (col - 1)}^"
