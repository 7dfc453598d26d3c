/*
 * Base maps served by SafeGrid (/api/basemaps): the active uploaded tile package as a Leaflet layer,
 * raster through L.tileLayer, vector (MVT) through protomaps-leaflet (js/vendor, BSD-3-Clause), in one
 * of two themes: 'dark' for the control room, 'print' (light) for paper. Other pages (the briefing)
 * call SafeGridBasemap.layer(basemap, { theme: 'print' }) or SafeGridBasemap.addActive(map, options).
 *
 * Vector layers are drawn by their names in the package: the names of OpenMapTiles, Protomaps'
 * basemap and GDAL/ogr2ogr exports named after the content (water, roads, ...). A layer of another
 * name is not drawn.
 */
(function () {
  'use strict';

  var FONT = '"SafeGrid Sans SC", system-ui, sans-serif';

  var THEMES = {
    dark: {
      background: '#0f1720', land: '#1b2530', landuse: '#1f2b24', water: '#0d2a40', waterLine: '#1c4a6e',
      building: '#26313d', boundary: '#6b7a8c', road: '#c9a45c', roadMinor: '#7d6b4a', rail: '#5c6670',
      label: '#d7dee6', labelHalo: '#0f1720'
    },
    print: {
      background: '#ffffff', land: '#f4f2ee', landuse: '#e6efe0', water: '#bcd6ea', waterLine: '#8fb6d6',
      building: '#dedad4', boundary: '#8a8a8a', road: '#d08a2e', roadMinor: '#b9b2a6', rail: '#9a9a9a',
      label: '#222222', labelHalo: '#ffffff'
    }
  };

  // layer names of common vector tile schemas, by what they hold
  var NAMES = {
    land: ['earth', 'land', 'landcover'],
    landuse: ['landuse', 'park', 'natural'],
    water: ['water', 'ocean', 'lake', 'waterway', 'water_polygons', 'water_lines'],
    building: ['building', 'buildings'],
    boundary: ['boundary', 'boundaries', 'admin'],
    road: ['roads', 'road', 'transportation', 'highway', 'streets'],
    rail: ['rail', 'railway', 'railways'],
    coast: ['coastline', 'coastlines'],
    place: ['places', 'place', 'place_label', 'poi', 'pois', 'towns', 'place_names']
  };

  function minorRoad(z, f) {
    var k = f && f.props && (f.props.kind || f.props['class'] || f.props.highway);
    return k === 'minor_road' || k === 'minor' || k === 'service' || k === 'path' || k === 'track' || k === 'residential';
  }

  function paintRules(c) {
    var P = window.protomapsL;
    var rules = [];
    function each(kind, make) { NAMES[kind].forEach(function (n) { rules.push({ dataLayer: n, symbolizer: make() }); }); }
    each('land', function () { return new P.PolygonSymbolizer({ fill: c.land }); });
    each('landuse', function () { return new P.PolygonSymbolizer({ fill: c.landuse, opacity: 0.7 }); });
    each('water', function () { return new P.PolygonSymbolizer({ fill: c.water }); });
    each('water', function () { return new P.LineSymbolizer({ color: c.waterLine, width: 1.2 }); });
    each('building', function () { return new P.PolygonSymbolizer({ fill: c.building }); });
    each('boundary', function () { return new P.LineSymbolizer({ color: c.boundary, width: 1, dash: [3, 2] }); });
    each('coast', function () { return new P.LineSymbolizer({ color: c.waterLine, width: 1.5 }); });
    each('rail', function () { return new P.LineSymbolizer({ color: c.rail, width: 1, dash: [4, 3] }); });
    each('road', function () {
      return new P.LineSymbolizer({
        color: function (z, f) { return minorRoad(z, f) ? c.roadMinor : c.road; },
        width: function (z, f) { return (minorRoad(z, f) ? 0.6 : 1.4) * Math.max(1, (z - 8) / 2); }
      });
    });
    return rules;
  }

  function labelRules(c, lang) {
    var P = window.protomapsL;
    var props = lang === 'en' ? ['name:en', 'name_en', 'name', 'name:zh'] : ['name:zh', 'name_zh', 'name', 'name:en'];
    var rules = [];
    NAMES.place.forEach(function (n) {
      rules.push({ dataLayer: n, symbolizer: new P.CenteredTextSymbolizer({ labelProps: props, fill: c.label, stroke: c.labelHalo, width: 2, fontFamily: FONT, fontSize: 12 }) });
    });
    NAMES.road.forEach(function (n) {
      rules.push({ dataLayer: n, minzoom: 13, symbolizer: new P.LineLabelSymbolizer({ labelProps: props, fill: c.label, stroke: c.labelHalo, width: 2, fontFamily: FONT, fontSize: 11 }) });
    });
    return rules;
  }

  /**
   * A Leaflet layer for one basemap of /api/basemaps. options: theme ('dark' | 'print'), pane,
   * lang ('zh' | 'en'). Raster tiles are shown as they are in either theme.
   */
  function layer(basemap, options) {
    options = options || {};
    var theme = THEMES[options.theme] || THEMES.dark;
    var b = basemap.bounds;
    var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    var common = { pane: options.pane || 'tilePane', attribution: basemap.name, bounds: bounds, minZoom: 0 };
    if (!basemap.vector) {
      return L.tileLayer(basemap.tiles, L.Util.extend(common, {
        minNativeZoom: basemap.minzoom, maxNativeZoom: basemap.maxzoom, maxZoom: 20
      }));
    }
    if (!window.protomapsL) throw new Error('protomaps-leaflet is not loaded: include /js/vendor/protomaps-leaflet-5.1.0.js');
    return window.protomapsL.leafletLayer(L.Util.extend(common, {
      url: basemap.tiles, maxDataZoom: basemap.maxzoom,
      // the reference base map (id 0) draws land only: the sea is its background
      backgroundColor: basemap.id === 0 ? theme.water : undefined,
      paintRules: paintRules(theme), labelRules: labelRules(theme, options.lang),
      // labels wait for the self-hosted CJK face, so Chinese names never draw as boxes
      tasks: document.fonts && document.fonts.load ? [document.fonts.load('12px "SafeGrid Sans SC"', '地图')] : []
    }));
  }

  /**
   * The active basemap of /api/basemaps: an uploaded package, or else the reference base map (id 0, made
   * from the city's own layers); null when the list could not be read.
   */
  function findActive() {
    return fetch('/api/basemaps', { credentials: 'same-origin', headers: { 'X-Requested-With': 'XMLHttpRequest' } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) { return list.filter(function (b) { return b.active; })[0] || null; })
      .catch(function () { return null; });
  }

  /** Adds the active basemap to the map in the theme; resolves to { basemap, layer } or null when none is active. */
  function addActive(map, options) {
    return findActive().then(function (b) {
      if (!b) return null;
      var l = layer(b, options).addTo(map);
      return { basemap: b, layer: l };
    });
  }

  window.SafeGridBasemap = { THEMES: THEMES, layer: layer, findActive: findActive, addActive: addActive };
})();
