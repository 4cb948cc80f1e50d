"""Cross-reference: which persons of one source are persons of another (an imported sanctions list
against the officials of the graph), across scripts and spellings, with the evidence.

``repnet match SOURCE [--against OTHER]`` compares the persons of source SOURCE with those of OTHER
(default: every person no graph of SOURCE types) and lists candidate pairs with a score in [0, 1]
and the reasons. Names are compared with :mod:`repnet.graph.names` (the one folding across
Cyrillic, the Belarusian and Russian romanisations, name order and patronymics; ``rapidfuzz`` for
the similarity of names that do not fold to the same key); birth dates and posts are the evidence.

The score (documented in the README, tested in ``tests/test_match.py``)::

    0.7 x name        the best similarity of any name of one with any name of the other
                      (1.0 when they share a name key)
  + 0.1               a long word (5+ letters) of the two names is the same after folding (a surname)
  + 0.3 / 0.2 / 0.15  birth dates agree to the day / month / year (one refines the other)
  - 0.5               birth dates both known and different: namesakes
  + 0.1               a post's role word (judge, prosecutor, head, ...) is in both persons' posts
    clamped to [0, 1]

A pair at or above :data:`THRESHOLD` (0.85) is ``proposed``: its names agree and so does at least
one piece of evidence beyond the name (the same name alone scores 0.8). Below it, down to
``min_score`` (default :data:`REVIEW_FLOOR`), a pair is listed for ``review``. Nothing is merged by
this module: ``repnet match SOURCE --review --judgements DIR`` adds the pairs not yet judged to
``DIR/judgements.yaml`` with the judgements machinery of :mod:`repnet.graph.ingest.match` (a source
file of Judgement records: ``same`` automatically only at 0.95 or more, else ``unsure``, for a person
to decide); building DIR with the other sources states ``owl:sameAs`` for each ``same`` in
``<base>graph/same-as``.

This scorer differs from the lists' (:func:`repnet.graph.ingest.match.score_pair`, birth year,
birthplace, employer and address) in its evidence: birth dates to the day and posts, read from the
store, which is what sanctions lists and officials share.

Candidate pairs come from blocking on the folded words of the names: a pair shares at least one
word skeleton, and each person is compared with the persons sharing its rarest words, rarest first,
up to :data:`MAX_BLOCK` (100) of them (always those of its rarest word). A surname is usually the
rarest word; two persons who share only a common given name are not compared. So 10,000 persons
against 100,000 compare each with at most a few hundred (timings in ``tests/benchmarks/match.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel

from ..errors import UsageError
from ..iris import source_id
from ..names import fold, name_keys, skeleton
from ..store.base import Store

THRESHOLD = 0.85
REVIEW_FLOOR = 0.5
MAX_BLOCK = 100
ROLE_WORDS = frozenset({"judge", "prosecutor", "investigator", "head", "deputy", "officer", "chief", "director"})


@dataclass
class Person:
    """A person as the matcher sees it: names, birth dates as stated, posts in words, sources."""

    iri: str
    label: str = ""
    names: list[str] = field(default_factory=list)
    born: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    _keys: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _words: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _roles: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def roles(self) -> frozenset[str]:
        """The role words (:data:`ROLE_WORDS`) of the person's posts, computed once."""
        if self._roles is None:
            self._roles = frozenset(w for p in self.posts for w in re.split(r"[^a-z]+", fold(p))) & ROLE_WORDS
        return self._roles

    _by_name: dict[str, frozenset[str]] | None = field(default=None, repr=False, compare=False)

    def name_keys(self) -> dict[str, frozenset[str]]:
        """Each name's keys (:func:`repnet.graph.names.name_keys`), computed once."""
        if self._by_name is None:
            self._by_name = {n: name_keys(n) for n in self.names}
        return self._by_name

    def keys(self) -> frozenset[str]:
        """The name keys of every name, computed once."""
        if self._keys is None:
            self._keys = frozenset().union(*self.name_keys().values()) if self.names else frozenset()
        return self._keys

    def words(self) -> frozenset[str]:
        """The name words (3+ letters) after folding and the spelling rules, computed once."""
        if self._words is None:
            self._words = frozenset(w for n in self.names for w in skeleton(n).split() if len(w) >= 3)
        return self._words


@dataclass
class Candidate:
    a: Person
    b: Person
    score: float
    reasons: list[str]

    @property
    def proposed(self) -> bool:
        return self.score >= THRESHOLD


def _birth(a: Sequence[str], b: Sequence[str]) -> tuple[float, str | None]:
    """(bonus or penalty, reason) from two persons' birth dates as stated (YYYY, YYYY-MM, YYYY-MM-DD)."""
    if not a or not b:
        return 0.0, None
    best = 0
    for x in a:
        for y in b:
            n = min(len(x), len(y))
            if x[:n] == y[:n]:
                best = max(best, n)
    if best:
        return {10: 0.3, 7: 0.2}.get(best, 0.15), f"birth date {a[0]} ~ {b[0]}"
    return -0.5, f"birth dates differ: {a[0]} vs {b[0]}"


def _post(a: Person, b: Person) -> str | None:
    shared = sorted(a.roles() & b.roles())
    return f"post: {', '.join(shared)} in both" if shared else None


def _key_similarity(p: str, q: str) -> float:
    """Indel similarity of two name keys, and no more than that of the words they do not share: a
    shared given name does not make Aliaksandr Baloledziski like Aliaksandr Bavamiski (0.85 whole,
    0.7 on the surnames), while Volha and Olga Sharapanava keep their 0.65 (valha and alha are close).

    >>> round(_key_similarity("alaksandr balaladaska", "alaksandr bavamaska"), 2), round(_key_similarity("alha sarapanava", "sarapanava valha"), 2)
    (0.7, 0.65)
    """
    whole = Indel.normalized_similarity(p, q)
    wp, wq = p.split(), q.split()
    rp, rq = [w for w in wp if w not in wq], [w for w in wq if w not in wp]
    if not rp or not rq or len(rp) == len(wp):
        return whole
    return min(whole, Indel.normalized_similarity(" ".join(rp), " ".join(rq)))


def score(a: Person, b: Person) -> tuple[float, list[str]]:
    """The score of a pair and its reasons (module docstring).

    >>> judge = Person("a", "Alena Hrushetskaya", ["Alena Hrushetskaya"], ["1975-03-14"], ["judge at Court K"])
    >>> s, why = score(judge, Person("b", "Грушецкая Алёна", ["Грушецкая Алёна"], ["1975-03-14"], []))
    >>> round(s, 2), why[0]
    (1.0, "name: 'Alena Hrushetskaya' ~ 'Грушецкая Алёна' (1.00)")
    >>> round(score(judge, Person("c", "Alena Hrushetskaya", ["Alena Hrushetskaya"], ["1990-06-01"], ["teacher"]))[0], 2)
    0.3
    """
    # names.same_name_score's rule (a shared key is 1.0, else the best similarity of two keys, at most
    # 0.99) on keys computed once per person (computing them is most of a comparison's cost), made
    # stricter: two keys are only as similar as the words they do not share (_key_similarity)
    best, pair = 0.0, ("", "")
    for x, kx in a.name_keys().items():
        for y, ky in b.name_keys().items():
            sim = 1.0 if kx & ky else min(0.99, max((_key_similarity(p, q) for p in kx for q in ky), default=0.0))
            if sim > best:
                best, pair = sim, (x, y)
    reasons = [f"name: {pair[0]!r} ~ {pair[1]!r} ({best:.2f})"]
    total = 0.7 * best
    shared = sorted(w for w in a.words() & b.words() if len(w) >= 5)
    if shared:
        total += 0.1
        reasons.append(f"same word: {max(shared, key=len)}")
    bonus, why = _birth(a.born, b.born)
    total += bonus
    if why:
        reasons.append(why)
    post = _post(a, b)
    if post:
        total += 0.1
        reasons.append(post)
    return max(0.0, min(1.0, total)), reasons


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

