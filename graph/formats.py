"""RDF and result formats, media types and content negotiation: the one home for each.

Formats come from pyoxigraph's own lookups (``RdfFormat``, ``QueryResultsFormat``: media type,
file extension, whether a format holds named graphs); this module only names them for the CLI
(``turtle``, ``jsonld`` ...) and lists the media types clients send for them.

* :data:`RDF` short name -> ``RdfFormat``; :func:`extension`, :func:`media_type`;
  :func:`rdf_format_for` reads a Content-Type.
* :data:`RESULTS` short name -> ``QueryResultsFormat``.
* :func:`parse_accept` and :func:`choose` are the one Accept negotiator (RFC 9110 section 12.5.1:
  the most specific matching range gives a type's quality; q=0 means "not acceptable").
  :func:`negotiate` picks a SPARQL result format, :func:`negotiate_page` a page or RDF format.
* :func:`nt_literal`, :func:`text_batches`: N-Triples and N-Quads written as text, for the millions
  of quads a build converts from records and derives (made as pyoxigraph terms, then serialized,
  they cost up to twice the time at 100,000 persons); the same bytes as Oxigraph's serializer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

RDF: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
}
RESULTS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
TABLE_FORMATS = ("table", "json", "csv", "tsv")  # rows for people and machines (repnet.graph.output)
HTML = "text/html"


def media_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The format's media type without parameters: ``text/csv; charset=utf-8`` -> ``text/csv``."""
    return fmt.media_type.split(";")[0].strip()


def extension(name: str) -> str:
    """File extension of an RDF format, with the dot: ``extension("nquads")`` -> ``".nq"``."""
    return "." + RDF[name].file_extension


EXTENSIONS = {name: extension(name) for name in RDF}
QUAD_FORMATS = tuple(name for name, f in RDF.items() if f.supports_datasets)
# (short name, media type) in the order the server prefers them when the client does not care.
SOLUTION_TYPES = [(n, media_type(RESULTS[n])) for n in ("json", "xml", "csv", "tsv")]
GRAPH_TYPES = [(n, media_type(RDF[n])) for n in ("turtle", "ntriples", "jsonld", "rdfxml")]
# other media types clients send for the same formats
_SOLUTION_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
_GRAPH_ALIASES = {"application/x-turtle": "turtle", "text/n3": "turtle", "text/plain": "ntriples",
                  "application/json": "jsonld", "application/xml": "rdfxml", "text/xml": "rdfxml"}
# values of the `format` (or `output`) parameter; SPARQLWrapper sends json, xml, csv, tsv, turtle, n3, json-ld, rdf+xml
FORMAT_WORDS = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
                "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"),
                "ntriples": (None, "ntriples"), "n-triples": (None, "ntriples"), "nt": (None, "ntriples"),
                "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
                "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"), "rdf": (None, "rdfxml")}


def rdf_format_for(content_type: str, default: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.RdfFormat:
    """The RDF format of a Content-Type header (``text/plain`` is N-Triples), else ``default``."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "text/plain":
        return ox.RdfFormat.N_TRIPLES
    return ox.RdfFormat.from_media_type(media) or default if media else default


def media_types(kind: str) -> list[tuple[str, str]]:
    """(format, media type) for a result kind ("graph" or "solutions"), canonical types first, then aliases."""
    if kind == "graph":
        return GRAPH_TYPES + [(f, m) for m, f in _GRAPH_ALIASES.items()]
    return SOLUTION_TYPES + [(f, m) for m, f in _SOLUTION_ALIASES.items()]


def canonical_type(kind: str, fmt: str) -> str:
    return dict(GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES)[fmt]


def parse_accept(header: str) -> list[tuple[str, float]]:
    """An Accept header -> [(media range, q)], ranges lowercased, parameters other than q dropped.

    >>> parse_accept("text/html;q=0, text/turtle;level=1;q=0.5")
    [('text/html', 0.0), ('text/turtle', 0.5)]
    """
    out = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q))
    return out


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """q of the most specific range that matches ``media`` (0 if none does)."""
    best, spec = 0.0, -1
    major = media.split("/")[0]
    for r, q in ranges:
        s = 2 if r == media else 1 if r == f"{major}/*" else 0 if r == "*/*" else -1
        if s > spec:
            best, spec = q, s
    return best if spec >= 0 else 0.0


def choose(offered: Sequence[tuple[str, str]], accept: str | None) -> str | None:
    """The first of ``offered`` (name, media type) with the highest quality > 0 by ``accept``;
    the first offered when there is no Accept header; None when nothing is acceptable (406)."""
    if not accept or not accept.strip():
        return offered[0][0] if offered else None
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for name, media in offered:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = name, q
    return best


def negotiate(kind: str, accept: str | None, formats: Iterable[str] = ()) -> str | None:
    """The SPARQL result format to answer in: the first usable ``format`` parameter value, else Accept.

    ``kind`` is "solutions", "boolean" or "graph". None when nothing acceptable is available (406).
    """
    graph = kind == "graph"
    offered = media_types("graph" if graph else "solutions")
    for f in formats:
        f = f.strip().lower()
        if f in FORMAT_WORDS:
            chosen = FORMAT_WORDS[f][1 if graph else 0]
            if chosen:
                return chosen
        for fmt, media in offered:
            if f == media:
                return fmt
    return choose(offered, accept)


PAGE_TYPES = [("turtle", media_type(RDF["turtle"])), ("html", HTML), ("jsonld", media_type(RDF["jsonld"])),
              ("ntriples", media_type(RDF["ntriples"])), ("rdfxml", media_type(RDF["rdfxml"]))]


def negotiate_page(accept: str | None, fmt: str | None = None) -> str | None:
    """"html" or an RDF format name for a resource page; ``fmt`` (a ``?format=`` value) wins.

    Turtle when the client states nothing; None when nothing offered is acceptable (406), including
    an unknown ``fmt``.

    >>> negotiate_page("text/html,application/xhtml+xml,*/*;q=0.8")
    'html'
    >>> negotiate_page("text/html;q=0") is None, negotiate_page("*/*"), negotiate_page("text/html;q=0, */*")
    (True, 'turtle', 'turtle')
    >>> negotiate_page(None, "xyz") is None
    True
    """
    if fmt is not None:
        f = fmt.strip().lower()
        names = {n for n, _ in PAGE_TYPES}
        word = f if f in names else (FORMAT_WORDS.get(f, (None, None))[1])
        return word if word in names else None
    return choose(PAGE_TYPES, accept)


# the characters Oxigraph escapes in a literal (and lone surrogates, which it refuses)
_ESCAPED = re.compile(r'[\x00-\x1f"\\\x7f\ud800-\udfff\ufffe\uffff]')
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def nt_literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in N-Triples syntax, as Oxigraph writes it: a plain string when neither
    ``datatype`` nor ``language`` is given (language tags are written in lower case, as Oxigraph
    normalizes them).

    >>> print(nt_literal('say "hi"'), nt_literal("2024-01-31", "http://www.w3.org/2001/XMLSchema#date"))
    "say \\"hi\\"" "2024-01-31"^^<http://www.w3.org/2001/XMLSchema#date>
    >>> print(nt_literal("Nasta Loika", language="be-Latn"))
    "Nasta Loika"@be-latn
    """
    # Oxigraph's own escapes for text that needs any; the rest is quoted as it is (3x faster)
    text = str(ox.Literal(value)) if _ESCAPED.search(value) else f'"{value}"'
    if language:
        return f"{text}@{language.lower()}"
    return text if datatype is None or datatype == _XSD_STRING else f"{text}^^<{datatype}>"


def text_batches(lines: Iterable[str], size: int) -> Iterator[tuple[bytes, int]]:
    """Lines of N-Quads or N-Triples (each ending in a line break) as documents of at most
    ``size`` lines, with their counts, ready for ``Store.bulk_load``."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield "".join(batch).encode(), size
            batch = []
    if batch:
        yield "".join(batch).encode(), len(batch)


def nquads_text(quads: Iterable[ox.Quad]) -> tuple[bytes, int]:
    """Quads as one N-Quads document, and how many there are."""
    qs = list(quads)
    return ox.serialize(qs, format=ox.RdfFormat.N_QUADS) or b"", len(qs)
