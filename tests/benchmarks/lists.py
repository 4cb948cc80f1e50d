"""Synthetic lists for the benchmark's `lists` step (repnet import list, build, match).

``write_list(path, rows, seed)`` writes a prisoner list in the layout of
``tests/fixtures/lists/prisoners.csv`` with invented names (syllables, marked by the source as
synthetic) and 2% of the rows repeating an earlier person with the name in Cyrillic, for match.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST = ["Ales", "Alena", "Andrei", "Hanna", "Ihar", "Maryia", "Mikalai", "Palina", "Raman", "Siarhei", "Tatsiana",
         "Uladzimir", "Volha", "Yauhen", "Zmitser", "Kseniya", "Darya", "Pavel", "Viktar", "Iryna"]
SYL = ["ka", "la", "ma", "ra", "sa", "ta", "va", "zo", "bu", "ne", "hi", "ly", "do", "pe", "ru", "ko", "mi", "tsy", "lo", "vi"]
ENDS = ["enka", "chyk", "ski", "ich", "ka", "eu", "ovich", "uk", "ava", "ina"]
CYR = str.maketrans({"a": "а", "b": "б", "d": "д", "e": "е", "h": "г", "i": "і", "k": "к", "l": "л", "m": "м", "n": "н",
                     "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "y": "ы", "z": "з", "c": "ц",
                     "A": "А", "D": "Д", "H": "Г", "I": "І", "K": "К", "M": "М", "P": "П", "R": "Р", "S": "С", "T": "Т",
                     "U": "У", "V": "В", "Y": "Е", "Z": "З"})
MAPPING = Path(__file__).resolve().parent.parent / "fixtures" / "lists" / "prisoners-map.yaml"


def write_list(path: Path, rows: int, seed: int = 1) -> int:
    """Write ``rows`` rows; returns how many repeat an earlier person."""
    rnd = random.Random(seed)
    people: list[list[str]] = []
    dups = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["No", "Name", "Name (Cyrillic)", "Born", "Region", "Articles", "Sentence", "Colony", "Status", "Detained", "Sentenced"])
        for n in range(1, rows + 1):
            if people and rnd.random() < 0.02:
                first, last, born, region = rnd.choice(people)
                name = f"{first} {last}".translate(CYR)
                dups += 1
            else:
                first = rnd.choice(FIRST)
                last = ("".join(rnd.choice(SYL) for _ in range(rnd.randint(1, 2))) + rnd.choice(ENDS)).capitalize()
                born, region = str(rnd.randint(1950, 2004)), rnd.choice(["Minsk", "Hrodna", "Homiel", "Brest", "Vitsebsk", "Mahiliou"])
                people.append([first, last, born, region])
                name = f"{first} {last}"
            arts = "; ".join(rnd.sample(["342", "361-1 ч.1", "130 ч.3", "369", "368", "293"], rnd.randint(1, 3)))
            y, m = rnd.randint(1, 15), rnd.choice([0, 0, 6])
            term = f"{y} years" + (f" {m} months" if m else "")
            d = f"{rnd.randint(1, 28)}.{rnd.randint(1, 12)}.{rnd.randint(2020, 2024)}"
            w.writerow([n, name, name.translate(CYR), born, region, arts, term, f"Penal colony No. {rnd.randint(1, 22)}",
                        rnd.choice(["imprisoned", "released"]), d, f"{rnd.randint(1, 12)}.2025"])
    return dups
