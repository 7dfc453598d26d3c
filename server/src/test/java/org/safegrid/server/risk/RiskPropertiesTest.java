package org.safegrid.server.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RiskPropertiesTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    RiskProperties d = RiskProperties.defaults();
    assertThat(d.halfLifeFor(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(30));
    assertThat(d.halfLifeFor(Duration.ofHours(24))).isEqualTo(Duration.ofHours(6));
    assertThat(d.halfLifeFor(Duration.ofDays(7))).isEqualTo(Duration.ofDays(2));
    assertThat(d.halfLifeFor(Duration.ofDays(30))).isEqualTo(Duration.ofDays(30).dividedBy(4));
    assertThat(d.eventWeight("patrol", "position", 3)).isZero();
    // incidents are what risk predicts; sensor events carry no risk unless their source is listed
    assertThat(d.sources()).containsExactly("incident");
    assertThat(d.eventWeight("incident", "violent", 5)).isEqualTo(4.0);
    assertThat(d.eventWeight("camera", "intrusion", 5)).isZero();
    assertThat(d.withSources(RiskProperties.ALL_SOURCES).eventWeight("camera", "intrusion", 5)).isEqualTo(4.0);
  }

  @Test
  void kindWeightLookupPrefersSourceAndKindThenKindThenSource() {
    RiskProperties p = new RiskProperties(Map.of("camera:fight", 3.0, "fight", 2.0, "checkpoint:*", 0.5), null, null,
        Map.of("1h", Duration.ofMinutes(10), "P7D", Duration.ofDays(1)), null, null, null,
        null, null, null, null, null, null, null, null, null, null, RiskProperties.ALL_SOURCES);
    assertThat(p.eventWeight("camera", "fight", 1)).isEqualTo(3.0);
    assertThat(p.eventWeight("patrol", "fight", 1)).isEqualTo(2.0);
    assertThat(p.eventWeight("checkpoint", "wanted", 1)).isEqualTo(0.5);
    assertThat(p.eventWeight("camera", "loitering", 1)).isEqualTo(1.0);
    assertThat(p.halfLifeFor(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(10));
    assertThat(p.halfLifeFor(Duration.ofDays(7))).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void badValuesNameTheProperty() {
    assertThatThrownBy(() -> new RiskProperties(null, null, List.of(1.0, 2.0), null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null))
        .hasMessageContaining("safegrid.risk.severity-weights");
    assertThatThrownBy(() -> new RiskProperties(null, null, null, Map.of("soon", Duration.ofMinutes(1)), null, null,
        null, null, null, null, null, null, null, null, null, null, null, null))
        .hasMessageContaining("safegrid.risk.half-lives");
    assertThatThrownBy(() -> new RiskProperties(null, null, null, null, null, null, null, null, 0.96, 0.95, 0.99, null,
        null, null, null, null, null, null))
        .hasMessageContaining("elevated-probability");
    assertThatThrownBy(() -> RiskProperties.defaults().withSources(List.of("incident", "cameras")))
        .hasMessageContaining("safegrid.risk.sources: 'cameras' is not a source");
  }
}
