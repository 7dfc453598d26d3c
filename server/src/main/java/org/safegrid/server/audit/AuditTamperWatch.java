package org.safegrid.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LoopLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes refused tamper attempts on {@code audit_event} to the trail as {@code audit.tamper} rows.
 *
 * <p>The append-only trigger refuses UPDATE, DELETE and TRUNCATE by raising an error, which rolls
 * back the attempt's transaction; a row written there would vanish with it, and PostgreSQL has no
 * autonomous transactions. So the trigger counts each refusal in a sequence (increments survive a
 * rollback) and this watch, every {@code safegrid.audit.tamper-check-interval}, records the counts
 * that are not yet in the trail: one row per check with new refusals, outcome {@code denied}, the
 * new counts by statement kind and the running totals. The attempt's database role and statement
 * are in the PostgreSQL log (the refused statement is logged as an ERROR), not in the row. Runs
 * under an advisory lock, so several servers on one database record each refusal once. Thread-safe.
 */
@Component
public class AuditTamperWatch extends LoopLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AuditTamperWatch.class);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final AuditLog audit;
  private final ObjectMapper json;
  private final AuditProperties properties;

  public AuditTamperWatch(JdbcClient jdbc, TransactionTemplate tx, AuditLog audit, ObjectMapper json,
      AuditProperties properties) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.audit = audit;
    this.json = json;
    this.properties = properties;
  }

  @Override
  protected BackgroundLoop createLoop() {
    return BackgroundLoop.named("audit-tamper-watch").leaderOnly(leaderGate()).every(properties.tamperCheckInterval())
        .firstAfter(Duration.ofSeconds(5)).run(this::recordNewRefusals);
  }


  /** Records the refusals counted since the last record; returns how many were new (0: no row written). */
  public long recordNewRefusals() {
    Long n = tx.execute(s -> {
      jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('safegrid-audit-tamper-watch'))").query().singleRow();
      long[] totals = jdbc.sql("SELECT updates, deletes, truncates FROM safegrid_audit_refusals()")
          .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
      long[] reported = jdbc.sql("SELECT detail::text FROM audit_event WHERE action = 'audit.tamper' "
              + "ORDER BY id DESC LIMIT 1")
          .query(String.class).optional().map(this::totalsOf).orElse(new long[3]);
      long[] fresh = new long[3];
      long sum = 0;
      for (int i = 0; i < 3; i++) {
        // a restored or recreated database can count from a lower value: then everything counted is new
        fresh[i] = totals[i] >= reported[i] ? totals[i] - reported[i] : totals[i];
        sum += fresh[i];
      }
      if (sum == 0) {
        return 0L;
      }
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("updates", fresh[0]);
      detail.put("deletes", fresh[1]);
      detail.put("truncates", fresh[2]);
      detail.put("totals", Map.of("updates", totals[0], "deletes", totals[1], "truncates", totals[2]));
      detail.put("note", "refused by the append-only trigger; role and statement are in the PostgreSQL log");
      audit.recordFrom(null, null, "audit.tamper", "audit_event", null, Outcome.DENIED, detail);
      return sum;
    });
    if (n != null && n > 0) {
      log.warn("{} attempt(s) to change or delete audit rows were refused and recorded as audit.tamper", n);
    }
    return n == null ? 0 : n;
  }

  private long[] totalsOf(String detail) {
    try {
      JsonNode t = json.readTree(detail).path("totals");
      return new long[] {t.path("updates").asLong(), t.path("deletes").asLong(), t.path("truncates").asLong()};
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable audit.tamper row", e);
    }
  }
}
