package org.safegrid.server.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak benchmark applies the reliability plan's pass criteria of checks 38–40 to its figures. */
class SoakVerdictsTest {

  private static Map<String, Object> step(int rate, long lag, Double p99, Double drain, long lost) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", rate);
    m.put("lost", lost);
    m.put("dup", 0L);
    m.put("maxConsumerLag", lag);
    m.put("drainSeconds", drain);
    m.put("e2eP99Ms", p99);
    return m;
  }

  private static Map<String, Object> queries(long requests, long errors, double p95, double p99) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", requests);
    m.put("errors", errors);
    m.put("p95Ms", p95);
    m.put("p99Ms", p99);
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("ratePerSecond", 50.0);
    q.put("hotspots", m);
    q.put("errorsByStatus", new java.util.TreeMap<>(Map.of("hotspots 503", errors)));
    return q;
  }

  private static Map<String, Object> live(boolean dropped, double p99, long growth) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("slowClientDropped", dropped);
    m.put("serverToClientP99Ms", p99);
    m.put("heapGrowthMb", growth);
    m.put("seconds", 600);
    return m;
  }

  @Test
  void figuresWithinThePlansCriteriaPass() {
    Map<String, Object> v = SoakBenchmark.verdicts(
        List.of(step(500, 100, 300.0, 1.0, 0), step(1000, 4000, 1500.0, 2.0, 0), step(2000, 90000, 9000.0, null, 0)),
        queries(3000, 2, 120, 800), live(true, 900, 10));
    // the target rate is the highest step that drained (1,000 ev/s), not the one over capacity
    assertThat((String) v.get("38")).startsWith("pass at 1000 ev/s");
    assertThat((String) v.get("39")).startsWith("pass");
    assertThat((String) v.get("40")).startsWith("pass");
  }

  @Test
  void eachCriterionFailsOnItsOwn() {
    Map<String, Object> q = queries(3000, 2, 120, 800);
    Map<String, Object> l = live(true, 900, 10);
    assertThat((String) SoakBenchmark.verdicts(List.of(step(1000, 5000, 1500.0, 2.0, 0)), q, l).get("38"))
        .as("lag of 5 s of traffic").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(List.of(step(1000, 10, 2100.0, 2.0, 0)), q, l).get("38"))
        .as("e2e p99 over 2 s").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(List.of(step(1000, 10, 100.0, 2.0, 1)), q, l).get("38"))
        .as("one lost").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(List.of(step(500, 10, 100.0, null, 0)), q, l).get("38"))
        .as("nothing drained").startsWith("fail");
    List<Map<String, Object>> ok = List.of(step(1000, 10, 100.0, 2.0, 0));
    assertThat((String) SoakBenchmark.verdicts(ok, queries(3000, 3, 120, 800), l).get("39"))
        .as("errors 0.1 %").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(ok, queries(3000, 0, 300, 800), l).get("39"))
        .as("p95 300 ms").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(ok, queries(3000, 0, 100, 1000), l).get("39"))
        .as("p99 1 s").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(ok, q, live(false, 900, 10)).get("40"))
        .as("slow client kept").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(ok, q, live(true, 2000, 10)).get("40"))
        .as("server-to-client p99 2 s").startsWith("fail");
    assertThat((String) SoakBenchmark.verdicts(ok, q, live(true, 900, 64)).get("40"))
        .as("heap growth").startsWith("fail");
  }
}
