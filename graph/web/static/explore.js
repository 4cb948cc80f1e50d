// The live explorer (/explore under `repnet serve`): search names, expand neighbourhoods, read
// sourced facts; the network as of a day, class and relation filters; the flow of persons from
// arrest to release and the chart; the overview: the whole network as groups, opened in place on a click of persons held over time (drawn by /static/views.js). Every text from the data reaches the page through textContent; links are set
// only for http(s) URLs and this server's /id/ pages. Talks only to this server.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var info = {};      // IRI -> node record (with its facts' sources resolved)
  var rels = {};      // IRI -> [edge records with labels]
  var styles = {};    // class -> {color, shape}
  var relStyle = {};  // relation -> {color, label, directed}
  var more = {};      // IRI -> neighbours left out at its last expansion
  var expanded = {};
  var selected = null;
  var statuses = {};  // IRI -> [{d, s}] status facts
  var edgeDates = {}; // edge id -> {since, until} as stated
  var edgeRel = {};   // edge id -> relation
  var asOf = null;
  var classOff = new Set(), relOff = new Set();
  var allClasses = [], allRelations = [];
  var STATUS_COLOUR = { held: "#d62728", released: "#2ca02c" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function safeUrl(u) { return typeof u === "string" && /^https?:\/\/[^\s<>"'`\\]+$/i.test(u) ? u : null; }
  function status(text, bad) { var s = $("status"); s.textContent = text; s.className = bad ? "error" : ""; }

  function getJSON(path) {
    return fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (r.ok) return r.json();
      return r.text().then(function (t) { throw new Error(t.trim() || ("HTTP " + r.status)); });
    });
  }

  var network = new vis.Network($("net"), { nodes: nodes, edges: edges }, {
    nodes: { font: { size: 14, face: "system-ui, sans-serif", color: "#1d2433", strokeWidth: 3, strokeColor: "#ffffff" }, borderWidth: 1.5 },
    edges: { width: 1.2, smooth: { type: "continuous" }, font: { size: 11, align: "middle", strokeWidth: 3, strokeColor: "#ffffff" } },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 150 } },
    interaction: { hover: true }
  });

  function sourceLine(s) {
    var parts = [s.title || s.id, s.publisher, s.date].filter(Boolean);
    var line = el("span", "src");
    var url = safeUrl(s.url);
    if (url) {
      var a = el("a", null, parts.join(" · "));
      a.href = url; a.rel = "noopener noreferrer"; a.target = "_blank";
      line.appendChild(a);
    } else {
      line.textContent = parts.join(" · ");
    }
    return line;
  }

  function addData(d) {
    Object.keys(d.classes || {}).forEach(function (c) { styles[c] = d.classes[c]; });
    Object.keys(d.relations || {}).forEach(function (r) { relStyle[r] = d.relations[r]; });
    var src = function (ids) { return (ids || []).map(function (j) { return d.sources[j] || { id: "?" }; }); };
    d.nodes.forEach(function (n) {
      var rec = info[n.id] || {};
      rec.id = n.id; rec.l = n.l; rec.c = n.c; rec.n = n.n || [n.l]; rec.all = n.all; rec.page = n.page;
      rec.facts = (n.facts || []).map(function (f) { return { k: f.k, v: f.v, inf: f.inf, src: src(f.src) }; })
        .concat((n.st || []).map(function (f) { return { k: "status " + (f.d || ""), v: f.s + (f.why ? " (" + f.why + ")" : ""), src: src(f.src) }; }));
      info[n.id] = rec;
      statuses[n.id] = (n.st || []).map(function (f) { return { d: f.d, s: f.s }; });
      var item = nodeItem(n.id);
      if (nodes.get(n.id)) nodes.update(item); else nodes.add(item);
    });
    d.edges.forEach(function (e) {
      var a = d.nodes[e.a].id, b = d.nodes[e.b].id;
      var r = relStyle[e.r] || { color: "#888888", label: e.r, directed: true };
      if (!edges.get(e.id)) {
        edgeDates[e.id] = { since: e.since, until: e.until };
        edgeRel[e.id] = e.r;
        edges.add({ id: e.id, from: a, to: b, label: r.label, color: { color: r.color },
                    arrows: { to: { enabled: !!r.directed, scaleFactor: 0.55 } }, hidden: !edgeOn(e.id, a, b) });
        [a, b].forEach(function (x) {
          (rels[x] = rels[x] || []).push({ a: a, b: b, r: r.label, date: e.since || e.date || "", words: e.words, src: src(e.src) });
        });
      }
    });
  }

  // ------------------------------------------------------------------ time and filters
  function statusAt(iri) {
    var best = null;
    (statuses[iri] || []).forEach(function (f) {
      if (f.d === null || f.d === undefined) { if (asOf === null && best === null) best = f; return; }
      if (asOf === null || f.d <= asOf) best = f;
    });
    return best ? best.s : null;
  }
  function nodeItem(iri) {
    var n = info[iri], st = styles[n.c] || { color: "#999999", shape: "dot" }, s = statusAt(iri);
    return { id: iri, label: n.l.length > 42 ? n.l.slice(0, 40) + "…" : n.l, shape: st.shape, size: 14,
             color: { background: st.color, border: s ? STATUS_COLOUR[s] || "#333333" : "#333333" },
             borderWidth: s ? 4 : 1.5, hidden: classOff.has(n.c) };
  }
  // dates as their sources state them ("2022-09" from the month): the offline page's rule
  function holds(id) {
    var e = edgeDates[id];
    if (asOf === null || !e) return true;
    if (e.since && e.since > asOf.slice(0, e.since.length)) return false;
    if (e.until && asOf.slice(0, e.until.length) > e.until) return false;
    return true;
  }
  function edgeOn(id, a, b) {
    return !relOff.has(edgeRel[id]) && holds(id) && !(info[a] && classOff.has(info[a].c)) && !(info[b] && classOff.has(info[b].c));
  }
  function applyFilters() {
    nodes.update(Object.keys(info).filter(function (i) { return nodes.get(i); }).map(nodeItem));
    edges.update(edges.get().map(function (e) { return { id: e.id, hidden: !edgeOn(e.id, e.from, e.to) }; }));
  }
  function checkList(list, names, off) {
    var ul = $(list);
    ul.textContent = "";
    names.forEach(function (name) {
      var li = el("li"), lab = el("label"), box = el("input");
      box.type = "checkbox";
      box.checked = !off.has(name);
      box.dataset.name = name;
      box.addEventListener("change", function () { if (box.checked) off.delete(name); else off.add(name); applyFilters(); });
      lab.appendChild(box);
      lab.appendChild(document.createTextNode(" " + name.replace(/_/g, " ")));
      li.appendChild(lab);
      ul.appendChild(li);
    });
  }
  $("as-of").addEventListener("change", function () { asOf = $("as-of").value || null; applyFilters(); });
  function neighboursUrl(iri) {
    var u = "/explore/neighbours?iri=" + encodeURIComponent(iri);
    if (asOf) u += "&as_of=" + encodeURIComponent(asOf);
    if (classOff.size) allClasses.filter(function (c) { return !classOff.has(c); }).forEach(function (c) { u += "&class=" + encodeURIComponent(c); });
    if (relOff.size) allRelations.filter(function (r) { return !relOff.has(r); }).forEach(function (r) { u += "&relation=" + encodeURIComponent(r); });
    return u;
  }

  function expand(iri) {
    status("Expanding…");
    return getJSON(neighboursUrl(iri)).then(function (d) {
      if (!allClasses.length && d.allClasses) {
        allClasses = d.allClasses;
        allRelations = d.allRelations;
        checkList("class-filter", allClasses, classOff);
        checkList("relation-filter", allRelations, relOff);
      }
      addData(d);
      expanded[iri] = true;
      more[iri] = d.more;
      var drawn = d.total - d.more;
      status(d.title + ": " + drawn + " of " + d.total + " neighbours drawn" + (d.more ? "; " + d.more + " more" : "") + ".");
      var notes = $("notes");
      notes.textContent = "";
      (d.notes || []).forEach(function (t) { notes.appendChild(el("p", "notice", t)); });
      network.selectNodes([iri]);
      network.focus(iri, { scale: 1, animation: false });
      show(iri);
    }).catch(function (err) { status(err.message, true); });
  }

  function show(iri) {
    var n = info[iri];
    if (!n) return;
    selected = iri;
    $("panel").hidden = false;
    $("gpanel").hidden = true;
    $("p-title").textContent = n.l;
    $("p-class").textContent = n.c + " · " + (n.all || 0) + " relations in the network";
    $("p-names").textContent = n.n.length > 1 ? "Also: " + n.n.filter(function (x) { return x !== n.l; }).join("; ") : "";
    var m = $("p-more");
    m.hidden = !more[iri];
    m.textContent = more[iri] ? more[iri] + " more neighbours not drawn (the most central are drawn)." : "";
    $("p-expand").hidden = !!expanded[iri];
    var page = $("p-page");
    if (typeof n.page === "string" && /^\/id\/[^\s<>"'`\\]+$/.test(n.page)) { page.href = n.page; page.hidden = false; }
    else { page.hidden = true; page.removeAttribute("href"); }
    var facts = $("p-facts");
    facts.textContent = "";
    n.facts.forEach(function (f) {
      var li = el("li");
      li.appendChild(el("strong", null, f.k + ": "));
      li.appendChild(document.createTextNode(f.v + (f.inf ? " (inferred: " + f.inf + ")" : "")));
      f.src.forEach(function (s) { li.appendChild(sourceLine(s)); });
      facts.appendChild(li);
    });
    if (!n.facts.length) facts.appendChild(el("li", "muted", "none drawn here"));
    var list = $("p-edges");
    list.textContent = "";
    (rels[iri] || []).forEach(function (e) {
      var li = el("li", null, (info[e.a] ? info[e.a].l : e.a) + " — " + e.r + " → " + (info[e.b] ? info[e.b].l : e.b) +
                  (e.date ? " (" + e.date + ")" : "") + (e.words ? " " + e.words : ""));
      e.src.forEach(function (s) { li.appendChild(sourceLine(s)); });
      list.appendChild(li);
    });
  }

  var searchAsked = 0;
  $("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = $("q").value.trim(), asked = ++searchAsked;  // only the latest search's answer is shown
    var list = $("results");
    list.textContent = "";
    if (q.length < 2) { status("Type at least two letters.", true); return; }
    status("Searching…");
    getJSON("/explore/search?q=" + encodeURIComponent(q)).then(function (d) {
      if (asked !== searchAsked) return;
      status(d.results.length ? d.results.length + " found" + (d.more ? " (" + d.more + " more: type more of the name)" : "") + "."
                              : "Nothing found for “" + q + "”.");
      d.results.forEach(function (r) {
        var li = el("li");
        var b = el("button", null, r.l);
        b.type = "button";
        b.dataset.iri = r.id;
        b.appendChild(el("span", "muted", r.c + (r.m !== r.l ? " · as " + r.m : "") + " · " + r.deg + " relations"));
        b.addEventListener("click", function () { expand(r.id); });
        li.appendChild(b);
        list.appendChild(li);
      });
    }).catch(function (err) { status(err.message, true); });
  });

  $("p-expand").addEventListener("click", function () { if (selected) expand(selected); });
  $("p-flow").addEventListener("click", function () { if (selected) { flowState.through = selected; showView("flow"); } });

  // ------------------------------------------------------------------ the flow and the chart (read on demand)
  var flowState = { since: null, until: null, through: null };
  var lastFlow = null, lastChart = null, flowAsked = 0;
  function drawFlow() {
    var u = "/explore/flow?", q = [], asked = ++flowAsked;  // an answer to an earlier request is dropped
    if (flowState.since) q.push("from=" + encodeURIComponent(flowState.since));
    if (flowState.until) q.push("to=" + encodeURIComponent(flowState.until));
    if (flowState.through) q.push("through=" + encodeURIComponent(flowState.through));
    $("flow-summary").textContent = "Counting…";
    return getJSON(u + q.join("&")).then(function (F) {
      if (asked !== flowAsked) return;
      lastFlow = F;
      var span = F.since || F.until ? ", arrested or detained " + (F.since || "(any day)") + " to " + (F.until || "(any day)") : "";
      $("flow-summary").textContent = F.persons.toLocaleString("en") + " person" + (F.persons === 1 ? "" : "s") + span +
        (F.through ? ", through " + F.throughLabel : "") + ". Click an entity to keep the persons who pass through it.";
      $("flow-through").textContent = F.through ? "through: " + F.throughLabel : "";
      repnetViews.drawFlow($("flow-box"), F, function (stage, key) { flowState.through = key; drawFlow(); },
                           ($("main").clientHeight || 700) - 150);
      $("flow-note").textContent = "Every person in the store. A person is counted at every arrest or detention kind, offence, " +
        "court, judge and facility their records name (a column can add up to more than the persons); each column draws its " +
        "10 largest entities, the rest as one \u201cN more\u201d. The last column is the release round, else the status on " +
        "the data's last day (" + (F.lastDay || "none") + "). The date range keeps the persons whose arrest or detention may " +
        "have begun in it; through an entity keeps the persons linked to it. For a report: repnet viz --flow -o flow.svg.";
    }).catch(function (err) { if (asked === flowAsked) $("flow-summary").textContent = err.message; });
  }
  function drawChart() {
    $("chart-summary").textContent = "Counting…";
    return getJSON("/explore/chart").then(function (C) {
      lastChart = C;
      if (!C.months.length) { $("chart-summary").textContent = "No status period or dated sentence in the store."; return; }
      var r = repnetViews.drawChart($("chart-box"), C);
      $("chart-summary").textContent = C.persons.toLocaleString("en") + " persons with a status period; at most " +
        r.peak.toLocaleString("en") + " held on a month's last day (" + r.peakEnd + ").";
      $("chart-note").textContent = C.limits + (C.undatedSentences ? " " + C.undatedSentences.toLocaleString("en") +
        " sentences are dated by less than a month and not counted." : "") + " For a report: repnet viz --chart -o held.svg.";
    }).catch(function (err) { $("chart-summary").textContent = err.message; });
  }
  repnetViews.flowControls(flowState, function () { drawFlow(); });
  // ------------------------------------------------------------------ the overview: groups, opened in place
  // A group is drawn as one node ("group:" + index) on a sunflower spiral, largest in the middle, linked
  // to the others by the relations between their members; a click opens it: its most central members
  // (from /explore/overview?group=) take its place, each with a dashed link to the closed groups it is
  // related to, and every member has the sourced panel and expansion of any other node.
  var OV = null, ovBy = "community", lastGroup = null, openedG = {};
  function groupId(j) { return "group:" + j; }
  function groupAt(j) { var a = j * 2.39996323, r = 110 * Math.sqrt(j); return { x: r * Math.cos(a), y: r * Math.sin(a) }; }
  function groupLine(g) {
    return g.n.toLocaleString("en") + " entities · " + g.p.toLocaleString("en") + " persons" +
      (g.yrs ? " · " + g.yrs.toLocaleString("en") + " sentence-years" : "");
  }
  function clearOverview() {
    nodes.remove(nodes.getIds().filter(function (id) { return String(id).indexOf("group:") === 0; }));
    edges.remove(edges.getIds().filter(function (id) { return /^(glink|xg):/.test(String(id)); }));
    openedG = {};
  }
  function drawOverview() {
    status("Reading the overview…");
    return getJSON("/explore/overview?by=" + encodeURIComponent(ovBy)).then(function (O) {
      OV = O;
      clearOverview();
      var top = O.groups.reduce(function (m, g) { return Math.max(m, g.n); }, 1);
      nodes.add(O.groups.map(function (g, j) {
        var p = groupAt(j), size = 12 + 38 * Math.sqrt(g.n / top);
        return { id: groupId(j), label: (g.l.length > 42 ? g.l.slice(0, 40) + "…" : g.l) + "\n" + g.n.toLocaleString("en"),
                 shape: "dot", size: size, x: p.x, y: p.y, fixed: true, physics: false,
                 color: { background: g.c, border: "#333333" }, borderWidth: 2,
                 font: { size: Math.max(14, Math.round(size / 2)), strokeWidth: 4 } };
      }));
      edges.add(O.links.map(function (l, k) {
        return { id: "glink:" + k, from: groupId(l.a), to: groupId(l.b), color: { color: "#8a94a3", opacity: 0.6 },
                 width: 1 + 2.5 * Math.log10(1 + l.n), physics: false, smooth: false,
                 title: l.n.toLocaleString("en") + " relations · " + l.p.toLocaleString("en") + " persons" };
      }));
      var sel = $("ov-by");
      if (!sel.options.length) {
        O.groupings.forEach(function (b) { var o = el("option", null, b.replace(/-/g, " ")); o.value = b; sel.appendChild(o); });
      }
      sel.value = O.by;
      $("ov-bar").hidden = false;
      status(O.groups.length.toLocaleString("en") + " groups of " + O.nodes.toLocaleString("en") + " entities; click a group to open it.");
      var notes = $("notes");
      notes.textContent = "";
      (O.notes || []).forEach(function (t) { notes.appendChild(el("p", "notice", t)); });
      network.fit({ animation: false });
    }).catch(function (err) { status(err.message, true); });
  }
  function showGroup(j) {
    var g = OV && OV.groups[j];
    if (!g) return;
    $("panel").hidden = true;
    $("gpanel").hidden = false;
    $("g-title").textContent = g.l;
    $("g-size").textContent = groupLine(g);
    $("g-classes").textContent = Object.keys(g.cls).map(function (c) { return g.cls[c].toLocaleString("en") + " " + c; }).join(", ");
    var o = openedG[j], m = $("g-more");
    m.hidden = !o;
    m.textContent = o ? o.shown.toLocaleString("en") + " of " + o.n.toLocaleString("en") + " members drawn (the most central)" +
      (o.more ? "; " + o.more.toLocaleString("en") + " more: expand a member or search a name to reach them." : ".") : "";
    $("g-open").hidden = !!o;
    $("g-open").dataset.group = String(j);
    [["g-top", g.top.map(function (t) { return [t]; })], ["g-courts", g.courts], ["g-fac", g.fac]].forEach(function (x) {
      var ul = $(x[0]);
      ul.textContent = "";
      x[1].forEach(function (r) { ul.appendChild(el("li", null, r[0] + (r.length > 1 ? " (" + r[1].toLocaleString("en") + ")" : ""))); });
    });
  }
  function openGroup(j) {
    if (!OV || openedG[j]) { showGroup(j); return Promise.resolve(); }
    status("Opening " + OV.groups[j].l + "…");
    var at = groupAt(j);
    return getJSON("/explore/overview?by=" + encodeURIComponent(ovBy) + "&group=" + j).then(function (d) {
      lastGroup = d;
      var fresh = d.nodes.filter(function (n) { return !nodes.get(n.id); }).map(function (n) { return n.id; });
      addData(d);
      nodes.update(fresh.map(function (id, i) {
        var a = i * 2.39996323, r = 18 * Math.sqrt(i);
        return { id: id, x: at.x + r * Math.cos(a), y: at.y + r * Math.sin(a) };
      }));
      openedG[j] = { n: d.n, shown: d.shown, more: d.more };
      nodes.remove(groupId(j));
      edges.remove(edges.get().filter(function (e) { return e.to === groupId(j) || e.from === groupId(j); }).map(function (e) { return e.id; }));
      edges.add(d.xlinks.filter(function (x) { return !openedG[x[1]] && nodes.get(groupId(x[1])); }).map(function (x) {
        return { id: "xg:" + d.nodes[x[0]].id + ":" + x[1], from: d.nodes[x[0]].id, to: groupId(x[1]), dashes: true,
                 color: { color: "#8a94a3", opacity: 0.7 }, width: 1 + Math.log10(x[2]),
                 title: x[2].toLocaleString("en") + " relation" + (x[2] === 1 ? "" : "s") + " to members of " + OV.groups[x[1]].l };
      }).filter(function (e) { return !edges.get(e.id); }));
      status(d.l + ": " + d.shown.toLocaleString("en") + " of " + d.n.toLocaleString("en") + " members drawn" +
             (d.more ? "; " + d.more.toLocaleString("en") + " more" : "") + ".");
      var notes = $("notes");
      notes.textContent = "";
      (d.notes || []).forEach(function (t) { notes.appendChild(el("p", "notice", t)); });
      showGroup(j);
    }).catch(function (err) { status(err.message, true); });
  }
  $("g-open").addEventListener("click", function () { openGroup(Number($("g-open").dataset.group)); });
  $("ov-by").addEventListener("change", function () { ovBy = $("ov-by").value; drawOverview(); });

  function showView(name) {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-save]"), function (b) {
    b.addEventListener("click", function () {
      var what = b.getAttribute("data-save");
      repnetViews.download($(what + "-box"), what === "flow" ? "repnet-flow" : "repnet-held-over-time", b.getAttribute("data-fmt"))
        .catch(function (err) { status(err.message, true); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("#tabs .tab"), function (b) {
      var on = b.getAttribute("data-view") === name;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    $("net").hidden = name !== "net" && name !== "overview";
    $("flow-view").hidden = name !== "flow";
    $("chart-view").hidden = name !== "chart";
    if (name === "flow") return drawFlow();
    if (name === "chart") return drawChart();
    if (name === "overview" && !OV) return drawOverview();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#tabs .tab"), function (b) {
    b.addEventListener("click", function () { showView(b.getAttribute("data-view")); });
  });
  // for tests
  window.repnetExplore = { lastFlow: function () { return lastFlow; }, lastChart: function () { return lastChart; },
                           lastOverview: function () { return OV; }, lastGroup: function () { return lastGroup; },
                           openGroup: openGroup, show: show, nodes: nodes, edges: edges, showView: showView };
  function groupOf(id) { return String(id).indexOf("group:") === 0 ? Number(String(id).slice(6)) : null; }
  network.on("click", function (p) {
    if (!p.nodes.length) return;
    var j = groupOf(p.nodes[0]);
    if (j === null) show(p.nodes[0]); else openGroup(j);
  });
  network.on("doubleClick", function (p) { if (p.nodes.length && groupOf(p.nodes[0]) === null) expand(p.nodes[0]); });
  document.body.dataset.ready = "true";
})();
