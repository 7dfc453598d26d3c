// SafeGrid map texts in Chinese (zh-CN) and English. Place names go through place(): English from
// the name table (js/placenames.js) in English mode, as stored otherwise.
(function () {
  'use strict';
  var DICT = {
    'title': ['惠州市 实时地图', 'Huizhou live map'],
    'signout': ['退出', 'Sign out'],
    'upload': ['上传图层', 'Upload layers'],
    'lang': ['English', '中文'],
    'wall': ['大屏', 'Wall screen'],
    'layers': ['图层', 'Layers'],
    'legend': ['图例', 'Legend'],
    'layer.basemap': ['底图', 'Base map'],
    'layer.land': ['陆地', 'Land'],
    'layer.districts': ['区县', 'Districts'],
    'layer.grid': ['管理网格（风险）', 'Management grid (risk)'],
    'layer.hotspots': ['热点区域', 'Hotspots'],
    'layer.heat': ['热力（核密度）', 'Heat (kernel density)'],
    'layer.emerging': ['新兴热点网格', 'Emerging hotspots'],
    'ehsa.new_hotspot': ['新热点', 'new hot spot'], 'ehsa.consecutive_hotspot': ['连续热点', 'consecutive hot spot'],
    'ehsa.intensifying_hotspot': ['加剧热点', 'intensifying hot spot'], 'ehsa.persistent_hotspot': ['持续热点', 'persistent hot spot'],
    'ehsa.diminishing_hotspot': ['减弱热点', 'diminishing hot spot'], 'ehsa.sporadic_hotspot': ['零星热点', 'sporadic hot spot'],
    'ehsa.oscillating_hotspot': ['振荡热点', 'oscillating hot spot'], 'ehsa.historical_hotspot': ['历史热点', 'historical hot spot'],
    'ehsa.new_coldspot': ['新冷点', 'new cold spot'], 'ehsa.consecutive_coldspot': ['连续冷点', 'consecutive cold spot'],
    'ehsa.intensifying_coldspot': ['加剧冷点', 'intensifying cold spot'], 'ehsa.persistent_coldspot': ['持续冷点', 'persistent cold spot'],
    'ehsa.diminishing_coldspot': ['减弱冷点', 'diminishing cold spot'], 'ehsa.sporadic_coldspot': ['零星冷点', 'sporadic cold spot'],
    'ehsa.oscillating_coldspot': ['振荡冷点', 'oscillating cold spot'], 'ehsa.historical_coldspot': ['历史冷点', 'historical cold spot'],
    'ehsa.no_pattern': ['无模式', 'no pattern'], 'ehsa.no_neighbours': ['无邻居', 'no neighbours'],
    'layer.events': ['实时事件', 'Live events'],
    'layer.reported_incidents': ['警情 (24 小时)', 'Reported incidents (24 h)'],
    'incident.kinds': ['类别', 'Kind'], 'incident.channels': ['渠道', 'Channel'],
    'incident.violent': ['暴力', 'violent'], 'incident.property': ['侵财', 'property'],
    'incident.disorder': ['治安', 'disorder'], 'incident.traffic': ['交通', 'traffic'],
    'incident.dispute': ['纠纷', 'dispute'], 'incident.fraud': ['诈骗', 'fraud'], 'incident.other': ['其他', 'other'],
    'layer.patrol': ['巡逻单元', 'Patrol units'],
    'layer.campuses': ['校园', 'Campuses'],
    'layer.coastline': ['海岸线', 'Coastline'],
    'layer.coastal_zone': ['海岸带', 'Coastal zone'],
    'layer.coast_segments': ['海岸 1 公里分段风险', 'Coast 1 km segment risk'],
    'layer.checkpoints': ['卡口', 'Checkpoints'],
    'layer.cameras': ['摄像头', 'Cameras'],
    'layer.feed_health': ['静默设备', 'Silent feeds'],
    'not.available': ['暂不可用', 'not available'],
    'risk.low': ['低', 'low'], 'risk.elevated': ['较高', 'elevated'], 'risk.high': ['高', 'high'], 'risk.critical': ['极高', 'critical'],
    'risk.none': ['无风险数据', 'no risk data'],
    'risk.normalised': ['按暴露归一化', 'Exposure-normalised'],
    'risk.uncertainty': ['显示不确定性（斜线）', 'Show uncertainty (hatching)'],
    'risk.uncertain': ['不确定性高', 'wide interval'],
    'hot': ['热点', 'hot'], 'cold': ['冷点', 'cold'],
    'source.camera': ['摄像头', 'camera'], 'source.checkpoint': ['卡口', 'checkpoint'], 'source.patrol': ['巡逻', 'patrol'], 'source.incident': ['警情', 'incident'],
    'severity': ['严重度（大小）', 'severity (size)'],
    'fading': ['颜色随时间变淡', 'fades with age'],
    'patrol.trail': ['轨迹', 'trail'],
    'status.on_duty': ['执勤', 'on duty'], 'status.responding': ['出警', 'responding'], 'status.idle': ['待命', 'idle'], 'status.off_duty': ['收队', 'off duty'],
    'silent': ['静默', 'silent'],
    'live': ['实时', 'LIVE'],
    'replay': ['回放', 'Replay'],
    'play': ['播放', 'Play'], 'pause': ['暂停', 'Pause'],
    'speed': ['速度', 'Speed'],
    'stream.connecting': ['连接中', 'connecting'], 'stream.live': ['实时', 'live'], 'stream.reconnecting': ['重连中', 'reconnecting'], 'stream.off': ['未连接', 'off'],
    'events.per.s': ['事件/秒', 'events/s'],
    'newest': ['最新事件', 'newest event'],
    'grid.set': ['网格集', 'Grid set'],
    'panel.hotspots': ['热点列表', 'Hotspots'],
    'hs.events': ['{e} 起事件', '{e} events'],
    'hs.trend.up': ['↑ 上升', '↑ rising'], 'hs.trend.down': ['↓ 下降', '↓ falling'], 'hs.trend.flat': ['→ 持平', '→ steady'],
    'hs.trend.before': ['（前一时段 {b} 起）', '(previous window: {b})'],
    'hs.cells.halo': ['{w} 个网格有事件 · {h} 个光晕网格无事件', '{w} cells with events · {h} halo cells without'],
    'hs.cells.nohalo': ['全部 {n} 个网格均有事件', 'events in all {n} cells'],
    'hs.cells': ['{n} 个网格', '{n} cells'],
    'hs.patrol.last': ['最近巡逻 {t}', 'last patrol {t}'],
    'hs.patrol.none': ['7 天内无巡逻经过', 'no patrol in 7 days'],
    'hs.halo.tip': ['热点按“网格及其相邻网格”的事件合计判断。周边网格（光晕）本身没有事件，但紧挨着事件集中的网格，所以一并划入：巡逻时可作为热点的外围范围。', 'A hotspot is judged on each cell together with the cells around it. Halo cells had no events of their own; they are in the hotspot because the cells next to them did. Treat them as the edge of the area to patrol.'],
    'panel.emerging': ['新兴热点', 'Emerging'],
    'panel.alerts': ['告警', 'Alerts'],
    'panel.incidents': ['警情', 'Incidents'],
    'open.incidents': ['未处理警情', 'Open incidents'],
    'dismiss': ['排除误报', 'Dismiss'],
    'reason.needed': ['填写原因后按回车', 'type the reason, then Enter'],
    'mute': ['静音', 'Mute'],
    'alerts.n': ['条告警', 'alerts'], 'suppressed.n': ['条已抑制', 'suppressed'],
    'severity.low': ['低', 'low'], 'severity.medium': ['中', 'medium'], 'severity.high': ['高', 'high'], 'severity.critical': ['紧急', 'critical'],
    'incident.status.open': ['待处理', 'open'], 'incident.status.acknowledged': ['已确认', 'acknowledged'],
    'incident.status.resolved': ['已处置', 'resolved'], 'incident.status.dismissed': ['已排除', 'dismissed'],
    'assigned': ['责任人', 'assigned'],
    'level.grid': ['网格', 'grid desk'], 'level.town': ['镇街', 'town desk'], 'level.district': ['区县值班台', 'district duty desk'],
    'incident.keys': ['j/k 选择 · a 确认 · r 处置 · d 排除误报 · Enter 定位 · m 静音', 'j/k select · a acknowledge · r resolve · d dismiss · Enter zoom · m mute'],
    'filter.window': ['时段', 'Window'], 'filter.kind': ['类型', 'Kind'], 'filter.district': ['区县', 'District'], 'filter.confidence': ['置信度', 'Confidence'],
    'all': ['全部', 'all'],
    'export.geojson': ['导出 GeoJSON', 'Export GeoJSON'], 'export.csv': ['导出 CSV', 'Export CSV'],
    'ack': ['确认', 'Acknowledge'], 'resolve': ['处置完毕', 'Resolve'],
    'sound': ['声音提示', 'Sound'],
    'open.alerts': ['未处理告警', 'Open alerts'],
    'tonight': ['今晚事件', 'Events tonight'],
    'history.24h': ['近 24 小时事件（每小时）', 'Events, last 24 h (hourly)'],
    'breakdown': ['风险构成', 'Risk breakdown'],
    'score': ['风险值', 'score'], 'percentile': ['百分位', 'percentile'], 'interval': ['区间', 'interval'], 'level': ['等级', 'level'],
    'cell': ['网格', 'Cell'],
    'none': ['无', 'none'],
    'load.failed': ['加载失败', 'Load failed'],
    'synthetic.note': ['合成数据（固定种子生成的替代数据）：', 'Synthetic (generated stand-ins where no open data exists): '],
    'synthetic.suffix': ['（合成）', ' (synthetic)'],
    'from.zoom': ['缩放级别 ≥', 'from zoom'],
    'clustered.below': ['缩放级别较低时按网格计数，点击数字放大；图标显示自缩放级别', 'counted per cell at low zoom (click a number to zoom in); icons from zoom'],
    'exit.wall': ['退出大屏', 'Exit wall screen'],
    'briefing': ['简报', 'Briefing'],
    'briefing.title': ['警情简报', 'Briefing'],
    'briefing.back': ['返回地图', 'Back to the map'],
    'briefing.from': ['起', 'From'], 'briefing.to': ['止（不含）', 'To (not included)'],
    'briefing.city': ['全市', 'Whole city'],
    'briefing.apply': ['生成', 'Show'], 'briefing.print': ['打印', 'Print'],
    'briefing.period': ['{f} 至 {t}（上一时段 {pf} 至 {pt}）', '{f} to {t} (previous period {pf} to {pt})'],
    'briefing.reports': ['警情', 'Reported incidents'],
    'briefing.hotspotCount': ['热点', 'Hotspots'],
    'briefing.alertCount': ['告警事件', 'Alert incidents'],
    'briefing.coverageShare': ['热点巡逻覆盖', 'Hotspot patrol coverage'],
    'briefing.previous': ['上一时段', 'previous period'],
    'briefing.top': ['重点热点', 'Top hotspots'],
    'briefing.byKind': ['警情分类', 'Reported incidents by kind'],
    'briefing.byChannel': ['警情渠道', 'Reported incidents by channel'],
    'briefing.alertIncidents': ['告警事件（值班处置）', 'Alert incidents (worked by the duty officer)'],
    'briefing.feedHealth': ['数据源健康', 'Feed health'],
    'briefing.coverage': ['巡逻覆盖', 'Patrol coverage'],
    'briefing.method': ['口径说明', 'How the figures are made'],
    'briefing.col.rank': ['排名', 'Rank'], 'briefing.col.cell': ['核心网格', 'Peak cell'],
    'briefing.col.district': ['区县', 'District'], 'briefing.col.class': ['置信度', 'Confidence'],
    'briefing.col.cells': ['网格（有事件/光晕）', 'Cells (with events / halo)'],
    'briefing.col.events': ['本期事件', 'Events'], 'briefing.col.before': ['上期事件', 'Previous'],
    'briefing.col.trend': ['趋势', 'Trend'], 'briefing.col.patrol': ['最近巡逻', 'Last patrol'],
    'briefing.col.kind': ['类别', 'Kind'], 'briefing.col.channel': ['渠道', 'Channel'],
    'briefing.col.count': ['本期', 'This period'], 'briefing.col.change': ['变化', 'Change'],
    'briefing.col.source': ['数据源', 'Source'], 'briefing.col.sources': ['设备/单元', 'Devices / units'],
    'briefing.col.gaps': ['中断次数', 'Gaps'], 'briefing.col.gapHours': ['中断时长（小时）', 'Gap hours'],
    'briefing.col.longest': ['最长中断（小时）', 'Longest gap (h)'], 'briefing.col.uptime': ['在线率', 'Uptime'],
    'briefing.total': ['合计', 'Total'],
    'briefing.centroid': ['其中 {n} 起仅定位到区县中心点，不计入任何网格或热点。', '{n} of them were located only to a district centroid and count in no cell or hotspot.'],
    'briefing.channel.110': ['110 报警', '110 police calls'], 'briefing.channel.12345': ['12345 热线', '12345 hotline'],
    'briefing.channel.grid': ['网格员上报', 'grid officers'],
    'briefing.source.camera': ['摄像头', 'Cameras'], 'briefing.source.checkpoint': ['卡口', 'Checkpoints'], 'briefing.source.patrol': ['巡逻单元', 'Patrol units'],
    'briefing.ai.total': ['开启数', 'Opened'], 'briefing.ai.ack': ['已确认', 'Acknowledged'], 'briefing.ai.closed': ['已关闭', 'Closed'],
    'briefing.ai.medianAck': ['确认用时中位数', 'Median time to acknowledge'],
    'briefing.ai.medianClose': ['关闭用时中位数', 'Median time to close'],
    'briefing.ai.rule': ['规则', 'Rule'], 'briefing.ai.severity': ['级别', 'Severity'],
    'briefing.coverage.text': ['本期 {n} 个热点网格中，{v} 个有巡逻经过（{s}）。', '{v} of the period\'s {n} hotspot cells were visited by a patrol ({s}).'],
    'briefing.coverage.none': ['本期无热点网格。', 'No hotspot cells in this period.'],
    'briefing.none': ['无', 'none'],
    'briefing.noHotspots': ['本期无显著热点。', 'No significant hotspots in this period.'],
    'briefing.legend.hotspot': ['热点（编号为排名）', 'Hotspot (numbered by rank)'],
    'briefing.legend.centroid': ['仅定位到区县中心', 'located to a district centroid only'],
    'briefing.truncated': ['地图仅绘制前 {n} 起警情', 'the map draws the first {n} reported incidents'],
    'briefing.failed': ['简报生成失败', 'The briefing failed'],
    'briefing.m.incidents': ['警情按发生时间统计，分类与渠道均与上一时段对比；仅定位到区县中心点的警情计入本表，不计入任何网格或热点。', 'Reported incidents (110 calls, 12345 complaints, grid officers\' reports) by event time, by kind and channel against the previous period; those located only to a district centroid count here but in no cell or hotspot.'],
    'briefing.m.hotspots': ['热点：对本期各网格事件数做 Gi* 分析（置信度 90%）；趋势为热点范围内本期与上一等长时段的事件数对比（不含巡逻定位点），变化至少 3 起且达四分之一才记为上升或下降。', 'Hotspots: Gi* on the period\'s event counts per cell (90 %); the trend compares the events inside the hotspot with the previous period of equal length (patrol position pings left out): up or down at a change of at least 3 events and a quarter.'],
    'briefing.m.alerts': ['告警事件：本期开启的值班处置事件（一组告警），不同于警情；用时为开启至确认、开启至关闭的中位数。', 'Alert incidents: the duty officer\'s incidents (groups of alerts) opened in the period, not reported incidents; times are medians from opening to acknowledgement and to closing.'],
    'briefing.m.feeds': ['数据源健康：中断即本期的静默告警，自最后一次收到数据至告警关闭；在线率 = 1 − 中断时长 ÷（设备数 × 本期已过时长）。', 'Feed health: a gap is a silence alert of the period, from the source\'s last message to the alert\'s close; uptime = 1 − gap time ÷ (sources × the period so far).'],
    'briefing.m.coverage': ['巡逻覆盖：本期热点网格中，本期有巡逻定位点落在覆盖距离内的网格所占比例。', 'Patrol coverage: the share of the period\'s hotspot cells with a patrol position ping of the period within the cover distance.']
  };
  var stored = null;
  try { stored = window.localStorage.getItem('safegrid.lang'); } catch (e) { /* private mode */ }
  var lang = stored === 'en' ? 'en' : 'zh';

  function t(key) {
    var d = DICT[key];
    if (!d) return key;
    return lang === 'en' ? d[1] : d[0];
  }

  /** Sets the text of every element with data-i18n. */
  function apply(root) {
    (root || document).querySelectorAll('[data-i18n]').forEach(function (e) { e.textContent = t(e.getAttribute('data-i18n')); });
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  }

  /** A place's name in the current language: the table's English name in English mode, else as given. */
  function place(code, name) {
    if (lang !== 'en' || !window.SafeGridPlaceNames) return name;
    return window.SafeGridPlaceNames.english(code, name) || name;
  }

  var listeners = [];
  window.SafeGridI18n = {
    t: t,
    place: place,
    apply: apply,
    lang: function () { return lang; },
    setLang: function (l) {
      lang = l === 'en' ? 'en' : 'zh';
      try { window.localStorage.setItem('safegrid.lang', lang); } catch (e) { /* ignore */ }
      apply();
      listeners.forEach(function (f) { f(lang); });
    },
    onChange: function (f) { listeners.push(f); }
  };
})();
