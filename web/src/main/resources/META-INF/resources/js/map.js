// SafeGrid map: reference overlays and the active management grid, drawn with Leaflet on canvas.
// No request leaves the server's origin: no base-map tiles by default; land, districts and coast give the picture.
(function () {
  'use strict';

  var state = { layers: {}, gridSet: null, newestEventTime: null, liveStatus: 'off', openAlerts: 0 };

  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json' }, options.headers || {});
    if (options.method && options.method !== 'GET') options.headers['X-XSRF-TOKEN'] = csrfToken();
    options.credentials = 'same-origin';
    return fetch(path, options).then(function (r) {
      if (r.status === 401) { window.location.href = '/login.html'; throw new Error('signed out'); }
      if (!r.ok) throw new Error(path + ' answered ' + r.status);
      return r.json();
    });
  }

  // --- text: every string the user reads is set through textContent, never innerHTML ---
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function propsPopup(title, props, keys) {
    var box = el('div');
    box.appendChild(el('strong', null, title));
    keys.forEach(function (k) {
      if (props[k] == null) return;
      var row = el('div');
      row.appendChild(el('span', null, k + ': '));
      row.appendChild(el('span', null, String(props[k])));
      box.appendChild(row);
    });
    return box;
  }

  var map = L.map('map', { preferCanvas: true, zoomControl: true, attributionControl: true })
    .setView([23.1, 114.6], 9);
  map.attributionControl.setPrefix(false);
  var canvas = L.canvas({ padding: 0.5 });

  var DISTRICT_COLORS = { '441302': '#5b8def', '441303': '#e5a50a', '441322': '#33d17a', '441323': '#c061cb', '441324': '#f66151' };

  var overlays = {};
  var control = L.control.layers(null, null, { collapsed: false }).addTo(map);

  function register(name, label, layer, count, on) {
    overlays[name] = layer;
    state.layers[name] = { on: !!on, count: count };
    control.addOverlay(layer, label);
    if (on) layer.addTo(map);
  }

  map.on('overlayadd', function (e) { setOn(e.layer, true); });
  map.on('overlayremove', function (e) { setOn(e.layer, false); });
  function setOn(layer, on) {
    Object.keys(overlays).forEach(function (k) { if (overlays[k] === layer) state.layers[k].on = on; });
    updateStatus();
  }

  function pointLayer(fc, style, title, keys) {
    return L.geoJSON(fc, {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, Object.assign({ renderer: canvas }, style)); },
      onEachFeature: function (f, layer) { layer.bindPopup(function () { return propsPopup(title + ' ' + (f.properties.name || f.properties.code), f.properties, keys); }); }
    });
  }

  function load() {
    var requests = [
      api('/api/overlays/land'), api('/api/overlays/districts'), api('/api/overlays/coastline'),
      api('/api/overlays/coastal_zone'), api('/api/overlays/campuses'), api('/api/overlays/checkpoints'),
      api('/api/overlays/cameras'), api('/api/grid-sets')
    ];
    return Promise.all(requests).then(function (r) {
      var land = r[0], districts = r[1], coast = r[2], zone = r[3], campuses = r[4], checkpoints = r[5], cameras = r[6], sets = r[7];
      register('land', '陆地 Land', L.geoJSON(land, { renderer: canvas, interactive: false, style: { color: '#3b4a3a', weight: 0, fillColor: '#263226', fillOpacity: 1 } }), land.features.length, true);
      register('districts', '区县 Districts', L.geoJSON(districts, {
        renderer: canvas,
        style: function (f) { return { color: DISTRICT_COLORS[f.properties.code] || '#aaa', weight: 2, fillOpacity: 0.05 }; },
        onEachFeature: function (f, layer) { layer.bindPopup(function () { return propsPopup(f.properties.name, f.properties, ['code']); }); }
      }), districts.features.length, true);
      register('coastal_zone', '海岸带 Coastal zone', L.geoJSON(zone, { renderer: canvas, interactive: false, style: { color: '#1f6feb', weight: 0, fillColor: '#1f6feb', fillOpacity: 0.18 } }), zone.features.length, false);
      register('coastline', '海岸线 Coastline', L.geoJSON(coast, { renderer: canvas, style: { color: '#58a6ff', weight: 2 } }), coast.features.length, true);
      register('campuses', '校园 Campuses (synthetic)', pointLayer(campuses, { radius: 3, color: '#ffd33d', weight: 1, fillOpacity: 0.9 }, '校园', ['code', 'kind', 'students', 'synthetic']), campuses.features.length, true);
      register('checkpoints', '卡口 Checkpoints (synthetic)', pointLayer(checkpoints, { radius: 4, color: '#ff7b72', weight: 1, fillOpacity: 0.9 }, '卡口', ['code', 'kind', 'synthetic']), checkpoints.features.length, false);
      register('cameras', '摄像头 Cameras (synthetic)', pointLayer(cameras, { radius: 2, color: '#a5d6ff', weight: 1, fillOpacity: 0.8 }, '摄像头', ['code', 'near', 'synthetic']), cameras.features.length, false);
      var active = sets.filter(function (s) { return s.status === 'active'; })[0];
      state.gridSet = active ? { id: active.id, name: active.name, cells: active.cellCount, synthetic: active.synthetic } : null;
      if (active) {
        return api('/api/grid-sets/' + active.id + '/cells').then(function (cells) {
          register('grid', '管理网格 Grid: ' + active.name, L.geoJSON(cells, {
            renderer: canvas,
            style: { color: '#8b949e', weight: 0.5, fillOpacity: 0 },
            onEachFeature: function (f, layer) { layer.bindPopup(function () { return propsPopup('网格 ' + f.properties.code, f.properties, ['name', 'districtCode', 'townName', 'areaM2']); }); }
          }), cells.features.length, true);
          document.getElementById('status-grid').textContent = '网格 / Grid: ' + active.name + ' (' + cells.features.length + ')';
        });
      }
    }).then(function () {
      addLegend();
      updateStatus();
      state.ready = true;
    }).catch(function (e) {
      state.error = String(e);
      document.getElementById('status-layers').textContent = '加载失败 / Load failed: ' + e.message;
    });
  }

  function addLegend() {
    var legend = L.control({ position: 'bottomright' });
    legend.onAdd = function () {
      var box = el('div', 'legend');
      box.appendChild(el('h4', null, '图例 Legend'));
      Object.keys(DISTRICT_COLORS).forEach(function (code) {
        var row = el('div');
        var sw = el('span', 'swatch'); sw.style.background = DISTRICT_COLORS[code];
        row.appendChild(sw);
        row.appendChild(document.createTextNode(code));
        box.appendChild(row);
      });
      [['#ffd33d', '校园 Campus'], ['#ff7b72', '卡口 Checkpoint'], ['#a5d6ff', '摄像头 Camera']].forEach(function (d) {
        var row = el('div');
        var dot = el('span', 'dot'); dot.style.background = d[0];
        row.appendChild(dot);
        row.appendChild(document.createTextNode(d[1]));
        box.appendChild(row);
      });
      box.appendChild(el('div', 'synthetic', '校园、卡口、摄像头与网格为合成数据 · Campuses, checkpoints, cameras and grid are synthetic'));
      return box;
    };
    legend.addTo(map);
  }

  function updateStatus() {
    var on = Object.keys(state.layers).filter(function (k) { return state.layers[k].on; });
    document.getElementById('status-layers').textContent = '图层 / Layers: ' + on.join(', ');
  }

  api('/api/me').then(function (me) {
    document.getElementById('user').textContent = me.username + ' (' + me.roles.join(', ') + ')';
    if (me.roles.indexOf('GIS_ADMIN') >= 0) document.getElementById('upload-link').hidden = false;
  }).catch(function () { /* the overlay requests report sign-in problems */ });

  // the logout form needs the CSRF token
  var logout = document.getElementById('logout-form');
  logout.addEventListener('submit', function () {
    var input = document.createElement('input');
    input.type = 'hidden'; input.name = '_csrf'; input.value = csrfToken();
    logout.appendChild(input);
  });

  load();

  // automation hook for tests and monitoring
  window.safegrid = {
    map: map,
    overlays: overlays,
    api: api,
    state: function () {
      var layers = {};
      Object.keys(state.layers).forEach(function (k) { layers[k] = { on: state.layers[k].on, count: state.layers[k].count }; });
      return { ready: !!state.ready, error: state.error || null, gridSet: state.gridSet, layers: layers,
        newestEventTime: state.newestEventTime, liveStatus: state.liveStatus, openAlerts: state.openAlerts };
    }
  };
})();
