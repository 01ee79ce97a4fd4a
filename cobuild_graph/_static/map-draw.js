// cobuild_graph network map: a cheaper drawing of vis-network's frame for big maps.
// vis-network draws each node and tie with its own canvas calls (a save, fill, stroke and
// restore per node): at city scale (20,000 nodes, 36,000 ties) a frame costs ~300 ms in
// Chromium's software canvas, most of it in rasterising 56,000 small paths. Here plain ties
// are stroked in one path per colour and width, and plain small nodes are copied from
// images of their disc drawn once per look and zoom; everything else (selected, hovered,
// dashed, faded, large nodes, curved ties) is drawn by vis-network itself, as before.
window.cgFastDrawing = (function () {
  "use strict";
  var SPRITE_MAX = 24;  // device pixels across: larger discs are few; vis-network draws them
  var STEPS = 4;  // sub-pixel positions per axis a disc is drawn at: at most 1/8 px off
  // discs made per frame (0.3 ms each): a map whose nodes have many sizes (sized by a
  // measure, or folded streets) draws the rest with vis-network until later frames
  var NEW_DISCS = 16;
  // below this many in view, vis-network draws the frame itself: fast enough, and it needs
  // no discs made first (a map of streets drew its first frame 50 ms later with them)
  var FROM = 5000;

  // A node drawn here looks exactly as vis-network's dot: no label, icon, dashes, shadow
  // or opacity (the page draws the names itself; nodes that hold others are faded/dashed).
  // Not selected or hovered, its look is its options.
  function plainNode(options) {
    return options.shape === "dot" && options.label === undefined &&
      options.icon.code === undefined && !options.shadow.enabled &&
      options.shapeProperties.borderDashes === false && options.opacity === undefined;
  }
  // A tie stroked here is a straight line between two nodes in one colour, as vis-network's.
  function plainEdge(edge) {
    var options = edge.options;
    return options.smooth.enabled === false && edge.from !== edge.to &&
      options.label === undefined && options.dashes === false && !options.shadow.enabled &&
      !options.background.enabled && options.color.inherit === false;
  }

  // The record under keys a, b, c, d of nested maps, made empty when new.
  function lookup(map, a, b, c, d) {
    return level(level(level(level(map, a), b), c), d, true);
  }
  function level(map, key, last) {
    var found = map.get(key);
    if (found === undefined) { map.set(key, found = last ? {} : new Map()); }
    return found;
  }

  return function (network) {
    var renderer = network.renderer, body = network.body, canvas = network.canvas;
    if (typeof renderer._drawEdges !== "function" || typeof renderer._drawNodes !== "function") {
      return { restyled: function () {} };  // another vis-network: it draws every frame
    }
    var visDrawEdges = renderer._drawEdges, visDrawNodes = renderer._drawNodes;
    // Reading vis-network's options costs ~100 ns a property (20,000 nodes: 2 ms each), so
    // each node and tie keeps its look, read again after any change of the data.
    var version = 0;
    function restyled() { version += 1; }
    body.data.nodes.on("*", restyled);
    body.data.edges.on("*", restyled);
    var styles = new Map();  // colour, opacity, width -> the ties' batch
    var discs = new Map();  // look -> its disc at each sub-pixel position, for one zoom
    var discScale = null;
    var madeNow = 0;
    var layer = document.createElement("canvas");  // the small discs, composited at once
    var layerCtx = layer.getContext("2d");
    var pixels = null;

    function edgeLook(edge, ctx) {
      var look = edge.cgLook;
      if (look !== undefined && look.version === version) { return look; }
      var options = edge.options;
      look = edge.cgLook = { version: version, batch: null };
      if (plainEdge(edge)) {
        var batch = lookup(styles, options.color.color, options.color.opacity, options.width);
        if (batch.ends === undefined) {
          batch.color = edge.edgeType.getColor(ctx, edge.getFormattingValues());
          batch.width = options.width;
          batch.ends = new Float64Array(1024);
          batch.count = 0;
        }
        look.batch = batch;
      }
      return look;
    }

    function nodeLook(node, ctx) {
      var look = node.cgLook;
      if (look !== undefined && look.version === version) { return look; }
      var options = node.options;
      look = node.cgLook = { version: version, plain: plainNode(options), scale: null };
      if (look.plain) {
        node.shape.resize(ctx, false, false, options);  // as vis-network's dot before drawing
        look.fill = options.color.background;
        look.border = options.color.border;
        look.size = options.size;
        look.borderWidth = options.borderWidth;
        look.width = node.shape.width;
        look.height = node.shape.height;
      }
      return look;
    }

    // The disc of a look at `scale` (vis-network's own canvas calls for the dot, at the
    // device's pixel ratio) at each of STEPS x STEPS sub-pixel positions, as lists of its
    // non-empty pixels; null when it is too large, undefined when this frame made enough.
    function disc(look, scale) {
      var k = scale * canvas.pixelRatio;
      var lineWidth = Math.min(look.width, look.borderWidth / scale);
      var found = lookup(discs, look.fill, look.border, look.size, lineWidth);
      if (found.disc !== undefined) { return found.disc; }
      var stroked = look.borderWidth / scale > 0;
      var middle = Math.ceil(look.size * k + (stroked ? lineWidth * k / 2 : 0) + 1);
      var side = 2 * middle + 2;
      if (side > SPRITE_MAX) { return (found.disc = null); }
      if (madeNow >= NEW_DISCS) { return undefined; }
      madeNow += 1;
      var atlas = document.createElement("canvas");
      atlas.width = side * STEPS * STEPS;
      atlas.height = side;
      var ctx = atlas.getContext("2d");
      for (var v = 0; v < STEPS * STEPS; v++) {
        ctx.setTransform(k, 0, 0, k, v * side + middle + (v % STEPS) / STEPS,
          middle + Math.floor(v / STEPS) / STEPS);
        ctx.beginPath();
        ctx.arc(0, 0, look.size, 0, 2 * Math.PI, false);
        ctx.closePath();
        ctx.fillStyle = look.fill;
        ctx.fill();
        if (stroked) {
          ctx.lineWidth = lineWidth;
          ctx.strokeStyle = look.border;
          ctx.stroke();
        }
      }
      var rgba = ctx.getImageData(0, 0, atlas.width, side).data;
      found.disc = { middle: middle, positions: [] };
      for (v = 0; v < STEPS * STEPS; v++) {
        var at = [], colour = [];
        for (var y = 0; y < side; y++) {
          for (var x = 0; x < side; x++) {
            var i = (y * atlas.width + v * side + x) * 4;
            if (rgba[i + 3] === 0) { continue; }
            at.push(x, y);
            colour.push(rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]);
          }
        }
        found.disc.positions.push({ at: at, colour: colour });
      }
      return found.disc;
    }

    // Lay one disc over the layer's pixels ("source-over" on straight alpha).
    function blend(image, left, top, width, height) {
      var data = pixels.data, at = image.at, colour = image.colour;
      for (var j = 0, c = 0; j < at.length; j += 2, c += 4) {
        var x = left + at[j], y = top + at[j + 1];
        if (x < 0 || y < 0 || x >= width || y >= height) { continue; }
        var p = (y * width + x) * 4, a = colour[c + 3], under = data[p + 3];
        if (a === 255 || under === 0) {
          data[p] = colour[c];
          data[p + 1] = colour[c + 1];
          data[p + 2] = colour[c + 2];
          data[p + 3] = a;
        } else {
          var rest = under * (255 - a) / 255, out = a + rest;
          data[p] = (colour[c] * a + data[p] * rest) / out;
          data[p + 1] = (colour[c + 1] * a + data[p + 1] * rest) / out;
          data[p + 2] = (colour[c + 2] * a + data[p + 2] * rest) / out;
          data[p + 3] = out;
        }
      }
    }

    // vis-network's _drawEdges: the plain ties batched, the others drawn one by one after.
    renderer._drawEdges = function (ctx) {
      var batches = [], others = [], indices = body.edgeIndices;
      if (indices.length < FROM) { return visDrawEdges.call(renderer, ctx); }
      for (var n = 0; n < indices.length; n++) {
        var edge = body.edges[indices[n]];
        if (edge.connected !== true) { continue; }
        var batch = edgeLook(edge, ctx).batch;
        if (batch === null || edge.selected || edge.hover) {
          others.push(edge);
          continue;
        }
        if (batch.count === 0) { batches.push(batch); }
        if (batch.count + 4 > batch.ends.length) {
          var more = new Float64Array(batch.ends.length * 2);
          more.set(batch.ends);
          batch.ends = more;
        }
        var type = edge.edgeType, ends = batch.ends, at = batch.count;
        ends[at] = type.fromPoint.x;
        ends[at + 1] = type.fromPoint.y;
        ends[at + 2] = type.toPoint.x;
        ends[at + 3] = type.toPoint.y;
        batch.count = at + 4;
      }
      batches.forEach(function (batch) {
        var ends = batch.ends;
        ctx.beginPath();
        for (var i = 0; i < batch.count; i += 4) {
          ctx.moveTo(ends[i], ends[i + 1]);
          ctx.lineTo(ends[i + 2], ends[i + 3]);
        }
        ctx.strokeStyle = batch.color;
        ctx.lineWidth = batch.width;
        ctx.stroke();
        batch.count = 0;
      });
      others.forEach(function (edge) { edge.draw(ctx); });
    };

    // vis-network's _drawNodes: nodes out of view keep their bounds; plain small ones in
    // view go to the layer, in order; the layer is laid on the canvas before the others.
    renderer._drawNodes = function (ctx, alwaysShow) {
      if (body.nodeIndices.length < FROM) { return visDrawNodes.call(renderer, ctx, alwaysShow); }
      var scale = body.view.scale, ratio = canvas.pixelRatio, shift = body.view.translation;
      var width = canvas.frame.canvas.width, height = canvas.frame.canvas.height;
      if (scale * ratio !== discScale) {
        discs = new Map();
        discScale = scale * ratio;
      }
      if (pixels === null || pixels.width !== width || pixels.height !== height) {
        layer.width = width;
        layer.height = height;
        pixels = layerCtx.createImageData(width, height);
      } else {
        new Uint32Array(pixels.data.buffer).fill(0);
      }
      var margin = 20;
      var corner = canvas.DOMtoCanvas({ x: -margin, y: -margin });
      var far = canvas.DOMtoCanvas({
        x: canvas.frame.canvas.clientWidth + margin, y: canvas.frame.canvas.clientHeight + margin
      });
      var area = { top: corner.y, left: corner.x, bottom: far.y, right: far.x };
      var selected = [], hovered = [], drawn = [], labels = [], blended = 0;
      madeNow = 0;
      var indices = body.nodeIndices;
      for (var n = 0; n < indices.length; n++) {
        var node = body.nodes[indices[n]];
        if (node.hover) { hovered.push(node); continue; }
        if (node.selected) { selected.push(node); continue; }
        if (alwaysShow !== true && !node.isBoundingBoxOverlappingWith(area)) {
          node.updateBoundingBox(ctx, node.selected);
          continue;
        }
        var look = nodeLook(node, ctx);
        if (look.plain && look.scale !== discScale) {
          look.disc = disc(look, scale);
          if (look.disc !== undefined) { look.scale = discScale; }
        }
        if (!look.plain || !look.disc) { drawn.push(node); continue; }
        // what vis-network's dot does when it draws: its place and bounds (it has no label)
        var x = node.x, y = node.y, shape = node.shape, box = shape.boundingBox;
        shape.left = x - look.width / 2;
        shape.top = y - look.height / 2;
        box.top = y - look.size;
        box.left = x - look.size;
        box.right = x + look.size;
        box.bottom = y + look.size;
        x = (x * scale + shift.x) * ratio;
        y = (y * scale + shift.y) * ratio;
        var left = Math.floor(x), top = Math.floor(y);
        var dx = Math.round((x - left) * STEPS), dy = Math.round((y - top) * STEPS);
        if (dx === STEPS) { dx = 0; left += 1; }
        if (dy === STEPS) { dy = 0; top += 1; }
        var image = look.disc;
        blend(image.positions[dy * STEPS + dx], left - image.middle, top - image.middle,
          width, height);
        blended += 1;
      }
      if (blended) {
        layerCtx.putImageData(pixels, 0, 0);
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(layer, 0, 0);
        ctx.restore();
      }
      [drawn, selected, hovered].forEach(function (list) {
        list.forEach(function (node) {
          var label = node.draw(ctx).drawExternalLabel;
          if (label != null) { labels.push(label); }
        });
      });
      return { drawExternalLabels: function () { labels.forEach(function (f) { f(); }); } };
    };
    return { restyled: restyled };
  };
})();
