package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@link Totp} against the test vectors of RFC 6238 (appendix B, SHA-1) and RFC 4648 (Base32). */
class TotpTest {

  private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest
  @CsvSource({"59, 94287082", "1111111109, 07081804", "1111111111, 14050471", "1234567890, 89005924",
      "2000000000, 69279037", "20000000000, 65353130"})
  void rfc6238Sha1Vectors(long epochSeconds, String expected) {
    assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(epochSeconds)), 8)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"'', ''", "f, MY", "fo, MZXQ", "foo, MZXW6", "foob, MZXW6YQ", "fooba, MZXW6YTB", "foobar, MZXW6YTBOI"})
  void rfc4648Base32VectorsWithoutPadding(String text, String encoded) {
    assertThat(Totp.base32(text.getBytes(StandardCharsets.US_ASCII))).isEqualTo(encoded);
    assertThat(new String(Totp.fromBase32(encoded.toLowerCase() + "==="), StandardCharsets.US_ASCII)).isEqualTo(text);
  }

  @Test
  void matchingStepAcceptsOneStepOfDriftAndNothingElse() {
    Instant now = Instant.ofEpochSecond(1_234_567_890);
    long step = Totp.step(now);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step, 6), now, 1)).isEqualTo(step);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 1, 6), now, 1)).isEqualTo(step - 1);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 1, 6), now, 1)).isEqualTo(step + 1);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 3, 6), now, 1)).isEqualTo(-1);
    assertThat(Totp.matchingStep(RFC_SECRET, "12a456", now, 1)).isEqualTo(-1);
    assertThat(Totp.matchingStep(RFC_SECRET, null, now, 1)).isEqualTo(-1);
  }

  @Test
  void base32RefusesForeignCharacters() {
    assertThatThrownBy(() -> Totp.fromBase32("MZ1W")).isInstanceOf(IllegalArgumentException.class);
  }
}
