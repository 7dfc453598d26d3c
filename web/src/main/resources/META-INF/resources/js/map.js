// SafeGrid live map: overlays, risk, hotspots, heat, live events, patrol units and feed health on
// Leaflet canvas; one Server-Sent Events stream keeps it live; a slider replays the last 24 hours.
// No request leaves the server's origin unless a base-map tile URL is configured.
(function () {
  'use strict';

  var I = window.SafeGridI18n, t = I.t, D = window.SafeGridDatum, E = window.SafeGridEvents, C = window.SafeGridCells, P = window.SafeGridPoints;
  var params = new URLSearchParams(window.location.search);
  var HOUR = 3600 * 1000;

  var state = {
    layers: {}, gridSet: null, newestEventTime: null, liveStatus: 'off', openIncidents: 0,
    mode: 'live', replayTime: null, eventsPerSecond: 0, longTasks: { count: 0, maxMs: 0, over200: 0, recent: [] },
    stream: { messages: 0, reconnects: 0, watermark: 0, lastMessageAt: 0 }, clockOffset: 0,
    firstPaintMs: null, marks: {}, wall: params.get('wall') === '1'
  };

  // --- long tasks (>50 ms) on the main thread, read through the hook ---
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) {
        state.longTasks.count++;
        if (e.duration > 200) state.longTasks.over200++;
        // start and length of the recent long ones, to match them with what the page was doing
        if (e.duration > 100) { state.longTasks.recent.push([Math.round(e.startTime), Math.round(e.duration)]); if (state.longTasks.recent.length > 40) state.longTasks.recent.shift(); }
        if (e.duration > state.longTasks.maxMs) state.longTasks.maxMs = Math.round(e.duration);
      });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* not supported: counts stay 0 */ }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  /** JSON request to this server; rejects with err.status set when the answer is not 2xx. */
  function api(path, options, attempt) {
    options = options || {};
    attempt = attempt || 0;
    options.headers = Object.assign({ 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json' }, options.headers || {});
    var get = !options.method || options.method === 'GET';
    if (!get) options.headers['X-XSRF-TOKEN'] = csrfToken();
    options.credentials = 'same-origin';
    // the first paint's requests were sent from the head (js/early.js): take their answers over
    var started = get && attempt === 0 && window.SafeGridEarly ? window.SafeGridEarly.take(path) : null;
    return (started || fetch(path, options)).then(function (r) {
      if (r.status === 401) { window.location.href = '/login.html'; throw new Error('signed out'); }
      var err = new Error(path + ' answered ' + r.status); err.status = r.status;
      if (r.status === 503 && (!options.method || options.method === 'GET') && attempt < 8) {
        // the risk engine is still loading (server start, a new grid set): ask again when it says
        return r.json().catch(function () { return {}; }).then(function (problem) {
          if (!problem || problem.reason !== 'engine_loading') throw err;
          var wait = Math.min(10, Math.max(1, parseInt(r.headers.get('Retry-After'), 10) || 5));
          return new Promise(function (res) { setTimeout(res, wait * 1000); })
            .then(function () { return api(path, options, attempt + 1); });
        });
      }
      if (!r.ok) throw err;
      var type = r.headers.get('Content-Type') || '';
      // handed over in a task of its own: parsing a large answer and drawing it are never one long task;
      // except the first paint's small answers (sent early), drawn at once rather than queued behind
      // whatever else the page is doing (base-map tiles)
      var body = type.indexOf('json') >= 0 ? r.json() : r.text();
      return started ? body : body.then(inNextTask);
    });
  }

  // a task queue of our own (MessageChannel): unlike setTimeout it is neither clamped nor throttled
  // to once a second in a background tab
  var taskQueue = [], taskChannel = new MessageChannel();
  taskChannel.port1.onmessage = function () { var run = taskQueue.shift(); if (run) run(); };
  /** Resolves to value in a new task. */
  function inNextTask(value) {
    return new Promise(function (resolve) { taskQueue.push(function () { resolve(value); }); taskChannel.port2.postMessage(0); });
  }

  // --- text: every string the user reads is set through textContent, never innerHTML ---
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function propsPopup(title, props, keys) {
    var box = el('div', 'sg-popup');
    box.appendChild(el('strong', null, title));
    keys.forEach(function (k) {
      if (props[k] == null) return;
      var row = el('div');
      row.appendChild(el('span', 'k', k + ': '));
      row.appendChild(el('span', null, String(props[k])));
      box.appendChild(row);
    });
    return box;
  }

  function fmtTime(ms) {
    if (!ms) return '—';
    var d = new Date(ms);
    function p(n) { return (n < 10 ? '0' : '') + n; }
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }
  function fmtDateTime(ms) {
    var d = new Date(ms);
    function p(n) { return (n < 10 ? '0' : '') + n; }
    return (d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + fmtTime(ms);
  }

  // ------------------------------------------------------------------ layers and their panel
  var app = { state: state, api: api, el: el, fmtTime: fmtTime, fmtDateTime: fmtDateTime, propsPopup: propsPopup, overlays: {} };
  var entries = {}; // name -> { layer, legend(box), row, count, available }
  var ORDER = ['basemap', 'land', 'districts', 'grid', 'hotspots', 'emerging', 'heat', 'coastal_zone', 'coastline', 'coast_segments', 'campuses',
    'checkpoints', 'cameras', 'feed_health', 'patrol', 'reported_incidents', 'events'];
  // one map pane (and so one canvas) per group of layers, stacked in ORDER: a change in one group
  // (patrol units moving, hotspots reloading) redraws its own canvas only, never the 3,586 cells
  var PANES = { sgLand: 350, sgBase: 355, sgGrid: 360, sgHot: 365, sgHeat: 370, sgRef: 375, sgPoints: 380, sgFeed: 385, sgLive: 390, sgEvents: 395 };
  var renderers = {};
  function rendererFor(pane) {
    return renderers[pane] || (renderers[pane] = L.canvas({ pane: pane, padding: 0.1 }));
  }
  app.rendererFor = rendererFor;

  function setCount(name, n) {
    var e = entries[name];
    if (!e) return;
    e.count = n;
    state.layers[name].count = n;
    if (e.countEl) e.countEl.textContent = e.available ? String(n) : t('not.available');
  }

  // "synthetic" is data: a layer is labelled only when its live data says so (features' or grid set's flag)
  var synth = {};
  function anySynthetic(fc) {
    return !!(fc && fc.features || []).length && fc.features.some(function (f) { return !!(f.properties && f.properties.synthetic === true); });
  }
  function layerTitle(name) { return t('layer.' + name) + (synth[name] ? t('synthetic.suffix') : ''); }
  function syntheticNote() {
    var note = document.getElementById('synthetic-note');
    if (!note) return;
    var names = ORDER.filter(function (n) { return synth[n] && entries[n]; }).map(function (n) { return t('layer.' + n); });
    note.hidden = names.length === 0;
    note.textContent = names.length ? t('synthetic.note') + names.join(', ') : '';
  }

  // what is on at start fits the role: the duty officer watches what happens now, the planner where
  // risk concentrates; the reference layers (land, districts, coastline) are on for both. A layer of
  // another feature (e.g. incidents) is on when its key is listed. ?view=duty|planner overrides.
  var VIEWS = {
    duty: ['events', 'incidents', 'patrol'],
    planner: ['grid', 'hotspots', 'coverage', 'coast_segments']
  };
  var BASE_LAYERS = ['basemap', 'land', 'districts', 'coastline'];
  /** planner for a PLANNER, duty for everyone else (ADMIN holds every role and sits at the center: duty). */
  function viewOf(roles) {
    var asked = params.get('view');
    if (VIEWS[asked]) return asked;
    roles = roles || [];
    return roles.indexOf('PLANNER') >= 0 && roles.indexOf('ADMIN') < 0 ? 'planner' : 'duty';
  }
  app.VIEWS = VIEWS;
  function defaultOn(name, on) {
    if (!state.view || BASE_LAYERS.indexOf(name) >= 0) return on;
    return VIEWS[state.view].indexOf(name) >= 0;
  }

  /** Adds a layer to the panel; layer may be null when its data is not available yet. */
  function register(name, layer, count, on, legend) {
    state.marks[name] = Math.round(performance.now());
    if (!entries[name]) on = defaultOn(name, on);
    var e = entries[name] || (entries[name] = {});
    var wasOn = !!(e.layer && app.map.hasLayer(e.layer));
    if (e.layer && e.layer !== layer && wasOn) app.map.removeLayer(e.layer);
    e.layer = layer; e.legend = legend; e.available = !!layer;
    app.overlays[name] = layer;
    state.layers[name] = { on: false, count: count, available: !!layer, synthetic: !!synth[name] };
    renderPanel();
    syntheticNote();
    setCount(name, count);
    if (layer && (on || wasOn)) setOn(name, true);
  }

  function setOn(name, on) {
    var e = entries[name];
    if (!e || !e.layer) return;
    if (on && !app.map.hasLayer(e.layer)) app.map.addLayer(e.layer);
    if (!on && app.map.hasLayer(e.layer)) app.map.removeLayer(e.layer);
    state.layers[name].on = on;
    if (e.checkbox) e.checkbox.checked = on;
    if (e.legendEl) e.legendEl.hidden = !on;
    if (e.onToggle) e.onToggle(on);
    if (on && state.ready) bringOrder();
  }

  // keep reference layers below and points above, whatever the toggle order (ORDER is bottom to top)
  // (the panes do it: bringToFront on a canvas path would redraw its whole canvas)
  function bringOrder() { }

  var panel = document.getElementById('layer-list');
  function renderPanel() {
    panel.textContent = '';
    ORDER.forEach(function (name) {
      var e = entries[name];
      if (!e) return;
      var row = el('div', 'layer-row' + (e.available ? '' : ' unavailable'));
      var label = el('label');
      var cb = el('input'); cb.type = 'checkbox'; cb.id = 'layer-' + name; cb.disabled = !e.available;
      cb.checked = !!(e.layer && app.map.hasLayer(e.layer));
      cb.addEventListener('change', function () { setOn(name, cb.checked); });
      label.appendChild(cb);
      var title = name === 'grid' && state.gridSet ? layerTitle('grid') + ' · ' + state.gridSet.name : layerTitle(name);
      label.appendChild(el('span', 'name', title));
      e.countEl = el('span', 'count', e.available ? String(e.count || 0) : t('not.available'));
      label.appendChild(e.countEl);
      row.appendChild(label);
      var lg = el('div', 'layer-legend');
      lg.hidden = !cb.checked;
      if (e.legend) e.legend(lg);
      row.appendChild(lg);
      e.checkbox = cb; e.legendEl = lg;
      panel.appendChild(row);
    });
  }

  function swatchRow(box, color, text, cls) {
    var row = el('div', 'lg-row');
    var sw = el('span', cls || 'swatch');
    sw.style.background = color;
    row.appendChild(sw);
    row.appendChild(document.createTextNode(text));
    box.appendChild(row);
    return row;
  }
  app.swatchRow = swatchRow;

  // dense point layers: counts per screen cell below a zoom level, one small icon each from it on
  var CLUSTER_BELOW = { campuses: 13, checkpoints: 12, cameras: 14, patrol: 11 };
  app.CLUSTER_BELOW = CLUSTER_BELOW;
  function pointLayer(name, fc, style, title, keys) {
    var pts = (fc.features || []).filter(function (f) { return f.geometry && f.geometry.type === 'Point'; }).map(function (f) {
      var ll = D.coordsToLatLng(f.geometry.coordinates);
      return { lat: ll.lat, lng: ll.lng, props: f.properties };
    });
    return new P.PointLayer(pts, L.Util.extend({
      pane: 'sgPoints', clusterBelowZoom: CLUSTER_BELOW[name],
      onClick: function (p, latlng) {
        L.popup().setLatLng(latlng).setContent(propsPopup(title + ' ' + (I.place(p.props.code, p.props.name) || p.props.code), p.props, keys)).openOn(app.map);
      }
    }, style));
  }

  // ------------------------------------------------------------------ risk colouring
  var RISK_LEVELS = ['low', 'elevated', 'high', 'critical'];
  var RISK_COLORS = window.SafeGridPalette.risk;
  var risk = { byCode: null, normalised: false, uncertainty: true, at: null };
  app.risk = risk;

  /** Reads one risk record whatever the engine calls its fields. */
  function riskInfo(p) {
    if (!p) return null;
    var interval = p.interval || p.ci || null;
    var lo = p.lower != null ? p.lower : p.ciLow != null ? p.ciLow : p.scoreLow != null ? p.scoreLow : interval ? interval[0] : null;
    var hi = p.upper != null ? p.upper : p.ciHigh != null ? p.ciHigh : p.scoreHigh != null ? p.scoreHigh : interval ? interval[1] : null;
    var norm = p.normalized != null ? p.normalized : p.normalised != null ? p.normalised : null;
    if (typeof norm === 'number') norm = { score: norm };
    return {
      code: p.code || p.cellCode || p.cell_code, level: p.level || p.riskLevel, score: p.score != null ? p.score : p.risk,
      percentile: p.percentile != null ? p.percentile : p.percentRank, lower: lo, upper: hi,
      normLevel: p.normalizedLevel || p.normalisedLevel || (norm && norm.level) || null,
      normScore: p.normalizedScore != null ? p.normalizedScore : norm && norm.score,
      breakdown: p.breakdown || p.factors || p.contributions || null,
      // hatched: a cell above "low" whose count is still inside the 95 % predictive interval of its own
      // baseline (ordinary variation could explain it); older engines: its interval is wider than its score
      uncertain: p.uncertain != null ? !!p.uncertain : (p.level || p.riskLevel) === 'low' ? false
        : p.predictedUpper != null && p.events != null ? p.events <= p.predictedUpper
        : lo != null && hi != null && (hi - lo) > Math.abs(p.score || 0)
    };
  }
  app.riskInfo = function (code) { return risk.byCode && risk.byCode[code] || null; };

  var hatch = {};
  function hatchPattern(color) {
    if (hatch[color]) return hatch[color];
    var c = document.createElement('canvas'); c.width = 8; c.height = 8;
    var x = c.getContext('2d');
    x.fillStyle = color; x.fillRect(0, 0, 8, 8);
    x.strokeStyle = 'rgba(20,20,20,0.75)'; x.lineWidth = 1.5;
    x.beginPath(); x.moveTo(0, 8); x.lineTo(8, 0); x.moveTo(-2, 2); x.lineTo(2, -2); x.moveTo(6, 10); x.lineTo(10, 6); x.stroke();
    hatch[color] = x.createPattern(c, 'repeat');
    return hatch[color];
  }

  function gridStyle(f) {
    var r = risk.byCode && risk.byCode[f.properties.code];
    if (!r) return { color: '#8b949e', weight: 0.4, fillOpacity: 0, fill: false };
    var level = risk.normalised && r.normLevel ? r.normLevel : r.level;
    var color = RISK_COLORS[level] || '#888';
    var fill = risk.uncertainty && r.uncertain ? hatchPattern(color) : color;
    return { color: '#30363d', weight: 0.3, fill: true, fillColor: fill, fillOpacity: level === 'low' ? 0.25 : 0.6 };
  }

  function gridLegend(box) {
    if (state.gridSet) box.appendChild(el('div', 'lg-note', t('grid.set') + ': ' + state.gridSet.name + ' (' + state.gridSet.cells + ')'));
    if (!risk.byCode) { box.appendChild(el('div', 'lg-note', t('risk.none') + ' · ' + t('not.available'))); return; }
    RISK_LEVELS.forEach(function (l) { swatchRow(box, RISK_COLORS[l], t('risk.' + l)); });
    var unc = swatchRow(box, '#888', t('risk.uncertain'));
    unc.firstChild.className = 'swatch hatch';
    [['risk.normalised', 'normalised', 'risk-normalised'], ['risk.uncertainty', 'uncertainty', 'risk-uncertainty']].forEach(function (o) {
      var lab = el('label', 'lg-opt'); var cb = el('input'); cb.type = 'checkbox'; cb.id = o[2]; cb.checked = risk[o[1]];
      cb.addEventListener('change', function () { risk[o[1]] = cb.checked; restyleGrid(); });
      lab.appendChild(cb); lab.appendChild(document.createTextNode(t(o[0]))); box.appendChild(lab);
    });
  }

  function restyleGrid() {
    var g = entries.grid && entries.grid.layer;
    if (g) g.setStyle(gridStyle);
  }

  /** Loads grid risk (as it was at `at`, or now); a missing engine leaves the grid as outlines. */
  /** Query of the engine's 24 h window, ending at `at` when replaying. */
  function windowQuery(at) {
    return at ? 'from=' + new Date(at - 24 * HOUR).toISOString() + '&to=' + new Date(at).toISOString() : 'window=24h';
  }
  app.windowQuery = windowQuery;

  // the engine returns the coverage-normalised score; its level uses the same percentile cut-offs
  function normalisedLevels(by) {
    var list = Object.keys(by).map(function (k) { return by[k]; }).filter(function (r) { return typeof r.normScore === 'number'; });
    list.sort(function (a, b) { return a.normScore - b.normScore; });
    var n = list.length, i = 0;
    while (i < n) {
      var j = i;
      while (j + 1 < n && list[j + 1].normScore === list[i].normScore) j++;
      var pct = (j + 1) / n;
      for (var k = i; k <= j; k++) {
        var r = list[k];
        if (!r.normLevel) r.normLevel = r.normScore <= 0 ? 'low' : pct >= 0.99 ? 'critical' : pct >= 0.95 ? 'high' : pct >= 0.8 ? 'elevated' : 'low';
      }
      i = j + 1;
    }
  }

  /** Parses CSV text (quoted fields with "" escapes) into rows of strings. */
  function parseCsv(text) {
    // the engine's risk CSV has no quoted fields: split it (the character loop below costs a long task)
    if (text.indexOf('"') < 0) return text.split('\n').filter(function (l) { return l.length; }).map(function (l) { return l.replace(/\r$/, '').split(','); });
    var rows = [], row = [], field = '', q = false;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (q) {
        if (ch === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; } else field += ch;
      } else if (ch === '"') q = true;
      else if (ch === ',') { row.push(field); field = ''; }
      else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
      else if (ch !== '\r') field += ch;
    }
    if (field || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  /**
   * Loads grid risk as CSV (no geometry: the cells are on the map already), for the 24 h window
   * ending at `at` when replaying; a missing engine leaves the grid as outlines.
   */
  function loadRisk(at, pending) {
    risk.at = at || null;
    return (pending || api('/api/risk?format=csv&' + windowQuery(at))).then(function (text) {
      if (typeof text !== 'string') throw new Error('no risk');
      var rows = parseCsv(text), head = rows[0], col = {};
      head.forEach(function (h, i) { col[h] = i; });
      var num = function (v) { return v === '' || v == null ? null : parseFloat(v); };
      var by = {};
      for (var r = 1; r < rows.length; r++) {
        var x = rows[r];
        if (x.length < head.length) continue;
        var info = riskInfo({ code: x[col.code], level: x[col.level], score: num(x[col.score]), percentile: num(x[col.percentile]),
          lower: num(x[col.lower]), upper: num(x[col.upper]), normalized: num(x[col.normalized]) });
        info.events = num(x[col.events]);
        by[info.code] = info;
      }
      normalisedLevels(by);
      var before = risk.signature;
      risk.signature = signature(by);
      risk.byCode = by; risk.available = true; risk.detail = null;
      // restyling 3,586 cells costs a long task: only when a colour changes
      risk.unchanged = before === risk.signature;
    }).catch(function () { risk.unchanged = !risk.byCode; risk.byCode = null; risk.available = false; risk.signature = null; })
      .then(nextTask).then(function () {
        if (risk.unchanged) return;
        restyleGrid();
        if (entries.grid) register('grid', entries.grid.layer, entries.grid.count, state.layers.grid.on, gridLegend);
      });
  }

  /** Resolves in a new task: splits parsing an answer from redrawing with it, so neither is a long task. */
  function nextTask() { return inNextTask(); }

  function signature(by) {
    return Object.keys(by).map(function (k) { var r = by[k]; return k + (r.level || '') + (r.normLevel || '') + (r.uncertain ? 1 : 0); }).join();
  }

  /** The full risk record of one cell with its breakdown (the GeoJSON answer, fetched on first use). */
  app.riskDetail = function (code) {
    var key = windowQuery(risk.at);
    if (!risk.detail || risk.detail.key !== key || Date.now() - risk.detail.time > 60000) {
      risk.detail = { key: key, time: Date.now(), promise: api('/api/risk?' + key).then(function (fc) {
        var by = {};
        fc.features.forEach(function (f) { by[f.properties.code] = f.properties; });
        return by;
      }) };
    }
    return risk.detail.promise.then(function (by) { return by[code] ? riskInfo(by[code]) : null; });
  };
  app.loadRisk = loadRisk;

  // ------------------------------------------------------------------ hotspots
  var HOT = window.SafeGridPalette.hotspot;
  function hotspotClass(p) {
    var kind = String(p['class'] || p.kind || p.type || (p.peakZ != null && p.peakZ < 0 ? 'cold' : 'hot')).toLowerCase();
    kind = kind.indexOf('cold') >= 0 ? 'cold' : 'hot';
    var c = p.confidence != null ? p.confidence : p.confidenceLevel != null ? p.confidenceLevel : p.level;
    if (typeof c === 'string') c = parseFloat(c);
    if (c != null && c < 1) c = c * 100;
    c = c >= 99 ? 99 : c >= 95 ? 95 : 90;
    return { kind: kind, confidence: c, key: kind + '-' + c };
  }
  app.hotspotClass = hotspotClass;
  function hotspotLegend(box) {
    Object.keys(HOT).forEach(function (k) {
      var p = k.split('-');
      swatchRow(box, HOT[k], t(p[0]) + ' ' + p[1] + '%');
    });
  }
  var hotspotSignature = null;
  function loadHotspots(at) {
    var q = '?includeCold=true&' + windowQuery(at);
    return api('/api/hotspots' + q).then(function (fc) {
      app.hotspots = fc;
      // rebuilding the layer redraws its canvas: only when a hotspot or its class changed
      var sig = (fc.features || []).map(function (f) { return f.id + hotspotClass(f.properties).key + JSON.stringify(f.properties); }).join();
      if (sig === hotspotSignature && entries.hotspots && entries.hotspots.layer) return;
      hotspotSignature = sig;
      return nextTask().then(function () {
        var layer = L.geoJSON(fc, {
          renderer: rendererFor('sgHot'), coordsToLatLng: D.coordsToLatLng,
          style: function (f) { var c = HOT[hotspotClass(f.properties).key]; return { color: c, weight: 2, fillColor: c, fillOpacity: 0.35 }; },
          onEachFeature: function (f, l) { l.on('click', function (ev) { app.showHotspot && app.showHotspot(f, ev.latlng); }); }
        });
        register('hotspots', layer, (fc.features || []).length, state.layers.hotspots ? state.layers.hotspots.on : true, hotspotLegend);
      });
    }).catch(function () {
      app.hotspots = null;
      if (!entries.hotspots || !entries.hotspots.layer) register('hotspots', null, 0, false, hotspotLegend);
    }).then(function () { if (app.onHotspots) app.onHotspots(app.hotspots); });
  }
  app.loadHotspots = loadHotspots;

  // ------------------------------------------------------------------ emerging hotspots
  var EHSA = {
    new_hotspot: '#fcae91', consecutive_hotspot: '#fb6a4a', intensifying_hotspot: '#cb181d', persistent_hotspot: '#67000d',
    diminishing_hotspot: '#fd8d3c', sporadic_hotspot: '#fdd0a2', oscillating_hotspot: '#e7298a', historical_hotspot: '#bc80bd',
    new_coldspot: '#c6dbef', consecutive_coldspot: '#6baed6', intensifying_coldspot: '#2171b5', persistent_coldspot: '#08306b',
    diminishing_coldspot: '#4292c6', sporadic_coldspot: '#deebf7', oscillating_coldspot: '#1b9e77', historical_coldspot: '#80b1d3',
    // cells with no neighbour (an island) take no part in the analysis: shown, in grey, so the gap is visible
    no_neighbours: '#9e9e9e'
  };
  app.EHSA = EHSA;
  function emergingLegend(box) {
    var counts = {};
    ((app.emerging && app.emerging.features) || []).forEach(function (f) { counts[f.properties.category] = (counts[f.properties.category] || 0) + 1; });
    Object.keys(EHSA).forEach(function (k) { if (counts[k]) swatchRow(box, EHSA[k], t('ehsa.' + k) + ' (' + counts[k] + ')'); });
    if (!Object.keys(counts).length) box.appendChild(el('div', 'lg-note', t('none')));
  }
  var emergingSignature = null, emergingPending = null;
  /** Loads the emerging-hotspot cells (categories other than "no pattern") as their own layer; returns the collection. */
  function loadEmerging() {
    // the layer and the panel's list ask at the same moment: one request answers both
    if (emergingPending) return emergingPending;
    emergingPending = api('/api/hotspots/emerging').then(function (fc) {
      app.emerging = fc;
      var sig = fc.features.map(function (f) { return f.id + f.properties.category; }).join();
      if (sig !== emergingSignature || !entries.emerging || !entries.emerging.layer) {
        emergingSignature = sig;
        var layer = new C.CellLayer(fc, {
          pane: 'sgHot', coordsToLatLng: D.coordsToLatLng,
          style: function (f) { var c = EHSA[f.properties.category] || '#888'; return { fill: true, fillColor: c, fillOpacity: 0.55, color: c, weight: 1.2 }; }
        });
        register('emerging', layer, fc.features.length, state.layers.emerging ? state.layers.emerging.on : false, emergingLegend);
      }
      return fc;
    }).catch(function (e) {
      app.emerging = null;
      if (!entries.emerging || !entries.emerging.layer) register('emerging', null, 0, false, emergingLegend);
      throw e;
    });
    emergingPending.then(function () { emergingPending = null; }, function () { emergingPending = null; });
    return emergingPending;
  }
  app.loadEmerging = loadEmerging;

  // ------------------------------------------------------------------ live events + heat
  var store = new E.EventStore(120000);
  app.store = store;
  var windowMs = 60 * 60 * 1000;
  function mapNow() { return state.mode === 'replay' ? state.replayTime : Date.now() + state.clockOffset; }
  app.mapNow = mapNow;
  var eventLayer, heatLayer;

  function eventsLegend(box) {
    E.SOURCES.forEach(function (s, i) { swatchRow(box, E.COLORS[i], t('source.' + s), 'dot'); });
    var sizes = el('div', 'lg-row');
    [2, 4, 7].forEach(function (r) { var d = el('span', 'dot'); d.style.width = d.style.height = (2 * r) + 'px'; d.style.background = '#ccc'; sizes.appendChild(d); });
    sizes.appendChild(document.createTextNode(t('severity')));
    box.appendChild(sizes);
    var fade = el('div', 'lg-row'); var bar = el('span', 'fade-bar'); fade.appendChild(bar);
    fade.appendChild(document.createTextNode(t('fading') + ' (' + Math.round(windowMs / 60000) + ' min)'));
    box.appendChild(fade);
  }
  function heatLegend(box) {
    var bar = el('div', 'ramp-bar'); box.appendChild(bar);
    var row = el('div', 'lg-row ramp-labels'); row.appendChild(el('span', null, t('risk.low'))); row.appendChild(el('span', null, t('risk.high')));
    box.appendChild(row);
  }

  function onEventsDrawn(layer) {
    if (tracing) {
      var now = Date.now();
      Object.keys(traced).forEach(function (id) { var tr = traced[id]; if (tr.pending) { tr.pending = false; tr.drawn = now; } });
    }
    setCount('events', layer.drawn);
    state.newestEventTime = layer.newestShown ? new Date(layer.newestShown).toISOString() : state.newestEventTime;
    state.lastDrawMs = Math.round(layer.drawMs * 10) / 10;
  }

  // patrol position pings move the patrol units; the events layer shows what happened
  function notPing(c, i) { return !(c.source[i] === 'patrol' && c.kind[i] === 'position'); }

  var rate = [];
  function countArrivals(n) {
    var now = Date.now();
    rate.push([now, n]);
    while (rate.length && rate[0][0] < now - 5000) rate.shift();
  }
  function eventsPerSecond() {
    var now = Date.now(), sum = 0;
    while (rate.length && rate[0][0] < now - 5000) rate.shift();
    rate.forEach(function (r) { sum += r[1]; });
    return Math.round(sum / 5 * 10) / 10;
  }

  /** Takes one column batch from the stream or a catch-up. */
  var traced = {}, tracing = 0; // id -> { arrived, drawn } (epoch ms), for latency measurements
  function takeEvents(cols) {
    countArrivals(cols.id.length);
    var n = cols.receivedAt.length;
    if (n) state.stream.lagMs = Date.now() + state.clockOffset - cols.receivedAt[n - 1];
    if (tracing) {
      for (var i = 0; i < n; i++) { var tr = traced[cols.id[i]]; if (tr && !tr.arrived) { tr.arrived = Date.now(); tr.pending = true; } }
    }
    if (cols.watermark > state.stream.watermark) state.stream.watermark = cols.watermark;
    if (app.onStreamEvents) app.onStreamEvents(cols);
    if (state.mode !== 'live') return;
    if (store.addColumns(cols, notPing)) { eventLayer.redraw(); if (heatLayer._map) heatLayer.redraw(); }
  }

  // without patrol position pings: they move the units (from /api/patrol/positions and the stream), the
  // events layer leaves them out, and an hour of them was 5 MB of this answer's JSON to parse
  function recentEventsUrl(ms) {
    return '/api/live/events?field=observed&since=' + Math.floor(Date.now() + state.clockOffset - ms) + '&limit=50000&positions=false';
  }
  function loadRecentEvents(pending) {
    return (pending || api(recentEventsUrl(windowMs))).then(function (cols) {
      store.clear();
      store.addColumns(cols, notPing);
      if (cols.watermark > state.stream.watermark) state.stream.watermark = cols.watermark;
      eventLayer.redraw(); heatLayer.redraw();
      return cols;
    });
  }

  // ------------------------------------------------------------------ the stream
  var source = null, retryTimer = null, retryDelay = 1000, watchdog = null;
  function setLive(s) {
    state.liveStatus = s;
    var e = document.getElementById('status-live');
    e.textContent = t('stream.' + s);
    e.className = 'live-' + s;
  }

  function connect() {
    if (source) { source.close(); source = null; }
    setLive(state.stream.messages ? 'reconnecting' : 'connecting');
    // resume exactly after the last message id (a feed position, good on any replica); else by time
    var url = '/api/live' + (state.stream.position ? '?after=' + encodeURIComponent(state.stream.position)
      : state.stream.watermark ? '?since=' + state.stream.watermark : '');
    var es = new EventSource(url);
    source = es;
    es.addEventListener('open', function () { retryDelay = 1000; });
    es.addEventListener('hello', function (m) {
      var h = JSON.parse(m.data);
      state.clockOffset = h.serverTime - Date.now();
      if (m.lastEventId) state.stream.position = m.lastEventId;
      touch(); setLive('live');
    });
    es.addEventListener('events', function (m) {
      touch();
      var cols = JSON.parse(m.data);
      takeEvents(cols);
      if (m.lastEventId) state.stream.position = m.lastEventId;
      if (cols.truncated) catchUp();
    });
    es.addEventListener('reset', function (m) {
      // too much was missed to replay: the stream goes on from here, the recent events are reloaded
      touch();
      if (m.lastEventId) state.stream.position = m.lastEventId;
      catchUp();
    });
    es.addEventListener('hb', touch);
    es.addEventListener('drain', function (m) {
      // the server is stopping and will end this stream: reconnect after its hint (to another replica)
      touch();
      var h = JSON.parse(m.data);
      if (h.reconnectMillis > 0) retryDelay = h.reconnectMillis;
    });
    ['alert', 'alerts', 'incident', 'risk', 'hotspots', 'feed', 'gridset'].forEach(function (type) {
      es.addEventListener(type, function (m) {
        touch();
        var payload = null;
        try { payload = JSON.parse(m.data); } catch (e) { /* keep null */ }
        if (type === 'risk' && state.mode === 'live') loadRisk();
        if (type === 'hotspots' && state.mode === 'live') loadHotspots();
        if (type === 'feed') reloadFeedHealthSoon();
        if (type === 'gridset') window.location.reload();
        if (app.onLiveMessage) app.onLiveMessage(type, payload);
      });
    });
    es.onerror = function () {
      // our own reconnect, with the watermark: works after a server restart as after a drop
      if (source !== es) return;
      es.close(); source = null;
      setLive('reconnecting');
      state.stream.reconnects++;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
      // an EventSource cannot tell a 401 from a dropped network: after a few failures ask /api/me,
      // which sends a signed-out page to the login form
      if (retryDelay >= 8000) api('/api/me').catch(function () { /* server still away: keep trying */ });
    };
  }
  function touch() { state.stream.messages++; state.stream.lastMessageAt = Date.now(); }
  function catchUp() {
    api('/api/live/events?field=received&since=' + state.stream.watermark + '&limit=50000').then(function (cols) {
      takeEvents(cols);
      if (cols.truncated) catchUp();
    });
  }
  app.reconnect = connect;

  // ------------------------------------------------------------------ patrol units
  var PATROL_COLORS = { on_duty: '#3fb950', responding: '#f85149', idle: '#d29922', off_duty: '#8b949e' };
  // units are small arrowheads along their heading (counts per cell below CLUSTER_BELOW.patrol); their
  // trails only from TRAIL_ZOOM, where they no longer cover the city
  var TRAIL_ZOOM = 13;
  var patrolUnits = new P.PointLayer([], {
    pane: 'sgLive', icon: 'direction', color: '#40a9ff', clusterBelowZoom: CLUSTER_BELOW.patrol,
    onClick: function (u, latlng) {
      L.popup().setLatLng(latlng).setContent(propsPopup(t('layer.patrol') + ' ' + u.props.unitId, u.props, ['status', 'speedKmh', 'headingDeg', 'observedAt'])).openOn(app.map);
    }
  });
  var patrolTrails = L.layerGroup(), patrolGroup = L.layerGroup([patrolUnits]), patrolIndex = {};
  app.patrolUnits = patrolUnits;
  function patrolTrailsShown() {
    var on = !!app.map && app.map.getZoom() >= TRAIL_ZOOM;
    if (on && !patrolGroup.hasLayer(patrolTrails)) patrolGroup.addLayer(patrolTrails);
    if (!on && patrolGroup.hasLayer(patrolTrails)) patrolGroup.removeLayer(patrolTrails);
  }
  function patrolColor(status) { return PATROL_COLORS[status] || '#58a6ff'; }
  function patrolLegend(box) {
    Object.keys(PATROL_COLORS).forEach(function (s) { swatchRow(box, PATROL_COLORS[s], t('status.' + s), 'dot'); });
    var r = el('div', 'lg-row'); var line = el('span', 'line'); line.style.background = '#58a6ff'; r.appendChild(line);
    r.appendChild(document.createTextNode(t('patrol.trail') + ' (' + t('from.zoom') + ' ' + TRAIL_ZOOM + ')')); box.appendChild(r);
    box.appendChild(el('div', 'lg-note', t('clustered.below') + ' ' + CLUSTER_BELOW.patrol));
  }
  function loadPatrol() {
    return api('/api/patrol/positions').then(function (fc) {
      patrolTrails.clearLayers(); patrolIndex = {};
      var units = fc.features.map(function (f, i) {
        var p = f.properties, c = f.geometry.coordinates, ll = D.latLng(c[1], c[0]);
        if (p.trail && p.trail.coordinates) {
          patrolTrails.addLayer(L.polyline(p.trail.coordinates.map(function (x) { return D.latLng(x[1], x[0]); }),
            { renderer: rendererFor('sgLive'), color: patrolColor(p.status), weight: 2, opacity: 0.6, interactive: false }));
        }
        patrolIndex[p.unitId] = i;
        return { lat: ll.lat, lng: ll.lng, heading: p.headingDeg || 0, color: patrolColor(p.status), props: p };
      });
      patrolUnits.setPoints(units);
      setCount('patrol', fc.features.length);
    }).catch(function () { /* keep what is shown */ });
  }
  function movePatrol(cols) {
    for (var i = 0; i < cols.id.length; i++) {
      if (cols.source[i] !== 'patrol' || cols.kind[i] !== 'position') continue;
      var k = patrolIndex[cols.sourceId[i]];
      if (k == null) continue;
      var ll = D.latLng(cols.lat[i], cols.lon[i]), u = patrolUnits.points[k];
      // the heading of the move itself, when it moved far enough to have one
      var dx = (ll.lng - u.lng) * Math.cos(ll.lat * Math.PI / 180), dy = ll.lat - u.lat;
      var heading = dx * dx + dy * dy > 1e-10 ? (Math.atan2(dx, dy) * 180 / Math.PI + 360) % 360 : null;
      patrolUnits.move(k, ll.lat, ll.lng, heading);
    }
  }

  // ------------------------------------------------------------------ feed health
  var FEED_COLORS = { camera: '#ff5ca8', checkpoint: '#ffa940', patrol: '#40a9ff' };
  function feedLegend(box) {
    Object.keys(FEED_COLORS).forEach(function (s) {
      var r = swatchRow(box, 'transparent', t('silent') + ' ' + t('source.' + s), 'ring');
      r.firstChild.style.borderColor = FEED_COLORS[s];
    });
  }
  var feedSignature = null, feedReload = { timer: null, last: 0 };
  // a source going silent or resuming sends a 'feed' message, and a simulated night sends them in
  // bursts: each reload is half a megabyte to parse and thousands of markers to rebuild, so the
  // messages of a few seconds share one reload (at most one every FEED_RELOAD_GAP_MS)
  var FEED_RELOAD_GAP_MS = 5000;
  function reloadFeedHealthSoon() {
    if (feedReload.timer) return;
    var wait = Math.max(0, feedReload.last + FEED_RELOAD_GAP_MS - Date.now());
    feedReload.timer = setTimeout(function () { feedReload.timer = null; loadFeedHealth(); }, wait);
  }
  function loadFeedHealth() {
    feedReload.last = Date.now();
    return api('/api/feed-health').then(function (fc) {
      // rebuilding thousands of markers is a long task: only when the silent set changed
      var sig = fc.features.map(function (f) { return f.id; }).join();
      if (sig === feedSignature && entries.feed_health && entries.feed_health.layer) return;
      feedSignature = sig;
      var layer = L.geoJSON(fc, {
        coordsToLatLng: D.coordsToLatLng,
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { renderer: rendererFor('sgFeed'), radius: 5, color: FEED_COLORS[f.properties.source] || '#aaa', weight: 2, fill: false }); },
        onEachFeature: function (f, l) { l.bindPopup(function () { return propsPopup(t('silent') + ' ' + f.properties.sourceId, f.properties, ['source', 'name', 'lastSeenAt', 'silentForSeconds']); }); }
      });
      register('feed_health', layer, fc.features.length, state.layers.feed_health && state.layers.feed_health.on, feedLegend);
      state.silent = { camera: 0, checkpoint: 0, patrol: 0 };
      fc.features.forEach(function (f) { state.silent[f.properties.source] = (state.silent[f.properties.source] || 0) + 1; });
    }).catch(function () { if (!entries.feed_health) register('feed_health', null, 0, false, feedLegend); });
  }

  // ------------------------------------------------------------------ coast segments
  function segmentColor(v) { var c = E.RAMP; var r = rampAt(v); return 'rgb(' + r.map(Math.round).join(',') + ')'; }
  function rampAt(v) {
    var R = E.RAMP;
    for (var i = 1; i < R.length; i++) if (v <= R[i][0]) { var a = R[i - 1], b = R[i], f = (v - a[0]) / (b[0] - a[0]); return [0, 1, 2].map(function (k) { return a[1][k] + f * (b[1][k] - a[1][k]); }); }
    return R[R.length - 1][1];
  }
  function loadCoastSegments() {
    // the engine's segment risk (mean risk of the cells crossed, with Gi*) when it answers, else events per km
    return api('/api/coast/segments').then(function (fc) {
      fc.features.forEach(function (f) { f.properties.value = f.properties.risk || 0; });
      fc.unit = 'risk';
      return fc;
    }).catch(function () {
      return api('/api/live/coast-segments').then(function (fc) {
        fc.features.forEach(function (f) { f.properties.value = f.properties.perKm || 0; });
        fc.unit = '/ km · 24 h';
        return fc;
      });
    }).then(function (fc) {
      var max = 0;
      fc.features.forEach(function (f) { max = Math.max(max, f.properties.value); });
      var layer = L.geoJSON(fc, {
        renderer: rendererFor('sgRef'), coordsToLatLng: D.coordsToLatLng,
        style: function (f) { return { color: segmentColor(max ? f.properties.value / max : 0), weight: 5, opacity: 0.9 }; },
        onEachFeature: function (f, l) { l.bindPopup(function () { return propsPopup(t('layer.coast_segments') + ' ' + f.properties.segment, f.properties, ['risk', 'class', 'z', 'p', 'events24h', 'perKm', 'lengthM']); }); }
      });
      register('coast_segments', layer, fc.features.length, false, function (box) {
        box.appendChild(el('div', 'ramp-bar'));
        box.appendChild(el('div', 'lg-note', '0 … ' + max.toFixed(2) + ' ' + fc.unit));
      });
    }).catch(function () { register('coast_segments', null, 0, false, null); });
  }

  // ------------------------------------------------------------------ start-up
  var DISTRICT_COLORS = { '441302': '#5b8def', '441303': '#e5a50a', '441322': '#33d17a', '441323': '#c061cb', '441324': '#f66151' };

  function init(config) {
    app.config = config;
    windowMs = config.eventWindowMinutes * 60000;
    D.setShift(config.baseDatum === 'gcj02');
    var map = L.map('map', { preferCanvas: true, zoomControl: !state.wall, attributionControl: true })
      .setView([config.center[1], config.center[0]], config.zoom);
    map.attributionControl.setPrefix(false);
    app.map = map;
    Object.keys(PANES).forEach(function (name) { map.createPane(name).style.zIndex = String(PANES[name]); });
    app.canvas = rendererFor('sgBase');
    if (config.baseTileUrl) {
      L.tileLayer(config.baseTileUrl, { maxZoom: config.baseMaxZoom, attribution: config.baseAttribution || '' }).addTo(map);
      document.body.classList.add('has-base');
    }
    // an uploaded base map, when one is active and no external tile URL is configured: under every overlay,
    // in the control-room theme; the land fill then turns transparent so the map's roads show through
    var basemapReady = config.baseTileUrl ? Promise.resolve(null) : basemapPending.then(function (b) {
      if (!b) return null;
      var l = window.SafeGridBasemap.layer(b, { theme: 'dark', lang: I.lang() });
      register('basemap', l, 1, true, function (box) { box.appendChild(el('div', 'muted', b.name + ' · z' + b.minzoom + '–' + b.maxzoom)); });
      document.body.classList.add('has-base');
      app.basemap = { basemap: b, layer: l };
      return b;
    }).catch(function () { return null; });
    eventLayer = new E.EventLayer(store, { pane: 'sgEvents', now: mapNow, windowMs: function () { return windowMs; }, onDraw: onEventsDrawn });
    heatLayer = new E.HeatLayer(store, { pane: 'sgHeat', now: mapNow, windowMs: function () { return windowMs; }, onDraw: function (l) { setCount('heat', l.weight); } });
    map.on('zoomend', patrolTrailsShown);
    patrolTrailsShown();
    map.on('click', function (ev) {
      // point layers first, top down: a numbered disc expands, an icon opens its popup
      var pointLayers = ['patrol', 'cameras', 'checkpoints', 'campuses'].map(function (n) { return n === 'patrol' ? patrolUnits : entries[n] && entries[n].layer; });
      for (var k = 0; k < pointLayers.length; k++) if (pointLayers[k] && pointLayers[k].handleClick && pointLayers[k].handleClick(ev)) return;
      var i = map.hasLayer(eventLayer) ? eventLayer.nearest(ev.containerPoint, 6) : -1;
      if (i >= 0) {
        L.popup().setLatLng(ev.latlng).setContent(propsPopup(t('source.' + E.SOURCES[store.src[i]]) + ' · ' + store.kinds[i], {
          id: store.ids[i], sourceId: store.sourceIds[i], severity: store.sev[i], observed: fmtDateTime(store.obs[i])
        }, ['id', 'sourceId', 'severity', 'observed'])).openOn(map);
        return;
      }
      // the cells are one canvas, not paths: find the cell under the click ourselves
      var g = entries.grid && entries.grid.layer;
      if (g && map.hasLayer(g) && app.showCell) {
        var f = g.cellAt(ev.latlng);
        if (f) app.showCell(f, ev.latlng);
      }
    });

    var c2l = D.coordsToLatLng;
    register('heat', heatLayer, 0, false, heatLegend);
    register('events', eventLayer, 0, true, eventsLegend);
    register('patrol', patrolGroup, 0, true, patrolLegend);
    // first paint waits for land and districts only; every other layer is drawn when its own data is
    // there, the engine's risk colours the cells when it answers
    var ready = [
      Promise.all([early.land, basemapReady]).then(function (r) {
        var land = r[0], hasBase = !!(config.baseTileUrl || r[1]);
        register('land', L.geoJSON(land, { renderer: rendererFor('sgLand'), coordsToLatLng: c2l, interactive: false, style: { color: '#3b4a3a', weight: 0, fillColor: '#263226', fillOpacity: hasBase ? 0 : 1 } }),
          land.features.length, !hasBase, function (box) { swatchRow(box, '#263226', t('layer.land')); });
      }),
      early.districts.then(function (districts) {
        register('districts', L.geoJSON(districts, {
          renderer: rendererFor('sgBase'), coordsToLatLng: c2l,
          style: function (f) { return { color: DISTRICT_COLORS[f.properties.code] || '#aaa', weight: 2, fillOpacity: 0.05 }; },
          onEachFeature: function (f, layer) { layer.bindPopup(function () { return propsPopup(I.place(f.properties.code, f.properties.name), f.properties, ['code']); }); }
        }), districts.features.length, true, function (box) {
          districts.features.forEach(function (f) { swatchRow(box, DISTRICT_COLORS[f.properties.code] || '#aaa', I.place(f.properties.code, f.properties.name)); });
        });
        app.districts = districts.features.map(function (f) { return { code: f.properties.code, name: f.properties.name }; });
      })
    ];
    // default-on layers next; the ones switched off are asked for once those are in, so that they
    // never queue in front of them (a browser opens six connections per server)
    // the layers of the view's defaults are loaded first; the others (a planner's live events, a duty
    // officer's grid and risk, the campuses) join the layers that are off by default, after them
    var loaders = {
      campuses: function () {
        return (early.campuses || api('/api/overlays/campuses')).then(function (campuses) {
          synth.campuses = anySynthetic(campuses);
          register('campuses', pointLayer('campuses', campuses, { color: '#ffd33d', icon: 'campus' }, t('layer.campuses'), ['code', 'kind', 'students', 'synthetic']),
            campuses.features.length, true, function (box) {
              swatchRow(box, '#ffd33d', layerTitle('campuses'), 'dot');
              box.appendChild(el('div', 'lg-note', t('clustered.below') + ' ' + CLUSTER_BELOW.campuses));
            });
        });
      },
      grid: function () {
        return (early.cells || cellsOfActiveGridSet()).then(function (r) {
          var active = r.active, cells = r.cells;
          state.gridSet = active ? { id: active.id, name: active.name, cells: active.cellCount, synthetic: active.synthetic } : null;
          synth.grid = !!(active && active.synthetic);
          if (!active) return null;
          app.cells = cells;
          register('grid', new C.CellLayer(cells, { pane: 'sgGrid', coordsToLatLng: c2l, style: gridStyle }), cells.features.length, true, gridLegend);
          document.getElementById('status-grid').textContent = t('grid.set') + ': ' + active.name + ' (' + cells.features.length + ')';
          app.riskLoaded = loadRisk(null, early.risk);
          return app.riskLoaded;
        });
      },
      // the stream opens once the recent events are in: it catches up from their watermark
      events: function () { return loadRecentEvents(windowMs === HOUR ? early.events : null).then(connect, function (e) { connect(); throw e; }); },
      patrol: loadPatrol,
      hotspots: function () { return loadHotspots(); }
    };
    var firstNames = Object.keys(loaders).filter(function (n) { return VIEWS[state.view].indexOf(n) >= 0; });
    var laterNames = Object.keys(loaders).filter(function (n) { return firstNames.indexOf(n) < 0; });
    var shown = [
      early.coastline.then(function (coast) {
        register('coastline', L.geoJSON(coast, { renderer: rendererFor('sgRef'), coordsToLatLng: c2l, style: { color: '#58a6ff', weight: 2 } }), coast.features.length, true,
          function (box) { swatchRow(box, '#58a6ff', t('layer.coastline'), 'line'); });
      })
    ].concat(firstNames.map(function (n) { return loaders[n](); }));
    function painted(key) { L.Util.requestAnimFrame(function () { state[key] = Math.round(performance.now()); }); }
    function settled(list) { return Promise.all(list.map(function (p) { return p.catch(function () { /* the layer says not available */ }); })); }
    settled(shown.concat(ready)).then(function () {
      painted('allLoadedMs');
      var overlay = function (n) { return api('/api/overlays/' + n); };
      return settled(laterNames.map(function (n) { return loaders[n](); }).concat([
        overlay('coastal_zone').then(function (zone) {
          register('coastal_zone', L.geoJSON(zone, { renderer: rendererFor('sgRef'), coordsToLatLng: c2l, interactive: false, style: { color: '#1f6feb', weight: 0, fillColor: '#1f6feb', fillOpacity: 0.18 } }),
            zone.features.length, false, function (box) { swatchRow(box, 'rgba(31,111,235,0.45)', t('layer.coastal_zone')); });
        }),
        overlay('checkpoints').then(function (checkpoints) {
          synth.checkpoints = anySynthetic(checkpoints);
          register('checkpoints', pointLayer('checkpoints', checkpoints, { color: '#ff7b72', radius: 4 }, t('layer.checkpoints'), ['code', 'kind', 'synthetic']),
            checkpoints.features.length, false, function (box) { swatchRow(box, '#ff7b72', layerTitle('checkpoints'), 'dot'); });
        }),
        overlay('cameras').then(function (cameras) {
          synth.cameras = anySynthetic(cameras);
          register('cameras', pointLayer('cameras', cameras, { color: '#a5d6ff', radius: 2.5 }, t('layer.cameras'), ['code', 'near', 'synthetic']),
            cameras.features.length, false, function (box) { swatchRow(box, '#a5d6ff', layerTitle('cameras'), 'dot'); });
        }),
        loadFeedHealth(), loadCoastSegments(), loadEmerging()
      ]));
    }).then(function () { state.allLoaded = true; });
    return Promise.all(ready).then(function () {
      state.ready = true;
      // first paint: Leaflet's canvas draws on the next frame
      painted('firstPaintMs');
      if (window.SafeGridPanels) window.SafeGridPanels.init(app);
      app.register = register;
      app.setLayerCount = setCount;
      if (window.SafeGridIncidents) window.SafeGridIncidents.init(app);
      setInterval(function () { if (state.mode === 'live') loadPatrol(); }, 10000);
      setInterval(loadFeedHealth, 60000);
      setInterval(function () { if (state.mode === 'live') { loadRisk(); loadHotspots(); } }, 60000);
    }).catch(function (e) {
      state.error = String(e);
      document.getElementById('status-layers').textContent = t('load.failed') + ': ' + e.message;
    });
  }

  app.onStreamEvents = function (cols) { movePatrol(cols); if (app.onStreamEventsPanels) app.onStreamEventsPanels(cols); };

  // ------------------------------------------------------------------ replay
  var replay = { playing: false, speed: 60, timer: null, loaded: 0 };
  var slider = document.getElementById('time-slider');
  function replayLabel() {
    document.getElementById('time-label').textContent = state.mode === 'live' ? t('live') : fmtDateTime(state.replayTime);
    document.body.classList.toggle('replaying', state.mode === 'replay');
    document.getElementById('live-button').classList.toggle('active', state.mode === 'live');
  }
  /** Shows the map as it was at time at (epoch ms): events, risk and hotspots of then. */
  function enterReplay(at) {
    var now = Date.now() + state.clockOffset;
    at = Math.max(now - 24 * HOUR, Math.min(at, now));
    state.mode = 'replay'; state.replayTime = at;
    slider.value = String(Math.round((at - now) / 60000));
    replayLabel();
    store.clear();
    replay.loaded = at;
    var seq = ++replay.seq;
    return api('/api/live/events?field=observed&since=' + Math.floor(at - windowMs) + '&until=' + Math.floor(at) + '&limit=50000').then(function (cols) {
      if (seq !== replay.seq || state.mode !== 'replay') return;
      store.addColumns(cols, notPing);
      eventLayer.redraw(); heatLayer.redraw();
      loadRisk(at); loadHotspots(at);
    });
  }
  replay.seq = 0;
  function step() {
    if (state.mode !== 'replay' || !replay.playing) return;
    var now = Date.now() + state.clockOffset;
    var next = state.replayTime + 500 * replay.speed;
    if (next >= now) { goLive(); return; }
    var from = replay.loaded;
    state.replayTime = next; replay.loaded = next;
    slider.value = String(Math.round((next - now) / 60000));
    replayLabel();
    api('/api/live/events?field=observed&since=' + Math.floor(from) + '&until=' + Math.floor(next) + '&limit=50000').then(function (cols) {
      if (state.mode !== 'replay') return;
      store.addColumns(cols, notPing);
      eventLayer.redraw(); if (heatLayer._map) heatLayer.redraw();
    });
  }
  function setPlaying(on) {
    replay.playing = on;
    clearInterval(replay.timer);
    if (on) replay.timer = setInterval(step, 500);
    var b = document.getElementById('play-button');
    b.setAttribute('data-i18n', on ? 'pause' : 'play'); b.textContent = t(on ? 'pause' : 'play');
  }
  function goLive() {
    setPlaying(false);
    replay.seq++;
    state.mode = 'live'; state.replayTime = null;
    slider.value = '0';
    replayLabel();
    loadRecentEvents(); loadRisk(); loadHotspots(); loadPatrol();
  }
  slider.addEventListener('change', function () {
    var v = parseInt(slider.value, 10);
    if (v >= 0) goLive(); else enterReplay(Date.now() + state.clockOffset + v * 60000);
  });
  document.getElementById('play-button').addEventListener('click', function () {
    if (state.mode === 'live') enterReplay(Date.now() + state.clockOffset - HOUR);
    setPlaying(!replay.playing);
  });
  document.getElementById('live-button').addEventListener('click', goLive);
  document.getElementById('speed').addEventListener('change', function (e) { replay.speed = parseInt(e.target.value, 10); });

  // ------------------------------------------------------------------ status bar, language, wall
  setInterval(function () {
    state.eventsPerSecond = eventsPerSecond();
    document.getElementById('status-rate').textContent = state.eventsPerSecond + ' ' + t('events.per.s');
    document.getElementById('status-newest').textContent = t('newest') + ': ' + (state.newestEventTime ? fmtTime(Date.parse(state.newestEventTime)) : '—');
    var on = Object.keys(state.layers).filter(function (k) { return state.layers[k].on; }).length;
    document.getElementById('status-layers').textContent = t('layers') + ': ' + on + '/' + Object.keys(state.layers).length;
    if (app.tick) app.tick();
    // a stream that went quiet past two heartbeats is dead even if the socket says otherwise
    if (state.liveStatus === 'live' && Date.now() - state.stream.lastMessageAt > 40000) { state.stream.reconnects++; connect(); }
  }, 1000);

  document.getElementById('lang-button').addEventListener('click', function () { I.setLang(I.lang() === 'en' ? 'zh' : 'en'); });
  I.onChange(function () { renderPanel(); replayLabel(); setLive(state.liveStatus); if (state.gridSet) document.getElementById('status-grid').textContent = t('grid.set') + ': ' + state.gridSet.name; });
  I.apply();
  replayLabel();
  setLive('off');

  if (state.wall) document.body.classList.add('wall');
  function toggleWall() {
    state.wall = !document.body.classList.contains('wall');
    document.body.classList.toggle('wall', state.wall);
    if (state.wall && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () { /* needs a gesture */ });
    if (!state.wall && document.fullscreenElement) document.exitFullscreen().catch(function () { /* ignore */ });
    if (app.map) app.map.invalidateSize();
  }
  document.getElementById('wall-button').addEventListener('click', toggleWall);
  document.getElementById('wall-exit').addEventListener('click', toggleWall);

  // The idle lock counts what a person does, not the map's polling: tell the server (at most once a
  // minute) that someone is using this page.
  var lastActivityPing = 0;
  function userActivity() {
    var now = Date.now();
    if (now - lastActivityPing < 60000) return;
    lastActivityPing = now;
    api('/api/activity', { method: 'POST' }).catch(function () { /* a 401 already sends to sign-in */ });
  }
  ['mousedown', 'keydown', 'wheel', 'touchstart', 'mousemove'].forEach(function (type) {
    document.addEventListener(type, userActivity, { passive: true, capture: true });
  });


  var logout = document.getElementById('logout-form');
  logout.addEventListener('submit', function () {
    var input = document.createElement('input');
    input.type = 'hidden'; input.name = '_csrf'; input.value = csrfToken();
    logout.appendChild(input);
  });

  // the default-on layers' requests start at once, before the map exists, in the order they matter
  // (a browser sends six at a time): the configuration and who is signed in, the first paint's
  // layers, then the view's own layers (a duty officer's 50,000 recent events, a planner's grid and
  // risk); the layers switched off are asked for later (init)
  var configPending = api('/api/map-config');
  // the active uploaded base map (server.basemap), asked for beside the configuration
  var basemapPending = window.SafeGridBasemap ? window.SafeGridBasemap.findActive() : Promise.resolve(null);
  var mePending = api('/api/me');
  var early = {};
  ['land', 'districts', 'coastline'].forEach(function (n) { early[n] = api('/api/overlays/' + n); });
  function cellsOfActiveGridSet() {
    return api('/api/grid-sets').then(function (sets) {
      var active = sets.filter(function (s) { return s.status === 'active'; })[0];
      if (!active) return { active: null, cells: null };
      return api('/api/grid-sets/' + active.id + '/cells').then(function (cells) { return { active: active, cells: cells }; });
    });
  }
  mePending.then(function (me) {
    document.getElementById('user').textContent = me.username;
    state.roles = me.roles;
    if (me.roles.indexOf('GIS_ADMIN') >= 0 || me.roles.indexOf('ADMIN') >= 0) document.getElementById('upload-link').hidden = false;
    // the printable briefing: command center, planners and analysts, admins (docs/map.md, "Briefing")
    if (['VIEWER', 'PLANNER', 'ADMIN'].some(function (r) { return me.roles.indexOf(r) >= 0; })) document.getElementById('briefing-link').hidden = false;
  }).catch(function () { /* the overlay requests report sign-in problems */ });
  var viewPending = mePending.then(function (me) { return viewOf(me.roles); }, function () { return viewOf(null); });
  viewPending.then(function (view) {
    if (view === 'duty') {
      early.events = api(recentEventsUrl(HOUR));
      early.events.catch(function () { /* loadRecentEvents reports it */ });
    } else {
      early.risk = api('/api/risk?format=csv&window=24h');
      early.risk.catch(function () { /* loadRisk reports it */ });
      early.cells = cellsOfActiveGridSet();
      early.cells.catch(function () { /* the grid says not available */ });
    }
  });

  Promise.all([configPending.catch(function () {
    return { baseTileUrl: '', baseDatum: 'wgs84', center: [114.6, 23.1], zoom: 9, eventWindowMinutes: 60, baseMaxZoom: 18 };
  }), viewPending]).then(function (r) {
    state.view = r[1];
    document.body.setAttribute('data-view', state.view);
    init(r[0]);
  });

  /** Per point layer: clustered or icons, and how many discs or icons are drawn. */
  function pointsState() {
    var out = {};
    ['campuses', 'checkpoints', 'cameras', 'patrol'].forEach(function (n) {
      var l = n === 'patrol' ? patrolUnits : entries[n] && entries[n].layer;
      if (l && l._map) out[n] = { clustered: l.clustered(), drawn: l.drawn || 0, points: l.points.length };
    });
    return out;
  }

  // ------------------------------------------------------------------ automation hook
  window.safegrid = {
    get map() { return app.map; },
    overlays: app.overlays,
    api: api,
    app: app,
    replay: enterReplay,
    live: goLive,
    toggle: setOn,
    setLang: I.setLang,
    /** Starts timing when an event id arrives and is drawn; traced() reads the times (epoch ms). */
    trace: function (id) { traced[id] = { arrived: 0, drawn: 0 }; tracing++; },
    traced: function () { return traced; },
    resetLongTasks: function () { state.longTasks.count = 0; state.longTasks.maxMs = 0; state.longTasks.over200 = 0; state.longTasks.recent = []; return Math.round(performance.now()); },
    state: function () {
      var layers = {};
      Object.keys(state.layers).forEach(function (k) {
        layers[k] = { on: state.layers[k].on, count: state.layers[k].count, available: state.layers[k].available };
      });
      var mem = performance.memory ? performance.memory.usedJSHeapSize : null;
      return {
        ready: !!state.ready, error: state.error || null, gridSet: state.gridSet, layers: layers,
        newestEventTime: state.newestEventTime, liveStatus: state.liveStatus, openIncidents: state.openIncidents, incidents: state.incidents || null,
        mode: state.mode, replayTime: state.replayTime, eventsPerSecond: state.eventsPerSecond,
        longTasks: { count: state.longTasks.count, maxMs: state.longTasks.maxMs, over200: state.longTasks.over200, recent: state.longTasks.recent.slice() }, lastDrawMs: state.lastDrawMs || 0,
        stream: { messages: state.stream.messages, reconnects: state.stream.reconnects, watermark: state.stream.watermark, lagMs: state.stream.lagMs || null },
        firstPaintMs: state.firstPaintMs, allLoadedMs: state.allLoadedMs || null, marks: state.marks, allLoaded: !!state.allLoaded, heapBytes: mem, storedEvents: store.size, lang: I.lang(), wall: state.wall,
        riskAvailable: !!risk.available, silent: state.silent || null, view: state.view || null,
        points: pointsState()
      };
    }
  };
})();
