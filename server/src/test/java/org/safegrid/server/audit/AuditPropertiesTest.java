package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Start-up validation of the audit settings: a retention shorter than a year is refused by name. */
class AuditPropertiesTest {

  @Test
  void retentionShorterThan365DaysIsRefusedNamingTheProperty() {
    assertThatThrownBy(() -> new AuditProperties(Duration.ofDays(364), null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("safegrid.audit.retention");
    assertThat(new AuditProperties(Duration.ofDays(365), null, null).retention()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void defaultsKeep400DaysAndPurgeDaily() {
    AuditProperties p = new AuditProperties(null, null, null);
    assertThat(p.retention()).isEqualTo(Duration.ofDays(400));
    assertThat(p.purgeInterval()).isEqualTo(Duration.ofHours(24));
    assertThat(p.tamperCheckInterval()).isEqualTo(Duration.ofSeconds(10));
  }
}
