package org.safegrid.server.briefing;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.alert.AlertProperties;
import org.safegrid.server.alert.AlertRule;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Feed health over a past period, read from what feed health left behind: the silence alerts (one
 * per silence of a camera, checkpoint or patrol unit, raised when feed health found it silent past its
 * expected interval and resolved when it was heard again) and the sources it knows ({@code feed_source}).
 *
 * <p>A gap runs from the source's last-seen time (the alert's {@code detail.lastSeenAt}) to the
 * alert's close (or to the end of the period, or now, while it is open), clipped to the period. The
 * uptime share of a source type is 1 − (gap seconds ÷ (sources × observed seconds)), where the observed
 * seconds end now for a period that has not ended. A silence seen while no silence rule was active
 * (its schedule, or the alert engine switched off) left no alert and is not counted.
 */
@Component
class FeedGaps {

  /** Feed health of one source type over the period. */
  record SourceHealth(String source, long sources, long gaps, double gapHours, double longestGapHours,
                      Double uptimeShare) {}

  private static final String GAP_START = "coalesce((a.detail->>'lastSeenAt')::timestamptz, a.observed_at)";
  private static final String GAP_END = "coalesce(a.closed_at, :end)";

  private final JdbcClient jdbc;
  private final AlertProperties alerts;

  FeedGaps(JdbcClient jdbc, AlertProperties alerts) {
    this.jdbc = jdbc;
    this.alerts = alerts;
  }

  /** Per source type with a silence rule, in rule order. */
  List<SourceHealth> summarize(BriefingPeriod period, DataScope scope, Instant now) {
    Map<String, List<String>> rulesBySource = new LinkedHashMap<>();
    for (AlertRule r : alerts.rules()) {
      if (r.type() == AlertRule.Type.SILENCE) {
        rulesBySource.computeIfAbsent(r.match().source(), s -> new ArrayList<>()).add(r.id());
      }
    }
    Instant end = period.to().isBefore(now) ? period.to() : now;
    double observedSeconds = Math.max(0, Duration.between(period.from(), end).toSeconds());
    List<SourceHealth> out = new ArrayList<>();
    rulesBySource.forEach((source, rules) -> {
      Map<String, Object> p = new HashMap<>();
      p.put("source", source);
      p.put("rules", rules.toArray(String[]::new));
      p.put("from", Timestamp.from(period.from()));
      p.put("end", Timestamp.from(end));
      String inScope = "";
      if (!scope.isCity()) {
        p.put("district", scope.districtCodeOrNull());
        inScope = " AND " + ScopeFilter.inDistrictSql("a.geom", "district");
      }
      long sources = jdbc.sql("SELECT count(*) FROM feed_source a WHERE a.source = :source" + inScope).params(p)
          .query(Long.class).single();
      String clipped = "extract(epoch FROM least(" + GAP_END + ", :end) - greatest(" + GAP_START + ", :from))";
      SourceHealth h = jdbc.sql("SELECT count(*), coalesce(sum(" + clipped + "), 0), coalesce(max(" + clipped + "), 0) "
              + "FROM alert a WHERE a.rule_id = ANY(:rules) AND " + GAP_START + " < :end AND " + GAP_END + " > :from"
              + inScope).params(p)
          .query((rs, n) -> {
            double gapSeconds = rs.getDouble(2);
            Double uptime = sources == 0 || observedSeconds == 0 ? null
                : Math.max(0, 1 - gapSeconds / (sources * observedSeconds));
            return new SourceHealth(source, sources, rs.getLong(1), gapSeconds / 3600, rs.getDouble(3) / 3600, uptime);
          }).single();
      out.add(h);
    });
    return out;
  }
}
