"""FollowTheMoney entities (JSON lines, as OpenSanctions and Aleph publish them) -> one repnet source.

``repnet import ftm FILE --source ID`` reads the file with the ``followthemoney`` library and writes
an ordinary source file (JSON, the format ``repnet synth`` writes) whose records ``repnet build``
checks, validates and loads into the named graph ``<base>graph/ID`` with the source's provenance
(title, publisher, date, URL) like any other source::

    Person                          Person (name; other names and aliases; birthDate -> birth_date;
                                    position -> position, as stated)
    Organization, PublicBody,
    Company, LegalEntity            Organization (name, aliases)
    Sanction                        Sanction (entity -> target, authority -> an Organization record
                                    of that name, program -> act, reason, listingDate or startDate
                                    -> start); an endDate -> a Delisting of the target on that day
    Membership, Employment          Membership (role: the post its words name: judge, prosecutor,
                                    investigator, deputy head, head, officer; else member)

Ids are ``<kind>/<source id>-<FtM id as a slug>``, so a list's ids never collide with another
source's; who is who across sources is for ``repnet match`` and the judgements file to say.

Refused, each with the file's line number (all problems of a file are listed, nothing is written):
a line that is not a JSON object, an entity without id or schema, a property its schema does not
have, a value its type refuses (``Schema.validate``), and a reference to an entity the file does not
hold. An entity whose schema FollowTheMoney does not define is skipped with a warning naming its
line (lists add their own schemata; the rest of the file is still good); entities of FtM schemata
repnet does not import (Address, Vessel, Identification, ...) are skipped and counted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData

from ..errors import Problem, SourceError

PERSON = ("Person",)
ORGANIZATION = ("Organization", "PublicBody", "Company", "LegalEntity")
IMPORTED = PERSON + ORGANIZATION + ("Sanction", "Membership", "Employment")
# the words of an FtM role -> the role concept (ontology/concepts.ttl), first match wins
ROLE_WORDS = (("judge", "judge"), ("prosecutor", "prosecutor"), ("investigator", "investigator"),
              ("deputy", "deputy-head"), ("head", "head"), ("chief", "head"), ("director", "head"), ("officer", "officer"))


@dataclass
class Imported:
    """A source document (``source`` + ``records``) and what was read."""

    document: dict[str, Any]
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A record key from an FtM id: lowercase letters, digits and single '-'.

    >>> slug("NK-4xQ_z9.b")
    'nk-4xq-z9-b'
    """
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", text.lower())).strip("-") or "x"


def role_of(words: str) -> str:
    """The role concept an FtM role's words name ('member' when none).

    >>> role_of("Deputy Head of Penal Colony No. 1"), role_of("Judge, Central District Court"), role_of("adviser")
    ('deputy-head', 'judge', 'member')
    """
    w = words.lower()
    return next((role for word, role in ROLE_WORDS if re.search(rf"\b{word}", w)), "member")


def _date(v: str) -> str:
    return v[:10]


def read_ftm(path: str | Path, source_id: str, *, title: str | None = None, publisher: str | None = None,
             published: str | None = None, url: str | None = None) -> Imported:
    """The FtM JSON-lines file as a repnet source with id ``source_id``; a SourceError lists every
    problem with its line."""
    import datetime as dt

    path = Path(path)
    fname = str(path)
    problems: list[Problem] = []
    entities: list[tuple[int, Any]] = []
    skipped: Counter[str] = Counter()
    warnings: list[str] = []

    def bad(line: int, rid: str | None, message: str, fix: str) -> None:
        problems.append(Problem(fname, line, rid, message, fix))

    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        raise SourceError([Problem(fname, None, None, f"cannot read the file: {err.strerror}", "give an FtM JSON-lines file")]) from err
    with handle:
        for n, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as err:
                bad(n, None, f"not JSON: {err.msg} (column {err.colno})", "write one FtM entity as a JSON object per line")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
                bad(n, None, "an FtM entity is a JSON object with an 'id', a 'schema' and 'properties'",
                    "give the entity its id")
                continue
            rid = data["id"]
            name = data.get("schema")
            schema = model.get(name) if isinstance(name, str) else None
            if schema is None:
                warnings.append(f"{fname}, line {n}, entity {rid}: unknown FtM schema {name!r}, skipped "
                                f"(FollowTheMoney does not define it; repnet imports {', '.join(IMPORTED)})")
                continue
            props = data.get("properties") or {}
            if not isinstance(props, dict):
                bad(n, rid, "'properties' must be an object of lists", "write properties as {\"name\": [\"...\"]}")
                continue
            unknown = sorted(p for p in props if schema.get(p) is None)
            if unknown:
                bad(n, rid, f"schema {schema.name} has no propert{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}",
                    "use the property names of the FollowTheMoney model")
                continue
            try:
                schema.validate(data)  # type: ignore[arg-type]  # a dict read from JSON, checked here
            except InvalidData as err:
                errors = (getattr(err, "errors", None) or {}).get("properties") or {}
                detail = "; ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or str(err)
                bad(n, rid, f"{schema.name} entity is not valid: {detail}", "fix the value to the property's type")
                continue
            if schema.name not in IMPORTED:
                skipped[schema.name] += 1
                continue
            entities.append((n, model.get_proxy(data)))
    sid = source_id
    ids: dict[str, str] = {}
    for _, e in entities:
        kind = "person" if e.schema.name in PERSON else "org" if e.schema.name in ORGANIZATION else None
        if kind:
            ids[e.id] = f"{kind}/{sid}-{slug(e.id)}"
    records: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    authorities: dict[str, str] = {}

    def ref(line: int, e: Any, prop: str) -> list[str]:
        out = []
        for v in e.get(prop):
            if v in ids:
                out.append(ids[v])
            else:
                bad(line, e.id, f"{e.schema.name} {prop} refers to {v!r}, which the file does not hold as a person or organization",
                    "add that entity to the file, or leave the relation out")
        return out

    for n, e in entities:
        s = e.schema.name
        if s in PERSON or s in ORGANIZATION:
            names = list(dict.fromkeys(e.get("name") + e.get("alias") + e.get("weakAlias")))
            if not names:
                bad(n, e.id, f"{s} has no name", "give the entity a name")
                continue
            rec: dict[str, Any] = {"id": ids[e.id], "type": "Person" if s in PERSON else "Organization", "name": names[0]}
            if names[1:]:
                rec["names"] = names[1:]
            if s in PERSON:
                if e.get("birthDate"):
                    rec["birth_date"] = _date(sorted(e.get("birthDate"))[0])
                if e.get("position"):
                    rec["position"] = "; ".join(e.get("position"))
            records.append(rec)
            counts["Person" if s in PERSON else "Organization"] += 1
        elif s == "Sanction":
            targets = ref(n, e, "entity")
            if not targets:
                continue
            rec = {"id": f"sanction/{sid}-{slug(e.id)}", "type": "Sanction",
                   "name": (e.get("program") or e.get("summary") or [f"sanction {e.id}"])[0], "target": targets}
            for authority in e.get("authority")[:1]:
                if authority not in authorities:
                    authorities[authority] = f"org/{sid}-authority-{slug(authority)}"
                    records.append({"id": authorities[authority], "type": "Organization", "name": authority})
                rec["authority"] = authorities[authority]
            if e.get("program"):
                rec["act"] = e.get("program")[0]
            if e.get("reason"):
                rec["reason"] = e.get("reason")
            start = sorted(e.get("listingDate") or e.get("startDate"))
            if start:
                rec["start"] = _date(start[0])
            records.append(rec)
            counts["Sanction"] += 1
            for end in sorted(e.get("endDate"))[:1]:
                records.append({"id": f"sanction/{sid}-{slug(e.id)}-delisting", "type": "Delisting", "sanction": rec["id"],
                                "target": targets, "date": _date(end)})
                counts["Delisting"] += 1
        else:
            member = ref(n, e, "member" if s == "Membership" else "employee")
            org = ref(n, e, "organization" if s == "Membership" else "employer")
            if not (member and org):
                continue
            words = "; ".join(e.get("role"))
            rec = {"id": f"membership/{sid}-{slug(e.id)}", "type": "Membership", "person": member[0],
                   "organization": org[0], "role": [role_of(words)]}
            if words:
                rec["description"] = words
            for prop, key in (("startDate", "start"), ("endDate", "end")):
                if e.get(prop):
                    rec[key] = _date(sorted(e.get(prop))[0])
            records.append(rec)
            counts["Membership"] += 1
    if problems:
        raise SourceError(problems)
    pub_id = f"org/{sid}-publisher"
    records.insert(0, {"id": pub_id, "type": "Organization", "name": publisher or path.stem})
    meta: dict[str, Any] = {"id": sid, "kind": "Dataset", "title": title or f"FollowTheMoney entities from {path.name}",
                            "publisher": pub_id, "published": published or dt.date.today().isoformat(),
                            "terms": f"Imported from the FollowTheMoney file {path.name} by repnet import ftm."}
    if url:
        meta["url"] = url
    return Imported({"source": meta, "records": records}, counts, skipped, warnings)
