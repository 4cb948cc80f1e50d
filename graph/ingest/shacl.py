"""SHACL validation, fast: shapes compiled to SPARQL and run inside Oxigraph.

pySHACL is the reference implementation, but at ~10k triples a second it would take many
minutes at 100k persons (3M triples). This module compiles the SHACL Core subset that
``ontology/shapes.ttl`` uses into one SPARQL query per constraint and runs them on the store,
linear in the data. Anything outside the subset is refused when the shapes are loaded, so a new
shape cannot be silently ignored; tests check that both engines give the same verdict and the
same (focus node, shape) pairs on every fixture.

Supported: NodeShapes with sh:targetClass / sh:targetSubjectsOf / sh:targetObjectsOf, node-level
sh:sparql (SELECT with $this); property shapes with an IRI sh:path and sh:minCount,
sh:maxCount, sh:datatype, sh:class, sh:nodeKind, sh:in, sh:hasValue, sh:pattern (+sh:flags),
sh:min/maxInclusive, sh:min/maxExclusive, sh:languageIn, sh:uniqueLang, and sh:or of sh:datatype
alternatives; sh:message and sh:severity. Ill-typed literals ("2024-02-30"^^xsd:date) fail
sh:datatype as in pySHACL (checked by casting, for the datatypes rdflib checks too).

Checks that read the same thing share a query (:func:`jobs`): the Class checks against one class
(17 of them against schema:Person) hash the class's members once, and a minCount and maxCount of
one path count its values once; each violation is still reported by its own check.

Known limits, by design: ``rdfs:subClassOf`` triples in the data are not followed (targets and
sh:class match the exact type; repnet data states every type it has, and no class hierarchy is
loaded into the store); at most ``limit`` violations per constraint are listed (the verdict is
still right).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ...ontology import namespaces
from ...ontology.resources import shapes_text
from ..progress import Progress

SH = Namespace(namespaces.SH)  # the shapes are read as an rdflib graph: rdflib terms (URIRef)
RPNS_ACROSS = URIRef("https://w3id.org/repnet/shapes#acrossSources")
SUPPORTED_PROPERTY = {
    RPNS_ACROSS, SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.hasValue,
    SH.pattern, SH.flags, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.languageIn, SH.uniqueLang, SH["or"], SH.message, SH.severity, SH.name, SH.description, RDF.type,
}
SUPPORTED_NODE = {
    RPNS_ACROSS, RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.sparql, SH.message,
    SH.severity, SH.name, SH.description, RDFS.label,
    RDFS.comment,
}


class ShapesError(Exception):
    """The shapes use SHACL this engine does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SPARQL query whose rows (?this, ?value) are violations."""

    shape: str  # IRI of the node shape
    path: str | None
    component: str  # e.g. "MinCount"
    message: str
    severity: str
    sparql: str
    across: bool = False  # checked on the union of all sources, not on each source alone
    # the triple patterns of ``sparql``: (predicate, the class of an rdf:type pattern, else None);
    # None for a query written in the shapes (sh:sparql), which may read anything
    patterns: tuple[tuple[str, str | None], ...] | None = None
    # Checks one query runs together (:func:`jobs`), each still reported as itself:
    # - a Class check is ``part`` joined with ``shares`` (the members of its class), and the checks
    #   against one class are one query: their parts in a UNION, joined once with the members;
    # - a minCount and a maxCount of one path share ``pair``, a query that counts the values once
    #   and whose ?k is 0 for the minCount's rows and 1 for the maxCount's.
    part: str | None = None
    shares: str | None = None
    pair: str | None = None


@dataclass(frozen=True)
class Violation:
    focus: str
    shape: str
    path: str | None
    component: str
    value: str | None
    message: str
    severity: str
    source: str | None = None  # the source document whose graphs were checked; None: all sources together
    stated: tuple[tuple[str, str], ...] = ()  # across sources: (source document, value) for each statement


def _term(t: Any) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        return t.n3()
    raise ShapesError(f"cannot compile term {t!r}")


def _target_patterns(g: Graph, shape: URIRef) -> tuple[tuple[str, str | None], ...]:
    """The triple patterns of :func:`_target`'s query (see :attr:`Check.patterns`)."""
    return (*((str(RDF.type), str(c)) for c in g.objects(shape, SH.targetClass)),
            *((str(p), None) for p in g.objects(shape, SH.targetSubjectsOf)),
            *((str(p), None) for p in g.objects(shape, SH.targetObjectsOf)))


def _target(g: Graph, shape: URIRef) -> str:
    parts = []
    for c in g.objects(shape, SH.targetClass):
        parts.append(f"{{ SELECT ?this WHERE {{ ?this a {_term(c)} }} }}")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?this {_term(p)} [] }} }}")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ [] {_term(p)} ?this }} }}")
    if not parts:
        raise ShapesError(f"shape {shape} has no target")
    if len(parts) == 1:
        return parts[0]
    # a node that several targets select is one focus node, as in SHACL
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"


_XSD = str(XSD)
# Datatypes whose lexical form SPARQL can check natively by casting (XPath constructor functions).
# rdflib (and so pySHACL) checks the same ones; it does not check gYear or gYearMonth.
CASTABLE = {f"{_XSD}{t}" for t in ("date", "dateTime", "integer", "decimal", "double", "float", "boolean", "duration")}


def _well_typed(d: Any) -> str:
    """A SPARQL expression, true when ?v has datatype ``d`` and a lexical form valid for it."""
    test = f"isLiteral(?v) && datatype(?v) = {_term(d)}"
    if str(d) in CASTABLE:
        test += f" && COALESCE({_term(d)}(STR(?v)) = ?v, false)"
    return f"({test})"


def _only_subjects_of(g: Graph, shape: URIRef) -> URIRef | None:
    """P when the shape's one and only target is sh:targetSubjectsOf P."""
    targets = [(k, o) for k in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf) for o in g.objects(shape, k)]
    return targets[0][1] if len(targets) == 1 and targets[0][0] == SH.targetSubjectsOf else None  # type: ignore[return-value]


def _count(n: Node) -> int:
    """A shape's count (sh:minCount 1) as an int."""
    return int(str(n))


def _value_filter(g: Graph, ps: Any) -> list[tuple[str, str]]:
    """(component, FILTER expression that is true for a *bad* ?v)."""
    out = []
    for d in g.objects(ps, SH.datatype):
        out.append(("Datatype", f"!{_well_typed(d)}"))
    for k in g.objects(ps, SH.nodeKind):
        tests: dict[Node, str] = {SH.IRI: "isIRI(?v)", SH.Literal: "isLiteral(?v)", SH.BlankNodeOrIRI: "!isLiteral(?v)"}
        test = tests.get(k)
        if test is None:
            raise ShapesError(f"nodeKind {k} is not compiled")
        out.append(("NodeKind", f"!({test})"))
    for lst in g.objects(ps, SH["in"]):
        members = " || ".join(f"sameTerm(?v, {_term(m)})" for m in Collection(g, lst)) or "false"
        out.append(("In", f"!({members})"))
    for pat in g.objects(ps, SH.pattern):
        flags = next(iter(g.objects(ps, SH.flags)), None)
        fl = f", {Literal(str(flags)).n3()}" if flags else ""
        out.append(("Pattern", f"isBlank(?v) || !REGEX(STR(?v), {Literal(str(pat)).n3()}{fl})"))
    for pred, op, comp in ((SH.minInclusive, ">=", "MinInclusive"), (SH.maxInclusive, "<=", "MaxInclusive"),
                           (SH.minExclusive, ">", "MinExclusive"), (SH.maxExclusive, "<", "MaxExclusive")):
        for x in g.objects(ps, pred):
            out.append((comp, f"!COALESCE(?v {op} {_term(x)}, false)"))
    for lst in g.objects(ps, SH.languageIn):
        tags = " || ".join(f'langMatches(lang(?v), "{t}")' for t in Collection(g, lst))
        out.append(("LanguageIn", f"!(isLiteral(?v) && ({tags}))"))
    for lst in g.objects(ps, SH["or"]):
        alts = []
        for alt in Collection(g, lst):
            keys = set(g.predicates(alt)) - {RDF.type}
            if keys != {SH.datatype}:
                raise ShapesError("sh:or is compiled only for alternatives of sh:datatype")
            alts.append(_well_typed(next(g.objects(alt, SH.datatype))))
        out.append(("Or", f"!({' || '.join(alts)})"))
    return out


def _message(g: Graph, node: Any, default: str) -> str:
    m = next(iter(g.objects(node, SH.message)), None)
    return str(m) if m is not None else default


def compile_shapes(text: str) -> list[Check]:
    g = Graph().parse(data=text, format="turtle")
    checks: list[Check] = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        if not isinstance(shape, URIRef):
            raise ShapesError("node shapes must be IRIs, so violations can name them")
        extra = set(g.predicates(shape)) - SUPPORTED_NODE
        if extra:
            raise ShapesError(f"shape {shape} uses {sorted(map(str, extra))}, which is not compiled")
        shape_target = _target(g, shape)
        sev = str(next(iter(g.objects(shape, SH.severity)), SH.Violation))
        shape_across = across(g, shape)
        for ps in g.objects(shape, SH.property):
            extra = set(g.predicates(ps)) - SUPPORTED_PROPERTY
            if extra:
                raise ShapesError(f"a property of {shape} uses {sorted(map(str, extra))}, which is not compiled")
            path = next(iter(g.objects(ps, SH.path)), None)
            if not isinstance(path, URIRef):
                raise ShapesError(f"{shape}: only IRI paths are compiled")
            p = _term(path)
            psev = str(next(iter(g.objects(ps, SH.severity)), sev))
            # A shape whose only target is "subjects of P", constraining P itself: every node with
            # a value is a focus node, so ``?this P ?v`` alone finds the focus nodes and their
            # values (no DISTINCT target to build and join: at 100k persons this halves the
            # time of such checks), and a minCount of 1 always holds.
            own = _only_subjects_of(g, shape) == path
            target = "" if own else shape_target
            # the triple patterns of ``target`` and the path (Check.patterns), which most queries read
            read = (*(() if own else _target_patterns(g, shape)), (str(path), None))
            # Every pattern is its own subquery, so Oxigraph joins whole scans by hashing instead of
            # looking up each focus node on disk: at 100k persons a Class check went from 4.3 s to 0.6 s.
            vals = f"{{ SELECT ?this ?v WHERE {{ ?this {p} ?v }} }}"
            msg = functools.partial(_message, g, ps)
            checks_before = len(checks)
            for n in g.objects(ps, SH.minCount):
                if own and _count(n) <= 1:
                    continue
                if own:
                    q = f"SELECT ?this WHERE {{ {vals} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {_count(n)})"
                    checks.append(Check(str(shape), str(path), "MinCount", msg(f"needs at least {n} {path}"), psev, q))
                    continue
                q = (f"SELECT ?this WHERE {{ {target} OPTIONAL {vals} FILTER(!BOUND(?v)) }}" if _count(n) == 1 else
                     f"SELECT ?this WHERE {{ {target} OPTIONAL {vals} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {_count(n)})")
                checks.append(Check(str(shape), str(path), "MinCount", msg(f"needs at least {n} {path}"), psev, q))
            for n in g.objects(ps, SH.maxCount):
                q = f"SELECT ?this WHERE {{ {target} {vals} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {_count(n)})"
                checks.append(Check(str(shape), str(path), "MaxCount", msg(f"takes at most {n} {path}"), psev, q))
            counted = checks[checks_before:]
            if [c.component for c in counted] == ["MinCount", "MaxCount"] and not own:
                # one count of the values for both: at 100k persons the 26 pairs took 5.3 s as 52
                # queries and 3.7 s as 26 (over the union of the graphs)
                low, high = _count(next(g.objects(ps, SH.minCount))), _count(next(g.objects(ps, SH.maxCount)))
                pair = (f"SELECT ?this ?k WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {target} OPTIONAL {vals} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {low} || COUNT(DISTINCT ?v) > {high}) }} BIND(IF(?n < {low}, 0, 1) AS ?k) }}")
                checks[checks_before:] = [dataclasses.replace(c, pair=pair) for c in counted]
            for c in g.objects(ps, SH["class"]):
                part, shares = f"{target} {vals}", f"OPTIONAL {{ SELECT ?v ?ok WHERE {{ ?v a {_term(c)} BIND(true AS ?ok) }} }}"
                q = f"SELECT ?this ?v WHERE {{ {part} {shares} FILTER(!BOUND(?ok)) }}"
                checks.append(Check(str(shape), str(path), "Class", msg(f"value must be a {c}"), psev, q,
                                    patterns=(*read, (str(RDF.type), str(c))), part=part, shares=shares))
            for hv in g.objects(ps, SH.hasValue):
                q = (f"SELECT ?this WHERE {{ {shape_target} OPTIONAL {{ SELECT ?this ?v WHERE {{ ?this {p} ?v "
                     f"FILTER(sameTerm(?v, {_term(hv)})) }} }} FILTER(!BOUND(?v)) }}")
                checks.append(Check(str(shape), str(path), "HasValue", msg(f"must have {path} {hv}"), psev, q,
                                    patterns=(*_target_patterns(g, shape), (str(path), None))))
            for comp, bad in _value_filter(g, ps):
                q = f"SELECT ?this ?v WHERE {{ {target} {vals} FILTER({bad}) }}"
                checks.append(Check(str(shape), str(path), comp, msg(f"{comp} constraint on {path}"), psev, q))
            for u in g.objects(ps, SH.uniqueLang):
                if isinstance(u, Literal) and u.toPython() is True:
                    q = (f"SELECT ?this WHERE {{ {target} {vals} BIND(lang(?v) AS ?l) FILTER(?l != \"\") }} "
                         f"GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?v) > 1)")
                    checks.append(Check(str(shape), str(path), "UniqueLang", msg(f"one {path} per language"), psev, q))
            checks[checks_before:] = [dataclasses.replace(c, across=shape_across or across(g, ps), patterns=c.patterns or read)
                                      for c in checks[checks_before:]]
        for sq in g.objects(shape, SH.sparql):
            select = str(next(g.objects(sq, SH.select)))
            inner = select.replace("$this", "?this")
            q = f"SELECT ?this ?value WHERE {{ {shape_target} {{ {inner} }} }}"
            checks.append(Check(str(shape), None, "SPARQL", _message(g, sq, _message(g, shape, "SPARQL constraint")), sev, q,
                                across=shape_across))
    return checks


def across(g: Graph, node: Any) -> bool:
    """True for a node or property shape marked ``rpns:acrossSources true``."""
    return any(o.toPython() is True for o in g.objects(node, RPNS_ACROSS) if isinstance(o, Literal))


def scoped_shapes(text: str, across_sources: bool) -> Graph:
    """The shapes of one scope, for an engine that knows no scopes (pySHACL, Jena).

    ``across_sources=False``: what each source must satisfy on its own (every constraint not
    marked ``rpns:acrossSources``); ``True``: what the union of all sources must satisfy.
    """
    g = Graph().parse(data=text, format="turtle")
    for shape in list(g.subjects(RDF.type, SH.NodeShape)):
        whole = across(g, shape)
        for ps in list(g.objects(shape, SH.property)):
            if (whole or across(g, ps)) != across_sources:
                g.remove((shape, SH.property, ps))
        if whole != across_sources:
            for sq in list(g.objects(shape, SH.sparql)):
                g.remove((shape, SH.sparql, sq))
    return g


@functools.cache
def packaged_checks() -> tuple[Check, ...]:
    return tuple(compile_shapes(shapes_text()))


@dataclass(frozen=True)
class Reads:
    """The triples some checks can match: those with one of ``predicates`` (None: any predicate),
    and for rdf:type, one of ``classes`` as object (None: any class). A triple that none of them
    matches cannot change what they report."""

    predicates: frozenset[str] | None
    classes: frozenset[str] | None

    def matches(self, t: Any) -> bool:
        """Whether the pyoxigraph triple ``t`` can be read by the checks."""
        p = t.predicate.value
        if self.predicates is not None and p not in self.predicates:
            return False
        return p != _RDF_TYPE or self.classes is None or t.object.value in self.classes


_RDF_TYPE = str(RDF.type)


def reads(checks: Iterable[Check]) -> Reads:
    """What ``checks`` read, from their triple patterns (:attr:`Check.patterns`)."""
    patterns = [c.patterns for c in checks]
    if any(p is None for p in patterns):
        return Reads(None, None)
    pairs = [pair for ps in patterns if ps is not None for pair in ps]
    types = [c for p, c in pairs if p == _RDF_TYPE]
    return Reads(frozenset(p for p, _ in pairs), None if None in types else frozenset(c for c in types if c is not None))


def run_checks(store: Any, checks: tuple[Check, ...] | list[Check] | None = None, limit: int = 1000,
               workers: int | None = None, scopes: list[tuple[str, list[str]]] | None = None,
               progress: Progress | None = None) -> list[Violation]:
    """Run compiled checks on a pyoxigraph Store; at most ``limit`` rows per check.

    Without ``scopes`` every check runs on the union of all graphs. With ``scopes`` (source
    document IRI, its graph IRIs), checks not marked ``across`` run on each source's graphs alone
    and the ``across`` checks on the union of those graphs: graphs no scope holds, such as what
    the build derives, are not read (at 100,000 persons the derived graphs made the checks across
    sources 0.6 s slower).

    The checks run on ``workers`` threads (default: one per core): Oxigraph evaluates a query
    without holding the GIL, so at 100k persons two threads validate in about two thirds of the
    time one does. Violations come back in the order of ``checks`` whatever the threads' order.
    ``progress("validating", done, total)`` is called as the checks (times scopes) finish.
    """
    from concurrent.futures import ThreadPoolExecutor

    every = list(checks if checks is not None else packaged_checks())
    union = None if scopes is None else sorted({g for _, gs in scopes for g in gs})
    across_checks, own_checks = [c for c in every if c.across], [c for c in every if not c.across]
    todo: list[tuple[tuple[Check, ...], str, str | None, list[str] | None]] = (
        [(cs, q, None, None) for cs, q in jobs(every)] if scopes is None else
        [(cs, q, None, union) for cs, q in jobs(across_checks)]
        + [(cs, q, doc, gs) for doc, gs in scopes for cs, q in jobs(own_checks)])
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    found: dict[tuple[Check, str | None], list[Violation]] = {}
    if progress:
        progress("validating", 0, len(todo))
    with ThreadPoolExecutor(n, thread_name_prefix="repnet-shacl") if n > 1 else contextlib.nullcontext() as pool:
        each = (pool.map if pool is not None else map)(lambda job: _run_job(store, job[0], job[1], job[2], job[3], limit), todo)
        for k, vs in enumerate(each, 1):
            found.update(vs)
            if progress:
                progress("validating", k, len(todo))
    order = ([(c, None) for c in every] if scopes is None else
             [(c, None) for c in across_checks] + [(c, doc) for doc, _ in scopes for c in own_checks])
    return [v for key in order for v in found.get(key, ())]


def jobs(checks: list[Check]) -> list[tuple[tuple[Check, ...], str]]:
    """The queries that run ``checks``: (the checks a query runs, its SPARQL), in the order of
    their first check. Checks that can share a query (:attr:`Check.part`, :attr:`Check.pair`)
    share one when more than one of them is given; a query run for several checks has a ?k, the
    index of the check its row violates."""
    out: list[tuple[tuple[Check, ...], str]] = []
    by_class: dict[str, list[Check]] = {}
    by_pair: dict[str, list[Check]] = {}
    for c in checks:
        if c.shares is not None:
            by_class.setdefault(c.shares, []).append(c)
        elif c.pair is not None:
            by_pair.setdefault(c.pair, []).append(c)
    done: set[str] = set()
    for c in checks:
        if c.shares is not None and len(by_class[c.shares]) > 1:
            if c.shares not in done:
                done.add(c.shares)
                # each class's members are hashed once, not once per check: at 100k persons the 31
                # Class checks took 3.3 s as separate queries and 2.1 s as one per class
                group = by_class[c.shares]
                parts = " UNION ".join(f"{{ {g.part} BIND({k} AS ?k) }}" for k, g in enumerate(group))
                out.append((tuple(group), f"SELECT ?k ?this ?v WHERE {{ {{ {parts} }} {c.shares} FILTER(!BOUND(?ok)) }}"))
        elif c.pair is not None and len(by_pair[c.pair]) == 2:
            if c.pair not in done:
                done.add(c.pair)
                out.append((tuple(sorted(by_pair[c.pair], key=lambda p: p.component != "MinCount")), c.pair))
        else:
            out.append(((c,), c.sparql))
    return out


def _run_job(store: Any, checks: tuple[Check, ...], sparql: str, source: str | None, graphs: list[str] | None,
             limit: int) -> dict[tuple[Check, str | None], list[Violation]]:
    """The violations of one query (:func:`jobs`), by check and source; at most ``limit`` each."""
    import pyoxigraph as ox

    from ...ontology.namespaces import PREFIXES

    out: dict[tuple[Check, str | None], list[Violation]] = {(c, source): [] for c in checks}
    where: dict[str, Any] = ({"use_default_graph_as_union": True} if graphs is None else
                             {"default_graph": [ox.NamedNode(g) for g in graphs]})
    # a query for several checks has no LIMIT: one check's many rows must not hide another's
    rows = store.query(sparql + (f" LIMIT {limit}" if len(checks) == 1 else ""), prefixes=PREFIXES, **where)
    for row in rows:
        c = checks[int(row["k"].value)] if len(checks) > 1 else checks[0]
        listed = out[(c, source)]
        if len(listed) >= limit:
            continue
        this = row["this"]
        value = None
        for var in ("v", "value"):
            try:
                val = row[var]
            except (KeyError, IndexError):
                val = None
            if val is not None:
                value = val.value
        listed.append(Violation(this.value, c.shape, c.path, c.component, value, c.message, c.severity, source))
    return out
