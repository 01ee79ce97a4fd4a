// cobuild_graph network map: legend, filters, search and details around a vis-network.
// All user text reaches the page through textContent, never as HTML.
(function () {
  "use strict";
  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  marks.parsed = performance.now();

  // An expandable map starts folded: a node stays hidden while a node above it (cg_parent)
  // is folded, and the highest folded one stands in for it. Nodes that hold others
  // (cg_open) look folded (thick border) or open (dashed border, faded).
  var FOLDED = { borderWidth: 3, opacity: 1, shapeProperties: { borderDashes: false } };
  var OPEN = { borderWidth: 2, opacity: 0.5, shapeProperties: { borderDashes: [4, 3] } };
  var parentOf = new Map();
  var opened = new Set();
  var tieText = {};
  data.ties.forEach(function (tie) { tieText[tie.key] = tie.text; });
  data.nodes.forEach(function (node) {
    if (node.cg_parent !== undefined) { parentOf.set(node.id, node.cg_parent); }
    if (node.cg_open) {
      node.cg_fold = Object.assign({ size: node.size, title: node.title }, FOLDED);
      Object.assign(node.cg_open, OPEN);
      Object.assign(node, FOLDED);
    }
  });

  function standIn(id) {
    var shownAs = id;
    for (var up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      if (!opened.has(up)) { shownAs = up; }
    }
    return shownAs;
  }

  // Ties between the nodes shown: a folded node's ties go to its stand-in, and ties of one
  // type between two stand-ins merge into one that counts them, as maps.aggregate_graph.
  function foldedTies() {
    var merged = new Map();
    data.edges.forEach(function (edge) {
      var from = standIn(edge.from), to = standIn(edge.to);
      if (from === to) { return; }
      var id = JSON.stringify([from, to, edge.cg_type]);
      var tie = merged.get(id);
      if (tie) {
        tie.count += 1;
      } else {
        merged.set(id, { id: id, from: from, to: to, edge: edge, count: 1 });
      }
    });
    return Array.from(merged.values(), function (tie) {
      var edge = tie.edge;
      if (tie.count === 1 && tie.from === edge.from && tie.to === edge.to) { return edge; }
      var line = {
        id: tie.id, from: tie.from, to: tie.to, color: edge.color,
        title: tieText[edge.cg_type] + " ×" + tie.count
      };
      if (tie.count > 1) { line.width = Math.round((1 + Math.log2(tie.count)) * 10) / 10; }
      return line;
    });
  }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.expandable ? foldedTies() : data.edges);
  marks.datasets = performance.now();
  var hiddenLabels = new Set();
  var chosen = data.filters.map(function () { return -1; });

  function shown(node) {
    if (hiddenLabels.has(node.cg_label)) { return false; }
    for (var i = 0; i < chosen.length; i++) {
      if (chosen[i] >= 0 && node.cg_places[i] !== chosen[i]) { return false; }
    }
    return true;
  }

  var view = new vis.DataView(nodes, {
    filter: function (node) { return shown(node) && standIn(node.id) === node.id; }
  });
  var container = document.getElementById("cg-network");
  var network = new vis.Network(container, { nodes: view, edges: edges }, data.options);
  network.fit({ animation: false });  // vis-network skips it in a frame loaded out of view
  marks.network = performance.now();
  var state = {
    network: network, nodes: nodes, edges: edges, view: view, ready: false, readyAt: null,
    marks: marks
  };
  window.cgMap = state;

  network.once("afterDrawing", function () {
    state.ready = true;
    state.readyAt = marks.drawn = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
    });
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function swatch(color) {
    var s = el("span", "cg-swatch");
    s.style.backgroundColor = color;
    return s;
  }

  function updateCount() {
    document.getElementById("cg-count").textContent =
      "显示 shown: " + view.length + " / " + nodes.length;
  }

  function refresh() {
    view.refresh();
    updateCount();
  }

  // Labels: one checkbox each, with its colour when the map is coloured by label.
  var labelList = document.getElementById("cg-labels");
  data.labels.forEach(function (item) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () {
      if (box.checked) { hiddenLabels.delete(item.key); } else { hiddenLabels.add(item.key); }
      refresh();
    });
    label.appendChild(box);
    if (item.color) { label.appendChild(swatch(item.color)); }
    label.appendChild(el("span", "", item.text + " (" + item.count + ")"));
    li.appendChild(label);
    labelList.appendChild(li);
  });

  // Colours by a metric or a category.
  var legend = data.legend;
  if (legend.kind !== "label") {
    document.getElementById("cg-colour-section").hidden = false;
    document.getElementById("cg-colour-title").textContent = legend.title;
    var box = document.getElementById("cg-colours");
    if (legend.kind === "scale") {
      var ramp = el("div", "cg-ramp");
      ramp.style.background = "linear-gradient(to right, " + legend.colors.join(", ") + ")";
      var ends = el("div", "cg-ramp-ends");
      ends.appendChild(el("span", "", legend.min));
      ends.appendChild(el("span", "", legend.max));
      box.appendChild(ramp);
      box.appendChild(ends);
    } else {
      var list = el("ul", "cg-legend");
      legend.items.forEach(function (item) {
        var li = el("li");
        li.appendChild(swatch(item.color));
        li.appendChild(el("span", "", item.text + " (" + item.count + ")"));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
  }

  // Tie types.
  var tieList = document.getElementById("cg-ties");
  data.ties.forEach(function (item) {
    var li = el("li");
    var line = el("span", item.dashes ? "cg-line cg-dashed" : "cg-line");
    line.style.borderTopColor = item.color;
    li.appendChild(line);
    li.appendChild(el("span", "", item.text + " (" + item.count + ")"));
    tieList.appendChild(li);
  });

  // Filters by place (district, street ...): each level narrows the choices below it.
  var selects = [];
  function fillSelect(i) {
    var select = selects[i];
    var parent = i > 0 ? chosen[i - 1] : -1;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    var all = el("option", "", "全部 all");
    all.value = "-1";
    select.appendChild(all);
    data.filters[i].places.forEach(function (place, index) {
      if (parent >= 0 && place.parent !== parent) { return; }
      var option = el("option", "", place.name);
      option.value = String(index);
      select.appendChild(option);
    });
    select.value = String(chosen[i]);
  }
  var filterBox = document.getElementById("cg-filters");
  data.filters.forEach(function (filter, i) {
    var label = el("label", "", filter.text);
    var select = el("select");
    select.id = "cg-filter-" + filter.level;
    select.addEventListener("change", function () {
      chosen[i] = Number(select.value);
      for (var j = i + 1; j < selects.length; j++) {
        chosen[j] = -1;
        fillSelect(j);
      }
      refresh();
    });
    label.appendChild(select);
    filterBox.appendChild(label);
    selects.push(select);
  });
  selects.forEach(function (_, i) { fillSelect(i); });
  updateCount();

  // Details of the selected node.
  var details = document.getElementById("cg-details");
  function showDetails(id) {
    var node = nodes.get(id);
    details.textContent = node ? node.title : "";
  }
  network.on("selectNode", function (params) { showDetails(params.nodes[0]); });

  // Unfolding and folding: double-click a node that holds others; search unfolds the way.
  function setOpen(id, open) {
    if (open) { opened.add(id); } else { opened.delete(id); }
    var node = nodes.get(id);
    nodes.update(Object.assign({ id: id }, open ? node.cg_open : node.cg_fold));
  }
  function refold() {
    refresh();
    edges.clear();
    edges.add(foldedTies());
  }
  function toggle(id) {
    setOpen(id, !opened.has(id));
    refold();
  }
  function reveal(id) {
    var changed = false;
    for (var up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      if (!opened.has(up)) { setOpen(up, true); changed = true; }
    }
    if (changed) { refold(); }
  }
  if (data.expandable) {
    document.getElementById("cg-fold").hidden = false;
    network.on("doubleClick", function (params) {
      var id = network.getNodeAt(params.pointer.DOM);
      if (id === undefined || !nodes.get(id).cg_open) { return; }
      toggle(id);
      network.selectNodes([id]);  // again: its new ties light up too
      showDetails(id);
    });
    document.getElementById("cg-fold-all").addEventListener("click", function () {
      Array.from(opened).forEach(function (id) { setOpen(id, false); });
      refold();
    });
  }
  state.toggle = toggle;

  // Search by name (any script; full-width and half-width forms match).
  function searchable(text) { return String(text).normalize("NFKC").toLowerCase(); }
  var names = {};
  nodes.forEach(function (node) { names[node.id] = searchable(node.label); });
  var lastQuery = null;
  var matches = [];
  var position = 0;
  function search(query) {
    var q = searchable(query.trim());
    var info = document.getElementById("cg-search-info");
    if (!q) { info.textContent = ""; return; }
    if (q !== lastQuery) {
      lastQuery = q;
      position = 0;
      matches = nodes.getIds({ filter: shown }).filter(function (id) {
        return names[id].indexOf(q) >= 0 || searchable(id) === q;
      });
      matches.sort(function (a, b) {
        return (names[a] === q ? 0 : 1) - (names[b] === q ? 0 : 1);
      });
    } else {
      position = (position + 1) % Math.max(matches.length, 1);
    }
    if (!matches.length) {
      info.textContent = "无匹配 no match";
      network.unselectAll();
      return;
    }
    var id = matches[position];
    info.textContent = (position + 1) + " / " + matches.length;
    reveal(id);
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    showDetails(id);
  }
  document.getElementById("cg-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("cg-search").value);
  });
  state.search = search;
})();
