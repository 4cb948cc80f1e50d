"""A SPARQL 1.1 server as a store: ``--store http://host:8890/sparql``.

:class:`RemoteStore` gives the same read interface as the embedded store. Reads go to the query
endpoint with the protocol's default-graph-uri / named-graph-uri parameters naming exactly the
visible graphs, so a public-only store never lets a query see a restricted graph, and the server's
own graphs stay out of repnet's union default graph. Writes (``repnet push``) are in
:mod:`repnet.graph.publish.push`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import PREFIXES, XSD
from ..errors import StoreError
from ..formats import rdf_format_for
from ..sparql import bind, code_only, query_form
from ..terms import value_of
from .embedded import PUBLIC, read_dataset
from .http import Endpoints, HttpClient, RemoteHTTPError, RemoteQueryError, endpoints_for

# ----------------------------------------------------------------------------------- remote stores
#
# A SPARQL 1.1 server (Virtuoso, Apache Jena Fuseki, GraphDB, ...) behind the same read interface
# as EmbeddedStore: ``--store http://host:8890/sparql``. Reads go to the query endpoint with the
# protocol's default-graph-uri / named-graph-uri parameters naming exactly the visible graphs, so a
# public-only store never lets a query see a restricted graph, and the server's own graphs
# (Virtuoso's system graphs, other projects' data) stay out of repnet's union default graph.
# Writes (`repnet push`) go to the update or Graph Store Protocol endpoint (graph/push.py).

_PUBLIC_GRAPHS_BY_META = f"""
SELECT DISTINCT ?g ?meta WHERE {{ GRAPH ?meta {{ ?g <http://purl.org/dc/terms/accessRights> <{PUBLIC}> }}
  FILTER(STRENDS(STR(?meta), "/graph/meta")) }}"""


XSD_DURATION = str(XSD.duration)


NO_GRAPH = "urn:repnet:no-graph"  # names an empty dataset where a protocol parameter must name something


_PREFIX_DECL = re.compile(r"(?i)(?<![\w:?$])PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>")


_ESCAPED_NAME = re.compile(r"(?<![\w<?$:\\])([A-Za-z][\w.-]*)?:((?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*\\[_~.\-!$&'()*+,;=/?#@%]"
                            r"(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*)")


def portable_query(sparql: str, prefixes: dict[str, str]) -> str:
    """The query as a remote server needs it: repnet's prefixes declared, escaped local names expanded.

    repnet's queries use the prefixes of ``repnet.ontology.namespaces`` without declaring them
    (the embedded store predeclares them); every prefix the query does not declare itself is
    prepended. Prefixed names with backslash escapes (``rpnc:count-qualifier\\/exact``, valid
    SPARQL 1.1 that Virtuoso 7 rejects) are written as full IRIs, which means the same.
    """
    code = code_only(sparql)
    declared = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(sparql)}
    table = {**prefixes, **declared}
    out, last = [], 0
    for m in _ESCAPED_NAME.finditer(code):
        prefix, local = m.group(1) or "", m.group(2).rstrip(".")
        if prefix not in table:
            continue
        out += [sparql[last:m.start()], "<" + table[prefix] + re.sub(r"\\(.)", r"\1", local) + ">"]
        last = m.start() + len(prefix) + 1 + len(local)
    text = "".join(out) + sparql[last:]
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared)
    return prologue + text


class RemoteStore:
    """A SPARQL 1.1 server behind repnet's store interface (query, quads, named_graphs, len).

    Reads only; the data gets there with `repnet push`. With ``public_only`` (the default of
    :func:`open_store`) every request names as its dataset only the graphs that a ``<base>graph/meta``
    graph on the server lists as PUBLIC (and the meta graphs); otherwise every graph under the base
    of a meta graph (``<base>graph/...``), restricted ones included.
    """

    def __init__(self, url: str, public_only: bool = True, endpoints: Endpoints | None = None,
                 http: HttpClient | None = None, page_size: int = 10_000):
        self.location = url
        self.endpoints = endpoints or endpoints_for(url)
        self.public_only = public_only
        self.http = http or HttpClient(self.endpoints.query)
        self.prefixes = dict(PREFIXES)
        self.page_size = page_size
        self._visible: list[str] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({self.location!r}, public_only={self.public_only})"

    # ------------------------------------------------------------------ requests
    def _request(self, text: str, accept: str, default: list[str], named: list[str]) -> tuple[Message, bytes]:
        fields = [("query", text)]
        fields += [("default-graph-uri", g) for g in (default or [NO_GRAPH])]
        fields += [("named-graph-uri", g) for g in (named or [NO_GRAPH])]
        try:
            headers, body = self.http.post_form(self.endpoints.query, fields, accept)
        except RemoteHTTPError as e:
            if e.code in (400, 500):  # the server could not parse or run the query
                raise RemoteQueryError(f"the server refused the query: {str(e).split(': ', 1)[-1]}") from None
            raise
        self._check_complete(headers)
        return headers, body

    def _check_complete(self, headers: Message) -> None:
        limit = headers.get("X-SPARQL-MaxRows")  # Virtuoso says so when it cut a SELECT (not a CONSTRUCT)
        if limit:
            raise StoreError(f"{self.endpoints.query} cut the answer at {limit} rows (its result-size limit, "
                             "Virtuoso's [SPARQL] ResultSetMaxRows).\nAdd LIMIT/OFFSET to the query, or raise the limit on the server.")

    def _select(self, text: str, default: list[str], named: list[str]) -> Any:
        headers, body = self._request(text, "application/sparql-results+xml", default, named)
        ctype = headers.get("Content-Type", "")
        fmt = ox.QueryResultsFormat.JSON if "json" in ctype else ox.QueryResultsFormat.XML
        return ox.parse_query_results(body, fmt)

    def _construct(self, text: str, default: list[str], named: list[str], turtle: bool = False) -> list[ox.Triple]:
        accept = "text/turtle" if turtle else "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
        headers, body = self._request(text, accept, default, named)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fmt = rdf_format_for(ctype)
        try:
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)]
        except SyntaxError as e:
            raise StoreError(f"{self.endpoints.query} sent {ctype or 'RDF'} that does not parse: {e}") from None

    @property
    def is_virtuoso(self) -> bool:
        return self.endpoints.kind == "virtuoso" or "virtuoso" in self.http.server.lower()

    # ------------------------------------------------------------------ the store interface
    def visible_graphs(self) -> list[str]:
        """The named graphs reads may see: PUBLIC ones (and the meta graphs) unless opened with restricted."""
        if self._visible is None:
            metas = [r["meta"].value for r in self._all_graphs_query(
                "SELECT DISTINCT ?meta WHERE { GRAPH ?meta { ?g <http://purl.org/dc/terms/accessRights> ?a } "
                'FILTER(STRENDS(STR(?meta), "/graph/meta")) }') if isinstance(r["meta"], ox.NamedNode)]
            if self.public_only:
                # a graph counts as public when the meta graph of its own base says so, and a
                # "/restricted" graph never does, whatever another dataset on the server declares
                rows = self._all_graphs_query(_PUBLIC_GRAPHS_BY_META)
                visible = {r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode) and isinstance(r["meta"], ox.NamedNode)
                           and r["g"].value.startswith(r["meta"].value[: -len("meta")])
                           and not r["g"].value.endswith("/restricted")} | set(metas)
            else:
                bases = tuple(m[: -len("meta")] for m in metas)  # "<base>graph/"
                visible = {g for g in self.declared_graphs() if g.startswith(bases)} | set(metas) if bases else set()
            self._visible = sorted(visible)
        return self._visible

    def declared_graphs(self) -> list[str]:
        """The graphs that a graph on the server gives an access right: how repnet lists its graphs.

        The metadata graph declares the public graphs, and each restricted graph declares itself. (A
        query over the predicate is quick where listing every graph of a large server is not:
        ``SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }`` scans every triple, over a minute for
        3.8 million triples on Virtuoso.)
        """
        rows = self._all_graphs_query("SELECT DISTINCT ?g WHERE { GRAPH ?where { ?g <http://purl.org/dc/terms/accessRights> ?a } }")
        return sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))

    def server_graphs(self) -> list[str]:
        """Every named graph on the server that holds a triple, repnet's or not (scans every triple)."""
        rows = self._all_graphs_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))

    def _all_graphs_query(self, text: str) -> Any:
        """A query over every graph of the server: no dataset parameters (the server's default dataset)."""
        headers, body = self.http.post_form(self.endpoints.query, [("query", text)], "application/sparql-results+xml")
        self._check_complete(headers)
        fmt = ox.QueryResultsFormat.JSON if "json" in headers.get("Content-Type", "") else ox.QueryResultsFormat.XML
        return ox.parse_query_results(body, fmt)

    def named_graphs(self) -> list[str]:
        return list(self.visible_graphs())

    def query(self, sparql: str, *, union: bool = True, substitutions: dict[str, Any] | None = None,
              graphs: list[str] | None = None, named: list[str] | None = None) -> Any:
        """Run a SPARQL query on the server; the default graph is the union of the visible graphs.

        ``graphs`` makes the default graph the union of those graphs, ``named`` limits GRAPH ?g to
        those; both are cut down to the visible graphs. They go to the server as the protocol's
        default-graph-uri / named-graph-uri parameters, which win over FROM / FROM NAMED in the query.
        """
        chosen, named_graphs = read_dataset(self.visible_graphs(), graphs, named, union)
        default = chosen if chosen is not None else []
        text = portable_query(bind(sparql, dict(substitutions or {})), self.prefixes)
        form = query_form(sparql)
        if form in ("SELECT", "ASK"):
            return self._select(text, default, named_graphs)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self._construct(text, default, named_graphs)
        raise StoreError("this store is read here; SPARQL Update goes through `repnet push`.")

    def count(self, graph: str) -> int:
        rows = list(self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", [], [graph]))
        return int(rows[0]["n"].value) if rows else 0

    def __len__(self) -> int:
        visible = self.visible_graphs()
        if not visible:
            return 0
        rows = list(self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", [], visible))
        return int(rows[0]["n"].value) if rows else 0

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one visible graph, or of all visible graphs, grouped by graph and subject."""
        visible = set(self.visible_graphs())
        for g in [graph] if graph else self.visible_graphs():
            if g not in visible:
                continue
            node = ox.NamedNode(g)
            for t in self.graph_triples(g):
                yield ox.Quad(t.subject, t.predicate, t.object, node)

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one graph, sorted by subject.

        Servers cap their answers (Virtuoso's ResultSetMaxRows, 10,000 in Debian's virtuoso.ini) and
        Virtuoso cuts a CONSTRUCT without saying so; the graph's triples are therefore counted first,
        and when fewer come back the graph is read in pages of the size the server gave.
        """
        triples = self._construct_all(graph, "", self.count(graph))
        durations = [t for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype.value == XSD_DURATION]
        if durations and self.is_virtuoso:
            # Virtuoso keeps an xsd:duration as a number (months, or seconds) and writes that number in
            # N-Triples, XML and JSON ("P7Y" comes back as "84"); only its Turtle writer gives the
            # lexical form back: take the duration triples from a Turtle answer.
            fixed = self._construct_all(graph, f"FILTER(DATATYPE(?o) = <{XSD_DURATION}>)", len(durations), turtle=True)
            triples = [t for t in triples if t not in set(durations)] + fixed
        return sorted(triples, key=lambda t: (value_of(t.subject), t.predicate.value, str(t.object)))

    def _construct_all(self, graph: str, filter_: str, expected: int, turtle: bool = False) -> list[ox.Triple]:
        """The ``expected`` triples of ``GRAPH <graph> { ?s ?p ?o FILTER }``, in pages if the server caps answers."""
        iri = ox.NamedNode(graph)
        where = f"GRAPH {iri} {{ ?s ?p ?o {filter_} }}"
        triples = self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", [graph], [graph], turtle)
        if 0 < len(triples) < expected:
            size, triples, offset = min(len(triples), self.page_size), [], 0
            while offset < expected:
                page = self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ {where} }} "
                                       f"ORDER BY ?s ?p ?o LIMIT {size} OFFSET {offset} }} }}", [graph], [graph], turtle)
                if not page:
                    break
                triples += page
                offset += size
            triples = list(dict.fromkeys(triples))
        if len(triples) != expected:
            raise StoreError(f"{self.endpoints.query} gave {len(triples)} triples of {graph} where it counts {expected}.")
        return triples

    def close(self) -> None:
        """Nothing to release: every request is its own HTTP exchange."""
