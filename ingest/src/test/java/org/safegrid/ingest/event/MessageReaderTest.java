package org.safegrid.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader's own parts: numbers read by Jackson's fast parser must be the very doubles
 * the JDK's {@link Double#parseDouble} gives (the oracle here), and a repeated key is found at every
 * level without the parser's duplicate detection. How a whole message is judged is
 * {@link SchemaDifferentialTest}'s.
 */
class MessageReaderTest {

  @Test
  void everyNumberReadsAsTheDoubleTheJdkParses() throws IOException {
    List<String> numbers = new ArrayList<>(List.of(
        // halfway and near-halfway cases, the extremes, subnormals, long mantissas
        "9007199254740993", "9007199254740993.0", "2.2250738585072011e-308", "2.2250738585072012e-308",
        "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
        "1.7976931348623158e308", "0.1", "0.30000000000000004", "123456789012345678901234567890.5",
        "114.41520000000000000000001", "22.99999999999999999999", "1e-400", "-0.0", "5e-324",
        "7.038531e-26", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124"));
    Random r = new Random(20261203L);
    for (int i = 0; i < 200_000; i++) {
      numbers.add(randomNumber(r));
    }
    // the bench's coordinates: doubles at full precision, as Double.toString writes them
    for (int i = 0; i < 50_000; i++) {
      numbers.add(Double.toString(113.9 + r.nextDouble() * 1.5));
      numbers.add(Double.toString(Double.longBitsToDouble(r.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL)));
    }
    int differences = 0;
    String first = null;
    for (String n : numbers) {
      WireMessage m = MessageReader.read(("{\"lon\":" + n + "}").getBytes(StandardCharsets.UTF_8));
      double expected = Double.parseDouble(n);
      Object read = m.lon;
      // integral numbers come back as Integer/Long/BigInteger: their double value, correctly rounded too
      double got = ((Number) read).doubleValue();
      if (Double.doubleToRawLongBits(got) != Double.doubleToRawLongBits(expected)) {
        differences++;
        first = first == null ? n + " -> " + got + " (JDK " + expected + ")" : first;
      }
    }
    assertThat(differences).as("numbers read differently from Double.parseDouble; first: %s", first).isZero();
  }

  private static String randomNumber(Random r) {
    StringBuilder b = new StringBuilder();
    if (r.nextInt(4) == 0) {
      b.append('-');
    }
    int intDigits = 1 + r.nextInt(20);
    b.append((char) ('1' + r.nextInt(9)));
    for (int i = 1; i < intDigits; i++) {
      b.append((char) ('0' + r.nextInt(10)));
    }
    b.append('.');
    int fraction = 1 + r.nextInt(25);
    for (int i = 0; i < fraction; i++) {
      b.append((char) ('0' + r.nextInt(10)));
    }
    if (r.nextBoolean()) {
      b.append(r.nextBoolean() ? 'e' : 'E').append(r.nextInt(700) - 350);
    }
    return b.toString();
  }

  @Test
  void aRepeatedKeyIsRefusedAtEveryLevelAndTheSameKeyInTwoObjectsIsNot() throws IOException {
    for (String repeated : List.of(
        "{\"id\":\"a\",\"kind\":\"x\",\"id\":\"b\"}",
        "{\"attrs\":{\"a\":null,\"a\":null}}",
        "{\"attrs\":{\"l\":[{\"k\":1,\"m\":2,\"k\":1}]}}",
        "{\"attrs\":{\"o\":{\"p\":{\"q\":1,\"q\":2}}}}",
        "{\"attrs\":{},\"attrs\":{}}")) {
      assertThatThrownBy(() -> MessageReader.read(repeated.getBytes(StandardCharsets.UTF_8)))
          .as(repeated).isInstanceOf(IOException.class).hasMessageContaining("duplicate field");
    }
    WireMessage m = MessageReader.read(
        "{\"id\":\"a\",\"attrs\":{\"id\":1,\"o\":{\"id\":2,\"l\":[{\"id\":3},{\"id\":4}]}}}"
            .getBytes(StandardCharsets.UTF_8));
    assertThat(m.id).isEqualTo("a");
    assertThat(m.attrsMap()).containsEntry("id", 1).containsKey("o");
  }
}
