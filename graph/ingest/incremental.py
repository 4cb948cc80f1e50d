"""Incremental builds: a new generation from the current one and the source files that changed.

A full build leaves in its generation a build cache (``build-cache.pickle``): for each source its
file's path and hash, the ids it defines and mentions, its description in the metadata graph, and
what the derivation read from it (status evidence, labels). The next build hashes the files and
reads and converts only those that changed; if none of the rest refers to an id whose type or
public-ness changed, it copies the current generation (a RocksDB checkpoint of hard links) and
edits the copy in place:

- the changed sources' own graphs (``graph/<id>``, ``graph/<id>/restricted``) and the metadata
  graph are brought to what a full build writes, by the difference of their N-Triples lines;
- derived data is recomputed only where it can change: the changed sources' views, and in the
  all-sources graph the persons with evidence in a changed source or whose facility or own label
  changed (periods are a function of a person's evidence and those labels), old and new
  computed from the cached inputs and applied as a difference; the same-as graph is recomputed;
- validation runs the per-source checks of the graphs that changed, and the checks across sources
  on the focus nodes a change can reach (nodes whose triples changed, the nodes that refer to them,
  the objects of changed target-defining triples), each with its whole neighbourhood, in memory;
  changed triples that no check across sources can match (by the predicates and classes of their
  queries' triple patterns, :func:`repnet.graph.ingest.shacl.reads`) are left out;
  any violation runs the full validation of the new generation for the usual report;
- the day index and the cache are rewritten.

Anything the shortcut cannot decide as the full build would (no cache, another repnet version or
base, over half the sources changed, a problem in a changed source, a reference from an unchanged
source to a changed id, blank nodes, an engine other than ``fast``) makes :func:`try_incremental`
return None, and the caller runs the full build. The result is the full build's store (tested:
every graph equal).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import threading
import time
from collections.abc import Container, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ORG, RDF, SKOS
from ...ontology.resources import shapes_text
from ..ask import dayindex
from ..ask.status import Evidence, Names, evidence, evidence_key, graph_documents, merged, names_by_graph, scope_meta_quads, scope_triples
from ..errors import ValidationFailed
from ..iris import graph_iri, is_derived
from ..progress import Progress
from ..store.embedded import EmbeddedStore
from ..store.layout import current_path, replace_store, resolve
from . import records
from .dataset import Dataset, load_dataset, vocabulary_quads
from .match import same_as_quads
from .shacl import Reads, packaged_checks, reads, run_checks
from .sources import Source, default_paths, expand_paths, read_source
from .validate import locations, source_scopes, validate_store

CACHE_DIR = "build-cache"
MANIFEST = "manifest.pickle"
CACHE_FORMAT = 1
MAX_CHANGED = 0.5  # above this share of changed sources, a full build
FOCUS_LIMIT = 10_000  # above this many focus nodes, the checks across sources run on the whole store
_TYPE = ox.NamedNode(str(RDF.type))


@dataclass
class SourceState:
    """What the next build needs to know of one source without reading its file."""

    sid: str
    path: str  # the file, resolved
    sha256: str
    types: dict[str, str]  # ids it defines -> type
    public: set[str]  # of those, the ids with a public record
    mentions: set[str]  # ids of the whole set that appear anywhere in it (its references among them)
    shared: bytes  # N-Quads of its quads outside its own graphs (its description in the metadata graph)
    records: int
    persons: set[str]  # the persons its public graphs give status evidence of
    docs: dict[str, str]  # its public graphs -> its document IRI


@dataclass
class BuildCache:
    fingerprint: str
    sources: dict[str, SourceState]  # in the order of the build's files
    quads: int


@dataclass
class DeriveInputs:
    """What the full build's derivation read, kept for the cache."""

    items: list[Evidence] = field(default_factory=list)
    by_graph: dict[str, Names] = field(default_factory=dict)
    docs: dict[str, str] = field(default_factory=dict)
    held: list[tuple[str, str]] | None = None  # the held days derived (for the day index), until it is written


@functools.cache
def _code_digest() -> str:
    """A digest of the code and schema files: another repnet (or an edited one) builds afresh."""
    h = hashlib.sha256(str(CACHE_FORMAT).encode())
    root = Path(__file__).resolve().parents[2]
    for p in sorted([*root.joinpath("graph").rglob("*.py"), *root.joinpath("ontology").rglob("*")]):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def fingerprint(base: str) -> str:
    return hashlib.sha256(f"{_code_digest()}\n{base}".encode()).hexdigest()


def own_graphs(base: str, sid: str) -> tuple[str, str]:
    return graph_iri(base, sid), graph_iri(base, sid, "restricted")


def read_cache(generation: Path) -> BuildCache | None:
    try:
        with (generation / CACHE_DIR / MANIFEST).open("rb") as f:
            cache = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return cache if isinstance(cache, BuildCache) else None


def _dump(obj: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def write_cache(generation: Path, cache: BuildCache, evidence: dict[str, list[Evidence]],
                reuse: Path | None = None) -> None:
    """Write the cache into a generation: the manifest, and each source's evidence (``evidence``
    by source id; the others linked from the cache directory ``reuse``)."""
    d = generation / CACHE_DIR
    d.mkdir(exist_ok=True)
    for sid in cache.sources:
        target = d / f"{sid}.pickle"
        if sid in evidence:
            _dump(evidence[sid], target)
        else:
            assert reuse is not None
            try:
                os.link(reuse / f"{sid}.pickle", target)
            except OSError:
                shutil.copyfile(reuse / f"{sid}.pickle", target)
    _dump(cache, d / MANIFEST)


def read_evidence(generation: Path, sid: str) -> list[Evidence]:
    with (generation / CACHE_DIR / f"{sid}.pickle").open("rb") as f:
        out: list[Evidence] = pickle.load(f)
    return out


def _shared_quads(src: Source, base: str, restricted_used: bool) -> bytes:
    own = tuple(f" <{g}> .\n" for g in own_graphs(base, src.id))  # the lines in the source's own graphs
    return "".join(line for line in records.source_lines(src, records.Minter(base), restricted_used)
                   if not line.endswith(own)).encode()


def _state(src: Source, base: str, ids: Container[str], restricted_used: bool, items: list[Evidence],
           docs: dict[str, str], defined: tuple[dict[str, str], set[str]]) -> SourceState:
    """What the cache keeps of one source; ``defined`` its :func:`records.defined_ids`."""
    doc = f"{base}id/source/{src.id}"
    types, public = defined
    return SourceState(src.id, str(Path(src.path).resolve()), src.sha256, types, public, records.mentioned_ids(src, ids),
                       _shared_quads(src, base, restricted_used), len(src.records), {ev.person for ev in items},
                       {g: d for g, d in docs.items() if d == doc})


def write_full_cache(generation: Path, ds: Dataset, store: ox.Store, inputs: DeriveInputs, quads: int) -> None:
    """The cache of a full build of ``ds`` into ``store`` (the generation ``generation``)."""
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    defined = {src.id: records.defined_ids(src) for src in ds.sources}
    ids = {rid for types, _ in defined.values() for rid in types}
    by_doc: dict[str, list[Evidence]] = {}
    for ev in inputs.items:
        by_doc.setdefault(ev.source, []).append(ev)
    states, evidence_of = {}, {}
    for src in ds.sources:
        evs = by_doc.get(f"{ds.base}id/source/{src.id}", [])
        states[src.id] = _state(src, ds.base, ids, own_graphs(ds.base, src.id)[1] in graphs, evs, inputs.docs,
                                defined[src.id])
        evidence_of[src.id] = evs
    write_cache(generation, BuildCache(fingerprint(ds.base), states, quads), evidence_of)


# ----------------------------------------------------------------------------- graph edits
def _gname(q: ox.Quad) -> str:
    """The IRI of a quad's graph ("" for the default graph)."""
    return q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""


def _lines(data: bytes | None) -> set[bytes]:
    return set((data or b"").splitlines())


def _triples(quads: Iterable[ox.Quad]) -> set[bytes]:
    return _lines(ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES))


def _dumped(generation: Path, graphs: list[str]) -> Future[dict[str, set[bytes]]]:
    """The N-Triples lines of each of ``graphs`` in a generation, dumped on a thread."""
    def dump() -> dict[str, set[bytes]]:
        store = ox.Store.read_only(str(generation))
        return {g: _lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))) for g in graphs}

    pool = ThreadPoolExecutor(1, thread_name_prefix="repnet-dump")
    try:
        return pool.submit(dump)
    finally:
        pool.shutdown(wait=False)  # the dump goes on; its result is waited for where it is used


class Editor:
    """Edits of one store generation, graph by graph, remembering every triple removed or added."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.removed: dict[str, set[bytes]] = {}
        self.added: dict[str, set[bytes]] = {}

    def current(self, g: str) -> set[bytes]:
        return _lines(self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)))

    def apply(self, g: str, remove: set[bytes], add: set[bytes]) -> None:
        if remove:
            body = b"\n".join(remove).decode()
            self.store.update(f"DELETE DATA {{ GRAPH <{g}> {{\n{body}\n}} }}")
            self.removed.setdefault(g, set()).update(remove)
        if add:
            self.store.bulk_load(input=b"\n".join(add) + b"\n", format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g))
            self.added.setdefault(g, set()).update(add)

    def sync(self, g: str, desired: set[bytes], have: set[bytes] | None = None) -> None:
        """Make graph ``g`` hold exactly ``desired`` (N-Triples lines); ``have``, when given, is
        what it holds now."""
        have = self.current(g) if have is None else have
        self.apply(g, have - desired, desired - have)
        if not desired and ox.NamedNode(g) in set(self.store.named_graphs()):
            self.store.remove_graph(ox.NamedNode(g))

    @property
    def changed_graphs(self) -> set[str]:
        return {g for g, s in [*self.removed.items(), *self.added.items()] if s}

    def count(self) -> int:
        return sum(map(len, self.added.values())) - sum(map(len, self.removed.values()))

    def delta(self, read: Reads | None = None) -> Iterator[ox.Triple]:
        """The triples removed and added; with ``read``, only those it matches (lines are picked
        by their predicate before parsing: most of a large edit is periods no check reads)."""
        wanted = None if read is None or read.predicates is None else {f"<{p}>".encode() for p in read.predicates}
        for part in (self.removed, self.added):
            for lines in part.values():
                picked = [x for x in lines if x.split(b" ", 2)[1] in wanted] if wanted is not None else lines
                if picked:
                    ts = ox.parse(b"\n".join(picked), format=ox.RdfFormat.N_TRIPLES)
                    yield from (ts if read is None else filter(read.matches, ts))


# ----------------------------------------------------------------------------- validation
@functools.cache
def _object_targets() -> frozenset[str]:
    """Predicates whose objects are focus nodes of a check across sources (sh:targetObjectsOf)."""
    from rdflib import Graph
    from rdflib.namespace import SH

    g = Graph().parse(data=shapes_text(), format="turtle")
    across = {c.shape for c in packaged_checks() if c.across}
    return frozenset(str(p) for s in across for p in g.objects(ox_ref(s), SH.targetObjectsOf))


def ox_ref(iri: str) -> Any:
    from rdflib import URIRef

    return URIRef(iri)


def focus_nodes(store: ox.Store, delta: Iterable[ox.Triple], limit: int | None = None) -> set[ox.NamedNode] | None:
    """The nodes whose checks across sources a change of ``delta`` can affect; None as soon as they
    are more than ``limit`` (the caller then checks the whole store: looking up what refers to
    each of 53,731 changed nodes took 4.5 s at 100,000 persons, before a whole check of 4.6 s)."""
    objects_of = _object_targets()
    subjects: set[Any] = set()
    out: set[Any] = set()
    for t in delta:
        subjects.add(t.subject)
        if t.predicate.value in objects_of and isinstance(t.object, ox.NamedNode):
            out.add(t.object)
    out = {n for n in out | subjects if isinstance(n, ox.NamedNode)}
    if limit is not None and len(out) > limit:
        return None
    for y in subjects:  # what refers to a node whose description changed (its type, its labels)
        out.update(q.subject for q in store.quads_for_pattern(None, None, y) if isinstance(q.subject, ox.NamedNode))
        if limit is not None and len(out) > limit:
            return None
    return out


def neighbourhood(store: ox.Store, focus: set[ox.NamedNode]) -> ox.Store:
    """An in-memory store with every quad about the focus nodes, the quads of the target-defining
    predicates that point at them, and the types of the nodes they point at."""
    objects_of = [ox.NamedNode(p) for p in sorted(_object_targets())]
    quads: list[ox.Quad] = []
    values: set[Any] = set()
    for f in focus:
        for q in store.quads_for_pattern(f, None, None):
            quads.append(q)
            if isinstance(q.object, ox.NamedNode):
                values.add(q.object)
        for p in objects_of:
            quads.extend(store.quads_for_pattern(None, p, f))
    for v in values - focus:
        quads.extend(store.quads_for_pattern(v, _TYPE, None))
    out = ox.Store()
    out.extend(quads)
    return out


# ----------------------------------------------------------------------------- derivation
def _by_person(evs: list[Evidence]) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = {}
    for ev in sorted(evs, key=evidence_key):
        out.setdefault(ev.person, []).append(ev)
    return out


def _scope_triples(doc: str, evs: list[Evidence], names: dict[str, Names], base: str,
                   persons: set[str] | None) -> set[bytes]:
    """The derived triples of one scope (its graph's, without metadata) for ``persons``, from
    ``evs`` (their evidence in that scope) and ``names`` (one entry: the labels the scope reads)."""
    return {f"{t} .".encode() for t in scope_triples(doc, sorted(evs, key=evidence_key), names, {"": doc}, base, persons)}


_PREF = ox.NamedNode(f"{SKOS}prefLabel")
_SITE = ox.NamedNode(f"{ORG}Site")


def names_for(store: ox.Store, graphs: set[str], iris: set[str]) -> Names:
    """The names :func:`repnet.graph.ask.status.names_by_graph` reads, merged over ``graphs``,
    for ``iris`` only: their smallest English preferred label and whether each is a facility."""
    out = Names()
    for x in iris:
        n = ox.NamedNode(x)
        for q in store.quads_for_pattern(n, _PREF, None):
            o = q.object
            if _gname(q) in graphs and isinstance(o, ox.Literal) and o.language == "en":
                out.labels[x] = min(o.value, out.labels.get(x, o.value))
        if any(_gname(q) in graphs for q in store.quads_for_pattern(n, _TYPE, _SITE)):
            out.sites.add(x)
    return out


def names_for_generation(generation: Path, graphs: set[str], iris: set[str]) -> Names:
    """:func:`names_for` in another (read-only) generation."""
    if not iris:
        return Names()
    return names_for(ox.Store.read_only(str(generation)), graphs, iris)


def _union(*parts: Names) -> Names:
    return merged(list(parts))


# ----------------------------------------------------------------------------- the build
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class BuildResult:
    """What a build did, full or incremental (:func:`repnet.graph.ingest.build.build` returns it)."""

    store: Path
    sources: int
    records: int
    quads: int
    seconds_read: float  # reading the sources (an incremental build: also checking and converting the changed ones)
    seconds_load_validate: float  # the rest: a full build checks the records while they load
    seconds_validate: float = 0.0
    changed: int | None = None  # an incremental build: the sources read again (None: a full build)
    removed: int = 0  # an incremental build: the sources no longer given

    @property
    def incremental(self) -> bool:
        return self.changed is not None


def try_incremental(paths: Iterable[str | Path] | None, store: Any, base: str, engine: str,
                    progress: Progress | None) -> BuildResult | None:
    """The build of :func:`repnet.graph.ingest.build.build` as an edit of the current generation,
    or None when it must be a full build (see the module's docstring). Raises what the full build
    raises for the same files when the new generation does not validate."""
    if engine != "fast":
        return None
    root = resolve(store)
    prev = current_path(root)
    cache = read_cache(prev) if prev is not None else None
    if prev is None or cache is None or cache.fingerprint != fingerprint(base):
        return None
    t0 = time.perf_counter()
    paths = list(paths) if paths else None
    files = expand_paths(paths) if paths else default_paths()
    if not files:
        return None
    by_sha = {st.sha256: st for st in cache.sources.values()}  # a file's content makes its quads, wherever it is
    kept: list[SourceState] = []
    sid_of: dict[str, str] = {}
    changed_files: list[Path] = []
    if progress:
        progress("reading files", 0, len(files))
    for k, f in enumerate(files, 1):
        st = by_sha.get(_sha256(Path(f)))
        if st is not None:
            kept.append(st)
            sid_of[str(f)] = st.sid
        else:
            changed_files.append(Path(f))
        if progress:
            progress("reading files", k, len(files))
    if len(changed_files) > MAX_CHANGED * len(files):
        return None
    try:
        new = [read_source(f) for f in changed_files]
    except Exception:
        return None  # the full build reports it
    sid_of.update({str(f): src.id for f, src in zip(changed_files, new, strict=True)})
    n_rec = sum(len(s.records) for s in new)
    if progress:
        progress("checking records", 0, n_rec)
    kept_ids = {st.sid for st in kept}
    if len(kept_ids) != len(kept) or any(s.id in kept_ids for s in new):
        return None
    # the unchanged sources were checked together before: their ids agree (first definition wins)
    known_types: dict[str, str] = {}
    for st in reversed(kept):
        known_types.update(st.types)
    known_public: set[str] = set().union(*(st.public for st in kept))
    # the changed sources are turned into N-Quads (on the full build's forked workers, loaded by a
    # thread into a scratch store) while this thread checks them; a failed check discards the work
    tmp = ox.Store()
    batches = Dataset(new, base).nquads_batches()
    failed: list[BaseException] = []

    def convert() -> None:
        try:
            for data, _ in batches:
                tmp.bulk_load(input=data, format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            failed.append(e)

    worker = threading.Thread(target=convert, name="repnet-convert", daemon=True)
    worker.start()
    try:
        idx = records.check_changed(new, known_types, known_public)
    except BaseException:
        worker.join()  # (the workers' pool stops when its batches end)
        raise
    if idx is None:
        worker.join()
        return None
    # ids whose type or public-ness in the whole set can have changed: those the touched sources define
    gone = [sid for sid in cache.sources if sid not in kept_ids]  # changed or removed
    defined_new = [records.defined_ids(src) for src in new]
    candidates = set().union(*(cache.sources[sid].types.keys() for sid in gone), *(t.keys() for t, _ in defined_new))

    def entries(states: list[tuple[dict[str, str], set[str]]]) -> dict[str, tuple[str, bool]]:
        types: dict[str, str] = {}
        public: set[str] = set()
        for t, p in states:
            for rid in candidates & t.keys():
                types.setdefault(rid, t[rid])
            public |= candidates & p
        return {rid: (ty, rid in public) for rid, ty in types.items()}

    old_entries = entries([(st.types, st.public) for st in cache.sources.values()])
    new_entries = entries([*((st.types, st.public) for st in kept), *defined_new])
    moved = {rid for rid in candidates if old_entries.get(rid) != new_entries.get(rid)}
    if any(st.mentions & moved for st in kept):
        worker.join()
        return None  # an unchanged source may now fail its checks: the full check says
    if progress:
        progress("checking records", n_rec, n_rec)
        progress("loading records", 0, n_rec)
    worker.join()
    if failed:
        raise failed[0]
    if progress:
        progress("loading records", n_rec, n_rec)
    # convert the changed sources, and read what derivation reads from each (from its quads alone)
    ids = idx.types  # every id of the set
    defined_of = {src.id: d for src, d in zip(new, defined_new, strict=True)}
    converted: dict[str, tuple[Source, dict[str, set[bytes]], list[Evidence], Names]] = {}
    new_states: dict[str, SourceState] = {}
    if tmp.query("ASK { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"):
        return None
    # the old contents of the graphs the edit replaces, dumped from the current generation on a
    # thread (Oxigraph holds no GIL while it dumps) while this one reads the converted sources
    replaced = _dumped(prev, [g for sid in cache.sources if sid not in kept_ids for g in own_graphs(base, sid)])
    in_tmp = {g.value for g in tmp.named_graphs() if isinstance(g, ox.NamedNode)}
    for src in new:
        own = own_graphs(base, src.id)
        lines = {g: _lines(tmp.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))) if g in in_tmp else set()
                 for g in own}
        pub = [own[0]] if src.meta.get("restricted") is not True else []
        ev = evidence(tmp, pub) if pub else []
        docs = graph_documents(tmp, pub) if pub else {}
        converted[src.id] = (src, lines, ev, merged(list(names_by_graph(tmp, pub).values())) if pub else Names())
        new_states[src.id] = _state(src, base, ids, own[1] in in_tmp, ev, docs, defined_of[src.id])
    t_read = time.perf_counter() - t0
    order = [sid_of[str(f)] for f in files]
    states = {sid: new_states.get(sid) or cache.sources[sid] for sid in order}
    cache_dir = prev / CACHE_DIR
    old_ev = {sid: read_evidence(prev, sid) for sid in gone}
    state: dict[str, Any] = {}

    def update(es: EmbeddedStore) -> int:
        s = es.oxigraph
        ed = Editor(s)
        meta_g = graph_iri(base, part="meta")
        same_g = graph_iri(base, part="same-as")
        # before any edit: what derivation read from the old generation
        source_graphs = {g for st in cache.sources.values() for g in st.docs}
        old_public = {g for g in EmbeddedStore(s, public_only=True).visible_graphs() if not is_derived(g) and g != same_g}
        other = old_public - source_graphs  # the vocabulary and metadata graphs
        new_public = other | {g for st in states.values() for g in st.docs}
        old_names = {sid: merged(list(names_by_graph(s, sorted(cache.sources[sid].docs)).values())) for sid in gone}
        touched = sorted(set(gone) | set(converted))
        # persons whose periods can change: their evidence in a touched source changed, or a label
        # the periods print (their own, their facility's) or a facility's being one
        before = {sid: old_ev.get(sid, []) for sid in touched}
        after = {sid: converted[sid][2] if sid in converted else [] for sid in touched}
        n_before = {sid: old_names.get(sid, Names()) for sid in touched}
        n_after = {sid: converted[sid][3] if sid in converted else Names() for sid in touched}
        relabelled: set[str] = set()
        for sid in touched:
            a, b = n_before[sid], n_after[sid]
            relabelled |= {x for x in a.labels.keys() | b.labels.keys() if a.labels.get(x) != b.labels.get(x)}
            relabelled |= a.sites ^ b.sites
        changed: dict[str, set[str]] = {}
        for sid in touched:
            x, y = _by_person(before[sid]), _by_person(after[sid])
            changed[sid] = {p for p in x.keys() | y.keys() if x.get(p) != y.get(p)}
            changed[sid] |= {ev.person for ev in (*before[sid], *after[sid]) if ev.person in relabelled or ev.facility in relabelled}
        persons = set().union(*changed.values()) | relabelled
        site = ox.NamedNode(f"{ORG}Site")
        if any(_gname(q) in old_public for x in relabelled for q in s.quads_for_pattern(ox.NamedNode(x), _TYPE, site)) \
                or any(x in n_after[sid].sites for sid in touched for x in relabelled):
            # a facility's label changed: every person held there, in any source
            for sid in cache.sources:
                if sid not in gone:
                    persons |= {ev.person for ev in read_evidence(prev, sid) if ev.facility in relabelled}
        old_labels = names_for(s, old_public, persons)  # (facilities below, once known)
        # the changed sources' own graphs
        have = replaced.result()
        for _, by_graph, _, _ in converted.values():
            for g, lines in by_graph.items():
                ed.sync(g, lines, have.get(g))
        for sid in gone:
            if sid not in converted:
                for g in own_graphs(base, sid):
                    ed.sync(g, set(), have[g])
        if progress:
            progress("deriving", 0)
        # the all-sources graph: those persons' periods from every source, before and after
        ev_old = [ev for sid in touched for ev in before[sid] if ev.person in persons]
        ev_new = [ev for sid in touched for ev in after[sid] if ev.person in persons]
        for sid, st in cache.sources.items():
            if sid not in gone and st.persons & persons:
                evs = [ev for ev in read_evidence(prev, sid) if ev.person in persons]
                ev_old += evs
                ev_new += evs
        facilities = {ev.facility for ev in (*ev_old, *ev_new) if ev.facility}
        # a facility's label is the same before and after unless relabelled (then read from prev)
        old_names_all = _union(old_labels, names_for(s, new_public, facilities - relabelled),
                               names_for_generation(prev, old_public, facilities & relabelled))
        new_names_all = names_for(s, new_public, persons | facilities)
        old_part = _scope_triples("", ev_old, {"": old_names_all}, base, persons)
        new_part = _scope_triples("", ev_new, {"": new_names_all}, base, persons)
        ed.apply(graph_iri(base, part="derived"), old_part - new_part, new_part - old_part)
        # the touched sources' views
        for sid in touched:
            doc, view = f"{base}id/source/{sid}", graph_iri(base, sid, "derived")
            if sid not in converted:
                ed.sync(view, set())
            elif sid not in cache.sources:
                ed.sync(view, _scope_triples(doc, after[sid], {"": n_after[sid]}, base, None))
            else:
                who = changed[sid]
                was = _scope_triples(doc, [ev for ev in before[sid] if ev.person in who], {"": n_before[sid]}, base, who)
                now = _scope_triples(doc, [ev for ev in after[sid] if ev.person in who], {"": n_after[sid]}, base, who)
                ed.apply(view, was - now, now - was)
        # same-as, then the metadata graph as a full build writes it
        same = list(same_as_quads(s, base, sorted(new_public)))
        ed.sync(same_g, _triples(q for q in same if _gname(q) == same_g))
        meta: list[ox.Quad] = [q for q in vocabulary_quads(base) if _gname(q) == meta_g]
        meta += [q for q in same if _gname(q) == meta_g]
        with_ev = [f"{base}id/source/{sid}" for sid, st in states.items() if st.persons]
        meta += scope_meta_quads("", with_ev, base)
        for doc in with_ev:
            meta += scope_meta_quads(doc, [doc], base)
        desired = _triples(meta)
        for st in states.values():
            desired |= _triples(q for q in ox.parse(st.shared, format=ox.RdfFormat.N_QUADS)
                                if _gname(q) == meta_g)
        ed.sync(meta_g, desired)
        s.flush()
        state["editor"], state["persons"] = ed, persons
        if progress:
            progress("deriving", 1, 1)
        return cache.quads + ed.count()

    def index(es: EmbeddedStore) -> None:
        assert es.generation is not None
        if dayindex.write_changed(es.oxigraph, base, es.generation, prev, state["persons"]) is None:
            dayindex.write(es.oxigraph, base, es.generation)
        write_cache(es.generation, BuildCache(cache.fingerprint, states, cache.quads + state["editor"].count()),
                    {sid: converted[sid][2] for sid in converted}, reuse=cache_dir)

    def check(es: EmbeddedStore) -> None:
        ed: Editor = state["editor"]
        s = es.oxigraph
        changed = ed.changed_graphs
        every = source_scopes(s)
        scopes = [(doc, gs) for doc, gs in every if set(gs) & changed]
        own = [c for c in packaged_checks() if not c.across]
        across = [c for c in packaged_checks() if c.across]
        bad = bool(run_checks(s, checks=own, scopes=scopes, progress=progress)) if scopes else False
        if not bad and any(c.component == "SPARQL" for c in across):
            bad = bool(run_checks(s, checks=across, scopes=every))  # on the sources' graphs, as a full build
        elif not bad:
            # only changes the checks can read: a person's periods and their dates are no check's concern
            focus = focus_nodes(s, ed.delta(reads(tuple(across))), FOCUS_LIMIT)
            if focus is None:  # whole scans beat this many lookups (the old generation was valid)
                bad = bool(run_checks(s, checks=across, scopes=every))
            elif focus:
                found = run_checks(neighbourhood(s, focus), checks=across)
                names = {f.value for f in focus}
                bad = any(v.focus in names for v in found)
        if bad:  # the full report, as a full build gives it
            report = validate_store(es, engine, progress)
            if not report.conforms:
                ds = load_dataset(paths, base)
                raise ValidationFailed(report, report.text(locations(ds)) + "\nFix the records above and build again.")

    loaded = replace_store(store, seed=prev, update=update, check=check, index=index,
                           progress=progress)
    removed = [sid for sid in gone if sid not in {src.id for src in new}]
    return BuildResult(resolve(store), len(files), sum(st.records for st in kept) + n_rec, loaded.quads, t_read,
                loaded.seconds, loaded.seconds_check, len(new), len(removed))
