// Live events on one canvas: a ring buffer of typed arrays (no object per event), colour by source,
// size by severity, fading with age; and a kernel-density heat layer drawn from the same buffer.
(function () {
  'use strict';

  var SOURCES = ['camera', 'checkpoint', 'patrol', 'incident'];
  var COLORS = ['#ff5ca8', '#ffa940', '#40a9ff', '#b37feb'];
  var FADE_STEPS = 12;
  var FULL_EVERY_MS = 5000;
  var CLOCK_SLACK_MS = 120000;
  var SLICE_MS = 6;
  var VISIBLE_SLACK = 65536;
  var SEVERITY_RADIUS = [1.5, 2, 2.5, 3.5, 5, 6.5];

  // pixel offsets [dx, dy, ...] of a filled disc per severity, for a device pixel ratio
  var maskCache = {};
  function discMasks(ratio) {
    if (maskCache[ratio]) return maskCache[ratio];
    maskCache[ratio] = SEVERITY_RADIUS.map(function (r0) {
      var r = r0 * ratio, R = Math.ceil(r), out = [];
      for (var dy = -R; dy <= R; dy++) for (var dx = -R; dx <= R; dx++) if (dx * dx + dy * dy <= r * r + 0.5) out.push(dx, dy);
      return out;
    });
    return maskCache[ratio];
  }
  // RGBA as one little-endian uint32 per (source, fade step): alpha falls from 255 to ~40 with age
  var colorCache = null;
  function colorTable() {
    if (colorCache) return colorCache;
    colorCache = new Uint32Array(SOURCES.length * FADE_STEPS);
    COLORS.forEach(function (hex, s) {
      var r = parseInt(hex.substr(1, 2), 16), g = parseInt(hex.substr(3, 2), 16), b = parseInt(hex.substr(5, 2), 16);
      for (var f = 0; f < FADE_STEPS; f++) {
        var a = Math.round(255 * (1 - f / FADE_STEPS * 0.85));
        colorCache[s * FADE_STEPS + f] = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
      }
    });
    return colorCache;
  }

  /** A fixed-capacity store of events: projected position, times, source, severity, id. */
  function EventStore(capacity) {
    this.capacity = capacity;
    this.mx = new Float64Array(capacity); // Web Mercator x at zoom 0, 0..256
    this.my = new Float64Array(capacity);
    this.obs = new Float64Array(capacity);
    this.src = new Uint8Array(capacity);
    this.sev = new Uint8Array(capacity);
    this.ids = new Array(capacity);
    this.kinds = new Array(capacity);
    this.sourceIds = new Array(capacity);
    this.lons = new Float64Array(capacity);
    this.lats = new Float64Array(capacity);
    this.head = 0; // next slot
    this.size = 0;
    this.seen = new Set();
    this.newest = 0;
    this.version = 0;
    this.added = 0; // events ever added (monotonic): what a layer has not drawn yet is added - its mark
    this.clears = 0;
  }

  EventStore.prototype.clear = function () {
    this.head = 0; this.size = 0; this.seen.clear(); this.newest = 0; this.version++; this.clears++;
  };

  /** Adds a column batch (see EventColumns on the server); skips ids already held; returns how many were new. */
  EventStore.prototype.addColumns = function (c, filter) {
    var n = c.id.length, added = 0;
    for (var i = 0; i < n; i++) {
      var id = c.id[i];
      if (this.seen.has(id)) continue;
      if (filter && !filter(c, i)) continue;
      var slot = this.head;
      if (this.size === this.capacity) this.seen.delete(this.ids[slot]); else this.size++;
      this.head = (slot + 1) % this.capacity;
      var ll = window.SafeGridDatum.latLng(c.lat[i], c.lon[i]);
      var sin = Math.sin(ll.lat * Math.PI / 180);
      sin = Math.max(Math.min(sin, 0.9999), -0.9999);
      this.mx[slot] = 256 * (0.5 + ll.lng / 360);
      this.my[slot] = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
      this.obs[slot] = c.observedAt[i];
      var s = SOURCES.indexOf(c.source[i]);
      this.src[slot] = s < 0 ? 0 : s;
      this.sev[slot] = c.severity[i];
      this.ids[slot] = id;
      this.kinds[slot] = c.kind[i];
      this.sourceIds[slot] = c.sourceId[i];
      this.lons[slot] = c.lon[i];
      this.lats[slot] = c.lat[i];
      this.seen.add(id);
      if (c.observedAt[i] > this.newest) this.newest = c.observedAt[i];
      added++;
    }
    if (added) this.version++;
    this.added += added;
    return added;
  };

  /** Calls f(slot) for each stored event, oldest first. */
  EventStore.prototype.each = function (f) {
    var start = (this.head - this.size + this.capacity) % this.capacity;
    for (var k = 0; k < this.size; k++) f((start + k) % this.capacity);
  };

  /**
   * The events layer. options.now() gives the time the map shows (live: now; replay: the slider's
   * time); options.windowMs how long an event stays visible.
   */
  var EventLayer = L.Layer.extend({
    initialize: function (store, options) {
      this.store = store;
      this.options = options;
      this.drawn = 0;
      this.drawMs = 0;
      this._frame = null;
    },
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create('canvas', 'sg-event-canvas leaflet-zoom-hide');
      map.getPane(this.options.pane || 'overlayPane').appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._reset, this);
      // ages fade: a full redraw now and then; new events in between are drawn on top (see _draw)
      this._timer = setInterval(this.redraw.bind(this), 1000);
      this._reset();
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize viewreset', this._reset, this);
      clearInterval(this._timer);
      if (this._frame) L.Util.cancelAnimFrame(this._frame);
      this._frame = null;
      L.DomUtil.remove(this._canvas);
      this.drawn = 0;
    },
    _reset: function () {
      var size = this._map.getSize();
      var ratio = window.devicePixelRatio || 1;
      this._canvas.width = size.x * ratio; this._canvas.height = size.y * ratio;
      this._canvas.style.width = size.x + 'px'; this._canvas.style.height = size.y + 'px';
      L.DomUtil.setPosition(this._canvas, this._map.containerPointToLayerPoint([0, 0]));
      this._fullDrawAt = null;
      this._draw();
    },
    /** Asks for a redraw on the next animation frame (many calls in one frame draw once). */
    redraw: function () {
      if (!this._map || this._frame) return;
      this._frame = L.Util.requestAnimFrame(function () { this._frame = null; this._draw(); }, this);
    },
    // Writes pixels straight into one ImageData (no canvas path per point). Oldest first, so the
    // newest event is on top where points overlap. Between full draws only the events added since
    // the last frame are painted on top, and only their rectangle is copied to the canvas: 2,000
    // events/s cost a few milliseconds a frame. A full draw at once when the view or the store
    // changes; the periodic refresh that fades ages and drops what left the window (every
    // FULL_EVERY_MS) is built in slices of a few milliseconds per frame into a second buffer, then
    // swapped in, so 120,000 events never make one long task.
    _draw: function () {
      var t0 = performance.now();
      var s = this.store, ctx = this._canvas.getContext('2d');
      var W = this._canvas.width, H = this._canvas.height;
      if (!this._img || this._img.width !== W || this._img.height !== H) {
        this._img = ctx.createImageData(W, H);
        this._px = new Uint32Array(this._img.data.buffer);
        this._fullDrawAt = null;
      }
      var cap = s.capacity;
      // room for the events painted on top between full draws (the evicted ones are still listed)
      if (!this._visible || this._visible.length < cap + VISIBLE_SLACK) this._visible = new Int32Array(cap + VISIBLE_SLACK);
      var now = this.options.now(), win = this.options.windowMs();
      var fresh = s.added - (this._drawnAdded || 0);
      var full = this._fullDrawAt == null || this._drawnClears !== s.clears || fresh > s.size
        || this._visibleCount + fresh > this._visible.length || Math.abs(now - this._fullDrawNow) > win / FADE_STEPS;
      var p;
      if (full) {
        this._rebuild = null;
        this._px.fill(0);
        p = this._paint(this._px, this._visible, 0, 0, s.added - s.size, now, Infinity);
        this._fullDrawAt = Date.now(); this._fullDrawNow = now; this._drawnClears = s.clears;
        ctx.putImageData(this._img, 0, 0);
      } else {
        p = this._paint(this._px, this._visible, this._visibleCount, this.newestShown || 0, s.added - fresh, now, Infinity);
        if (p.maxX >= 0) {
          var pad = 16, dx = Math.max(0, p.minX - pad), dy = Math.max(0, p.minY - pad);
          ctx.putImageData(this._img, 0, 0, dx, dy, Math.min(W, p.maxX + pad) - dx, Math.min(H, p.maxY + pad) - dy);
        }
        if (!this._rebuild && Date.now() - this._fullDrawAt > FULL_EVERY_MS) this._startRebuild();
      }
      this._drawnAdded = s.added;
      this._visibleCount = p.count;
      this.drawn = p.count;
      this.newestShown = p.newest || null;
      this.drawMs = performance.now() - t0;
      this.fullDraw = full;
      if (this.options.onDraw) this.options.onDraw(this);
    },
    /**
     * Paints the stored events with absolute numbers [from, store.added) (number = position in the
     * order of adding; the evicted ones are skipped) into px, until deadline (performance.now()).
     */
    _paint: function (px, visible, count, newest, from, now, deadline) {
      var map = this._map, s = this.store, ratio = window.devicePixelRatio || 1;
      var W = this._canvas.width, H = this._canvas.height;
      var scale = Math.pow(2, map.getZoom()) * ratio;
      var origin = map.getPixelBounds().min, ox = origin.x * ratio, oy = origin.y * ratio;
      var win = this.options.windowMs(), masks = discMasks(ratio), colors = colorTable();
      var mx = s.mx, my = s.my, obs = s.obs, src = s.src, sev = s.sev, cap = s.capacity;
      var minX = W, minY = H, maxX = -1, maxY = -1;
      var a = Math.max(from, s.added - s.size), end = s.added;
      for (; a < end; a++) {
        if ((a & 1023) === 0 && performance.now() > deadline) break;
        var i = (s.head - (end - a) + cap) % cap;
        var age = now - obs[i];
        // a just-committed event can look a little ahead of the page's clock (the offset is learnt
        // from the stream's first message): newest, not hidden until the next full draw
        if (age < 0 && age > -CLOCK_SLACK_MS) age = 0;
        if (age < 0 || age > win) continue;
        var x = Math.round(mx[i] * scale - ox), y = Math.round(my[i] * scale - oy);
        if (x < -16 || y < -16 || x > W + 16 || y > H + 16) continue;
        var color = colors[src[i] * FADE_STEPS + Math.min(FADE_STEPS - 1, Math.floor(age / win * FADE_STEPS))];
        var m = masks[Math.min(5, sev[i])];
        for (var q = 0; q < m.length; q += 2) {
          var xx = x + m[q], yy = y + m[q + 1];
          if (xx >= 0 && yy >= 0 && xx < W && yy < H) px[yy * W + xx] = color;
        }
        if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
        if (count < visible.length) visible[count++] = i;
        if (obs[i] > newest) newest = obs[i];
      }
      return { count: count, newest: newest, next: a, minX: minX, minY: minY, maxX: maxX, maxY: maxY };
    },
    _startRebuild: function () {
      var n = this._px.length;
      if (!this._back || this._back.length !== n) { this._back = new Uint32Array(n); this._backVisible = new Int32Array(this.store.capacity + VISIBLE_SLACK); }
      this._back.fill(0);
      this._rebuild = { next: this.store.added - this.store.size, count: 0, newest: 0, now: this.options.now(), clears: this.store.clears };
      L.Util.requestAnimFrame(this._rebuildStep, this);
    },
    // one slice of the background full draw per frame; swaps it in when it has caught up
    _rebuildStep: function () {
      var r = this._rebuild, s = this.store;
      if (!r || !this._map || r.clears !== s.clears) { this._rebuild = null; return; }
      var p = this._paint(this._back, this._backVisible, r.count, r.newest, r.next, r.now, performance.now() + SLICE_MS);
      r.next = p.next; r.count = p.count; r.newest = p.newest;
      if (r.next < s.added) { L.Util.requestAnimFrame(this._rebuildStep, this); return; }
      var t = this._px; this._px = this._back; this._back = t;
      var v = this._visible; this._visible = this._backVisible; this._backVisible = v;
      this._img = new ImageData(new Uint8ClampedArray(this._px.buffer), this._canvas.width, this._canvas.height);
      this._canvas.getContext('2d').putImageData(this._img, 0, 0);
      this._rebuild = null;
      this._fullDrawAt = Date.now(); this._fullDrawNow = r.now;
      this._drawnAdded = s.added;
      this._visibleCount = r.count; this.drawn = r.count; this.newestShown = r.newest || null;
      if (this.options.onDraw) this.options.onDraw(this);
    },
    /** The stored slot of the drawn event nearest a container point, within px pixels, or -1. */
    nearest: function (point, px) {
      if (!this._map || !this._visible) return -1;
      var scale = Math.pow(2, this._map.getZoom()), origin = this._map.getPixelBounds().min;
      var best = -1, bestD = px * px;
      for (var k = 0; k < this._visibleCount; k++) {
        var i = this._visible[k];
        var dx = this.store.mx[i] * scale - origin.x - point.x, dy = this.store.my[i] * scale - origin.y - point.y;
        var d = dx * dx + dy * dy;
        if (d <= bestD) { bestD = d; best = i; }
      }
      return best;
    }
  });

  /**
   * Kernel density of the events in view: counts on a coarse pixel grid, smoothed by three box
   * blurs (close to a Gaussian kernel), coloured through a ramp. Redrawn at most once a second.
   */
  var HeatLayer = EventLayer.extend({
    _draw: function () {
      var t0 = performance.now();
      var map = this._map, s = this.store;
      var size = map.getSize(), cell = 4;
      var w = Math.ceil(size.x / cell), h = Math.ceil(size.y / cell);
      var grid = new Float32Array(w * h);
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelBounds().min;
      var now = this.options.now(), win = this.options.windowMs();
      var count = 0;
      s.each(function (i) {
        var age = now - s.obs[i];
        if (age < 0 || age > win) return;
        var gx = Math.floor((s.mx[i] * scale - origin.x) / cell), gy = Math.floor((s.my[i] * scale - origin.y) / cell);
        if (gx < 0 || gy < 0 || gx >= w || gy >= h) return;
        grid[gy * w + gx] += 1 + s.sev[i] / 2;
        count++;
      });
      var radius = 4;
      var tmp = new Float32Array(w * h);
      for (var pass = 0; pass < 3; pass++) { boxBlur(grid, tmp, w, h, radius, true); boxBlur(tmp, grid, w, h, radius, false); }
      var max = 0;
      for (var m = 0; m < grid.length; m++) if (grid[m] > max) max = grid[m];
      var small = document.createElement('canvas');
      small.width = w; small.height = h;
      var sctx = small.getContext('2d'), img = sctx.createImageData(w, h), d = img.data;
      if (max > 0) {
        for (var j = 0; j < grid.length; j++) {
          var v = grid[j] / max;
          if (v < 0.04) continue;
          var c = ramp(v);
          d[j * 4] = c[0]; d[j * 4 + 1] = c[1]; d[j * 4 + 2] = c[2]; d[j * 4 + 3] = Math.min(220, 60 + v * 200);
        }
      }
      sctx.putImageData(img, 0, 0);
      var ctx = this._canvas.getContext('2d'), ratio = window.devicePixelRatio || 1;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(small, 0, 0, w * cell, h * cell);
      this.drawn = count;
      this.weight = count;
      this.drawMs = performance.now() - t0;
      if (this.options.onDraw) this.options.onDraw(this);
    }
  });

  function boxBlur(src, dst, w, h, r, horizontal) {
    var norm = 1 / (2 * r + 1);
    if (horizontal) {
      for (var y = 0; y < h; y++) {
        var acc = 0, row = y * w;
        for (var x = -r; x <= r; x++) acc += src[row + Math.min(w - 1, Math.max(0, x))];
        for (var x2 = 0; x2 < w; x2++) {
          dst[row + x2] = acc * norm;
          acc += src[row + Math.min(w - 1, x2 + r + 1)] - src[row + Math.max(0, x2 - r)];
        }
      }
    } else {
      for (var cx = 0; cx < w; cx++) {
        var acc2 = 0;
        for (var yy = -r; yy <= r; yy++) acc2 += src[Math.min(h - 1, Math.max(0, yy)) * w + cx];
        for (var y2 = 0; y2 < h; y2++) {
          dst[y2 * w + cx] = acc2 * norm;
          acc2 += src[Math.min(h - 1, y2 + r + 1) * w + cx] - src[Math.max(0, y2 - r) * w + cx];
        }
      }
    }
  }

  var RAMP = [[0, [43, 131, 186]], [0.35, [171, 221, 164]], [0.6, [255, 255, 191]], [0.8, [253, 174, 97]], [1, [215, 25, 28]]];
  function ramp(v) {
    for (var i = 1; i < RAMP.length; i++) {
      if (v <= RAMP[i][0]) {
        var a = RAMP[i - 1], b = RAMP[i], f = (v - a[0]) / (b[0] - a[0]);
        return [a[1][0] + f * (b[1][0] - a[1][0]), a[1][1] + f * (b[1][1] - a[1][1]), a[1][2] + f * (b[1][2] - a[1][2])];
      }
    }
    return RAMP[RAMP.length - 1][1];
  }

  window.SafeGridEvents = {
    SOURCES: SOURCES, COLORS: COLORS, RAMP: RAMP,
    EventStore: EventStore, EventLayer: EventLayer, HeatLayer: HeatLayer
  };
})();
