"""The live explorer under `repnet serve`: /explore/search and /explore/neighbours on the Belarus
store (plain HTTP), and the /explore page in headless Chromium (search, expand, facts)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ID
from .external import served_page
from .test_serve import Endpoint, request, running

LOIKA = ID + "person/nasta-loika"
RESTRICTED = ("torture", "deteriorated", "ill-treatment", "allegation/", "health/")


@pytest.fixture(scope="module")
def explorer(belarus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    cache = tmp_path_factory.mktemp("explore-cache")
    with running(belarus_dir, "--timeout", "20", "--workers", "2", tmp=tmp_path_factory.mktemp("explore"),
                 env={"XDG_CACHE_HOME": str(cache)}) as e:
        yield e


def fetch(e: Endpoint, what: str, **params: str) -> tuple[int, Any]:
    status, headers, body = request(f"{e.url}explore/{what}?{urllib.parse.urlencode(params)}")
    if status == 200:
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        return status, json.loads(body)
    return status, body.decode()


@pytest.mark.parametrize("q", ["Loika", "Nasta Lojka", "LOJKA", "Лойка", "Anastasia Loika"])
def test_search_finds_a_person_by_any_name_and_script(explorer: Endpoint, q: str) -> None:
    status, data = fetch(explorer, "search", q=q)
    assert status == 200 and data["q"] == q
    first = data["results"][0]
    assert first == {"id": LOIKA, "l": "Nasta Loika", "c": "Person", "m": first["m"], "deg": 4}
    assert first["m"].split()[-1] in ("Loika", "Lojka")  # the name variant that matched, as written


def test_search_across_russian_and_belarusian_forms(explorer: Endpoint) -> None:
    for q in ("Kolesnikova", "Колесникова", "Калеснікава"):
        ids = [r["id"] for r in fetch(explorer, "search", q=q)[1]["results"]]
        assert ids[0] == ID + "person/maria-kalesnikava", (q, ids)


def test_search_finds_the_russian_form_of_a_given_name(explorer: Endpoint) -> None:
    ids = [r["id"] for r in fetch(explorer, "search", q="Николай Статкевич")[1]["results"]]
    assert ids[0] == ID + "person/mikalai-statkevich", ids


def test_search_limit_and_more(explorer: Endpoint) -> None:
    status, every = fetch(explorer, "search", q="co", limit="100")
    assert status == 200 and len(every["results"]) > 3 and every["more"] == 0
    status, two = fetch(explorer, "search", q="co", limit="2")
    assert [r["id"] for r in two["results"]] == [r["id"] for r in every["results"][:2]]
    assert two["more"] == len(every["results"]) - 2
    assert fetch(explorer, "search", q="zzzzqx")[1] == {"q": "zzzzqx", "results": [], "more": 0}


def test_neighbours_of_a_person_as_the_offline_page_shapes_them(explorer: Endpoint) -> None:
    status, d = fetch(explorer, "neighbours", iri=LOIKA)
    assert status == 200
    ids = [n["id"] for n in d["nodes"]]
    assert d["nodes"][d["center"]]["id"] == LOIKA and d["total"] == 4 and d["more"] == 0 and "notes" not in d or not d["notes"]
    assert sorted(ids) == sorted([LOIKA, ID + "offence/incitement-to-enmity", ID + "org/minsk-city-court",
                                  ID + "offence/organizing-group-actions-violating-public-order",
                                  ID + "offence/petty-hooliganism"])
    assert sorted((e["r"], ids[e["b"]]) for e in d["edges"]) == [
        ("charged_under", ID + "offence/incitement-to-enmity"),
        ("charged_under", ID + "offence/organizing-group-actions-violating-public-order"),
        ("charged_under", ID + "offence/petty-hooliganism"), ("sentenced_by", ID + "org/minsk-city-court")]
    assert all(ids[e["a"]] == LOIKA and e["src"] and e["id"] for e in d["edges"])
    centre = d["nodes"][d["center"]]
    assert centre["page"] == "/id/person/nasta-loika" and centre["all"] == 4
    assert [f["s"] for f in centre["st"]] == ["held", "held"]
    assert d["sources"][0]["id"] == "hrw-2025-12-15-belarus" and d["sources"][0]["url"].startswith("https://www.hrw.org/")
    assert set(d["classes"]) == {"Person", "Offence", "Court"} and set(d["relations"]) == {"charged_under", "sentenced_by"}


def test_neighbours_are_capped_with_how_many_more(explorer: Endpoint) -> None:
    status, d = fetch(explorer, "neighbours", iri=LOIKA, limit="2")
    assert status == 200 and len(d["nodes"]) == 3 and d["total"] == 4 and d["more"] == 2
    assert "2 more" in d["notes"][0] and LOIKA in d["nodes"][d["center"]]["id"]


@pytest.mark.parametrize(("params", "status"), [
    ({"iri": "not an iri"}, 400), ({"iri": "javascript:alert(1)"}, 400), ({"iri": "https://x/a b"}, 400),
    ({}, 400), ({"iri": LOIKA, "limit": "0"}, 400), ({"iri": LOIKA, "limit": "501"}, 400),
    ({"iri": LOIKA, "limit": "x"}, 400), ({"iri": LOIKA, "other": "1"}, 400),
    ({"iri": ID + "person/nobody"}, 404), ({"iri": "urn:x:y"}, 404),
])
def test_neighbours_refusals(explorer: Endpoint, params: dict[str, str], status: int) -> None:
    got, body = fetch(explorer, "neighbours", **params)
    assert got == status and body.startswith(f"{status} "), body


@pytest.mark.parametrize(("params", "status"), [
    ({}, 400), ({"q": "a"}, 400), ({"q": " "}, 400), ({"q": "x" * 201}, 400), ({"q": "Loika", "limit": "101"}, 400),
])
def test_search_refusals(explorer: Endpoint, params: dict[str, str], status: int) -> None:
    assert fetch(explorer, "search", **params)[0] == status


def test_restricted_entities_and_facts_are_never_returned(explorer: Endpoint) -> None:
    for iri in (ID + "allegation/rabkova-prison", ID + "health/rabkova-2025-12", ID + "allegation/loika-detention"):
        assert fetch(explorer, "neighbours", iri=iri)[0] == 404
    for q in ("rabkova", "loika", "prison", "health", "allegation"):
        status, data = fetch(explorer, "search", q=q, limit="100")
        assert status == 200 and not any(s in json.dumps(data) for s in RESTRICTED), q
    for r in fetch(explorer, "search", q="rabkova")[1]["results"] + fetch(explorer, "search", q="loika")[1]["results"]:
        text = json.dumps(fetch(explorer, "neighbours", iri=r["id"])[1])
        assert not any(s in text for s in RESTRICTED), r["id"]


def test_the_page_and_its_scripts_come_from_the_server(explorer: Endpoint) -> None:
    status, headers, body = request(explorer.url + "explore")
    assert status == 200 and "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert b"//cdn" not in body and b'src="/static/vis-network.min.js"' in body
    status, headers, js = request(explorer.url + "static/vis-network.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"vis-network" in js[:400]
    status, _, js = request(explorer.url + "static/explore.js")
    assert status == 200 and b"innerHTML" not in js and b"eval(" not in js


def test_explorer_in_headless_chromium(explorer: Endpoint, tmp_path: Path, chromium: str) -> None:


    with served_page(chromium, explorer.url) as served:
        page = served.page
        page.goto(explorer.url + "explore")
        page.wait_for_selector("body[data-ready='true']", state="attached")
        # a Cyrillic spelling finds the person written in Latin in the sources
        page.fill("#q", "Лойка")
        page.click("#go")
        page.wait_for_selector(f"#results button[data-iri='{LOIKA}']")
        assert page.locator("#results button").first.get_attribute("data-iri") == LOIKA
        assert page.inner_text("#results button >> nth=0").startswith("Nasta Loika")
        page.click(f"#results button[data-iri='{LOIKA}']")
        page.wait_for_selector("#panel:not([hidden])")
        page.wait_for_selector("#p-edges li >> nth=3")
        assert page.inner_text("#p-title") == "Nasta Loika"
        assert "4 of 4 neighbours drawn" in page.inner_text("#status")
        edges = page.locator("#p-edges li").all_inner_texts()
        assert any("Minsk City Court" in t and "sentenced by" in t for t in edges), edges
        facts = page.locator("#p-facts li").all_inner_texts()
        assert any(t.startswith("status") and "held" in t and "Human Rights Watch" in t for t in facts), facts
        assert page.get_attribute("#p-page", "href") == "/id/person/nasta-loika"
        # the neighbours are drawn on the canvas: the network holds the five nodes
        canvas = page.locator("#net canvas")
        assert canvas.count() == 1 and canvas.bounding_box()["width"] > 400  # type: ignore[index]
        # a second search and expansion adds to the drawing
        page.fill("#q", "Minsk City Court")
        page.click("#go")
        page.wait_for_selector(f"#results button[data-iri='{ID}org/minsk-city-court']")
        page.click(f"#results button[data-iri='{ID}org/minsk-city-court']")
        page.wait_for_selector("#p-title:text-is('Minsk City Court')")
        page.wait_for_selector("#status:has-text('neighbours drawn')")
        shot = tmp_path / "explore.png"
        page.screenshot(path=str(shot))
        print(f"explorer screenshot: {shot}")
    assert served.errors == []
    assert served.seen and all(u.startswith(explorer.url) for u in served.seen), served.seen


# ------------------------------------------------------------------------ time, filters, flow, chart
def test_neighbours_as_of_a_day_and_by_class_and_relation(explorer: Endpoint, belarus_store: Any) -> None:
    from repnet.graph.network.project import project, view

    G = project(belarus_store)
    for params, cut in (({"as_of": "2021-01-01"}, {"as_of": "2021-01-01"}), ({"class": "Court"}, {"classes": ["Court", "Person"]}),
                        ({"relation": "released_in"}, {"relations": ["released_in"]})):
        status, d = fetch(explorer, "neighbours", iri=LOIKA, **params)
        assert status == 200, d
        H = view(G, **cut)  # type: ignore[arg-type]
        expected = {w for _, w in H.out_edges(LOIKA)} | {u for u, _ in H.in_edges(LOIKA)} if LOIKA in H else set()
        if "class" in params:  # the class filter keeps neighbours of the class, whatever the centre's class
            expected = {n for n in set(G.successors(LOIKA)) | set(G.predecessors(LOIKA)) if G.nodes[n]["class"] == "Court"}
        assert {n["id"] for n in d["nodes"]} - {LOIKA} == expected, params
        assert d["total"] == len(expected)
    status, d = fetch(explorer, "neighbours", iri=LOIKA, as_of="2019-01-01")
    assert status == 200 and d["total"] == 0 and d["asOf"] == "2019-01-01"
    assert fetch(explorer, "neighbours", iri=LOIKA, as_of="2021-02-30")[0] == 400
    assert fetch(explorer, "neighbours", iri=LOIKA, relation="likes")[0] == 400


def test_flow_and_chart_endpoints_count_as_the_pictures(explorer: Endpoint, belarus_store: Any) -> None:
    from repnet.graph.network.project import project
    from repnet.graph.viz.chart import monthly
    from repnet.graph.viz.flow import flow_of, person_paths

    P = person_paths(belarus_store, project(belarus_store))
    court = ID + "org/minsk-city-court"
    for params, kw in (({}, {}), ({"from": "2020-08-09", "to": "2021-12-31"}, {"since": "2020-08-09", "until": "2021-12-31"}),
                       ({"through": court}, {"through": court})):
        status, F = fetch(explorer, "flow", **params)
        assert status == 200, F
        expected = flow_of(P, **kw)
        assert F["persons"] == expected["persons"] > 0
        assert [{k: n for k, _, n in col} for col in F["nodes"]] == [expected["nodes"][s] for s in expected["stages"]]
    # through an entity of no stage (an organization): the persons linked to it
    org = ID + "org/viasna"
    status, F = fetch(explorer, "flow", through=org)
    G = project(belarus_store)
    linked = {p for p in set(G.successors(org)) | set(G.predecessors(org)) if p in P.at}
    assert status == 200 and F["persons"] == len(linked) > 0 and F["throughLabel"]
    for params in ({"from": "2021-13-01"}, {"from": "2022-01-01", "to": "2021-01-01"}, {"through": "x"}, {"other": "1"}):
        assert fetch(explorer, "flow", **params)[0] == 400, params
    assert fetch(explorer, "flow", through=ID + "person/nobody")[0] == 404
    status, C = fetch(explorer, "chart")
    assert status == 200 and {k: C[k] for k in ("months", "held", "released", "sentenced")} == \
        {k: v for k, v in monthly(belarus_store, G).items() if k in ("months", "held", "released", "sentenced")}
    assert "Last known" in C["limits"]


def test_explorer_time_filters_flow_and_chart_in_headless_chromium(explorer: Endpoint, chromium: str) -> None:
    with served_page(chromium, explorer.url) as served:
        page = served.page
        page.goto(explorer.url + "explore")
        page.wait_for_selector("body[data-ready='true']", state="attached")
        page.fill("#q", "Loika")
        page.click("#go")
        page.click(f"#results button[data-iri='{LOIKA}']")
        page.wait_for_selector("#status:has-text('4 of 4 neighbours drawn')")
        shown = "() => repnetExplore.edges.get().filter(e => !e.hidden).length"
        assert page.evaluate(shown) == 4
        # as of a day before her detention: no relation held yet; her ring follows her status that day
        page.click("#filters summary")
        page.fill("#as-of", "2019-01-01")
        page.dispatch_event("#as-of", "change")
        assert page.evaluate(shown) == 0
        page.fill("#as-of", "")
        page.dispatch_event("#as-of", "change")
        assert page.evaluate(shown) == 4
        page.uncheck("#relation-filter input[data-name='sentenced_by']")
        assert page.evaluate(shown) == 3
        page.check("#relation-filter input[data-name='sentenced_by']")
        # the flow through the selected person: read from the server, drawn with her column entries
        page.click("#p-flow")
        page.wait_for_selector("#flow-summary:has-text('through Nasta Loika')")
        F = page.evaluate("repnetExplore.lastFlow()")
        assert F["persons"] == 1 and page.locator("#flow-box g.fnode").count() == sum(len(c) for c in F["nodes"])
        page.fill("#flow-from", "2020-08-09")
        page.dispatch_event("#flow-from", "change")
        page.click("#flow-clear")
        page.wait_for_selector("#flow-through:empty", state="attached")
        page.wait_for_selector("#flow-summary:not(:has-text('arrested or detained'))")
        whole = page.evaluate("repnetExplore.lastFlow()")
        assert whole["persons"] > 1 and whole["through"] is None
        # a click on a court in the diagram keeps its persons
        page.click(f"#flow-box g.fnode[data-key='{ID}org/minsk-city-court'] rect")
        page.wait_for_selector("#flow-summary:has-text('through Minsk City Court')")
        # the chart: bars with the monthly numbers the server sent
        page.click("#tabs button[data-view=chart]")
        page.wait_for_selector("#chart-box rect.held")
        C = page.evaluate("repnetExplore.lastChart()")
        held = page.evaluate("""() => [...document.querySelectorAll('#chart-box rect.held')].map(r =>
            [r.dataset.month, r.dataset.kind, Number(r.dataset.n)])""")
        assert sorted(map(tuple, held)) == sorted((m, k, C["held"][k][i]) for k in C["held"]
                                                  for i, m in enumerate(C["months"]) if C["held"][k][i])
    assert served.errors == []
    assert served.seen and all(u.startswith(explorer.url) for u in served.seen), served.seen


# ------------------------------------------------------------------------ the overview (groups) and drill-down
def test_overview_endpoint_has_the_offline_overviews_groups(explorer: Endpoint, belarus_dir: Path) -> None:
    from repnet.graph.store import open_store
    from repnet.graph.viz.data import page_data
    from repnet.graph.viz.view import build_view

    store = open_store(belarus_dir)  # public graphs, as the endpoint serves them
    for by in ("community", "court"):
        offline, _ = page_data(store, build_view(store), group_by=by, placed=False)
        status, live = fetch(explorer, "overview", by=by)
        assert status == 200, live
        page = ("shown", "x", "y", "s")
        assert live["groups"] == [{k: v for k, v in g.items() if k not in page} for g in offline["groups"]]
        assert live["links"] == offline["glinks"] and len(live["groups"]) > 1
        assert live["by"] == by and live["nodes"] == offline["counts"]["viewNodes"]
    # the default grouping is by community
    assert fetch(explorer, "overview")[1]["groups"] == fetch(explorer, "overview", by="community")[1]["groups"]


def test_opening_a_group_gives_its_most_central_members(explorer: Endpoint, belarus_dir: Path) -> None:
    from repnet.graph.store import open_store
    from repnet.graph.viz.groups import overview
    from repnet.graph.viz.rank import node_scores
    from repnet.graph.viz.view import build_view

    G = build_view(open_store(belarus_dir)).graph
    ov = overview(G, node_scores(G, "degree")[0], "court")
    j = next(j for j, g in enumerate(ov.groups) if len(g.members) > 3 and not g.merged)
    members = ov.groups[j].members
    status, d = fetch(explorer, "overview", by="court", group=str(j), limit="3")
    assert status == 200, d
    ids = [n["id"] for n in d["nodes"]]
    assert set(ids) <= set(members[:3]) and d["n"] == len(members) and d["shown"] == len(ids) > 0
    assert d["more"] == len(members) - len(ids) and d["l"] == ov.groups[j].label and "more" in d["notes"][0]
    # every drawn member has a relation drawn: to another drawn member, or (xlinks) to another group
    linked = {ids[e["a"]] for e in d["edges"]} | {ids[e["b"]] for e in d["edges"]} | {ids[i] for i, _, _ in d["xlinks"]}
    assert linked == set(ids)
    for i, k, n in d["xlinks"]:
        assert k != j and n == sum(1 for w in nx_neighbours(G, ids[i]) if ov.of[w] == k)
    status, every = fetch(explorer, "overview", by="court", group=str(j), limit="500")
    assert every["shown"] + every["alone"] == len(members) and every["more"] == every["alone"]
    for params, code in (({"group": "9999"}, 404), ({"group": "x"}, 400), ({"by": "colour"}, 400),
                         ({"group": "0", "limit": "0"}, 400), ({"group": "0", "limit": "501"}, 400), ({"limit": "5"}, 400),
                         ({"other": "1"}, 400)):
        assert fetch(explorer, "overview", **params)[0] == code, params


def nx_neighbours(G: Any, n: str) -> list[str]:
    import networkx as nx

    return list(nx.all_neighbors(G, n))


def test_overview_and_drill_down_in_headless_chromium(explorer: Endpoint, chromium: str) -> None:
    with served_page(chromium, explorer.url) as served:
        page = served.page
        page.goto(explorer.url + "explore")
        page.wait_for_selector("body[data-ready='true']", state="attached")
        page.click("#tabs button[data-view=overview]")
        page.wait_for_selector("#status:has-text('groups')")
        ov = page.evaluate("repnetExplore.lastOverview()")
        drawn = page.evaluate("() => repnetExplore.nodes.get().filter(n => String(n.id).startsWith('group:')).map(n => n.id)")
        assert sorted(drawn) == sorted(f"group:{j}" for j in range(len(ov["groups"]))) and len(drawn) > 1
        # opening the largest group: its members take its place, with their sourced panels
        page.evaluate("repnetExplore.openGroup(0)")
        page.wait_for_selector("#status:has-text('members drawn')")
        G = page.evaluate("repnetExplore.lastGroup()")
        ids = page.evaluate("() => repnetExplore.nodes.get().map(n => n.id)")
        assert "group:0" not in ids and all(n["id"] in ids for n in G["nodes"]) and G["shown"] > 0
        assert page.inner_text("#g-title") == ov["groups"][0]["l"]
        assert ov["groups"][0]["top"][0] in page.inner_text("#g-top")
        assert f"{G['shown']} of {G['n']} members drawn" in page.inner_text("#g-more")
        first = G["nodes"][0]["id"]
        page.evaluate(f"repnetExplore.show({json.dumps(first)})")
        page.wait_for_selector(f"#p-title:text-is({json.dumps(G['nodes'][0]['l'])})")
    assert served.errors == []
    assert served.seen and all(u.startswith(explorer.url) for u in served.seen), served.seen


def reference_search(ex: Any, q: str, limit: int) -> dict[str, Any]:
    """The search's rules applied the plain way: every name of every entity scanned."""
    from repnet.graph.names import fold, name_keys, skeleton

    text, keys = fold(q), set(name_keys(q))
    typed = [w for w in skeleton(q).split() if len(w) >= 2]
    best: dict[str, tuple[int, int]] = {}
    for i, (name, written, iri) in enumerate(ex.written):
        ranks = [0 if name == text else 9, 1 if keys & set(name_keys(written)) else 9,
                 2 if name.startswith(text) or any(w.startswith(text) for w in name.split()) else 9,
                 3 if text in name else 9,
                 4 if typed and all(any(s.startswith(w) for s in skeleton(written).split()) for w in typed) else 9]
        r = min(ranks)
        if r < 9 and (iri not in best or best[iri] > (r, i)):
            best[iri] = (r, i)
    order = sorted(best, key=lambda iri: (best[iri][0], -ex.degree.get(iri, 0), ex.label(iri).lower(), iri))
    return {"q": q, "more": max(0, len(best) - limit),
            "results": [(iri, ex.written[best[iri][1]][1]) for iri in order[:limit]]}


@pytest.mark.parametrize("q", ["ko", "an", "ми", "Ло", "lo", "co", "zq", "Kolesnikova", "min ci"])
def test_short_and_long_searches_rank_as_a_scan_of_every_name(belarus_dir: Path, q: str) -> None:
    from repnet.graph.store import open_store
    from repnet.graph.web.explore import Explorer, search

    ex = Explorer(open_store(belarus_dir), False)
    for limit in (1, 5, 100):
        got = search(ex, q, limit)
        want = reference_search(ex, q, limit)
        assert {"q": got["q"], "more": got["more"], "results": [(r["id"], r["m"]) for r in got["results"]]} == want, (q, limit)
    if q in ("ko", "an", "lo"):
        assert len(search(ex, q, 100)["results"]) > 5


def test_flow_and_chart_download_as_svg_and_png_in_headless_chromium(explorer: Endpoint, chromium: str,
                                                                       tmp_path: Path) -> None:
    with served_page(chromium, explorer.url) as served:
        page = served.page
        page.goto(explorer.url + "explore")
        page.wait_for_selector("body[data-ready='true']", state="attached")
        for view, box, name in (("flow", "#flow-box", "repnet-flow"), ("chart", "#chart-box", "repnet-held-over-time")):
            page.click(f"#tabs button[data-view={view}]")
            page.wait_for_selector(f"{box} svg")
            drawn = page.evaluate(f"document.querySelector('{box} svg text').textContent")
            with page.expect_download() as got:
                page.click(f"button[data-save={view}][data-fmt=svg]")
            svg = tmp_path / got.value.suggested_filename
            got.value.save_as(svg)
            assert svg.name == f"{name}.svg"
            text = svg.read_text()
            assert text.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in text and "<style>" in text
            assert "<script" not in text and f">{drawn}<" in text
            with page.expect_download() as got:
                page.click(f"button[data-save={view}][data-fmt=png]")
            png = tmp_path / got.value.suggested_filename
            got.value.save_as(png)
            assert png.name == f"{name}.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            width = int.from_bytes(png.read_bytes()[16:20], "big")
            assert width == 2 * int(page.get_attribute(f"{box} svg", "width") or 0)
    assert served.errors == []
