"""Linked-data exports: RDF in six formats (streamed), readable JSON-LD, and CSV tables.

Every export reads the store through its visible graphs, so a store opened public (the default)
never exports a restricted fact. Formats that hold named graphs (TriG, N-Quads, JSON-LD) keep
one graph per source; the triple formats (Turtle, N-Triples, RDF/XML) hold the merge of the
graphs. The dataset description (VoID + DCAT) is added as its own graph, ``<base>graph/description``,
or merged into the triple formats.
"""

from __future__ import annotations

import functools
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ...ontology.namespaces import PREFIXES, XSD, data_prefixes
from ...ontology.namespaces import RDF as RDF_NS
from ...ontology.resources import read_text
from ..files import atomic_output, output_directory
from ..formats import RDF
from ..iris import base_of, graph_iri
from ..progress import Progress
from ..store.base import Store
from ..store.embedded import EmbeddedStore
from ..terms import value_of

CSV_TABLES = ("persons", "sentences", "detentions", "releases", "sources")


def dataset_quads(store: Store, description: bool = True, **describe_args: Any) -> Iterator[ox.Quad]:
    """The visible quads, then (optionally) the dataset description in its own graph."""
    yield from store.quads()
    if description:
        from ..ask.describe import describe

        g = ox.NamedNode(graph_iri(base_of(store.named_graphs()), part="description"))
        for t in describe(store, **describe_args):
            yield ox.Quad(t.subject, t.predicate, t.object, g)


def prefixes_for(store: Store) -> dict[str, str]:
    return {**PREFIXES, **data_prefixes(base_of(store.named_graphs()))}


def export_rdf(store: Store, fmt: str, out: IO[bytes], description: bool = True,
               progress: Progress | None = None, **describe_args: Any) -> int:
    """Write the dataset to ``out`` in ``fmt``; returns the number of quads (or triples) written.

    ``progress("writing quads", done, total)`` is called every :data:`PROGRESS_EVERY` quads, the
    total being the store's visible quads (the description adds a few more).
    """
    if fmt in NATIVE and isinstance(store, EmbeddedStore):
        return export_native(store, fmt, out, description, progress, **describe_args)
    rdf_format, quads_ok = RDF[fmt], RDF[fmt].supports_datasets
    counter = _Counter(dataset_quads(store, description, **describe_args), progress, len(store) if progress else None)
    if fmt == "jsonld":
        write_jsonld(counter, out, prefixes_for(store))
    elif quads_ok:
        ox.serialize(counter, output=out, format=rdf_format, prefixes=prefixes_for(store) if fmt == "trig" else None)
    else:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in counter)
        ox.serialize(triples, output=out, format=rdf_format,
                     prefixes=prefixes_for(store) if fmt in ("turtle", "rdfxml") else None)
    return counter.n


PROGRESS_EVERY = 10_000

# ------------------------------------------------------------------ N-Quads and TriG by Oxigraph's own dumps
# Streaming millions of quads through Python costs about 15 microseconds each (TriG: 56 s at 100,000
# persons); Oxigraph dumps a graph in a fraction of that. It dumps named graphs only as a whole
# dataset (restricted graphs included), so each visible graph is dumped on its own as triples and
# given its graph name here: N-Triples lines get the name before their final " .", which is exact
# because N-Triples escapes every line break inside a literal; Turtle gets wrapped in a TriG block
# ``<g> { ... }`` after its prefix lines are moved to the top (TriG allows them only there).
NATIVE = ("nquads", "trig")
_CHUNK = 1 << 24


def export_native(store: EmbeddedStore, fmt: str, out: IO[bytes], description: bool = True,
                  progress: Progress | None = None, **describe_args: Any) -> int:
    """:func:`export_rdf` for N-Quads and TriG from an embedded store; the same quads."""
    sizes = store.graph_sizes()
    total, done = sum(sizes.values()), 0
    prefixes = prefixes_for(store) if fmt == "trig" else None
    if prefixes:
        out.write("".join(f"@prefix {p}: {ox.NamedNode(ns)} .\n" for p, ns in prefixes.items()).encode())
    for g in store.visible_graphs():
        if not sizes.get(g):
            continue
        with tempfile.TemporaryFile() as tmp:
            store.dump_graph(g, tmp, ox.RdfFormat.TURTLE if prefixes else ox.RdfFormat.N_TRIPLES, prefixes)
            tmp.seek(0)
            _named(tmp, out, g, block=bool(prefixes))
        done += sizes[g]
        if progress is not None:
            progress("writing quads", done, total)
    if description:
        from ..ask.describe import describe

        g = graph_iri(base_of(store.named_graphs()), part="description")
        triples = list(describe(store, **describe_args))
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE if prefixes else ox.RdfFormat.N_TRIPLES,
                            prefixes=prefixes)
        _named(io.BytesIO(data or b""), out, g, block=bool(prefixes))
        done += len(triples)
    if progress is not None:
        progress("writing quads", done, max(done, total))
    return done


def _named(src: IO[bytes], out: IO[bytes], graph: str, block: bool) -> None:
    """Copy one graph's dump from ``src`` into ``out`` under the name ``graph``: N-Triples as
    N-Quads lines, or (``block``) Turtle without its prefix lines as a TriG graph block."""
    name = str(ox.NamedNode(graph)).encode()
    rest, started = b"", False
    while data := src.read(_CHUNK):
        data = rest + data
        cut = data.rfind(b"\n") + 1
        whole, rest = data[:cut], data[cut:]
        if block:
            if not started:
                while whole.startswith((b"@prefix ", b"PREFIX ")):
                    whole = whole[whole.index(b"\n") + 1:]
                if not whole.strip():
                    continue  # only prefix lines so far
                out.write(name + b" {\n")
                started = True
            out.write(whole)
        else:
            out.write(whole.replace(b" .\n", b" " + name + b" .\n"))
    if rest.strip():
        raise ValueError(f"the dump of {graph} does not end with a line break")
    if started:
        out.write(b"}\n")


class _Counter:
    """Counts the quads passing through, and reports them to ``progress``."""

    def __init__(self, it: Iterable[ox.Quad], progress: Progress | None = None, total: int | None = None):
        self.it = iter(it)
        self.n = 0
        self.progress, self.total = progress, total

    def __iter__(self) -> Iterator[ox.Quad]:
        for q in self.it:
            self.n += 1
            if self.progress is not None and self.n % PROGRESS_EVERY == 0:
                self.progress("writing quads", self.n, self.total)
            yield q
        if self.progress is not None:
            self.progress("writing quads", self.n, max(self.n, self.total or 0))


# ------------------------------------------------------------------ JSON-LD, compacted by hand, streamed
@functools.cache
def context() -> dict[str, Any]:
    """The project's JSON-LD context (ontology/context.jsonld)."""
    return json.loads(read_text("context.jsonld"))["@context"]


@functools.cache
def _terms() -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], dict[str, str]]:
    """Property IRI -> its terms [(term, definition), ...] in context order, and the context's prefixes.

    An IRI may have several terms, e.g. ``publisher`` (an organization's IRI) and ``publisherName``
    (a cited document's publisher as text): a value takes the first term whose coercion fits it.
    """
    ctx = context()
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and not k.startswith("@") and v.endswith(("/", "#"))}

    def expand(v: str) -> str:
        p, _, local = v.partition(":")
        return prefixes[p] + local if p in prefixes else v

    terms: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for k, v in ctx.items():
        if k.startswith("@") or k in prefixes:
            continue
        d = {"@id": v} if isinstance(v, str) else dict(v)
        d.setdefault("@id", k)  # a compact-IRI term ("ftm:Sanction:entity") names its own IRI
        if d["@id"].startswith("@"):
            continue
        iri = expand(d["@id"])
        d = {**d, "@type": expand(d["@type"]) if "@type" in d and d["@type"] != "@id" else d.get("@type")}
        terms.setdefault(iri, []).append((k, d))
    return terms, prefixes


class Curies:
    """IRI -> its CURIE under the longest namespace in ``prefixes`` it extends (else the IRI itself).

    Called for every IRI of an export: namespaces that end with "/" or "#" (all of ours) are found
    by trying the IRI's own cut points from the right, a dictionary lookup each, instead of
    testing every namespace."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes
        self.by_ns: dict[str, str] = {}
        for p, ns in prefixes.items():
            self.by_ns.setdefault(ns, p)
        self.odd = any(not ns.endswith(("/", "#")) for ns in prefixes.values())
        self.known: dict[str, str] = {}  # the few IRIs that recur (properties, classes, datatypes)

    def recurring(self, iri: str) -> str:
        """:meth:`__call__` remembered: for properties, classes and datatypes, not for every node."""
        found = self.known.get(iri)
        if found is None:
            found = self.known[iri] = self(iri)
        return found

    def __call__(self, iri: str) -> str:
        best = None
        if self.odd:
            best = max((ns for ns in self.prefixes.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len,
                       default=None)
        else:
            end = len(iri) - 1  # a namespace must leave a non-empty local part
            while end > 0:
                cut = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
                if cut < 0:
                    break
                if iri[:cut + 1] in self.by_ns:
                    best = iri[:cut + 1]
                    break
                end = cut
        if best is None:
            return iri
        local = iri[len(best):]
        if local.startswith("//"):
            return iri
        return self.by_ns[best] + ":" + local


_NO_FIT = object()
_RDF_TYPE = str(RDF_NS.type)
_XSD_STRING = str(XSD.string)


def _compact_value(o: Any, d: dict[str, Any], curie: Curies) -> Any:
    """The compacted JSON value of ``o`` under a term definition ``d`` ({} for a CURIE key)."""
    coerce, container = d.get("@type"), d.get("@container")
    if isinstance(o, ox.Literal):
        if container == "@language":
            return (o.language, o.value) if o.language else _NO_FIT
        if coerce == "@id":
            return _NO_FIT
        if coerce is not None:
            return o.value if o.datatype.value == coerce and not o.language else _NO_FIT
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if o.datatype.value == _XSD_STRING:
            return o.value
        return {"@value": o.value, "@type": curie.recurring(o.datatype.value)}
    if container is not None or (coerce is not None and coerce != "@id"):
        return _NO_FIT
    ref = curie(o.value)
    return ref if coerce == "@id" else {"@id": ref}


def _node_object(subject: str, pos: list[tuple[Any, Any]], curie: Curies) -> dict[str, Any]:
    terms, _ = _terms()
    node: dict[str, Any] = {"id": curie(subject)}
    for p, o in pos:
        piri = p.value
        if piri == _RDF_TYPE:
            node.setdefault("type", []).append(curie.recurring(o.value))
            continue
        value = _NO_FIT
        for key, d in terms.get(piri, ()):  # noqa: B007 (the term that fits is used after the loop)
            value = _compact_value(o, d, curie)
            if value is not _NO_FIT:
                break
        if value is _NO_FIT:  # no term's coercion or container fits this value: use the CURIE
            key, d = curie.recurring(piri), {}
            value = _compact_value(o, d, curie)
        if isinstance(value, tuple):  # a language-map entry
            node.setdefault(key, {}).setdefault(value[0], []).append(value[1])
            continue
        node.setdefault(key, []).append(value)
    for k, v in list(node.items()):
        if isinstance(v, list) and len(v) == 1:
            node[k] = v[0]
        elif isinstance(v, dict) and all(isinstance(x, list) for x in v.values()):
            node[k] = {lang: xs[0] if len(xs) == 1 else xs for lang, xs in v.items()}
    return node


def write_jsonld(quads: Iterable[ox.Quad], out: IO[bytes], prefixes: dict[str, str]) -> None:
    """Stream quads as JSON-LD compacted with the project's context (inlined, so it parses offline).

    Quads must come grouped by graph and subject, as the store returns them per graph.
    """
    ctx = dict(context())
    for p, ns in prefixes.items():  # a store under another base gets its own data prefixes
        if ctx.get(p) != ns and p not in PREFIXES:
            ctx[p] = ns
    curie = Curies(prefixes)
    w = out.write
    w(b'{\n  "@context": ' + json.dumps(ctx, ensure_ascii=False).encode() + b',\n  "@graph": [')
    first_graph, graph, subject, pos = True, None, None, []  # type: ignore[var-annotated]
    first_node = True

    def flush_node() -> None:
        nonlocal first_node
        if subject is not None:
            w((b"" if first_node else b",") + b"\n      " +
              json.dumps(_node_object(subject, pos, curie), ensure_ascii=False).encode())
            first_node = False

    for q in quads:
        g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        if g != graph:
            flush_node()
            if graph is not None or not first_graph:
                w(b"\n    ]}")
            w((b"" if first_graph else b",") + b'\n    {"id": ' + json.dumps(curie(g or "")).encode() + b', "@graph": [')
            first_graph, graph, subject, pos, first_node = False, g, None, [], True
        if value_of(q.subject) != subject:
            flush_node()
            subject, pos = value_of(q.subject), []
        pos.append((q.predicate, q.object))
    flush_node()
    if not first_graph:
        w(b"\n    ]}")
    w(b"\n  ]\n}\n")


# ------------------------------------------------------------------ CSV tables
def export_csv(store: Store, directory: Path, raw: bool = False) -> dict[str, int]:
    """Write persons.csv, sentences.csv, detentions.csv, releases.csv and sources.csv; rows per table.

    Cells a spreadsheet would evaluate are neutralised unless ``raw`` (:mod:`repnet.graph.csvsafe`).
    The directory is created if missing; each file is written whole or not at all
    (:mod:`repnet.graph.files`), and a directory that cannot be written is a UsageError naming it."""
    from ..ask import query as q
    from ..csvsafe import Writer
    from ..terms import to_json

    directory = output_directory(directory)
    counts = {}
    for name in CSV_TABLES:
        saved = q.saved_queries()[name]
        columns, rows = q.rows_of(q.execute(store, q.prepare(store, saved.text, {}, saved)))
        with atomic_output(directory / f"{name}.csv", newline="") as fh:
            wr = Writer(fh, raw)
            wr.writerow(columns)
            for r in rows:
                wr.writerow(["" if r[c] is None else to_json(r[c]) for c in columns])
        counts[name] = len(rows)
    return counts
