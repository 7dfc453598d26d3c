// English names of the reference city's places, for the map's English mode.
// Keyed by the administrative division code (GB/T 2260, the `code`/`adcode` the district layer
// carries). The English names are the Hanyu Pinyin romanisation of the official Chinese names
// (GB/T 16159-2012, the form China submits to the UN for its place names) with the level word
// translated as usual: 市 City, 区 District, 县 County. Town names of the reference city are
// generated ("<district> 片区 NNNN"): translated by pattern.
(function () {
  'use strict';
  var NAMES = {
    '441300': ['惠州市', 'Huizhou'],
    '441302': ['惠城区', 'Huicheng District'],
    '441303': ['惠阳区', 'Huiyang District'],
    '441322': ['博罗县', 'Boluo County'],
    '441323': ['惠东县', 'Huidong County'],
    '441324': ['龙门县', 'Longmen County']
  };
  var BY_NAME = {};
  Object.keys(NAMES).forEach(function (code) { BY_NAME[NAMES[code][0]] = NAMES[code][1]; });
  var SUFFIX = [['片区', 'area'], ['合成学校', 'synthetic school'], ['合成卡口', 'synthetic checkpoint'], ['网格', 'cell']];

  /** The English name of a place, by its code or its Chinese name; null when the table has none. */
  function english(code, name) {
    if (code != null && NAMES[String(code)]) return NAMES[String(code)][1];
    if (name == null) return null;
    if (BY_NAME[name]) return BY_NAME[name];
    var out = String(name), hit = false;
    Object.keys(BY_NAME).forEach(function (zh) { if (out.indexOf(zh) >= 0) { out = out.split(zh).join(BY_NAME[zh]); hit = true; } });
    SUFFIX.forEach(function (s) { if (out.indexOf(s[0]) >= 0) { out = out.split(s[0]).join(s[1]); hit = true; } });
    return hit && !/[\u3400-\u9fff]/.test(out) ? out : null;
  }
  window.SafeGridPlaceNames = { NAMES: NAMES, english: english };
})();
