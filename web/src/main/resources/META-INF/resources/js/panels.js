// SafeGrid side panels: ranked hotspot list with filters and export, emerging hotspots, the incident
// queue (keyboard actions, audible cue for critical), the cell/hotspot detail popup with its history chart, and the wall-screen HUD.
(function () {
  'use strict';
  var I = window.SafeGridI18n, t = I.t;
  var SVG = 'http://www.w3.org/2000/svg';

  function init(app) {
    var el = app.el, api = app.api, state = app.state;
    var side = document.getElementById('side');
    var tabs = { hotspots: document.getElementById('tab-hotspots'), emerging: document.getElementById('tab-emerging'), alerts: document.getElementById('tab-alerts') };
    function show(name) {
      Object.keys(tabs).forEach(function (k) {
        tabs[k].hidden = k !== name;
        document.getElementById('tabbtn-' + k).classList.toggle('active', k === name);
      });
    }
    Object.keys(tabs).forEach(function (k) { document.getElementById('tabbtn-' + k).addEventListener('click', function () { show(k); }); });
    document.getElementById('side-button').addEventListener('click', function () { side.hidden = !side.hidden; app.map.invalidateSize(); });
    show('hotspots');
    keyboard(Object.keys(tabs), show, side);

    // ------------------------------------------------------------ hotspot list
    var filters = { window: document.getElementById('f-window'), kind: document.getElementById('f-kind'),
      district: document.getElementById('f-district'), confidence: document.getElementById('f-confidence') };
    var districtOptions = (app.districts || []).map(function (d) { var o = el('option', null, I.place(d.code, d.name)); o.value = d.code; filters.district.appendChild(o); return o; });
    I.onChange(function () {
      districtOptions.forEach(function (o, i) { o.textContent = I.place(app.districts[i].code, app.districts[i].name); });
      renderHotspots();
    });
    Object.keys(filters).forEach(function (k) { filters[k].addEventListener('change', function () { if (k === 'window') reloadHotspots(); else renderHotspots(); }); });
    function reloadHotspots() {
      var w = filters.window.value;
      if (!w) { app.loadHotspots(); return; }
      api('/api/hotspots?includeCold=true&window=' + encodeURIComponent(w)).then(function (fc) { app.hotspots = fc; renderHotspots(); }).catch(function () { renderHotspots(); });
    }
    function hotspotRows() {
      var fc = app.hotspots;
      if (!fc || !fc.features) return null;
      return fc.features.filter(function (f) {
        var p = f.properties, c = app.hotspotClass(p);
        if (filters.kind.value && c.kind !== filters.kind.value) return false;
        if (filters.confidence.value && c.confidence < parseInt(filters.confidence.value, 10)) return false;
        if (filters.district.value && (p.districtCode || p.district) !== filters.district.value) return false;
        return true;
      }).sort(function (a, b) { return rank(b.properties) - rank(a.properties); });
    }
    function rank(p) { return p.rank != null ? -p.rank : p.peakZ != null ? Math.abs(p.peakZ) : p.score || 0; }
    function renderHotspots() {
      var list = document.getElementById('hotspot-list');
      list.textContent = '';
      var rows = hotspotRows();
      if (!rows) { list.appendChild(el('div', 'muted', t('layer.hotspots') + ': ' + t('not.available'))); return; }
      if (!rows.length) list.appendChild(el('div', 'muted', t('none')));
      rows.forEach(function (f, i) {
        var p = f.properties, c = app.hotspotClass(p);
        var row = el('button', 'list-row hs-' + c.kind);
        row.type = 'button';
        row.appendChild(el('span', 'rank', String(p.rank || i + 1)));
        var dn = (app.districts || []).filter(function (d) { return d.code === p.district; })[0];
        row.appendChild(el('span', 'title', (dn ? I.place(dn.code, dn.name) : p.district || '') + ' · ' + t(c.kind) + ' ' + c.confidence + '%'));
        if (p.peakZ != null) row.title = 'z ' + Number(p.peakZ).toFixed(2);
        plannerLines(p, c).forEach(function (l) {
          var line = el('span', 'stats ' + l.cls, l.text);
          if (l.tip) { line.title = l.tip; line.appendChild(el('span', 'tip-mark', ' ⓘ')); }
          row.appendChild(line);
        });
        row.addEventListener('click', function () {
          var layer = L.geoJSON(f, { coordsToLatLng: window.SafeGridDatum.coordsToLatLng });
          app.map.fitBounds(layer.getBounds(), { maxZoom: 14 });
          showHotspot(f, layer.getBounds().getCenter());
        });
        list.appendChild(row);
      });
    }
    function fill(text, values) { return text.replace(/\{(\w)\}/g, function (m, k) { return values[k] != null ? values[k] : m; }); }
    /**
     * A hotspot in a planner's words, one line each: its events and their trend against the window
     * before, where they are (cells with events vs halo cells, with a tooltip on the halo), and when
     * a patrol last passed through it.
     */
    function plannerLines(p, c) {
      var lines = [];
      if (p.events != null) {
        var ev = fill(t('hs.events'), { e: p.events });
        if (p.trend) ev += ' ' + t('hs.trend.' + p.trend) + ' ' + fill(t('hs.trend.before'), { b: p.trendEventsBefore });
        lines.push({ cls: 'hs-events trend-' + (p.trend || 'none'), text: ev });
      }
      if (p.cellsWithEvents != null && c.kind === 'hot') {
        lines.push(p.haloCells > 0
          ? { cls: 'hs-cells halo', text: fill(t('hs.cells.halo'), { w: p.cellsWithEvents, h: p.haloCells }), tip: t('hs.halo.tip') }
          : { cls: 'hs-cells', text: fill(t('hs.cells.nohalo'), { n: p.cellCount }) });
      } else if (p.cellCount != null) {
        lines.push({ cls: 'hs-cells', text: fill(t('hs.cells'), { n: p.cellCount }) });
      }
      if (p.trend) {
        lines.push({ cls: 'hs-patrol', text: p.lastPatrolAt ? fill(t('hs.patrol.last'), { t: app.fmtDateTime(Date.parse(p.lastPatrolAt)) }) : t('hs.patrol.none') });
      }
      return lines;
    }
    app.onHotspots = renderHotspots;
    renderHotspots();

    function download(name, type, text) {
      var a = el('a');
      a.href = URL.createObjectURL(new Blob([text], { type: type }));
      a.download = name;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    }
    document.getElementById('export-geojson').addEventListener('click', function () {
      var rows = hotspotRows() || [];
      download('hotspots.geojson', 'application/geo+json', JSON.stringify({ type: 'FeatureCollection', features: rows }));
    });
    document.getElementById('export-csv').addEventListener('click', function () {
      var rows = hotspotRows() || [];
      var keys = [];
      rows.forEach(function (f) { Object.keys(f.properties).forEach(function (k) { if (keys.indexOf(k) < 0 && typeof f.properties[k] !== 'object') keys.push(k); }); });
      var esc = function (v) { v = v == null ? '' : String(v); return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
      var lines = [['rank', 'id', 'centroid_lon', 'centroid_lat'].concat(keys).join(',')];
      rows.forEach(function (f, i) {
        var c = L.geoJSON(f).getBounds().getCenter();
        lines.push([i + 1, esc(f.id), c.lng.toFixed(6), c.lat.toFixed(6)].concat(keys.map(function (k) { return esc(f.properties[k]); })).join(','));
      });
      download('hotspots.csv', 'text/csv', '\ufeff' + lines.join('\n'));
    });

    // ------------------------------------------------------------ emerging hotspots
    function loadEmerging() {
      var box = document.getElementById('emerging-list');
      // the map's emerging-hotspot layer loads the same answer: one request for both
      (app.loadEmerging ? app.loadEmerging() : api('/api/hotspots/emerging')).then(function (fc) {
        box.textContent = '';
        var feats = fc.features || fc;
        var groups = {};
        feats.forEach(function (f) { var p = f.properties || f; var k = p.category || p.pattern || p.trend || p.kind || '?'; (groups[k] = groups[k] || []).push(f); });
        Object.keys(groups).forEach(function (k) {
          box.appendChild(el('h4', null, (t('ehsa.' + k) !== 'ehsa.' + k ? t('ehsa.' + k) : k) + ' (' + groups[k].length + ')'));
          groups[k].slice(0, 50).forEach(function (f) {
            var p = f.properties || f;
            var row = el('button', 'list-row', (p.code || p.cellCode || f.id) + (p.tau != null ? ' · τ ' + Number(p.tau).toFixed(2) : ''));
            if (app.EHSA && app.EHSA[k]) { var sw = el('span', 'swatch'); sw.style.background = app.EHSA[k]; row.insertBefore(sw, row.firstChild); }
            row.type = 'button';
            if (f.geometry) row.addEventListener('click', function () { app.map.fitBounds(L.geoJSON(f, { coordsToLatLng: window.SafeGridDatum.coordsToLatLng }).getBounds(), { maxZoom: 14 }); });
            box.appendChild(row);
          });
        });
        if (!feats.length) box.appendChild(el('div', 'muted', t('none')));
      }).catch(function () { box.textContent = ''; box.appendChild(el('div', 'muted', t('panel.emerging') + ': ' + t('not.available'))); });
    }
    loadEmerging();
    setInterval(function () { if (!tabs.emerging.hidden) loadEmerging(); }, 60000);

    // ------------------------------------------------------------ incident queue
    // Alerts arrive grouped into incidents; the queue lists them active first, then by severity
    // (critical first), open before acknowledged, newest first. Keyboard: j/k move, a acknowledge,
    // r resolve and d dismiss (each asks for a reason in the row), Enter zooms, m mutes the cue.
    var incidents = {}, incidentsAvailable = false, MAX_INCIDENT_ROWS = 100;
    var SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 };
    var queue = [], selected = null, asking = null;
    var muteBox = document.getElementById('incident-mute');
    var muted = false;
    try { muted = window.localStorage.getItem('safegrid.incidents.muted') === '1'; } catch (e) { /* private mode */ }
    muteBox.checked = muted;
    muteBox.addEventListener('change', function () { setMuted(muteBox.checked); });
    state.incidents = { open: 0, queue: [], selected: null, beeps: 0, muted: muted };
    function setMuted(m) {
      muted = !!m; muteBox.checked = muted; state.incidents.muted = muted;
      try { window.localStorage.setItem('safegrid.incidents.muted', muted ? '1' : '0'); } catch (e) { /* ignore */ }
    }
    function isActive(i) { return i.status === 'open' || i.status === 'acknowledged'; }
    function order(a, b) {
      return (isActive(b) - isActive(a))
        || ((SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0))
        || ((a.status === 'acknowledged') - (b.status === 'acknowledged'))
        || String(b.openedAt || '').localeCompare(String(a.openedAt || ''))
        || (b.id - a.id);
    }
    function loadIncidents() {
      // the active ones and those closed in the last hour
      var since = new Date(Date.now() - 3600000).toISOString();
      api('/api/incidents?since=' + encodeURIComponent(since) + '&limit=1000').then(function (list) {
        incidentsAvailable = true;
        incidents = {};
        list.forEach(function (i) { incidents[i.id] = i; });
        renderIncidents();
      }).catch(function () { incidentsAvailable = false; renderIncidents(); });
    }
    function renderIncidents() {
      var box = document.getElementById('incident-list');
      box.textContent = '';
      queue = Object.keys(incidents).map(function (k) { return incidents[k]; }).sort(order);
      var open = queue.filter(isActive).length;
      state.openIncidents = open;
      state.incidents.open = open;
      state.incidents.queue = queue.map(function (i) { return i.id; });
      document.getElementById('incident-count').textContent = String(open);
      document.getElementById('wall-incidents').textContent = String(open);
      if (!incidentsAvailable && !queue.length) { box.appendChild(el('div', 'muted', t('panel.incidents') + ': ' + t('not.available'))); return; }
      if (selected == null || !incidents[selected]) selected = queue.length ? queue[0].id : null;
      state.incidents.selected = selected;
      // a burst must not build thousands of rows: the first ones, and how many more
      var more = queue.length - MAX_INCIDENT_ROWS;
      queue.slice(0, MAX_INCIDENT_ROWS).forEach(function (i) { box.appendChild(incidentRow(i)); });
      if (more > 0) box.appendChild(el('div', 'muted', '+' + more));
    }
    function incidentRow(i) {
      var row = el('div', 'incident-row sev-' + i.severity + ' status-' + i.status + (i._new ? ' new' : '') + (i.id === selected ? ' selected' : ''));
      row.setAttribute('data-id', String(i.id));
      row.appendChild(el('div', 'title', i.title + ' · ' + t('severity.' + i.severity)));
      var counts = i.alertCount + ' ' + t('alerts.n') + (i.suppressedCount ? ' · ' + i.suppressedCount + ' ' + t('suppressed.n') : '');
      row.appendChild(el('div', 'muted', counts + ' · ' + app.fmtDateTime(Date.parse(i.lastObservedAt))));
      row.appendChild(el('div', 'muted', t('incident.status.' + i.status) + (i.assignedTo ? ' · ' + t('assigned') + ': ' + i.assignedTo : '')
        + ' · ' + t('level.' + i.escalationLevel)));
      row.addEventListener('click', function () { select(i.id); zoomTo(i); });
      if (isActive(i)) {
        if (i.status === 'open') row.appendChild(actionButton(i, 'ack'));
        row.appendChild(actionButton(i, 'resolve'));
        row.appendChild(actionButton(i, 'dismiss'));
      }
      if (asking && asking.id === i.id) row.appendChild(reasonInput(i, asking.action));
      return row;
    }
    function actionButton(i, action) {
      var b = el('button', 'small action-' + action, t(action));
      b.type = 'button';
      b.addEventListener('click', function (ev) {
        ev.stopPropagation();
        select(i.id);
        if (action === 'ack') act(i, 'ack', null); else askReason(i, action);
      });
      return b;
    }
    function reasonInput(i, action) {
      var input = el('input', 'reason');
      input.type = 'text'; input.maxLength = 2000;
      input.placeholder = t(action) + ': ' + t('reason.needed');
      input.addEventListener('click', function (ev) { ev.stopPropagation(); });
      input.addEventListener('keydown', function (ev) {
        ev.stopPropagation();
        if (ev.key === 'Escape') { asking = null; renderIncidents(); }
        if (ev.key === 'Enter' && input.value.trim()) { asking = null; act(i, action, input.value.trim()); }
      });
      setTimeout(function () { input.focus(); }, 0);
      return input;
    }
    function askReason(i, action) { asking = { id: i.id, action: action }; renderIncidents(); }
    function act(i, action, reason) {
      var body = reason == null ? null : JSON.stringify({ reason: reason });
      api('/api/incidents/' + encodeURIComponent(i.id) + '/' + action, { method: 'POST', body: body, headers: body ? { 'Content-Type': 'application/json' } : {} })
        .then(function (updated) { if (updated && updated.id != null) incidents[updated.id] = updated; renderIncidents(); })
        .catch(function (e) { state.incidents.lastError = String(e.status || e.message); loadIncidents(); });
    }
    function select(id) {
      selected = id; state.incidents.selected = id;
      document.querySelectorAll('#incident-list .incident-row').forEach(function (r) { r.classList.toggle('selected', r.getAttribute('data-id') === String(id)); });
      var r = document.querySelector('#incident-list .incident-row.selected');
      if (r && r.scrollIntoView) r.scrollIntoView({ block: 'nearest' });
    }
    function move(step) {
      if (!queue.length) return;
      var at = queue.findIndex(function (i) { return i.id === selected; });
      var next = Math.max(0, Math.min(queue.length - 1, (at < 0 ? 0 : at + step)));
      select(queue[next].id);
    }
    function zoomTo(i) { if (i.lat != null && i.lon != null) app.map.setView(window.SafeGridDatum.latLng(i.lat, i.lon), Math.max(app.map.getZoom(), 13)); }
    document.addEventListener('keydown', function (ev) {
      if (tabs.alerts.hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var tag = (ev.target && ev.target.tagName) || '';
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      var i = incidents[selected];
      switch (ev.key) {
        case 'j': move(1); break;
        case 'k': move(-1); break;
        case 'a': if (i && i.status === 'open') act(i, 'ack', null); break;
        case 'r': if (i && isActive(i)) askReason(i, 'resolve'); break;
        case 'd': if (i && isActive(i)) askReason(i, 'dismiss'); break;
        case 'Enter': if (i) zoomTo(i); break;
        case 'm': setMuted(!muted); break;
        default: return;
      }
      ev.preventDefault();
    });
    // many incident messages in one frame render once
    var renderQueued = false;
    function renderIncidentsSoon() {
      if (renderQueued) return;
      renderQueued = true;
      requestAnimationFrame(function () { renderQueued = false; renderIncidents(); });
    }
    // one audio context, resumed by the first key or click (browsers start it suspended)
    var audio = null;
    function audioContext() {
      if (!audio) { try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; } }
      return audio;
    }
    ['click', 'keydown'].forEach(function (type) {
      document.addEventListener(type, function () { var c = audioContext(); if (c && c.state === 'suspended') c.resume(); }, { once: true });
    });
    function beep() {
      state.incidents.beeps++;
      var ctx = audioContext();
      if (!ctx) return;
      try {
        [0, 0.35].forEach(function (at) {
          var o = ctx.createOscillator(), g = ctx.createGain();
          o.frequency.value = 880; g.gain.value = 0.2; o.connect(g); g.connect(ctx.destination);
          o.start(ctx.currentTime + at); o.stop(ctx.currentTime + at + 0.2);
        });
      } catch (e) { /* no audio */ }
    }
    app.onLiveMessage = function (type, m) {
      if (type !== 'incident' || !m || m.id == null) return;
      var before = incidents[m.id];
      var i = Object.assign({}, before || {}, m);
      delete i.change;
      i._new = m.change === 'opened' || (before && before._new);
      incidents[m.id] = i;
      incidentsAvailable = true;
      var becameCritical = m.severity === 'critical' && (m.change === 'opened' || (before && before.severity !== 'critical'));
      if (becameCritical && isActive(i)) {
        document.body.classList.add('alert-flash');
        setTimeout(function () { document.body.classList.remove('alert-flash'); }, 3000);
        if (!muted) beep();
      }
      renderIncidentsSoon();
    };
    loadIncidents();
    setInterval(loadIncidents, 30000);

    // ------------------------------------------------------------ detail popups
    function row(box, k, v) { var r = el('div'); r.appendChild(el('span', 'k', k + ': ')); r.appendChild(el('span', null, v)); box.appendChild(r); }
    function fmt(v) { return typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : String(v); }

    function showCell(f, latlng) {
      var p = f.properties, box = el('div', 'sg-popup detail');
      box.appendChild(el('strong', null, t('cell') + ' ' + p.code + (p.townName ? ' · ' + p.townName : '')));
      var r = app.riskInfo(p.code);
      if (r) {
        row(box, t('level'), t('risk.' + r.level));
        if (r.score != null) row(box, t('score'), fmt(r.score));
        if (r.lower != null && r.upper != null) row(box, t('interval'), fmt(r.lower) + ' – ' + fmt(r.upper));
        if (r.percentile != null) row(box, t('percentile'), fmt(r.percentile));
        if (r.normLevel) row(box, t('risk.normalised'), t('risk.' + r.normLevel) + (r.normScore != null ? ' (' + fmt(r.normScore) + ')' : ''));
        var bd = el('div');
        box.appendChild(bd);
        app.riskDetail(p.code).then(function (d) { if (d && d.breakdown) bd.appendChild(breakdownBars(d.breakdown)); })
          .catch(function () { /* breakdown stays out */ });
      } else {
        box.appendChild(el('div', 'muted', t('risk.none')));
      }
      var chartBox = el('div', 'chart');
      chartBox.appendChild(el('div', 'muted', t('history.24h')));
      box.appendChild(chartBox);
      L.popup({ maxWidth: 340 }).setLatLng(latlng).setContent(box).openOn(app.map);
      api('/api/live/cell-history?code=' + encodeURIComponent(p.code)).then(function (h) { chartBox.appendChild(historyChart(h)); })
        .catch(function () { chartBox.appendChild(el('div', 'muted', t('not.available'))); });
    }
    app.showCell = showCell;

    function showHotspot(f, latlng) {
      var p = f.properties, c = app.hotspotClass(p), box = el('div', 'sg-popup detail');
      box.appendChild(el('strong', null, t('layer.hotspots') + ' · ' + t(c.kind) + ' ' + c.confidence + '%'));
      Object.keys(p).forEach(function (k) { if (typeof p[k] !== 'object') row(box, k, fmt(p[k])); });
      if (p.breakdown) box.appendChild(breakdownBars(p.breakdown));
      L.popup({ maxWidth: 340 }).setLatLng(latlng).setContent(box).openOn(app.map);
    }
    app.showHotspot = showHotspot;

    /** Horizontal bars of a {factor: value} breakdown, as SVG. */
    function breakdownBars(b) {
      var entries = Array.isArray(b) ? b.map(function (x) { return [x.factor || x.name || x.kind, x.value != null ? x.value : x.share || x.weight]; })
        : Object.keys(b).map(function (k) { return [k, typeof b[k] === 'object' ? (b[k].value || b[k].share || 0) : b[k]]; });
      entries = entries.filter(function (e) { return typeof e[1] === 'number'; }).sort(function (a, c) { return c[1] - a[1]; }).slice(0, 8);
      var max = entries.reduce(function (m, e) { return Math.max(m, Math.abs(e[1])); }, 0) || 1;
      var wrap = el('div', 'breakdown');
      wrap.appendChild(el('div', 'muted', t('breakdown')));
      var svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('width', '300'); svg.setAttribute('height', String(entries.length * 16));
      entries.forEach(function (e, i) {
        var rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('x', '120'); rect.setAttribute('y', String(i * 16 + 3)); rect.setAttribute('height', '10');
        rect.setAttribute('width', String(Math.max(1, Math.abs(e[1]) / max * 140))); rect.setAttribute('fill', '#fc8d59');
        var label = document.createElementNS(SVG, 'text');
        label.setAttribute('x', '0'); label.setAttribute('y', String(i * 16 + 12)); label.setAttribute('font-size', '11');
        label.textContent = e[0];
        var val = document.createElementNS(SVG, 'text');
        val.setAttribute('x', String(124 + Math.abs(e[1]) / max * 140)); val.setAttribute('y', String(i * 16 + 12)); val.setAttribute('font-size', '10');
        val.textContent = fmt(e[1]);
        svg.appendChild(rect); svg.appendChild(label); svg.appendChild(val);
      });
      wrap.appendChild(svg);
      return wrap;
    }

    /** Stacked hourly bars by source, as SVG. */
    function historyChart(h) {
      var n = h.hourStarts.length, W = 300, H = 80, bw = W / n;
      var totals = h.hourStarts.map(function (_, i) { return Object.keys(h.counts).reduce(function (s, k) { return s + h.counts[k][i]; }, 0); });
      var max = Math.max.apply(null, totals.concat([1]));
      var svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('width', String(W)); svg.setAttribute('height', String(H + 14)); svg.setAttribute('class', 'history');
      var colors = { camera: window.SafeGridEvents.COLORS[0], checkpoint: window.SafeGridEvents.COLORS[1], patrol: window.SafeGridEvents.COLORS[2] };
      for (var i = 0; i < n; i++) {
        var y = H;
        Object.keys(h.counts).forEach(function (k) {
          var v = h.counts[k][i];
          if (!v) return;
          var hh = v / max * H;
          var r = document.createElementNS(SVG, 'rect');
          r.setAttribute('x', String(i * bw + 0.5)); r.setAttribute('width', String(Math.max(1, bw - 1)));
          r.setAttribute('y', String(y - hh)); r.setAttribute('height', String(hh)); r.setAttribute('fill', colors[k] || '#888');
          svg.appendChild(r);
          y -= hh;
        });
      }
      var lbl = document.createElementNS(SVG, 'text');
      lbl.setAttribute('x', '0'); lbl.setAttribute('y', String(H + 12)); lbl.setAttribute('font-size', '10');
      lbl.textContent = app.fmtDateTime(h.hourStarts[0]) + ' … max ' + max + '/h';
      svg.appendChild(lbl);
      return svg;
    }

    // ------------------------------------------------------------ wall screen HUD
    var tonight = { since: 0, counts: { camera: 0, checkpoint: 0, patrol: 0 } };
    function tonightStart() {
      var d = new Date(); var s = new Date(d.getFullYear(), d.getMonth(), d.getDate(), 18, 0, 0);
      if (d < s) s.setDate(s.getDate() - 1);
      return s.getTime();
    }
    function loadTonight() {
      var since = tonightStart();
      api('/api/live/counts?since=' + since).then(function (c) { tonight.since = since; tonight.counts = c; renderTonight(); }).catch(function () { /* keep */ });
    }
    function renderTonight() {
      ['camera', 'checkpoint', 'patrol'].forEach(function (s) { document.getElementById('wall-count-' + s).textContent = String(tonight.counts[s] || 0); });
    }
    app.onStreamEventsPanels = function (cols) {
      if (!tonight.since) return;
      for (var i = 0; i < cols.id.length; i++) if (cols.observedAt[i] >= tonight.since) tonight.counts[cols.source[i]] = (tonight.counts[cols.source[i]] || 0) + 1;
    };
    loadTonight();
    setInterval(loadTonight, 5 * 60000);
    app.tick = function () {
      document.getElementById('wall-clock').textContent = app.fmtTime(Date.now() + state.clockOffset);
      renderTonight();
      var legend = document.getElementById('wall-legend');
      if (document.body.classList.contains('wall') && !legend.firstChild) {
        ['camera', 'checkpoint', 'patrol', 'incident'].forEach(function (s, i) { app.swatchRow(legend, window.SafeGridEvents.COLORS[i], t('source.' + s), 'dot'); });
        ['low', 'elevated', 'high', 'critical'].forEach(function (l) { app.swatchRow(legend, window.SafeGridPalette.risk[l], t('risk.' + l)); });
      }
    };
    I.onChange(function () { document.getElementById('wall-legend').textContent = ''; renderHotspots(); renderIncidents(); });
  }

  /**
   * Keyboard access to the panels: Alt+1 the layer list, Alt+2 the side panel's tabs, Alt+3 the map
   * (arrows pan, +/- zoom); in the tab row Left/Right switch tabs; in the layer list and the hotspot
   * list Up/Down move between rows (Space toggles a layer, Enter opens a hotspot).
   */
  function keyboard(names, show, side) {
    var tablist = document.querySelector('#side .tabs');
    tablist.setAttribute('role', 'tablist');
    function tabButtons() { return names.map(function (k) { return document.getElementById('tabbtn-' + k); }); }
    function syncTabs() {
      tabButtons().forEach(function (b, i) {
        var on = b.classList.contains('active');
        b.setAttribute('role', 'tab'); b.setAttribute('aria-selected', on ? 'true' : 'false');
        b.setAttribute('aria-controls', 'tab-' + names[i]); b.tabIndex = on ? 0 : -1;
        document.getElementById('tab-' + names[i]).setAttribute('role', 'tabpanel');
      });
    }
    syncTabs();
    tabButtons().forEach(function (b) { b.addEventListener('click', syncTabs); });
    tablist.addEventListener('keydown', function (ev) {
      if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
      var list = tabButtons(), at = list.indexOf(document.activeElement);
      if (at < 0) return;
      var next = (at + (ev.key === 'ArrowRight' ? 1 : list.length - 1)) % list.length;
      show(names[next]); syncTabs(); list[next].focus();
      ev.preventDefault();
    });
    // Up/Down between the rows of a list
    function rowKeys(container, selector) {
      container.addEventListener('keydown', function (ev) {
        if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
        var rows = Array.prototype.slice.call(container.querySelectorAll(selector)).filter(function (r) { return !r.disabled; });
        var at = rows.indexOf(document.activeElement);
        if (at < 0) return;
        var next = rows[Math.max(0, Math.min(rows.length - 1, at + (ev.key === 'ArrowDown' ? 1 : -1)))];
        next.focus();
        ev.preventDefault();
      });
    }
    rowKeys(document.getElementById('layer-list'), 'input[type=checkbox]');
    rowKeys(document.getElementById('hotspot-list'), 'button.list-row');
    var mapEl = document.getElementById('map');
    document.getElementById('layer-panel').setAttribute('aria-label', I.t('layers'));
    side.setAttribute('aria-label', I.t('panel.hotspots'));
    document.addEventListener('keydown', function (ev) {
      if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var target = null;
      if (ev.key === '1') target = document.querySelector('#layer-list input[type=checkbox]:not([disabled])');
      else if (ev.key === '2') { side.hidden = false; target = document.querySelector('#side .tabs button.active'); }
      else if (ev.key === '3') target = mapEl;
      if (!target) return;
      target.focus();
      ev.preventDefault();
    });
  }

  window.SafeGridPanels = { init: init };
})();
