package org.safegrid.server.event;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.safegrid.ingest.event.Source;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Answers {@code GET /api/stats} from the small counter tables the workers keep in their write
 * transactions ({@code event_count}, {@code ingest_refusal_count}): never a count over the event
 * table. Consumer lag comes from the in-process workers' meters when they run here.
 */
@Service
class IngestStatsService {

  /**
   * The ingest figures.
   *
   * @param since              the lower bound asked for, or null
   * @param sources            per source: {@code total} and (with since) {@code since}
   * @param total              all events stored
   * @param refusals           dead-lettered messages per reason code (with since: since then)
   * @param refusalsTotal      all dead-lettered messages (with since: since then)
   * @param newestEventAt      observedAt of the newest stored event, or null
   * @param ingestLagSeconds   seconds between now and newestEventAt, or null
   * @param consumerLag        messages waiting in Kafka for this server's workers, or null when they
   *                           do not run in-process
   * @param duplicatesSuppressed duplicates this server's workers skipped since start, or null
   */
  record Stats(Instant since, Map<String, Map<String, Long>> sources, long total, Map<String, Long> refusals,
               long refusalsTotal, Instant newestEventAt, Double ingestLagSeconds, Long consumerLag,
               Long duplicatesSuppressed) {
  }

  private final JdbcTemplate jdbc;
  private final ObjectProvider<InProcessIngest> ingest;

  IngestStatsService(JdbcTemplate jdbc, ObjectProvider<InProcessIngest> ingest) {
    this.jdbc = jdbc;
    this.ingest = ingest;
  }

  /** The figures for a city-wide caller. */
  Stats stats(Instant since) {
    return stats(since, false);
  }

  /**
   * The figures; {@code scoped} (a district-scoped caller) leaves out newestEventAt and the lag
   * derived from it, the only figures that describe a single event (which may lie in another district).
   */
  Stats stats(Instant since, boolean scoped) {
    Map<String, Map<String, Long>> sources = new LinkedHashMap<>();
    for (Source s : Source.values()) {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("total", 0L);
      if (since != null) {
        m.put("since", 0L);
      }
      sources.put(s.wireName(), m);
    }
    Timestamp sinceTs = Timestamp.from(since == null ? Instant.parse("1970-01-01T00:00:00Z") : since);
    // minute buckets: "since" counts whole minutes from the one that contains it
    jdbc.query("SELECT source, sum(events), sum(events) FILTER (WHERE minute >= date_trunc('minute', ?::timestamptz)) "
        + "FROM event_count GROUP BY source", rs -> {
          Map<String, Long> m = sources.get(rs.getString(1));
          if (m != null) {
            m.put("total", rs.getLong(2));
            if (since != null) {
              m.put("since", rs.getLong(3));
            }
          }
        }, sinceTs);
    long total = sources.values().stream().mapToLong(m -> m.get("total")).sum();
    Map<String, Long> refusals = new LinkedHashMap<>();
    jdbc.query("SELECT reason, sum(messages) FROM ingest_refusal_count WHERE minute >= date_trunc('minute', ?::timestamptz) "
        + "GROUP BY reason ORDER BY reason", rs -> {
          refusals.put(rs.getString(1), rs.getLong(2));
        }, sinceTs);
    Timestamp newest = jdbc.queryForObject("SELECT max(newest_observed_at) FROM event_count", Timestamp.class);
    Instant newestAt = newest == null || scoped ? null : newest.toInstant();
    Double lag = newestAt == null ? null
        : Math.max(0, (System.currentTimeMillis() - newestAt.toEpochMilli()) / 1000.0);
    Optional<InProcessIngest> in = Optional.ofNullable(ingest.getIfAvailable());
    return new Stats(since, sources, total, refusals, refusals.values().stream().mapToLong(Long::longValue).sum(),
        newestAt, lag, in.map(i -> i.metrics().lag()).orElse(null),
        in.map(i -> (long) i.metrics().duplicatesTotal()).orElse(null));
  }
}
