"""Entity resolution for persons: candidate pairs with a score and the evidence, judgements, sameAs.

``repnet match --within DIR`` reads the Person records of the source files in DIR (an imported list,
several lists, hand-written sources) and, with ``--graph``, the persons of the built store too, and
lists the pairs that may name one person:

* **Candidates** come from blocks of :func:`repnet.graph.names.name_keys` and of single name words
  (the skeleton of each word of four letters or more), so "Alyona Zhuravenko" meets "Alena
  Zhuravenka" and "Журавенко Алёна" without comparing every pair. A word shared by more than
  :data:`MAX_BLOCK` persons (a common given name) is too common to say anything and makes no block;
  the full-name keys always do.
* **Score** in [0, 1]: ``0.6 x name + 0.2 x birth + 0.1 x birthplace + 0.1 x work or address``,
  where name is :func:`repnet.graph.names.same_name_score` of the closest two names; birth is 1 for
  the same birth year, 0 for different years, 0.5 when either is unknown; birthplace likewise
  (compared folded); work or address is 1 when the employer or the address is the same, else 0.5
  (the same person is often listed twice at two addresses). Pairs under :data:`MIN_SCORE` (0.75) are
  not listed: namesakes born in different years score 0.7. The evidence says what was compared and found.
* **Judgements** (``--review``) are written to ``DIR/judgements.yaml``, an ordinary source file of
  ``Judgement`` records (same / different / unsure) that a reviewer edits; a rerun keeps every
  decision already there. Nothing is decided automatically below :data:`AUTO_SAME` (0.95): under
  it a new pair is written ``unsure``; at or above it ``same``, ``by: repnet match (automatic)``.
* **At build**, :func:`same_as_quads` states ``owl:sameAs`` (both ways) for each public judgement
  whose decision is ``same``, in the graph ``<base>graph/same-as`` and nowhere else: changing the
  decision and building again takes it back.

The scoring is hand-written (with the reason): it is a few weighted comparisons of the fields lists
state, over the names module's keys; the cross-reference of officials in the accountability work
uses the same functions (:func:`candidates`, :func:`score_pair`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, DCTERMS, OWL, PROV, RDF, RPN, RPNC
from ..names import fold, name_keys, same_name_score, skeleton
from ..progress import Progress
from .sources import expand_paths, read_source

MIN_SCORE = 0.75
AUTO_SAME = 0.95
MAX_BLOCK = 100
JUDGEMENTS = "judgements.yaml"


@dataclass
class PersonRecord:
    """What matching compares of one person."""

    id: str
    names: list[str]
    birth_year: str | None = None
    birth_place: str | None = None
    employer: str | None = None
    residence: str | None = None
    source: str = ""
    keys: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Candidate:
    a: PersonRecord
    b: PersonRecord
    score: float
    evidence: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.a.id, self.b.id) if self.a.id < self.b.id else (self.b.id, self.a.id)


def persons_of_sources(paths: Iterable[str | Path]) -> list[PersonRecord]:
    """The Person records of the source files under ``paths`` (a judgements file is skipped)."""
    out = []
    for p in expand_paths(paths):
        if p.name == JUDGEMENTS:
            continue
        src = read_source(p)
        names = {r.id: r.data.get("name") for r in src.records if r.id and isinstance(r.data.get("name"), str)}
        for r in src.records:
            d = r.data
            if d.get("type") != "Person" or not r.id:
                continue
            ns = [d["name"]] if isinstance(d.get("name"), str) else []
            ns += [n for n in d.get("names") or [] if isinstance(n, str)]
            born = str(d.get("birth_date") or "")[:4] or None
            place = d.get("birth_place")
            out.append(PersonRecord(r.id, ns, born, names.get(place, place) if isinstance(place, str) else None,
                                    d.get("employer"), d.get("residence"), src.id))
    return out


def persons_of_store(store: Any) -> list[PersonRecord]:
    """The persons of a built store, with their names and birth dates (for matching against the graph)."""
    rows = store.query("""
        SELECT ?p ?n ?born WHERE { ?p a <https://schema.org/Person> { ?p skos:prefLabel ?n } UNION { ?p skos:altLabel ?n }
                                   OPTIONAL { ?p <https://schema.org/birthDate> ?born } }""")
    by: dict[str, PersonRecord] = {}
    base = None
    for row in rows:
        iri = row["p"].value
        base = base or iri.split("/id/", 1)[0] + "/id/"
        rid = iri.split("/id/", 1)[-1]
        rec = by.setdefault(rid, PersonRecord(rid, [], source="store"))
        if row["n"].value not in rec.names:
            rec.names.append(row["n"].value)
        if row["born"] is not None:
            rec.birth_year = row["born"].value[:4]
    return list(by.values())


def score_pair(a: PersonRecord, b: PersonRecord) -> tuple[float, str]:
    """The score of a pair and its evidence (see the module's documentation)."""
    name, na, nb = max(((same_name_score(x, y), x, y) for x in a.names for y in b.names), default=(0.0, "", ""))
    ev = [f"names {na!r} ~ {nb!r} {name:.2f}"]
    if a.birth_year and b.birth_year:
        birth = 1.0 if a.birth_year == b.birth_year else 0.0
        ev.append(f"born {a.birth_year}" + (" both" if birth else f" vs {b.birth_year}"))
    else:
        birth = 0.5
    if a.birth_place and b.birth_place:
        place = 1.0 if skeleton(a.birth_place) == skeleton(b.birth_place) else 0.0
        ev.append(f"birthplace {'same' if place else 'differs'}")
    else:
        place = 0.5
    work = 0.5
    if a.employer and b.employer and fold(a.employer) == fold(b.employer):
        work = 1.0
        ev.append("employer same")
    elif a.residence and b.residence and fold(a.residence) == fold(b.residence):
        work = 1.0
        ev.append("address same")
    elif a.residence and b.residence:
        ev.append("addresses differ")
    score = round(0.6 * name + 0.2 * birth + 0.1 * place + 0.1 * work, 3)
    return score, "; ".join(ev)


def _blocks(p: PersonRecord) -> set[str]:
    out = set(p.keys)
    for n in p.names:
        out |= {"w:" + w for w in skeleton(n).split() if len(w) >= 4}
    return out


def candidates(persons: list[PersonRecord], against: list[PersonRecord] | None = None, min_score: float = MIN_SCORE,
               progress: Progress | None = None) -> list[Candidate]:
    """Pairs that may name one person, best first: within ``persons``, or between ``persons`` and
    ``against`` (the graph) when given."""
    for p in [*persons, *(against or [])]:
        p.keys = frozenset(k for n in p.names for k in name_keys(n))
    blocks: dict[str, list[int]] = defaultdict(list)
    pool = persons + (against or [])
    left = len(persons)
    for i, p in enumerate(pool):
        for b in _blocks(p):
            blocks[b].append(i)
    seen: set[tuple[int, int]] = set()
    out = []
    todo = [b for k, b in blocks.items() if 1 < len(b) and (len(b) <= MAX_BLOCK or not k.startswith("w:"))]
    for k, members in enumerate(todo, 1):
        if progress and k % 1000 == 0:
            progress("comparing blocks", k, len(todo))
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                if against is not None and (i < left) == (j < left):
                    continue  # against the graph: one of each side
                if (i, j) in seen or pool[i].id == pool[j].id:
                    continue
                seen.add((i, j))
                s, ev = score_pair(pool[i], pool[j])
                if s >= min_score:
                    out.append(Candidate(pool[i], pool[j], s, ev))
    if progress:
        progress("comparing blocks", len(todo), len(todo))
    out.sort(key=lambda c: (-c.score, c.pair))
    return out


def match(within: str | Path, store: Any = None, min_score: float = MIN_SCORE, review: bool = False,
          progress: Progress | None = None) -> list[Candidate]:
    """The library face of ``repnet match``: candidate pairs among the persons of the sources under
    ``within`` (or, with ``store``, a Store from ``repnet.open``, between them and the graph's);
    ``review=True`` also adds them to ``within/judgements.yaml``."""
    found = candidates(persons_of_sources([within]), persons_of_store(store) if store is not None else None, min_score, progress)
    if review:
        write_judgements(Path(within), found)
    return found


# ---------------------------------------------------------------------------- judgements
def judgement_id(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return "judgement/" + x.replace("/", "-") + "--" + y.replace("/", "-")


def write_judgements(folder: Path, found: list[Candidate], today: str | None = None) -> tuple[Path, int, int]:
    """Add the new candidate pairs to ``folder/judgements.yaml`` (kept decisions stay as they are).
    Returns (the file, pairs added, pairs decided automatically)."""
    import yaml

    from ..files import write_text

    path = folder / JUDGEMENTS
    records: list[dict[str, Any]] = []
    if path.exists():
        records = [r.data for r in read_source(path).records]
    have = {r.get("id") for r in records}
    if not records:
        records.append({"id": "org/repnet-reviewers", "type": "Organization", "name": "repnet reviewers"})
    added = auto = 0
    for c in found:
        rid = judgement_id(*c.pair)
        if rid in have:
            continue
        same = c.score >= AUTO_SAME
        records.append({"id": rid, "type": "Judgement", "entity": c.pair[0], "other": c.pair[1],
                        "decision": "same" if same else "unsure", "score": round(c.score * 100), "evidence": c.evidence,
                        "by": "repnet match (automatic, score >= 0.95)" if same else "repnet match"})
        have.add(rid)
        added += 1
        auto += same
    meta = {"id": "judgements-" + (fold(folder.resolve().name).replace(" ", "-") or "list")[:60], "kind": "Dataset",
            "title": "Judgements on candidate pairs (repnet match --review)", "publisher": "org/repnet-reviewers",
            "published": today or dt.date.today().isoformat(), "language": "en",
            "terms": "Decisions of the reviewers of this data; edit decision: same, different or unsure"}
    text = ("# Decisions on pairs that may name one person. Edit `decision:` (same, different, unsure) and build again;\n"
            "# the build states owl:sameAs for `same` in the graph <base>graph/same-as only.\n"
            + yaml.safe_dump({"source": meta, "records": records}, allow_unicode=True, sort_keys=False, width=1000))
    write_text(path, text)
    return path, added, auto


def same_as_quads(store: ox.Store, base: str, public_graphs: list[str]) -> Iterator[ox.Quad]:
    """owl:sameAs, both ways, for every public judgement whose decision is same, in <base>graph/same-as."""
    if not public_graphs:
        return
    graphs = " ".join(f"<{g}>" for g in public_graphs)
    q = f"""SELECT DISTINCT ?a ?b WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?j a <{RPN.Judgement}> ;
              <{RPN.judgedEntity}> ?a ; <{RPN.judgedOther}> ?b ; <{RPN.decision}> <{RPNC}judgement/same> }} }}"""
    result = store.query(q)
    assert isinstance(result, ox.QuerySolutions)
    pairs = [(r["a"], r["b"]) for r in result]
    if not pairs:
        return
    g = ox.NamedNode(f"{base}graph/same-as")
    same = ox.NamedNode(str(OWL.sameAs))
    for a, b in pairs:
        yield ox.Quad(a, same, b, g)
        yield ox.Quad(b, same, a, g)
    meta = ox.NamedNode(f"{base}graph/meta")
    yield ox.Quad(g, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(RPN.SameAsGraph)), meta)
    yield ox.Quad(g, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Entity)), meta)
    yield ox.Quad(g, ox.NamedNode(str(DCTERMS.accessRights)), ox.NamedNode(str(ACCESS.PUBLIC)), meta)


def precision_recall(found: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]) -> tuple[float, float]:
    """Precision and recall of found pairs against the known duplicate pairs (order within a pair ignored)."""
    f = {tuple(sorted(p)) for p in found}
    t = {tuple(sorted(p)) for p in truth}
    hit = len(f & t)
    return (hit / len(f) if f else 1.0), (hit / len(t) if t else 1.0)
