// The live explorer (/explore under `repnet serve`): search names, expand neighbourhoods, read
// sourced facts. Every text from the data reaches the page through textContent; links are set
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
      var st = styles[n.c] || { color: "#999999", shape: "dot" };
      var item = { id: n.id, label: n.l.length > 42 ? n.l.slice(0, 40) + "…" : n.l, shape: st.shape,
                   color: { background: st.color, border: "#333333" }, size: 14 };
      if (nodes.get(n.id)) nodes.update(item); else nodes.add(item);
    });
    d.edges.forEach(function (e) {
      var a = d.nodes[e.a].id, b = d.nodes[e.b].id;
      var r = relStyle[e.r] || { color: "#888888", label: e.r, directed: true };
      if (!edges.get(e.id)) {
        edges.add({ id: e.id, from: a, to: b, label: r.label, color: { color: r.color },
                    arrows: { to: { enabled: !!r.directed, scaleFactor: 0.55 } } });
        [a, b].forEach(function (x) {
          (rels[x] = rels[x] || []).push({ a: a, b: b, r: r.label, date: e.since || e.date || "", words: e.words, src: src(e.src) });
        });
      }
    });
  }

  function expand(iri) {
    status("Expanding…");
    return getJSON("/explore/neighbours?iri=" + encodeURIComponent(iri)).then(function (d) {
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

  $("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = $("q").value.trim();
    var list = $("results");
    list.textContent = "";
    if (q.length < 2) { status("Type at least two letters.", true); return; }
    status("Searching…");
    getJSON("/explore/search?q=" + encodeURIComponent(q)).then(function (d) {
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
  network.on("click", function (p) { if (p.nodes.length) show(p.nodes[0]); });
  network.on("doubleClick", function (p) { if (p.nodes.length) expand(p.nodes[0]); });
  document.body.dataset.ready = "true";
})();
