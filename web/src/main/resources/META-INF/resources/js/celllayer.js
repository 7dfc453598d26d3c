// Grid cells on one canvas: every cell's rings projected once into one typed array, drawn in one
// pass per style (a handful of fills instead of thousands of Leaflet paths), restyled in place.
(function () {
  'use strict';

  function project(ll) {
    var sin = Math.sin(ll.lat * Math.PI / 180);
    sin = Math.max(Math.min(sin, 0.9999), -0.9999);
    return [256 * (0.5 + ll.lng / 360), 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI))];
  }

  /**
   * A layer of polygon cells (a GeoJSON FeatureCollection of Polygon/MultiPolygon features).
   * options.style(feature) returns { fill, fillColor (colour or CanvasPattern), fillOpacity, color,
   * weight } as for Leaflet paths; options.pane names the map pane; options.coordsToLatLng shifts
   * datum. cellAt(latlng) finds the feature under a point.
   */
  var CellLayer = L.Layer.extend({
    initialize: function (fc, options) {
      this.options = options;
      this.features = fc.features || [];
      var c2l = options.coordsToLatLng || function (c) { return L.latLng(c[1], c[0]); };
      var xy = [], ringStart = [], cellRing = [0], box = [];
      this.features.forEach(function (f) {
        var g = f.geometry, polys = !g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
        var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
        polys.forEach(function (rings) {
          rings.forEach(function (ring) {
            ringStart.push(xy.length);
            ring.forEach(function (c) {
              var p = project(c2l(c));
              xy.push(p[0], p[1]);
              if (p[0] < minX) minX = p[0]; if (p[0] > maxX) maxX = p[0];
              if (p[1] < minY) minY = p[1]; if (p[1] > maxY) maxY = p[1];
            });
          });
        });
        cellRing.push(ringStart.length);
        box.push(minX, minY, maxX, maxY);
      });
      ringStart.push(xy.length);
      this._xy = new Float64Array(xy);
      this._ringStart = new Int32Array(ringStart);
      this._cellRing = new Int32Array(cellRing);
      this._box = new Float64Array(box);
      this.count = this.features.length;
      this._restyle();
    },
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create('canvas', 'sg-cell-canvas leaflet-zoom-hide');
      map.getPane(this.options.pane || 'overlayPane').appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._reset, this);
      this._reset();
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize viewreset', this._reset, this);
      if (this._frame) L.Util.cancelAnimFrame(this._frame);
      this._frame = null;
      L.DomUtil.remove(this._canvas);
    },
    /** Restyles every cell with style(feature) (or the layer's own style) and redraws once. */
    setStyle: function (style) {
      if (typeof style === 'function') this.options.style = style;
      this._restyle();
      this.redraw();
      return this;
    },
    bringToFront: function () { return this; },
    redraw: function () {
      if (!this._map || this._frame) return this;
      this._frame = L.Util.requestAnimFrame(function () { this._frame = null; this._draw(); }, this);
      return this;
    },
    // cells grouped by identical style: one path and one fill per group
    _restyle: function () {
      var styles = [], index = new Map(), group = new Int32Array(this.count), style = this.options.style;
      for (var i = 0; i < this.count; i++) {
        var s = style ? style(this.features[i]) : {};
        var key = [s.fill === false ? 0 : 1, s.fillOpacity, s.color, s.weight];
        var byFill = index.get(s.fillColor);
        if (!byFill) { byFill = {}; index.set(s.fillColor, byFill); }
        var k = key.join('|');
        if (byFill[k] == null) { byFill[k] = styles.length; styles.push(s); }
        group[i] = byFill[k];
      }
      this._styles = styles;
      this._group = group;
    },
    _reset: function () {
      var size = this._map.getSize(), ratio = window.devicePixelRatio || 1;
      this._canvas.width = size.x * ratio; this._canvas.height = size.y * ratio;
      this._canvas.style.width = size.x + 'px'; this._canvas.style.height = size.y + 'px';
      L.DomUtil.setPosition(this._canvas, this._map.containerPointToLayerPoint([0, 0]));
      this._draw();
    },
    _draw: function () {
      var t0 = performance.now();
      var map = this._map, ctx = this._canvas.getContext('2d'), ratio = window.devicePixelRatio || 1;
      var size = map.getSize();
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelBounds().min;
      var ox = origin.x, oy = origin.y, W = size.x, H = size.y;
      var xy = this._xy, rs = this._ringStart, cr = this._cellRing, box = this._box, group = this._group;
      var visible = [];
      for (var i = 0; i < this.count; i++) {
        if (box[4 * i + 2] * scale - ox < 0 || box[4 * i] * scale - ox > W || box[4 * i + 3] * scale - oy < 0 || box[4 * i + 1] * scale - oy > H) continue;
        visible.push(i);
      }
      for (var g = 0; g < this._styles.length; g++) {
        var s = this._styles[g];
        ctx.beginPath();
        var any = false;
        for (var v = 0; v < visible.length; v++) {
          var c = visible[v];
          if (group[c] !== g) continue;
          any = true;
          for (var r = cr[c]; r < cr[c + 1]; r++) {
            for (var p = rs[r]; p < rs[r + 1]; p += 2) {
              var x = xy[p] * scale - ox, y = xy[p + 1] * scale - oy;
              if (p === rs[r]) ctx.moveTo(x, y); else ctx.lineTo(x, y);
            }
            ctx.closePath();
          }
        }
        if (!any) continue;
        if (s.fill !== false && s.fillColor) {
          ctx.globalAlpha = s.fillOpacity == null ? 0.2 : s.fillOpacity;
          ctx.fillStyle = s.fillColor;
          ctx.fill('evenodd');
        }
        if (s.weight) {
          ctx.globalAlpha = s.opacity == null ? 1 : s.opacity;
          ctx.strokeStyle = s.color || '#3388ff';
          ctx.lineWidth = s.weight;
          ctx.stroke();
        }
      }
      ctx.globalAlpha = 1;
      this.drawn = visible.length;
      this.drawMs = performance.now() - t0;
    },
    /** The feature whose cell contains latlng, or null. */
    cellAt: function (latlng) {
      var p = project(latlng), px = p[0], py = p[1];
      var xy = this._xy, rs = this._ringStart, cr = this._cellRing, box = this._box;
      for (var i = 0; i < this.count; i++) {
        if (px < box[4 * i] || px > box[4 * i + 2] || py < box[4 * i + 1] || py > box[4 * i + 3]) continue;
        var inside = false;
        for (var r = cr[i]; r < cr[i + 1]; r++) {
          for (var a = rs[r], b = rs[r + 1] - 2; a < rs[r + 1]; b = a, a += 2) {
            if ((xy[a + 1] > py) !== (xy[b + 1] > py) && px < (xy[b] - xy[a]) * (py - xy[a + 1]) / (xy[b + 1] - xy[a + 1]) + xy[a]) inside = !inside;
          }
        }
        if (inside) return this.features[i];
      }
      return null;
    },
    getBounds: function () {
      var b = L.latLngBounds([]);
      this.features.forEach(function (f) { b.extend(L.geoJSON(f).getBounds()); });
      return b;
    }
  });

  window.SafeGridCells = { CellLayer: CellLayer };
})();
