package org.safegrid.server.registry;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.safegrid.ingest.broker.BrokerAcls;
import org.safegrid.ingest.broker.BrokerSecurity;
import org.safegrid.ingest.event.Source;
import org.safegrid.server.audit.AuditLog;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The device registry (table {@code source_binding}): which {@code sourceId}s and patrol
 * {@code unitId}s each integrator principal may speak for. The ingest workers read it (a copy at most
 * 30 s old) and dead-letter any other event from that principal as {@code unauthorised_source}. Every
 * change is audited in its own transaction.
 */
@Service
public class SourceBindings {

  /** Kinds of binding. */
  static final Set<String> KINDS = Set.of("source_id", "source_id_prefix", "unit_id");

  /**
   * One binding.
   *
   * @param id        its id
   * @param principal the integrator's Kafka principal
   * @param source    camera, checkpoint, patrol or incident
   * @param kind      {@code source_id} (exact), {@code source_id_prefix}, {@code unit_id} (patrol only)
   * @param value     the id or prefix
   * @param note      free text, or null
   * @param createdAt when it was added
   * @param createdBy who added it
   */
  public record Binding(long id, String principal, String source, String kind, String value, String note,
                        OffsetDateTime createdAt, String createdBy) {
  }

  /** A new binding as posted. */
  public record NewBinding(String principal, String source, String kind, String value, String note) {
  }

  private final JdbcClient jdbc;
  private final AuditLog audit;

  public SourceBindings(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  /** Every binding, by principal. */
  public List<Binding> list() {
    return jdbc.sql("SELECT id, principal, source, kind, value, note, created_at, created_by FROM source_binding "
        + "ORDER BY principal, source, kind, value").query(Binding.class).list();
  }

  /** Adds a binding; a bad field is an {@link IllegalArgumentException} naming it (400), nothing written. */
  @Transactional
  public Binding add(NewBinding b, String actor) {
    if (b == null) {
      throw new IllegalArgumentException("a binding needs principal, source, kind and value");
    }
    if (b.principal() == null || !BrokerAcls.INTEGRATOR_PRINCIPAL.matcher(b.principal()).matches()) {
      throw new IllegalArgumentException("principal must be 1-64 letters, digits, '_' or '-'");
    }
    if (BrokerSecurity.PRINCIPALS.contains(b.principal())) {
      throw new IllegalArgumentException("principal " + b.principal() + " is one of SafeGrid's own principals; "
          + "the built-in source principals speak for every device of their source type");
    }
    if (b.source() == null || Source.findByWireName(b.source()).isEmpty()) {
      throw new IllegalArgumentException("source must be one of camera, checkpoint, patrol, incident");
    }
    if (b.kind() == null || !KINDS.contains(b.kind())) {
      throw new IllegalArgumentException("kind must be source_id, source_id_prefix or unit_id");
    }
    if ("unit_id".equals(b.kind()) && !"patrol".equals(b.source())) {
      throw new IllegalArgumentException("kind unit_id binds patrol units only (source patrol)");
    }
    if (b.value() == null || b.value().isBlank() || b.value().length() > 128) {
      throw new IllegalArgumentException("value must be 1-128 characters");
    }
    if (b.note() != null && b.note().length() > 500) {
      throw new IllegalArgumentException("note must be at most 500 characters");
    }
    boolean exists = jdbc.sql("SELECT count(*) FROM source_binding WHERE principal = ? AND source = ? AND kind = ? "
        + "AND value = ?").params(b.principal(), b.source(), b.kind(), b.value()).query(Long.class).single() > 0;
    if (exists) {
      throw new IllegalStateException("this binding exists already");
    }
    long id = jdbc.sql("INSERT INTO source_binding (principal, source, kind, value, note, created_by) "
            + "VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
        .params(b.principal(), b.source(), b.kind(), b.value(), b.note(), actor).query(Long.class).single();
    audit.record("source_binding.add", "source_binding", Long.toString(id), AuditLog.Outcome.SUCCESS, detail(b));
    return get(id);
  }

  /** Removes a binding; the workers stop honouring it within their staleness bound. */
  @Transactional
  public void remove(long id) {
    Binding b = get(id);
    jdbc.sql("DELETE FROM source_binding WHERE id = ?").param(id).update();
    audit.record("source_binding.remove", "source_binding", Long.toString(id), AuditLog.Outcome.SUCCESS,
        detail(new NewBinding(b.principal(), b.source(), b.kind(), b.value(), null)));
  }

  private Binding get(long id) {
    return jdbc.sql("SELECT id, principal, source, kind, value, note, created_at, created_by FROM source_binding "
        + "WHERE id = ?").param(id).query(Binding.class).optional()
        .orElseThrow(() -> new NoSuchElementException("no source binding " + id));
  }

  private static Map<String, Object> detail(NewBinding b) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("principal", b.principal());
    d.put("source", b.source());
    d.put("kind", b.kind());
    d.put("value", b.value());
    return d;
  }
}
