// SafeGrid boundary upload page: drop a file, read the validation report, see the problems on the
// map, activate the draft. Every text from the server is set through textContent, never innerHTML.
(function () {
  'use strict';

  var COLORS = {
    invalid_geometry: '#ff7b72', wrong_geometry_type: '#ff7b72', missing_code: '#ffa657', duplicate_code: '#ffa657',
    overlap: '#d2a8ff', gap: '#f2cc60', outside_city: '#79c0ff', unknown_crs: '#ff7b72'
  };

  var file = null;
  var draft = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  function request(method, path, body, contentType) {
    var headers = { 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json' };
    if (contentType) headers['Content-Type'] = contentType;
    if (method !== 'GET') headers['X-XSRF-TOKEN'] = csrfToken();
    return fetch(path, { method: method, headers: headers, body: body, credentials: 'same-origin' })
      .then(function (r) {
        if (r.status === 401) { window.location.href = '/login.html'; throw new Error('signed out'); }
        return r.text().then(function (t) {
          var json = null;
          try { json = t ? JSON.parse(t) : null; } catch (e) { json = { detail: t }; }
          return { status: r.status, ok: r.ok, body: json };
        });
      });
  }

  var map = L.map('upload-map', { preferCanvas: true }).setView([23.1, 114.6], 9);
  map.attributionControl.setPrefix(false);
  var context = L.layerGroup().addTo(map);
  var drawn = L.layerGroup().addTo(map);
  var problemsLayer = L.layerGroup().addTo(map);

  // districts for orientation
  request('GET', '/api/overlays/districts').then(function (r) {
    if (r.ok && r.body) {
      L.geoJSON(r.body, { style: { color: '#9fb0c0', weight: 1, fill: false } }).addTo(context);
    }
  }).catch(function () { /* map still usable without context */ });

  // --- choosing a file ---
  var drop = $('drop');
  function choose(f) {
    file = f;
    $('file-name').textContent = f ? f.name + ' (' + Math.round(f.size / 1024) + ' KB)' : '';
    $('upload-button').disabled = !f;
  }
  $('file').addEventListener('change', function () { choose(this.files[0] || null); });
  ['dragenter', 'dragover'].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove('over'); });
  });
  drop.addEventListener('drop', function (e) {
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });

  // --- uploading ---
  $('upload-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (!file) return;
    // the datum is required and has no default: a GCJ-02 file taken for WGS84 lands 300-700 m off
    var datum = document.querySelector('input[name="datum"]:checked');
    if (!datum) {
      showResult({ ok: false, status: 0, body: { title: 'Datum required',
        detail: '请选择坐标基准 / Choose the datum of the coordinates (WGS84 / CGCS2000 or GCJ-02).' } });
      return;
    }
    var form = new FormData();
    form.append('file', file, file.name);
    form.append('datum', datum.value);
    ['layer', 'epsg', 'encoding', 'codeField', 'nameField', 'districtField', 'townField'].forEach(function (k) {
      var v = $(k).value.trim();
      if (v) form.append(k, v);
    });
    $('upload-button').disabled = true;
    $('upload-button').textContent = '检查中… / Checking…';
    request('POST', '/api/uploads', form).then(function (r) {
      showResult(r);
    }).catch(function (err) {
      showResult({ ok: false, status: 0, body: { title: 'Upload failed', detail: String(err) } });
    }).then(function () {
      $('upload-button').disabled = !file;
      $('upload-button').textContent = '上传并检查 / Upload and check';
    });
  });

  function showResult(r) {
    $('result').hidden = false;
    $('activate').hidden = true;
    $('activate-result').textContent = '';
    $('diff').hidden = true;
    draft = null;
    drawn.clearLayers();
    problemsLayer.clearLayers();
    var body = r.body || {};
    var report = r.ok ? body.report : body.report;
    var title = $('result-title');
    if (r.ok) {
      draft = body;
      title.textContent = '草稿已保存 / Draft stored (#' + body.draftId + ')';
      title.className = 'ok';
      $('result-detail').textContent = report && report.problems.length
        ? 'Problems below are warnings; the draft can be activated.' : 'No problems found.';
      $('activate').hidden = false;
    } else {
      title.textContent = '未接受 / Refused (' + r.status + ')';
      title.className = 'bad';
      $('result-detail').textContent = body.detail || body.title || 'The server refused the file.';
    }
    showReport(report);
    if (r.ok && body.kind === 'grid-set') {
      showDiff(body.draftId);
      request('GET', '/api/grid-sets/' + body.draftId + '/cells').then(function (c) {
        if (c.ok) {
          var layer = L.geoJSON(c.body, { style: { color: '#2f81f7', weight: 1, fillOpacity: 0.08 } }).addTo(drawn);
          if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
        }
      });
    }
    loadGridSets();
  }

  // --- what activating a grid set changes against the live one ---
  function showDiff(id) {
    var box = $('diff');
    box.textContent = '';
    box.hidden = true;
    return request('GET', '/api/grid-sets/' + id + '/diff').then(function (r) {
      if (!r.ok) return null;
      var d = r.body, c = d.counts;
      box.hidden = false;
      box.appendChild(el('h3', null, '与现用版本比较 / Against the live grid set' + (d.againstId ? ' #' + d.againstId : ' (none)')));
      var ul = el('ul');
      [['added', '新增 / added', d.added], ['removed', '删除 / removed', d.removed],
       ['reshaped', '形状变化 / re-shaped', d.reshaped.map(function (x) { return x.code + ' (' + Math.round(x.changedM2) + ' m²)'; })],
       ['recoded', '改编码 / re-coded', d.recoded.map(function (x) { return x.from + ' → ' + x.to; })]].forEach(function (k) {
        var li = el('li', null, k[1] + ': ' + c[k[0]] + (k[2].length ? ' — ' + k[2].slice(0, 8).join(', ') + (k[2].length > 8 ? ', …' : '') : ''));
        li.dataset.kind = k[0];
        ul.appendChild(li);
      });
      ul.appendChild(el('li', null, '不变 / unchanged: ' + c.unchanged));
      box.appendChild(ul);
      var moved = d.districts.filter(function (x) { return Math.abs(x.movedM2) >= 1 || x.cellsBefore !== x.cellsAfter; });
      if (moved.length) {
        var tbl = el('table', 'diff-districts');
        var head = el('tr');
        ['区县 / district', 'cells', 'km² before', 'km² after', 'moved km²'].forEach(function (h) { head.appendChild(el('th', null, h)); });
        tbl.appendChild(head);
        moved.forEach(function (x) {
          var tr = el('tr');
          [x.districtCode || '—', x.cellsBefore + ' → ' + x.cellsAfter, (x.areaBeforeM2 / 1e6).toFixed(2),
           (x.areaAfterM2 / 1e6).toFixed(2), (x.movedM2 / 1e6).toFixed(3)].forEach(function (v) { tr.appendChild(el('td', null, v)); });
          tbl.appendChild(tr);
        });
        box.appendChild(tbl);
      }
      if (d.vanishedRoster.length) {
        box.appendChild(el('p', 'bad', '值班表中将失效的网格 / roster rows for vanished cells: '
          + d.vanishedRoster.map(function (x) { return x.cellCode + ' (' + x.officer + ')'; }).join(', ')));
      }
      box.appendChild(el('p', null, '未结警情 / open alerts: ' + d.openAlerts.open + '; on vanished cells: '
        + d.openAlerts.onVanishedCells.length + ' (they keep their cell code and gain the new one)'));
      return d;
    });
  }

  function showReport(report) {
    var summary = $('summary');
    var counts = $('counts');
    var list = $('problems');
    summary.textContent = '';
    counts.textContent = '';
    list.textContent = '';
    if (!report) return;
    function row(k, v) {
      if (v == null || v === '') return;
      summary.appendChild(el('dt', null, k));
      summary.appendChild(el('dd', null, String(v)));
    }
    row('File', report.fileName);
    row('Layer', report.layer);
    row('Features', report.featureCount);
    row('Format', report.format);
    row('CRS', report.crs);
    row('Encoding', report.encoding);
    row('Datum', report.datum);
    var m = report.mapping || {};
    var guessed = m.guessed || [];
    function field(role, name) { return name ? name + (guessed.indexOf(role) >= 0 ? ' (guessed)' : '') : '—'; }
    row('Code field', field('code', m.codeField));
    row('Name field', field('name', m.nameField));
    row('District field', field('district', m.districtField));
    row('Town field', field('town', m.townField));
    // what could not be checked (no live districts or towns layer): said, not passed over
    (report.notes || []).forEach(function (n) { row('Note', n.message); });
    Object.keys(report.counts || {}).forEach(function (t) {
      var s = el('span', null, t + ': ' + report.counts[t]);
      s.style.borderLeft = '4px solid ' + (COLORS[t] || '#999');
      counts.appendChild(s);
    });
    // each problem type present, with its severity and what to do: the words of docs/uploads.md
    var types = $('problem-types');
    types.textContent = '';
    Object.keys(report.problemTypes || {}).forEach(function (t) {
      var d = report.problemTypes[t];
      var li = el('li', 'problem-type');
      li.dataset.type = t;
      li.appendChild(el('strong', null, t));
      li.appendChild(el('span', 'severity', ' (' + d.severity + '): '));
      li.appendChild(el('span', 'advice', d.advice));
      types.appendChild(li);
    });
    var bounds = null;
    (report.problems || []).forEach(function (p) {
      var li = el('li', p.blocking ? 'blocking' : null, '[' + p.type + '] ' + p.message);
      list.appendChild(li);
      if (!p.location) return;
      var layer = L.geoJSON({ type: 'Feature', geometry: p.location, properties: {} }, {
        style: { color: COLORS[p.type] || '#fff', weight: 2, fillOpacity: 0.4 },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: COLORS[p.type] || '#fff', weight: 2, fillOpacity: 0.6 });
        }
      }).addTo(problemsLayer);
      var popup = el('div');
      popup.appendChild(el('strong', null, p.type));
      popup.appendChild(el('div', null, p.message));
      layer.bindPopup(popup);
      var b = layer.getBounds();
      if (b.isValid()) bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      li.addEventListener('click', function () {
        if (b.isValid()) map.fitBounds(b, { maxZoom: 15 });
        layer.openPopup();
      });
    });
    if (bounds) map.fitBounds(bounds, { maxZoom: 14 });
  }

  // --- activating ---
  $('activate').addEventListener('click', function () {
    if (!draft) return;
    var what = draft.kind === 'grid-set' ? 'grid set #' + draft.draftId : draft.layer + ' draft #' + draft.draftId;
    if (!window.confirm('Activate ' + what + ' for the whole system?')) return;
    activate(draft.links.activate);
  });

  function activate(path) {
    request('POST', path).then(function (r) {
      // 202: a district's area moves beyond the tolerance; a second GIS officer approves (four eyes)
      $('activate-result').textContent = r.status === 202
        ? '待审批 / Waiting for a second GIS officer\'s approval (request #' + r.body.request.id + '): '
          + r.body.request.reason
        : r.ok ? '已启用 / Activated in ' + r.body.millis + ' ms' : 'Refused: ' + ((r.body && r.body.detail) || r.status);
      $('activate-result').className = r.ok ? 'ok' : 'bad';
      loadGridSets();
    });
  }

  // --- grid sets: rollback is activating an earlier one ---
  function loadGridSets() {
    request('GET', '/api/grid-sets').then(function (r) {
      var tbody = document.querySelector('#grid-sets tbody');
      tbody.textContent = '';
      if (!r.ok || !Array.isArray(r.body)) return;
      r.body.slice().reverse().forEach(function (g) {
        var tr = el('tr', g.status === 'active' ? 'active' : null);
        tr.appendChild(el('td', null, String(g.id)));
        tr.appendChild(el('td', null, g.name + (g.synthetic ? ' (synthetic)' : '')));
        tr.appendChild(el('td', null, g.status));
        tr.appendChild(el('td', null, String(g.cellCount)));
        var td = el('td');
        var gj = el('a', null, 'GeoJSON');
        gj.href = '/api/grid-sets/' + g.id + '/export?format=geojson';
        var gp = el('a', null, 'GPKG');
        gp.href = '/api/grid-sets/' + g.id + '/export?format=gpkg';
        td.appendChild(gj);
        td.appendChild(document.createTextNode(' '));
        td.appendChild(gp);
        if (g.status !== 'active') {
          var b = el('button', 'small', g.status === 'archived' ? 'Roll back' : 'Activate');
          b.type = 'button';
          b.addEventListener('click', function () {
            $('result').hidden = false;
            showDiff(g.id).then(function (d) {
              var what = d ? ' (' + d.counts.added + ' added, ' + d.counts.removed + ' removed, ' + d.counts.reshaped
                + ' re-shaped, ' + d.counts.recoded + ' re-coded)' : '';
              if (window.confirm('Activate grid set #' + g.id + ' for the whole system?' + what)) {
                activate('/api/grid-sets/' + g.id + '/activate');
              }
            });
          });
          td.appendChild(document.createTextNode(' '));
          td.appendChild(b);
        }
        tr.appendChild(td);
        tbody.appendChild(tr);
      });
    });
  }
  loadGridSets();

  // --- base maps: a tile package is sent as the request body itself (streamed and capped by the server) ---
  function basemapReady() {
    $('basemap-upload').disabled = !($('basemap-file').files[0] && document.querySelector('input[name="basemap-datum"]:checked'));
  }
  $('basemap-file').addEventListener('change', basemapReady);
  document.querySelectorAll('input[name="basemap-datum"]').forEach(function (r) { r.addEventListener('change', basemapReady); });
  $('basemap-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var f = $('basemap-file').files[0], datum = document.querySelector('input[name="basemap-datum"]:checked');
    if (!f || !datum) return;
    $('basemap-upload').disabled = true;
    $('basemap-result').className = '';
    $('basemap-result').textContent = '上传中 / Uploading ' + f.name + ' (' + Math.round(f.size / 1024) + ' KB)…';
    request('POST', '/api/basemaps?datum=' + encodeURIComponent(datum.value) + '&name=' + encodeURIComponent(f.name),
      f, 'application/octet-stream').then(function (r) {
      $('basemap-result').textContent = r.ok
        ? '已保存 / Stored as base map #' + r.body.id + ' (' + r.body.tileType + ', zoom ' + r.body.minzoom + '–' + r.body.maxzoom + '); activate it below'
        : '拒绝 / Refused: ' + ((r.body && r.body.detail) || r.status);
      $('basemap-result').className = r.ok ? 'ok' : 'bad';
      loadBasemaps();
    }).catch(function (err) {
      $('basemap-result').textContent = 'Upload failed: ' + err.message;
      $('basemap-result').className = 'bad';
    }).then(basemapReady);
  });

  function basemapAction(method, path, what) {
    request(method, path).then(function (r) {
      $('basemap-result').textContent = r.ok ? what : 'Refused: ' + ((r.body && r.body.detail) || r.status);
      $('basemap-result').className = r.ok ? 'ok' : 'bad';
      loadBasemaps();
    });
  }

  function loadBasemaps() {
    request('GET', '/api/basemaps').then(function (r) {
      var tbody = document.querySelector('#basemaps tbody');
      tbody.textContent = '';
      if (!r.ok || !Array.isArray(r.body)) return;
      r.body.forEach(function (b) {
        var tr = el('tr', b.active ? 'active' : null);
        tr.setAttribute('data-id', String(b.id));
        tr.appendChild(el('td', null, String(b.id)));
        tr.appendChild(el('td', null, b.name));
        tr.appendChild(el('td', null, b.format + ' ' + b.tileType));
        tr.appendChild(el('td', null, b.minzoom + '–' + b.maxzoom));
        tr.appendChild(el('td', null, b.active ? 'active' : '—'));
        var td = el('td');
        if (!b.active) {
          var on = el('button', 'small activate', 'Activate');
          on.type = 'button';
          on.addEventListener('click', function () {
            basemapAction('POST', '/api/basemaps/' + b.id + '/activate', '已启用 / Base map #' + b.id + ' is the map\'s base layer');
          });
          td.appendChild(on);
        }
        if (b.id !== 0) {
          var del = el('button', 'small delete', 'Delete');
          del.type = 'button';
          del.addEventListener('click', function () {
            if (window.confirm('Delete base map #' + b.id + ' (' + b.name + ')?')) {
              basemapAction('DELETE', '/api/basemaps/' + b.id, '已删除 / Base map #' + b.id + ' deleted');
            }
          });
          td.appendChild(document.createTextNode(' '));
          td.appendChild(del);
        }
        tr.appendChild(td);
        tbody.appendChild(tr);
      });
    });
  }
  loadBasemaps();
})();
