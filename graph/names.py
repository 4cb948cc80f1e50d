"""Names across scripts and spellings: the one folding every name lookup uses.

A person in Belarusian sources is written Калеснікава (Belarusian Cyrillic), Колесникова (Russian),
Kalesnikava (Belarusian national romanisation), Kalieśnikava (Łacinka), Kolesnikova (Russian-style
English press) and, in a Cyrillic list, surname first with a patronymic. Every place that looks a
name up (saved-query parameters through :func:`repnet.graph.ask.query.resolve_name`, the ``persons``
query, the endpoint's pages, the explorer's search box, ``repnet match``) uses this module:

* :func:`fold` -- case, diacritics and script: the text in lowercase ASCII. Cyrillic and other
  scripts are transliterated by ``anyascii`` (a maintained table-driven transliterator, BGN/PCGN-like
  for Cyrillic: ч -> ch, х -> kh, ц -> ts, ў -> u); Latin letters with a caron (č š ž, the
  Belarusian national romanisation and Łacinka) are first written as the digraphs they stand for,
  so ``Statkievič`` and ``Статкевіч`` both fold to ``statkevich``/``statkievich``; ``ł`` -> ``l``;
  apostrophes (soft signs) are dropped; spaces are single.
* :func:`skeleton` -- the folded text with the differences between the romanisations and between the
  Belarusian and Russian forms of a name taken out, word by word (:data:`RULES`): every vowel and
  ``j``/``y`` is one vowel, runs of a letter are one letter, ``kh``/``ch``/``h``/``g`` are ``h``
  (Belarusian г is h, Russian g; Łacinka ch is х), ``ts``/``c``/``t`` are ``t`` and ``dz``/``d``
  are ``d`` (Belarusian ц/дз for Russian т/д), ``zh`` is ``z``, ``sh`` is ``s``, and ``v``/``w``
  before a consonant or at the end is a vowel (Belarusian ў for Russian в). Kolesnikova and
  Kalesnikava give ``kalasnakava``; Babariko and Babaryka ``babaraka``. Last, a word that is a
  given name of ``graph/given-names.yaml`` (:data:`GIVEN`: the Belarusian and Russian forms of one
  name, Volha and Olga, Mikalai and Nikolai, Aliaksandr and Alexander) is written as the table's
  first form, so the two forms are one word.
* :func:`name_keys` -- the keys a person's name is found under: the skeleton's words sorted (so
  name order does not matter), and the same without a patronymic when the name has three or more
  words and one of them (not the first) ends like one (-ovich, -evna, -aŭna, ...).
* :func:`name_words` -- the words a one-word lookup (a surname alone) finds a name by: its skeleton
  words of three letters or more that are neither a given name of the table nor the patronymic
  :func:`name_keys` drops.
* :func:`same_name_score` -- 1.0 when two names share a key, else a similarity in [0, 1) of their
  sorted skeletons (``rapidfuzz``'s normalised Indel similarity), for ``repnet match``.

A lookup first compares :func:`fold` (exact spelling up to case, diacritics and script), then
:func:`name_keys`, which is deliberately loose (Loika and Luka share a skeleton), and, for a lookup
of one word, :func:`name_words` (``Kolesnikova`` finds Maria Kalesnikava): a loose hit that names
several entities is an error listing them, never a guess.

The explorer page runs the same folding in the browser: :func:`browser_spec` gives the character
table and the rules that ``graph/viz/assets/viz.js`` applies, generated from this module, so
Python and the page cannot disagree on the characters the table covers (Latin, Latin Extended,
Cyrillic and the common apostrophes).

Hand-written here (with the reason): the rules above. No maintained library matches Belarusian
names across its romanisations and the Russian forms (phonetic algorithms such as Metaphone are
built for English; ``rigour``'s name tools transliterate but keep o/a and g/h apart), and the rules
are a short, tested list (``tests/test_names.py``).
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files

import yaml
from anyascii import anyascii
from rapidfuzz.distance import Indel

__all__ = ["fold", "skeleton", "name_keys", "name_words", "same_name_score", "browser_spec", "RULES", "GIVEN"]

# Latin letters whose plain-ASCII form would lose what they stand for (č is ч, not c)
_PRE = {"č": "ch", "Č": "ch", "š": "sh", "Š": "sh", "ž": "zh", "Ž": "zh", "ł": "l", "Ł": "l",
        "ŭ": "u", "Ŭ": "u", "ǯ": "dzh"}
_DROP = "'’ʼʹʺ`´\u02bb"
_SPACE = "-‐‑–—_"

# (pattern, replacement) applied in order to each folded word; the same regular expressions run in
# the explorer (JavaScript), so they use only classes, alternation and a lookahead
RULES: tuple[tuple[str, str], ...] = (
    ("shch", "s"), ("cz", "h"), ("sz", "s"), ("zh", "z"), ("kh", "h"), ("ch", "h"), ("sh", "s"),
    ("ts", "t"), ("dz", "d"), ("c", "t"), ("g", "h"), ("x", "ks"), ("w", "v"), ("q", "k"),
    ("v(?=[^aeiouyj]|$)", "u"), ("[aeiouyj]", "a"), ("[^a-z0-9]", ""),
)
_RULES = tuple((re.compile(p), r) for p, r in RULES)
_PATRONYMIC = re.compile(r"(ovich|evich|avich|ovych|evych|ich|ovna|evna|avna|auna|euna|ichna|ivna)$")
# characters the explorer's table covers: Latin-1 letters, Latin Extended-A/B, Cyrillic, apostrophes
_TABLE_RANGES = ((0x00C0, 0x0250), (0x0400, 0x0530), (0x2010, 0x2020), (0x02B9, 0x02BD))


@functools.lru_cache(maxsize=4096)
def _char(c: str) -> str:
    if c in _PRE:
        return _PRE[c]
    if c in _DROP:
        return ""
    if c in _SPACE or c.isspace():
        return " "
    if c.isascii():
        return c.lower()
    out = anyascii(c).lower()  # ь -> "'", the soft sign, is dropped as apostrophes are
    return "".join(" " if x in _SPACE else x for x in out if x not in _DROP)


def fold(text: str) -> str:
    """Lowercase ASCII, no diacritics, any script transliterated, single spaces:
    'Łojka ' -> 'lojka', 'Калеснікава' -> 'kalesnikava', 'Statkievič' -> 'statkievich'."""
    return " ".join("".join(_char(c) for c in text).split())


def _rules_word(word: str) -> str:
    for pattern, repl in _RULES:
        word = pattern.sub(repl, word)
    return re.sub(r"(.)\1+", r"\1", word)


def _given_names() -> dict[str, str]:
    """graph/given-names.yaml as skeleton of any form -> skeleton of the row's first form."""
    rows = yaml.safe_load(files("repnet.graph").joinpath("given-names.yaml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for row in rows:
        first = _rules_word(fold(row[0]))
        for form in row:
            key = _rules_word(fold(form))
            if out.setdefault(key, first) != first:
                raise ValueError(f"graph/given-names.yaml: {form!r} has the key {key!r} of another row ({out[key]!r})")
    return out


# skeleton of a given name's Belarusian or Russian form -> the one word both are written as
GIVEN: dict[str, str] = _given_names()


def _skeleton_word(word: str) -> str:
    word = _rules_word(word)
    return GIVEN.get(word, word)


@functools.lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """The folded text, word by word, with the spelling differences of :data:`RULES` taken out:
    'Kolesnikova' and 'Калеснікава' -> 'kalasnakava'. Words keep their order."""
    return " ".join(w for w in (_skeleton_word(w) for w in fold(text).split()) if w)


@functools.lru_cache(maxsize=65536)
def name_keys(name: str) -> frozenset[str]:
    """The keys a person's name is found under: its skeleton words sorted, and without a patronymic.

    >>> sorted(name_keys("Калеснікава Марыя Аляксандраўна"))
    ['alaksandrana kalasnakava mara', 'kalasnakava mara']
    """
    words = fold(name).split()
    keys = {" ".join(sorted(w for w in map(_skeleton_word, words) if w))}
    drop = _patronymic_at(words)
    if drop is not None:
        rest = [w for i, w in enumerate(words) if i != drop]
        keys.add(" ".join(sorted(w for w in map(_skeleton_word, rest) if w)))
    keys.discard("")
    return frozenset(keys)


def _patronymic_at(words: list[str]) -> int | None:
    """The index of the patronymic among a name's folded words, if it has three or more words and
    one (not the first) ends like one: given-name first, it is the second; surname first, the last."""
    if len(words) < 3:
        return None
    at = [i for i in range(1, len(words)) if len(words[i]) > 5 and _PATRONYMIC.search(words[i])]
    return (1 if 1 in at else at[-1]) if at else None


@functools.lru_cache(maxsize=65536)
def name_words(name: str) -> frozenset[str]:
    """The words a lookup by one word (a surname alone) finds the name by: skeleton words of three
    letters or more that are not a given name (:data:`GIVEN`) or a patronymic.

    >>> sorted(name_words("Калеснікава Марыя Аляксандраўна"))
    ['kalasnakava']
    """
    given = set(GIVEN.values())
    out = set()
    words = fold(name).split()
    drop = _patronymic_at(words)
    for i, word in enumerate(words):
        if i == drop:
            continue
        sk = _skeleton_word(word)
        if len(sk) >= 3 and sk not in given:
            out.add(sk)
    return frozenset(out)


def same_name_score(a: str, b: str) -> float:
    """1.0 when the names share a key (:func:`name_keys`), else the similarity of their closest
    keys in [0, 1): rapidfuzz's normalised Indel similarity of the sorted skeletons."""
    ka, kb = name_keys(a), name_keys(b)
    if not ka or not kb:
        return 0.0
    if ka & kb:
        return 1.0
    return min(0.99, max(Indel.normalized_similarity(x, y) for x in ka for y in kb))


def browser_spec() -> dict[str, object]:
    """What the explorer needs to fold and skeletonise as this module does: the per-character table
    (only characters whose folding is not their lowercase), the characters mapped to a space,
    :data:`RULES` and the given names' words (:data:`GIVEN`)."""
    table = {}
    for lo, hi in _TABLE_RANGES:
        for cp in range(lo, hi):
            c = chr(cp)
            if _char(c) != c.lower():
                table[c] = _char(c)
    for c in _PRE:
        table[c] = _PRE[c]
    for c in _DROP:
        table[c] = ""
    for c in _SPACE:
        table[c] = " "
    return {"chars": table, "rules": [list(r) for r in RULES], "given": dict(sorted(GIVEN.items()))}
