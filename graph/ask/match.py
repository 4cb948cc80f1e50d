"""Cross-reference: which persons of one source are persons of another (an imported sanctions list
against the officials of the graph), across scripts and spellings, with the evidence.

``repnet match SOURCE [--against OTHER]`` compares the persons of source SOURCE with those of OTHER
(default: every person no graph of SOURCE types) and lists candidate pairs with a score in [0, 1]
and the reasons. Names are compared with :mod:`repnet.graph.names` (the one folding across
Cyrillic, the Belarusian and Russian romanisations, name order and patronymics; ``rapidfuzz`` for
the similarity of names that do not fold to the same key); birth dates and posts are the evidence.

The score is :func:`repnet.graph.resolution.score`, the one scorer ``repnet match --within`` uses
too (its documentation gives the weights); a pair at or above :data:`repnet.graph.resolution.THRESHOLD`
(0.85) is ``proposed``: its names agree and so does at least one piece of evidence beyond the name
(the same name alone scores 0.8). Below it, down to ``min_score`` (default ``REVIEW_FLOOR``, 0.5),
a pair is listed for ``review``. What this module reads from the store for it: names, birth dates
to the day and posts, which is what sanctions lists and officials share. Nothing is merged by
this module: ``repnet match SOURCE --review --judgements DIR`` adds the pairs not yet judged to
``DIR/judgements.yaml`` with the judgements machinery of :mod:`repnet.graph.ingest.match` (a source
file of Judgement records: ``same`` automatically only at 0.95 or more, else ``unsure``, for a person
to decide); building DIR with the other sources states ``owl:sameAs`` for each ``same`` in
``<base>graph/same-as``.

Candidate pairs come from blocking on the folded words of the names: a pair shares at least one
word skeleton, and each person is compared with the persons sharing its rarest words, rarest first,
up to :data:`MAX_BLOCK` (100) of them (always those of its rarest word). A surname is usually the
rarest word; two persons who share only a common given name are not compared. So 10,000 persons
against 100,000 compare each with at most a few hundred (timings in ``tests/benchmarks/match.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..iris import source_id
from ..resolution import REVIEW_FLOOR, THRESHOLD, Person, score
from ..store.base import Store

__all__ = ["Candidate", "candidates", "persons", "match", "Person", "THRESHOLD", "REVIEW_FLOOR"]

MAX_BLOCK = 100


@dataclass
class Candidate:
    a: Person
    b: Person
    score: float
    reasons: list[str]

    @property
    def proposed(self) -> bool:
        return self.score >= THRESHOLD


def candidates(left: Sequence[Person], right: Sequence[Person], *, min_score: float = REVIEW_FLOOR,
               skip: Iterable[frozenset[str]] = ()) -> list[Candidate]:
    """Pairs (one of ``left``, one of ``right``, never a person with itself) scoring at least
    ``min_score``, best first; ``skip`` holds pairs already judged."""
    block: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(right):
        for w in p.words():
            block[w].append(i)
    done = set(skip)
    out = []
    for a in left:
        sizes = sorted((len(block[w]), w) for w in a.words() if w in block)
        seen: set[int] = set()
        for n, w in sizes:  # rarest words first, until MAX_BLOCK candidates (always the rarest)
            if seen and len(seen) + n > MAX_BLOCK:
                break
            seen.update(block[w])
        for i in sorted(seen):
            b = right[i]
            if b.iri == a.iri or frozenset((a.iri, b.iri)) in done:
                continue
            s, why = score(a, b)
            if s >= min_score:
                out.append(Candidate(a, b, s, why))
    out.sort(key=lambda c: (-c.score, c.a.label, c.b.label, c.a.iri, c.b.iri))
    return out


_QUERIES = {
    "typed": "SELECT DISTINCT ?p ?g WHERE { GRAPH ?g { ?p a schema:Person } }",
    "names": "SELECT DISTINCT ?p ?n WHERE { ?p a schema:Person . { ?p skos:prefLabel ?n } UNION { ?p skos:altLabel ?n } }",
    "born": "SELECT DISTINCT ?p (STR(?b) AS ?born) WHERE { ?p a schema:Person ; schema:birthDate ?b }",
    "posts": """SELECT DISTINCT ?p ?post WHERE { ?m org:member ?p ; org:role ?r . ?r skos:prefLabel ?role FILTER(LANG(?role) = "en")
                OPTIONAL { ?m org:organization/skos:prefLabel ?org FILTER(LANG(?org) = "en") }
                BIND(IF(BOUND(?org), CONCAT(?role, " at ", ?org), ?role) AS ?post) }""",
    "positions": "SELECT DISTINCT ?p ?post WHERE { ?p rpn:positionAsStated ?post }",
}


def persons(store: Store) -> dict[str, Person]:
    """Every person the visible graphs type, with names, birth dates, posts and sources."""
    from . import query as q

    def rows(name: str) -> list[dict[str, Any]]:
        return q.rows_of(q.execute(store, q.prepare(store, _QUERIES[name], {})))[1]

    out: dict[str, Person] = {}
    for r in rows("typed"):
        out.setdefault(r["p"], Person(r["p"])).sources.add(source_id(r["g"]))
    for r in rows("names"):
        if r["p"] in out:
            out[r["p"]].names.append(r["n"])
    for r in rows("born"):
        if r["p"] in out:
            out[r["p"]].born.append(r["born"])
    for name in ("posts", "positions"):
        for r in rows(name):
            if r["p"] in out:
                out[r["p"]].posts.append(r["post"])
    for p in out.values():
        p.names = sorted(set(p.names))
        p.born.sort()
        p.posts.sort()
        p.label = p.names[0] if p.names else p.iri
    return out


def match(store: Store, source: str, against: str | None = None, *, min_score: float = REVIEW_FLOOR,
          judged: Iterable[frozenset[str]] = ()) -> list[Candidate]:
    """Candidate pairs between the persons of ``source`` and those of ``against`` (default: every
    person that no graph of ``source`` types); a UsageError names a source without persons."""
    everyone = persons(store)
    left = [p for p in everyone.values() if source in p.sources]
    if not left:
        known = sorted({s for p in everyone.values() for s in p.sources})
        raise UsageError(f"source '{source}' types no person; sources with persons: {', '.join(known)}", argument="source")
    if against is None:
        right = [p for p in everyone.values() if source not in p.sources]
    else:
        right = [p for p in everyone.values() if against in p.sources]
        if not right:
            raise UsageError(f"source '{against}' types no person", argument="against")
    return candidates(sorted(left, key=lambda p: p.iri), sorted(right, key=lambda p: p.iri), min_score=min_score, skip=judged)

