"""No output prints a day that no source states (issue 11, part 6).

Dates are stored with day bounds for comparing ("2022-09" allows 2022-09-01 to 2022-09-30); those
bounds must never reach a person. This test collects every day written in the source files, then
scans what people read: every saved query (with each person, organization and several days as
parameters), ``analyze diff``, the entity pages and the explorer's page data, on the shipped data
and on the two-source fixture. Any day it finds must be a day some source states.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from repnet.graph.ask import query as q
from repnet.graph.ask.status import stored_periods
from repnet.graph.ingest.build import build
from repnet.graph.ingest.sources import default_paths
from repnet.graph.network import analysis as A
from repnet.graph.network import project as P
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore
from repnet.graph.viz import explorer as viz
from repnet.graph.web import pages

DAY = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
FIXTURE = Path(__file__).parent / "fixtures" / "many-sources"
DAYS_ASKED = ("2020-01-01", "2022-10-01", "2022-12-10", "2024-01-01", "2025-12-14", "2025-12-15", "2026-01-20", "2026-06-01")


def stated_days(files: list[Path]) -> set[str]:
    return {d for f in files for d in DAY.findall(f.read_text(encoding="utf-8"))}


def outputs(store: EmbeddedStore) -> dict[str, str]:
    """Everything a person reads, by where it comes from."""
    out: dict[str, str] = {}
    persons = [r["p"].value for r in store.query("SELECT DISTINCT ?p WHERE { ?p a schema:Person }")]
    orgs = [r["o"].value for r in store.query("SELECT DISTINCT ?o WHERE { ?m org:organization ?o }")]
    for name, saved in q.saved_queries().items():
        kinds = {p.name: p.kind for p in saved.params}
        runs: list[dict[str, str]] = [{}]
        if "person" in kinds:
            runs = [{"person": p} for p in persons] + ([{}] if not saved.params[0].required else [])
        elif "organization" in kinds:
            runs = [{"organization": o} for o in orgs]
        elif "date" in kinds:
            runs = [{"date": d} for d in DAYS_ASKED]
        for params in runs:
            prepared = q.prepare(store, saved.text, params, saved)
            columns, rows = q.rows_of(q.execute(store, prepared))
            # the day asked for is the reader's own
            out[f"query {name} {params}"] = json.dumps([{c: str(r[c]) for c in columns} for r in rows])
    G = P.project(store)
    periods = stored_periods(store)
    for a, b in itertools.pairwise(DAYS_ASKED):
        out[f"diff {a} {b}"] = A.diff(G, a, b, periods).render("csv")
    entities = [r["e"].value for r in store.query("SELECT DISTINCT ?e WHERE { ?e ?p ?o FILTER(isIRI(?e) && CONTAINS(STR(?e), '/id/')) }")]
    for iri in entities:
        out[f"page {iri}"] = pages.entity(store, iri, "text/html").body.decode()
    out["explorer"] = json.dumps(viz.page_data(store, viz.build_view(store))[0])
    return out


@pytest.mark.parametrize("which", ["belarus", "two sources"])
def test_no_output_prints_a_day_no_source_states(which: str, belarus_store: EmbeddedStore,
                                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    if which == "belarus":
        files, store = default_paths(), open_store(belarus_store.location)
    else:
        root = tmp_path_factory.mktemp("precision")
        build([FIXTURE], root)
        files, store = sorted(FIXTURE.glob("*.yaml")), open_store(root)
    # the days asked for are the reader's own, and a page says the day it was made
    allowed = stated_days(files) | set(DAYS_ASKED) | {dt.date.today().isoformat()}
    found = {where: sorted(set(DAY.findall(text)) - allowed) for where, text in outputs(store).items()}
    assert {where: days for where, days in found.items() if days} == {}
    # the scan does see dates: a day every source states is printed somewhere
    assert any("2025-12-13" in text for text in outputs(store).values()) or which != "belarus"
