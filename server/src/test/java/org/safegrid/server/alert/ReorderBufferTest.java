package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safegrid.server.live.LiveEvent;

class ReorderBufferTest {

  private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

  private static LiveEvent event(String id, String sourceId, Instant observedAt) {
    return new LiveEvent(id, "camera", sourceId, "intrusion", 2, observedAt, observedAt, 114.4, 23.1, "{}");
  }

  @Test
  void devicesSharingAnIdAndAnInstantAreReleasedEachOnceOrderedByDevice() {
    ReorderBuffer buffer = new ReorderBuffer(Duration.ofSeconds(2));
    buffer.add(event("late", "CAM-1", T.plusSeconds(1)), T);
    buffer.add(event("twin", "CAM-3", T), T);
    buffer.add(event("twin", "CAM-1", T), T);
    buffer.add(event("early", "CAM-1", T.minusSeconds(1)), T);
    buffer.add(event("twin", "CAM-2", T), T);
    List<String> out = buffer.release(T.plusSeconds(2)).stream().map(e -> e.id() + "/" + e.sourceId()).toList();
    assertThat(out).containsExactly("early/CAM-1", "twin/CAM-1", "twin/CAM-2", "twin/CAM-3", "late/CAM-1");
    assertThat(buffer.size()).isZero();
  }
}
