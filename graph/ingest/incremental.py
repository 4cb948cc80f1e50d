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
import pickle
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import RDF
from ...ontology.resources import shapes_text
from ..ask import dayindex
from ..ask.status import Evidence, Names, evidence, evidence_key, graph_documents, merged, names_by_graph, scope_meta_quads, scope_quads
from ..errors import ValidationFailed
from ..formats import nquads_text
from ..iris import graph_iri, is_derived
from ..progress import Progress
from ..store.embedded import EmbeddedStore
from ..store.layout import current_path, replace_store, resolve
from . import records
from .dataset import Dataset, load_dataset, vocabulary_quads
from .match import same_as_quads
from .shacl import packaged_checks, run_checks
from .sources import Source, default_paths, expand_paths, read_source
from .validate import locations, source_scopes, validate_store

CACHE_FILE = "build-cache.pickle"
CACHE_FORMAT = 1
MAX_CHANGED = 0.5  # above this share of changed sources, a full build
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
    records: int = 0
    evidence: list[Evidence] = field(default_factory=list)  # status evidence of its public graphs
    names: dict[str, Names] = field(default_factory=dict)  # its public graphs -> labels and sites
    docs: dict[str, str] = field(default_factory=dict)  # its public graphs -> its document IRI


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
        with (generation / CACHE_FILE).open("rb") as f:
            cache = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return cache if isinstance(cache, BuildCache) else None


def write_cache(generation: Path, cache: BuildCache) -> None:
    tmp = generation / (CACHE_FILE + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump(cache, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(generation / CACHE_FILE)


def _shared_quads(src: Source, base: str, restricted_used: bool) -> bytes:
    own = set(own_graphs(base, src.id))
    qs = [q for q in records.source_quads(src, records.Minter(base), restricted_used) if q.graph_name.value not in own]
    return nquads_text(qs)[0]


def _state(src: Source, base: str, ids: set[str], restricted_used: bool, items: list[Evidence],
           by_graph: dict[str, Names], docs: dict[str, str]) -> SourceState:
    doc = f"{base}id/source/{src.id}"
    types, public = records.defined_ids(src)
    mine = {g for g, d in docs.items() if d == doc}
    return SourceState(src.id, str(Path(src.path).resolve()), src.sha256, types, public, records.mentioned_ids(src, ids),
                       _shared_quads(src, base, restricted_used), len(src.records), [ev for ev in items if ev.source == doc],
                       {g: nm for g, nm in by_graph.items() if g in mine}, {g: doc for g in mine})


def full_cache(ds: Dataset, store: ox.Store, inputs: DeriveInputs, quads: int) -> BuildCache:
    """The cache of a full build of ``ds`` into ``store``."""
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    ids = {rid for src in ds.sources for rid in records.defined_ids(src)[0]}
    by_doc: dict[str, list[Evidence]] = {}
    for ev in inputs.items:
        by_doc.setdefault(ev.source, []).append(ev)
    out = {}
    for src in ds.sources:
        doc = f"{ds.base}id/source/{src.id}"
        out[src.id] = _state(src, ds.base, ids, own_graphs(ds.base, src.id)[1] in graphs, by_doc.get(doc, []),
                             inputs.by_graph, inputs.docs)
    return BuildCache(fingerprint(ds.base), out, quads)


# ----------------------------------------------------------------------------- graph edits
def _lines(data: bytes | None) -> set[bytes]:
    return set((data or b"").splitlines())


def _triples(quads: Iterable[ox.Quad]) -> set[bytes]:
    return _lines(ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES))


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

    def sync(self, g: str, desired: set[bytes]) -> None:
        """Make graph ``g`` hold exactly ``desired`` (N-Triples lines)."""
        have = self.current(g)
        self.apply(g, have - desired, desired - have)
        if not desired and ox.NamedNode(g) in set(self.store.named_graphs()):
            self.store.remove_graph(ox.NamedNode(g))

    @property
    def changed_graphs(self) -> set[str]:
        return {g for g, s in [*self.removed.items(), *self.added.items()] if s}

    def count(self) -> int:
        return sum(map(len, self.added.values())) - sum(map(len, self.removed.values()))

    def delta(self) -> Iterator[ox.Triple]:
        for part in (self.removed, self.added):
            for lines in part.values():
                if lines:
                    yield from ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_TRIPLES)


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


def focus_nodes(store: ox.Store, delta: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    """The nodes whose checks across sources a change of ``delta`` can affect."""
    objects_of = _object_targets()
    subjects: set[Any] = set()
    out: set[Any] = set()
    for t in delta:
        subjects.add(t.subject)
        if t.predicate.value in objects_of and isinstance(t.object, ox.NamedNode):
            out.add(t.object)
    out |= subjects
    for y in subjects:  # what refers to a node whose description changed (its type, its labels)
        out.update(q.subject for q in store.quads_for_pattern(None, None, y))
    return {n for n in out if isinstance(n, ox.NamedNode)}


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


# ----------------------------------------------------------------------------- the build
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def try_incremental(paths: Iterable[str | Path] | None, store: Any, base: str, engine: str,
                    progress: Progress | None) -> Any:
    """The build of :func:`repnet.graph.ingest.build.build` as an edit of the current generation,
    or None when it must be a full build (see the module's docstring). Raises what the full build
    raises for the same files when the new generation does not validate."""
    from .build import BuildResult

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
    by_path = {st.path: st for st in cache.sources.values()}
    kept: list[SourceState] = []
    changed_files: list[Path] = []
    if progress:
        progress("reading files", 0, len(files))
    for k, f in enumerate(files, 1):
        st = by_path.get(str(Path(f).resolve()))
        if st is not None and st.sha256 == _sha256(Path(f)):
            kept.append(st)
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
    sid_of = {str(Path(f)): st.sid for f in files for st in [by_path.get(str(Path(f).resolve()))] if st in kept}
    sid_of.update({str(f): src.id for f, src in zip(changed_files, new, strict=True)})
    n_rec = sum(len(s.records) for s in new)
    if progress:
        progress("checking records", 0, n_rec)
    kept_ids = {st.sid for st in kept}
    if len(kept_ids) != len(kept) or any(s.id in kept_ids for s in new):
        return None
    known_types: dict[str, str] = {}
    known_public: set[str] = set()
    for st in kept:
        for rid, t in st.types.items():
            if known_types.setdefault(rid, t) != t:
                return None
        known_public |= st.public
    idx = records.check_changed(new, known_types, known_public)
    if idx is None:
        return None

    def entries(states: Iterable[tuple[dict[str, str], set[str]]]) -> dict[str, tuple[str, bool]]:
        types: dict[str, str] = {}
        public: set[str] = set()
        for t, p in states:
            for rid, ty in t.items():
                types.setdefault(rid, ty)
            public |= p
        return {rid: (ty, rid in public) for rid, ty in types.items()}

    old_entries = entries((st.types, st.public) for st in cache.sources.values())
    new_entries = entries([*((st.types, st.public) for st in kept), *(records.defined_ids(s) for s in new)])
    moved = {rid for rid in old_entries.keys() | new_entries.keys() if old_entries.get(rid) != new_entries.get(rid)}
    if any(st.mentions & moved for st in kept):
        return None  # an unchanged source may now fail its checks: the full check says
    if progress:
        progress("checking records", n_rec, n_rec)
    gone = [sid for sid in cache.sources if sid not in kept_ids]  # changed or removed
    # convert the changed sources
    converted: list[tuple[Source, list[ox.Quad], bool]] = []
    mint = records.Minter(base)
    for src in new:
        used = [False]
        qs = list(records.records_quads(src, src.records, mint, used))
        qs.extend(records.source_quads(src, mint, used[0]))
        if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in qs):
            return None
        converted.append((src, qs, used[0]))
    t_read = time.perf_counter() - t0
    ids = set(new_entries)
    state: dict[str, Any] = {}

    def update(es: EmbeddedStore) -> int:
        s = es.oxigraph
        ed = Editor(s)
        meta_g = graph_iri(base, part="meta")
        same_g = graph_iri(base, part="same-as")
        # the old inputs of derivation, before anything changes
        source_graphs = {g for st in cache.sources.values() for g in st.docs}
        public = [g for g in EmbeddedStore(s, public_only=True).visible_graphs() if not is_derived(g) and g != same_g]
        other = [g for g in public if g not in source_graphs]  # the vocabulary and metadata graphs
        other_old = names_by_graph(s, other)
        done = 0
        # the changed sources' own graphs
        new_states: dict[str, SourceState] = {}
        for src, qs, used in converted:
            own = own_graphs(base, src.id)
            by_g: dict[str, list[ox.Quad]] = {g: [] for g in own}
            for q in qs:
                if q.graph_name.value in by_g:
                    by_g[q.graph_name.value].append(q)
            for g, gq in by_g.items():
                ed.sync(g, _triples(gq))
            # what derivation reads of it, from its quads alone
            tmp = ox.Store()
            tmp.extend(qs)
            pub = [own[0]] if src.meta.get("restricted") is not True else []
            ev = evidence(tmp, pub) if pub else []
            docs = graph_documents(tmp, pub) if pub else {}
            names = names_by_graph(tmp, pub) if pub else {}
            st = _state(src, base, ids, used, ev, names, docs)
            new_states[src.id] = st
            done += len(src.records)
            if progress:
                progress("loading records", done, n_rec)
        for sid in gone:
            if sid not in new_states:
                for g in own_graphs(base, sid):
                    ed.sync(g, set())
        order = [sid_of[str(f)] for f in files]
        states = {sid: new_states.get(sid) or cache.sources[sid] for sid in order}
        if progress:
            progress("deriving", 0)
        # derived data: who can have changed
        touched = [cache.sources[sid] for sid in gone] + list(new_states.values())
        persons = {ev.person for st in touched for ev in st.evidence}
        old_names = {**other_old, **{g: nm for st in cache.sources.values() for g, nm in st.names.items()}}
        # (the vocabulary is the same for the same repnet; the metadata graph holds no labels)
        new_names = {**other_old, **{g: nm for st in states.values() for g, nm in st.names.items()}}
        lo, ln = merged(list(old_names.values())), merged(list(new_names.values()))
        relabelled = {x for x in lo.labels.keys() | ln.labels.keys() if lo.labels.get(x) != ln.labels.get(x)}
        relabelled |= lo.sites ^ ln.sites
        old_ev = [ev for st in cache.sources.values() for ev in st.evidence]
        new_ev = [ev for st in states.values() for ev in st.evidence]
        if relabelled:
            persons |= {ev.person for ev in (*old_ev, *new_ev) if ev.person in relabelled or ev.facility in relabelled}
        old_docs = {g: d for st in cache.sources.values() for g, d in st.docs.items()}
        new_docs = {g: d for st in states.values() for g, d in st.docs.items()}

        def part(items: list[Evidence], names: dict[str, Names], docs: dict[str, str], doc: str,
                 who: set[str] | None) -> set[bytes]:
            evs = sorted((ev for ev in items if (who is None or ev.person in who) and (not doc or ev.source == doc)),
                         key=evidence_key)
            return _triples(scope_quads(doc, evs, names, docs, base, who))

        all_g = graph_iri(base, part="derived")
        old_part, new_part = part(old_ev, old_names, old_docs, "", persons), part(new_ev, new_names, new_docs, "", persons)
        ed.apply(all_g, old_part - new_part, new_part - old_part)
        for st in touched:
            doc = f"{base}id/source/{st.sid}"
            view = graph_iri(base, st.sid, "derived")
            if st.sid in new_states:
                ed.sync(view, part(st.evidence, new_names, new_docs, doc, None))
            else:
                ed.sync(view, set())
        # same-as, then the metadata graph as a full build writes it
        public_after = sorted(set(other) | {g for st in states.values() for g in st.docs})
        same = list(same_as_quads(s, base, public_after))
        ed.sync(same_g, _triples(q for q in same if q.graph_name.value == same_g))
        meta: list[ox.Quad] = [q for q in vocabulary_quads(base) if q.graph_name.value == meta_g]
        meta += [q for q in same if q.graph_name.value == meta_g]
        with_ev = {st.sid: st.evidence[0] for st in states.values() if st.evidence}
        meta += scope_meta_quads("", list(with_ev.values()), base)
        for ev in with_ev.values():
            meta += scope_meta_quads(ev.source, [ev], base)
        desired = _triples(meta)
        for st in states.values():
            desired |= _triples(q for q in ox.parse(st.shared, format=ox.RdfFormat.N_QUADS)
                                if q.graph_name.value == meta_g)
        ed.sync(meta_g, desired)
        s.flush()
        state["editor"] = ed
        state["cache"] = BuildCache(cache.fingerprint, states, cache.quads + ed.count())
        if progress:
            progress("deriving", 1, 1)
        return cache.quads + ed.count()

    def index(es: EmbeddedStore) -> None:
        assert es.generation is not None
        dayindex.write(es.oxigraph, base, es.generation)
        write_cache(es.generation, state["cache"])

    def check(es: EmbeddedStore) -> None:
        ed: Editor = state["editor"]
        s = es.oxigraph
        changed = ed.changed_graphs
        scopes = [(doc, gs) for doc, gs in source_scopes(s) if set(gs) & changed]
        own = [c for c in packaged_checks() if not c.across]
        across = [c for c in packaged_checks() if c.across]
        bad = bool(run_checks(s, checks=own, scopes=scopes, progress=progress)) if scopes else False
        if not bad and any(c.component == "SPARQL" for c in across):
            bad = bool(run_checks(s, checks=across))
        elif not bad:
            focus = focus_nodes(s, ed.delta())
            if focus:
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
                       loaded.seconds, loaded.seconds_check, changed=len(new), removed=len(removed))
