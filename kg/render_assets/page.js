/* kg graph page. Every string in the data comes from articles and is untrusted:
   it reaches the page only through textContent, DataSet labels drawn on the canvas,
   or href after an http(s) check. Nothing here uses innerHTML, eval or the network. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function safeHref(url) {
    if (typeof url !== "string") { return null; }
    try {
      var u = new URL(url);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (err) { return null; }
  }
  function link(text, url) {
    var href = safeHref(url);
    if (!href) { return el("span", text); }
    var a = el("a", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  function num(n) { return typeof n === "number" ? n.toLocaleString("en-US") : String(n); }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var labels = data.labels || {};
  function labelOf(id) {
    var n = nodes.get(id);
    return n ? n.kgLabel : (labels[id] || id);
  }

  // -- filters -----------------------------------------------------------------------------
  var state = { relations: new Set(data.relations), types: new Set(data.types),
                articles: new Set(data.articles.map(function (a, i) { return i; })) };
  var visibleNodes = new Set();
  function anyArticle(list) {
    if (!list || !list.length) { return true; }
    for (var i = 0; i < list.length; i++) { if (state.articles.has(list[i])) { return true; } }
    return false;
  }
  function computeVisibleNodes() {
    visibleNodes = new Set();
    nodes.forEach(function (n) {
      if (state.types.has(n.kgType) && anyArticle(n.kgArticles)) { visibleNodes.add(n.id); }
    });
  }
  computeVisibleNodes();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visibleNodes.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: function (e) {
    return state.relations.has(e.kgRelation) && anyArticle(e.kgArticles) &&
      visibleNodes.has(e.from) && visibleNodes.has(e.to);
  } });
  function refresh() {
    computeVisibleNodes();
    nodeView.refresh();
    edgeView.refresh();
    summary();
  }

  function checkbox(container, text, checked, onChange, swatch) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", function () { onChange(box.checked); refresh(); });
    label.appendChild(box);
    if (swatch) { label.appendChild(swatch); }
    label.appendChild(el("span", text));
    container.appendChild(label);
    return box;
  }
  function allNone(fieldset, boxes) {
    var row = el("div", null, "all-none");
    [["all", true], ["none", false]].forEach(function (pair) {
      var b = el("button", pair[0]);
      b.type = "button";
      b.addEventListener("click", function () {
        boxes.forEach(function (box) { if (box.checked !== pair[1]) { box.click(); } });
      });
      row.appendChild(b);
    });
    fieldset.appendChild(row);
  }
  var filterBoxes = [];
  function buildFilters() {
    var rel = $("filter-relations"), types = $("filter-types"), arts = $("filter-articles");
    var relBoxes = data.relations.map(function (r) {
      var sw = el("span", null, "line" + (r === "denies" ? " dashed" : ""));
      sw.style.borderTopColor = data.relationColours[r] || data.relationColours[""];
      var box = checkbox(rel, r, true, function (on) { on ? state.relations.add(r) : state.relations.delete(r); }, sw);
      box.dataset.relation = r;
      return box;
    });
    var typeBoxes = data.types.map(function (t) {
      var sw = el("span", null, "swatch" + (t === "Claim" ? " diamond" : ""));
      sw.style.background = data.colours[t];
      var box = checkbox(types, t, true, function (on) { on ? state.types.add(t) : state.types.delete(t); }, sw);
      box.dataset.type = t;
      return box;
    });
    if (data.articles.length > 1) { allNone(arts, []); }
    var scroll = el("div", null, "scroll");
    arts.appendChild(scroll);
    var artBoxes = data.articles.map(function (a, i) {
      var text = (a.title || a.source || a.id) + (a.publisher ? " — " + a.publisher : "") +
        (a.issued ? ", " + a.issued : "");
      var box = checkbox(scroll, text, true, function (on) { on ? state.articles.add(i) : state.articles.delete(i); });
      box.dataset.article = String(i);
      return box;
    });
    if (data.articles.length > 1) {
      arts.removeChild(arts.querySelector(".all-none"));
      allNone(arts, artBoxes);
      arts.insertBefore(arts.lastChild, scroll);
    }
    filterBoxes = relBoxes.concat(typeBoxes, artBoxes);
  }
  function resetFilters() {
    filterBoxes.forEach(function (b) { b.checked = true; });
    state.relations = new Set(data.relations);
    state.types = new Set(data.types);
    state.articles = new Set(data.articles.map(function (a, i) { return i; }));
    refresh();
  }

  // -- legend --------------------------------------------------------------------------------
  function legendRow(box, swatch, text) {
    var row = el("div", null, "legend-row");
    row.appendChild(swatch);
    row.appendChild(el("span", text));
    box.appendChild(row);
  }
  function buildLegend() {
    var box = $("legend");
    Object.keys(data.colours).forEach(function (t) {
      if (data.types.indexOf(t) < 0) { return; }
      var sw = el("span", null, "swatch" + (t === "Claim" ? " diamond" : ""));
      sw.style.background = data.colours[t];
      legendRow(box, sw, t === "Claim" ? "Claim somebody confirmed or denied" : t);
    });
    var lines = [["deploys", "", "deploys"], ["confirms", "", "confirms (speaker → claim)"],
                 ["denies", "dashed", "denies (speaker → claim)"], ["", "", "other relation"]];
    lines.forEach(function (l) {
      var sw = el("span", null, "line " + l[1]);
      sw.style.borderTopColor = data.relationColours[l[0]];
      legendRow(box, sw, l[2]);
    });
    var part = el("span", null, "line dotted");
    part.style.borderTopColor = "#a0a0a0";
    legendRow(box, part, "claim ↔ its subject and object");
    box.appendChild(el("p", "Node size: centrality. Edge width: number of supporting articles.", "legend-note"));
  }

  // -- evidence panel -------------------------------------------------------------------------
  var panel = $("panel");
  var pinned = false;
  function clearPanel() { while (panel.firstChild) { panel.removeChild(panel.firstChild); } }
  function quantityText(q) {
    if (!q) { return null; }
    var range = q.min === q.max || q.max === null ? num(q.min) : num(q.min) + "–" + num(q.max);
    var out = range + (q.unit ? " " + q.unit : "");
    return q.text && q.text !== out ? out + " (“" + q.text + "”)" : out;
  }
  function articleLine(a) {
    var p = el("p", null, "source");
    if (!a) { p.textContent = "source article unknown"; return p; }
    p.appendChild(link(a.title || a.source || a.id, a.url));
    var rest = [a.publisher, a.issued].filter(Boolean).join(", ");
    if (rest) { p.appendChild(document.createTextNode(" — " + rest)); }
    if (a.source) { p.appendChild(el("span", " · " + a.source, "iri")); }
    return p;
  }
  function factBlock(fid, head) {
    var f = data.facts[fid];
    var box = el("article", null, "fact " + (f ? f.relation : ""));
    if (!f) { box.appendChild(el("p", "fact " + fid + " is not in this page")); return box; }
    if (head) {
      var ends = [f.subject ? labelOf(f.subject) : "?", f.relation,
                  f.object ? labelOf(f.object) : (f.claim ? "(a claim)" : "")];
      box.appendChild(el("p", ends.join(" ").trim(), "fact-head"));
    }
    box.appendChild(el("blockquote", f.text || "(no sentence recorded)"));
    box.appendChild(articleLine(data.articles[f.article]));
    var dl = el("dl");
    function row(k, v) { if (v !== null && v !== undefined && v !== "") { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); } }
    row("Figures", quantityText(f.quantity));
    row("Time", f.time);
    row("Where", f.location ? labelOf(f.location) : null);
    row("Confidence", typeof f.confidence === "number" ? f.confidence.toFixed(2) : null);
    row("Said by", f.attributedTo ? labelOf(f.attributedTo) : null);
    row("Hedged", f.hedged ? "yes (reported with doubt)" : null);
    row("Only claimed", f.isClaim ? "yes (content of a confirmation or denial)" : null);
    row("Trigger", f.trigger);
    row("Characters", typeof f.start === "number" ? f.start + "–" + f.end : null);
    box.appendChild(dl);
    return box;
  }
  function figures(factIds) {
    var seen = [];
    factIds.forEach(function (fid) {
      var f = data.facts[fid];
      if (f && f.quantity) {
        var a = data.articles[f.article];
        seen.push(quantityText(f.quantity) + (a ? " — " + (a.publisher || a.title || a.source) : ""));
      }
    });
    if (!seen.length) { return null; }
    var box = el("div", null, "figures");
    box.appendChild(el("strong", "Figures reported"));
    var ul = el("ul");
    seen.forEach(function (s) { ul.appendChild(el("li", s)); });
    box.appendChild(ul);
    return box;
  }
  // the claims view (kg claims): every source's statement about one claim, side by side
  function claimRows(c) {
    var cols = data.claimColumns;
    return c.rows.map(function (arr) {
      var r = {};
      cols.forEach(function (k, i) { r[k] = arr[i]; });
      var f = data.facts[r.fact];
      if (f) {  // a drawn statement: its sentence and written figure are in the page's facts
        r.evidence = f.text;
        r.written = f.quantity ? f.quantity.text : null;
      }
      return r;
    });
  }
  function claimView(cid) {
    var c = data.claims && data.claims[cid];
    if (!c) { return null; }
    var rows = claimRows(c);
    var box = el("section", null, "claim-view");
    box.dataset.claim = cid;
    box.appendChild(el("h2", "Sources side by side"));
    var n = c.articles;
    box.appendChild(el("p", c.label, "claim-label"));
    box.appendChild(el("p", n + " article" + (n === 1 ? "" : "s") + " · figures: " +
      (c.figures.length ? c.figures.join("; ") : "none given"), "claim-summary"));
    var denials = rows.filter(function (r) { return r.stance === "denies"; }).map(function (r) {
      return (r.speaker || r.source) + " (" + [r.speaker ? r.source : null, r.when].filter(Boolean).join(", ") + ")";
    });
    if (c.disputed) { box.appendChild(el("p", "Disputed: denied by " + denials.join("; "), "flag disputed")); }
    c.conflicts.forEach(function (text) { box.appendChild(el("p", "Figures disagree: " + text, "flag figures")); });
    var table = el("table", null, "claim-table");
    var head = el("tr");
    ["Source", c.unit || "Figure", "Said", "Stance"].forEach(function (h) { head.appendChild(el("th", h)); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (r) {
      var tr = el("tr", null, r.stance + (r.conflict ? " conflict" : ""));
      tr.title = (r.written ? "“" + r.written + "” — " : "") + (r.evidence || "");
      var src = el("td");
      var a = r.article === null || r.article === undefined ? null : data.articles[r.article];
      src.appendChild(a ? link(r.source, a.url) : el("span", r.source));
      tr.appendChild(src);
      var fig = el("td", r.number ? r.number + (r.unit && r.unit !== c.unit ? " " + r.unit : "") : "—");
      if (r.time) { fig.appendChild(el("div", "in " + r.time, "said-by")); }
      tr.appendChild(fig);
      tr.appendChild(el("td", r.when || "—"));
      var stance = el("td", r.stance + (r.hedged ? " (hedged)" : ""));
      if (r.speaker) { stance.appendChild(el("div", (r.stance === "asserts" ? "per " : "by ") + r.speaker, "said-by")); }
      tr.appendChild(stance);
      body.appendChild(tr);
    });
    table.appendChild(body);
    var scroll = el("div", null, "claim-scroll");
    scroll.appendChild(table);
    box.appendChild(scroll);
    box.appendChild(el("p", "Hover over a row for its sentence. In: when it happened; said: when it was said " +
      "(else published); per/by: whom the source quotes, who confirms or denies.", "legend-note"));
    return box;
  }
  function claimsOf(factIds) {
    var seen = [];
    factIds.forEach(function (fid) {
      var f = data.facts[fid];
      if (f && f.about && data.claims && data.claims[f.about] && seen.indexOf(f.about) < 0) { seen.push(f.about); }
    });
    return seen;
  }
  function goButton(text, fn) {
    var b = el("button", text, "linklike");
    b.type = "button";
    b.addEventListener("click", fn);
    return b;
  }
  function header(text, type) {
    var badge = el("span", type, "badge");
    badge.style.background = data.colours[type] || "#999";
    panel.appendChild(badge);
    panel.appendChild(el("h3", text));
  }
  function showEdge(id) {
    var e = edges.get(id);
    if (!e) { return; }
    if (e.kgKind === "claim-subject" || e.kgKind === "claim-object") {
      return showNode(e.kgKind === "claim-subject" ? e.to : e.from);
    }
    clearPanel();
    var from = labelOf(e.from), to = labelOf(e.to);
    panel.appendChild(el("h3", from + " " + e.kgRelation + " " + to));
    var n = e.kgArticles.length;
    panel.appendChild(el("p", e.kgFacts.length + " statement" + (e.kgFacts.length === 1 ? "" : "s") +
      " in " + n + " article" + (n === 1 ? "" : "s")));
    var nav = el("p");
    nav.appendChild(goButton(from, function () { showNode(e.from); }));
    nav.appendChild(document.createTextNode(" → "));
    nav.appendChild(goButton(to, function () { showNode(e.to); }));
    panel.appendChild(nav);
    var views = e.kgKind === "fact" ? claimsOf(e.kgFacts) : [];
    views.forEach(function (cid) { panel.appendChild(claimView(cid)); });
    var fig = views.length ? null : figures(e.kgFacts);
    if (fig) { panel.appendChild(fig); }
    panel.appendChild(el("h2", "Evidence"));
    e.kgFacts.forEach(function (fid) { panel.appendChild(factBlock(fid, false)); });
  }
  function showNode(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    clearPanel();
    header(n.kgLabel, n.kgType);
    panel.appendChild(el("p", id, "iri"));
    var connected = edges.get({ filter: function (e) { return e.from === id || e.to === id; } });
    if (n.kgKind === "claim") {
      var view = claimView(id);
      if (view) { panel.appendChild(view); }
      [["confirms", "Confirmed by"], ["denies", "Denied by"]].forEach(function (pair) {
        var list = connected.filter(function (e) { return e.to === id && e.kgKind === pair[0]; });
        if (!list.length) { return; }
        panel.appendChild(el("h2", pair[1]));
        list.forEach(function (e) {
          var p = el("p");
          p.appendChild(goButton(labelOf(e.from), function () { showNode(e.from); }));
          p.appendChild(document.createTextNode(" (" + e.kgArticles.length + " article" +
            (e.kgArticles.length === 1 ? "" : "s") + ")"));
          panel.appendChild(p);
          e.kgFacts.forEach(function (fid) { panel.appendChild(factBlock(fid, false)); });
        });
      });
      if (n.kgFacts.length) {
        panel.appendChild(el("h2", "Stated as a claim in"));
        n.kgFacts.forEach(function (fid) { panel.appendChild(factBlock(fid, true)); });
      }
      return;
    }
    if (n.kgNames && n.kgNames.length) { panel.appendChild(el("p", "Also: " + n.kgNames.join("; "))); }
    if (n.kgWikidata && /^Q[0-9]+$/.test(n.kgWikidata)) {
      var p = el("p");
      p.appendChild(link("Wikidata " + n.kgWikidata, "https://www.wikidata.org/wiki/" + n.kgWikidata));
      panel.appendChild(p);
    }
    if (connected.length) {
      panel.appendChild(el("h2", "Relations"));
      var ul = el("ul");
      connected.forEach(function (e) {
        if (e.kgKind === "claim-subject" || e.kgKind === "claim-object") { return; }
        var li = el("li");
        var text = e.from === id ? e.kgRelation + " → " + labelOf(e.to) : labelOf(e.from) + " → " + e.kgRelation;
        li.appendChild(goButton(text, function () { showEdge(e.id); }));
        li.appendChild(document.createTextNode(" (" + e.kgArticles.length + " article" +
          (e.kgArticles.length === 1 ? "" : "s") + ")"));
        ul.appendChild(li);
      });
      connected.forEach(function (e) {
        if (e.kgKind !== "claim-subject" && e.kgKind !== "claim-object") { return; }
        var li = el("li");
        li.appendChild(goButton("claim: " + labelOf(e.kgKind === "claim-subject" ? e.to : e.from),
          function () { showNode(e.kgKind === "claim-subject" ? e.to : e.from); }));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    if (n.kgFacts.length) {
      panel.appendChild(el("h2", "Other statements"));
      n.kgFacts.forEach(function (fid) { panel.appendChild(factBlock(fid, true)); });
    }
    if (n.kgArticles.length) {
      panel.appendChild(el("h2", "Mentioned in"));
      n.kgArticles.forEach(function (i) { panel.appendChild(articleLine(data.articles[i])); });
    }
  }

  // -- search --------------------------------------------------------------------------------
  function findNode(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return null; }
    var best = null, bestRank = 99;
    nodes.forEach(function (n) {
      var names = [n.kgLabel].concat(n.kgNames || []).map(function (s) { return String(s).toLowerCase(); });
      var rank = names[0] === q ? 0 : names.indexOf(q) > 0 ? 1 :
        names.some(function (s) { return s.indexOf(q) === 0; }) ? 2 :
        names.some(function (s) { return s.indexOf(q) >= 0; }) ? 3 : 99;
      if (n.kgKind === "claim" && rank < 99) { rank += 4; }
      if (rank < bestRank || (rank === bestRank && best && n.kgImportance > best.kgImportance)) {
        best = n; bestRank = rank;
      }
    });
    return best && bestRank < 99 ? best.id : null;
  }
  function focusNode(id) {
    var status = $("search-status");
    if (!visibleNodes.has(id)) { resetFilters(); status.textContent = "filters reset to show it"; }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: false });
    pinned = true;
    showNode(id);
  }
  function search(query) {
    var status = $("search-status");
    status.textContent = "";
    var id = findNode(query);
    if (!id) { status.textContent = "no entity matches “" + query + "”"; return null; }
    focusNode(id);
    if (!status.textContent) { status.textContent = "found " + nodes.get(id).kgLabel; }
    return id;
  }
  function buildSearch() {
    var list = $("search-names");
    var seen = new Set();
    nodes.forEach(function (n) {
      if (n.kgKind !== "entity" || seen.has(n.kgLabel)) { return; }
      seen.add(n.kgLabel);
      var o = el("option");
      o.value = n.kgLabel;
      list.appendChild(o);
    });
    $("search").addEventListener("submit", function (ev) { ev.preventDefault(); search($("search-input").value); });
  }

  function summary() {
    var ents = 0, claims = 0;
    nodeView.forEach(function (n) { if (n.kgKind === "claim") { claims++; } else { ents++; } });
    $("summary").textContent = ents + " entities · " + claims + " claims · " + edgeView.length + " edges · " +
      data.articles.length + " articles" + (data.physics ? "" : " · layout precomputed");
  }

  buildLegend();
  buildFilters();
  buildSearch();
  var network = new vis.Network($("graph"), { nodes: nodeView, edges: edgeView }, data.options);
  network.once("afterDrawing", function () {
    window.requestAnimationFrame(function () {
      window.kgFirstFrameMs = performance.now();
      document.documentElement.dataset.kgReady = "1";
    });
  });
  if (!data.physics) { network.fit({ animation: false }); }
  network.on("click", function (params) {
    if (params.nodes.length) { pinned = true; showNode(params.nodes[0]); }
    else if (params.edges.length) { pinned = true; showEdge(params.edges[0]); }
    else { pinned = false; }
  });
  network.on("hoverNode", function (params) { if (!pinned) { showNode(params.node); } });
  network.on("hoverEdge", function (params) { if (!pinned) { showEdge(params.edge); } });
  summary();

  window.kg = {
    data: data, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, network: network,
    showNode: showNode, showEdge: showEdge, showClaim: claimView, search: search, refresh: refresh, resetFilters: resetFilters,
    drawn: function () { return { nodes: network.body.nodeIndices.length, edges: network.body.edgeIndices.length }; }
  };
}());
