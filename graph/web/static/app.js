// repnet query page: a textarea editor, the saved queries as examples, results as a table or raw text.
// Everything that comes from the data is put into the page with textContent or setAttribute, never
// as HTML. No other origin is contacted: the page, its script and style and all requests are local.
// A chosen saved query shows a field for each of its parameters and runs by name (queries/NAME),
// its parameters bound by the server as `repnet query NAME --param k=v` binds them; it does not run
// without its required parameters. Editing its text makes it a plain query (POSTed to sparql).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const MEDIA = {
    json: "application/sparql-results+json", xml: "application/sparql-results+xml", csv: "text/csv",
    tsv: "text/tab-separated-values", turtle: "text/turtle", ntriples: "application/n-triples",
    jsonld: "application/ld+json", rdfxml: "application/rdf+xml",
  };
  const SHOWN_ROWS = 1000;
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;
  let prefixes = [];
  let queries = {};
  let saved = null;  // the chosen saved query while the editor holds its text unchanged
  const PLACEHOLDER = {
    person: "a name, a name variant or an IRI", organization: "a name or an IRI", entity: "a name or an IRI",
    date: "YYYY-MM-DD", int: "a whole number", iri: "an absolute IRI", text: "text",
  };

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function shorten(iri) {
    let best = null;
    for (const [p, ns] of prefixes) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
  }

  function termText(t) {
    if (t.type === "uri") return shorten(t.value);
    if (t.type === "bnode") return "_:" + t.value;
    if (t.type === "triple") {
      const v = t.value;
      return "<< " + termText(v.subject) + " " + termText(v.predicate) + " " + termText(v.object) + " >>";
    }
    return t.value;
  }

  // An IRI that can be written between < and > in a query (anything else is only shown).
  const SAFE_IRI = /^[^\s<>"{}|^`\\]+$/;

  function explore(iri) {
    forgetSaved();
    $("query").value = "# Everything stated about one entity, with the graph (source) that states it\n" +
      "SELECT ?property ?value ?graph WHERE {\n  GRAPH ?graph { <" + iri + "> ?property ?value }\n}\nORDER BY ?property ?value";
    $("format").value = "table";
    run();
  }

  function cell(t) {
    const td = el("td");
    if (!t) return td;
    if (t.type === "uri") {
      if (SAFE_IRI.test(t.value)) {
        const a = el("a", shorten(t.value));
        a.setAttribute("href", "#");
        a.setAttribute("title", t.value + "\n(click: show what the store says about it)");
        a.addEventListener("click", (ev) => { ev.preventDefault(); explore(t.value); });
        td.appendChild(a);
      } else {
        td.textContent = t.value;
      }
    } else if (t.type === "literal") {
      td.appendChild(document.createTextNode(t.value));
      if (t["xml:lang"]) td.appendChild(el("span", "@" + t["xml:lang"], "lang"));
      if (t.datatype) {
        td.setAttribute("title", t.datatype);
        if (NUMERIC.test(t.datatype)) td.className = "num";
        else td.appendChild(el("span", shorten(t.datatype), "dt"));
      }
    } else {
      td.textContent = termText(t);
    }
    return td;
  }

  function clearResults() {
    for (const id of ["error", "notice", "table", "raw"]) $(id).hidden = true;
    $("error").textContent = "";
    $("notice").textContent = "";
    $("raw").textContent = "";
    $("table").tHead.replaceChildren();
    $("table").tBodies[0].replaceChildren();
  }

  function showTable(data) {
    const table = $("table");
    const head = el("tr");
    const vars = data.head.vars || [];
    for (const v of vars) head.appendChild(el("th", v));
    table.tHead.appendChild(head);
    const body = table.tBodies[0];
    const rows = data.results.bindings;
    for (const b of rows.slice(0, SHOWN_ROWS)) {
      const tr = el("tr");
      for (const v of vars) tr.appendChild(cell(b[v]));
      body.appendChild(tr);
    }
    table.hidden = false;
    if (rows.length > SHOWN_ROWS) {
      note("The table shows the first " + SHOWN_ROWS + " of " + rows.length + " rows; use another format or the link for all.");
    }
    return rows.length;
  }

  function note(text) {
    const n = $("notice");
    n.textContent = n.textContent ? n.textContent + " " + text : text;
    n.hidden = false;
  }

  function linkFor(q, fmt) {
    const params = saved ? paramValues() : new URLSearchParams({ query: q });
    if (fmt !== "table") params.set("format", fmt);
    return (saved ? "queries/" + encodeURIComponent(saved.name) + "?" : "sparql?") + params.toString();
  }

  // The saved query's parameters that have a value, as the server takes them (name=value).
  function paramValues() {
    const out = new URLSearchParams();
    for (const p of saved.params) {
      const v = $("param-" + p.name).value.trim();
      if (v) out.set(p.name, v);
    }
    return out;
  }

  // The first required parameter without a value, or null.
  function missingParam() {
    for (const p of saved.params) {
      if (p.required && !$("param-" + p.name).value.trim()) return p;
    }
    return null;
  }

  function showParams(qd) {
    const box = $("params");
    box.replaceChildren();
    for (const p of qd.params) {
      const label = el("label", p.name + (p.required ? " (required)" : ""));
      label.setAttribute("for", "param-" + p.name);
      const input = el("input");
      input.id = "param-" + p.name;
      input.type = "text";
      input.setAttribute("placeholder", PLACEHOLDER[p.kind] || p.kind);
      input.setAttribute("aria-required", p.required ? "true" : "false");
      input.addEventListener("input", updateLink);
      input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); run(); } });
      box.append(label, input, el("p", p.kind + ": " + p.help, "help"));
    }
    box.hidden = qd.params.length === 0;
  }

  function forgetSaved() {
    if (!saved) return;
    saved = null;
    $("examples").value = "";
    $("params").replaceChildren();
    $("params").hidden = true;
    $("example-help").textContent = "";
  }

  function updateLink() {
    $("link").setAttribute("href", linkFor($("query").value, $("format").value));
  }

  async function run() {
    const q = $("query").value;
    const fmt = $("format").value;
    updateLink();
    clearResults();
    const missing = saved ? missingParam() : null;
    if (missing) {
      $("error").textContent = "The saved query " + saved.name + " needs a value for " + missing.name + " (" +
        missing.kind + ": " + missing.help + "). Fill it in above, then run it.";
      $("error").hidden = false;
      $("status").textContent = "";
      $("param-" + missing.name).focus();
      return;
    }
    $("run").disabled = true;
    $("status").textContent = "running …";
    const t0 = performance.now();
    try {
      const accept = fmt === "table" ? MEDIA.json + ", " + MEDIA.turtle + ";q=0.9" : MEDIA[fmt];
      const resp = await fetch(saved ? "queries/" + encodeURIComponent(saved.name) : "sparql", {
        method: "POST",
        headers: { "Accept": accept, "Content-Type": "application/x-www-form-urlencoded" },
        body: saved ? paramValues() : new URLSearchParams({ query: q }),
      });
      const text = await resp.text();
      const secs = ((performance.now() - t0) / 1000).toFixed(2);
      if (!resp.ok) {
        $("error").textContent = text;
        $("error").hidden = false;
        $("status").textContent = "error " + resp.status + " after " + secs + " s";
        return;
      }
      const ctype = (resp.headers.get("Content-Type") || "").split(";")[0];
      let count = resp.headers.get("X-Repnet-Rows");
      if (fmt === "table" && ctype === MEDIA.json) {
        const data = JSON.parse(text);
        if ("boolean" in data) {
          $("raw").textContent = data.boolean ? "true" : "false";
          $("raw").hidden = false;
          count = null;
        } else {
          count = showTable(data);
        }
      } else {
        $("raw").textContent = text;
        $("raw").hidden = false;
      }
      if (resp.headers.get("X-Repnet-Truncated") === "true") {
        note("The answer was cut at the endpoint's row limit (--max-rows): not every result is shown.");
      }
      const unit = ctype === MEDIA.json || ctype === MEDIA.xml || ctype === MEDIA.csv || ctype === MEDIA.tsv ? "rows" : "triples";
      $("status").textContent = (count === null ? "" : count + " " + unit + " · ") + secs + " s";
    } catch (err) {
      $("error").textContent = "The request failed: " + err;
      $("error").hidden = false;
      $("status").textContent = "";
    } finally {
      $("run").disabled = false;
    }
  }

  function describeParams(qd) {
    if (!qd.params.length) return "";
    return "\nFill in its parameters below (as `repnet query " + qd.name + " --param name=…` takes them). " +
      "Editing the query makes it your own, run without them.";
  }

  async function loadExamples() {
    try {
      const [qs, px] = await Promise.all([fetch("queries.json"), fetch("prefixes.json")]);
      prefixes = Object.entries(await px.json());
      const select = $("examples");
      for (const qd of await qs.json()) {
        queries[qd.name] = qd;
        const opt = el("option", qd.name + " — " + qd.description);
        opt.value = qd.name;
        select.appendChild(opt);
      }
      select.dataset.loaded = "true";
    } catch (err) {
      $("example-help").textContent = "The saved queries could not be loaded: " + err;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("endpoint").textContent = new URL("sparql", document.baseURI).href;
    $("examples").addEventListener("change", (ev) => {
      const qd = queries[ev.target.value];
      if (!qd) { forgetSaved(); updateLink(); return; }
      saved = qd;
      $("query").value = qd.text;
      $("example-help").textContent = qd.description + describeParams(qd);
      showParams(qd);
      updateLink();
    });
    $("run").addEventListener("click", run);
    $("format").addEventListener("change", updateLink);
    $("query").addEventListener("input", () => {
      if (saved && $("query").value !== saved.text) forgetSaved();
      updateLink();
    });
    $("query").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
    });
    updateLink();
    loadExamples();
  });
})();
