package org.safegrid.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads the audit trail for auditors; every read is itself audited in the same transaction. */
@Service
public class AuditQueryService {

  /** Most rows one page may hold. */
  public static final int MAX_PAGE_SIZE = 1000;
  /** Most rows one CSV export writes; narrow the time range for more. */
  public static final int MAX_EXPORT_ROWS = 100_000;

  /**
   * Which audit rows to return; every field is optional.
   *
   * @param from   earliest time, inclusive
   * @param to     latest time, exclusive
   * @param user   exact user name
   * @param action exact action, or a prefix ending in {@code .} or {@code *} (e.g. {@code user.})
   */
  public record Filter(OffsetDateTime from, OffsetDateTime to, String user, String action) {
    Map<String, Object> asDetail() {
      Map<String, Object> m = new LinkedHashMap<>();
      if (from != null) {
        m.put("from", from.toInstant().toString());
      }
      if (to != null) {
        m.put("to", to.toInstant().toString());
      }
      if (user != null) {
        m.put("user", user);
      }
      if (action != null) {
        m.put("action", action);
      }
      return m;
    }
  }

  /** One audit row as the API shows it; {@code at} is UTC. */
  public record Entry(long id, Instant at, String username, String sourceIp, String action, String objectType,
                      String objectId, String outcome, JsonNode detail) {
  }

  /** A page of rows, newest first. */
  public record Page(List<Entry> items, int page, int size, long total) {
  }

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final ObjectMapper json;
  private final StatementTimeouts timeouts;

  public AuditQueryService(JdbcClient jdbc, AuditLog audit, ObjectMapper json, StatementTimeouts timeouts) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.json = json;
    this.timeouts = timeouts;
  }

  /** A page of matching rows, newest first; records an {@code audit.read}. */
  @Transactional
  public Page search(Filter filter, int page, int size) {
    if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("page must be >= 0 and size between 1 and " + MAX_PAGE_SIZE);
    }
    timeouts.apply(QueryClass.INTERACTIVE);
    Where where = where(filter);
    long total = where.bind(jdbc.sql("SELECT count(*) FROM audit_event" + where.sql)).query(Long.class).single();
    List<Entry> items = where.bind(jdbc.sql(SELECT + where.sql + " ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset"))
        .param("limit", size).param("offset", (long) page * size)
        .query((rs, n) -> entry(rs)).list();
    Map<String, Object> detail = filter.asDetail();
    detail.put("page", page);
    detail.put("rows", items.size());
    audit.record("audit.read", "audit_event", null, Outcome.SUCCESS, detail);
    return new Page(items, page, size, total);
  }

  /**
   * Writes matching rows as CSV (RFC 4180, oldest first, at most {@link #MAX_EXPORT_ROWS}); records an
   * {@code audit.export}. Cells that a spreadsheet would take for a formula are prefixed with {@code '}.
   */
  @Transactional
  public int exportCsv(Filter filter, Writer out) {
    timeouts.apply(QueryClass.EXPORT);
    Where where = where(filter);
    int[] rows = {0};
    try {
      out.write("id,at,username,source_ip,action,object_type,object_id,outcome,detail\r\n");
      where.bind(jdbc.sql(SELECT + where.sql + " ORDER BY at, id LIMIT :limit")).param("limit", MAX_EXPORT_ROWS)
          .query(rs -> {
            Entry e = entry(rs);
            try {
              out.write(String.join(",", csv(Long.toString(e.id())), csv(e.at().toString()), csv(e.username()),
                  csv(e.sourceIp()), csv(e.action()), csv(e.objectType()), csv(e.objectId()), csv(e.outcome()),
                  csv(e.detail().toString())));
              out.write("\r\n");
            } catch (IOException ex) {
              throw new UncheckedIOException(ex);
            }
            rows[0]++;
          });
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> detail = filter.asDetail();
    detail.put("rows", rows[0]);
    audit.record("audit.export", "audit_event", null, Outcome.SUCCESS, detail);
    return rows[0];
  }

  private static final String SELECT =
      "SELECT id, at, username, source_ip, action, object_type, object_id, outcome, detail::text AS detail FROM audit_event";

  private Entry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
    JsonNode detail;
    try {
      detail = json.readTree(rs.getString("detail"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Entry(rs.getLong("id"), rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("username"),
        rs.getString("source_ip"), rs.getString("action"), rs.getString("object_type"), rs.getString("object_id"),
        rs.getString("outcome"), detail);
  }

  /** Quotes a CSV cell and defuses spreadsheet formulas. */
  static String csv(String value) {
    return org.safegrid.server.web.CsvCell.text(value);
  }

  private record Where(String sql, Map<String, Object> params) {
    JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec) {
      params.forEach(spec::param);
      return spec;
    }
  }

  private static Where where(Filter f) {
    List<String> clauses = new ArrayList<>();
    Map<String, Object> params = new LinkedHashMap<>();
    if (f.from() != null) {
      clauses.add("at >= :from");
      params.put("from", f.from());
    }
    if (f.to() != null) {
      clauses.add("at < :to");
      params.put("to", f.to());
    }
    if (f.user() != null && !f.user().isBlank()) {
      clauses.add("username = :user");
      params.put("user", f.user());
    }
    if (f.action() != null && !f.action().isBlank()) {
      String a = f.action();
      if (a.endsWith("*") || a.endsWith(".")) {
        String prefix = a.endsWith("*") ? a.substring(0, a.length() - 1) : a;
        clauses.add("starts_with(action, :action)");
        params.put("action", prefix);
      } else {
        clauses.add("action = :action");
        params.put("action", a);
      }
    }
    return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), params);
  }
}
