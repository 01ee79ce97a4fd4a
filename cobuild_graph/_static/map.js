// cobuild_graph network map: legend, filters, search, time, look and details around a
// vis-network. All user text reaches the page through textContent, never as HTML.
(function () {
  "use strict";
  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  marks.parsed = performance.now();
  var look = data.look;
  var MAX_FIT_ZOOM = 1.5;  // small graphs come spread out (maps.layout): nodes keep their size
  var LABEL_PX = 12;
  var LABEL_FONT = LABEL_PX + "px " + data.options.nodes.font.face;

  // An expandable map starts folded: a node stays hidden while a node above it (cg_parent)
  // is folded, and the highest folded one stands in for it. Nodes that hold others
  // (cg_open) look folded (thick border) or open (dashed border, faded).
  var FOLDED = { borderWidth: 3, opacity: 1, shapeProperties: { borderDashes: false } };
  var OPEN = { borderWidth: 2, opacity: 0.5, shapeProperties: { borderDashes: [4, 3] } };
  var parentOf = new Map();
  var opened = new Set();
  var tieText = {};
  data.ties.forEach(function (tie) { tieText[tie.key] = tie.text; });
  var nameOf = {};
  var levelOf = {};
  var indexOf = new Map();
  data.nodes.forEach(function (node, i) {
    // the page draws names itself (level of detail, no overlaps): vis-network draws none
    node.cg_name = node.label;
    node.label = undefined;  // not delete: V8 keeps the objects fast
    nameOf[node.id] = node.cg_name;
    levelOf[node.id] = node.cg_level;
    indexOf.set(node.id, i);
    node.cg_size = node.size;
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

  // -- time: a tie holds on a day when since <= day <= until (a missing end is open) --------
  // Ties with an inferred date (cg_inferred: e.g. the roster's year) may be left out.
  var NEVER = -Infinity, ALWAYS = Infinity;
  var lineMembers = new Map();  // a merged tie's id to the ties of data.edges it stands for
  var edgeCount = data.edges.length;
  var since = new Float64Array(edgeCount), until = new Float64Array(edgeCount);
  var inferredTie = new Uint8Array(edgeCount);
  var edgeIndex = new Map();
  // ties and their counts per node by the nodes' places in data.nodes: typed arrays, not
  // maps by id, as a step of the slider reads them for every node and tie
  var ends = new Int32Array(2 * edgeCount);
  var tieDegree = new Int32Array(data.nodes.length);
  data.edges.forEach(function (edge, i) {
    since[i] = edge.cg_since === undefined ? NEVER : edge.cg_since;
    until[i] = edge.cg_until === undefined ? ALWAYS : edge.cg_until;
    inferredTie[i] = edge.cg_inferred ? 1 : 0;
    edgeIndex.set(edge.id, i);
    ends[2 * i] = indexOf.get(edge.from);
    ends[2 * i + 1] = indexOf.get(edge.to);
    tieDegree[ends[2 * i]] += 1;
    tieDegree[ends[2 * i + 1]] += 1;
  });
  var activeTie = new Uint8Array(edgeCount).fill(1);
  var activeDegree = Int32Array.from(tieDegree);  // ties that hold now, per node
  var day = null;  // null: every tie, whatever its dates
  var leaveOut = false;  // ties with an inferred date left out, whatever the day
  var timed = false;  // whether ties are shown by the day or by their dates at all

  function holdsAt(i) {
    // a node shows while one of its ties holds; a node without ties always
    return !timed || tieDegree[i] === 0 || activeDegree[i] > 0;
  }
  function nodeHolds(id) { return holdsAt(indexOf.get(id)); }

  // Ties between the nodes shown: a folded node's ties go to its stand-in, and ties of one
  // type between two stand-ins merge into one that counts them, as maps.aggregate_graph.
  function foldedTies() {
    var shownAs = new Map();  // each node's stand-in, looked up once per call
    function standInOf(id) {
      var found = shownAs.get(id);
      if (found === undefined) { shownAs.set(id, found = standIn(id)); }
      return found;
    }
    var merged = new Map();  // from -> to -> type -> tie: no key text built per tie
    var lines = [];
    lineMembers = new Map();
    data.edges.forEach(function (edge, i) {
      var from = standInOf(edge.from), to = standInOf(edge.to);
      if (from === to) { return; }
      var byTo = merged.get(from);
      if (!byTo) { merged.set(from, byTo = new Map()); }
      var byType = byTo.get(to);
      if (!byType) { byTo.set(to, byType = new Map()); }
      var tie = byType.get(edge.cg_type);
      if (tie) {
        tie.count += 1;
        tie.members.push(i);
      } else {
        byType.set(edge.cg_type, tie = { from: from, to: to, edge: edge, count: 1, members: [i] });
        lines.push(tie);
      }
    });
    return lines.map(function (tie) {
      var edge = tie.edge;
      if (tie.count === 1 && tie.from === edge.from && tie.to === edge.to) { return edge; }
      var line = {
        id: JSON.stringify([tie.from, tie.to, edge.cg_type]), from: tie.from, to: tie.to,
        color: edge.color, cg_type: edge.cg_type, title: tieText[edge.cg_type] + " ×" + tie.count
      };
      lineMembers.set(line.id, tie.members);
      if (tie.count > 1) { line.width = Math.round((1 + Math.log2(tie.count)) * 10) / 10; }
      return line;
    });
  }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.expandable ? foldedTies() : data.edges);
  marks.datasets = performance.now();
  var hiddenLabels = new Set();
  var hiddenTies = new Set();
  var chosen = data.filters.map(function () { return -1; });

  function shown(node) {
    if (hiddenLabels.has(node.cg_label)) { return false; }
    for (var i = 0; i < chosen.length; i++) {
      if (chosen[i] >= 0 && node.cg_places[i] !== chosen[i]) { return false; }
    }
    return true;
  }
  function tieShown(edge) { return !hiddenTies.has(edge.cg_type); }

  var view = new vis.DataView(nodes, {
    filter: function (node) { return shown(node) && standIn(node.id) === node.id; }
  });
  var edgeView = new vis.DataView(edges, { filter: tieShown });
  var container = document.getElementById("cg-network");
  var network = new vis.Network(container, { nodes: view, edges: edgeView }, data.options);
  var drawing = window.cgFastDrawing(network);  // map-draw.js: big maps draw in time
  function fitView() {
    var ids = view.getIds();
    if (!ids.length) { return; }
    network.fit({ nodes: ids, maxZoomLevel: MAX_FIT_ZOOM, animation: false });
  }
  fitView();  // vis-network skips it in a frame loaded out of view
  marks.network = performance.now();
  var state = {
    network: network, nodes: nodes, edges: edges, view: view, edgeView: edgeView,
    ready: false, readyAt: null, marks: marks, labels: [], fit: fitView,
    // what vis-network draws now: after the filters, the folds and the time slider
    drawnNodes: function () { return network.body.nodeIndices.slice(); },
    drawnEdges: function () {
      return network.body.edgeIndices.map(function (id) { return edges.get(id); });
    }
  };
  window.cgMap = state;

  network.once("afterDrawing", function () {
    state.ready = true;
    state.readyAt = marks.drawn = performance.now();
    document.body.setAttribute("data-ready", "1");
    window.setTimeout(fillLookSelects, 0);  // after the first drawing: it reads the columns
  });
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
    });
  }

  // -- names on the map: the upper levels first, lower ones as room allows -----------------
  // Each frame the names are placed in order of level (city, district, street ...) and
  // size; a level is named only when all of its nodes in view fit in the label budget, and
  // a name that would overlap one placed before is left out. Zooming in leaves fewer nodes
  // in view, so lower levels appear. The selected node and its neighbours are named first.
  var widths = {};
  var focus = null;  // { id, until }: the pulsing ring round a search hit
  function labelWidth(ctx, id) {
    var w = widths[id];
    if (w === undefined) { w = widths[id] = ctx.measureText(nameOf[id]).width; }
    return w;
  }
  function drawLabels(ctx) {
    var body = network.body, scale = body.view.scale, shift = body.view.translation;
    var width = container.clientWidth, height = container.clientHeight;
    var ratio = network.canvas.pixelRatio;
    var budget = Math.max(12, Math.floor(width * height / (90 * 22 * 3)));
    var selected = new Set(network.getSelectedNodes());
    var first = [];
    selected.forEach(function (id) {
      first.push(id);
      network.getConnectedNodes(id).forEach(function (other) { first.push(other); });
    });
    var byLevel = new Map();
    var ids = body.nodeIndices;
    for (var k = 0; k < ids.length; k++) {
      var node = body.nodes[ids[k]];
      var x = node.x * scale + shift.x, y = node.y * scale + shift.y;
      if (x < 0 || y < 0 || x > width || y > height) { continue; }
      var level = levelOf[node.id] || 0;
      var list = byLevel.get(level);
      if (!list) { byLevel.set(level, list = []); }
      list.push(node);
    }
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = LABEL_FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    var placed = [];
    var cell = 64, grid = new Map();
    function fits(box) {
      for (var gx = Math.floor(box.x / cell); gx <= Math.floor((box.x + box.w) / cell); gx++) {
        for (var gy = Math.floor(box.y / cell); gy <= Math.floor((box.y + box.h) / cell); gy++) {
          var boxes = grid.get(gx + "," + gy);
          if (!boxes) { continue; }
          for (var b = 0; b < boxes.length; b++) {
            var o = boxes[b];
            if (box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h) {
              return false;
            }
          }
        }
      }
      return true;
    }
    var named = new Set();
    function place(node) {
      var id = node.id;
      if (nameOf[id] === undefined || nameOf[id] === "" || named.has(id)) { return; }
      named.add(id);
      var w = labelWidth(ctx, id) + 4, h = LABEL_PX + 3;
      var radius = (node.options.size || 8) * scale;
      var cx = node.x * scale + shift.x, cy = node.y * scale + shift.y;
      // below the node, else above, right, left: the first spot that is free
      var spots = [
        [cx - w / 2, cy + radius + 1], [cx - w / 2, cy - radius - h - 1],
        [cx + radius + 2, cy - h / 2], [cx - radius - w - 2, cy - h / 2]
      ];
      var box = null;
      for (var k = 0; k < spots.length && box === null; k++) {
        var b = { x: spots[k][0], y: spots[k][1], w: w, h: h, id: id };
        if (b.x >= 0 && b.y >= 0 && b.x + w <= width && b.y + h <= height && fits(b)) {
          box = b;
        }
      }
      if (box === null) { return; }
      placed.push(box);
      for (var gx = Math.floor(box.x / cell); gx <= Math.floor((box.x + w) / cell); gx++) {
        for (var gy = Math.floor(box.y / cell); gy <= Math.floor((box.y + h) / cell); gy++) {
          var key = gx + "," + gy;
          if (!grid.has(key)) { grid.set(key, []); }
          grid.get(key).push(box);
        }
      }
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.strokeText(nameOf[id], box.x + w / 2, box.y + 1);
      ctx.fillStyle = selected.has(id) ? "#000" : "#222";
      ctx.fillText(nameOf[id], box.x + w / 2, box.y + 1);
    }
    first.forEach(function (id) { if (body.nodes[id]) { place(body.nodes[id]); } });
    var levels = Array.from(byLevel.keys()).sort(function (a, b) { return a - b; });
    for (var l = 0; l < levels.length; l++) {
      var group = byLevel.get(levels[l]);
      if (l > 0 && placed.length + group.length > budget) { break; }
      group.sort(function (a, b) { return (b.options.size || 0) - (a.options.size || 0); });
      group.forEach(place);
    }
    if (focus && performance.now() < focus.until && body.nodes[focus.id]) {
      var hit = body.nodes[focus.id];
      var phase = ((focus.until - performance.now()) % 900) / 900;
      var r = (hit.options.size || 8) * scale + 6 + 18 * (1 - phase);
      ctx.beginPath();
      ctx.arc(hit.x * scale + shift.x, hit.y * scale + shift.y, r, 0, 2 * Math.PI);
      ctx.lineWidth = 4;
      ctx.strokeStyle = "rgba(230, 60, 30, " + (0.3 + 0.7 * phase) + ")";
      ctx.stroke();
      window.requestAnimationFrame(function () { network.redraw(); });
    }
    ctx.restore();
    state.labels = placed;
  }
  network.on("afterDrawing", drawLabels);
  if (document.fonts && document.fonts.load) {
    // the embedded font: measure and draw the names again once it is ready
    document.fonts.load(LABEL_FONT, Object.values(nameOf).slice(0, 200).join("")).then(function () {
      widths = {};
      network.redraw();
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
    var n = timed ? shownNow : view.length;
    document.getElementById("cg-count").textContent = "显示 shown: " + n + " / " + nodes.length;
  }

  // vis-network's nodes and ties in arrays, with what a step needs of each, made again
  // after any change of its data (which may set their options): a pass over its objects
  // keyed by id, reading and writing their options, cost 30 ms at city scale.
  var drawn = null;
  function forgetDrawn() { drawn = null; }
  network.body.emitter.on("_dataChanged", forgetDrawn);
  network.body.emitter.on("_dataUpdated", forgetDrawn);
  function drawnItems() {
    if (drawn !== null) { return drawn; }
    var body = network.body, place = new Map();
    var nodeList = Object.keys(body.nodes).map(function (key) { return body.nodes[key]; });
    var edgeList = Object.keys(body.edges).map(function (key) { return body.edges[key]; });
    drawn = {
      nodes: nodeList, edges: edgeList,
      at: new Int32Array(nodeList.length), nodeHidden: new Uint8Array(nodeList.length),
      own: new Int32Array(edgeList.length), members: [],
      from: new Int32Array(edgeList.length), to: new Int32Array(edgeList.length),
      edgeHidden: new Uint8Array(edgeList.length)
    };
    nodeList.forEach(function (node, n) {
      place.set(node.id, n);
      drawn.at[n] = indexOf.get(node.id);
      drawn.nodeHidden[n] = node.options.hidden ? 1 : 0;
    });
    edgeList.forEach(function (edge, e) {
      var members = lineMembers.get(edge.id), own = edgeIndex.get(edge.id);
      drawn.members.push(members);
      drawn.own[e] = members === undefined && own !== undefined ? own : -1;
      var from = place.get(edge.fromId), to = place.get(edge.toId);
      drawn.from[e] = from === undefined ? -1 : from;
      drawn.to[e] = to === undefined ? -1 : to;
      drawn.edgeHidden[e] = edge.options.hidden ? 1 : 0;
    });
    return drawn;
  }

  // The time slider hides nodes and ties in vis-network's own drawing lists rather than
  // through the data views: a step then costs one pass over them, not a rebuild.
  var shownNow = 0;
  function applyTime() {
    var body = network.body, items = drawnItems(), shownNodes = [], shownEdges = [];
    var n, hide, widened = false;
    for (n = 0; n < items.nodes.length; n++) {
      hide = holdsAt(items.at[n]) ? 0 : 1;
      if (hide !== items.nodeHidden[n]) {
        items.nodeHidden[n] = hide;
        items.nodes[n].options.hidden = hide === 1;
      }
      if (!hide) { shownNodes.push(items.nodes[n].id); }
    }
    for (n = 0; n < items.edges.length; n++) {
      var edge = items.edges[n], members = items.members[n], active = 0;
      if (members === undefined) {
        active = items.own[n] < 0 ? 1 : activeTie[items.own[n]];
      } else {
        for (var k = 0; k < members.length; k++) { active += activeTie[members[k]]; }
        // a merged tie counts, and is as thick as, the ties it holds that day
        var count = timed ? active : members.length;
        edge.options.width = count > 1 ? Math.round((1 + Math.log2(count)) * 10) / 10 : 1;
        edge.options.title = tieText[current.get(edge.id).cg_type] + " ×" + count;
        widened = true;
      }
      hide = active === 0 ? 1 : 0;
      if (hide !== items.edgeHidden[n]) {
        items.edgeHidden[n] = hide;
        edge.options.hidden = hide === 1;
      }
      var from = items.from[n], to = items.to[n];
      if (!hide && from >= 0 && to >= 0 && !items.nodeHidden[from] && !items.nodeHidden[to]) {
        shownEdges.push(edge.id);
      }
    }
    if (widened) { drawing.restyled(); }  // merged ties' widths changed above
    // the lists vis-network draws from (its own _updateVisibleIndices, without its
    // clustering checks, which cost 100 ms at city scale)
    body.nodeIndices = shownNodes;
    body.edgeIndices = shownEdges;
    shownNow = shownNodes.length;
    body.emitter.emit("_requestRedraw");  // the next frame, once: playing never queues
  }
  function afterUpdate() { if (timed) { applyTime(); } }

  function refresh() {
    view.refresh();
    edgeView.refresh();
    afterUpdate();
    updateCount();
  }

  // Labels: one checkbox each, with its colour when the map is coloured by label.
  var labelList = document.getElementById("cg-labels");
  var labelSwatches = {};
  data.labels.forEach(function (item) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () {
      if (box.checked) { hiddenLabels.delete(item.key); } else { hiddenLabels.add(item.key); }
      refresh();
      fitView();
    });
    label.appendChild(box);
    var s = swatch(look.labels[item.key] || look.missing);
    s.hidden = !item.color;
    labelSwatches[item.key] = s;
    label.appendChild(s);
    label.appendChild(el("span", "", item.text + " (" + item.count + ")"));
    li.appendChild(label);
    labelList.appendChild(li);
  });

  // Tie types: one checkbox each, like the labels.
  var tieList = document.getElementById("cg-ties");
  data.ties.forEach(function (item) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-tie", item.key);
    box.addEventListener("change", function () {
      if (box.checked) { hiddenTies.delete(item.key); } else { hiddenTies.add(item.key); }
      edgeView.refresh();
      afterUpdate();  // ties shown again come back as the day has them
    });
    label.appendChild(box);
    var line = el("span", "cg-line");
    line.style.borderTopColor = item.color;
    label.appendChild(line);
    label.appendChild(el("span", "", item.text + " (" + item.count + ")"));
    li.appendChild(label);
    tieList.appendChild(li);
  });

  // -- colour and size by any attribute or measure ---------------------------------------
  var columns = null;  // parsed on first use: the page opens without reading them
  function columnList() {
    if (columns === null) {
      columns = JSON.parse(document.getElementById("cg-columns").textContent);
      columns.forEach(function (column) {
        var values = new Array(data.nodes.length).fill(null);
        if (column.at) {
          column.at.forEach(function (i, k) { values[i] = column.values[k]; });
        } else {
          values = column.values;
        }
        column.all = values;
      });
    }
    return columns;
  }
  function columnByKey(key) {
    return columnList().filter(function (c) { return c.key === key; })[0];
  }
  var colorSelect = document.getElementById("cg-color-by");
  var sizeSelect = document.getElementById("cg-size-by");
  function option(select, value, text) {
    var o = el("option", "", text);
    o.value = value;
    select.appendChild(o);
  }
  function fillLookSelects() {
    if (colorSelect.options.length > 1) { return; }
    [[colorSelect, false], [sizeSelect, true]].forEach(function (pair) {
      var select = pair[0], numericOnly = pair[1];
      var current = select.value;
      [["measure", "指标 measures"], ["attribute", "属性 attributes"]].forEach(function (src) {
        var group = el("optgroup");
        group.label = src[1];
        columnList().forEach(function (column) {
          if (column.source !== src[0] || (numericOnly && !column.numeric)) { return; }
          var o = el("option", "", column.key);
          o.value = column.key;
          group.appendChild(o);
        });
        if (group.children.length) { select.appendChild(group); }
      });
      select.value = current;
    });
  }
  option(colorSelect, "label", "节点类型 label");
  option(sizeSelect, "", "层级 level");
  if (data.color_by !== "label") { option(colorSelect, data.color_by, data.color_by); }
  if (data.size_by) { option(sizeSelect, data.size_by, data.size_by); }
  colorSelect.value = data.color_by;
  sizeSelect.value = data.size_by || "";
  [colorSelect, sizeSelect].forEach(function (select) {
    select.addEventListener("focus", fillLookSelects);
    select.addEventListener("mousedown", fillLookSelects);
  });

  function rampColor(t) {
    var stops = look.ramp, at = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    var i = Math.min(Math.floor(at), stops.length - 2), f = at - i;
    var a = parseInt(stops[i].slice(1), 16), b = parseInt(stops[i + 1].slice(1), 16);
    var rgb = [16, 8, 0].map(function (s) {
      return Math.round(((a >> s) & 255) * (1 - f) + ((b >> s) & 255) * f);
    });
    return "#" + rgb.map(function (v) { return (v < 16 ? "0" : "") + v.toString(16); }).join("");
  }

  // The legend of the colours: the labels' swatches, or one colour per value, or a ramp.
  function showLegend(legend) {
    Object.keys(labelSwatches).forEach(function (key) {
      labelSwatches[key].hidden = legend.kind !== "label";
    });
    var section = document.getElementById("cg-colour-section");
    var box = document.getElementById("cg-colours");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    section.hidden = legend.kind === "label";
    if (legend.kind === "label") { return; }
    document.getElementById("cg-colour-title").textContent = legend.title;
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
  showLegend(data.legend);

  function shortNumber(v) { return String(Number(v.toPrecision(4))); }

  function colorBy(key) {
    var updates = [];
    if (key === "label") {
      data.nodes.forEach(function (node) {
        updates.push({ id: node.id, color: look.labels[node.cg_label] || look.missing });
      });
      nodes.update(updates);
      afterUpdate();
      showLegend({ kind: "label" });
      return;
    }
    var column = columnByKey(key);
    var legend;
    if (column.kind === "category") {
      var colorOf = {}, counts = {}, other = 0;
      column.categories.forEach(function (v, i) { colorOf[v] = look.categories[i]; counts[v] = 0; });
      var otherColor = look.categories[column.categories.length % look.categories.length];
      data.nodes.forEach(function (node, i) {
        var v = column.all[i];
        var c = v === null ? look.missing : (colorOf[v] || otherColor);
        if (v !== null) { if (v in counts) { counts[v] += 1; } else { other += 1; } }
        updates.push({ id: node.id, color: c });
      });
      var items = column.categories.map(function (v, i) {
        return { text: column.texts ? column.texts[i] : v, color: colorOf[v], count: counts[v] };
      });
      if (other) { items.push({ text: "其他 other", color: otherColor, count: other }); }
      legend = { kind: "category", title: key, items: items };
    } else {
      var span = column.max - column.min || 1;
      data.nodes.forEach(function (node, i) {
        var v = column.all[i];
        updates.push({
          id: node.id, color: v === null ? look.missing : rampColor((v - column.min) / span)
        });
      });
      var stops = [0, 0.25, 0.5, 0.75, 1].map(rampColor);
      legend = {
        kind: "scale", title: key, min: shortNumber(column.min), max: shortNumber(column.max),
        colors: stops
      };
    }
    nodes.update(updates);
    afterUpdate();
    showLegend(legend);
  }
  function sizeBy(key) {
    var updates = [];
    if (!key) {
      data.nodes.forEach(function (node) {
        var open = opened.has(node.id) && node.cg_open;
        updates.push({ id: node.id, size: open ? node.cg_open.size : node.cg_size });
      });
    } else {
      var column = columnByKey(key);
      var roots = column.all.map(function (v) { return v === null ? null : Math.sqrt(Math.max(0, Number(v))); });
      var top = Math.max.apply(null, roots.filter(function (r) { return r !== null; })) || 1;
      var low = look.sizes[0], high = look.sizes[1];
      data.nodes.forEach(function (node, i) {
        var r = roots[i];
        updates.push({ id: node.id, size: r === null ? low : low + (high - low) * r / top });
      });
    }
    nodes.update(updates);
    afterUpdate();
  }
  colorSelect.addEventListener("change", function () { colorBy(colorSelect.value); });
  sizeSelect.addEventListener("change", function () { sizeBy(sizeSelect.value); });
  state.colorBy = colorBy;
  state.sizeBy = sizeBy;

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
      fitView();
    });
    label.appendChild(select);
    filterBox.appendChild(label);
    selects.push(select);
  });
  selects.forEach(function (_, i) { fillSelect(i); });
  updateCount();

  // -- the time slider ---------------------------------------------------------------------
  function isoDay(d) { return new Date(d * 86400000).toISOString().slice(0, 10); }
  var activeCount = edgeCount;
  function setDay(d) {
    var started = performance.now();
    day = d;
    timed = d !== null || leaveOut;
    var changed = false;
    activeCount = 0;
    for (var i = 0; i < edgeCount; i++) {
      var dated = d === null || (since[i] <= d && d <= until[i]);
      var holds = dated && !(leaveOut && inferredTie[i]) ? 1 : 0;
      activeCount += holds;
      if (holds !== activeTie[i]) {
        activeTie[i] = holds;
        changed = true;
        var step = holds ? 1 : -1;
        activeDegree[ends[2 * i]] += step;
        activeDegree[ends[2 * i + 1]] += step;
      }
    }
    document.getElementById("cg-date").textContent = d === null ? "全部时间 all dates" : isoDay(d);
    document.getElementById("cg-active").textContent = "关系 active ties: " + activeCount;
    if (changed || !timed) {
      applyTime();
      updateCount();
    } else {
      network.body.emitter.emit("_requestRedraw");
    }
    state.stepMs = performance.now() - started;
  }
  state.setDay = setDay;
  var playing = null;
  if (data.time) {
    var slider = document.getElementById("cg-time");
    var playButton = document.getElementById("cg-play");
    document.getElementById("cg-time-section").hidden = false;
    slider.min = String(data.time.first);
    slider.max = String(data.time.last);
    slider.step = "1";
    slider.value = String(data.time.last);
    document.getElementById("cg-active").textContent = "关系 active ties: " + edgeCount;
    document.getElementById("cg-inferred-dates").textContent =
      "推定日期 inferred dates: " + data.time.inferred + " of " + data.time.dates;
    if (data.time.inferred > 0) {
      var leaveOutBox = document.getElementById("cg-leave-out");
      document.getElementById("cg-leave-out-field").hidden = false;
      leaveOutBox.addEventListener("change", function () {
        leaveOut = leaveOutBox.checked;
        setDay(day);
      });
    }
    slider.addEventListener("input", function () { setDay(Number(slider.value)); });
    var stop = function () {
      window.clearInterval(playing);
      playing = null;
      playButton.textContent = "▶ 播放 Play";
    };
    playButton.addEventListener("click", function () {
      if (playing !== null) { stop(); return; }
      var stride = Math.max(1, Math.round((data.time.last - data.time.first) / 120));
      if (day === null || day >= data.time.last) { slider.value = String(data.time.first); }
      setDay(Number(slider.value));
      playButton.textContent = "⏸ 暂停 Pause";
      playing = window.setInterval(function () {
        var next = Math.min(data.time.last, Number(slider.value) + stride);
        slider.value = String(next);
        setDay(next);
        if (next >= data.time.last) { stop(); }
      }, 150);
    });
    document.getElementById("cg-time-all").addEventListener("click", function () {
      if (playing !== null) { stop(); }
      slider.value = String(data.time.last);
      setDay(null);
    });
  }

  // -- details of the selected node: what it is, its measures, its neighbours by tie type --
  var details = document.getElementById("cg-details");
  var tiesOf = null;  // node id to the ties that touch it, built on first use
  function neighbourTies(id) {
    if (tiesOf === null) {
      tiesOf = new Map();
      var source = data.expandable ? data.edges : edges.get();
      source.forEach(function (edge) {
        [edge.from, edge.to].forEach(function (end) {
          if (!tiesOf.has(end)) { tiesOf.set(end, []); }
          tiesOf.get(end).push(edge);
        });
      });
    }
    return tiesOf.get(id) || [];
  }
  var NEIGHBOURS_SHOWN = 40;
  function showDetails(id) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    var node = nodes.get(id);
    if (!node) { return; }
    details.appendChild(el("pre", "", node.title));
    var measures = el("table");
    var i = indexOf.get(id);
    columnList().forEach(function (column) {
      var v = column.all[i];
      if (column.source !== "measure" || v === null) { return; }
      var row = el("tr");
      row.appendChild(el("td", "", column.key));
      row.appendChild(el("td", "", typeof v === "number" ? shortNumber(v) : v));
      measures.appendChild(row);
    });
    if (measures.children.length) {
      details.appendChild(el("h3", "", "指标 Measures"));
      details.appendChild(measures);
    }
    var groups = new Map();
    neighbourTies(id).forEach(function (edge) {
      var out = edge.from === id;
      var other = out ? edge.to : edge.from;
      var key = edge.cg_type + (out ? " →" : " ←");
      if (!groups.has(key)) { groups.set(key, { type: edge.cg_type, out: out, ids: [] }); }
      groups.get(key).ids.push(other);
    });
    if (groups.size) { details.appendChild(el("h3", "", "邻居 Neighbours")); }
    groups.forEach(function (group) {
      var ids = Array.from(new Set(group.ids));
      var head = (group.out ? "→ " : "← ") + (tieText[group.type] || group.type);
      details.appendChild(el("h3", "cg-tie-group", head + " (" + ids.length + ")"));
      var list = el("ul", "cg-neighbours");
      ids.slice(0, NEIGHBOURS_SHOWN).forEach(function (other) {
        var li = el("li");
        var button = el("button", "", nameOf[other] !== undefined ? nameOf[other] : String(other));
        button.type = "button";
        button.addEventListener("click", function () { goTo(other); });
        li.appendChild(button);
        list.appendChild(li);
      });
      if (ids.length > NEIGHBOURS_SHOWN) {
        list.appendChild(el("li", "cg-muted", "… +" + (ids.length - NEIGHBOURS_SHOWN)));
      }
      details.appendChild(list);
    });
  }
  network.on("selectNode", function (params) { showDetails(params.nodes[0]); });
  state.showDetails = showDetails;

  // Unfolding and folding: double-click a node that holds others; search unfolds the way.
  function setOpen(id, open) {
    if (open) { opened.add(id); } else { opened.delete(id); }
    var node = nodes.get(id);
    var update = Object.assign({ id: id }, open ? node.cg_open : node.cg_fold);
    if (sizeSelect.value) { delete update.size; }  // sized by a measure: keep it
    nodes.update(update);
    afterUpdate();
  }
  // The merged ties as they should be now: only the changed ones go to vis-network.
  var current = new Map();  // the lines in `edges`, by id (DataSet.get copies: slow)
  edges.forEach(function (line) { current.set(line.id, line); });
  function syncTies() {
    var next = new Map();
    foldedTies().forEach(function (line) { next.set(line.id, line); });
    var gone = [], added = [], changed = [];
    current.forEach(function (line, id) { if (!next.has(id)) { gone.push(id); } });
    next.forEach(function (line, id) {
      var old = current.get(id);
      if (!old) {
        added.push(line);
      } else if (old.width !== line.width || old.title !== line.title) {
        changed.push(line);
      }
    });
    current = next;
    if (gone.length) { edges.remove(gone); }
    if (added.length) { edges.add(added); }
    if (changed.length) { edges.update(changed); }
  }
  function refold() {
    refresh();
    syncTies();
    afterUpdate();
  }
  function toggle(id) {
    setOpen(id, !opened.has(id));
    refold();
    fitView();
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
      fitView();
    });
  }
  state.toggle = toggle;

  // Going to a node: unfold the way, select it, and a strong animated focus on it.
  function goTo(id) {
    reveal(id);
    network.selectNodes([id]);
    network.focus(id, {
      scale: Math.max(network.getScale(), 1.5),
      animation: { duration: 500, easingFunction: "easeInOutQuad" }
    });
    focus = { id: id, until: performance.now() + 2700 };
    network.redraw();
    showDetails(id);
  }
  state.goTo = goTo;

  // Search by name or any other spelling (cg_aliases; any script; full-width and
  // half-width forms match).
  function searchable(text) { return String(text).normalize("NFKC").toLowerCase(); }
  var names = {};  // each node's names, its own first
  data.nodes.forEach(function (node) {
    names[node.id] = [node.cg_name].concat(node.cg_aliases || []).map(searchable);
  });
  function found(id, q) {
    return names[id].some(function (name) { return name.indexOf(q) >= 0; });
  }
  function exact(id, q) { return names[id].indexOf(q) >= 0 ? 0 : 1; }
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
      matches = nodes.getIds({ filter: function (node) {
        return shown(node) && nodeHolds(node.id);
      } }).filter(function (id) {
        return found(id, q) || searchable(id) === q;
      });
      matches.sort(function (a, b) { return exact(a, q) - exact(b, q); });
    } else {
      position = (position + 1) % Math.max(matches.length, 1);
    }
    if (!matches.length) {
      info.textContent = "无匹配 no match";
      network.unselectAll();
      return;
    }
    info.textContent = (position + 1) + " / " + matches.length;
    goTo(matches[position]);
  }
  // Enter and the button, not a form: a sandboxed frame without allow-forms (the report's,
  // Jupyter's) never submits one. Enter that ends an IME composition only picks the word.
  var searchBox = document.getElementById("cg-search");
  searchBox.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) { return; }
    event.preventDefault();
    search(searchBox.value);
  });
  document.getElementById("cg-search-go").addEventListener("click", function () {
    search(searchBox.value);
  });
  state.search = search;
  document.getElementById("cg-fit").addEventListener("click", fitView);

  // -- PNG of the current view at twice its resolution -------------------------------------
  function exportPng() {
    var canvas = network.canvas.frame.canvas;
    var saved = network.canvas.pixelRatio;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    network.canvas.pixelRatio = 2;
    canvas.width = w * 2;
    canvas.height = h * 2;
    network.renderer._redraw();
    var out = document.createElement("canvas");
    out.width = w * 2;
    out.height = h * 2;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    network.canvas.pixelRatio = saved;
    canvas.width = w * saved;
    canvas.height = h * saved;
    network.renderer._redraw();
    out.toBlob(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = (document.title || "map") + ".png";
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    }, "image/png");
  }
  document.getElementById("cg-png").addEventListener("click", exportPng);

  if (data.ego !== null && data.ego !== undefined && nodes.get(data.ego)) {
    network.selectNodes([data.ego]);
    showDetails(data.ego);
  }
})();
