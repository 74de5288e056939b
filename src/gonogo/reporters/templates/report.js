"use strict";
// The findings of report.html: filtered on the data, drawn per check only when its group is open,
// a hundred rows at a time, so a report of thousands of findings stays responsive. Text from the
// scanned tree is only ever set with textContent (never innerHTML), and a link only when it is an
// https address html.py built for the forge.
(function () {
  var PAGE = 100;
  var OPEN_UP_TO = 300;
  var RANK = {critical: 0, high: 1, medium: 2, low: 3, info: 4};
  var findings = JSON.parse(document.getElementById("data").textContent);
  findings.forEach(function (f, i) {
    f.i = i;
    f.hay = (f.c + " " + f.w + " " + f.m + " " + f.e + " " + f.t + " " + f.r).toLowerCase();
    f.wl = f.w.toLowerCase();
  });
  var byId = function (id) { return document.getElementById(id); };
  var query = byId("q"), pathInput = byId("path"), checkSelect = byId("check");
  var statusSelect = byId("status"), sortSelect = byId("sort"), shown = byId("shown");
  var severityBoxes = Array.prototype.slice.call(document.querySelectorAll("input[name=severity]"));
  var groups = {};
  Array.prototype.forEach.call(document.querySelectorAll("details.group"), function (el) {
    groups[el.dataset.check] = {
      el: el, body: el.querySelector("table.findings tbody"), more: el.querySelector("button.more"),
      matches: [], limit: PAGE, drawn: -1
    };
  });

  function filters() {
    var severities = {};
    severityBoxes.forEach(function (box) { if (box.checked) { severities[box.value] = true; } });
    return {
      terms: query.value.toLowerCase().split(/\s+/).filter(Boolean),
      path: pathInput.value.toLowerCase().trim(),
      check: checkSelect.value,
      status: statusSelect.value,
      severities: severities
    };
  }

  function keeps(f, w) {
    if (!w.severities[f.s]) { return false; }
    if (w.check && f.c !== w.check) { return false; }
    if (w.status && f.t !== w.status) { return false; }
    if (w.path && f.wl.indexOf(w.path) < 0) { return false; }
    for (var k = 0; k < w.terms.length; k++) {
      if (f.hay.indexOf(w.terms[k]) < 0) { return false; }
    }
    return true;
  }

  function order(a, b) {
    var by = sortSelect.value;
    var d = 0;
    if (by === "path") { d = a.w < b.w ? -1 : a.w > b.w ? 1 : 0; }
    else if (by === "message") { d = a.m < b.m ? -1 : a.m > b.m ? 1 : 0; }
    else { d = RANK[a.s] - RANK[b.s]; }
    return d || a.i - b.i;
  }

  function cell(row, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    if (text !== undefined) { td.textContent = text; }
    row.appendChild(td);
    return td;
  }

  function row(f) {
    var tr = document.createElement("tr");
    tr.className = "finding " + f.s + " " + f.t;
    tr.dataset.check = f.c;
    tr.dataset.severity = f.s;
    tr.dataset.status = f.t;
    var sev = cell(tr);
    var badge = document.createElement("span");
    badge.className = "badge " + f.s;
    badge.textContent = f.s;
    sev.appendChild(badge);
    var where = cell(tr, undefined, "where");
    if (f.w && f.u.indexOf("https://") === 0) {
      var a = document.createElement("a");
      a.href = f.u;
      a.rel = "noopener noreferrer";
      a.textContent = f.w;
      where.appendChild(a);
    } else {
      where.textContent = f.w || "-";
    }
    var what = cell(tr, f.m, "what");
    if (f.e && f.e !== f.m) {
      var ev = document.createElement("div");
      ev.className = "evidence";
      ev.textContent = f.e;
      what.appendChild(ev);
    }
    var status = cell(tr, f.t + (f.r ? ": " + f.r : ""), "status");
    if (f.b) {
      var tag = document.createElement("span");
      tag.className = "tag blocks";
      tag.textContent = "blocks a gate";
      status.appendChild(document.createTextNode(" "));
      status.appendChild(tag);
    }
    return tr;
  }

  function draw(g) {
    if (!g.body || !g.el.open) { return; }
    var upto = Math.min(g.limit, g.matches.length);
    var fragment = document.createDocumentFragment();
    for (var k = 0; k < upto; k++) { fragment.appendChild(row(g.matches[k])); }
    g.body.textContent = "";
    g.body.appendChild(fragment);
    g.drawn = upto;
    var rest = g.matches.length - upto;
    g.more.hidden = rest <= 0;
    g.more.textContent = "Show " + Math.min(rest, PAGE) + " more of " + rest;
  }

  function apply(opening) {
    var w = filters();
    var narrowed = w.terms.length > 0 || w.path || w.check || w.status || severityBoxes.some(function (b) { return !b.checked; });
    Object.keys(groups).forEach(function (id) { groups[id].matches = []; });
    var total = 0;
    for (var k = 0; k < findings.length; k++) {
      var f = findings[k];
      if (keeps(f, w) && groups[f.c]) { groups[f.c].matches.push(f); total++; }
    }
    shown.textContent = total + " of " + findings.length;
    Object.keys(groups).forEach(function (id) {
      var g = groups[id];
      g.matches.sort(order);
      g.limit = PAGE;
      g.el.hidden = narrowed && g.matches.length === 0;
      if (opening && narrowed && total <= OPEN_UP_TO && g.matches.length) { g.el.open = true; }
      draw(g);
    });
  }

  Object.keys(groups).forEach(function (id) {
    var g = groups[id];
    g.el.addEventListener("toggle", function () { if (g.el.open) { draw(g); } });
    if (g.more) {
      g.more.addEventListener("click", function () { g.limit += PAGE; draw(g); });
    }
  });
  [query, pathInput].forEach(function (input) { input.addEventListener("input", function () { apply(true); }); });
  [checkSelect, statusSelect].forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
  severityBoxes.forEach(function (box) { box.addEventListener("change", function () { apply(false); }); });
  sortSelect.addEventListener("change", function () { apply(false); });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-sort]"), function (button) {
    button.addEventListener("click", function () { sortSelect.value = button.dataset.sort; apply(false); });
  });
  byId("filters").addEventListener("submit", function (event) { event.preventDefault(); });
  byId("expand").addEventListener("click", function () {
    // drawn here, not in the toggle event, which fires later: the rows are there when the click returns
    Object.keys(groups).forEach(function (id) {
      var g = groups[id];
      if (!g.el.hidden) { g.el.open = true; draw(g); }
    });
  });
  byId("collapse").addEventListener("click", function () {
    Object.keys(groups).forEach(function (id) { groups[id].el.open = false; });
  });

  function copied(button, ok) {
    button.textContent = ok ? "Copied" : "Select and copy";
    setTimeout(function () { button.textContent = "Copy"; }, 1500);
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.addEventListener("click", function () {
      var text = button.dataset.copy;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button, true); }, function () { copied(button, false); });
        return;
      }
      // file:// pages in some browsers have no async clipboard: the old way, on a hidden textarea
      var area = document.createElement("textarea");
      area.value = text;
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      copied(button, ok);
    });
  });

  apply(false);
}());
