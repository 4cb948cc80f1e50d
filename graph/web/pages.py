"""Dereferenceable IRIs: an entity's facts as an HTML page for people, Turtle or JSON-LD for machines.

``repnet serve`` answers ``/id/<kind>/<key>`` (the path of an entity IRI under the data base) and
``/dataset`` / ``/.well-known/void`` (the VoID + DCAT description). Everything is read through the
store's visible graphs, so restricted facts never appear; every text from the data is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..ask.accountability import posts, sanctions
from ..ask.citations import citations, inferences, wording_nodes
from ..ask.status import COMPARISON_ONLY, STATUS_LABEL, stored_periods
from ..formats import PAGE_TYPES, RDF, negotiate_page
from ..iris import base_of as _base_from_graphs
from ..iris import is_derived, source_id
from ..store.base import Store

# rpn:heldOnDays is an index the build writes for `detained-on` (runs of days, packed): not a fact
# about the entity, so pages (HTML and RDF) leave it out; the periods it is computed from are shown.
_OUT = """SELECT ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?p != <https://w3id.org/repnet/ontology#heldOnDays>) } ORDER BY ?p ?o"""
_IN = """SELECT DISTINCT ?x ?p ?g WHERE { GRAPH ?g { ?x ?p ?s } FILTER(isIRI(?x)) } ORDER BY ?p ?x LIMIT 500"""
_SOURCES = """SELECT ?g ?title ?publisher ?date ?url WHERE {
  ?g prov:wasDerivedFrom ?doc . ?doc dcterms:title ?title ; schema:datePublished ?date .
  OPTIONAL { ?doc schema:publisher/skos:prefLabel ?publisher } OPTIONAL { ?doc schema:url ?url } }"""
_LABELS = """SELECT ?x ?l WHERE { ?x skos:prefLabel ?l FILTER(LANG(?l) = "en") }"""


@dataclass
class Answer:
    status: int
    body: bytes
    ctype: str


def base_of(store: Store) -> str:
    """The base IRI of the store's data (from its metadata graph's name)."""
    return _base_from_graphs(store.named_graphs())


def not_acceptable(fmt: str | None) -> Answer:
    """406 with the formats a page offers (``?format=`` values and media types)."""
    asked = f"format={fmt} is not one of them" if fmt is not None else "the Accept header allows none of them"
    offered = ", ".join(f"{n} ({m})" for n, m in PAGE_TYPES)
    return Answer(406, f"406 Not Acceptable: this page is available as {offered}; {asked}. Send one of these media "
                       f"types in Accept, or add ?format=NAME.\n".encode(), "text/plain; charset=utf-8")


def entity(store: Store, iri: str, accept: str | None, fmt: str | None = None) -> Answer:
    """An entity's page: HTML for browsers, RDF by Accept or ``fmt`` (:func:`repnet.graph.formats.negotiate_page`)."""
    node = ox.NamedNode(iri)
    out = list(store.query(_OUT.replace("?s", str(node))))  # str(NamedNode) is the escaped <iri>
    if not out:
        return Answer(404, f"404 Not Found: nothing is known about <{iri}> (or it is not public).\n".encode(),
                      "text/plain; charset=utf-8")
    kind = negotiate_page(accept, fmt)
    if kind is None:
        return not_acceptable(fmt)
    if kind in RDF:
        quads = [ox.Triple(node, r["p"], r["o"]) for r in out] + _part_triples(store, iri, out)
        body = ox.serialize(list(dict.fromkeys(quads)), format=RDF[kind]) or b""
        return Answer(200, body, f"{RDF[kind].media_type}; charset=utf-8")
    incoming = list(store.query(_IN.replace("?s", str(node))))
    return Answer(200, render_html(store, iri, out, incoming).encode(), "text/html; charset=utf-8")


_PROV_ENTITY = "http://www.w3.org/ns/prov#entity"


def _part_triples(store: Store, iri: str, out: list[Any]) -> list[Any]:
    """The triples of the record's own parts (citations, wordings, inferences: ``<iri>/...``) and of the
    documents its citations cite, so that machine output carries them with the record."""
    parts = [r["o"] for r in out if isinstance(r["o"], ox.NamedNode) and r["o"].value.startswith(iri + "/")]
    triples: list[Any] = []
    docs = []
    for part in dict.fromkeys(parts):
        for r in store.query(_OUT.replace("?s", str(part))):
            triples.append(ox.Triple(part, r["p"], r["o"]))
            if r["p"].value == _PROV_ENTITY and isinstance(r["o"], ox.NamedNode):
                docs.append(r["o"])
    for doc in dict.fromkeys(docs):
        triples += [ox.Triple(doc, r["p"], r["o"]) for r in store.query(_OUT.replace("?s", str(doc)))]
    return triples


def _short(iri: str, labels: dict[str, str]) -> str:
    return labels.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _link(iri: str, base: str, labels: dict[str, str]) -> str:
    text = html.escape(_short(iri, labels))
    if iri.startswith(base + "id/"):
        return f'<a href="/{html.escape(iri[len(base):], quote=True)}">{text}</a>'
    if iri.startswith(("http://", "https://")):
        return f'<a href="{html.escape(iri, quote=True)}" rel="noreferrer">{text}</a>'
    return text


def render_html(store: Store, iri: str, out: list[Any], incoming: list[Any]) -> str:
    base = base_of(store)
    labels = {r["x"].value: r["l"].value for r in store.query(_LABELS)}
    sources = {r["g"].value: r for r in store.query(_SOURCES)}

    def source(g: Any) -> str:
        s = sources.get(g.value)
        if s is None:
            return html.escape(g.value.rsplit("/", 1)[-1])
        url = s["url"].value if s["url"] is not None and s["url"].value.startswith(("http://", "https://")) else None
        title = html.escape(s["title"].value)
        title = f'<a href="{html.escape(url, quote=True)}" rel="noreferrer">{title}</a>' if url else title
        pub = html.escape(s["publisher"].value) if s["publisher"] is not None else ""
        return f"{title} ({pub}, {html.escape(s['date'].value)})"

    words = wording_nodes(store, iri)

    def value(o: Any) -> str:
        if isinstance(o, ox.NamedNode) and o.value in words:  # an offence as the source worded it for this record
            offence, text = words[o.value]
            return f"&ldquo;{html.escape(text)}&rdquo; (offence: {_link(offence, base, labels)})"
        if isinstance(o, ox.NamedNode):
            return _link(o.value, base, labels)
        if isinstance(o, ox.Literal):
            tag = f' <span class="t">@{html.escape(o.language)}</span>' if o.language else ""
            return html.escape(o.value) + tag
        return html.escape(str(o))

    inferred = inferences(store, [iri]).get(iri, {})

    def why(r: Any) -> str:
        reason = inferred.get((r["p"].value, source_id(r["g"].value)))
        return f' <em class="inf">(inferred: {html.escape(reason)})</em>' if reason else ""

    rows = "".join(f"<tr><td>{_link(r['p'].value, base, labels)}</td><td>{value(r['o'])}{why(r)}</td><td>{source(r['g'])}</td></tr>"
                   for r in out if r["p"].value not in COMPARISON_ONLY)  # day bounds are for comparing, never shown
    cited = citations(store, [iri, *(r["x"].value for r in incoming)])
    rows_cited = "".join(
        f"<tr><td>{_link(rec, base, labels)}</td><td>{_cited_document(c)}</td>"
        f"<td>{html.escape(c.get('quote', ''))}</td><td>{html.escape(c.get('locator', ''))}</td>"
        f"<td>{', '.join(html.escape(x) for x in c['src'])}</td></tr>"
        for rec in [iri, *sorted(set(cited) - {iri})] for c in cited.get(rec, []))
    cited_html = (f"<h2>Citations</h2><table><tr><th>fact</th><th>cited document</th><th>quote</th><th>where</th>"
                  f"<th>cited by source</th></tr>{rows_cited}</table>" if rows_cited else "")
    rows_in = "".join(f"<tr><td>{_link(r['x'].value, base, labels)}</td><td>{_link(r['p'].value, base, labels)}</td>"
                      f"<td>{source(r['g'])}</td></tr>" for r in incoming if not is_derived(r["g"].value))
    status_html = _status_section(store, iri) + _accountability_section(store, iri, base, labels)
    title = html.escape(labels.get(iri, iri))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}: repnet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}td{{padding:.2em .6em;vertical-align:top;border-bottom:1px solid #ddd}}
.t{{color:#777;font-size:80%}}code{{font-size:85%}}</style></head><body>
<h1>{title}</h1><p><code>{html.escape(iri)}</code> &middot; also as
<a href="?format=turtle">Turtle</a>, <a href="?format=jsonld">JSON-LD</a></p>
<h2>Facts</h2><table><tr><th>property</th><th>value</th><th>source</th></tr>{rows}</table>
{status_html}{cited_html}
<h2>Linked from</h2><table><tr><th>entity</th><th>property</th><th>source</th></tr>{rows_in}</table>
<p><a href="/">SPARQL query page</a></p></body></html>"""


def _accountability_section(store: Store, iri: str, base: str, labels: dict[str, str]) -> str:
    """A person's posts and the sanctions decisions listing the entity, each with its source."""
    e = html.escape
    held = posts(store, [iri]).get(iri, [])
    listed = sanctions(store, [iri]).get(iri, [])
    out = ""
    if held:
        out += ("<h2>Posts</h2><table><tr><th>post</th><th>at</th><th>from</th><th>to</th><th>source</th></tr>"
                + "".join(f"<tr><td>{e(p['role'])}</td><td>{_link(p['organization'], base, labels)}</td><td>{e(p['from'] or '')}</td>"
                          f"<td>{e(p['to'] or '')}</td><td>{e(p['source'])}</td></tr>" for p in held) + "</table>")
    if listed:
        out += ("<h2>Sanctions</h2><table><tr><th>authority</th><th>date</th><th>legal act</th><th>decision</th><th>delisted</th>"
                "<th>source</th></tr>"
                + "".join(f"<tr><td>{e(s['authority'] or 'not stated')}</td><td>{e(s['date'] or '')}</td><td>{e(s['act'] or '')}</td>"
                          f"<td>{_link(s['sanction'], base, labels)}</td><td>{e(s['delisted'] or '')}</td><td>{e(s['source'])}</td></tr>"
                          for s in listed) + "</table>")
    return out


def _status_section(store: Store, iri: str) -> str:
    """A person's status over time (graph/status.py), dates as their sources state them."""
    periods = stored_periods(store, [iri]).get(iri, [])
    if not periods:
        return ""
    rows = []
    for p in periods:
        status = STATUS_LABEL[p["status"]] + (" (at some times: separate terms)" if p["intermittent"] else "")
        since = p["since"] or "not stated"
        until = p["until"] or ("not stated" if p["end_lo"] or p["end_hi"] else
                               f"last known {p['last_known']}" if p["last_known"] else "")
        rows.append(f"<tr><td>{html.escape(status)}</td><td>{html.escape(since)}</td><td>{html.escape(until)}</td>"
                    f"<td>{html.escape(', '.join(p['sources']))}</td></tr>")
    return ("<h2>Status over time</h2><p>Computed from every source's detentions, releases and observations; "
            "dates as the sources state them.</p><table><tr><th>status</th><th>from</th><th>until</th><th>sources</th></tr>"
            + "".join(rows) + "</table>")


def _cited_document(c: dict[str, Any]) -> str:
    title = html.escape(c.get("title") or c.get("url") or "?")
    url = c.get("url") or ""
    if url.startswith(("http://", "https://")):
        title = f'<a href="{html.escape(url, quote=True)}" rel="noreferrer">{title}</a>'
    bits = [html.escape(x) for x in (c.get("publisher"), c.get("date")) if x]
    return title + (f" ({', '.join(bits)})" if bits else "")


def description(store: Store, accept: str | None, endpoint: str, fmt: str | None = None) -> Answer:
    """The dataset's VoID/DCAT description: an HTML page for browsers, an RDF format by Accept or ``fmt``."""
    from ..ask.describe import describe

    kind = negotiate_page(accept, fmt)
    if kind is None:
        return not_acceptable(fmt)
    triples = list(describe(store, endpoint=endpoint))
    if kind == "html":
        return Answer(200, render_description(store, triples).encode(), "text/html; charset=utf-8")
    body = ox.serialize(triples, format=RDF[kind]) or b""
    return Answer(200, body, f"{RDF[kind].media_type}; charset=utf-8")


_VOID = "http://rdfs.org/ns/void#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"


def _objects(triples: list[Any], subject: Any, predicate: str) -> list[Any]:
    """The objects of ``subject predicate ?o`` among ``triples``, in their order."""
    return [t.object for t in triples if t.subject == subject and t.predicate.value == predicate]


def _one(triples: list[Any], subject: Any, predicate: str) -> str:
    """The value of the first ``subject predicate ?o``, or ''."""
    found = _objects(triples, subject, predicate)
    return found[0].value if found else ""


def _href(url: str, text: str | None = None) -> str:
    """A link to an http(s) URL (escaped), or just the escaped text for anything else."""
    shown = html.escape(text if text is not None else url)
    if url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}" rel="noreferrer">{shown}</a>'
    return shown


def _curie(iri: str) -> str:
    """A prefixed name for an IRI under one of the repnet prefixes (``schema:Person``), else the IRI."""
    from ...ontology.namespaces import PREFIXES

    best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


def render_description(store: Store, triples: list[Any]) -> str:
    """The dataset description as a page: title, description, license, sources with their triples,
    classes with their entities, the endpoint and the dumps, all read from the VoID/DCAT ``triples``."""
    ds = next(t.subject for t in triples if t.predicate.value == _DCT + "title")
    title = html.escape(_one(triples, ds, _DCT + "title"))
    total = int(_one(triples, ds, _VOID + "triples") or 0)
    sources = {r["g"].value: r for r in store.query(_SOURCES)}
    rows_src = []
    for g in _objects(triples, ds, _VOID + "subset"):
        s = sources.get(g.value)
        named = _href(s["url"].value if s is not None and s["url"] is not None else "",
                      s["title"].value) if s is not None else ""
        pub = html.escape(s["publisher"].value) if s is not None and s["publisher"] is not None else ""
        date = html.escape(s["date"].value) if s is not None else ""
        rows_src.append(f"<tr><td><code>{html.escape(source_id(g.value))}</code></td><td>{named}</td><td>{pub}</td>"
                        f"<td>{date}</td><td class=\"n\">{int(_one(triples, g, _VOID + 'triples') or 0):,}</td></tr>")
    rows_cls = [f"<tr><td>{_href(_one(triples, part, _VOID + 'class'), _curie(_one(triples, part, _VOID + 'class')))}</td>"
                f"<td class=\"n\">{int(_one(triples, part, _VOID + 'entities') or 0):,}</td></tr>"
                for part in _objects(triples, ds, _VOID + "classPartition")]
    endpoint = _one(triples, ds, _VOID + "sparqlEndpoint")
    dumps = "".join(f"<li>{_href(d.value)}</li>" for d in _objects(triples, ds, _VOID + "dataDump"))
    dumps_html = (f"<ul>{dumps}</ul>" if dumps else "<p>This endpoint publishes no dumps; <code>repnet export trig "
                  "-o repnet.trig</code> writes one (with this description) from the same store.</p>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}td,th{{padding:.2em .6em;vertical-align:top;border-bottom:1px solid #ddd;text-align:left}}
.n{{text-align:right}}code{{font-size:85%}}</style></head><body>
<h1>{title}</h1>
<p>{html.escape(_one(triples, ds, _DCT + "description"))}</p>
<table>
<tr><th>dataset</th><td><code>{html.escape(ds.value)}</code></td></tr>
<tr><th>license</th><td>{_href(_one(triples, ds, _DCT + "license"))}</td></tr>
<tr><th>modified</th><td>{html.escape(_one(triples, ds, _DCT + "modified"))}</td></tr>
<tr><th>access</th><td>{html.escape(_one(triples, ds, _DCT + "accessRights").rsplit("/", 1)[-1])}</td></tr>
<tr><th>triples</th><td>{total:,}</td></tr>
<tr><th>SPARQL endpoint</th><td>{_href(endpoint) if endpoint else "none stated"}</td></tr>
</table>
<p>Also as <a href="?format=turtle">Turtle</a>, <a href="?format=jsonld">JSON-LD</a>,
<a href="?format=ntriples">N-Triples</a>.</p>
<h2>Sources</h2><table><tr><th>graph</th><th>source</th><th>publisher</th><th>date</th><th class="n">triples</th></tr>
{"".join(rows_src)}</table>
<h2>Entities by class</h2><table><tr><th>class</th><th class="n">entities</th></tr>{"".join(rows_cls)}</table>
<h2>Dumps</h2>{dumps_html}
<p><a href="/">SPARQL query page</a></p></body></html>"""
