"""Synthetic source files for tests and benchmarks: made-up persons, cases and releases.

Everything written here is marked as synthetic so it can never be mistaken for real data: source
ids start with ``synthetic-``, every record id contains ``synthetic``, every name and label ends
with `` [synthetic]`` and every source carries ``synthetic: true``.

Output (JSON, the same structure as a YAML source file, one record per line)::

    OUT/synthetic-reference.json       shared entities: publisher, countries, cities, courts,
                                       judges, prosecutors, facilities, organizations, offences
                                       and their legal provisions, governments, negotiations,
                                       mass releases, sanctions and sanctions relief
    OUT/synthetic-persons-0001.json    up to ``per_file`` persons and the events about them
    OUT/synthetic-persons-0002.json    ...

The output is a pure function of (persons, seed, per_file): the reference file and each persons
file draw from their own ``random.Random`` seeded with a string derived from ``seed`` (string
seeds are hashed with SHA-512, never with ``hash()``), and nothing reads the clock. Dates are
drawn as real days and then written at day, month or year precision, so an event that follows
another one never starts before it, and nothing happens after the sources' publication date.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import output_directory, write_text
from ..progress import Progress

PUBLISHED = "2025-12-31"
TERMS = "Synthetic test data, no real persons."
TAG = " [synthetic]"
PUBLISHER = "org/synthetic-publisher"
REFERENCE_FILE = "synthetic-reference.json"
PERSONS_FILE = "synthetic-persons-{:0{w}d}.json"

_D = dt.date.toordinal
FIRST_ARREST = _D(dt.date(2020, 5, 1))
WAVE_START, WAVE_END = _D(dt.date(2020, 8, 9)), _D(dt.date(2021, 12, 31))
LAST_ARREST = _D(dt.date(2025, 6, 30))
LAST_GROUP_ARREST = _D(dt.date(2024, 9, 30))
LAST_SENTENCE = _D(dt.date(2025, 12, 20))
OBSERVED = _D(dt.date(2025, 12, 15))
LAST_DAY = _D(dt.date(2025, 12, 31))

Record = dict[str, Any]

# ---------------------------------------------------------------------------- word lists
GIVEN_M = ("Ales", "Andrei", "Aliaksei", "Artsiom", "Dzmitry", "Ihar", "Jan", "Kanstancin", "Maksim",
           "Mikita", "Mikhail", "Pavel", "Raman", "Siarhei", "Uladzimir", "Vadzim", "Viktar", "Yauhen",
           "Yury", "Zmitser", "Taras", "Kiryl", "Aleh", "Stanislau")
GIVEN_F = ("Alena", "Darja", "Hanna", "Iryna", "Julija", "Katsiaryna", "Kseniya", "Liudmila", "Maryja",
           "Nasta", "Palina", "Sviatlana", "Tatsiana", "Valiancina", "Volha", "Yana", "Aksana", "Zhanna")
FAMILY_ROOTS = ("Zarech", "Kluben", "Mirash", "Tsvirk", "Hrabal", "Vetrav", "Sasnav", "Dubrav", "Lisav",
                "Marach", "Navit", "Kavalch", "Bielash", "Hlushak", "Charn", "Zhuravl", "Kastus", "Pilip",
                "Rudak", "Shyl", "Taras", "Varab", "Yaskol", "Zhytk", "Labun", "Khvedar", "Sakal", "Murav")
FAMILY_SUFFIXES = ("evich", "ovich", "enka", "chyk", "uk", "ski", "ets", "ionak", "ka", "ich")

# transliteration-like spelling variants (Belarusian Latin, Russian-style and Polish-style)
VARIANT_RULES = (("ich", "ic"), ("ia", "ya"), ("ja", "ya"), ("ija", "iya"), ("j", "i"), ("ts", "c"),
                 ("kh", "h"), ("zh", "z"), ("vich", "wicz"), ("ei", "ey"), ("ie", "e"), ("yu", "iu"),
                 ("au", "aw"), ("ch", "cz"), ("y", "i"))

_CYR_DIGRAPHS = (("shch", "шч"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
                 ("ia", "я"), ("ja", "я"), ("ya", "я"), ("iu", "ю"), ("ju", "ю"), ("yu", "ю"),
                 ("ie", "е"), ("je", "е"), ("io", "ё"), ("jo", "ё"), ("ei", "ей"))
_CYR_LETTERS = dict(zip("abvhgdezijyklmnoprstufc'", "абвгґдэзійыклмнопрстуфць", strict=True))

COUNTRY_NAMES = ("Arvenia", "Lutavia", "Merovia", "Ostrania", "Pelagonia", "Quorland", "Severia", "Talmark")
CITY_ROOTS = ("Zaval", "Kras", "Biel", "Dub", "Lip", "Sosn", "Azier", "Mir", "Sviet", "Hor", "Nov", "Star",
              "Kalin", "Vierb", "Liesn")
CITY_SUFFIXES = ("insk", "avichy", "ava", "haradok", "polle", "ichy", "ieja")

ORG_KINDS = (  # classification, name words, roles, occupations
    ("human-rights-organization", ("Human Rights Centre", "Helsinki Committee", "Legal Aid Initiative", "Watch"),
     ("founder", "chair", "board-member", "member", "activist", "volunteer-coordinator"),
     ("human-rights-defender", "lawyer", "activist")),
    ("news-media", ("Herald", "Courier", "Review", "Radio", "Daily", "Observer"),
     ("editor-in-chief", "employee", "employee", "employee"),
     ("journalist", "journalist", "editor")),
    ("political-party", ("Party", "Popular Front", "Union"),
     ("chair", "board-member", "member", "member", "activist"),
     ("opposition-politician", "politician", "activist")),
    ("political-campaign", ("Campaign", "Movement", "Initiative"),
     ("member", "activist", "volunteer-coordinator"),
     ("activist", "opposition-politician")),
    ("ngo", ("Association", "Foundation", "Society"),
     ("founder", "member", "employee", "volunteer-coordinator"),
     ("activist", "human-rights-defender")),
    ("company", ("Holding", "Works", "Trading House"),
     ("employee",),
     ()),
)
ORG_WORDS = ("Free", "Open", "Civic", "Independent", "New", "United", "Northern", "Citizens'", "Democratic",
             "Spring", "Future", "Common")
OTHER_OCCUPATIONS = ("activist", "activist", "journalist", "lawyer", "human-rights-defender", "politician")

# (name, weight) - weights make a few offences common, as in real case lists
OFFENCES = (
    ("organizing or participating in group actions grossly violating public order", 30),
    ("participation in mass riots", 18),
    ("insulting the head of state", 14),
    ("incitement of social enmity or discord", 12),
    ("calls for actions harming national security", 10),
    ("creation of or participation in an extremist formation", 16),
    ("financing extremist activity", 6),
    ("facilitating extremist activity", 9),
    ("insulting a public official", 8),
    ("violence or threat of violence against a police officer", 10),
    ("discrediting the state", 4),
    ("conspiracy to seize power unconstitutionally", 3),
    ("treason against the state", 3),
    ("tax evasion", 3),
    ("organized cash smuggling", 2),
    ("deliberate damage to property", 4),
    ("desecration of state symbols", 3),
    ("illegal actions with firearms", 2),
    ("disobedience to the prison administration", 5),
    ("petty hooliganism", 3),
)
OFFENCE_ARTICLES = ("342", "293", "368", "130", "361", "361-1", "361-2", "361-4", "369", "364", "369-1",
                    "357", "356", "243", "228", "218", "370", "295", "411", "339")

CONDITIONS = ("chronic heart condition", "deteriorating eyesight", "significant weight loss",
              "untreated dental infection", "diabetes without adequate treatment", "recurring pneumonia",
              "severe back pain", "hypertension")
CAUSES = ("conditions of detention", "denial of medical care", "prolonged solitary confinement",
          "hunger strike")

# an ordering of the 2020-2025 story: (year, month, day, kinds, expelled abroad?)
MASS_RELEASES = (
    (2022, 9, 16, ("pardon",), False),
    (2023, 7, 3, ("pardon", "release"), False),
    (2024, 7, 3, ("pardon",), False),
    (2024, 9, 17, ("pardon", "release"), False),
    (2025, 1, 21, ("pardon",), False),
    (2025, 6, 21, ("release", "expulsion"), True),
    (2025, 9, 11, ("pardon", "expulsion"), True),
    (2025, 12, 13, ("release", "expulsion"), True),
)


# ---------------------------------------------------------------------------- helpers
def _iso(day: int, precision: int = 10) -> str:
    """A day ordinal as YYYY-MM-DD (precision 10), YYYY-MM (7) or YYYY (4)."""
    return dt.date.fromordinal(day).isoformat()[:precision]


def _precision(rng: random.Random, day: float = 0.6, month: float = 0.3) -> int:
    r = rng.random()
    return 10 if r < day else 7 if r < day + month else 4


def _cyrillic(word: str) -> str:
    low, out, i = word.lower(), [], 0
    while i < len(low):
        for lat, cyr in _CYR_DIGRAPHS:
            if low.startswith(lat, i):
                out.append(cyr)
                i += len(lat)
                break
        else:
            out.append(_CYR_LETTERS.get(low[i], low[i]))
            i += 1
    s = "".join(out)
    return s[:1].upper() + s[1:]


def _variants(rng: random.Random, given: str, family: str, n: int) -> list[str]:
    """Up to ``n`` spellings of "given family" that differ from it (and from each other)."""
    name = f"{given} {family}"
    low = name.lower()
    rules = [r for r in VARIANT_RULES if r[0] in low]
    rng.shuffle(rules)
    out: list[str] = []
    for old, new in rules:
        if len(out) >= n:
            break
        v = _replace_keep_case(name, old, new)
        if len(out) and rng.random() < 0.5:  # sometimes two rules at once
            v = _replace_keep_case(out[-1], old, new)
        if v != name and v not in out:
            out.append(v)
    for extra in (f"{family} {given}", f"{given[0]}. {family}"):
        if len(out) < n and extra not in out:
            out.append(extra)
    return out


def _replace_keep_case(text: str, old: str, new: str) -> str:
    out, i, low = [], 0, text.lower()
    while True:
        j = low.find(old, i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        out.append(new.capitalize() if text[j].isupper() else new)
        i = j + len(old)


class _Picker:
    """rng.choices with precomputed cumulative weights."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]):
        self.items = list(items)
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def __call__(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cum)[0]


_TERM_YEARS = _Picker(range(1, 21), [4, 10, 14, 13, 11, 9, 7, 6, 5, 5, 4, 3, 3, 2, 3, 1, 1, 1, 1, 1])
_N_CHARGES = _Picker((1, 2, 3), (88, 10, 2))
_N_VARIANTS = _Picker((1, 2, 3), (68, 24, 8))


# ---------------------------------------------------------------------------- the reference file
class _Reference:
    """The shared entities every persons file refers to."""

    def __init__(self, rng: random.Random, persons: int):
        self.records: list[Record] = []
        add = self.records.append
        add({"id": PUBLISHER, "type": "Organization", "name": "Synthetic Data Desk" + TAG,
             "classification": ["ngo"], "description": "Publisher of generated test data; no real persons" + TAG})

        # countries and cities
        self.countries = [f"place/synthetic-country-{i + 1}" for i in range(len(COUNTRY_NAMES))]
        for cid, name in zip(self.countries, COUNTRY_NAMES, strict=True):
            add({"id": cid, "type": "Country", "name": name + TAG})
        self.home = self.countries[0]
        self.abroad = self.countries[1:]
        n_cities = max(8, persons // 2000)
        self.cities: list[str] = []
        self.city_names: list[str] = []
        combos = len(CITY_ROOTS) * len(CITY_SUFFIXES)
        for i in range(n_cities):
            name = CITY_ROOTS[i % len(CITY_ROOTS)] + CITY_SUFFIXES[(i // len(CITY_ROOTS)) % len(CITY_SUFFIXES)]
            if i >= combos:
                name += f" {i // combos + 1}"
            cid = f"place/synthetic-city-{i + 1}"
            # the first cities are in the home country, a few abroad receive the expelled
            within = self.home if i < n_cities - 4 else self.abroad[i % len(self.abroad)]
            rec: Record = {"id": cid, "type": "Place", "name": name + TAG, "within": within}
            if rng.random() < 0.3:
                rec["labels"] = {"be": _cyrillic(name) + TAG}
            add(rec)
            if within == self.home:
                self.cities.append(cid)
                self.city_names.append(name)

        # governments (2-4): the home government and foreign ones that negotiate and sanction
        n_gov = rng.randint(2, 4)
        self.governments = [f"org/synthetic-government-{i + 1}" for i in range(n_gov)]
        for i, gid in enumerate(self.governments):
            add({"id": gid, "type": "Government", "name": f"Government of {COUNTRY_NAMES[i]}{TAG}",
                 "country": self.countries[i]})
        self.home_gov, self.foreign_govs = self.governments[0], self.governments[1:]
        self.agencies = ["org/synthetic-state-security", "org/synthetic-police-directorate"]
        add({"id": self.agencies[0], "type": "Organization", "name": f"State Security Committee of {COUNTRY_NAMES[0]}{TAG}",
             "classification": ["law-enforcement"], "country": self.home})
        add({"id": self.agencies[1], "type": "Organization", "name": f"Directorate against Organized Crime of {COUNTRY_NAMES[0]}{TAG}",
             "classification": ["law-enforcement"], "country": self.home})

        # courts: one supreme court and district courts under it
        n_courts = max(5, persons // 500)
        self.courts = [f"org/synthetic-court-{i + 1}" for i in range(n_courts)]
        add({"id": self.courts[0], "type": "Court", "name": f"Supreme Court of {COUNTRY_NAMES[0]}{TAG}",
             "location": self.cities[0], "parent": self.home_gov})
        for i, cid in enumerate(self.courts[1:], start=1):
            city = i % len(self.cities)
            kind = "Regional" if i < 4 else "District"
            add({"id": cid, "type": "Court", "name": f"{self.city_names[city]} {kind} Court No. {i}{TAG}",
                 "location": self.cities[city], "parent": self.courts[0]})

        # judges and prosecutors: about persons/200 together
        n_staff = max(6, persons // 200)
        n_judges = max(4, n_staff * 2 // 3)
        self.judges: list[str] = []
        self.court_judges: dict[str, list[str]] = {c: [] for c in self.courts}
        for i in range(n_judges):
            pid = f"person/synthetic-judge-{i + 1:04d}"
            add(_official(rng, pid, "judge"))
            court = self.courts[i % len(self.courts)]
            add({"id": f"membership/synthetic-judge-{i + 1:04d}", "type": "Membership", "person": pid,
                 "organization": court, "role": ["judge"]})
            self.judges.append(pid)
            self.court_judges[court].append(pid)
        self.prosecutors = [f"person/synthetic-prosecutor-{i + 1:04d}" for i in range(max(2, n_staff - n_judges))]
        for pid in self.prosecutors:
            add(_official(rng, pid, "prosecutor"))

        # facilities
        n_fac = max(5, persons // 1000)
        kinds = ("pre-trial-detention-centre", "penal-colony", "penal-colony", "prison", "penal-colony",
                 "pre-trial-detention-centre", "temporary-detention-facility", "penal-colony")
        self.sizos: list[str] = []
        self.colonies: list[str] = []
        labels = {"pre-trial-detention-centre": ("Pre-trial Detention Centre No. {n}", "SIZO No. {n}"),
                  "penal-colony": ("Penal Colony No. {n}", "Correctional Colony No. {n}"),
                  "prison": ("Prison No. {n}", "Prison No. {n} (closed regime)"),
                  "temporary-detention-facility": ("Temporary Detention Facility No. {n}", "IVS No. {n}")}
        for i in range(n_fac):
            kind = kinds[i % len(kinds)]
            fid = f"place/synthetic-facility-{i + 1}"
            city = (i * 3) % len(self.cities)
            name, alt = (s.format(n=i + 1) for s in labels[kind])
            add({"id": fid, "type": "Facility", "name": f"{name}, {self.city_names[city]}{TAG}", "names": [alt + TAG],
                 "facility_type": kind, "within": self.cities[city], "operated_by": self.home_gov})
            if kind == "pre-trial-detention-centre":
                self.sizos.append(fid)
            elif kind in ("penal-colony", "prison"):
                self.colonies.append(fid)

        # organizations that persons belong to
        n_org = max(5, persons // 100)
        self.orgs: list[tuple[str, int]] = []  # (id, index into ORG_KINDS)
        for i in range(n_org):
            k = i % len(ORG_KINDS) if i < len(ORG_KINDS) else _ORG_KIND_PICK(rng)
            cls, words, _, _ = ORG_KINDS[k]
            name = f"{ORG_WORDS[(i // len(ORG_KINDS)) % len(ORG_WORDS)]} {words[i % len(words)]} {i + 1}"
            oid = f"org/synthetic-org-{i + 1}"
            add({"id": oid, "type": "Organization", "name": name + TAG, "classification": [cls],
                 "country": self.home})
            self.orgs.append((oid, k))

        # law: one code, one provision and one offence per article
        code = "law/synthetic-criminal-code"
        add({"id": code, "type": "LegalCode", "name": f"Criminal Code of {COUNTRY_NAMES[0]}{TAG}",
             "identifier": "SYNTHETIC-CC", "jurisdiction": self.home, "date": "1999-07-09"})
        self.offences: list[str] = []
        self.provision_of: dict[str, str] = {}
        for (name, _), art in zip(OFFENCES, OFFENCE_ARTICLES, strict=True):
            slug = name.split(" ")[0] + "-" + art
            pid, oid = f"law/synthetic-cc-art-{art}", f"offence/synthetic-{slug}"
            add({"id": pid, "type": "LegalProvision", "name": f"Article {art} of the Criminal Code{TAG}",
                 "number": art, "part_of": code})
            add({"id": oid, "type": "Offence", "name": name + TAG, "provision": pid})
            self.offences.append(oid)
            self.provision_of[oid] = pid
        self.offence_pick = _Picker(self.offences, [w for _, w in OFFENCES])

        # sanctions, negotiations, mass releases, relief
        sanctions = []
        for i, gov in enumerate(self.foreign_govs):
            for j, target in enumerate((self.home_gov, self.agencies[0])):
                sid = f"sanction/synthetic-{i + 1}-{j + 1}"
                add({"id": sid, "type": "Sanction", "name": f"Sanctions of {COUNTRY_NAMES[i + 1]} no. {j + 1}{TAG}",
                     "authority": gov, "target": target, "country": self.home,
                     "start": _iso(_D(dt.date(2020, 10, 2)) + rng.randint(0, 600), 7)})
                sanctions.append((sid, gov))
        self.mass: list[tuple[str, int, tuple[str, ...], list[str]]] = []  # (id, day, kinds, destinations)
        negotiations: list[Record] = []
        for k, (y, m, d, release_kinds, abroad) in enumerate(MASS_RELEASES):
            day = _D(dt.date(y, m, d))
            mid = f"release/synthetic-mass-{k + 1}"
            dest = sorted(rng.sample(self.abroad, 2), key=self.countries.index) if abroad else [self.home]
            rec = {"id": mid, "type": "MassRelease", "name": f"Synthetic release no. {k + 1}, {_iso(day)}{TAG}",
                   "date": _iso(day), "kind": list(release_kinds), "released_by": self.home_gov, "destination": dest}
            if k >= 4:  # the later releases follow negotiations with a foreign government
                gov = self.foreign_govs[k % len(self.foreign_govs)]
                nid = f"negotiation/synthetic-{len(negotiations) + 1}"
                neg: Record = {"id": nid, "type": "Negotiation",
                               "name": f"Synthetic negotiations before release no. {k + 1}{TAG}",
                               "party": [gov, self.home_gov], "led_by": gov,
                               "start": _iso(day - rng.randint(90, 300), 7), "end": _iso(day - rng.randint(1, 20)),
                               "outcome": [mid]}
                if negotiations:
                    neg["follows"] = negotiations[-1]["id"]
                relief = [s for s, g in sanctions if g == gov]
                if relief and rng.random() < 0.7:
                    rid = f"sanction/synthetic-relief-{k + 1}"
                    add({"id": rid, "type": "SanctionsRelief", "relieves": relief[:1], "by": gov,
                         "status": rng.choice(("agreed", "announced", "in-force")), "date": _iso(day, 7),
                         "negotiation": nid})
                    neg["outcome"].append(rid)
                negotiations.append(neg)
                rec["negotiation"] = nid
            add(rec)
            self.mass.append((mid, day, release_kinds, dest))
        self.records.extend(negotiations)


_ORG_KIND_PICK = _Picker(range(len(ORG_KINDS)), (30, 25, 15, 12, 12, 6))


def _name(rng: random.Random) -> tuple[str, str, bool]:
    female = rng.random() < 0.45
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    suffix = rng.choice(FAMILY_SUFFIXES)
    if female and suffix == "ski":
        suffix = "skaja"
    elif female and suffix in ("enka", "uk", "chyk") and rng.random() < 0.3:
        suffix = "ava"
    return given, rng.choice(FAMILY_ROOTS) + suffix, female


def _official(rng: random.Random, pid: str, occupation: str) -> Record:
    given, family, _ = _name(rng)
    return {"id": pid, "type": "Person", "name": f"{given} {family}{TAG}",
            "names": [v + TAG for v in _variants(rng, given, family, 1)], "occupation": [occupation]}


# ---------------------------------------------------------------------------- persons
class _Persons:
    """Persons and their events for one file, drawn from one rng."""

    def __init__(self, ref: _Reference, rng: random.Random, width: int):
        self.ref = ref
        self.rng = rng
        self.width = width

    def key(self, number: int) -> str:
        return f"synthetic-{number:0{self.width}d}"

    def records(self, first: int, count: int) -> list[Record]:
        """Records for persons first+1 .. first+count."""
        rng, out = self.rng, []
        i = 0
        while i < count:
            if count - i >= 2 and rng.random() < 0.025:
                size = min(rng.randint(2, 5), count - i)
                out.extend(self.group([first + i + j + 1 for j in range(size)]))
                i += size
            else:
                out.extend(self.person(first + i + 1))
                i += 1
        return out

    # -- co-defendants: one case, one trial, one verdict, one sentencing day
    def group(self, numbers: list[int]) -> list[Record]:
        rng, ref = self.rng, self.ref
        base = rng.randint(FIRST_ARREST, LAST_GROUP_ARREST)
        arrests = [base + rng.randint(0, 40) for _ in numbers]
        sentenced = min(max(arrests) + rng.randint(120, 420), LAST_SENTENCE)
        court = rng.choice(ref.courts[1:])
        judge = rng.choice(ref.court_judges[court] or ref.judges)
        prosecutor = rng.choice(ref.prosecutors)
        case_key = f"synthetic-case-{numbers[0]:0{self.width}d}"
        ctx = {"case": f"case/{case_key}", "verdict": f"verdict/{case_key}", "court": court, "judge": judge,
               "sentenced": sentenced}
        out: list[Record] = []
        names: list[str] = []
        for n, arrest in zip(numbers, arrests, strict=True):
            recs = self.person(n, arrest=arrest, group=ctx)
            names.append(recs[0]["name"])
            out.extend(recs)
        defendants = [f"person/{self.key(n)}" for n in numbers]
        start = sentenced - rng.randint(10, 60)
        out.append({"id": ctx["case"], "type": "CriminalCase",
                    "name": f"Case of {names[0].removesuffix(TAG)} and others{TAG}", "defendant": defendants,
                    "identifier": f"SYNTHETIC-{_iso(base, 4)}-{numbers[0]}", "start": _iso(base, 7)})
        trial = f"trial/{case_key}"
        out.append({"id": trial, "type": "Trial", "defendant": defendants, "court": court, "judge": judge,
                    "prosecutor": [prosecutor], "start": _iso(start), "end": _iso(sentenced),
                    "closed": rng.random() < 0.6, "case": ctx["case"]})
        out.append({"id": ctx["verdict"], "type": "Verdict", "defendant": defendants, "court": court, "judge": judge,
                    "date": _iso(sentenced), "instance": "first", "trial": trial})
        return out

    def person(self, number: int, arrest: int | None = None, group: dict[str, Any] | None = None) -> list[Record]:
        rng, ref = self.rng, self.ref
        key = self.key(number)
        pid = f"person/{key}"
        given, family, _ = _name(rng)
        person: Record = {"id": pid, "type": "Person", "name": f"{given} {family}{TAG}",
                          "names": [v + TAG for v in _variants(rng, given, family, _N_VARIANTS(rng))]}
        if rng.random() < 0.1:
            person["labels"] = {"be": f"{_cyrillic(given)} {_cyrillic(family)}{TAG}"}
        out = [person]

        # occupation and membership
        occupations: tuple[str, ...] = OTHER_OCCUPATIONS
        if rng.random() < 0.5:
            org, k = rng.choice(ref.orgs)
            _, _, roles, occupations = ORG_KINDS[k]
            m: Record = {"id": f"membership/{key}", "type": "Membership", "person": pid, "organization": org,
                         "role": [rng.choice(roles)]}
            out.append(m)
        else:
            m = {}
        if occupations and rng.random() < 0.75:
            person["occupation"] = [rng.choice(occupations)]

        # arrest and pre-trial detention
        if arrest is None:
            arrest = (rng.randint(WAVE_START, WAVE_END) if rng.random() < 0.45
                      else rng.randint(FIRST_ARREST, LAST_ARREST))
        if m and rng.random() < 0.1:
            m["start"] = _iso(arrest - rng.randint(200, 3000), 4)
        p = _precision(rng)
        a: Record = {"id": f"arrest/{key}", "type": "Arrest", "person": pid, "date": _iso(arrest, p)}
        if rng.random() < 0.1:
            a["location"] = rng.choice(ref.cities)
        if rng.random() < 0.1:
            a["agency"] = rng.choice(ref.agencies)
        out.append(a)
        pre: Record = {"id": f"detention/{key}-pre-trial", "type": "Detention", "person": pid,
                       "detention_type": "pre-trial", "start": _iso(arrest, p)}
        if rng.random() < 0.25:
            pre["facility"] = rng.choice(ref.sizos)
        out.append(pre)

        # charges
        charged: list[str] = []
        for c in range(_N_CHARGES(rng)):
            offences = [ref.offence_pick(rng)]
            if rng.random() < 0.25:
                offences.append(ref.offence_pick(rng))
            offences = list(dict.fromkeys(offences))
            ch: Record = {"id": f"charge/{key}-{c + 1}", "type": "Charge", "person": pid, "offence": offences}
            if rng.random() < 0.1:
                ch["provision"] = [ref.provision_of[o] for o in offences]
            if rng.random() < 0.1:
                ch["date"] = _iso(min(arrest + rng.randint(0, 30), LAST_DAY))
            if group:
                ch["case"] = group["case"]
            out.append(ch)
            charged.extend(o for o in offences if o not in charged)
        if rng.random() < 0.1:
            pre["basis"] = [f"charge/{key}-1"]

        # sentence and post-conviction detention
        sentenced: int | None = None
        held: Record = pre
        term_end = LAST_DAY + 1
        if group:
            sentenced = group["sentenced"]
        elif rng.random() < 0.5:
            day = arrest + rng.randint(45, 420)
            sentenced = day if day <= LAST_SENTENCE else None
        if sentenced is not None:
            years = _TERM_YEARS(rng)
            term: dict[str, int] = {"years": years}
            if rng.random() < 0.25:
                term["months"] = rng.randint(1, 11)
            penalty = "imprisonment" if rng.random() < 0.94 else "restriction-of-freedom"
            if penalty == "restriction-of-freedom":
                term = {"years": min(years, 5)}
            s: Record = {"id": f"sentence/{key}", "type": "Sentence", "person": pid, "penalty": penalty,
                         "term": term, "date": _iso(sentenced, 10 if group or rng.random() < 0.75 else 7)}
            if group:
                s.update(court=group["court"], judge=group["judge"], verdict=group["verdict"])
            else:
                court = rng.choice(ref.courts[1:])
                s["court"] = court
                if rng.random() < 0.6:
                    s["judge"] = rng.choice(ref.court_judges[court] or ref.judges)
            s["offence"] = charged
            if penalty == "imprisonment" and rng.random() < 0.1:
                s["regime"] = rng.choice(("general", "reinforced", "strict", "strict", "prison"))
            out.append(s)
            if not group and rng.random() < 0.05:
                vid = f"verdict/{key}"
                v: Record = {"id": vid, "type": "Verdict", "defendant": [pid], "court": s["court"],
                             "date": s["date"], "instance": "first"}
                if "judge" in s:
                    v["judge"] = s["judge"]
                out.append(v)
                s["verdict"] = vid
                appeal = sentenced + rng.randint(30, 150)
                if rng.random() < 0.4 and appeal <= LAST_DAY:
                    out.append({"id": f"verdict/{key}-appeal", "type": "Verdict", "defendant": [pid],
                                "court": ref.courts[0], "date": _iso(appeal, 7), "instance": "appeal"})
            term_end = sentenced + term["years"] * 365 + term.get("months", 0) * 30
            if penalty == "imprisonment":
                held = {"id": f"detention/{key}-post-conviction", "type": "Detention", "person": pid,
                        "detention_type": "post-conviction", "facility": rng.choice(ref.colonies),
                        "basis": [s["id"]]}
                out.append(held)

        # release in a mass release, or the end of the term
        released: int | None = None
        expelled = False
        after = (sentenced if sentenced is not None else arrest) + 30
        if rng.random() < 0.3:
            options = [mr for mr in ref.mass if after < mr[1] < term_end]
            if options:
                mid, released, kinds, dest = rng.choice(options)
                kind = rng.choice(kinds)
                expelled = kind == "expulsion"
                rtype = {"pardon": "Pardon", "expulsion": "Expulsion", "release": "Release"}[kind]
                r: Record = {"id": f"release/{key}", "type": rtype, "person": pid, "date": _iso(released),
                             "destination": rng.choice(dest), "part_of": mid}
                if rtype == "Pardon" and rng.random() < 0.5:
                    r["granted_by"] = ref.home_gov
                out.append(r)
        if released is not None:
            held["end"] = _iso(released)
        elif held is not pre and term_end <= OBSERVED:
            held["end"] = _iso(term_end, 7)
            released = term_end
        elif rng.random() < 0.2:
            held["ongoing_as_of"] = PUBLISHED

        # a few observations of the person's status
        if rng.random() < 0.06:
            for j in range(1 if rng.random() < 0.8 else 2):
                seen = rng.randint(arrest + 5, LAST_DAY) if j == 0 else OBSERVED
                if released is not None and seen >= released:
                    status = "in-exile" if expelled else "released"
                else:
                    status = "political-prisoner" if rng.random() < 0.4 else "imprisoned"
                out.append({"id": f"observation/{key}-{j + 1}", "type": "StatusObservation", "person": pid,
                            "status": status, "as_of": _iso(seen)})

        # sensitive facts: always restricted
        if rng.random() < 0.04:
            al: Record = {"id": f"allegation/{key}", "type": "IllTreatmentAllegation", "restricted": True,
                          "person": pid,
                          "treatment": rng.sample(("ill-treatment", "torture", "dire-conditions",
                                                   "denial-of-medical-care", "incommunicado"), rng.randint(1, 2)),
                          "during": [held["id"]]}
            if held.get("facility") and rng.random() < 0.5:
                al["perpetrator"] = held["facility"]
            out.append(al)
        if rng.random() < 0.025:
            h: Record = {"id": f"health/{key}", "type": "HealthReport", "restricted": True, "person": pid,
                         "condition": rng.choice(CONDITIONS) + TAG,
                         "as_of": _iso(rng.randint(min(arrest + 30, LAST_DAY), LAST_DAY), 7)}
            if rng.random() < 0.6:
                h["cause"] = rng.choice(CAUSES)
            out.append(h)
        return out


# ---------------------------------------------------------------------------- files
def _source(sid: str, title: str) -> Record:
    return {"id": sid, "kind": "Dataset", "title": title, "publisher": PUBLISHER, "published": PUBLISHED,
            "language": "en", "terms": TERMS, "synthetic": True}


def _write(path: Path, source: Record, records: list[Record]) -> None:
    """One record per line, so a reader's error line points at one record."""
    dump = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    lines = [f'{{"source": {dump(source)},', '"records": [']
    lines.append(",\n".join(map(dump, records)))
    lines.append("]}\n")
    write_text(path, "\n".join(lines))


def write_synthetic(out: Path, persons: int, seed: int, per_file: int,
                    progress: Progress | None = None) -> list[Path]:
    """Write ``synthetic-reference.json`` and ``synthetic-persons-NNNN.json`` files into ``out``.

    The same (persons, seed, per_file) gives byte-identical files. Earlier synthetic files in
    ``out`` that this run does not rewrite (``synthetic-persons-*.json`` of a larger run) are
    removed, so ``out`` always holds one consistent set. ``progress("writing persons", done,
    persons)`` is called after each persons file (:mod:`repnet.graph.progress`). Each file is
    written whole or not at all; a directory that cannot be written is a UsageError naming it.
    Returns the paths written.
    """
    if persons < 1:
        raise ValueError("persons must be 1 or more")
    if per_file < 1:
        raise ValueError("per_file must be 1 or more")
    out = output_directory(out)
    n_files = -(-persons // per_file)
    fw = max(4, len(str(n_files)))
    width = max(6, len(str(persons)))

    ref = _Reference(random.Random(f"repnet-synth:{seed}:reference"), persons)
    ref_path = out / REFERENCE_FILE
    _write(ref_path, _source("synthetic-reference", "Synthetic reference entities [synthetic]"), ref.records)
    paths = [ref_path]
    for k in range(n_files):
        first = k * per_file
        count = min(per_file, persons - first)
        gen = _Persons(ref, random.Random(f"repnet-synth:{seed}:persons:{k + 1}"), width)
        path = out / PERSONS_FILE.format(k + 1, w=fw)
        title = f"Synthetic persons {first + 1}-{first + count} [synthetic]"
        _write(path, _source(f"synthetic-{k + 1:0{fw}d}", title), gen.records(first, count))
        paths.append(path)
        if progress is not None:
            progress("writing persons", first + count, persons)
    keep = {p.name for p in paths}
    for stale in sorted(out.glob("synthetic-persons-*.json")):
        if stale.name not in keep:
            stale.unlink()
    return paths
