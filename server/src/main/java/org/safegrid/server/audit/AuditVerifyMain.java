package org.safegrid.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

/**
 * {@code ./safegrid audit verify}: checks the audit trail's hash chain and prints the report as one
 * JSON line; exit status 0 when intact, 1 when a row is broken (the report names it), 2 when the
 * check could not run.
 *
 * <p>Environment: {@code SAFEGRID_DB_URL}, {@code SAFEGRID_DB_USER}, {@code SAFEGRID_DB_PASSWORD}
 * (the application role reads the trail).
 */
public final class AuditVerifyMain {

  private AuditVerifyMain() {
  }

  public static void main(String[] args) throws Exception {
    String url = System.getenv("SAFEGRID_DB_URL");
    if (url == null || url.isBlank()) {
      System.err.println("set SAFEGRID_DB_URL (and SAFEGRID_DB_USER, SAFEGRID_DB_PASSWORD)");
      System.exit(2);
    }
    Properties p = new Properties();
    p.setProperty("user", System.getenv().getOrDefault("SAFEGRID_DB_USER", "safegrid_app"));
    p.setProperty("password", System.getenv().getOrDefault("SAFEGRID_DB_PASSWORD", ""));
    AuditChainVerifier.Report report;
    try (Connection c = DriverManager.getConnection(url, p)) {
      report = AuditChainVerifier.verify(c);
    } catch (Exception e) {
      System.err.println("audit verify: " + e.getMessage());
      System.exit(2);
      return;
    }
    ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    System.out.println(json.writeValueAsString(report));
    System.exit(report.intact() ? 0 : 1);
  }
}
