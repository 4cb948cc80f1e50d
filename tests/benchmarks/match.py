"""Cross-reference benchmark: `repnet match` of 10,000 officials against a 100,000-entity FtM list.

    python -m tests.benchmarks.match [--officials 10000] [--list 100000] [--seed 1] [--json out.json]

Writes a synthetic FtM list (JSON lines; invented names built from syllables, every entity marked
synthetic) in which one official in ten appears again under another spelling (a Cyrillic form, or a
Russian-style Latin form) with the same birth date, and one in twenty has a namesake with another
birth date; then times, in this process:

- ``read_ftm``: the FtM file read and checked with the followthemoney library into a source;
- ``match``: :func:`repnet.graph.ask.match.candidates` of the officials against the list's persons
  (blocking, scoring, sorting), and reports the pairs proposed, how many true pairs they hold and
  whether a namesake was proposed;

and the process's peak memory. The store is left out (reading 110,000 persons from it is the
projection's cost, in the analysis benchmark). Never run as a test: timings are not asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

SYL = ["ba", "ra", "ka", "lo", "vi", "na", "sha", "ty", "ze", "mi", "do", "re", "chu", "ko", "le", "pa", "sa", "ni",
       "va", "go", "ha", "tse", "dzi", "ly", "mo", "ru", "si", "to", "ve", "zha"]
FIRST = ["Alena", "Dzmitry", "Volha", "Mikalai", "Siarhei", "Iryna", "Andrei", "Tatsiana", "Pavel", "Ihar", "Natallia",
         "Aliaksandr", "Maryna", "Uladzimir", "Hanna", "Viktar", "Liudmila", "Yauhen", "Sviatlana", "Raman"]
CYR = {"a": "а", "b": "б", "v": "в", "g": "г", "h": "г", "d": "д", "e": "е", "z": "з", "i": "і", "y": "ы", "k": "к",
       "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф"}
DIGRAPHS = {"sha": "ша", "chu": "чу", "tse": "це", "dzi": "дзі", "zha": "жа", "ch": "ч", "sh": "ш", "ts": "ц", "dz": "дз",
            "zh": "ж", "kh": "х", "ia": "я", "iu": "ю", "au": "аў"}


def surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYL) for _ in range(rng.randint(3, 4))).capitalize() + rng.choice(["ka", "ich", "au", "ski"])


def cyrillic(name: str) -> str:
    out, low, i = [], name.lower(), 0
    while i < len(low):
        for d, c in DIGRAPHS.items():
            if low.startswith(d, i):
                out.append(c)
                i += len(d)
                break
        else:
            out.append(CYR.get(low[i], low[i]))
            i += 1
    return " ".join(w.capitalize() for w in "".join(out).split())


def make(officials: int, size: int, seed: int, path: Path) -> tuple[list[Any], set[tuple[str, str]], set[tuple[str, str]]]:
    """The officials (as match Persons), the list file, its true pairs and its namesake pairs."""
    from repnet.graph.ask.match import Person

    rng = random.Random(seed)
    people = []
    for i in range(officials):
        born = f"{rng.randint(1950, 1995)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        name = f"{rng.choice(FIRST)} {surname(rng)}"
        people.append(Person(f"official-{i}", name, [name], [born], ["judge at a court"]))
    true, namesakes = set(), set()
    with path.open("w", encoding="utf-8") as fh:
        n = 0
        for i, p in enumerate(people):
            if i % 10 == 0:
                variant = cyrillic(p.label) if i % 20 == 0 else p.label.replace("Dzmitry", "Dmitry").replace("ski", "sky")
                fh.write(json.dumps({"id": f"l-{n}", "schema": "Person", "properties": {"name": [variant], "birthDate": p.born,
                                                                                         "notes": ["synthetic"]}}) + "\n")
                true.add((p.iri, f"l-{n}"))
                n += 1
            if i % 20 == 5:
                fh.write(json.dumps({"id": f"l-{n}", "schema": "Person", "properties": {"name": [p.label], "birthDate": ["1940-01-01"],
                                                                                         "notes": ["synthetic namesake"]}}) + "\n")
                namesakes.add((p.iri, f"l-{n}"))
                n += 1
        while n < size:
            name = f"{rng.choice(FIRST)} {surname(rng)}"
            fh.write(json.dumps({"id": f"l-{n}", "schema": "Person", "properties": {
                "name": [name], "birthDate": [f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
                "notes": ["synthetic"]}}) + "\n")
            n += 1
    return people, true, namesakes


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--officials", type=int, default=10_000)
    ap.add_argument("--list", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    from repnet.graph.ask.match import THRESHOLD, Person, candidates
    from repnet.graph.ingest.ftm import read_ftm

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.ftm.json"
        people, true, namesakes = make(args.officials, args.list, args.seed, path)
        t0 = time.perf_counter()
        imported = read_ftm(path, "bench-list", published="2025-01-01")
        t_read = time.perf_counter() - t0
    by_key = {}
    for r in imported.document["records"]:
        if r["type"] == "Person":
            key = r["id"].removeprefix("person/bench-list-")
            by_key[r["id"]] = key
    listed = [Person(by_key[r["id"]], r["name"], [r["name"]], [r["birth_date"]] if "birth_date" in r else [], [])
              for r in imported.document["records"] if r["type"] == "Person"]
    t0 = time.perf_counter()
    found = candidates(people, listed)
    t_match = time.perf_counter() - t0
    proposed = {(c.a.iri, c.b.iri) for c in found if c.score >= THRESHOLD}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"officials": len(people), "list_entities": len(listed), "read_ftm_s": round(t_read, 2), "match_s": round(t_match, 2),
           "pairs_listed": len(found), "proposed": len(proposed), "true_pairs": len(true),
           "true_pairs_proposed": len(true & proposed), "namesakes_proposed": len(namesakes & proposed), "peak_mb": round(peak)}
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
