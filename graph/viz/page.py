"""The explorer page: one self-contained HTML file assembled from ``assets/`` and the page data.

:func:`render_page` fills ``assets/viz.html`` with the style (``viz.css``), the page data
(:func:`repnet.graph.viz.data.page_data`, as JSON that cannot end its script element:
:func:`json_for_script`), vis-network as shipped inside pyvis (:func:`vis_network_js`) and the page's
script (``viz.js``), and locks it down with a Content-Security-Policy that allows exactly those two
scripts by hash. :func:`write_page` writes it whole or not at all (:mod:`repnet.graph.files`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import time
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import UsageError
from ..files import atomic_output
from ..store.base import Store
from .data import page_data
from .rank import MAX_EDGES, MAX_NODES
from .view import View

ASSETS = "assets"
"""The folder of the page's template, style and script, inside this package."""


@dataclass
class Page:
    """A rendered page (or picture: ``html`` empty) and what it shows."""

    html: str
    nodes: int  # drawn
    edges: int
    view_nodes: int
    view_edges: int
    reduced: bool
    physics: bool
    seconds: float = 0.0
    groups: int = 0  # drawn groups (an overview page), else 0
    notes: list[str] = field(default_factory=list)


def json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>', '&' or line separators as such.

    >>> json_for_script({"a": "</script> & \\u2028"})
    '{"a":"\\\\u003c/script\\\\u003e \\\\u0026 \\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def vis_network_js() -> str:
    """vis-network's minified script, as shipped inside the pyvis package (never from a CDN)."""
    lib = files("pyvis").joinpath("templates").joinpath("lib")
    candidates = sorted((p for p in lib.iterdir() if p.name.startswith("vis-")),
                        key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)])
    for d in reversed(candidates):
        js = d.joinpath("vis-network.min.js")
        if js.is_file():
            return str(js.read_text(encoding="utf-8"))
    raise UsageError("pyvis's vis-network.min.js is missing; reinstall pyvis (pip install --force-reinstall pyvis)")


def asset(name: str) -> str:
    """The text of one of the page's assets (``viz.html``, ``viz.css``, ``viz.js``)."""
    return files("repnet.graph.viz").joinpath(ASSETS).joinpath(name).read_text(encoding="utf-8")


def views_html(button: str) -> str:
    """The markup of the flow and held-over-time views (``views.html``), shared by the offline page
    and the live explorer; ``button`` is the page's class for a small button."""
    text = asset("views.html")
    return text[text.index("-->") + 4:].replace("{{BUTTON}}", button)


def inline_script(js: str) -> str:
    """A script's text made safe to inline: a script element ends at the first "</script", and
    "<!--" may switch the HTML parser's script states.

    >>> inline_script("a = '</script><!--'")
    "a = '<\\\\/script><\\\\!--'"
    """
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source expression that allows an inline script by its SHA-256."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def views_data(store: Store, v: View, network: nx.MultiDiGraph | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page's chart and flow data (:func:`repnet.graph.viz.chart.monthly` and
    :func:`repnet.graph.viz.flow.flow_records`): of every person when the view is the whole network
    (no option cut it), else of the view's persons, followed through ``network`` (the whole
    projection, when given: a person's court may lie outside a focus view)."""
    from ..ask.status import stored_periods
    from .chart import LIMITS, monthly
    from .flow import flow_records, person_paths, store_views

    persons = None if not v.options else set(v.graph)
    if persons is None:
        P, chart = store_views(store, network if network is not None else v.graph, v.restricted)
        return chart, flow_records(P)
    periods = stored_periods(store, sorted(persons))
    chart = {**monthly(store, network if network is not None else v.graph, persons, periods), "limits": LIMITS}
    flow = flow_records(person_paths(store, network if network is not None else v.graph, persons, periods))
    return chart, flow


def render_page(store: Store, v: View, *, size_by: str = "degree", max_nodes: int = MAX_NODES,
                max_edges: int = MAX_EDGES, title: str | None = None, group_by: str | None = "auto",
                network: nx.MultiDiGraph | None = None) -> Page:
    """The page for a view: one self-contained HTML document (see :mod:`repnet.graph.viz.explorer`).

    >>> from repnet.graph.ingest.dataset import load_dataset
    >>> from repnet.graph.ingest.build import in_memory
    >>> from repnet.graph.viz.view import build_view
    >>> store = in_memory(load_dataset(None))
    >>> page = render_page(store, build_view(store, focus="Nasta Lojka", radius=1))
    >>> (page.nodes, page.edges, "https://cdn" in page.html, "<script src" in page.html)
    (5, 4, False, False)
    """
    t0 = time.perf_counter()
    if max_nodes < 1 or max_edges < 0:
        raise UsageError("max_nodes must be 1 or more and max_edges 0 or more", argument="max_nodes,max_edges")
    data, _ = page_data(store, v, size_by=size_by, max_nodes=max_nodes, max_edges=max_edges, title=title,
                        group_by=group_by)
    chart, flow = views_data(store, v, network)
    vis_js = inline_script(vis_network_js())
    app_js = inline_script(asset("viz.js"))
    views_js = inline_script(asset("views.js"))
    css = asset("viz.css").replace("</", "<\\/")
    csp = ("default-src 'none'; script-src " + csp_hash(vis_js) + " " + csp_hash(views_js) + " " + csp_hash(app_js) +
           "; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'")
    parts = {"TITLE": html.escape(str(data["title"]), quote=True), "CSP": html.escape(csp, quote=False), "CSS": css,
             "DATA": json_for_script(data), "CHART": json_for_script(chart), "FLOW": json_for_script(flow),
             "VIS": vis_js, "VIEWS": views_js, "APP": app_js, "VIEWS_HTML": views_html("jump")}
    page = re.sub(r"\{\{(TITLE|CSP|CSS|DATA|CHART|FLOW|VIS|VIEWS_HTML|VIEWS|APP)\}\}", lambda m: parts[m.group(1)],
                  asset("viz.html"))
    c = data["counts"]
    return Page(html=page, nodes=c["nodes"], edges=c["edges"], view_nodes=c["viewNodes"],
                view_edges=c["viewEdges"], reduced=bool(data["reduced"]), physics=bool(data["physics"]),
                seconds=time.perf_counter() - t0, notes=list(data["notes"]), groups=len(data.get("groups", [])))


def write_page(store: Store, v: View, out: str | Path, **kw: Any) -> Page:
    """Render the page for a view and write it to ``out`` (UTF-8), whole or not at all.

    The file is opened first (:func:`repnet.graph.files.atomic_output`), so a path that cannot be
    written is a :class:`~repnet.graph.errors.UsageError` naming it before any work is done; an
    existing file stays as it was until the new page is complete.
    """
    with atomic_output(out) as f:
        page = render_page(store, v, **kw)
        f.write(page.html)
    return page
