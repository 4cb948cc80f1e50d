/* repnet viz: the page's own script. It reads the JSON data embedded in the page, draws it with
   vis-network (inlined from the pyvis package) and wires search, filters, physics, the time control,
   the tooltip and the details panel.

   Safety: every text from the data is put into the DOM with textContent or as text nodes; no
   innerHTML, no HTML titles for vis-network; links are set only for http(s) URLs. */
(function () {
  "use strict";

  // Data (see graph/viz.py page_data): nodes and edges are lists; an edge's a/b, the focus and the
  // path are node indices; facts cite sources by index. vis-network ids are these indices.
  var timings = { start: performance.now() };
  var D = JSON.parse(document.getElementById("repnet-data").textContent);
  timings.parsed = performance.now();
  var N = D.nodes;
  var indexOf = new Map();            // IRI -> node index
  var edgesOf = N.map(function () { return []; });
  N.forEach(function (n, i) { n.i = i; indexOf.set(n.id, i); });
  D.edges.forEach(function (e, k) { e.k = k; edgesOf[e.a].push(e); if (e.b !== e.a) edgesOf[e.b].push(e); });
  var focusSet = new Set(D.focus || []);
  var pathSet = new Set(D.path || []);
  var classOn = new Set(Object.keys(D.classes));
  var relOn = new Set(Object.keys(D.relations));
  var sancOn = "all";  // the sanctions filter: all, yes (hide officials no authority lists), no (hide listed ones)
  function nodeOn(n) {
    if (!classOn.has(n.c)) return false;
    return sancOn === "all" || n.sanc === undefined || (sancOn === "yes") === (n.sanc === 1);
  }
  var day = null;                     // the time control's day, or null
  var visibleNodes = new Set();
  var visibleEdges = new Set();
  var big = !D.physics;
  // the overview (D.groups): groups drawn in place of their members until opened (see "groups" below)
  var GR = D.groups || null;
  var openG = new Set();              // indices of the opened groups
  var groupShown = new Set();         // vis ids of the drawn group nodes ("g3") and group links ("L5", "x12:3")

  var INVERSE = {
    member_of: "has member", sentenced_by: "sentenced", sentenced_in: "place where it sentenced",
    prosecuted_by: "prosecuted", held_at: "holds", charged_under: "charged under it",
    defined_by: "defines", co_defendant: "co-defendant", released_in: "released in it",
    released_by: "released", negotiated_by: "negotiated", government_of: "has as government"
  };

  // ------------------------------------------------------------------ small DOM helpers (text only)
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function $(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function safeUrl(u) {
    if (typeof u !== "string" || !/^https?:\/\//i.test(u)) return null;
    try {
      var x = new URL(u);
      return (x.protocol === "http:" || x.protocol === "https:") ? x.href : null;
    } catch (err) { return null; }
  }
  // names are folded as repnet.graph.names folds them: its character table and rules come with the data
  var FOLD = D.fold || { chars: {}, rules: [] };
  var RULES = FOLD.rules.map(function (r) { return [new RegExp(r[0], "g"), r[1]]; });
  var GIVEN = FOLD.given || {};
  function fold(s) {
    var out = "";
    for (var ch of String(s)) {
      var m = FOLD.chars[ch];
      out += m !== undefined ? m : ch.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    }
    return out.split(/\s+/).filter(Boolean).join(" ");
  }
  function skeleton(s) {
    return fold(s).split(" ").map(function (w) {
      RULES.forEach(function (r) { w = w.replace(r[0], r[1]); });
      w = w.replace(/(.)\1+/g, "$1");
      return GIVEN[w] !== undefined ? GIVEN[w] : w;  // Volha and Olga are one word (graph/given-names.yaml)
    }).filter(Boolean).join(" ");
  }
  function fmtYears(y) {
    var r = Math.round(y * 100) / 100;
    return (r === Math.floor(r) ? String(r) : r.toFixed(2).replace(/0$/, "")) + (r === 1 ? " year" : " years");
  }
  function swatch(shape, color) {
    var s = el("span", "sw " + shape);
    s.style.background = color;
    return s;
  }

  // ------------------------------------------------------------------ status of persons
  function statusOf(n) {
    if (!n.st) return null;
    var at = day !== null ? day : (D.asOf || null);
    var best = null;
    n.st.forEach(function (f) {
      if (f.d === null || f.d === undefined) {
        if (at === null && best === null) best = f;
        return;
      }
      if (at === null || f.d <= at) best = f;
    });
    return best;
  }

  // ------------------------------------------------------------------ vis items
  function darker(hex) {
    var v = parseInt(hex.slice(1), 16);
    var r = Math.max(0, ((v >> 16) & 255) - 60), g = Math.max(0, ((v >> 8) & 255) - 60), b = Math.max(0, (v & 255) - 60);
    return "#" + ((1 << 24) + (r << 16) + (g << 8) + b).toString(16).slice(1);
  }
  function nodeItem(n, withPosition) {
    var c = D.classes[n.c];
    var st = statusOf(n);
    var s = st ? st.s : null;
    var ring = s ? D.status[s] : darker(c.color);
    var focus = focusSet.has(n.i);
    var item = {
      id: n.i, label: n.l.length > 42 ? n.l.slice(0, 40) + "…" : n.l, shape: c.shape, size: n.s,
      color: { background: c.color, border: ring,
               highlight: { background: c.color, border: s ? ring : "#111111" }, hover: { background: c.color, border: ring } },
      borderWidth: s ? 4 : (focus ? 3 : 1), borderWidthSelected: s ? 6 : 3,
      shapeProperties: { borderDashes: s === "released" ? [5, 4] : false },
      font: focus ? { size: 20, strokeWidth: 5 } : (pathSet.has(n.i) ? { size: 17 } : {})
    };
    if (withPosition) { item.x = n.x; item.y = n.y; }
    return item;
  }
  function edgeItem(e) {
    var r = D.relations[e.r];
    var item = {
      id: e.k, from: e.a, to: e.b, color: r.color
    };
    // (per-edge fonts, arrows and curves cost seconds per thousand edges in vis-network: small views only)
    if (!big) {
      item.label = r.label;
      item.arrows = { to: { enabled: !!r.directed, scaleFactor: 0.55 } };
      item.font = { color: darker(r.color) };
    }
    if (e.par !== undefined && !big) {
      var i = e.par;
      item.smooth = { enabled: true, type: i % 2 ? "curvedCCW" : "curvedCW", roundness: 0.18 * (Math.floor(i / 2) + 1) };
    }
    return item;
  }

  // ------------------------------------------------------------------ filters
  // dates as their sources state them: "2022-09" begins with September and ends with it, so a day
  // is compared with a date on the date's own precision (viz.py holds_as_stated is the same rule)
  function edgeHolds(e) {
    if (day === null) return true;
    if (e.since && e.since > day.slice(0, e.since.length)) return false;
    if (e.until && day.slice(0, e.until.length) > e.until) return false;
    return true;
  }
  function recompute() {
    visibleEdges = new Set();
    var touched = new Set();
    D.edges.forEach(function (e) {
      if (!relOn.has(e.r)) return;
      if (GR && (!openG.has(N[e.a].g) || !openG.has(N[e.b].g))) return;
      if (!nodeOn(N[e.a]) || !nodeOn(N[e.b]) || !edgeHolds(e)) return;
      visibleEdges.add(e.k);
      touched.add(e.a);
      touched.add(e.b);
    });
    visibleNodes = new Set();
    N.forEach(function (n) {
      if (GR && !openG.has(n.g)) return;
      if (nodeOn(n) && (touched.has(n.i) || edgesOf[n.i].length === 0)) visibleNodes.add(n.i);
    });
  }

  recompute();
  var nodes = new vis.DataSet(N.map(function (n) { return nodeItem(n, true); }));
  var edges = new vis.DataSet(D.edges.map(edgeItem));
  timings.datasets = performance.now();
  if (GR) groupItems();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visibleNodes.has(n.id) || groupShown.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return visibleEdges.has(e.id) || groupShown.has(e.id); } });

  function restyleStatuses() {
    nodes.update(N.filter(function (n) { return n.st; }).map(function (n) { return nodeItem(n, false); }));
  }
  function apply() {
    recompute();
    if (GR) groupItems();
    nodeView.refresh();
    edgeView.refresh();
    summary();
  }

  // ------------------------------------------------------------------ header, notes, legends
  function summary() {
    var c = D.counts;
    var shown = visibleNodes.size === N.length && visibleEdges.size === D.edges.length
      ? c.nodes.toLocaleString("en") + " entities, " + c.edges.toLocaleString("en") + " relations"
      : "showing " + visibleNodes.size.toLocaleString("en") + " of " + c.nodes.toLocaleString("en") + " entities, " +
        visibleEdges.size.toLocaleString("en") + " of " + c.edges.toLocaleString("en") + " relations";
    var bits = [shown].concat(D.view || []);
    if (GR) bits.unshift(GR.length.toLocaleString("en") + " groups (" + openG.size + " open)");
    if (day !== null) bits.push("as of " + day + " (time control)");
    $("summary").textContent = bits.join(" · ");
  }
  $("title").textContent = D.title;
  if (D.restricted) $("restricted").hidden = false;
  (D.notes || []).forEach(function (t) { $("notes").appendChild(el("p", null, t)); });
  $("size-by").textContent = D.sizeBy;
  $("generated").textContent = "Made with: repnet viz" + (D.options.length ? " " + D.options.join(" ") : "") +
    " (" + D.generated + "). " + (D.restricted ? "Includes RESTRICTED facts." : "Public sources only.");

  // one legend row: a checkbox that shows or hides the entities of a class (or the edges of a relation)
  function legendRow(list, attr, key, on, mark, name, n) {
    var li = el("li"), lab = el("label"), box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute(attr, key);
    box.addEventListener("change", function () {
      if (box.checked) on.add(key); else on.delete(key);
      apply();
    });
    lab.appendChild(box);
    lab.appendChild(mark);
    lab.appendChild(name);
    lab.appendChild(el("span", "n", n.toLocaleString("en")));
    li.appendChild(lab);
    $(list).appendChild(li);
  }
  Object.keys(D.classes).forEach(function (cls) {
    var c = D.classes[cls];
    legendRow("class-legend", "data-class", cls, classOn, swatch(c.shape, c.color), el("span", null, cls), c.n);
  });
  Object.keys(D.relations).forEach(function (rel) {
    var r = D.relations[rel];
    var name = el("span", null, r.label + (r.directed ? " →" : ""));
    name.title = r.about;
    legendRow("relation-legend", "data-relation", rel, relOn, swatch("line", r.color), name, r.n);
  });
  [["held", "held: the latest fact says detained or imprisoned", false],
   ["released", "released: the latest fact says released (or in exile)", true],
   [null, "no status in the sources", false]].forEach(function (s) {
    var li = el("li");
    var sw = el("span", "sw ring" + (s[2] ? " dashed" : ""));
    sw.style.borderColor = s[0] ? D.status[s[0]] : "#2d4f75";
    li.appendChild(sw);
    li.appendChild(el("span", null, s[1]));
    $("status-legend").appendChild(li);
  });
  D.sources.forEach(function (s, j) {
    var li = el("li");
    li.appendChild(citation([j], ""));
    $("source-list").appendChild(li);
  });

  function citation(ids, prefix) {
    var wrap = el("div", "cite");
    if (prefix) wrap.appendChild(document.createTextNode(prefix));
    ids.forEach(function (j, i) {
      if (i) wrap.appendChild(document.createTextNode("; "));
      var s = D.sources[j] || { id: "?" };
      var title = s.title || s.id;
      var url = safeUrl(s.url);
      if (url) {
        var a = el("a", null, title);
        a.href = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        wrap.appendChild(a);
      } else {
        wrap.appendChild(el("span", null, title));
      }
      var bits = [s.publisher, s.date].filter(Boolean);
      if (bits.length) wrap.appendChild(document.createTextNode(" (" + bits.join(", ") + ")"));
    });
    if (!ids.length) wrap.appendChild(document.createTextNode("no source recorded"));
    return wrap;
  }
  // documents a record cites beyond its source (cite:), with the quote and where it is in the document
  function cited(list) {
    var ul = el("ul", "cited");
    (list || []).forEach(function (c) {
      var li = el("li", "cite");
      li.appendChild(document.createTextNode("Cited: "));
      var d = (D.docs || [])[c.d] || {};
      var url = safeUrl(d.url);
      if (url) {
        var a = el("a", null, d.title || url);
        a.href = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        li.appendChild(a);
      } else {
        li.appendChild(el("span", null, d.title || "?"));
      }
      var bits = [d.publisher, d.date].filter(Boolean);
      if (bits.length) li.appendChild(document.createTextNode(" (" + bits.join(", ") + ")"));
      if (c.q) li.appendChild(el("q", null, c.q));
      if (c.l) li.appendChild(document.createTextNode(", " + c.l));
      li.appendChild(citation(c.src, "cited by the source: "));
      ul.appendChild(li);
    });
    return ul;
  }
  function sourcesOfNode(n) {
    var s = new Set();
    edgesOf[n.i].forEach(function (e) { e.src.forEach(function (x) { s.add(x); }); });
    (n.facts || []).forEach(function (f) { f.src.forEach(function (x) { s.add(x); }); });
    (n.st || []).forEach(function (f) { f.src.forEach(function (x) { s.add(x); }); });
    return Array.from(s).sort(function (a, b) { return a - b; });
  }
  function edgeDetails(e) {
    var bits = [];
    if (e.date) bits.push(e.date);
    else if (e.since) bits.push("from " + e.since);
    if (e.until) bits.push("until " + e.until);
    if (e.stage) bits.push(e.stage);
    if (e.words) bits.push("as reported: " + e.words);
    if (e.years !== undefined) bits.push(fmtYears(e.years));
    if (e.penalty) bits.push(String(e.penalty).replace(/-/g, " "));
    if (e.detention_type) bits.push(String(e.detention_type).replace(/-/g, " "));
    if (e.role) bits.push(String(e.role).replace(/-/g, " "));
    if (e.kind) bits.push(e.kind);
    if (e.led) bits.push("led the negotiation");
    return bits.join(" · ");
  }

  // ------------------------------------------------------------------ tooltip
  var tip = $("tooltip");
  function showTip(content, pointer) {
    clear(tip);
    tip.appendChild(content);
    tip.hidden = false;
    var stage = $("stage").getBoundingClientRect();
    var x = pointer.x + 16, y = pointer.y + 16;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > stage.width - 4) x = Math.max(4, pointer.x - w - 16);
    if (y + h > stage.height - 4) y = Math.max(4, pointer.y - h - 16);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }
  function nodeTip(i) {
    var n = N[i];
    var box = el("div");
    box.appendChild(el("div", "t", n.l));
    var st = statusOf(n);
    box.appendChild(el("div", "detail", n.c + (st ? " · " + st.s + " (" + st.why + ")" : "") + " · " +
      n.deg + " relation" + (n.deg === 1 ? "" : "s")));
    var others = n.n.filter(function (x) { return x !== n.l; });
    if (others.length) box.appendChild(el("div", "detail", "also: " + others.slice(0, 4).join("; ") + (others.length > 4 ? " …" : "")));
    box.appendChild(citation(sourcesOfNode(n), "Source: "));
    return box;
  }
  function edgeTip(k) {
    var rec = D.edges[k];
    var box = el("div");
    box.appendChild(el("div", "t", N[rec.a].l + " — " + D.relations[rec.r].label + " → " + N[rec.b].l));
    var d = edgeDetails(rec);
    if (d) box.appendChild(el("div", "detail", d));
    box.appendChild(citation(rec.src, "Source: "));
    return box;
  }

  // ------------------------------------------------------------------ details panel
  var panel = $("panel-body");
  function jump(i) {
    var b = el("button", "jump", N[i].l);
    b.type = "button";
    b.addEventListener("click", function () { select(i); });
    return b;
  }
  function showNode(i) {
    var n = N[i];
    if (!n) return;
    clear(panel);
    panel.appendChild(el("h2", null, n.l));
    var line = el("div");
    var cls = el("span", "cls");
    cls.appendChild(swatch(D.classes[n.c].shape, D.classes[n.c].color));
    cls.appendChild(document.createTextNode(n.c));
    line.appendChild(cls);
    if (n.c === "Person" || n.c === "Judge" || n.c === "Prosecutor") {
      var st = statusOf(n);
      line.appendChild(el("span", "badge " + (st ? st.s : "none"), st ? st.s : "no status"));
      if (st) line.appendChild(document.createTextNode(st.why));
    }
    panel.appendChild(line);
    var st2 = statusOf(n);
    if (st2) panel.appendChild(citation(st2.src, "Status source: "));

    var others = n.n.filter(function (x) { return x !== n.l; });
    if (others.length) {
      panel.appendChild(el("h3", null, "Other names"));
      panel.appendChild(el("div", null, others.join("; ")));
    }
    var facts = (n.facts || []).filter(function (f) { return f.k !== "name"; });
    if (facts.length) {
      panel.appendChild(el("h3", null, "Key facts"));
      var ul = el("ul");
      facts.forEach(function (f) {
        var li = el("li", "fact");
        li.appendChild(el("span", "rel", f.k + ": "));
        li.appendChild(document.createTextNode(f.v));
        if (f.inf) li.appendChild(el("em", "inf", " (inferred: " + f.inf + ")"));
        li.appendChild(citation(f.src, "Source: "));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    if (n.cites && n.cites.length) {
      panel.appendChild(el("h3", null, "Citations"));
      panel.appendChild(cited(n.cites));
    }
    if (n.st && n.st.length) {
      panel.appendChild(el("h3", null, "Status over time"));
      var su = el("ul");
      n.st.forEach(function (f) {
        var li = el("li", "fact");
        li.appendChild(el("span", "badge " + f.s, f.s));
        li.appendChild(document.createTextNode((f.d ? f.d + ": " : "undated: ") + f.why));
        li.appendChild(citation(f.src, "Source: "));
        su.appendChild(li);
      });
      panel.appendChild(su);
    }
    var mine = edgesOf[i].slice().sort(function (a, b) {
      return (a.r + (a.date || a.since || "")).localeCompare(b.r + (b.date || b.since || ""));
    });
    panel.appendChild(el("h3", null, "Relations" + (mine.length < n.deg
      ? " (" + mine.length + " of " + n.deg + " on this page; repnet viz --focus shows all)" : " (" + mine.length + ")")));
    var ru = el("ul");
    mine.forEach(function (e) {
      var li = el("li", "fact");
      var out = e.a === i;
      var other = out ? e.b : e.a;
      li.appendChild(el("span", "rel", (out || !D.relations[e.r].directed ? D.relations[e.r].label : INVERSE[e.r] || e.r) + " → "));
      li.appendChild(jump(other));
      var d = edgeDetails(e);
      if (d) li.appendChild(el("div", "detail", d));
      li.appendChild(citation(e.src, "Source: "));
      if (e.cites) li.appendChild(cited(e.cites));
      ru.appendChild(li);
    });
    panel.appendChild(ru);
    panel.appendChild(el("div", "iri", n.id));
  }
  function showEdge(k) {
    var e = D.edges[k];
    if (!e) return;
    clear(panel);
    panel.appendChild(el("h2", null, D.relations[e.r].label));
    panel.appendChild(el("div", "detail", D.relations[e.r].about));
    var p = el("div");
    p.appendChild(jump(e.a));
    p.appendChild(document.createTextNode(" " + D.relations[e.r].label + " "));
    p.appendChild(jump(e.b));
    panel.appendChild(p);
    var d = edgeDetails(e);
    if (d) panel.appendChild(el("div", "detail", d));
    panel.appendChild(citation(e.src, "Source: "));
    if (e.cites) panel.appendChild(cited(e.cites));
  }

  // ------------------------------------------------------------------ the network
  var container = $("network");
  var options = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 1 },
    physics: {
      enabled: D.physics, solver: "barnesHut",
      barnesHut: { gravitationalConstant: -4500, centralGravity: 0.25, springLength: 110, springConstant: 0.035,
                   damping: 0.35, avoidOverlap: 0.3 },
      // (the layout computed beforehand is a good start: fewer iterations for larger views)
      stabilization: { enabled: D.physics, iterations: Math.max(60, Math.min(200, Math.round(30000 / Math.max(1, N.length)))),
                       updateInterval: 50, fit: true },
      minVelocity: 0.8
    },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false, multiselect: false,
                   navigationButtons: false, tooltipDelay: 150 },
    nodes: { font: { size: big ? 14 : N.length <= 80 ? 18 : 16, face: "system-ui, sans-serif", color: "#1d2433", strokeWidth: 3, strokeColor: "#ffffff" },
             scaling: { label: { drawThreshold: 7 } } },
    edges: { width: 1.3, selectionWidth: 2, hoverWidth: 0.8, arrowStrikethrough: false,
             smooth: big ? false : { enabled: true, type: "continuous", roundness: 0.25 },
             font: { size: N.length <= 80 ? 13 : 12, align: "middle", strokeWidth: 3, strokeColor: "#ffffff" },
             scaling: { label: { drawThreshold: 5 } } }
  };
  if (!N.length) $("empty").hidden = false;
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
  timings.network = performance.now();

  var draws = 0;
  network.on("afterDrawing", function () { draws++; });
  function markReady() {
    if (window.repnetReady) return;
    window.repnetReady = true;
    window.repnetReadyAt = timings.ready = performance.now();
    window.repnetTimings = timings;
    document.body.setAttribute("data-ready", "true");
  }
  if (D.physics && N.length) {
    network.once("stabilizationIterationsDone", function () {
      // the layout is stable enough to read: stop animating (on a machine without a GPU the live
      // simulation kept the page busy for ~10 s); dragging a node starts it again
      network.stopSimulation();
      network.fit();
      network.once("afterDrawing", markReady);
      network.redraw();
    });
  } else if (N.length) {
    network.once("afterDrawing", markReady);
    network.fit({ animation: false });
  } else {
    markReady();
  }

  network.on("hoverNode", function (p) { showTip(typeof p.node === "string" ? groupTip(p.node) : nodeTip(p.node), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("hoverEdge", function (p) { showTip(typeof p.edge === "string" ? linkTip(p.edge) : edgeTip(p.edge), p.pointer.DOM); });
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length && typeof p.nodes[0] === "string") openGroup(Number(p.nodes[0].slice(1)));
    else if (p.nodes.length) showNode(p.nodes[0]);
    else if (p.edges.length && typeof p.edges[0] !== "string") showEdge(p.edges[0]);
  });

  // ------------------------------------------------------------------ physics and time
  var phys = $("physics");
  phys.checked = D.physics;
  $("physics-note").textContent = D.physics ? "live layout; switch off to freeze it"
    : "off: layout computed beforehand (above " + "500 nodes physics is slow)";
  phys.addEventListener("change", function () { network.setOptions({ physics: { enabled: phys.checked } }); });
  var sancBox = document.getElementById("sanctions");
  if (N.some(function (n) { return n.sanc !== undefined; })) {
    document.getElementById("sanctions-section").hidden = false;
    sancBox.addEventListener("change", function () { sancOn = sancBox.value; apply(); });
  }

  if (D.dates && D.dates.length) {
    $("time-section").hidden = false;
    var range = $("time"), on = $("time-on");
    range.max = String(D.dates.length - 1);
    var start = D.dates.length - 1;
    if (D.asOf) {
      for (var i = 0; i < D.dates.length; i++) if (D.dates[i] <= D.asOf) start = i;
    }
    range.value = String(start);
    var label = function () {
      $("time-label").textContent = on.checked ? "as of " + D.dates[Number(range.value)] +
        " (relations that had begun and not ended; statuses on that day)" : "all dates (statuses: latest fact)";
    };
    label();
    on.addEventListener("change", function () {
      range.disabled = !on.checked;
      day = on.checked ? D.dates[Number(range.value)] : null;
      label();
      restyleStatuses();
      apply();
    });
    range.addEventListener("input", function () {
      if (!on.checked) return;
      day = D.dates[Number(range.value)];
      label();
      restyleStatuses();
      apply();
    });
  }

  // ------------------------------------------------------------------ search
  var input = $("search"), results = $("results");
  function search(q) {
    var f = fold(q), k = skeleton(q);
    if (!f) return [];
    var hits = [];
    function rank(name, x) {
      return name === x ? 0 : name.indexOf(x) === 0 ? 1 : (" " + name).indexOf(" " + x) >= 0 ? 2 : name.indexOf(x) >= 0 ? 3 : 9;
    }
    N.forEach(function (n) {
      var best = 9, alias = null;
      n.f.forEach(function (name, i) {
        // the spelling as typed first; then any script, romanisation or order (ranks 4 to 7)
        var r = rank(name, f);
        if (r === 9 && k && n.k) {
          r = rank(n.k[i], k);
          var sorted = k.split(" ").sort().join(" ");
          if (r === 9 && n.k[i].split(" ").sort().join(" ") === sorted) r = 0;
          if (r < 9) r += 4;
        }
        if (r < best || (r === best && r < 9 && n.n[i].length < alias.length)) { best = r; alias = n.n[i]; }
      });
      if (best < 9) hits.push({ i: n.i, rank: best, alias: alias, score: n.score });
    });
    hits.sort(function (a, b) {
      return a.rank - b.rank || b.score - a.score || N[a.i].l.localeCompare(N[b.i].l);
    });
    return hits;
  }
  function showResults() {
    clear(results);
    var hits = search(input.value);
    hits.slice(0, 15).forEach(function (h, i) {
      var n = N[h.i];
      var li = el("li");
      if (i === 0) li.className = "active";
      var b = el("button", null, n.l);
      b.type = "button";
      if (h.alias && h.alias !== n.l) b.appendChild(el("span", "alias", "also: " + h.alias));
      b.appendChild(el("span", "alias", n.c));
      b.addEventListener("click", function () { select(h.i); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (input.value.trim() && !hits.length) results.appendChild(el("li", "muted", "no entity on this page has that name"));
    else if (hits.length > 15) results.appendChild(el("li", "muted", (hits.length - 15) + " more; type more of the name"));
    return hits;
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var hits = showResults();
      if (hits.length) select(hits[0].i);
      ev.preventDefault();
    }
  });

  function select(i) {
    var n = N[i];
    if (!n) return;
    if (GR && !openG.has(n.g)) { openG.add(n.g); apply(); groupList(); }
    if (!visibleNodes.has(i)) {  // hidden by a filter: show it
      classOn.add(n.c);
      var box = document.querySelector('input[data-class="' + CSS.escape(n.c) + '"]');
      if (box) box.checked = true;
      apply();
      if (!visibleNodes.has(i) && day !== null) { $("time-on").checked = false; $("time-on").dispatchEvent(new Event("change")); }
    }
    network.selectNodes([i]);
    network.focus(i, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    showNode(i);
  }

  // ------------------------------------------------------------------ groups (the overview)
  // A group is drawn as one node ("g" + index) until opened; then its members take its place, each
  // member's relations to a closed group drawn as one dashed link to it ("x" + member + ":" + group).
  function groupItems() {
    groupShown = new Set();
    var adds = [];
    GR.forEach(function (g, j) {
      if (openG.has(j)) return;
      groupShown.add("g" + j);
      if (!nodes.get("g" + j)) {
        adds.push({ id: "g" + j, label: (g.l.length > 42 ? g.l.slice(0, 40) + "…" : g.l) + "\n" + g.n.toLocaleString("en"),
                    shape: "dot", size: g.s, x: g.x, y: g.y, color: { background: g.c, border: darker(g.c) },
                    borderWidth: 2, font: { size: Math.max(16, Math.round(g.s / 3)), strokeWidth: 4 } });
      }
    });
    if (adds.length) nodes.add(adds);
    var links = [];
    (D.glinks || []).forEach(function (l, k) {
      if (openG.has(l.a) || openG.has(l.b)) return;
      groupShown.add("L" + k);
      if (!edges.get("L" + k)) {
        links.push({ id: "L" + k, from: "g" + l.a, to: "g" + l.b, color: { color: "#8a94a3", opacity: 0.6 },
                     width: 1 + 2.5 * Math.log10(1 + l.n) });
      }
    });
    var count = new Map();
    D.edges.forEach(function (e) {
      var ga = N[e.a].g, gb = N[e.b].g;
      if (openG.has(ga) === openG.has(gb)) return;
      var id = openG.has(ga) ? "x" + e.a + ":" + gb : "x" + e.b + ":" + ga;
      if (!classOn.has(N[openG.has(ga) ? e.a : e.b].c)) return;
      count.set(id, (count.get(id) || 0) + 1);
    });
    count.forEach(function (n, id) {
      groupShown.add(id);
      var m = id.slice(1).split(":");
      if (!edges.get(id)) links.push({ id: id, from: Number(m[0]), to: "g" + m[1], dashes: true, color: { color: "#8a94a3", opacity: 0.7 },
                                       width: 1 + Math.log10(n), rn: n });
    });
    if (links.length) edges.add(links);
  }
  function groupTip(id) {
    var g = GR[Number(id.slice(1))];
    var box = el("div");
    box.appendChild(el("div", "t", g.l));
    box.appendChild(el("div", "detail", groupLine(g)));
    if (g.top.length) box.appendChild(el("div", "detail", "most central: " + g.top.join("; ")));
    box.appendChild(el("div", "detail", "click to open"));
    return box;
  }
  function groupLine(g) {
    return g.n.toLocaleString("en") + " entities · " + g.p.toLocaleString("en") + " persons" +
      (g.yrs ? " · " + fmtYears(g.yrs) + " of sentences" : "");
  }
  function linkTip(id) {
    var box = el("div");
    if (id.charAt(0) === "L") {
      var l = D.glinks[Number(id.slice(1))];
      box.appendChild(el("div", "t", GR[l.a].l + " — " + GR[l.b].l));
      box.appendChild(el("div", "detail", l.n.toLocaleString("en") + " relations · " + l.p.toLocaleString("en") + " persons" +
        (l.y ? " · " + fmtYears(l.y) + " of sentences" : "")));
    } else {
      var e = edges.get(id), m = id.slice(1).split(":");
      box.appendChild(el("div", "t", N[Number(m[0])].l + " — " + GR[Number(m[1])].l));
      box.appendChild(el("div", "detail", e.rn + " relation" + (e.rn === 1 ? "" : "s") + " to members on this page"));
    }
    return box;
  }
  function openGroup(j) {
    openG.add(j);
    apply();
    groupList();
    showGroup(j);
  }
  function closeGroup(j) {
    openG.delete(j);
    apply();
    groupList();
  }
  // what a group is: its size, classes, most central members, courts and facilities (in the details panel)
  function showGroup(j) {
    var g = GR[j];
    clear(panel);
    panel.appendChild(el("h2", null, g.l));
    panel.appendChild(el("div", "detail", groupLine(g)));
    panel.appendChild(el("div", "detail", Object.keys(g.cls).map(function (c) { return g.cls[c].toLocaleString("en") + " " + c; }).join(", ")));
    var lists = [["Most central members", g.top.map(function (t) { return [t]; })], ["Courts its members are linked to", g.courts],
                 ["Facilities its members are linked to", g.fac]];
    lists.forEach(function (x) {
      if (!x[1].length) return;
      panel.appendChild(el("h3", null, x[0]));
      var ul = el("ul");
      x[1].forEach(function (r) { ul.appendChild(el("li", "fact", r[0] + (r.length > 1 ? " (" + r[1].toLocaleString("en") + ")" : ""))); });
      panel.appendChild(ul);
    });
    panel.appendChild(el("p", "muted", "Open: the page carries its " + g.shown.toLocaleString("en") + " most central of " +
      g.n.toLocaleString("en") + " members; click one for its sourced facts."));
    var b = el("button", "jump", "close this group");
    b.type = "button";
    b.addEventListener("click", function () { closeGroup(j); });
    panel.appendChild(b);
  }
  function groupList() {
    var ul = $("groups-open");
    clear(ul);
    Array.from(openG).sort(function (a, b) { return a - b; }).forEach(function (j) {
      var li = el("li");
      li.appendChild(el("span", null, GR[j].l));
      var b = el("button", "jump", "close");
      b.type = "button";
      b.setAttribute("data-group", String(j));
      b.addEventListener("click", function () { closeGroup(j); });
      li.appendChild(b);
      ul.appendChild(li);
    });
  }
  if (GR) {
    $("groups-section").hidden = false;
    $("groups-note").textContent = GR.length.toLocaleString("en") + " groups by " + (D.groupBy || "community") +
      "; click one to open it in place";
  }

  // ------------------------------------------------------------------ views: the flow and the chart
  // Their data sits in two more JSON scripts, parsed the first time a view is opened (a large
  // page's flow carries every person's path: it should not delay the network).
  var lazy = {};
  function json(id) {
    if (!(id in lazy)) {
      var s = document.getElementById(id);
      lazy[id] = s ? JSON.parse(s.textContent) : null;
    }
    return lazy[id];
  }
  var FNONE = -1, FMORE = -2;
  var flowState = { since: null, until: null, through: null };

  // The flow's counts: the rules of graph/viz/flow.py flow_of (the tests compare the two).
  function flowOf(F, since, until, through) {
    var S = F.stages, dated = !!(since || until), chosen = [];
    F.people.forEach(function (pp) {
      var det = [], starts = pp[0];
      for (var i = 0; i < starts.length; i += 2) {
        var k = starts[i], d = starts[i + 1];
        if (dated && (d === null || (since && d < since) || (until && d > until))) continue;
        if (det.indexOf(k) < 0) det.push(k);
      }
      if (dated && !det.length) return;
      var st = [det].concat(pp.slice(1)).map(function (a) { return a.length ? a : [FNONE]; });
      if (through !== null && through !== undefined && !st.some(function (a) { return a.indexOf(through) >= 0; })) return;
      chosen.push(st);
    });
    function keyText(k) { return k === FNONE ? F.none : F.keys[k]; }
    function labelOf(k) { return k === FNONE ? F.none : F.labels[k]; }
    function cmp(count) {
      return function (a, b) {
        var d = count.get(b) - count.get(a);
        if (d) return d;
        var la = labelOf(a), lb = labelOf(b);
        if (la !== lb) return la < lb ? -1 : 1;
        var ka = keyText(a), kb = keyText(b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      };
    }
    var keep = S.map(function (s, j) {
      var raw = new Map();
      chosen.forEach(function (st) { st[j].forEach(function (k) { raw.set(k, (raw.get(k) || 0) + 1); }); });
      var ks = Array.from(raw.keys()).sort(cmp(raw));
      var set = new Set(ks.slice(0, F.top));
      set.add(FNONE);
      return { set: set, more: ks.filter(function (k) { return !set.has(k); }).length };
    });
    var nodes = S.map(function () { return new Map(); });
    var links = new Map();
    chosen.forEach(function (st) {
      var shown = st.map(function (a, j) {
        var out = [];
        a.forEach(function (k) { var x = keep[j].set.has(k) ? k : FMORE; if (out.indexOf(x) < 0) out.push(x); });
        return out;
      });
      shown.forEach(function (a, j) { a.forEach(function (k) { nodes[j].set(k, (nodes[j].get(k) || 0) + 1); }); });
      for (var j = 0; j + 1 < S.length; j++) {
        shown[j].forEach(function (x) {
          shown[j + 1].forEach(function (y) { var id = j + " " + x + " " + y; links.set(id, (links.get(id) || 0) + 1); });
        });
      }
    });
    return {
      stages: S, persons: chosen.length, links: links, more: keep.map(function (k) { return k.more; }),
      nodes: nodes.map(function (m) {
        var ks = Array.from(m.keys()).sort(function (a, b) {
          if (a === FMORE || b === FMORE) { var d = m.get(b) - m.get(a); if (d) return d; return a === FMORE ? 1 : -1; }
          return cmp(m)(a, b);
        });
        return ks.map(function (k) { return [k, m.get(k)]; });
      }),
      key: keyText, label: function (j, k) { return k === FMORE ? keep[j].more.toLocaleString("en") + " more" : labelOf(k); }
    };
  }

  // flowOf's numbers in the shape views.js draws (keys as text: IRIs, the stage words, "+more")
  function flowShape(F, r) {
    var text = function (k) { return k === FMORE ? "+more" : r.key(k); };
    var links = [];
    r.links.forEach(function (n, id) {
      var p = id.split(" ");
      links.push([Number(p[0]), text(Number(p[1])), text(Number(p[2])), n]);
    });
    return { stages: r.stages, stageLabels: F.stageLabels, persons: r.persons, links: links,
             nodes: r.nodes.map(function (col, j) { return col.map(function (kv) { return [text(kv[0]), r.label(j, kv[0]), kv[1]]; }); }) };
  }
  var keyIndex = null;
  function drawFlow() {
    var F = json("repnet-flow");
    var box = $("flow-box");
    clear(box);
    if (!F || !F.people.length) {
      $("flow-summary").textContent = "No person in this view has an arrest, detention, charge, sentence, facility or release stated.";
      return;
    }
    if (!keyIndex) { keyIndex = new Map(); F.keys.forEach(function (k, i) { keyIndex.set(k, i); }); }
    var t = flowState.through === null ? null : (keyIndex.has(flowState.through) ? keyIndex.get(flowState.through) : -3);
    var r = flowOf(F, flowState.since, flowState.until, t);
    var span = flowState.since || flowState.until ? ", arrested or detained " + (flowState.since || "(any day)") + " to " +
      (flowState.until || "(any day)") : "";
    var throughLabel = t !== null && t >= 0 ? F.labels[t] : flowState.through;
    $("flow-summary").textContent = r.persons.toLocaleString("en") + " person" + (r.persons === 1 ? "" : "s") + span +
      (flowState.through !== null ? ", through " + throughLabel : "") + ". Click an entity to keep the persons who pass through it.";
    $("flow-through").textContent = flowState.through !== null ? "through: " + throughLabel : "";
    repnetViews.drawFlow(box, flowShape(F, r), function (stage, key) { flowState.through = key; drawFlow(); },
                         ($("stage").clientHeight || 700) - 150);
    $("flow-note").textContent = "A person is counted at every arrest or detention kind, offence, court, judge and facility their " +
      "records name (a column can add up to more than the persons) and at \u201c" + F.none + "\u201d where none is; each column draws " +
      "its " + F.top + " largest entities, the rest as one \u201cN more\u201d. The last column is the release round, else the " +
      "status on the data's last day (" + (F.lastDay || "none") + "). The date range keeps the persons whose arrest or " +
      "detention may have begun in it (the earliest day the sources allow) and counts only those in the first column. " +
      "For a report: repnet viz --flow --from DAY --to DAY -o flow.svg.";
  }
  repnetViews.flowControls(flowState, function () { drawFlow(); });
  // the drawn flow or chart as a file for a report (graph/viz/assets/views.js)
  Array.prototype.forEach.call(document.querySelectorAll("button[data-save]"), function (b) {
    b.addEventListener("click", function () {
      var what = b.getAttribute("data-save");
      repnetViews.download($(what + "-box"), what === "flow" ? "repnet-flow" : "repnet-held-over-time", b.getAttribute("data-fmt"));
    });
  });

  function drawChart() {
    var C = json("repnet-chart");
    var box = $("chart-box");
    clear(box);
    if (!C || !C.months.length) { $("chart-summary").textContent = "No status period or dated sentence in this view."; return; }
    var drawnChart = repnetViews.drawChart(box, C);
    $("chart-summary").textContent = C.persons.toLocaleString("en") + " persons with a status period; at most " +
      drawnChart.peak.toLocaleString("en") + " held on a month's last day (" + drawnChart.peakEnd + ").";
    $("chart-note").textContent = C.limits + (C.undatedSentences ? " " + C.undatedSentences.toLocaleString("en") +
      " sentences are dated by less than a month and not counted." : "") + " For a report: repnet viz --chart -o held.svg.";
  }

  var currentView = "network";
  function showView(name) {
    currentView = name;
    Array.prototype.forEach.call(document.querySelectorAll("#tabs .tab"), function (b) {
      var on = b.getAttribute("data-view") === name;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    $("network").style.visibility = name === "network" ? "visible" : "hidden";
    document.body.classList.toggle("wide", name !== "network");  // the flow and the chart take the details panel's room
    $("flow-view").hidden = name !== "flow";
    $("chart-view").hidden = name !== "chart";
    hideTip();
    if (name === "flow") drawFlow();
    if (name === "chart") drawChart();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#tabs .tab"), function (b) {
    b.addEventListener("click", function () { showView(b.getAttribute("data-view")); });
  });

  summary();
  if (D.focus && D.focus.length) {
    network.selectNodes(D.focus.filter(function (i) { return visibleNodes.has(i); }));
    showNode(D.focus[0]);
  }

  // for tests and for the benchmark
  window.repnet = {
    network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, data: D,
    search: function (q) { return search(q).map(function (h) { return N[h.i].id; }); },
    fold: fold, skeleton: skeleton,
    select: function (iri) { if (indexOf.has(iri)) select(indexOf.get(iri)); },
    indexOf: function (iri) { return indexOf.has(iri) ? indexOf.get(iri) : null; },
    selected: function () { return network.getSelectedNodes().map(function (i) { return N[i].id; }); },
    draws: function () { return draws; },
    showEdge: showEdge,
    openGroup: function (j) { openGroup(j); },
    closeGroup: function (j) { closeGroup(j); },
    openGroups: function () { return Array.from(openG); },
    groupPoint: function (j) { return network.canvasToDOM(network.getPosition("g" + j)); },
    visibleCounts: function () { return { nodes: nodeView.length, edges: edgeView.length }; },
    showView: showView,
    flow: function (since, until, through) {
      var F = json("repnet-flow"), t = through ? F.keys.indexOf(through) : null;  // (-1: no such key, no person)
      var r = flowOf(F, since || null, until || null, t === -1 ? -3 : t);
      var out = {};
      r.stages.forEach(function (s, j) {
        out[s] = {};
        r.nodes[j].forEach(function (kv) { out[s][kv[0] === FMORE ? "+more" : r.key(kv[0])] = kv[1]; });
      });
      return { persons: r.persons, nodes: out };
    },
    setFlow: function (since, until, through) {
      var F = json("repnet-flow");
      flowState.since = since || null;  // changed in place: the flow's controls hold this object
      flowState.until = until || null;
      flowState.through = through || null;
      $("flow-from").value = since || "";
      $("flow-to").value = until || "";
      showView("flow");
      drawFlow();
    }
  };
})();
