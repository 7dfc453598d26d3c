package org.safegrid.server.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Service;

/** Verifies the audit trail's hash chain for {@code GET /api/audit/verify}; each verification is itself audited. */
@Service
public class AuditChainService {

  private final DataSource dataSource;
  private final AuditLog audit;

  public AuditChainService(DataSource dataSource, AuditLog audit) {
    this.dataSource = dataSource;
    this.audit = audit;
  }

  /** Walks the whole chain and records the outcome as an {@code audit.verify} row (failure when broken). */
  public AuditChainVerifier.Report verify() {
    AuditChainVerifier.Report report;
    try (Connection c = dataSource.getConnection()) {
      report = AuditChainVerifier.verify(c);
    } catch (SQLException e) {
      throw new DataAccessResourceFailureException("could not read the audit trail: " + e.getMessage(), e);
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("rows", report.rows());
    detail.put("lastId", report.lastId());
    detail.put("lastHash", report.lastHash());
    if (report.firstBroken() != null) {
      detail.put("brokenId", report.firstBroken().id());
      detail.put("reason", report.firstBroken().reason());
    }
    audit.recordDisclosure("audit.verify", "audit_event", null, report.intact() ? Outcome.SUCCESS : Outcome.FAILURE,
        detail);
    return report;
  }
}
