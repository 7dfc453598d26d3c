package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** CSV cells of the audit export: RFC 4180 quoting and defused spreadsheet formulas. */
class AuditCsvTest {

  @Test
  void plainCellsStayAsTheyAre() {
    assertThat(AuditQueryService.csv("user.roles")).isEqualTo("user.roles");
    assertThat(AuditQueryService.csv(null)).isEmpty();
  }

  @Test
  void separatorsQuotesAndLineBreaksAreQuoted() {
    assertThat(AuditQueryService.csv("a,b")).isEqualTo("\"a,b\"");
    assertThat(AuditQueryService.csv("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(AuditQueryService.csv("two\nlines")).isEqualTo("\"two\nlines\"");
  }

  @Test
  void formulaLookalikesArePrefixedSoSpreadsheetsShowThemAsText() {
    assertThat(AuditQueryService.csv("=1+1")).isEqualTo("\"'=1+1\"");
    assertThat(AuditQueryService.csv("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
    assertThat(AuditQueryService.csv("-2")).isEqualTo("\"'-2\"");
    assertThat(AuditQueryService.csv("+cmd")).isEqualTo("\"'+cmd\"");
  }
}
