// Reported incidents (source "incident": 110 calls, 12345 hotline, grid officers' reports) of the last
// 24 hours as their own layer, coloured by kind, with the panel filtering by kind and by channel.
// Incidents located only to a district centroid are drawn hollow: they belong to no cell.
(function () {
  'use strict';

  var KINDS = ['violent', 'property', 'disorder', 'traffic', 'dispute', 'fraud', 'other'];
  var COLORS = { violent: '#d73027', property: '#fc8d59', disorder: '#b37feb', traffic: '#4575b4',
    dispute: '#fee090', fraud: '#35978f', other: '#bdbdbd' };
  var CHANNELS = ['110', '12345', 'grid'];
  var WINDOW_MS = 24 * 3600 * 1000;
  var REFRESH_MS = 60000;

  function init(app) {
    var I = window.SafeGridI18n, t = I.t, D = window.SafeGridDatum;
    var state = { kinds: {}, channels: {}, features: [] };
    KINDS.forEach(function (k) { state.kinds[k] = true; });
    CHANNELS.forEach(function (c) { state.channels[c] = true; });
    var group = L.layerGroup();

    function attrsOf(p) {
      if (!p.attrs) return {};
      if (typeof p.attrs === 'string') { try { return JSON.parse(p.attrs); } catch (e) { return {}; } }
      return p.attrs;
    }

    function visible(f) {
      var p = f.properties || {}, a = attrsOf(p);
      return state.kinds[p.kind] !== false && state.channels[a.channel] !== false;
    }

    function redraw() {
      group.clearLayers();
      var shown = 0;
      state.features.forEach(function (f) {
        if (!visible(f) || !f.geometry) return;
        var p = f.properties || {}, a = attrsOf(p);
        var centroid = a.location && a.location.quality === 'district_centroid';
        var c = COLORS[p.kind] || COLORS.other;
        var m = L.circleMarker(D.coordsToLatLng(f.geometry.coordinates), {
          radius: 5, color: c, weight: 2, fillColor: c, fillOpacity: centroid ? 0 : 0.8, dashArray: centroid ? '2 2' : null
        });
        m.bindPopup(function () {
          return app.propsPopup(t('incident.' + p.kind) + ' · ' + (a.channel || ''), {
            kind: p.kind, channel: a.channel, observedAt: p.observedAt, reportedAt: a.reportedAt,
            category: a.originalCategory || a.originalCode, location: a.location && a.location.quality,
            accuracyMeters: a.location && a.location.accuracyMeters
          }, ['kind', 'channel', 'observedAt', 'reportedAt', 'category', 'location', 'accuracyMeters']);
        });
        group.addLayer(m);
        shown++;
      });
      return shown;
    }

    function legend(box) {
      function toggles(values, flags, label, colour) {
        var row = app.el('div', 'lg-row incident-filter');
        row.appendChild(document.createTextNode(label + ' '));
        values.forEach(function (v) {
          var l = app.el('label', 'incident-toggle');
          var cb = app.el('input'); cb.type = 'checkbox'; cb.checked = flags[v] !== false;
          cb.dataset.value = v;
          cb.addEventListener('change', function () { flags[v] = cb.checked; app.setLayerCount('reported_incidents', redraw()); });
          l.appendChild(cb);
          if (colour) { var sw = app.el('span', 'dot'); sw.style.background = COLORS[v]; l.appendChild(sw); }
          l.appendChild(document.createTextNode(colour ? t('incident.' + v) : v));
          row.appendChild(l);
        });
        box.appendChild(row);
      }
      toggles(KINDS, state.kinds, t('incident.kinds'), true);
      toggles(CHANNELS, state.channels, t('incident.channels'), false);
    }

    function load() {
      var from = new Date(Date.now() - WINDOW_MS).toISOString();
      return app.api('/api/events?source=incident&limit=1000&from=' + encodeURIComponent(from)).then(function (fc) {
        state.features = (fc && fc.features) || [];
        var shown = redraw();
        if (!app.overlays.reported_incidents) app.register('reported_incidents', group, shown, false, legend);
        else app.setLayerCount('reported_incidents', shown);
      }).catch(function () {
        if (!app.overlays.reported_incidents) app.register('reported_incidents', null, 0, false, legend);
      });
    }

    load();
    setInterval(function () { if (app.state.mode === 'live') load(); }, REFRESH_MS);
    app.reportedIncidents = { state: state, reload: load, layer: group };
  }

  window.SafeGridIncidents = { init: init, KINDS: KINDS, CHANNELS: CHANNELS };
})();
