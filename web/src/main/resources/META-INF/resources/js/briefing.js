// The printable briefing (briefing.html?from&to&district): the figures of GET /api/briefing and a map of
// the period's hotspots and reported incidents on a light print theme, laid out one section per A4
// landscape page. Hook for tests and the print bench: window.SafeGridBriefing.state().ready.
(function () {
  'use strict';
  var I = window.SafeGridI18n, t = I.t;
  var KIND_COLORS = { violent: '#d73027', property: '#fc8d59', disorder: '#b37feb', traffic: '#4575b4',
    dispute: '#e0b000', fraud: '#35978f', other: '#9e9e9e' };
  var MAX_INCIDENT_PAGES = 5;
  var state = { ready: false, error: null, briefing: null, incidentsDrawn: 0, incidentsTruncated: false, districtNames: {} };
  var map = null;

  window.SafeGridBriefing = {
    state: function () { return state; },
    // where a light print base map goes: a function (map) => Leaflet layer, set by a base-map script
    // loaded before this one; without one the overlays are drawn on white
    printBaseLayer: (window.SafeGridBriefing && window.SafeGridBriefing.printBaseLayer) || null
  };

  function api(path) {
    return fetch(path, { credentials: 'same-origin', headers: { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' } })
      .then(function (r) {
        if (r.status === 401) { window.location.href = '/login.html'; throw new Error('signed out'); }
        if (!r.ok) {
          return r.json().catch(function () { return {}; }).then(function (p) {
            var e = new Error(p.detail || (path + ' answered ' + r.status)); e.status = r.status; throw e;
          });
        }
        return r.json();
      });
  }

  function fmt(key, vars) {
    var s = t(key);
    Object.keys(vars || {}).forEach(function (k) { s = s.split('{' + k + '}').join(vars[k]); });
    return s;
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function row(table, cells, header) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) {
      var td = el(header ? 'th' : 'td', c == null ? '—' : (typeof c === 'object' ? c.text : String(c)));
      if (!header && (typeof c === 'number' || (c && c.num))) td.className = 'n';
      if (c && c.cls) td.className += ' ' + c.cls;
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }

  function pct(x) { return x == null ? '—' : (Math.round(x * 1000) / 10) + '%'; }

  function change(now, before) {
    if (!before) return { text: now ? '+' + now : '0', num: true };
    var d = (now - before) / before;
    return { text: (d >= 0 ? '+' : '') + Math.round(d * 100) + '%', num: true, cls: d > 0 ? 'up' : (d < 0 ? 'down' : '') };
  }

  function duration(seconds) {
    if (seconds == null) return '—';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min';
    return (Math.round(seconds / 360) / 10) + ' h';
  }

  /** Local date/time of an instant in the city's zone: the date alone at midnight. */
  function local(iso, zone, endOfPeriod) {
    var d = new Date(iso);
    var parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(endOfPeriod ? new Date(d.getTime() - 1) : d);
    var p = {};
    parts.forEach(function (x) { p[x.type] = x.value; });
    var date = p.year + '-' + p.month + '-' + p.day;
    var atMidnight = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(d) === '00:00';
    if (atMidnight) return date;
    var exact = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    return (endOfPeriod ? new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d) : date) + ' ' + exact;
  }

  function params() {
    var q = new URLSearchParams(window.location.search);
    var today = new Date();
    var iso = function (d) { return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); };
    var weekAgo = new Date(today.getTime() - 7 * 86400000);
    return { from: q.get('from') || iso(weekAgo), to: q.get('to') || iso(today), district: q.get('district') || '' };
  }

  function renderText(b) {
    var zone = b.period.timezone;
    var area = b.district ? I.place(b.district.code, b.district.name) : t('briefing.city');
    document.getElementById('b-area').textContent = area;
    document.title = 'SafeGrid — ' + t('briefing.title') + ' · ' + area;
    document.getElementById('b-period').textContent = fmt('briefing.period', {
      f: local(b.period.from, zone), t: local(b.period.to, zone, true),
      pf: local(b.period.previousFrom, zone), pt: local(b.period.previousTo, zone, true) });

    var inc = b.incidents, hs = b.hotspots.top.features, cov = b.patrolCoverage;
    var summary = document.getElementById('b-summary');
    summary.textContent = '';
    [[t('briefing.reports'), inc.total, t('briefing.previous') + ' ' + inc.previousTotal],
      [t('briefing.hotspotCount'), b.hotspots.hotspotCount, ''],
      [t('briefing.alertCount'), b.alertIncidents.total, t('briefing.previous') + ' ' + b.alertIncidents.previousTotal],
      [t('briefing.coverageShare'), pct(cov.share), cov.hotspotCells ? cov.visitedCells + '/' + cov.hotspotCells : '']
    ].forEach(function (s) {
      var span = el('span', s[0] + ' ');
      var v = el('b', String(s[1]));
      v.id = 'b-sum-' + summary.children.length;
      span.appendChild(v);
      if (s[2]) span.appendChild(document.createTextNode(' (' + s[2] + ')'));
      summary.appendChild(span);
    });

    var ht = document.getElementById('b-hotspots');
    ht.textContent = '';
    if (!hs.length) {
      row(ht, [t('briefing.noHotspots')]);
    } else {
      row(ht, [t('briefing.col.rank'), t('briefing.col.cell'), t('briefing.col.district'), t('briefing.col.class'),
        t('briefing.col.cells'), t('briefing.col.events'), t('briefing.col.before'), t('briefing.col.trend'), t('briefing.col.patrol')], true);
      hs.forEach(function (f) {
        var p = f.properties;
        row(ht, [p.rank, p.peakCell, p.district ? I.place(p.district, state.districtNames[p.district] || p.district) : '—', p.confidence + '%',
          { text: p.cellCount + ' (' + p.cellsWithEvents + '/' + p.haloCells + ')', num: true },
          p.trendEvents, p.trendEventsBefore,
          { text: t('hs.trend.' + (p.trend || 'flat')), cls: p.trend === 'up' ? 'up' : (p.trend === 'down' ? 'down' : '') },
          p.lastPatrolAt ? local(p.lastPatrolAt, zone) : t('briefing.none')]);
      });
    }

    var kt = document.getElementById('b-kinds');
    kt.textContent = '';
    row(kt, [t('briefing.col.kind'), t('briefing.col.count'), t('briefing.previous'), t('briefing.col.change')], true);
    Object.keys(inc.byKind).forEach(function (k) {
      var c = inc.byKind[k];
      row(kt, [t('incident.' + k), c.count, c.previous, change(c.count, c.previous)]);
    });
    row(kt, [t('briefing.total'), inc.total, inc.previousTotal, change(inc.total, inc.previousTotal)]);

    var ct = document.getElementById('b-channels');
    ct.textContent = '';
    row(ct, [t('briefing.col.channel'), t('briefing.col.count'), t('briefing.previous'), t('briefing.col.change')], true);
    Object.keys(inc.byChannel).forEach(function (k) {
      var c = inc.byChannel[k];
      row(ct, [t('briefing.channel.' + k), c.count, c.previous, change(c.count, c.previous)]);
    });
    document.getElementById('b-centroid').textContent = fmt('briefing.centroid', { n: inc.districtCentroidOnly });

    var ai = b.alertIncidents, at = document.getElementById('b-alerts');
    at.textContent = '';
    row(at, [t('briefing.ai.total'), ai.total]);
    row(at, [t('briefing.previous'), ai.previousTotal]);
    row(at, [t('briefing.ai.ack'), ai.acknowledged]);
    row(at, [t('briefing.ai.closed'), ai.closed]);
    row(at, [t('briefing.ai.medianAck'), { text: duration(ai.medianAcknowledgeSeconds), num: true }]);
    row(at, [t('briefing.ai.medianClose'), { text: duration(ai.medianCloseSeconds), num: true }]);
    Object.keys(ai.bySeverity).forEach(function (s) { row(at, [t('briefing.ai.severity') + ' · ' + s, ai.bySeverity[s]]); });
    Object.keys(ai.byRule).forEach(function (r) { row(at, [t('briefing.ai.rule') + ' · ' + r, ai.byRule[r]]); });

    var ft = document.getElementById('b-feeds');
    ft.textContent = '';
    row(ft, [t('briefing.col.source'), t('briefing.col.sources'), t('briefing.col.gaps'), t('briefing.col.gapHours'),
      t('briefing.col.longest'), t('briefing.col.uptime')], true);
    b.feedHealth.sources.forEach(function (s) {
      row(ft, [t('briefing.source.' + s.source), s.sources, s.gaps, { text: s.gapHours.toFixed(1), num: true },
        { text: s.longestGapHours.toFixed(1), num: true }, { text: pct(s.uptimeShare), num: true }]);
    });

    document.getElementById('b-coverage').textContent = cov.hotspotCells
      ? fmt('briefing.coverage.text', { n: cov.hotspotCells, v: cov.visitedCells, s: pct(cov.share) })
      : t('briefing.coverage.none');

    var m = document.getElementById('b-method');
    m.textContent = '';
    ['incidents', 'hotspots', 'alerts', 'feeds', 'coverage'].forEach(function (k) { m.appendChild(el('li', t('briefing.m.' + k))); });

    var lg = document.getElementById('b-legend');
    lg.textContent = '';
    var sw = el('span'); sw.appendChild(el('span', null, 'sw hs-swatch')); sw.appendChild(document.createTextNode(t('briefing.legend.hotspot'))); lg.appendChild(sw);
    Object.keys(KIND_COLORS).forEach(function (k) {
      var s = el('span'); var d = el('span', null, 'dot'); d.style.background = KIND_COLORS[k];
      s.appendChild(d); s.appendChild(document.createTextNode(t('incident.' + k))); lg.appendChild(s);
    });
    var c = el('span'); var hollow = el('span', null, 'dot hollow'); c.appendChild(hollow);
    c.appendChild(document.createTextNode(t('briefing.legend.centroid'))); lg.appendChild(c);
    if (state.incidentsTruncated) lg.appendChild(el('span', fmt('briefing.truncated', { n: state.incidentsDrawn })));
  }

  /** Every reported incident of the period (following the pages, at most MAX_INCIDENT_PAGES of 1000). */
  function loadIncidents(b, bbox) {
    var features = [];
    function page(url, n) {
      return api(url).then(function (fc) {
        features = features.concat(fc.features);
        if (fc.next && n + 1 < MAX_INCIDENT_PAGES) return page(fc.next, n + 1);
        state.incidentsTruncated = !!fc.next;
        return features;
      });
    }
    return page('/api/events?source=incident&limit=1000&from=' + encodeURIComponent(b.period.from) + '&to='
      + encodeURIComponent(b.period.to) + (bbox ? '&bbox=' + bbox : ''), 0);
  }

  function drawMap(b, districts) {
    if (map) map.remove();
    map = L.map('b-map', { zoomControl: false, attributionControl: false, fadeAnimation: false, zoomAnimation: false,
      markerZoomAnimation: false, zoomSnap: 0.25, boxZoom: false });
    var base = window.SafeGridBriefing.printBaseLayer;
    if (base) base(map).addTo(map);
    var canvas = L.canvas({ padding: 0.1 });
    var code = b.district ? b.district.code : null;
    var districtLayer = L.geoJSON(districts, { interactive: false, style: function (f) {
      return { color: '#333', weight: f.properties.code === code ? 2.5 : 1, fill: false }; } }).addTo(map);
    var bounds = districtLayer.getBounds();
    if (code) {
      districtLayer.eachLayer(function (l) { if (l.feature.properties.code === code) bounds = l.getBounds(); });
    }
    map.fitBounds(bounds, { padding: [6, 6] });
    var jobs = [];
    jobs.push(api('/api/grid-sets/' + b.hotspots.gridSetId + '/cells').then(function (cells) {
      L.geoJSON(cells, { renderer: canvas, interactive: false, style: { color: '#c8ccd2', weight: 0.4, fill: false } }).addTo(map);
    }).catch(function () { /* the grid is context only */ }));
    jobs.push(api('/api/overlays/coastline').then(function (coast) {
      L.geoJSON(coast, { interactive: false, style: { color: '#3a78c2', weight: 1.5 } }).addTo(map);
    }).catch(function () { /* no coastline layer */ }));
    var bbox = code ? [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(function (x) { return x.toFixed(5); }).join(',') : null;
    return Promise.all(jobs).then(function () {
      L.geoJSON(b.hotspots.top, { interactive: false, style: { color: '#b2182b', weight: 1.5, fillColor: '#ef8a62', fillOpacity: 0.45 },
        onEachFeature: function (f, layer) {
          var p = f.properties.label;
          L.tooltip({ permanent: true, direction: 'center', className: 'hs-rank-label', interactive: false })
            .setLatLng([p[1], p[0]]).setContent(String(f.properties.rank)).addTo(map);
        } }).addTo(map);
      return loadIncidents(b, bbox);
    }).then(function (features) {
      features.forEach(function (f) {
        var p = f.properties || {}, a = typeof p.attrs === 'string' ? JSON.parse(p.attrs) : (p.attrs || {});
        var centroid = a.location && a.location.quality === 'district_centroid';
        var c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { renderer: canvas, interactive: false, radius: centroid ? 4 : 2.5, weight: centroid ? 1.2 : 0.5,
          color: centroid ? KIND_COLORS[p.kind] || '#666' : '#222', fillColor: KIND_COLORS[p.kind] || '#666',
          fillOpacity: centroid ? 0 : 0.9, dashArray: centroid ? '2 2' : null }).addTo(map);
      });
      state.incidentsDrawn = features.length;
    });
  }

  function load() {
    var q = params();
    document.getElementById('b-from').value = q.from;
    document.getElementById('b-to').value = q.to;
    var qs = 'from=' + encodeURIComponent(q.from) + '&to=' + encodeURIComponent(q.to) + (q.district ? '&district=' + encodeURIComponent(q.district) : '');
    state.ready = false;
    var districtsPending = api('/api/overlays/districts');
    districtsPending.then(function (d) {
      var sel = document.getElementById('b-district');
      while (sel.options.length > 1) sel.remove(1);
      d.features.forEach(function (f) {
        state.districtNames[f.properties.code] = f.properties.name;
        var o = el('option', I.place(f.properties.code, f.properties.name));
        o.value = f.properties.code;
        sel.appendChild(o);
      });
      sel.value = q.district;
    }).catch(function () { /* the select keeps "whole city" */ });
    Promise.all([api('/api/briefing?' + qs), districtsPending]).then(function (r) {
      state.briefing = r[0];
      renderText(r[0]);
      return drawMap(r[0], r[1]).then(function () { renderText(r[0]); });
    }).then(function () {
      return document.fonts ? document.fonts.ready : null;
    }).then(function () {
      // drawn: Leaflet's canvas paints on the next frame
      requestAnimationFrame(function () { requestAnimationFrame(function () {
        state.ready = true;
        document.body.setAttribute('data-ready', 'true');
      }); });
    }).catch(function (e) {
      state.error = e.message;
      document.getElementById('b-error').textContent = t('briefing.failed') + ': ' + e.message;
    });
  }

  document.getElementById('controls').addEventListener('submit', function (e) {
    e.preventDefault();
    var q = new URLSearchParams();
    q.set('from', document.getElementById('b-from').value);
    q.set('to', document.getElementById('b-to').value);
    var d = document.getElementById('b-district').value;
    if (d) q.set('district', d);
    window.history.replaceState(null, '', '/briefing.html?' + q.toString());
    load();
  });
  document.getElementById('b-print').addEventListener('click', function () { window.print(); });
  document.getElementById('lang-button').addEventListener('click', function () { I.setLang(I.lang() === 'en' ? 'zh' : 'en'); });
  I.onChange(function () { if (state.briefing) renderText(state.briefing); });
  I.apply();
  load();
})();
