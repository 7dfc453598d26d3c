package org.safegrid.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The live stream's message id: a feed position as text, read back exactly, and refused when malformed. */
class FeedPositionTokenTest {

  @Test
  void aPositionWithDeliveredAndPartialTransactionsReadsBackEqual() {
    FeedPosition p = new FeedPosition(7_000_123L, new TreeSet<>(List.of(7_000_125L, 7_000_130L)),
        new TreeMap<>(Map.of(7_000_131L, "CAM-7:2026/12/02 08:00~x_y", 7_000_140L, "事件-1")));
    String token = p.token();
    assertThat(token).startsWith("p7000123.7000125.7000130~7000131_").doesNotContain("\n", " ", ":", "/");
    assertThat(FeedPosition.parse(token)).isEqualTo(p);
  }

  @Test
  void aCleanPositionIsItsFloor() {
    assertThat(FeedPosition.at(42).token()).isEqualTo("p42");
    assertThat(FeedPosition.parse("p42")).isEqualTo(FeedPosition.at(42));
  }

  @Test
  void malformedIdsAreRefusedWithAReason() {
    for (String bad : List.of("1733126400000", "p", "pabc", "p10.x", "p10~11", "p10.5", "p10~5_YQ", "p-1")) {
      assertThatThrownBy(() -> FeedPosition.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a feed position");
    }
    assertThat(FeedPosition.looksLikeToken("1733126400000")).isFalse();
  }
}
