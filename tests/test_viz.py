"""repnet viz: offline network pages (in real headless Chromium, with no network) and still pictures.

The browser tests drive Debian's chromium through playwright (``executable_path``; playwright's
own browser download is never used); without it they fail in CI and are skipped elsewhere
(tests/external.py). Every request a page makes is recorded and anything that is
not a file: or data: URL is aborted and fails the test; the host resolver maps every name to
nothing as a second guard.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from repnet.cli import cli
from repnet.graph.ask.query import UnknownName
from repnet.graph.ingest.dataset import load_dataset
from repnet.graph.names import fold, skeleton
from repnet.graph.network.project import NODE_CLASSES, project, view
from repnet.graph.store import open_store
from repnet.graph.store.embedded import EmbeddedStore, memory_store
from repnet.graph.viz import explorer as viz

from .conftest import ID, write
from .external import CHROMIUM_ARGS

HRW_TITLE = "More than 1,000 Belarusians remain in prison for exercising their rights"
HRW_URL = "https://www.hrw.org/news/2025/12/15/more-than-1000-belarusians-remain-in-prison-for-exercising-their-rights"
LOIKA = ID + "person/nasta-loika"
# runs before the page's own scripts (injected by the browser, not subject to the page's CSP)
TRAPS = """
window.__alerts = [];
window.alert = window.confirm = window.prompt = function (m) { window.__alerts.push(String(m)); };
"""


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def store(belarus_dir: Path) -> Iterator[EmbeddedStore]:
    """The session's Belarus store, opened as every read is: public graphs only."""
    s = open_store(belarus_dir)
    yield s
    s.close()


@pytest.fixture(scope="module")
def root_of(store: EmbeddedStore) -> Path:
    assert store.location is not None
    return store.location


@pytest.fixture(scope="module")
def whole(store: EmbeddedStore) -> nx.MultiDiGraph:
    return project(store)


@pytest.fixture(scope="module")
def belarus_html(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz-pages") / "belarus.html"
    viz.write_page(store, viz.build_view(store), out)
    return out


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Opened:
    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def open_page(browser: Any, path: Path, width: int = 1400, height: int = 860) -> Opened:
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    o = Opened(page=None)

    def route(r: Any) -> None:
        url = r.request.url
        o.requests.append(url)
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            o.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    context.add_init_script(TRAPS)
    page = context.new_page()
    page.on("pageerror", lambda exc: o.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda m: o.errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("request", lambda r: o.requests.append(r.url))
    page.on("dialog", lambda d: (o.dialogs.append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri())
    # (the page's CSP forbids eval, so waits use selectors, not JavaScript predicates)
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=30_000)
    o.page = page
    return o


def close(o: Opened) -> None:
    o.page.context.close()


def node_point(page: Any, iri: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    return tuple(page.evaluate("""iri => {
        const i = repnet.indexOf(iri), p = repnet.network.canvasToDOM(repnet.network.getPosition(i));
        const r = document.getElementById('network').getBoundingClientRect();
        return [p.x + r.left, p.y + r.top]; }""", iri))


def drawn(page: Any) -> dict[str, int]:
    """Nodes and edges in the vis DataViews the network draws, and in the network's own body."""
    return page.evaluate("""() => ({nodes: repnet.nodeView.length, edges: repnet.edgeView.length,
        bodyNodes: repnet.network.body.nodeIndices.length, bodyEdges: repnet.network.body.edgeIndices.length,
        dataNodes: repnet.nodes.length, dataEdges: repnet.edges.length})""")


def assert_clean(o: Opened) -> None:
    assert o.errors == []
    assert o.blocked == []
    assert o.dialogs == []
    assert all(u.startswith(("file:", "data:")) for u in o.requests), o.requests
    assert o.page.evaluate("window.__alerts") == []


# ------------------------------------------------------------------------ the Belarus page
def test_belarus_page_in_headless_chromium(browser: Any, belarus_html: Path, whole: nx.MultiDiGraph,
                                           tmp_path: Path) -> None:
    o = open_page(browser, belarus_html)
    page = o.page
    try:
        counts = drawn(page)
        n, m = whole.number_of_nodes(), whole.number_of_edges()
        assert (n, m) == (30, 35)
        assert counts == {"nodes": n, "edges": m, "bodyNodes": n, "bodyEdges": m, "dataNodes": n, "dataEdges": m}
        assert page.inner_text("#summary").startswith(f"{n} entities, {m} relations")

        # the search box finds a node by any of its names, without case or diacritics
        for name in ("Loika", "Lojka", "nasta lojka", "ŁOJKA", "Anastasia Lójka"):
            page.fill("#search", name)
            page.press("#search", "Enter")
            assert page.evaluate("repnet.selected()") == [LOIKA], name
            assert page.evaluate("q => repnet.search(q)[0]", name) == LOIKA
        assert page.inner_text("#panel h2") == "Nasta Loika"
        # ... in Cyrillic, in another romanisation and surname first, folded as repnet.graph.names folds
        for name in ("Наста Лойка", "Лойка Наста", "Лойка", "Loika Nasta"):
            assert page.evaluate("q => repnet.search(q)[0]", name) == LOIKA, name
        assert page.evaluate("q => repnet.search(q)[0]", "Марфа Рабкова") == ID + "person/marfa-rabkova"
        # ... and the Russian form of a given name (graph/given-names.yaml): Николай is Mikalai
        assert page.evaluate("q => repnet.search(q)[0]", "Николай Статкевич") == ID + "person/mikalai-statkevich"
        samples = ["Калеснікава Марыя Аляксандраўна", "Statkievič", "Ціханоўская", "Gomel'", "Kalieśnikava", "Щука", "Ольга Nikolay"]
        assert page.evaluate("xs => xs.map(repnet.fold)", samples) == [fold(x) for x in samples]
        assert page.evaluate("xs => xs.map(repnet.skeleton)", samples) == [skeleton(x) for x in samples]
        page.fill("#search", "")

        # hovering a node shows its key facts and its source; clicking shows the full panel
        page.evaluate("repnet.network.fit()")
        page.mouse.move(*node_point(page, LOIKA))
        page.wait_for_selector("#tooltip:not([hidden])")
        tip = page.inner_text("#tooltip")
        assert "Nasta Loika" in tip and "held" in tip and HRW_TITLE in tip and "Human Rights Watch" in tip
        page.mouse.click(*node_point(page, LOIKA))
        panel = page.inner_text("#panel")
        assert "sentenced by → Minsk City Court" in panel and "2023-06 · 7 years · imprisonment" in panel
        assert f"Source: {HRW_TITLE} (Human Rights Watch, 2025-12-15)" in panel
        assert "Nasta Lojka" in panel and "human rights defender" in panel
        links = page.eval_on_selector_all("#panel a", "as => as.map(a => a.href)")
        assert links and set(links) == {HRW_URL}

        # released and still-held persons are told apart: red solid ring / green dashed ring
        def ring(iri: str) -> tuple[str, Any]:
            item = page.evaluate("iri => repnet.nodes.get(repnet.indexOf(iri))", iri)
            return item["color"]["border"], item["shapeProperties"]["borderDashes"]

        assert ring(LOIKA) == (viz.STATUS_STYLE["held"], False)
        assert ring(ID + "person/mikalai-statkevich") == (viz.STATUS_STYLE["held"], False)  # pardoned, returned
        assert ring(ID + "person/ales-bialiatski") == (viz.STATUS_STYLE["released"], [5, 4])
        assert ring(ID + "person/aliaksandr-lukashenka")[0] not in viz.STATUS_STYLE.values()

        # legends: every class and relation on the page, with colour and count
        classes = page.eval_on_selector_all("#class-legend input", "bs => bs.map(b => b.dataset.class)")
        assert classes == [c for c in NODE_CLASSES if any(d["class"] == c for _, d in whole.nodes(data=True))]
        assert page.locator("#relation-legend li").count() == len({d["relation"] for *_, d in whole.edges(data=True)})
        assert HRW_TITLE in page.inner_text("#source-list")

        page.evaluate("repnet.network.fit()")
        page.mouse.move(5, 5)
        shot = tmp_path / "belarus.png"
        page.screenshot(path=str(shot))
        shutil.copy(shot, "/tmp/repnet-viz-belarus.png")
        print(f"Belarus page screenshot: {shot} (copy: /tmp/repnet-viz-belarus.png)")
        assert shot.stat().st_size > 50_000
        assert_clean(o)
    finally:
        close(o)


def test_filters_and_time_control_match_the_projection_views(browser: Any, belarus_html: Path,
                                                            whole: nx.MultiDiGraph) -> None:
    o = open_page(browser, belarus_html)
    page = o.page
    try:
        def counts() -> tuple[int, int]:
            c = page.evaluate("repnet.visibleCounts()")
            return c["nodes"], c["edges"]

        def size(G: nx.MultiDiGraph) -> tuple[int, int]:
            return G.number_of_nodes(), G.number_of_edges()

        # class filter: the same as view(classes=...)
        page.uncheck("input[data-class='Offence']")
        others = [c for c in NODE_CLASSES if c != "Offence"]
        assert counts() == size(view(whole, classes=others))
        page.check("input[data-class='Offence']")
        page.uncheck("input[data-relation='charged_under']")
        assert counts() == size(view(whole, relations=[r for r in viz.RELATIONS if r != "charged_under"]))
        page.check("input[data-relation='charged_under']")
        assert counts() == size(whole)

        def as_stated(day: str) -> tuple[int, int]:
            """The projection cut to the edges that hold on the day by their stated dates."""
            H = nx.MultiDiGraph()
            H.add_edges_from((u, v, k, d) for u, v, k, d in whole.edges(keys=True, data=True) if viz.holds_as_stated(d, day))
            return size(H)

        # time control: the dates are stops as the sources state them (never a day bound); the
        # network on a stop is the projection's edges that hold by their stated dates
        dates = page.evaluate("repnet.data.dates")
        assert "2025-12-13" in dates and "2025-09" in dates and dates == sorted(dates)
        assert "2025-09-30" not in dates and "2022-09-30" not in dates  # day bounds of month-precise dates
        page.check("#time-on")
        for day in ("2022-09", "2025-09", "2025-12-13"):
            idx = dates.index(day)
            page.evaluate("i => { const r = document.getElementById('time'); r.value = String(i);"
                          " r.dispatchEvent(new Event('input')); }", idx)
            assert counts() == as_stated(day), day
        bialiatski = page.evaluate(f"repnet.nodes.get(repnet.indexOf('{ID}person/ales-bialiatski'))")
        assert bialiatski["color"]["border"] == viz.STATUS_STYLE["released"]
        page.evaluate("i => { const r = document.getElementById('time'); r.value = String(i);"
                      " r.dispatchEvent(new Event('input')); }", dates.index("2025-09"))
        statkevich = page.evaluate(f"repnet.nodes.get(repnet.indexOf('{ID}person/mikalai-statkevich'))")
        assert statkevich["color"]["border"] == viz.STATUS_STYLE["held"]  # the return follows the pardon
        rabkova = page.evaluate(f"repnet.nodes.get(repnet.indexOf('{ID}person/marfa-rabkova'))")
        assert rabkova["color"]["border"] == viz.STATUS_STYLE["held"]  # detained since 2020-09-17
        page.uncheck("#time-on")
        assert counts() == size(whole)

        # physics switch
        assert page.is_checked("#physics")
        page.uncheck("#physics")
        assert page.evaluate("repnet.network.physics.options.enabled") is False
        assert_clean(o)
    finally:
        close(o)


def test_page_is_self_contained_and_locked_down(belarus_html: Path, store: EmbeddedStore) -> None:
    text = belarus_html.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis", text)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp and "default-src 'none'" in csp.group(1) and "connect-src 'none'" in csp.group(1)
    assert "unsafe-eval" not in csp.group(1) and csp.group(1).count("'sha256-") == 3
    assert text.count("</script>") == 6  # data, chart, flow (JSON, not run), vis-network, the views, the page's script
    # restricted facts (ill-treatment, health) never reach a public page
    data = re.search(r'id="repnet-data">(.*?)</script>', text, re.S).group(1)
    for secret in ("torture", "deteriorated", "ill-treatment", "allegation/", "health/"):
        assert secret not in data


# ------------------------------------------------------------------------ script injection
HOSTILE = """\
source:
  id: hostile-source
  title: "</script><script>alert('title')</script><img src=x onerror=alert('title2')> Hostile report"
  publisher: org/evil
  url: "https://example.org/report'onmouseover='alert(1)'"
  published: 2024-03-02
  terms: test data
records:
  - {id: org/evil, type: Organization, name: "<img src=x onerror=alert('publisher')>Evil & Co", description: "<svg onload=alert('d')>"}
  - id: person/victim
    type: Person
    name: "<img src=x onerror=alert(1)>"
    names: ["</script><script>alert(2)</script>", "<!--", "javascript:alert(3)", "{{VIS}}",
            "Lojka <b onmouseover=alert(4)>bold</b>", "\\" onfocus=\\"alert(5)", "${alert(6)}"]
    description: "<iframe src=javascript:alert(7)></iframe>"
    award: ["<a href=javascript:alert(8)>prize</a>"]
  - {id: org/court-x, type: Court, name: "\\"><script>alert(9)</script>"}
  - id: sentence/x
    type: Sentence
    person: person/victim
    court: org/court-x
    date: 2024-01-01
    penalty: imprisonment
    term: {years: 1}
    as_reported: "<script>alert(10)</script>"
  - {id: observation/x, type: StatusObservation, person: person/victim, status: imprisoned, as_of: 2024-02-01}
"""
BAD_IRI = ID + "person/x'-alert(11)-'"  # quotes are allowed in IRIs


def hostile_store(tmp_path: Path) -> EmbeddedStore:
    """The hostile source, plus what the source format would refuse: a javascript: URL, an IRI
    with quotes and a name with line separators, added as quads to a memory store."""
    src = write(tmp_path / "hostile.yaml", HOSTILE)
    quads = [q for q in load_dataset([src]).quads() if q.predicate.value != "https://schema.org/url"]
    g = ox.NamedNode("https://w3id.org/repnet/graph/hostile-source")
    meta = ox.NamedNode("https://w3id.org/repnet/graph/meta")
    n = ox.NamedNode
    quads += [
        ox.Quad(n(ID + "source/hostile-source"), n("https://schema.org/url"), n("javascript:alert(12)"), meta),
        ox.Quad(n(BAD_IRI), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n("https://schema.org/Person"), g),
        ox.Quad(n(BAD_IRI), n("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("'-alert(13)-'"), g),
        ox.Quad(n(ID + "person/victim"), n("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("\u2028x\u2029y"), g),
        ox.Quad(n(ID + "membership/bad"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n("http://www.w3.org/ns/org#Membership"), g),
        ox.Quad(n(ID + "membership/bad"), n("http://www.w3.org/ns/org#member"), n(BAD_IRI), g),
        ox.Quad(n(ID + "membership/bad"), n("http://www.w3.org/ns/org#organization"), n(ID + "org/evil"), g),
    ]
    return memory_store(quads, public_only=True)


def test_script_injection_never_runs(browser: Any, tmp_path: Path) -> None:
    store = hostile_store(tmp_path)
    G = project(store)
    victim = ID + "person/victim"
    assert {victim, BAD_IRI, ID + "org/evil", ID + "org/court-x"} <= set(G)
    title = "<script>alert('heading')</script>"
    out = tmp_path / "hostile.html"
    focused = viz.render_page(store, viz.build_view(store, focus="<img src=x onerror=alert(1)>", radius=2))
    assert focused.nodes == 2 and "<img" not in focused.html
    viz.write_page(store, viz.build_view(store), out, title=title)
    text = out.read_text(encoding="utf-8")
    assert text.count("</script>") == 6
    assert "<img" not in text and "<!--" not in text and "\u2028" not in text
    assert "javascript:alert(12)" not in text  # the source link is dropped, not neutralised in the page
    assert f"<title>{'&lt;script&gt;'}" in text

    o = open_page(browser, out)
    page = o.page
    try:
        assert page.title() == title
        # open every node's panel and tooltip, every edge's panel, and search for the payloads
        iris = page.evaluate("repnet.data.nodes.map(n => n.id)")
        assert set(iris) == set(G)
        page.evaluate("repnet.network.fit()")
        for iri in iris:
            page.mouse.move(*node_point(page, iri))
            page.evaluate("iri => repnet.select(iri)", iri)
        for k in range(len(page.evaluate("repnet.data.edges"))):
            page.evaluate("k => repnet.showEdge(k)", k)
            assert page.eval_on_selector_all("#panel a", "as => as.length") == 0
        for q in ("<img", "lojka", "script", "javascript", "'-alert"):
            page.fill("#search", q)
            page.press("#search", "Enter")
        page.evaluate(f"repnet.select('{victim}')")
        page.wait_for_timeout(500)  # the focus animation
        panel = page.inner_text("#panel")
        assert "<img src=x onerror=alert(1)>" in panel  # shown as text
        assert "</script><script>alert(2)</script>" in panel and "<iframe src=javascript:alert(7)></iframe>" in panel
        assert "Hostile report" in panel and "Evil & Co" in panel
        assert page.eval_on_selector_all("#panel a, #source-list a", "as => as.length") == 0  # no link to javascript:
        page.evaluate("repnet.network.fit()")
        page.mouse.move(1, 1)
        page.mouse.move(*node_point(page, victim))
        page.wait_for_selector("#tooltip:not([hidden])")
        assert "<img src=x onerror=alert(1)>" in page.inner_text("#tooltip")

        # the flow and the chart draw the hostile names as SVG text
        page.evaluate("repnet.showView('flow')")
        page.evaluate("repnet.showView('chart')")
        page.evaluate("repnet.showView('network')")

        # nothing ran, nothing was injected: no handler attributes, no new elements
        assert page.evaluate("window.__alerts") == []
        assert page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(e =>
            [...e.attributes].filter(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))
            .map(a => e.tagName + ' ' + a.name))""") == []
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed, b, a').length") == 0
        assert page.evaluate("""() => [...document.querySelectorAll('svg, svg *')].filter(e => !e.closest('#flow-box, #chart-box')
            || !['svg', 'g', 'rect', 'path', 'text', 'title', 'line'].includes(e.tagName)).length""") == 0
        assert page.evaluate("document.querySelectorAll('script').length") == 6
        assert_clean(o)
    finally:
        close(o)


VIZ_MODULES = ("chart", "data", "explorer", "facts", "flow", "groups", "layout", "overview", "page", "picture", "rank", "style", "view")


@pytest.mark.parametrize("name", VIZ_MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"repnet.graph.viz.{name}")
    assert doctest.testmod(module).failed == 0


def test_viz_modules_have_docstrings_and_import_no_private_names() -> None:
    package = Path(viz.__file__).parent
    assert sorted(p.stem for p in package.glob("*.py")) == sorted(["__init__", *VIZ_MODULES])
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), path.name
        private = [(node.module, a.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   for a in node.names if a.name.startswith("_") and a.name != "__future__" and node.module != "__future__"]
        assert private == [], path.name
    init = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    assert [type(n).__name__ for n in init.body] == ["Expr"]  # a docstring, no imports


def test_viz_modules_import_each_other_without_cycles() -> None:
    package = Path(viz.__file__).parent
    uses: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        uses[path.stem] = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module}
    G = nx.DiGraph((a, b) for a, bs in uses.items() for b in bs)
    assert nx.is_directed_acyclic_graph(G), list(nx.simple_cycles(G))
    assert not any("explorer" in bs for bs in uses.values())  # the entry point is imported by nobody inside


def test_escaping_helpers() -> None:
    text = viz.json_for_script({"a": "</script><!-- \u2028 \u2029 & <b>"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 \u2029 & <b>"}
    assert viz.safe_url("https://www.hrw.org/x?a=1") == "https://www.hrw.org/x?a=1"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", " https://x", "data:text/html,x", "https://x/\"><b>",
                "https://x/'onmouseover='x", "vbscript:x", "//example.org", "https://x/\nb", None, 7):
        assert viz.safe_url(bad) is None, bad


# ------------------------------------------------------------------------ views and facts
def test_focus_and_path_views(store: EmbeddedStore, whole: nx.MultiDiGraph) -> None:
    v = viz.build_view(store, focus="marfa rabkova", radius=2)
    U = nx.Graph(whole.to_undirected())
    rabkova = ID + "person/marfa-rabkova"
    assert set(v.graph) == set(nx.ego_graph(U, rabkova, radius=2))
    assert v.focus == [rabkova] and v.options[0] == '--focus "Marfa Rabkova" --radius 2'

    p = viz.build_view(store, path=("Nasta Lojka", "United States"))
    us = ID + "place/united-states"
    paths = list(nx.all_shortest_paths(U, LOIKA, us))
    assert set(p.graph) == {n for q in paths for n in q}
    assert p.title == "From Nasta Loika to United States" and p.focus == [LOIKA, us] and nx.shortest_path_length(nx.Graph(p.graph.to_undirected()), LOIKA, us) == len(paths[0]) - 1
    assert p.description[0].endswith("between Nasta Loika and United States")

    v2 = viz.build_view(store, classes=["Person", "Court"], as_of="2025-12-01")
    assert set(nx.get_node_attributes(v2.graph, "class").values()) <= {"Person", "Court"}
    with pytest.raises(UnknownName, match="Did you mean: Nasta Loika"):
        viz.build_view(store, focus="Nasta Loikova")
    with pytest.raises(viz.UsageError):
        viz.build_view(store, focus="Nasta Loika", path=("a", "b"))


def test_status_sources_and_facts(store: EmbeddedStore) -> None:
    persons = [ID + f"person/{p}" for p in ("nasta-loika", "ales-bialiatski", "mikalai-statkevich", "marfa-rabkova")]
    st = viz.person_status(store, persons)
    latest = {p.rsplit("/", 1)[-1]: viz.status_on(st[p], None)["s"] for p in persons}
    assert latest == {"nasta-loika": "held", "ales-bialiatski": "released", "mikalai-statkevich": "held",
                      "marfa-rabkova": "held"}
    assert viz.status_on(st[ID + "person/ales-bialiatski"], "2025-12-12") is None
    assert viz.status_on(st[ID + "person/marfa-rabkova"], "2021-01-01")["why"] == "held from 2020-09-17; last known 2025-12-15"
    # Statkevich: released in September 2025 (the month as stated), held again after his return
    assert [(f["d"], f["s"], f["why"]) for f in st[ID + "person/mikalai-statkevich"]] == [
        ("2025-09", "released", "released from 2025-09 until after 2025-09"),
        ("2025-09", "held", "held from after 2025-09; last known after 2025-09")]
    meta = viz.sources_meta(store)["hrw-2025-12-15-belarus"]
    assert meta == {"id": "hrw-2025-12-15-belarus", "title": HRW_TITLE, "publisher": "Human Rights Watch",
                    "date": "2025-12-15", "url": HRW_URL}
    facts = viz.entity_facts(store, [ID + "org/viasna"])[ID + "org/viasna"]
    assert {"k": "description", "v": "Belarusian rights group", "src": ["hrw-2025-12-15-belarus"]} in facts
    assert "Nasta Lojka" in viz.name_variants(store, [LOIKA])[LOIKA]


def test_reduced_view_says_what_was_left_out(store: EmbeddedStore) -> None:
    v = viz.build_view(store)
    page = viz.render_page(store, v, max_nodes=8, size_by="pagerank", group_by=None)
    data = json.loads(re.search(r'id="repnet-data">(.*?)</script>', page.html, re.S).group(1))
    assert page.reduced and data["reduced"] and page.view_nodes == 30
    note = data["notes"][0]
    assert note.startswith(f"This page shows {page.nodes} of the view's 30 entities: those with the highest PageRank")
    assert "--focus NAME --radius 2" in note and "--max-nodes N" in note
    scores, _ = viz.node_scores(v.graph, "pagerank")
    top = sorted(scores, key=lambda n: (-scores[n], n))[:8]
    # of the top 8, the one whose relations all lead outside the page is left out, and said so
    alone = [n for n in top if not any(w in top and w != n for w in nx.all_neighbors(v.graph, n))]
    assert len(alone) == 1 and page.nodes == 7 and data["counts"]["cutAlone"] == 1
    assert set(top) - set(alone) == {n["id"] for n in data["nodes"]}
    assert "among them 1 of the top entities whose relations all lead outside the page" in note
    # a budget of relations reduces the view too, to the top entities that stay within it
    capped = viz.render_page(store, v, max_edges=12, group_by=None)
    assert capped.reduced and 0 < capped.edges <= 12 and capped.nodes < 30
    assert "--max-edges M (now 12)" in capped.notes[0]


def synthetic_view(n_persons: int, seed: int = 3) -> viz.View:
    """A projection-shaped random graph: persons linked to courts, facilities and a few co-defendants."""
    import random

    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    courts = [f"urn:x:court/{i}" for i in range(12)]
    colonies = [f"urn:x:facility/{i}" for i in range(8)]
    for c in courts:
        G.add_node(c, label=f"Court {c[-2:]}", **{"class": "Court"})
    for f in colonies:
        G.add_node(f, label=f"Colony {f[-2:]}", **{"class": "Facility"})
    for i in range(n_persons):
        p = f"urn:x:person/{i}"
        G.add_node(p, label=f"Person {i}", **{"class": "Person"})
        G.add_edge(p, rng.choice(courts), relation="sentenced_by", source="s", since="2023-01-01")
        G.add_edge(p, rng.choice(colonies), relation="held_at", source="s")
        if i and rng.random() < 0.2:
            G.add_edge(p, f"urn:x:person/{rng.randrange(i)}", relation="co_defendant", source="s")
    return viz.View(G, "Synthetic")


def test_large_view_precomputed_layout_in_chromium(browser: Any, tmp_path: Path) -> None:
    v = synthetic_view(900)
    pos = viz.layout(v.graph)
    assert set(pos) == set(v.graph) and len(set(pos.values())) == len(pos)
    out = tmp_path / "large.html"
    page = viz.write_page(memory_store(), v, out, max_nodes=600, group_by=None)
    assert page.reduced and not page.physics and page.nodes == 600
    o = open_page(browser, out)
    try:
        counts = drawn(o.page)
        assert (counts["nodes"], counts["edges"]) == (page.nodes, page.edges)
        assert o.page.is_checked("#physics") is False
        notes = o.page.inner_text("#notes")
        assert f"This page shows {page.nodes} of the view's {v.graph.number_of_nodes()} entities" in notes
        assert "physics is off above 500 nodes" in notes
        assert o.page.evaluate("repnet.network.physics.options.enabled") is False
        # an honest reduction: every drawn entity is drawn with at least one of its relations
        assert o.page.evaluate("""() => repnet.nodeView.getIds().filter(i =>
            repnet.edgeView.get({filter: e => e.from === i || e.to === i}).length === 0).length""") == 0
        assert_clean(o)
    finally:
        close(o)


# ------------------------------------------------------------------------ the command line
@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The projection cache, under tmp_path (never the user's own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "repnet" / "networks"


def test_viz_command(runner: Any, root_of: Path, tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "rabkova.html"
    r = runner.invoke(cli, ["--store", str(root_of), "viz", "--focus", "Marfa Rabkova", "--radius", "2", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Wrote {out}: 11 entities, 11 relations")
    assert '"focus":[' in out.read_text(encoding="utf-8")
    r = runner.invoke(cli, ["--store", str(root_of), "viz", "--path", "Nasta Loika", "United States",
                            "--class", "Person", "-o", str(tmp_path / "p.html")])
    assert r.exit_code == 1 and "has no relation in this view" in r.output
    r = runner.invoke(cli, ["--store", str(root_of), "viz", "--class", "Person", "--class", "Court",
                            "--as-of", "2025-12-01", "--size-by", "betweenness", "-o", str(tmp_path / "dec.html")])
    assert r.exit_code == 0, r.output
    for name in ("overview.png", "overview.svg"):
        r = runner.invoke(cli, ["--store", str(root_of), "viz", "--overview", "-o", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
    assert (tmp_path / "overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "overview.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "<script" not in svg and "<text" not in svg  # text drawn as paths
    for args, message in ((["-o", "x.png"], "--overview"), (["--overview", "-o", "x.gif"], ".png or .svg"),
                          (["--focus", "Nasta Loika", "--path", "a", "b"], "not both"),
                          (["--class", "Judges"], "unknown class 'Judges'"), (["--as-of", "2025-13-01"], "YYYY-MM-DD")):
        r = runner.invoke(cli, ["--store", str(root_of), "viz", *args])
        assert r.exit_code == 2 and message in r.output, (args, r.output)
    r = runner.invoke(cli, ["viz", "--help"])
    assert r.exit_code == 0 and "Example:" in r.output and "--size-by" in r.output


def test_viz_reads_the_projection_analyze_cached(runner: Any, root_of: Path, tmp_path: Path, cache: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import repnet.graph.network.project as projection

    real = projection.project

    def refuse(*args: Any, **kw: Any) -> Any:
        raise AssertionError("projected the store again instead of reading the cache")

    monkeypatch.setattr(projection, "project", refuse)
    r = runner.invoke(cli, ["--store", str(root_of), "viz", "-o", str(tmp_path / "before.html")])
    assert isinstance(r.exception, AssertionError) and not (tmp_path / "before.html").exists()  # nothing cached yet

    monkeypatch.setattr(projection, "project", real)
    r = runner.invoke(cli, ["--store", str(root_of), "analyze", "centrality"])
    assert r.exit_code == 0, r.output
    assert len(list(cache.glob("*.pickle"))) == 1

    monkeypatch.setattr(projection, "project", refuse)
    for args in (["-o", str(tmp_path / "all.html")], ["--focus", "Marfa Rabkova", "--radius", "2", "-o", str(tmp_path / "r.html")],
                 ["--overview", "-o", str(tmp_path / "all.png")]):
        r = runner.invoke(cli, ["--store", str(root_of), "viz", *args])
        assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Wrote {tmp_path / 'all.png'}: 30 entities, 35 relations")
    assert len(list(cache.glob("*.pickle"))) == 1


def test_viz_into_a_missing_directory_is_a_usage_error(runner: Any, root_of: Path, tmp_path: Path, cache: Path) -> None:
    for args, name in ((["-o"], "x.html"), (["--overview", "-o"], "x.png"), (["--overview", "-o"], "x.svg")):
        target = tmp_path / "missing" / name
        r = runner.invoke(cli, ["--store", str(root_of), "viz", *args, str(target)])
        assert r.exit_code == 2, r.output
        assert r.output == (f"Error: cannot write {target}: No such file or directory. Choose a path in an existing "
                            "directory you can write to (the file is written whole or not at all).\n")
        assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)
        assert not (tmp_path / "missing").exists()


def test_a_failed_page_or_picture_leaves_the_previous_file_and_no_partial_one(
        store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from repnet.graph.viz import overview, page

    v = viz.build_view(store, focus="Nasta Loika")
    html, png = tmp_path / "x.html", tmp_path / "x.png"
    html.write_text("previous page", encoding="utf-8")
    png.write_bytes(b"previous picture")

    def fail(*args: Any, **kw: Any) -> Any:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(page, "render_page", fail)
    monkeypatch.setattr(overview, "draw", fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        page.write_page(store, v, html)
    with pytest.raises(RuntimeError, match="interrupted"):
        overview.write_overview(store, v, png)
    assert html.read_text(encoding="utf-8") == "previous page" and png.read_bytes() == b"previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html", "x.png"]
    monkeypatch.undo()
    assert viz.write_page(store, v, html).nodes == 5 and html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert viz.write_overview(store, v, png).nodes == 5 and png.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html", "x.png"]


# ------------------------------------------------------------------------ the README's pictures
def test_make_screenshots_writes_the_readme_pictures(tmp_path: Path, chromium: str) -> None:
    import os
    import subprocess
    import sys

    from PIL import Image

    script = Path(viz.__file__).parent / "screenshots" / "make.py"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, env=env,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    names = ["explorer.png", "overview.png", "overview-groups.png", "drill-down.png", "flow.png", "held.png"]
    wrote = [line.split(" (")[0] for line in r.stdout.splitlines() if line.startswith(f"Wrote {tmp_path}/")]
    assert wrote == [f"Wrote {tmp_path / name}" for name in names]
    sizes = {}
    for name in names:
        with Image.open(tmp_path / name) as im:
            sizes[name] = (im.size, im.mode)
        assert (tmp_path / name).stat().st_size < 250_000, name
    assert sizes == {"explorer.png": ((1000, 650), "P"), "overview.png": ((1000, 714), "P"),
                     **{name: ((1000, 614), "P") for name in names[2:]}}
    # the stores, the pages and the projection cache stayed in the script's own temporary directory
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_the_explorers_status_on_a_day_is_the_stored_periods_status(store: EmbeddedStore) -> None:
    """The rings come from the status periods stored at build: on every week from 2020 to mid-2026 the
    page's rule (latest period begun, facts.status_on) gives what graph/ask/status.py's status_at does."""
    import datetime as dt

    from repnet.graph.ask.status import HELD, status_at, stored_periods
    from repnet.graph.viz.facts import status_fact

    periods = stored_periods(store)
    days = [(dt.date(2020, 1, 1) + dt.timedelta(weeks=w)).isoformat() for w in range(335)]
    differ = []
    for person, ps in periods.items():
        facts = [status_fact(p) for p in ps]
        assert facts == viz.person_status(store, [person])[person]
        for day in days:
            stored = status_at(ps, day)
            drawn = viz.status_on(facts, day)
            if (None if stored is None else "held" if stored[0] == HELD else "released") != (drawn and drawn["s"]):
                differ.append((person, day))
    assert len(periods) == 10 and differ == []


# ------------------------------------------------------------------------ the overview (groups)
def test_overview_draws_groups_and_opens_one_in_place(browser: Any, tmp_path: Path) -> None:
    v = synthetic_view(900)
    out = tmp_path / "groups.html"
    page = viz.write_page(memory_store(), v, out, max_nodes=300)
    data = json.loads(re.search(r'id="repnet-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S).group(1))
    groups = data["groups"]
    assert page.reduced and data["groupBy"] == "community" and 1 < len(groups) <= 300
    assert sum(g["n"] for g in groups) == v.graph.number_of_nodes()  # every entity is in one group
    assert "too many to draw one by one: the page draws them as" in page.notes[0]
    o = open_page(browser, out)
    try:
        ids = o.page.evaluate("repnet.nodeView.getIds()")
        assert sorted(ids) == sorted(f"g{j}" for j in range(len(groups)))
        # a click on the largest group opens its members in place; the panel says what the group is
        x, y = o.page.evaluate("""() => { const p = repnet.groupPoint(0), r = document.getElementById('network').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }""")
        o.page.mouse.click(x, y)
        assert o.page.evaluate("repnet.openGroups()") == [0]
        members = {n["id"] for n in data["nodes"] if n["g"] == 0}
        drawn_ids = o.page.evaluate("repnet.nodeView.getIds()")
        assert {i for i in drawn_ids if isinstance(i, str)} == {f"g{j}" for j in range(1, len(groups))}
        assert {data["nodes"][i]["id"] for i in drawn_ids if isinstance(i, int)} == members
        assert len(members) == groups[0]["shown"] > 0
        assert o.page.inner_text("#panel h2") == groups[0]["l"]
        assert f"most central of {groups[0]['n']:,} members" in o.page.inner_text("#panel")
        # every drawn member has a drawn relation (to a member, or to a closed group)
        assert o.page.evaluate("""() => repnet.nodeView.getIds().filter(i => typeof i === 'number' &&
            repnet.edgeView.get({filter: e => e.from === i || e.to === i}).length === 0).length""") == 0
        # a member opens its sourced panel; closing the group draws it as one node again
        first = next(i for i in drawn_ids if isinstance(i, int))
        o.page.evaluate(f"repnet.select({json.dumps(data['nodes'][first]['id'])})")
        assert o.page.inner_text("#panel h2") == data["nodes"][first]["l"]
        o.page.click("#groups-open button[data-group='0']")
        assert sorted(o.page.evaluate("repnet.nodeView.getIds()")) == sorted(f"g{j}" for j in range(len(groups)))
        assert_clean(o)
    finally:
        close(o)


# ------------------------------------------------------------------------ the flow and the chart
@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    from repnet.graph.ingest.build import in_memory
    from repnet.graph.ingest.dataset import load_dataset
    from repnet.graph.ingest.synth import write_synthetic

    out = tmp_path_factory.mktemp("synth-views")
    write_synthetic(out, persons=250, seed=5, per_file=250, progress=None)
    return in_memory(load_dataset([out]))


@pytest.mark.parametrize("which", ["belarus", "synthetic"])
def test_page_flow_and_chart_show_the_counted_numbers(which: str, browser: Any, store: EmbeddedStore,
                                                      synthetic_store: EmbeddedStore, tmp_path: Path) -> None:
    from repnet.graph.viz.chart import monthly
    from repnet.graph.viz.flow import MORE, flow_of, person_paths

    s = store if which == "belarus" else synthetic_store
    out = tmp_path / "views.html"
    viz.write_page(s, viz.build_view(s), out)
    G = project(s)
    P = person_paths(s, G)
    whole = flow_of(P)
    court = next(k for k in whole["nodes"]["court"] if k.startswith("http"))
    o = open_page(browser, out)
    try:
        # the page counts as flow.py counts, with and without the date range and the entity filter
        for since, until, through in ((None, None, None), ("2020-08-09", "2021-12-31", None), ("2021-01-01", None, None),
                                      (None, None, court)):
            expected = flow_of(P, since=since, until=until, through=through)
            got = o.page.evaluate("a => repnet.flow(a[0], a[1], a[2])", [since, until, through])
            assert got == {"persons": expected["persons"], "nodes": expected["nodes"]}, (since, until, through)
            assert expected["persons"] > 0
        # and draws them: one bar per node with its count, the range set in the page's own date fields
        o.page.click("button[data-view=flow]")
        o.page.fill("#flow-from", "2020-08-09")
        o.page.fill("#flow-to", "2021-12-31")
        expected = flow_of(P, since="2020-08-09", until="2021-12-31")
        n = expected["persons"]
        assert o.page.inner_text("#flow-summary").startswith(f"{n:,} person{'s' if n != 1 else ''}, arrested or detained "
                                                             "2020-08-09 to 2021-12-31")
        bars = o.page.evaluate("""() => [...document.querySelectorAll('#flow-box g.fnode')].map(g =>
            [g.dataset.stage, g.dataset.key, Number(g.dataset.n)])""")
        assert sorted(map(tuple, bars)) == sorted((st, k, v) for st, ns in expected["nodes"].items() for k, v in ns.items())
        # a click on a court keeps the persons who pass through it
        o.page.click("#flow-clear")
        o.page.click(f"#flow-box g.fnode[data-key='{court}'] rect")
        through = flow_of(P, through=court)
        assert o.page.inner_text("#flow-summary").startswith(f"{through['persons']:,} person")
        assert MORE not in through["nodes"]["court"] or through["nodes"]["court"][court] > 0
        # the chart's bars are the monthly numbers (which equal detained-on at each month's end)
        o.page.click("button[data-view=chart]")
        C = monthly(s, G)
        held = o.page.evaluate("""() => [...document.querySelectorAll('#chart-box rect.held')].map(r =>
            [r.dataset.month, r.dataset.kind, Number(r.dataset.n)])""")
        assert sorted(map(tuple, held)) == sorted((m, k, C["held"][k][i]) for k in C["held"]
                                                  for i, m in enumerate(C["months"]) if C["held"][k][i])
        released = o.page.evaluate("""() => [...document.querySelectorAll('#chart-box rect.released')].map(r =>
            [r.dataset.month, Number(r.dataset.n)])""")
        assert sorted(map(tuple, released)) == sorted((m, C["released"][i]) for i, m in enumerate(C["months"]) if C["released"][i])
        assert "Last known: the day is after the person's last observation" in o.page.inner_text("#chart-note")
        # the chart as a file for a report, from the page itself
        for fmt, head in (("svg", b"<svg"), ("png", b"\x89PNG\r\n\x1a\n")):
            with o.page.expect_download() as got:
                o.page.click(f"button[data-save=chart][data-fmt={fmt}]")
            saved = tmp_path / got.value.suggested_filename
            got.value.save_as(saved)
            assert saved.name == f"repnet-held-over-time.{fmt}" and saved.read_bytes().startswith(head)
        assert_clean(o)
    finally:
        close(o)
