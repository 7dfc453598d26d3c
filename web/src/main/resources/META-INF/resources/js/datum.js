// Datum shift for base maps in GCJ-02 (most Chinese commercial maps): WGS84 -> GCJ-02, the published
// closed-form approximation (accurate to about a metre). CGCS2000 base maps need no shift.
(function () {
  'use strict';
  var A = 6378245.0, EE = 0.00669342162296594323;
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function tLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }
  function outOfChina(lon, lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  /** [lon, lat] WGS84 -> [lon, lat] GCJ-02. */
  function wgs84ToGcj02(lon, lat) {
    if (outOfChina(lon, lat)) return [lon, lat];
    var dLat = tLat(lon - 105.0, lat - 35.0), dLon = tLon(lon - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * Math.PI, magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    dLon = (dLon * 180.0) / (A / sq * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  var shift = false;
  window.SafeGridDatum = {
    wgs84ToGcj02: wgs84ToGcj02,
    /** Whether overlays are shifted (the base map is GCJ-02). */
    setShift: function (on) { shift = !!on; },
    shifted: function () { return shift; },
    /** WGS84 lon/lat -> Leaflet LatLng on the base map's datum. */
    latLng: function (lat, lon) {
      if (!shift) return L.latLng(lat, lon);
      var p = wgs84ToGcj02(lon, lat);
      return L.latLng(p[1], p[0]);
    },
    /** A GeoJSON coordsToLatLng option for L.geoJSON. */
    coordsToLatLng: function (c) {
      if (!shift) return L.latLng(c[1], c[0]);
      var p = wgs84ToGcj02(c[0], c[1]);
      return L.latLng(p[1], p[0]);
    }
  };
})();
