"""Cached loaders for the packaged schema files (read with importlib.resources, never at import)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import yaml

from .namespaces import RPNC, expand


def read_text(name: str) -> str:
    """The text of a file in the ``repnet.ontology`` package."""
    return (files("repnet.ontology") / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    property: str
    kind: str
    also: tuple[str, ...] = ()
    required: bool = False
    many: bool = False
    targets: tuple[str, ...] = ()
    scheme: str | None = None
    bounds: tuple[str, str] | None = None
    min: int | None = None
    max: int | None = None
    keys: str | None = None  # (wording) the field of the same record whose ids the map's keys must be
    node: tuple[tuple[str, str], ...] = ()  # (wording) the classes and properties of the node per key


@dataclass(frozen=True)
class ItemSpec:
    """The items of a structured field (``cite:``): each becomes a node with its own fields."""

    classes: tuple[str, ...]
    fields: dict[str, FieldSpec]  # on the citation node
    document_fields: dict[str, FieldSpec]  # on the cited document
    document_classes: tuple[str, ...] = ()
    document_property: str = ""


@dataclass(frozen=True)
class TypeSpec:
    name: str
    segment: str
    classes: tuple[str, ...]
    fields: dict[str, FieldSpec]
    fixed: tuple[tuple[str, str], ...] = ()
    restricted: bool = False


@dataclass(frozen=True)
class Mapping:
    types: dict[str, TypeSpec]
    common: dict[str, FieldSpec] = field(default_factory=dict)
    citation: ItemSpec | None = None
    inference: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def record_fields(self) -> dict[str, dict[str, FieldSpec]]:
        """Type name -> the fields a record of it takes: the common ones, then the type's own
        (merged once: a build checks and converts 622,000 records at 100,000 persons)."""
        return {name: {**self.common, **spec.fields} for name, spec in self.types.items()}


def _field(name: str, raw: dict[str, Any]) -> FieldSpec:
    return FieldSpec(
        name=name,
        property=expand(raw["property"]),
        kind=raw["kind"],
        also=tuple(expand(p) for p in raw.get("also", ())),
        required=bool(raw.get("required", False)),
        many=bool(raw.get("many", False)),
        targets=tuple(raw.get("targets", ())),
        scheme=raw.get("scheme"),
        bounds=tuple(expand(b) for b in raw["bounds"]) if "bounds" in raw else None,  # type: ignore[arg-type]
        min=raw.get("min"),
        max=raw.get("max"),
        keys=raw.get("keys"),
        node=tuple((k, expand(v)) for k, v in raw.get("node", {}).items()),
    )


def _citation(raw: dict[str, Any] | None) -> ItemSpec | None:
    if not raw:
        return None
    return ItemSpec(
        classes=tuple(expand(c) for c in raw["classes"]),
        fields={n: _field(n, f) for n, f in raw["fields"].items()},
        document_fields={n: _field(n, f) for n, f in raw["document_fields"].items()},
        document_classes=tuple(expand(c) for c in raw["document_classes"]),
        document_property=expand(raw["document_property"]),
    )


@functools.cache
def _mapping_yaml() -> Any:
    """``ontology/mapping.yaml`` parsed once (by libyaml when PyYAML has it: ten times faster)."""
    return yaml.load(read_text("mapping.yaml"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def mapping() -> Mapping:
    """The record-type mapping of ``ontology/mapping.yaml``."""
    raw = _mapping_yaml()
    common = {n: _field(n, f) for n, f in raw.get("common", {}).items()}
    types = {}
    for name, t in raw["types"].items():
        types[name] = TypeSpec(
            name=name,
            segment=t["segment"],
            classes=tuple(expand(c) for c in t["classes"]),
            fields={n: _field(n, f) for n, f in t["fields"].items()},
            fixed=tuple((expand(p), expand(v)) for p, v in t.get("fixed", ())),
            restricted=bool(t.get("restricted", False)),
        )
    return Mapping(types=types, common=common, citation=_citation(raw.get("citation")),
                   inference={k: expand(v) for k, v in raw.get("inference", {}).items()})


@functools.cache
def open_bounds() -> dict[str, tuple[str, str]]:
    """Lower-bound property -> (property for "after X", property for "before X"), from mapping.yaml."""
    raw = _mapping_yaml()
    return {expand(lo): (expand(v["after"]), expand(v["before"])) for lo, v in raw.get("open_bounds", {}).items()}


@functools.cache
def concept_schemes() -> dict[str, frozenset[str]]:
    """Scheme name -> the local names of its concepts, read from ``concepts.ttl``."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    g = Graph().parse(data=read_text("concepts.ttl"), format="turtle")
    schemes: dict[str, set[str]] = {}
    for concept, scheme in g.subject_objects(SKOS.inScheme):
        s, c = str(scheme), str(concept)
        if not s.startswith(str(RPNC)):
            continue
        name = s[len(str(RPNC)) :]
        prefix = f"{RPNC}{name}/"
        if c.startswith(prefix):
            schemes.setdefault(name, set()).add(c[len(prefix) :])
    return {k: frozenset(v) for k, v in schemes.items()}


@functools.cache
def shapes_text() -> str:
    return read_text("shapes.ttl")
