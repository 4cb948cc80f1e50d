/* repnet: the flow diagram and the held-over-time chart, drawn as SVG. One script for the offline
   page (inlined, graph/viz/page.py) and the live explorer (/static/views.js, graph/web/server.py).

   Safety: every text from the data goes into the SVG as text nodes (textContent, <title>); no
   markup is ever parsed. Exposes window.repnetViews = {drawFlow, drawChart, download, flowControls}. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function titled(e, text) { e.appendChild(svg("title", null, text)); return e; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function num(n) { return Number(n).toLocaleString("en"); }
  var FLOW_COLOURS = ["#d62728", "#c44e8a", "#6b4c9a", "#8c564b", "#5c5c5c", "#17becf"];

  // A flow: {stages, stageLabels, persons, nodes: [[[key, label, n], ...] per stage, largest first],
  // links: [[stage index, key, next stage's key, n], ...]}. onPick(stage, key) is called on a click
  // on an entity (not on "(none stated)" or "N more").
  function drawFlow(box, F, onPick, height) {
    clear(box);
    var S = F.stages;
    var W = Math.max(1150, (box.clientWidth || 900) - 4), H = Math.max(420, height || 600);
    var top = 22, right = 200, colW = (W - right - 20) / Math.max(1, S.length - 1), gap = 6, barW = 12;
    var unit = Infinity;
    F.nodes.forEach(function (col) {
      var total = col.reduce(function (a, x) { return a + x[2]; }, 0);
      if (total) unit = Math.min(unit, (H - top - gap * Math.max(0, col.length - 1)) / total);
    });
    if (!isFinite(unit)) unit = 1;
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Flow diagram" });
    var place = S.map(function () { return new Map(); });
    var bands = svg("g"), bars = svg("g");
    F.nodes.forEach(function (col, j) {
      var x = 10 + j * colW, y = top;
      root.appendChild(svg("text", { x: x, y: 13, "class": "stage" }, F.stageLabels[j]));
      col.forEach(function (node) {
        var key = node[0], label = node[1], n = node[2], h = Math.max(1, n * unit);
        place[j].set(key, { out: y, inn: y });
        var g = svg("g", { "class": "fnode", "data-stage": S[j], "data-key": key, "data-n": n });
        g.appendChild(titled(svg("rect", { x: x, y: y, width: barW, height: h, fill: FLOW_COLOURS[j % 6] }),
          label + ": " + num(n) + " persons"));
        var name = label.length > 26 ? label.slice(0, 25) + "…" : label;
        if (h >= 9 || col.length <= 14) g.appendChild(svg("text", { x: x + barW + 3, y: y + h / 2 + 4 }, name + " (" + num(n) + ")"));
        if (onPick && /^(https?:|urn:)/.test(key)) g.addEventListener("click", function () { onPick(S[j], key); });
        bars.appendChild(g);
        y += h + gap;
      });
    });
    F.links.slice().sort(function (a, b) { return b[3] - a[3]; }).forEach(function (l) {
      var j = l[0], a = place[j].get(l[1]), b = place[j + 1].get(l[2]);
      if (!a || !b) return;
      var w = Math.max(0.5, l[3] * unit), x0 = 10 + j * colW + barW, x1 = 10 + (j + 1) * colW;
      var y0 = a.out + w / 2, y1 = b.inn + w / 2, xm = (x0 + x1) / 2;
      a.out += w;
      b.inn += w;
      bands.appendChild(titled(svg("path", { d: "M" + x0 + "," + y0 + " C" + xm + "," + y0 + " " + xm + "," + y1 + " " + x1 + "," + y1,
        fill: "none", stroke: FLOW_COLOURS[j % 6], "stroke-opacity": 0.3, "stroke-width": w }), num(l[3]) + " persons"));
    });
    root.appendChild(bands);
    root.appendChild(bars);
    box.appendChild(root);
  }

  var CHART_COLOURS = { "stated": "#d62728", "last known": "#f2a2a3", "possible": "#f6d5d5", sentenced: "#6b4c9a", released: "#2ca02c" };
  // The chart: graph/viz/chart.py monthly() (months, ends, held: {stated, last known, possible}, released, sentenced).
  function drawChart(box, C) {
    clear(box);
    var kinds = ["stated", "last known", "possible"], n = C.months.length;
    var held = C.months.map(function (_, i) { return kinds.reduce(function (a, k) { return a + C.held[k][i]; }, 0); });
    var peak = Math.max.apply(null, held.concat([1]));
    var W = Math.max(600, (box.clientWidth || 900) - 4), left = 54, right = 12, topH = 260, lowH = 110, gapH = 40;
    var base = 24 + topH + gapH + lowH, H = base + 80, bw = (W - left - right) / Math.max(1, n);
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Persons held over time" });
    var lowPeak = Math.max.apply(null, C.sentenced.concat(C.released, [1]));
    function axis(y0, h, max, title) {
      root.appendChild(svg("text", { x: 4, y: y0 - 8, "class": "axis-title" }, title));
      [0, 0.5, 1].forEach(function (f) {
        var y = y0 + h - f * h;
        root.appendChild(svg("line", { x1: left - 4, x2: W - right, y1: y, y2: y, stroke: "#e3e6ea" }));
        root.appendChild(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, num(Math.round(f * max))));
      });
    }
    axis(24, topH, peak, "persons held on the month's last day");
    axis(24 + topH + gapH, lowH, lowPeak, "persons sentenced and released in the month");
    C.months.forEach(function (m, i) {
      var x = left + i * bw, y = 24 + topH;
      kinds.forEach(function (k) {
        var v = C.held[k][i];
        if (!v) return;
        var h = v / peak * topH;
        y -= h;
        root.appendChild(titled(svg("rect", { x: x + 0.5, y: y, width: Math.max(1, bw - 1), height: h, fill: CHART_COLOURS[k],
          "class": "held", "data-month": m, "data-kind": k, "data-n": v }), m + ": " + num(v) + " held (" + k + ")"));
      });
      [["sentenced", 0], ["released", 1]].forEach(function (sr) {
        var v = C[sr[0]][i];
        if (!v) return;
        var h = v / lowPeak * lowH;
        root.appendChild(titled(svg("rect", { x: x + 0.5 + sr[1] * bw / 2, y: base - h, width: Math.max(0.5, bw / 2 - 0.5), height: h,
          fill: CHART_COLOURS[sr[0]], "class": sr[0], "data-month": m, "data-n": v }), m + ": " + num(v) + " " + sr[0]));
      });
      if (i % Math.max(1, Math.ceil(n / 14)) === 0) {
        root.appendChild(svg("text", { x: x, y: base + 14, transform: "rotate(40 " + x + " " + (base + 14) + ")" }, m));
      }
    });
    var lx = left;
    kinds.map(function (k) { return ["held (" + k + ")", CHART_COLOURS[k]]; })
      .concat([["sentenced", CHART_COLOURS.sentenced], ["released", CHART_COLOURS.released]]).forEach(function (l) {
        root.appendChild(svg("rect", { x: lx, y: H - 14, width: 10, height: 10, fill: l[1] }));
        root.appendChild(svg("text", { x: lx + 14, y: H - 5 }, l[0]));
        lx += 14 + l[0].length * 6.5 + 16;
      });
    box.appendChild(root);
    return { peak: peak, peakEnd: C.ends[held.indexOf(peak)] };
  }

  // Downloads of a drawn view (box: the element drawFlow or drawChart drew into) for reports: the
  // SVG as drawn (with its text style and a white background), or a PNG of it at twice the size
  // (drawn on a canvas from a data: image). Saved through a blob: link; nothing leaves the page.
  var SVG_STYLE = "text { font: 11px system-ui, sans-serif; fill: #1d2433; } " +
    "text.stage, text.axis-title { font-weight: 600; font-size: 12px; }";
  function svgText(box) {
    var root = box.querySelector("svg");
    if (!root) return null;
    var copy = root.cloneNode(true);
    copy.setAttribute("xmlns", NS);
    var style = svg("style", null, SVG_STYLE);
    copy.insertBefore(style, copy.firstChild);
    copy.insertBefore(svg("rect", { x: 0, y: 0, width: "100%", height: "100%", fill: "#ffffff" }), style.nextSibling);
    return new XMLSerializer().serializeToString(copy);
  }
  function saveBlob(blob, file) {
    var a = document.createElement("a"), url = URL.createObjectURL(blob);
    a.href = url;
    a.download = file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function download(box, name, fmt) {
    var text = svgText(box);
    if (!text) return Promise.resolve(false);
    if (fmt === "svg") { saveBlob(new Blob([text], { type: "image/svg+xml" }), name + ".svg"); return Promise.resolve(true); }
    var root = box.querySelector("svg"), w = Number(root.getAttribute("width")), h = Number(root.getAttribute("height"));
    return new Promise(function (done, fail) {
      var img = new Image();
      img.onload = function () {
        var c = document.createElement("canvas"), ctx = c.getContext("2d");
        c.width = 2 * w;
        c.height = 2 * h;
        ctx.scale(2, 2);
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(0, 0, w, h);
        ctx.drawImage(img, 0, 0, w, h);
        c.toBlob(function (blob) {
          if (!blob) { fail(new Error("the picture could not be made")); return; }
          saveBlob(blob, name + ".png");
          done(true);
        }, "image/png");
      };
      img.onerror = function () { fail(new Error("the picture could not be drawn")); };
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
    });
  }

  // The flow's date fields and its "clear" button, the same on both pages: ``state`` ({since,
  // until, through}) is changed in place, then ``draw`` redraws the flow.
  function flowControls(state, draw) {
    var byId = function (id) { return document.getElementById(id); };
    byId("flow-from").addEventListener("change", function () { state.since = byId("flow-from").value || null; draw(); });
    byId("flow-to").addEventListener("change", function () { state.until = byId("flow-to").value || null; draw(); });
    byId("flow-clear").addEventListener("click", function () {
      state.since = state.until = state.through = null;
      byId("flow-from").value = "";
      byId("flow-to").value = "";
      draw();
    });
  }

  window.repnetViews = { drawFlow: drawFlow, drawChart: drawChart, download: download, flowControls: flowControls };
})();
