"""Entity resolution for persons: candidate pairs with a score and the evidence, judgements, sameAs.

``repnet match --within DIR`` reads the Person records of the source files in DIR (an imported list,
several lists, hand-written sources) and, with ``--graph``, the persons of the built store too, and
lists the pairs that may name one person:

* **Candidates** come from blocks of :func:`repnet.graph.names.name_keys` and of single name words
  (the skeleton of each word of four letters or more), so "Alyona Zhuravenko" meets "Alena
  Zhuravenka" and "Журавенко Алёна" without comparing every pair. A word shared by more than
  :data:`MAX_BLOCK` persons (a common given name) is too common to say anything and makes no block;
  the full-name keys always do.
* **Score** in [0, 1]: :func:`repnet.graph.resolution.score`, the one scorer ``repnet match SOURCE``
  (the cross-reference of officials) uses too: the name similarity, a shared surname, birth dates
  (a birth year in a list), birthplace, employer or address, posts. Pairs under ``min_score``
  (default :data:`~repnet.graph.resolution.REVIEW_FLOOR`, 0.5) are not listed; at or above
  :data:`~repnet.graph.resolution.THRESHOLD` (0.85) a pair is proposed: namesakes born in other
  years score 0.3, the same name and birth year 0.9. The evidence says what was compared and found.
* **Judgements** (``--review``) are written to ``DIR/judgements.yaml``, an ordinary source file of
  ``Judgement`` records (same / different / unsure) that a reviewer edits; a rerun keeps every
  decision already there. Nothing is decided automatically below :data:`~repnet.graph.resolution.AUTO_SAME` (0.95): under
  it a new pair is written ``unsure``; at or above it ``same``, ``by: repnet match (automatic)``.
* **At build**, :func:`same_as_quads` states ``owl:sameAs`` (both ways) for each public judgement
  whose decision is ``same``, in the graph ``<base>graph/same-as`` and nowhere else: changing the
  decision and building again takes it back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ...ontology.namespaces import ACCESS, DCTERMS, OWL, PROV, RDF, RPN, RPNC
from ..names import fold, skeleton
from ..progress import Progress
from ..resolution import AUTO_SAME, REVIEW_FLOOR, Person, score
from .sources import expand_paths, read_source

MIN_SCORE = REVIEW_FLOOR
MAX_BLOCK = 100
JUDGEMENTS = "judgements.yaml"


@dataclass
class Candidate:
    a: Person
    b: Person
    score: float
    evidence: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.a.id, self.b.id) if self.a.id < self.b.id else (self.b.id, self.a.id)


def persons_of_sources(paths: Iterable[str | Path]) -> list[Person]:
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
            born = str(d.get("birth_date") or "")[:10]
            place = d.get("birth_place")
            out.append(Person(r.id, ns[0] if ns else r.id, ns, [born] if born else [], [],
                              names.get(place, place) if isinstance(place, str) else None,
                              d.get("employer"), d.get("residence"), {src.id}))
    return out


def persons_of_store(store: Any) -> list[Person]:
    """The persons of a built store, with their names and birth dates (for matching against the graph)."""
    rows = store.query("""
        SELECT ?p ?n ?born WHERE { ?p a <https://schema.org/Person> { ?p skos:prefLabel ?n } UNION { ?p skos:altLabel ?n }
                                   OPTIONAL { ?p <https://schema.org/birthDate> ?born } }""")
    by: dict[str, Person] = {}
    base = None
    for row in rows:
        iri = row["p"].value
        base = base or iri.split("/id/", 1)[0] + "/id/"
        rid = iri.split("/id/", 1)[-1]
        rec = by.setdefault(rid, Person(rid, row["n"].value, sources={"store"}))
        if row["n"].value not in rec.names:
            rec.names.append(row["n"].value)
        if row["born"] is not None and row["born"].value[:10] not in rec.born:
            rec.born.append(row["born"].value[:10])
    return list(by.values())


def _blocks(p: Person) -> set[str]:
    out = set(p.keys())
    for n in p.names:
        out |= {"w:" + w for w in skeleton(n).split() if len(w) >= 4}
    return out


def candidates(persons: list[Person], against: list[Person] | None = None, min_score: float = MIN_SCORE,
               progress: Progress | None = None) -> list[Candidate]:
    """Pairs that may name one person, best first: within ``persons``, or between ``persons`` and
    ``against`` (the graph) when given."""
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
                s, why = score(pool[i], pool[j])
                if s >= min_score:
                    out.append(Candidate(pool[i], pool[j], s, "; ".join(why)))
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
                        "by": f"repnet match (automatic, score >= {AUTO_SAME})" if same else "repnet match"})
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
