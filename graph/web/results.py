"""SPARQL results as bytes: the W3C JSON, XML, CSV and TSV results formats for SELECT, the boolean of
an ASK, and RDF for CONSTRUCT/DESCRIBE, each cut at the endpoint's row cap.

Hand-written rather than pyoxigraph's serializers for SELECT: the endpoint must stop after
``max_rows`` rows and say so (pyoxigraph writes the whole result), and CSV/TSV cells are made
spreadsheet-safe (:mod:`repnet.graph.csvsafe`) as every CSV the project writes is. The tests check
the output against pyoxigraph's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from ...ontology.namespaces import PREFIXES
from ..csvsafe import neutralise, tsv_term
from ..formats import RDF

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def json_term(t: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results format (RDF-star triples as ``type: triple``)."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": json_term(t.subject), "predicate": json_term(t.predicate),
                                            "object": json_term(t.object)}}
    raise TypeError(f"unexpected term {t!r}")


def xml_term(t: Any) -> str:
    """A term in the SPARQL XML results format, escaped."""
    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            attr = f" xml:lang={quoteattr(t.language)}"
        elif t.datatype.value != _XSD_STRING:
            attr = f" datatype={quoteattr(t.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{xml_escape(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{xml_term(t.subject)}</subject><predicate>{xml_term(t.predicate)}</predicate>"
                f"<object>{xml_term(t.object)}</object></triple>")
    raise TypeError(f"unexpected term {t!r}")


def csv_value(t: Any, guard: Any = None) -> str:
    """A term as a SPARQL CSV cell (its plain value); ``guard`` neutralises what a spreadsheet would evaluate."""
    if t is None:
        return ""
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        v = t.value
    elif isinstance(t, ox.BlankNode):
        v = "_:" + t.value
    else:
        v = str(t)
    return csv_quote(guard(v) if guard and v else v)


def csv_quote(v: str) -> str:
    """A CSV cell quoted when it holds a comma, a quote or a line break."""
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v


def tsv_value(t: Any) -> str:
    """A term in Turtle/N-Triples syntax, with no raw tab or line break."""
    if t is None:
        return ""
    return str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_solutions(result: Any, fmt: str, max_rows: int, raw_csv: bool = False) -> tuple[bytes, int, bool]:
    """A pyoxigraph SELECT result -> (body, rows written, truncated). Stops after ``max_rows`` rows.

    CSV and TSV cells a spreadsheet would evaluate are neutralised unless ``raw_csv``
    (:mod:`repnet.graph.csvsafe`)."""
    names = [v.value for v in result.variables]
    rows: list[Any] = []
    truncated = False
    for sol in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append([sol[i] for i in range(len(names))])
    if fmt == "json":
        bindings = [{n: json_term(t) for n, t in zip(names, r, strict=True) if t is not None} for r in rows]
        body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False,
                          separators=(",", ":"))
    elif fmt == "xml":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        parts += [f"<variable name={quoteattr(n)}/>" for n in names]
        parts.append("</head>\n<results>\n")
        for r in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(n)}>{xml_term(t)}</binding>" for n, t in zip(names, r, strict=True) if t is not None]
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
        body = "".join(parts)
    elif fmt == "csv":
        cell = (lambda t: csv_value(t)) if raw_csv else (lambda t: csv_value(t, neutralise))
        lines = [",".join(csv_quote(n) for n in names)] + [",".join(cell(t) for t in r) for r in rows]
        body = "\r\n".join(lines) + "\r\n"
    elif fmt == "tsv":
        term = tsv_value if raw_csv else (lambda t: tsv_term(tsv_value(t)))
        lines = ["\t".join("?" + n for n in names)] + ["\t".join(term(t) for t in r) for r in rows]
        body = "\n".join(lines) + "\n"
    else:
        raise ValueError(f"unknown results format {fmt}")
    return body.encode("utf-8"), len(rows), truncated


def serialize_boolean(result: Any, fmt: str) -> bytes:
    """An ASK result: pyoxigraph's JSON or XML, ``true``/``false`` for CSV and TSV."""
    if fmt in ("csv", "tsv"):
        return b"true\n" if bool(result) else b"false\n"
    out = result.serialize(format=ox.QueryResultsFormat.JSON if fmt == "json" else ox.QueryResultsFormat.XML)
    return out or b""


def serialize_graph(result: Iterable[Any], fmt: str, max_rows: int) -> tuple[bytes, int, bool]:
    """CONSTRUCT/DESCRIBE triples in an RDF format -> (body, triples written, truncated); Turtle with the repnet prefixes."""
    triples = list(islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    rdf = RDF[fmt]
    kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt == "turtle" else {}
    return ox.serialize(triples, format=rdf, **kwargs) or b"", len(triples), truncated

