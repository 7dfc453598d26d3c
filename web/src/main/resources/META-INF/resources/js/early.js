// The map's first requests, sent from the document's head: the configuration, who is signed in, the
// base map and the city outline (land, districts, coastline) are asked for while the stylesheets and
// the half megabyte of scripts below are still loading and compiling, instead of after them.
// js/map.js and js/basemap.js take each answer over once (SafeGridEarly.take) and handle it as they
// handle their own requests (sign-in, retries, errors).
(function () {
  'use strict';
  var pending = {};
  var HEADERS = { 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json' };
  ['/api/map-config', '/api/me', '/api/basemaps', '/api/overlays/land', '/api/overlays/districts', '/api/overlays/coastline']
    .forEach(function (path) {
      pending[path] = fetch(path, { credentials: 'same-origin', headers: HEADERS });
      pending[path].catch(function () { /* reported by the request that takes it over */ });
    });
  window.SafeGridEarly = {
    /** The response promise of a request started here (once), or null: then the caller fetches it. */
    take: function (path) {
      var p = pending[path] || null;
      delete pending[path];
      return p;
    }
  };
})();
