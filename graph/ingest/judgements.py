"""Judgements: decisions, kept as data, on whether two entities are the same.

``repnet match`` proposes pairs; a person decides. The decisions live in a YAML file that is
reviewed and versioned like the sources (``repnet match ... --write judgements.yaml`` adds the pairs
not yet judged)::

    judgements:
      - a: person/hrushetskaya                     # an entity id, or its full IRI
        b: person/eu-list-syn-1
        decision: same                             # same | different | unsure
        score: 0.97                                # what repnet match said, for the reviewer
        reasons: "same name key; birth date 1975-03-14 = 1975-03-14"
        by: repnet match                           # or the reviewer's name

``repnet build --judgements FILE`` applies them: each ``same`` becomes ``<a> owl:sameAs <b>`` in
the graph ``<base>graph/judgements`` (public, with the file it came from in the metadata graph), so
a wrong merge is undone by changing one line and building again; ``different`` and ``unsure`` add
nothing, and keep the pair from being proposed as new. Nothing else is merged: the sources'
graphs never change. (The same design as ``nomenklatura``'s resolver: judgements between ids,
applied as a separate layer.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from ...ontology.namespaces import ACCESS, DCTERMS, OWL, PROV, RDF, RDFS
from ..errors import Problem, SourceError

DECISIONS = ("same", "different", "unsure")
GRAPH = "graph/judgements"


@dataclass(frozen=True)
class Judgement:
    a: str
    b: str
    decision: str
    score: float | None = None
    reasons: str | None = None
    by: str | None = None

    def key(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


def entity_iri(ref: str, base: str) -> str:
    """An entity id (``person/x``) or IRI -> its IRI.

    >>> entity_iri("person/x", "https://w3id.org/repnet/")
    'https://w3id.org/repnet/id/person/x'
    """
    return ref if ref.startswith(("http://", "https://")) else f"{base}id/{ref}"


def read_judgements(path: str | Path) -> list[Judgement]:
    """The judgements of a file (a missing file has none); a SourceError lists every bad entry."""
    path = Path(path)
    if not path.exists():
        return []
    fname = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise SourceError([Problem(fname, None, None, f"not YAML: {err}", "write the file as repnet match --write does")]) from err
    items = data.get("judgements") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceError([Problem(fname, None, None, "a judgements file holds a list under 'judgements:'",
                                   "start the file with 'judgements:' and one '- a: ..., b: ..., decision: ...' per pair")])
    out, problems = [], []
    for i, item in enumerate(items, 1):
        where = f"judgement {i}"
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item.get(k) for k in ("a", "b", "decision")):
            problems.append(Problem(fname, None, where, "a judgement names 'a', 'b' and a 'decision'", "give all three"))
            continue
        if item["decision"] not in DECISIONS:
            problems.append(Problem(fname, None, where, f"decision {item['decision']!r} is not one of {', '.join(DECISIONS)}",
                                    "write same, different or unsure"))
            continue
        score = item.get("score")
        out.append(Judgement(item["a"], item["b"], item["decision"], float(score) if isinstance(score, int | float) else None,
                             str(item["reasons"]) if item.get("reasons") is not None else None,
                             str(item["by"]) if item.get("by") is not None else None))
    if problems:
        raise SourceError(problems)
    return out


def write_judgements(path: str | Path, judgements: Iterable[Judgement]) -> None:
    """The file with these judgements, whole (:mod:`repnet.graph.files`)."""
    from ..files import write_text

    items = []
    for j in judgements:
        d: dict[str, Any] = {"a": j.a, "b": j.b, "decision": j.decision}
        if j.score is not None:
            d["score"] = round(j.score, 3)
        for k in ("reasons", "by"):
            if getattr(j, k):
                d[k] = getattr(j, k)
        items.append(d)
    head = ("# repnet judgements: is a the same entity as b? decision: same | different | unsure.\n"
            "# Only 'same' is applied (repnet build --judgements FILE -> owl:sameAs in graph/judgements).\n")
    write_text(path, head + yaml.safe_dump({"judgements": items}, allow_unicode=True, sort_keys=False, width=200))


def judgement_quads(paths: Iterable[str | Path], base: str) -> Iterator[ox.Quad]:
    """owl:sameAs for every ``same`` decision of the files, in ``<base>graph/judgements``, and the
    metadata that publishes that graph."""
    n = ox.NamedNode
    g, meta = n(base + GRAPH), n(base + "graph/meta")
    files = [Path(p) for p in paths]
    if not files:
        return
    for path in files:
        for j in read_judgements(path):
            if j.decision == "same":
                yield ox.Quad(n(entity_iri(j.a, base)), n(str(OWL.sameAs)), n(entity_iri(j.b, base)), g)
    yield ox.Quad(g, n(str(RDF.type)), n(str(PROV.Entity)), meta)
    yield ox.Quad(g, n(str(DCTERMS.accessRights)), n(str(ACCESS.PUBLIC)), meta)
    for path in files:
        yield ox.Quad(g, n(str(RDFS.comment)), ox.Literal(f"owl:sameAs decided in the judgements file {path.name}"), meta)
