package org.safegrid.server.audit;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.format.annotation.DateTimeFormat.ISO;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/audit}: the audit trail for auditors, as JSON pages or as a CSV export ({@code ?format=csv});
 * {@code GET /api/audit/verify}: the check of its hash chain, naming the first broken row.
 */
@RestController
class AuditController {

  private final AuditQueryService audit;
  private final AuditChainService chain;

  AuditController(AuditQueryService audit, AuditChainService chain) {
    this.audit = audit;
    this.chain = chain;
  }

  /** 200 with {@code intact} true or false: the check ran either way; {@code firstBroken} names the row. */
  @GetMapping("/api/audit/verify")
  AuditChainVerifier.Report verify() {
    return chain.verify();
  }

  @GetMapping(value = "/api/audit", params = "!format")
  AuditQueryService.Page search(@RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime from,
                                @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime to,
                                @RequestParam(required = false) String user,
                                @RequestParam(required = false) String action,
                                @RequestParam(defaultValue = "0") int page,
                                @RequestParam(defaultValue = "100") int size) {
    return audit.search(new AuditQueryService.Filter(from, to, user, action), page, size);
  }

  @GetMapping(value = "/api/audit", params = "format")
  void export(@RequestParam String format,
              @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime from,
              @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime to,
              @RequestParam(required = false) String user,
              @RequestParam(required = false) String action,
              HttpServletResponse response) throws IOException {
    if (!format.equals("csv")) {
      throw new IllegalArgumentException("format must be 'csv' (or absent for JSON)");
    }
    response.setContentType("text/csv;charset=UTF-8");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"");
    audit.exportCsv(new AuditQueryService.Filter(from, to, user, action), response.getWriter());
  }
}
