"""The explorer's entry point: interactive network pages (one offline HTML file) and still pictures.

``build_view`` (:mod:`.view`) chooses what to draw; ``write_page`` (:mod:`.page`) writes the page;
``write_overview`` (:mod:`.overview`) writes the still picture. This module only gathers them (and
the names around them) in one place for the command line, tests and notebooks; the work is done in
the modules of :mod:`repnet.graph.viz`.

A page is **one HTML file** that opens from disk with no server and no network: the vis-network
library shipped inside the ``pyvis`` package (``pyvis/templates/lib/vis-9.*/vis-network.min.js``),
the page's own script and style (``graph/viz/assets/``) and the data are all inline. A
Content-Security-Policy in the page allows only those inline scripts (by their SHA-256 hashes) and
no connection at all, so nothing is fetched and nothing injected could run.

What a page shows (see :func:`~repnet.graph.viz.view.build_view` for the views and :func:`~repnet.graph.viz.page.render_page` for the page):

* nodes coloured and shaped by class (legend with class filters), sized by a centrality
  (``degree``, ``pagerank`` or ``betweenness``, computed on the whole view);
* edges labelled and coloured by relation (legend with relation filters);
* persons ringed by their status: a solid red ring when their status period (computed at build,
  :mod:`repnet.graph.ask.status`) says *held*, a dashed green ring when it says *released* or in
  exile; see :func:`~repnet.graph.viz.facts.person_status`;
* a tooltip and a side panel with an entity's key facts and, for each, its source (title,
  publisher, date, link: only http(s) links are kept);
* a search box that finds a node by any of its names (preferred label and every name variant,
  without case or diacritics: "Loika", "Lojka" and "LOJKA" find the same person), a physics toggle
  and, where the data has dates, a time control that shows the network and the statuses as of a day.

**Large views.** Up to :data:`PHYSICS_LIMIT` (500) drawn nodes the browser lays the network out
with live physics, starting from a networkx spring layout. Above that, the layout is computed
beforehand (:func:`~repnet.graph.viz.layout.layout`) and physics is off (the toggle can still switch it on). A view with more
than ``max_nodes`` entities (default :data:`MAX_NODES`, 5,000) or ``max_edges`` relations (default
:data:`MAX_EDGES`, 30,000) is reduced to the entities with the highest centrality (plus the focus or
path entities) that stay within both limits, and the relations among them; the page says what was
left out and which options show it. With these limits a page is interactive in about 4 s in
headless Chromium on a 2-core machine (``python -m tests.benchmarks.viz``).

**Safety.** Every text from the data (labels, names, descriptions, source titles, publishers, IRIs,
URLs) reaches the page only as JSON inside ``<script type="application/json">`` (with ``<``, ``>``,
``&``, U+2028 and U+2029 escaped) and is put into the DOM with ``textContent``; the canvas draws
labels as text. No ``title`` is given to vis-network (its HTML tooltips are never used). Links are
set only for http(s) URLs, checked in Python and again in the page.

Restricted facts never reach a page unless the store was opened with restricted graphs visible
(``repnet --include-restricted viz``), and then the page says so in its header.
"""

from __future__ import annotations

from ..errors import UsageError
from ..network.project import RELATIONS
from .data import page_data
from .facts import entity_facts, holds_as_stated, name_variants, person_status, safe_url, sources_meta, stated_key, status_on
from .layout import PHYSICS_LIMIT, layout
from .overview import write_overview
from .page import Page, json_for_script, render_page, vis_network_js, write_page
from .rank import MAX_EDGES, MAX_NODES, OVERVIEW_MAX_NODES, SIZE_MEASURES, node_scores, reduce_view
from .style import CLASS_STYLE, RELATION_COLOR, STATUS_STYLE, UNDIRECTED_RELATIONS
from .view import MAX_PATHS, View, build_view

__all__ = [
    "CLASS_STYLE", "MAX_EDGES", "MAX_NODES", "MAX_PATHS", "OVERVIEW_MAX_NODES", "PHYSICS_LIMIT", "RELATIONS",
    "RELATION_COLOR", "SIZE_MEASURES", "STATUS_STYLE", "UNDIRECTED_RELATIONS", "Page", "UsageError", "View",
    "build_view", "entity_facts", "holds_as_stated", "json_for_script", "layout", "name_variants", "node_scores",
    "page_data", "person_status", "reduce_view", "render_page", "safe_url", "sources_meta", "stated_key",
    "status_on", "vis_network_js", "write_overview", "write_page",
]
