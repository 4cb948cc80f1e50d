"""The flow of the apparatus (``repnet viz --flow -o flow.png|svg``, and the flow view of every
explorer page): persons counted along arrest or detention -> charge (article) -> court -> judge ->
facility -> release round, or still held, drawn as a layered flow diagram.

:func:`person_paths` reads, for every person, the entities of each stage: the kinds of their
arrests and detentions as the store states them (an arrest, or the detention's type: pre-trial,
administrative, after conviction, kind not stated; a return to custody), each with the earliest day
the sources allow for its start (``rpn:earliestStart``); then, from the projection
(:mod:`repnet.graph.network.project`, the relations of ``relations.yaml``), the offences and
articles (``charged_under``), courts and judges (``sentenced_by`` to a Court or to a Judge),
facilities (``held_at``) and release rounds (``released_in``). A person with no release round is
counted at their status on the last day of the data (:func:`repnet.graph.ask.status.status_at`):
*still held*, *released (no round named)* or *no status stated*. A person is counted at every
entity of a stage they are linked to (charged under two articles: in both), so a stage's counts can
add up to more than the persons, and ``(none stated)`` where nothing is.

:func:`flow_of` counts the persons of a :class:`Paths`, optionally only those arrested or detained
between two days (``since``/``until``: an arrest or detention whose earliest start day falls in the
range; the first stage then counts only those arrests and detentions, the later stages follow the
same persons through everything stated about them) and only those whose path passes through one
entity (``through``: an IRI at any stage). Each stage draws its :data:`TOP` largest entities (by
persons, then label); the rest are one "N more" node, so no person is dropped. A link between two
stages counts the persons at both ends. The explorer page computes the same counts in the browser
from :func:`flow_records` (graph/viz/assets/viz.js ``flowOf``); the tests check both against
SPARQL counts.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ..ask.status import EXILE, HELD, RELEASED, status_at, stored_periods
from ..dates import parse_day
from ..errors import UsageError
from ..network.project import PERSON_CLASSES
from ..store.base import Store
from .picture import write_picture

STAGES = ("detention", "article", "court", "judge", "facility", "release")
STAGE_LABELS = {"detention": "arrest / detention", "article": "charge (offence, article)", "court": "court",
                "judge": "judge", "facility": "facility", "release": "release or still held"}
EDGE_STAGES = (("article", "charged_under", ("Article", "Offence")), ("court", "sentenced_by", ("Court",)),
               ("judge", "sentenced_by", ("Judge",)), ("facility", "held_at", ("Facility",)),
               ("release", "released_in", ("ReleaseRound",)))
"""The stages read from the projection: name, the relation from the person, the classes it leads to."""
TOP = 10
NONE = "(none stated)"
MORE = "+more"
"""The key of a stage's "N more" node."""
STILL_HELD, RELEASED_NO_ROUND, NO_STATUS = "still held", "released (no round named)", "no status stated"
ARREST = "arrest"
RETURN = "return to custody"

_DETENTIONS = """PREFIX rpn: <https://w3id.org/repnet/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?p ?kind ?label ?day WHERE {
  { { SELECT ?e ?p { ?e rpn:arrestedPerson ?p } } BIND("arrest" AS ?kind) }
  UNION { { SELECT ?e ?p { ?e rpn:detainedPerson ?p } } { SELECT ?e ?kind { ?e rpn:detentionType ?kind } }
          OPTIONAL { SELECT ?kind ?label { ?kind skos:prefLabel ?label FILTER(LANG(?label) = "en") } } }
  UNION { { SELECT ?e ?p { ?e rpn:returnedPerson ?p } } BIND("return to custody" AS ?kind) }
  OPTIONAL { SELECT ?e ?day { ?e rpn:earliestStart ?day } }
}"""
"""Every arrest, detention and return to custody: person, kind (an arrest, the detention type, a
return), the kind's label, and the earliest day its start may be (one row per stated bound). Every
join is of one-property subqueries, which Oxigraph joins by hash; plain patterns are looked up once
per row in each graph of the default graph (62 s -> 7 s at 100,000 persons)."""


@dataclass
class Paths:
    """Each person's entities at each stage (keys: IRIs, or the words above), their labels, and the
    arrests and detentions that date them: ``starts[p]`` is ``[(kind, earliest day or None)]``."""

    at: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    starts: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    last_day: str | None = None
    index: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # built by flow_of when needed

    def through(self, key: str) -> list[str]:
        """The persons with ``key`` at some stage."""
        if "through" not in self.index:
            by: dict[str, list[str]] = defaultdict(list)
            for p, stages in self.at.items():
                for x in {x for s in STAGES for x in stages[s]}:
                    by[x].append(p)
            self.index["through"] = dict(by)
        return list(self.index["through"].get(key, []))

    def dated(self, since: str | None, until: str | None) -> dict[str, set[str]]:
        """Person -> the kinds of their arrests and detentions whose earliest day is in the range."""
        if "starts" not in self.index:
            self.index["starts"] = sorted((d, p, k) for p, ks in self.starts.items() for k, d in ks if d is not None)
        rows = self.index["starts"]
        lo = bisect.bisect_left(rows, (since,)) if since else 0
        hi = bisect.bisect_right(rows, (until, "\uffff")) if until else len(rows)
        out: dict[str, set[str]] = defaultdict(set)
        for _d, p, k in rows[lo:hi]:
            out[p].add(k)
        return out


def person_paths(store: Store, G: nx.MultiDiGraph, persons: set[str] | None = None,
                 periods: dict[str, list[dict[str, Any]]] | None = None) -> Paths:
    """Every person's path (see the module's docstring); ``persons`` limits it to those persons,
    ``periods`` are the stored status periods when already read (:func:`stored_periods`)."""
    P = Paths(labels={NONE: NONE, ARREST: ARREST, RETURN: RETURN, STILL_HELD: STILL_HELD,
                      RELEASED_NO_ROUND: RELEASED_NO_ROUND, NO_STATUS: NO_STATUS})
    at: dict[str, dict[str, set[str]]] = defaultdict(lambda: {s: set() for s in STAGES})
    rel_stage = defaultdict(list)
    for name, rel, classes in EDGE_STAGES:
        rel_stage[rel].append((name, classes))
    nodes = G.nodes
    for u, w, d in G.edges(data=True):
        hits = rel_stage.get(str(d.get("relation", "")))
        if not hits or nodes[u].get("class") not in PERSON_CLASSES or (persons is not None and u not in persons):
            continue
        cls = nodes[w].get("class")
        for name, classes in hits:
            if cls in classes:
                at[u][name].add(w)
                P.labels.setdefault(w, str(nodes[w].get("label", w)))
    for row in store.query(_DETENTIONS):
        p = row["p"].value
        if persons is not None and p not in persons:
            continue
        kind = row["kind"].value
        if row["label"] is not None:
            P.labels[kind] = row["label"].value
        P.labels.setdefault(kind, kind.rsplit("/", 1)[-1])
        at[p]["detention"].add(kind)
        day = row["day"].value[:10] if row["day"] is not None else None
        P.starts.setdefault(p, []).append((kind, day))
    for p in P.starts:
        P.starts[p] = sorted(set(P.starts[p]), key=lambda kd: (kd[0], kd[1] or ""))
    periods = stored_periods(store) if periods is None else periods
    P.last_day = max((d for ps in periods.values() for x in ps for d in (x["first"], x["last"], x["lo"]) if d),
                     default=None)
    for p, stages in at.items():
        if not stages["release"]:
            now = status_at(periods.get(p, []), P.last_day) if P.last_day else None
            stages["release"] = {STILL_HELD if now and now[0] == HELD else
                                 RELEASED_NO_ROUND if now and now[0] in (RELEASED, EXILE) else NO_STATUS}
    P.at = dict(at)
    return P


def _in_range(day: str | None, since: str | None, until: str | None) -> bool:
    return day is not None and (since is None or day >= since) and (until is None or day <= until)


def flow_of(P: Paths, *, top: int = TOP, since: str | None = None, until: str | None = None,
            through: str | None = None) -> dict[str, Any]:
    """The flow: ``{stages, nodes: {stage: {key: persons}}, labels: {key: label}, links: {(stage, key,
    stage2, key2): persons}, persons: n, since, until, through}``, nodes largest first; entities
    beyond a stage's ``top`` largest are counted as one node keyed :data:`MORE`, labelled "N more"."""
    since, until = parse_day(since, "since"), parse_day(until, "until")
    if since and until and since > until:
        raise UsageError(f"the range {since} to {until} ends before it begins", argument="since,until")
    memo = (top, since, until, through)
    if memo in P.index.get("memo", {}):
        return dict(P.index["memo"][memo])
    persons: Any = P.at if through is None else P.through(through)
    kinds: dict[str, set[str]] | None = None
    if since is not None or until is not None:
        kinds = P.dated(since, until)
        persons = kinds if through is None else [p for p in persons if p in kinds]
    none = {NONE}
    chosen: dict[str, dict[str, set[str]]] = {}
    for p in persons:
        stages = P.at.get(p)
        if stages is None:
            continue
        at = {s: (kinds[p] if kinds is not None and s == "detention" else stages[s]) or none for s in STAGES}
        if through is not None and kinds is not None and not any(through in at[s] for s in STAGES):
            continue  # (through a kind of detention: one in the range)
        chosen[p] = at
    raw: dict[str, Counter[str]] = {s: Counter() for s in STAGES}
    for stages in chosen.values():
        for s in STAGES:
            raw[s].update(stages[s])
    labels = dict(P.labels)
    keep = {s: {x for x in sorted(raw[s], key=lambda x: (-raw[s][x], labels.get(x, x), x))[:top]} | {NONE}
            for s in STAGES}
    more = {s: len(set(raw[s]) - keep[s]) for s in STAGES}
    nodes: dict[str, Counter[str]] = {s: Counter() for s in STAGES}
    links: Counter[tuple[str, str, str, str]] = Counter()
    for stages in chosen.values():
        shown = {s: {x if x in keep[s] else MORE for x in stages[s]} for s in STAGES}
        for s in STAGES:
            nodes[s].update(shown[s])
        for a, b in zip(STAGES, STAGES[1:], strict=False):
            links.update((a, x, b, y) for x in shown[a] for y in shown[b])
    used = {x for s in STAGES for x in nodes[s]}
    out_labels = {x: labels.get(x, x) for x in used if x != MORE}
    out = {"stages": list(STAGES), "stageLabels": [STAGE_LABELS[s] for s in STAGES],
           "nodes": {s: dict(sorted(nodes[s].items(), key=lambda kv: (-kv[1], out_labels.get(kv[0], ""), kv[0])))
                     for s in STAGES},
           "more": {s: more[s] for s in STAGES if MORE in nodes[s]},
           "labels": out_labels, "links": dict(links), "persons": len(chosen),
           "since": since, "until": until, "through": through}
    if since is None and until is None and through is None:  # the whole flow, asked for most often
        P.index.setdefault("memo", {})[memo] = out
    return dict(out)


def flow(store: Store, G: nx.MultiDiGraph, persons: set[str] | None = None, top: int = TOP, *,
         since: str | None = None, until: str | None = None, through: str | None = None) -> dict[str, Any]:
    """The flow of the persons of ``G`` (or of ``persons``): :func:`person_paths`, then :func:`flow_of`."""
    return flow_of(person_paths(store, G, persons), top=top, since=since, until=until, through=through)


def store_views(store: Store, G: nx.MultiDiGraph, restricted: bool = False) -> tuple[Paths, dict[str, Any]]:
    """Every person's path and the chart's months (:func:`repnet.graph.viz.chart.monthly`, with its
    ``limits`` text) for the whole store, from the status periods read once; kept per store
    generation in the cache folder ``views`` beside the projections'
    (:func:`repnet.graph.network.project.cache_file`), so the next page or explorer of the same
    store reads them back (tens of seconds at 100,000 persons)."""
    from ..network.project import cache_file, read_cache, save_cache
    from .chart import LIMITS, monthly

    here = Path(__file__).resolve().parent
    path = cache_file(store, restricted, "views", [here / "flow.py", here / "chart.py", here.parent / "ask" / "status.py"])
    cached = read_cache(path)
    if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], Paths):
        return cached
    periods = stored_periods(store)
    out = (person_paths(store, G, None, periods), {**monthly(store, G, None, periods), "limits": LIMITS})
    if path is not None:
        save_cache(path, out)
    return out


def flow_records(P: Paths) -> dict[str, Any]:
    """The paths as a page carries them, for counting in the browser (the same rules as
    :func:`flow_of`): ``{stages, stageLabels, top, keys: [key], labels: [label], people: [[starts,
    stage 2 keys, ...]]}``; a person's ``starts`` is a flat list ``[kind, day, kind, day, ...]`` of
    key indexes and days (null when undated), the other stages lists of key indexes."""
    index: dict[str, int] = {}

    def ix(key: str) -> int:
        if key not in index:
            index[key] = len(index)
        return index[key]

    people = []
    for p in sorted(P.at):
        stages = P.at[p]
        starts: list[Any] = []
        for kind, day in P.starts.get(p, []):
            starts += [ix(kind), day]
        people.append([starts, *([ix(x) for x in sorted(stages[s])] for s in STAGES[1:])])
    keys = list(index)
    return {"stages": list(STAGES), "stageLabels": [STAGE_LABELS[s] for s in STAGES], "top": TOP, "none": NONE,
            "keys": keys, "labels": [P.labels.get(k, k) for k in keys], "people": people, "lastDay": P.last_day}


def write_flow(store: Store, G: nx.MultiDiGraph, out: str | Path, *, persons: set[str] | None = None,
               title: str | None = None, since: str | None = None, until: str | None = None,
               through: str | None = None) -> dict[str, Any]:
    """Draw the flow (PNG or SVG by ``out``'s extension) with matplotlib, whole or not at all; the numbers drawn."""
    span = (f", arrested or detained {since or '…'} to {until or '…'}" if since or until else "")
    return write_picture(out, "a flow diagram",
                         lambda: flow(store, G, persons, since=since, until=until, through=through),
                         lambda data: draw_flow(data, title or ("Persons along the apparatus: arrest, charge, court, "
                                                                "judge, facility, release" + span)))


def node_label(data: dict[str, Any], stage: str, key: str) -> str:
    """A flow node's label: the entity's, or "N more"."""
    if key == MORE:
        return f"{data['more'][stage]:,} more"
    return str(data["labels"].get(key, key))


def draw_flow(data: dict[str, Any], title: str) -> Any:
    """A layered flow diagram: one column per stage, a bar per entity (height: persons), bands between them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    fig = Figure(figsize=(15, 8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.08, 0.86, 0.82))
    ax.set_axis_off()
    stages = data["stages"]
    gap = 0.02
    place: dict[tuple[str, str], list[float]] = {}  # (stage, key) -> [y0, height, next out, next in]
    colours = ("#d62728", "#c44e8a", "#6b4c9a", "#8c564b", "#5c5c5c", "#17becf")
    for i, s in enumerate(stages):
        items = list(data["nodes"][s].items())
        total = sum(n for _, n in items) or 1
        scale = (1 - gap * max(0, len(items) - 1)) / total
        y = 0.0
        for key, n in items:
            h = n * scale
            place[(s, key)] = [y, h, y, y]
            ax.add_patch(Rectangle((i - 0.03, y), 0.06, h, color=colours[i % len(colours)], zorder=3))
            label = node_label(data, s, key)
            label = label if len(label) <= 34 else label[:32] + "…"
            ax.text(i + 0.04, y + h / 2, f"{label} ({n:,})", fontsize=7, va="center", zorder=4, parse_math=False,
                    clip_on=False)
            y += h + gap
    for (a, x, b, yv), n in sorted(data["links"].items(), key=lambda kv: -kv[1]):
        pa, pb = place[(a, x)], place[(b, yv)]
        ia = stages.index(a)
        ha = n * pa[1] / max(1, data["nodes"][a][x])
        hb = n * pb[1] / max(1, data["nodes"][b][yv])
        y0, y1 = pa[2], pb[3]
        pa[2] += ha
        pb[3] += hb
        x0, x1 = ia + 0.03, ia + 0.97
        verts = [(x0, y0), (x0 + 0.4, y0), (x1 - 0.4, y1), (x1, y1), (x1, y1 + hb), (x1 - 0.4, y1 + hb),
                 (x0 + 0.4, y0 + ha), (x0, y0 + ha), (x0, y0)]
        codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                 MPath.CURVE4, MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=colours[ia % len(colours)], alpha=0.25, lw=0, zorder=1))
    ax.set_xlim(-0.1, len(stages) + 0.1)
    ax.set_ylim(1.02, -0.02)
    for i, s in enumerate(data.get("stageLabels") or stages):
        ax.text(i, -0.015, s, fontsize=10, weight="bold", ha="left", va="bottom", parse_math=False)
    fig.text(0.02, 0.97, title, fontsize=14, weight="bold", va="top", parse_math=False)
    fig.text(0.02, 0.02, f"{data['persons']:,} persons. A person is counted at every arrest or detention kind, offence, "
             "court, judge and facility their records name (a column can add up to more than the persons); the last "
             "column is the release round, else the status on the last day of the data.", fontsize=8, parse_math=False)
    return fig
