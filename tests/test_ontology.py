"""The OWL ontology (ontology/repnet.ttl) and the JSON-LD context (ontology/context.jsonld).

Every rpn: term the build writes, that mapping.yaml names or that the shapes check must be declared in
repnet.ttl, once, with the right kind, an English label and an English definition; Wikidata links may only
use identifiers verified in the design brief; the context must turn a small document into the expected
triples.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import cache

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, PROV, RDF, RDFS, SDO, SH, SKOS

import repnet.graph.ingest.records as records_module
from repnet.ontology import namespaces
from repnet.ontology.namespaces import DEFAULT_BASE, PREFIXES, data_prefixes
from repnet.ontology.resources import mapping, read_text

# these tests read the ontology as rdflib graphs: rdflib terms (repnet's own namespaces give strings)
RPN, ORG = Namespace(namespaces.RPN), Namespace(namespaces.ORG)
ONTOLOGY = URIRef("https://w3id.org/repnet/ontology")
CLASS, OBJECT, DATA = OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty
KINDS = (CLASS, OBJECT, DATA)
SH_CLASS, SH_IN = URIRef(f"{SH}class"), URIRef(f"{SH}in")
WD_ENTITY = "http://www.wikidata.org/entity/"
WD_DIRECT = "http://www.wikidata.org/prop/direct/"

# Terms graph/records.py writes itself, outside mapping.yaml (checked against its source below).
RECORDS_PY_TERMS: dict[str, URIRef] = {
    "SourceDocument": CLASS,
    "SourceGraph": CLASS,
    "sourceFileSha256": DATA,
    "retrieved": DATA,
    "synthetic": DATA,
    "termDuration": DATA,
    "termMonths": DATA,
    "termDays": DATA,
    "termYears": DATA,
}

# Field kinds of mapping.yaml and the kind of property each needs.
OBJECT_FIELD_KINDS = {"ref", "concept", "url", "wikidata", "wording", "citation", "inference"}
DATA_FIELD_KINDS = {"text", "string", "date", "int", "bool", "term", "langmap"}

# Wikidata identifiers the design brief marks [V] (verified). Nothing else may be linked.
VERIFIED_ITEMS = {"Q1476215", "Q1930187", "Q15253558", "Q82955", "Q2334719", "Q5", "Q83267"}
VERIFIED_PROPERTIES = {
    "P1399", "P1595", "P1591", "P11922", "P8031", "P8032", "P1840",
    "P276", "P585", "P2632", "P1594", "P4884", "P793", "P1001",
}


# ---------------------------------------------------------------------------- helpers
@cache
def ontology() -> Graph:
    return Graph().parse(data=read_text("repnet.ttl"), format="turtle")


@cache
def context() -> dict:
    return json.loads(read_text("context.jsonld"))


def rpn(iri: object) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(str(RPN)) and iri != URIRef(str(RPN))


def local(iri: URIRef) -> str:
    return str(iri)[len(str(RPN)) :]


def declared_kinds(iri: URIRef) -> set[URIRef]:
    return {k for k in ontology().objects(iri, RDF.type) if k in KINDS}


usage_where: dict[URIRef, set[str]] = {}  # term -> where it is used, for failure messages


def local_kind(k: URIRef) -> str:
    return str(k).rsplit("#", 1)[-1]


def expect(usage: dict[URIRef, set[URIRef | None]], iri: object, kind: URIRef | None, where: str) -> None:
    """Record that ``iri`` is used (with the kind the use requires, or None for any kind)."""
    if not isinstance(iri, str) or isinstance(iri, (Literal, BNode)):
        return
    ref = URIRef(iri)
    if rpn(ref):
        usage.setdefault(ref, set()).add(kind)
        usage_where.setdefault(ref, set()).add(where)


def mapping_usage() -> dict[URIRef, set[URIRef | None]]:
    m = mapping()
    usage: dict[URIRef, set[URIRef | None]] = {}
    for tname, t in m.types.items():
        for c in t.classes:
            expect(usage, c, CLASS, f"mapping.yaml {tname} classes")
        for p, v in t.fixed:
            expect(usage, p, OBJECT, f"mapping.yaml {tname} fixed")
            expect(usage, v, None, f"mapping.yaml {tname} fixed value")
    fields = [("common", f) for f in m.common.values()]
    fields += [(tname, f) for tname, t in m.types.items() for f in t.fields.values()]
    # the structured kinds: the node a wording writes, the citation and document of cite:, the inference node
    for tname, t in m.types.items():
        for f in t.fields.values():
            node = dict(f.node)
            if node:
                expect(usage, node["class"], CLASS, f"mapping.yaml {tname}.{f.name} node")
                expect(usage, node["key"], OBJECT, f"mapping.yaml {tname}.{f.name} node")
                expect(usage, node["value"], DATA, f"mapping.yaml {tname}.{f.name} node")
    assert m.citation is not None
    for c in (*m.citation.classes, *m.citation.document_classes):
        expect(usage, c, CLASS, "mapping.yaml citation classes")
    expect(usage, m.citation.document_property, OBJECT, "mapping.yaml citation document_property")
    fields += [("citation", f) for f in (*m.citation.fields.values(), *m.citation.document_fields.values())]
    expect(usage, m.inference["class"], CLASS, "mapping.yaml inference")
    expect(usage, m.inference["property"], OBJECT, "mapping.yaml inference")
    expect(usage, m.inference["reason"], DATA, "mapping.yaml inference")
    for tname, f in fields:
        assert f.kind in OBJECT_FIELD_KINDS | DATA_FIELD_KINDS, f"unknown field kind {f.kind!r}: classify it in this test"
        kind = OBJECT if f.kind in OBJECT_FIELD_KINDS else DATA
        for p in (f.property, *f.also):
            expect(usage, p, kind, f"mapping.yaml {tname}.{f.name}")
        for b in f.bounds or ():
            expect(usage, b, DATA, f"mapping.yaml {tname}.{f.name} bounds")
    return usage


def shapes_usage() -> dict[URIRef, set[URIRef | None]]:
    text = read_text("shapes.ttl")
    g = Graph().parse(data=text, format="turtle")
    usage: dict[URIRef, set[URIRef | None]] = {}
    for s, p, o in g:
        for term in (s, p, o):
            expect(usage, term, None, "shapes.ttl")
    for c in (*g.objects(None, SH.targetClass), *g.objects(None, SH_CLASS)):
        expect(usage, c, CLASS, "shapes.ttl class")
    for prop in g.subjects(SH.path, None):
        path = g.value(prop, SH.path)
        if g.value(prop, SH.datatype) is not None:
            expect(usage, path, DATA, "shapes.ttl datatype constraint")
        if any(g.value(prop, q) is not None for q in (SH_CLASS, SH.hasValue, SH_IN)) or g.value(prop, SH.nodeKind) == SH.IRI:
            expect(usage, path, OBJECT, "shapes.ttl IRI-valued constraint")
    for p in g.objects(None, SH.targetSubjectsOf):
        expect(usage, p, None, "shapes.ttl targetSubjectsOf")
    # SPARQL constraints spell the IRIs out in strings
    for name in re.findall(re.escape(str(RPN)) + r"(\w+)", text):
        expect(usage, str(RPN) + name, None, "shapes.ttl SPARQL")
    return usage


def records_usage() -> dict[URIRef, set[URIRef | None]]:
    usage: dict[URIRef, set[URIRef | None]] = {}
    for name, kind in RECORDS_PY_TERMS.items():
        expect(usage, str(RPN) + name, kind, "graph/records.py")
    return usage


def all_usage() -> dict[URIRef, set[URIRef | None]]:
    usage: dict[URIRef, set[URIRef | None]] = {}
    for part in (mapping_usage(), shapes_usage(), records_usage()):
        for iri, kinds in part.items():
            usage.setdefault(iri, set()).update(kinds)
    return usage


# ---------------------------------------------------------------------------- (a) parsing
def test_repnet_ttl_parses_in_rdflib_and_pyoxigraph() -> None:
    text = read_text("repnet.ttl")
    g = Graph().parse(data=text, format="turtle")
    triples = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    assert len(g) > 500
    assert len(triples) == len(g), "rdflib and pyoxigraph read a different number of triples"
    assert not any(isinstance(t, BNode) for triple in g for t in triple), "the ontology uses no blank nodes"


def test_ontology_header() -> None:
    g = ontology()
    assert set(g.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY}
    assert g.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/license")) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for p in ("title", "description"):
        values = list(g.objects(ONTOLOGY, URIRef(f"http://purl.org/dc/terms/{p}")))
        assert len(values) == 1 and values[0].language == "en", p


# ---------------------------------------------------------------------------- (b) every used term is declared
def test_records_py_term_list_is_complete() -> None:
    """The explicit list above must name every RPN term graph/records.py writes."""
    used = set(re.findall(r"\bRPN\.(\w+)", inspect.getsource(records_module)))
    assert used == set(RECORDS_PY_TERMS)


def test_usage_collection_sees_the_sources() -> None:
    """Guard against a vacuous pass: the collectors find the terms they must find."""
    m, s = mapping_usage(), shapes_usage()
    assert RPN.Arrest in m and RPN.earliestStart in m and RPN.detentionType in m and RPN.dateAsReported in m
    assert {RPN.OffenceAsReported, RPN.wordingAsReported, RPN.Citation, RPN.CitedDocument, RPN.quote, RPN.Inference,
            RPN.inferredProperty, RPN.inferenceReason} <= set(m)
    assert {RPN.SourceGraph, RPN.SourceDocument, RPN.termMonths, RPN.latestEnd} <= set(s)
    assert len(all_usage()) >= 100


def test_every_used_rpn_term_is_declared_with_the_right_kind() -> None:
    problems = []
    for iri, kinds in sorted(all_usage().items()):
        have = declared_kinds(iri)
        wanted = {k for k in kinds if k is not None}
        where = ", ".join(sorted(usage_where.get(iri, ())))
        if len(wanted) > 1:
            problems.append(f"{local(iri)}: used as {sorted(map(local_kind, wanted))} ({where})")
        elif not have:
            problems.append(f"{local(iri)}: not declared in repnet.ttl ({where})")
        elif wanted and have != wanted:
            problems.append(f"{local(iri)}: declared {sorted(map(local_kind, have))}, used as {local_kind(next(iter(wanted)))} ({where})")
    assert not problems, "\n".join(problems)


def test_every_declared_term_is_documented() -> None:
    g = ontology()
    problems = []
    terms = {s for k in KINDS for s in g.subjects(RDF.type, k) if rpn(s)}
    assert len(terms) >= 100
    for t in sorted(terms):
        for p in (RDFS.label, SKOS.definition):
            values = list(g.objects(t, p))
            en = [v for v in values if isinstance(v, Literal) and v.language == "en" and str(v).strip()]
            if len(en) != 1 or len(values) != 1:
                problems.append(f"{local(t)}: needs exactly one @en {p.n3(g.namespace_manager)}, has {values}")
        if list(g.objects(t, RDFS.isDefinedBy)) != [ONTOLOGY]:
            problems.append(f"{local(t)}: rdfs:isDefinedBy must be {ONTOLOGY}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- (c) one kind per term
def test_no_rpn_term_has_two_kinds_or_none() -> None:
    """Every rpn: IRI the ontology mentions (as subject or object) is declared, with exactly one kind."""
    g = ontology()
    mentioned = {t for triple in g for t in triple if rpn(t)}
    problems = []
    for t in sorted(mentioned):
        kinds = declared_kinds(t)
        if len(kinds) != 1:
            problems.append(f"{local(t)}: declared as {sorted(map(local_kind, kinds)) or 'nothing'}")
    assert not problems, "\n".join(problems)


def test_class_hierarchy() -> None:
    g = ontology()

    def supers(c: URIRef) -> set[URIRef]:
        return set(g.transitive_objects(c, RDFS.subClassOf)) - {c}

    assert RPN.Detention in supers(RPN.AdministrativeDetention)
    assert RPN.Release in supers(RPN.Pardon) and RPN.Release in supers(RPN.Expulsion)
    assert PROV.Activity in supers(RPN.StatusRecognition)
    for c in (RPN.IllTreatmentAllegation, RPN.SourceGraph, RPN.SourceDocument):
        assert PROV.Entity in supers(c), c
    assert SKOS.Concept in supers(RPN.Offence)
    assert PROV.Derivation in supers(RPN.Citation) and PROV.Entity in supers(RPN.CitedDocument)
    assert ORG.FormalOrganization in supers(RPN.IntergovernmentalOrganization)
    assert RPN.Meeting in supers(RPN.Visit)
    events = ("Arrest", "Detention", "AdministrativeDetention", "Trial", "Verdict", "Release", "Pardon", "Expulsion",
              "ReturnToCustody", "RefusalToLeave", "MassRelease", "Negotiation", "SanctionsRelief", "HouseSearch", "Interrogation",
              "Meeting", "Visit")
    for name in events:
        assert SDO.Event in supers(RPN[name]), name
    # roles are not classes, and claims are not events
    for name in ("Charge", "Sentence", "CriminalCase", "StatusObservation", "HealthReport", "StatedCount", "IllTreatmentAllegation"):
        assert SDO.Event not in supers(RPN[name]), name


# ---------------------------------------------------------------------------- (d) Wikidata links
@pytest.mark.parametrize("name", ["repnet.ttl", "concepts.ttl"])
def test_wikidata_matches_are_verified(name: str) -> None:
    g = Graph().parse(data=read_text(name), format="turtle")
    linked = {
        str(o)[len(WD_ENTITY) :]
        for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
        for o in g.objects(None, p)
        if str(o).startswith(WD_ENTITY)
    }
    assert linked, f"{name} links no Wikidata item at all: is the test looking at the right file?"
    assert linked <= VERIFIED_ITEMS, f"unverified Wikidata items in {name}: {sorted(linked - VERIFIED_ITEMS)}"


@pytest.mark.parametrize("name", ["repnet.ttl", "concepts.ttl"])
def test_every_wikidata_iri_is_verified(name: str) -> None:
    """Stricter: any Wikidata IRI anywhere in the file, under any predicate."""
    g = Graph().parse(data=read_text(name), format="turtle")
    bad = []
    for term in {t for triple in g for t in triple if isinstance(t, URIRef) and "wikidata.org" in str(t)}:
        s = str(term)
        if s.startswith(WD_ENTITY) and s[len(WD_ENTITY) :] in VERIFIED_ITEMS:
            continue
        if s.startswith(WD_DIRECT) and s[len(WD_DIRECT) :] in VERIFIED_PROPERTIES:
            continue
        bad.append(s)
    assert not bad, f"unverified Wikidata IRIs in {name}: {sorted(bad)}"


def test_wikidata_property_alignments() -> None:
    g = ontology()
    direct = {(local(s), str(o)[len(WD_DIRECT) :]) for s, o in g.subject_objects(SKOS.closeMatch) if str(o).startswith(WD_DIRECT)}
    assert {("presidingJudge", "P1594"), ("court", "P4884"), ("heldAt", "P2632"), ("defendant", "P1591")} <= direct
    assert (RPN.CriminalCase, SKOS.closeMatch, URIRef(WD_ENTITY + "Q2334719")) in g


# ---------------------------------------------------------------------------- (e) JSON-LD context
def test_context_is_json_ld_1_1_without_vocab() -> None:
    doc = context()
    assert set(doc) == {"@context"}
    ctx = doc["@context"]
    assert ctx["@version"] == 1.1
    assert "@vocab" not in ctx


def test_context_prefixes() -> None:
    ctx = context()["@context"]
    for prefix, iri in PREFIXES.items():
        assert ctx.get(prefix) == iri, prefix
    for prefix, iri in data_prefixes(DEFAULT_BASE).items():
        assert prefix not in PREFIXES, prefix
        assert ctx.get(prefix) == iri, prefix


def expand_curie(value: str, ctx: dict) -> str:
    prefix, _, rest = value.partition(":")
    return ctx[prefix] + rest if isinstance(ctx.get(prefix), str) else value


def test_context_defines_every_rpn_property() -> None:
    ctx = context()["@context"]
    g = ontology()
    problems = []
    for kind in (OBJECT, DATA):
        for p in sorted(s for s in g.subjects(RDF.type, kind) if rpn(s)):
            d = ctx.get(local(p))
            iri = d if isinstance(d, str) else (d or {}).get("@id")
            if iri is None or expand_curie(iri, ctx) != str(p):
                problems.append(f"{local(p)}: no term, or a term for another IRI ({d!r})")
            elif kind == OBJECT and (not isinstance(d, dict) or d.get("@type") != "@id"):
                problems.append(f"{local(p)}: an object property needs \"@type\": \"@id\"")
            elif kind == DATA and isinstance(d, dict) and d.get("@type") == "@id":
                problems.append(f"{local(p)}: a datatype property must not be coerced to an IRI")
    assert not problems, "\n".join(problems)


def test_context_coercions() -> None:
    ctx = context()["@context"]

    def coerced(term: str) -> str | None:
        d = ctx[term]
        t = d.get("@type") if isinstance(d, dict) else None
        return expand_curie(t, ctx) if t and t != "@id" else t

    xsd = PREFIXES["xsd"]
    for term in ("earliestStart", "latestStart", "earliestEnd", "latestEnd"):
        assert coerced(term) == xsd + "date", term
    assert coerced("termMonths") == xsd + "integer"
    assert coerced("termDuration") == xsd + "duration"
    for term in ("startDate", "endDate", "asOf", "retrieved", "datePublished"):
        assert coerced(term) is None, f"{term} has varying precision and must stay un-coerced"
    for term in ("member", "organization", "role", "court", "presidingJudge", "heldAt", "sentencedPerson", "releasedPerson"):
        assert coerced(term) == "@id", term
    for term in ("prefLabel", "altLabel"):
        assert ctx[term] == {"@id": "skos:prefLabel" if term == "prefLabel" else "skos:altLabel", "@container": "@language"}


EXPECTED_TTL = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rpn: <https://w3id.org/repnet/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/repnet/id/person/a> a schema:Person ;
    skos:prefLabel "X"@en , "Y"@be ;
    skos:altLabel "Ix"@en ;
    schema:name "X" .

<https://w3id.org/repnet/id/membership/m1> a org:Membership ;
    org:member <https://w3id.org/repnet/id/person/a> ;
    org:organization <https://w3id.org/repnet/id/org/viasna> ;
    org:role <https://w3id.org/repnet/concept/role/founder> ;
    schema:startDate "1996"^^xsd:gYear ;
    schema:endDate "2021-07" ;
    rpn:earliestStart "1996-01-01"^^xsd:date ;
    rpn:latestStart "1996-12-31"^^xsd:date .

<https://w3id.org/repnet/id/sentence/s1> a rpn:Sentence ;
    rpn:sentencedPerson <https://w3id.org/repnet/id/person/a> ;
    rpn:penaltyType <https://w3id.org/repnet/concept/penalty/imprisonment> ;
    rpn:termDuration "P14Y9M"^^xsd:duration ;
    rpn:termMonths 177 .
"""


def test_context_expands_a_document_as_expected() -> None:
    doc = {
        "@context": context()["@context"],
        "@graph": [
            {
                "@id": "person:a",
                "type": "schema:Person",
                "prefLabel": {"en": "X", "be": "Y"},
                "altLabel": {"en": ["Ix"]},
                "name": "X",
            },
            {
                "@id": "https://w3id.org/repnet/id/membership/m1",
                "@type": "org:Membership",
                "member": "person:a",
                "organization": "https://w3id.org/repnet/id/org/viasna",
                "role": ["rpnc:role/founder"],
                "startDate": {"@value": "1996", "@type": "xsd:gYear"},
                "endDate": "2021-07",
                "earliestStart": "1996-01-01",
                "latestStart": "1996-12-31",
            },
            {
                "id": "https://w3id.org/repnet/id/sentence/s1",
                "type": "Sentence",
                "sentencedPerson": "person:a",
                "penaltyType": "rpnc:penalty/imprisonment",
                "termDuration": "P14Y9M",
                "termMonths": 177,
            },
        ],
    }
    got = Graph().parse(data=json.dumps(doc), format="json-ld")
    want = Graph().parse(data=EXPECTED_TTL, format="turtle")
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(
            "JSON-LD expansion differs from the expected triples\nonly in JSON-LD:\n"
            + only_got.serialize(format="nt")
            + "only expected:\n"
            + only_want.serialize(format="nt")
        )
    assert len(got) == 18


# ---------------------------------------------------------------------------- repnet's own namespaces
def test_a_namespace_gives_each_term_as_the_plain_text_of_its_iri() -> None:
    """repnet's namespaces are strings, with the IRIs rdflib's namespaces of the same name give."""
    import rdflib.namespace as rdflib_namespaces

    got = (namespaces.RDF.type, namespaces.DCTERMS.title, namespaces.SH["in"], namespaces.RPN.SourceGraph)
    assert got == ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://purl.org/dc/terms/title",
                   "http://www.w3.org/ns/shacl#in", "https://w3id.org/repnet/ontology#SourceGraph")
    assert {type(t) for t in got} == {str}
    for name in ("RDF", "RDFS", "OWL", "XSD", "SKOS", "DCTERMS", "PROV", "SDO"):
        assert str(getattr(namespaces, name)) == str(getattr(rdflib_namespaces, name)), name


def test_reading_the_store_from_the_command_line_does_not_import_rdflib() -> None:
    """What `repnet query` imports to answer does not bring in rdflib (0.09-0.13 s of each command)."""
    import subprocess
    import sys

    code = ("import sys, repnet.cli, repnet.graph.ask.query, repnet.graph.store.embedded, repnet.graph.output; "
            "print(sorted(m for m in sys.modules if m == 'rdflib' or m.startswith('rdflib.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
