package org.safegrid.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written ISO instant is {@link Instant#toString()}'s text, inside its years and outside them. */
class IsoInstantTest {

  @Test
  void randomInstantsWithEveryFractionLengthAreWrittenAsToStringWritesThem() {
    SplittableRandom rnd = new SplittableRandom(20261202L);
    long first = Instant.parse("0999-12-31T23:59:58Z").getEpochSecond();
    long end = Instant.parse("+10000-01-01T00:00:02Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      long s = rnd.nextLong(first, end);
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> rnd.nextInt(1000) * 1_000_000;
        case 2 -> rnd.nextInt(1_000_000) * 1_000;
        default -> rnd.nextInt(1_000_000_000);
      };
      Instant t = Instant.ofEpochSecond(s, nano);
      assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
    }
  }

  @Test
  void theEdgesOfTheFastYearsAndTheInstantsBeyondThem() {
    for (String s : new String[] {"0999-12-31T23:59:59.999999999Z", "1000-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.000001Z", "2000-02-29T12:00:00.100Z", "9999-12-31T23:59:59.999Z",
        "+10000-01-01T00:00:00Z", "-0001-06-01T00:00:00Z"}) {
      Instant t = Instant.parse(s);
      assertThat(IsoInstant.format(t)).isEqualTo(t.toString()).isEqualTo(s);
    }
    assertThat(IsoInstant.format(Instant.MIN)).isEqualTo(Instant.MIN.toString());
    assertThat(IsoInstant.format(Instant.MAX)).isEqualTo(Instant.MAX.toString());
  }
}
