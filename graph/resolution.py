"""Entity resolution: the one score of "these two records may be one person", shared by
``repnet match --within`` (duplicates in imported lists, :mod:`repnet.graph.ingest.match`) and
``repnet match SOURCE`` (a list against the graph's officials, :mod:`repnet.graph.ask.match`).

Names are compared with :mod:`repnet.graph.names` (one folding across Cyrillic, the Belarusian and
Russian romanisations, the Belarusian and Russian forms of given names, name order and patronymics;
``rapidfuzz`` for the similarity of names that do not fold to the same key); the rest is the
evidence the records state. The score, clamped to [0, 1]::

    0.7 x name        the best similarity of any name of one with any name of the other
                      (1.0 when they share a name key)
  + 0.1               a long word (5+ letters) of the two names, not a given name, is the same after
                      folding (a surname)
  + 0.3 / 0.2 / 0.1   birth dates agree to the day / month / year (one refines the other)
  - 0.5               birth dates both known and different: namesakes
  + 0.1 / - 0.1       birthplaces both known and the same / different
  + 0.1               the same employer, or the same address (different addresses: nothing, one
                      person is often listed at two)

Places, employers and addresses are compared by their skeletons (:func:`repnet.graph.names.skeleton`),
so Hrodna is Гродно.
  + 0.1               a post's role word (judge, prosecutor, head, ...) is in both persons' posts

**One threshold**: a pair at or above :data:`THRESHOLD` (0.85) is *proposed* -- its names agree and
so does at least one piece of evidence beyond the name (the same name alone scores 0.8). Pairs down
to ``min_score`` (default :data:`REVIEW_FLOOR`, 0.5) are listed for review; a pair is written
``same`` in a judgements file automatically only at :data:`AUTO_SAME` (0.95) or more, which takes
the name and two pieces of evidence (a birth year and an address, or a full birth date). Nothing is
merged by scoring: a judgements file decides, and a person edits it.

Hand-written (with the reason): a few weighted comparisons of the fields lists and officials state,
over the names module's keys; no maintained library scores Belarusian and Russian name forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from .names import GIVEN, fold, name_keys, skeleton

__all__ = ["Person", "score", "THRESHOLD", "AUTO_SAME", "REVIEW_FLOOR", "ROLE_WORDS"]

THRESHOLD = 0.85
AUTO_SAME = 0.95
REVIEW_FLOOR = 0.5
_GIVEN = frozenset(GIVEN.values())
ROLE_WORDS = frozenset({"judge", "prosecutor", "investigator", "head", "deputy", "officer", "chief", "director"})


@dataclass
class Person:
    """A person as matching sees it: names, birth dates as stated (YYYY, YYYY-MM, YYYY-MM-DD),
    posts in words, birthplace, employer and address as stated, and the sources naming it."""

    id: str
    label: str = ""
    names: list[str] = field(default_factory=list)
    born: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    birth_place: str | None = None
    employer: str | None = None
    residence: str | None = None
    sources: set[str] = field(default_factory=set)
    _by_name: dict[str, frozenset[str]] | None = field(default=None, repr=False, compare=False)
    _keys: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _words: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _roles: frozenset[str] | None = field(default=None, repr=False, compare=False)

    @property
    def iri(self) -> str:
        """The id (an IRI when read from a store)."""
        return self.id

    def roles(self) -> frozenset[str]:
        """The role words (:data:`ROLE_WORDS`) of the person's posts, computed once."""
        if self._roles is None:
            self._roles = frozenset(w for p in self.posts for w in re.split(r"[^a-z]+", fold(p))) & ROLE_WORDS
        return self._roles

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
        return {10: 0.3, 7: 0.2}.get(best, 0.1), f"birth date {a[0]} ~ {b[0]}"
    return -0.5, f"birth dates differ: {a[0]} vs {b[0]}"


def _key_similarity(p: str, q: str) -> float:
    """Indel similarity of two name keys, and no more than that of the words they do not share: a
    shared given name does not make Aliaksandr Baloledziski like Aliaksandr Bavamiski (0.85 whole,
    0.7 on the surnames), while Volha Sharapanava and Volha Sharapanova-Ivanova keep their 0.8.

    >>> round(_key_similarity("alaksandr balaladaska", "alaksandr bavamaska"), 2), round(_key_similarity("sarapanava valha", "avanava sarapanava valha"), 2)
    (0.7, 0.8)
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
    # a shared key is 1.0, else the best similarity of two keys (at most 0.99), on keys computed once
    # per person, and two keys are only as similar as the words they do not share (_key_similarity)
    best, pair = 0.0, ("", "")
    for x, kx in a.name_keys().items():
        for y, ky in b.name_keys().items():
            sim = 1.0 if kx & ky else min(0.99, max((_key_similarity(p, q) for p in kx for q in ky), default=0.0))
            if sim > best:
                best, pair = sim, (x, y)
    reasons = [f"name: {pair[0]!r} ~ {pair[1]!r} ({best:.2f})"]
    total = 0.7 * best
    shared = sorted(w for w in a.words() & b.words() if len(w) >= 5 and w not in _GIVEN)
    if shared:
        total += 0.1
        reasons.append(f"same word: {max(shared, key=len)}")
    bonus, why = _birth(a.born, b.born)
    total += bonus
    if why:
        reasons.append(why)
    if a.birth_place and b.birth_place:
        same = skeleton(a.birth_place) == skeleton(b.birth_place)
        total += 0.1 if same else -0.1
        reasons.append(f"birthplace {'same' if same else 'differs'}: {a.birth_place} ~ {b.birth_place}")
    if a.employer and b.employer and skeleton(a.employer) == skeleton(b.employer):
        total += 0.1
        reasons.append(f"employer same: {a.employer}")
    elif a.residence and b.residence and skeleton(a.residence) == skeleton(b.residence):
        total += 0.1
        reasons.append(f"address same: {a.residence}")
    elif a.residence and b.residence:
        reasons.append(f"addresses differ: {a.residence} vs {b.residence}")
    roles = sorted(a.roles() & b.roles())
    if roles:
        total += 0.1
        reasons.append(f"post: {', '.join(roles)} in both")
    return round(max(0.0, min(1.0, total)), 3), reasons
