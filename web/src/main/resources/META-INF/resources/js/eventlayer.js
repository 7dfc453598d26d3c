// Live events on one canvas: a ring buffer of typed arrays (no object per event), colour by source,
// size by severity, fading with age; and a kernel-density heat layer drawn from the same buffer.
(function () {
  'use strict';

  var SOURCES = ['camera', 'checkpoint', 'patrol'];
  var COLORS = ['#ff5ca8', '#ffa940', '#40a9ff'];
  var AGE_BUCKETS = 6;

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
  }

  EventStore.prototype.clear = function () {
    this.head = 0; this.size = 0; this.seen.clear(); this.newest = 0; this.version++;
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
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._reset, this);
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
      this._draw();
    },
    /** Asks for a redraw on the next animation frame (many calls in one frame draw once). */
    redraw: function () {
      if (!this._map || this._frame) return;
      this._frame = L.Util.requestAnimFrame(function () { this._frame = null; this._draw(); }, this);
    },
    _draw: function () {
      var t0 = performance.now();
      var map = this._map, s = this.store, ctx = this._canvas.getContext('2d');
      var ratio = window.devicePixelRatio || 1;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var size = map.getSize();
      ctx.clearRect(0, 0, size.x, size.y);
      var scale = Math.pow(2, map.getZoom());
      var origin = map.getPixelBounds().min;
      var now = this.options.now(), win = this.options.windowMs();
      var sevPx = [2, 2.5, 3, 4, 5.5, 7];
      // one path per (source, age bucket, severity): few fills, no per-point style changes
      var paths = new Array(SOURCES.length * AGE_BUCKETS * 6);
      var count = 0, newest = 0;
      var mx = s.mx, my = s.my, obs = s.obs, src = s.src, sev = s.sev;
      var cap = s.capacity, start = (s.head - s.size + cap) % cap;
      var visible = this._visible = [];
      for (var k = 0; k < s.size; k++) {
        var i = (start + k) % cap;
        var age = now - obs[i];
        if (age < 0 || age > win) continue;
        var x = mx[i] * scale - origin.x, y = my[i] * scale - origin.y;
        if (x < -8 || y < -8 || x > size.x + 8 || y > size.y + 8) continue;
        var b = Math.min(AGE_BUCKETS - 1, Math.floor(age / win * AGE_BUCKETS));
        var key = (src[i] * AGE_BUCKETS + b) * 6 + Math.min(5, sev[i]);
        var arr = paths[key] || (paths[key] = []);
        arr.push(x, y);
        visible.push(i);
        count++;
        if (obs[i] > newest) newest = obs[i];
      }
      for (var p = 0; p < paths.length; p++) {
        var pts = paths[p];
        if (!pts) continue;
        var sv = p % 6, bucket = Math.floor(p / 6) % AGE_BUCKETS, so = Math.floor(p / 6 / AGE_BUCKETS);
        var r = sevPx[sv];
        ctx.globalAlpha = 1 - bucket / AGE_BUCKETS * 0.85;
        ctx.fillStyle = COLORS[so];
        ctx.beginPath();
        if (sv >= 3) {
          for (var q = 0; q < pts.length; q += 2) { ctx.moveTo(pts[q] + r, pts[q + 1]); ctx.arc(pts[q], pts[q + 1], r, 0, 6.2832); }
        } else {
          for (var q2 = 0; q2 < pts.length; q2 += 2) ctx.rect(pts[q2] - r, pts[q2 + 1] - r, 2 * r, 2 * r);
        }
        ctx.fill();
      }
      ctx.globalAlpha = 1;
      this.drawn = count;
      this.newestShown = newest || null;
      this.drawMs = performance.now() - t0;
      if (this.options.onDraw) this.options.onDraw(this);
    },
    /** The stored slot of the drawn event nearest a container point, within px pixels, or -1. */
    nearest: function (point, px) {
      if (!this._map || !this._visible) return -1;
      var scale = Math.pow(2, this._map.getZoom()), origin = this._map.getPixelBounds().min;
      var best = -1, bestD = px * px;
      for (var k = 0; k < this._visible.length; k++) {
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
