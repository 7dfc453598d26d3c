package org.safegrid.server.audit;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LoopLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Forwards each new audit row, with its chain position and hashes, to a syslog collector as an RFC 5424
 * message ({@code safegrid.audit.syslog.*}; off by default), so a copy of the trail and of its chain's
 * head lives off the database host: a rewrite of the chain in the database no longer agrees with it.
 *
 * <p>Rows are sent in chain order, each once per run; the message text is the row's canonical text
 * (what its hash covers), so the collector can recompute the chain. Starts at the newest row when the
 * server starts (the server writes the trail, so rows written while it is down are only those of its
 * last moments before a crash). Follows the newest two days' chains, which covers a row written just
 * before midnight that commits after one written just after. A collector that cannot be reached
 * stops the forwarding where it is; the loop retries with backoff and resumes from the first unsent
 * row. With several servers, enable it on one. Runs on its loop's thread only.
 */
@Component
public class AuditSyslogForwarder extends LoopLifecycle {

  private static final int BATCH = 500;

  private final JdbcClient jdbc;
  private final AuditSyslogProperties properties;
  private SyslogSender sender;
  /** The last chain position sent, per day; null until the first step. */
  private TreeMap<LocalDate, Long> sent;
  private long forwarded;

  public AuditSyslogForwarder(JdbcClient jdbc, AuditSyslogProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  @Override
  protected BackgroundLoop createLoop() {
    if (!properties.enabled()) {
      return null;
    }
    return BackgroundLoop.named("audit-syslog").leaderOnly(leaderGate()).every(properties.interval()).firstAfter(Duration.ZERO)
        .backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)).step(this::forwardNew);
  }

  @Override
  public synchronized void stop() {
    super.stop();
    if (sender != null) {
      sender.close();
      sender = null;
    }
  }

  /** Rows sent since start. */
  public long forwarded() {
    return forwarded;
  }

  /** Sends the rows appended since the last step (at most one batch); true when more are waiting. */
  public boolean forwardNew() throws IOException {
    if (sender == null) {
      sender = new SyslogSender(properties.host(), properties.port(), properties.protocol());
    }
    if (sent == null) {
      sent = new TreeMap<>();
      jdbc.sql("SELECT chain_day, max(chain_seq) FROM audit_event "
              + "WHERE chain_day >= (SELECT max(chain_day) FROM audit_event) - 1 GROUP BY chain_day")
          .query((rs, i) -> sent.put(rs.getObject(1, LocalDate.class), rs.getLong(2))).list();
    }
    List<Map<String, Object>> rows = newRows();
    for (Map<String, Object> r : rows) {
      LocalDate day = ((java.sql.Date) r.get("chain_day")).toLocalDate();
      long seq = ((Number) r.get("chain_seq")).longValue();
      Map<String, String> params = new LinkedHashMap<>();
      params.put("id", r.get("id").toString());
      params.put("day", day.toString());
      params.put("seq", Long.toString(seq));
      params.put("hash", AuditChainVerifier.hex((byte[]) r.get("row_hash")));
      params.put("prev", AuditChainVerifier.hex((byte[]) r.get("prev_hash")));
      params.put("action", (String) r.get("action"));
      params.put("outcome", (String) r.get("outcome"));
      // notice for what succeeded, warning for a failure or a refusal
      int severity = "success".equals(r.get("outcome")) ? 5 : 4;
      sender.send(sender.format(properties.facility(), severity, ((Timestamp) r.get("at")).toInstant(), "audit",
          params, (String) r.get("canonical")));
      sent.put(day, seq);
      forwarded++;
    }
    while (sent.size() > 2) {
      sent.pollFirstEntry();
    }
    return rows.size() == BATCH;
  }

  private List<Map<String, Object>> newRows() {
    StringBuilder where = new StringBuilder();
    List<Object> params = new ArrayList<>();
    for (Map.Entry<LocalDate, Long> e : sent.entrySet()) {
      where.append("(chain_day = ? AND chain_seq > ?) OR ");
      params.add(e.getKey());
      params.add(e.getValue());
    }
    if (sent.isEmpty()) {
      where.append("chain_day >= (now() AT TIME ZONE 'UTC')::date - 1");
    } else {
      where.append("chain_day > ?");
      params.add(sent.lastKey());
    }
    params.add(BATCH);
    return jdbc.sql("SELECT id, at, chain_day, chain_seq, prev_hash, row_hash, action, outcome, "
            + "safegrid_audit_canonical(a) AS canonical FROM audit_event a WHERE " + where
            + " ORDER BY chain_day, chain_seq LIMIT ?")
        .params(params).query().listOfRows();
  }
}
