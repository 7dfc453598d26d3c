// Dense point layers (campuses, checkpoints, cameras, patrol units) on one canvas each: below a zoom
// level the points are counted per screen cell and drawn as one numbered disc per cell; a click on a
// disc zooms in until it splits; from that zoom level on every point is its own small icon.
(function () {
  'use strict';

  function project(lat, lng) {
    var sin = Math.sin(lat * Math.PI / 180);
    sin = Math.max(Math.min(sin, 0.9999), -0.9999);
    return [256 * (0.5 + lng / 360), 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI))];
  }

  /** Icons drawn at (x, y) in CSS pixels; p is the point ({color, heading, ...}). */
  var ICONS = {
    dot: function (g, x, y, p) { g.beginPath(); g.arc(x, y, p.radius || 3, 0, 2 * Math.PI); g.fill(); g.stroke(); },
    // a school: a small house (square with a roof), outlined so it reads on any fill
    campus: function (g, x, y) {
      g.beginPath(); g.moveTo(x - 5, y - 1); g.lineTo(x, y - 6); g.lineTo(x + 5, y - 1); g.lineTo(x + 4, y - 1); g.lineTo(x + 4, y + 4);
      g.lineTo(x - 4, y + 4); g.lineTo(x - 4, y - 1); g.closePath(); g.fill(); g.stroke();
    },
    // a patrol unit: a narrow arrowhead pointing along its heading (north when not moving)
    direction: function (g, x, y, p) {
      var a = (p.heading || 0) * Math.PI / 180, s = Math.sin(a), c = Math.cos(a);
      function pt(dx, dy) { return [x + dx * c - dy * s, y + dx * s + dy * c]; }
      var tip = pt(0, -7), l = pt(-4, 4), m = pt(0, 2), r = pt(4, 4);
      g.beginPath(); g.moveTo(tip[0], tip[1]); g.lineTo(l[0], l[1]); g.lineTo(m[0], m[1]); g.lineTo(r[0], r[1]); g.closePath(); g.fill(); g.stroke();
    }
  };

  /**
   * options: pane, icon (a key of ICONS), color, clusterBelowZoom (aggregate below this zoom),
   * cellPx (cluster cell size, CSS px), onClick(point, latlng) for a single point (the map's click
   * handler calls handleClick).
   * Points: [{ lat, lng, color?, heading?, props }].
   */
  var PointLayer = L.Layer.extend({
    initialize: function (points, options) {
      this.options = L.Util.extend({ icon: 'dot', color: '#ccc', clusterBelowZoom: 12, cellPx: 56 }, options);
      this.setPoints(points || []);
    },
    setPoints: function (points) {
      this.points = points;
      this._mx = new Float64Array(points.length);
      this._my = new Float64Array(points.length);
      for (var i = 0; i < points.length; i++) this._place(i);
      this.redraw();
    },
    /** Moves one point (a patrol unit's new position); the redraw is coalesced into the next frame. */
    move: function (i, lat, lng, heading) {
      var p = this.points[i];
      p.lat = lat; p.lng = lng;
      if (heading != null) p.heading = heading;
      this._place(i);
      this.redraw();
    },
    _place: function (i) {
      var m = project(this.points[i].lat, this.points[i].lng);
      this._mx[i] = m[0]; this._my[i] = m[1];
    },
    clustered: function () { return !!this._map && this._map.getZoom() < this.options.clusterBelowZoom; },
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create('canvas', 'sg-point-canvas leaflet-zoom-hide');
      map.getPane(this.options.pane || 'overlayPane').appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._reset, this);
      this._reset();
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize viewreset', this._reset, this);
      if (this._frame) L.Util.cancelAnimFrame(this._frame);
      this._frame = null;
      L.DomUtil.remove(this._canvas);
      this._map = null;
    },
    _reset: function () {
      var size = this._map.getSize(), ratio = window.devicePixelRatio || 1;
      this._canvas.width = size.x * ratio; this._canvas.height = size.y * ratio;
      this._canvas.style.width = size.x + 'px'; this._canvas.style.height = size.y + 'px';
      L.DomUtil.setPosition(this._canvas, this._map.containerPointToLayerPoint([0, 0]));
      this._draw();
    },
    redraw: function () {
      if (!this._map || this._frame) return this;
      this._frame = L.Util.requestAnimFrame(function () { this._frame = null; if (this._map) this._draw(); }, this);
      return this;
    },
    /** The view's clusters: [{ x, y (container px), n, members: [indices] }], or single points when not clustered. */
    _groups: function () {
      var map = this._map, zoom = map.getZoom(), scale = 256 * Math.pow(2, zoom);
      var origin = map.getPixelOrigin(), pane = map.containerPointToLayerPoint([0, 0]).multiplyBy(-1);
      var ox = origin.x - pane.x, oy = origin.y - pane.y, size = map.getSize(), pad = 16;
      var out = [], cells = {}, cell = this.options.cellPx, clustered = this.clustered();
      for (var i = 0; i < this._mx.length; i++) {
        var x = this._mx[i] * scale / 256 - ox, y = this._my[i] * scale / 256 - oy;
        if (x < -pad || y < -pad || x > size.x + pad || y > size.y + pad) continue;
        if (!clustered) { out.push({ x: x, y: y, n: 1, members: [i] }); continue; }
        // cells fixed to the world (not the screen), so a pan does not regroup the points
        var key = Math.floor((x + ox) / cell) + ':' + Math.floor((y + oy) / cell);
        var g = cells[key];
        if (!g) { g = cells[key] = { sx: 0, sy: 0, n: 0, members: [] }; out.push(g); }
        g.sx += x; g.sy += y; g.n++; g.members.push(i);
      }
      if (clustered) out.forEach(function (g) { g.x = g.sx / g.n; g.y = g.sy / g.n; });
      return out;
    },
    _draw: function () {
      var t0 = performance.now();
      var g = this._canvas.getContext('2d'), ratio = window.devicePixelRatio || 1, o = this.options;
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.clearRect(0, 0, this._canvas.width, this._canvas.height);
      var groups = this._groups();
      this._shown = groups;
      var clustered = this.clustered(), pts = this.points;
      g.lineWidth = 1;
      if (clustered) {
        g.font = 'bold 11px "SafeGrid Sans SC", system-ui, sans-serif';
        g.textAlign = 'center'; g.textBaseline = 'middle';
        groups.forEach(function (c) {
          var r = c.n === 1 ? 5 : Math.min(20, 8 + 3 * Math.log(c.n));
          g.globalAlpha = 0.85; g.fillStyle = o.color; g.strokeStyle = '#0d1117';
          g.beginPath(); g.arc(c.x, c.y, r, 0, 2 * Math.PI); g.fill(); g.stroke();
          g.globalAlpha = 1;
          if (c.n > 1) { g.fillStyle = '#0d1117'; g.fillText(String(c.n), c.x, c.y + 0.5); }
        });
      } else {
        var icon = ICONS[o.icon] || ICONS.dot;
        g.strokeStyle = '#0d1117';
        groups.forEach(function (c) {
          var p = pts[c.members[0]];
          g.fillStyle = p.color || o.color;
          icon(g, c.x, c.y, p);
        });
      }
      this.drawn = groups.length;
      this.drawMs = performance.now() - t0;
      if (o.onDraw) o.onDraw(this);
    },
    /** The group drawn under a container point, or null. */
    groupAt: function (pt, tolerancePx) {
      var best = null, bestD = (tolerancePx || 8) * (tolerancePx || 8);
      (this._shown || []).forEach(function (c) {
        var d = (c.x - pt.x) * (c.x - pt.x) + (c.y - pt.y) * (c.y - pt.y);
        var r = c.n > 1 ? Math.min(20, 8 + 3 * Math.log(c.n)) : 0;
        if (d <= Math.max(bestD, r * r) && (!best || d < best.d)) best = { d: d, c: c };
      });
      return best && best.c;
    },
    /** Handles a map click: expands a cluster or calls onClick for a point; false when nothing is there. */
    handleClick: function (ev) {
      if (!this._map) return false;
      var c = this.groupAt(ev.containerPoint, 8);
      if (!c) return false;
      if (c.n > 1) {
        // expand: zoom to the members' extent (at least one step, at most to the icon zoom)
        var b = L.latLngBounds(c.members.map(function (i) { return [this.points[i].lat, this.points[i].lng]; }, this));
        var z = Math.min(Math.max(this._map.getBoundsZoom(b.pad(0.2)), this._map.getZoom() + 1), this.options.clusterBelowZoom + 1);
        this._map.setView(b.getCenter(), z);
      } else if (this.options.onClick) {
        this.options.onClick(this.points[c.members[0]], L.latLng(this.points[c.members[0]].lat, this.points[c.members[0]].lng));
      }
      return true;
    }
  });

  window.SafeGridPoints = { PointLayer: PointLayer, ICONS: ICONS };
})();
