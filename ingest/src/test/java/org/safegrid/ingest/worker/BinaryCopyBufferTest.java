package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/** The binary COPY body is read by PostgreSQL as the values that were written, for every field type used. */
@ExtendWith(PostgisExtension.class)
class BinaryCopyBufferTest {

  private record Row(int i, String text, int small, Instant at, double x, String json, byte[] bytes) {
  }

  @Test
  void postgresqlReadsBackEveryValueAsWritten(TestDatabase db) throws Exception {
    List<Row> rows = List.of(
        new Row(0, "plain-ascii", 0, Instant.parse("2026-11-22T21:15:30.123456Z"), 114.41623, "{\"a\": 1}",
            new byte[] {0, 1, (byte) 0xFF}),
        // multi-byte UTF-8 after ASCII, a tab and a backslash that text COPY would have to escape
        new Row(-7, "粤L12345\ttab\\back", 5, Instant.parse("1999-12-31T23:59:59.999999Z"), -0.0,
            "{\"plate\": \"粤L12345\", \"n\": [1, 2.5, null]}", new byte[32]),
        // a nanosecond fraction rounds to the microsecond, as PostgreSQL's own input does
        new Row(Integer.MAX_VALUE, "", -32768, Instant.parse("2026-01-01T00:00:00.000000700Z"), Double.MAX_VALUE,
            "{}", new byte[0]),
        new Row(3, null, 32767, Instant.parse("1970-01-01T00:00:00Z"), 1e-300, "[]", new byte[] {42}));
    BinaryCopyBuffer b = new BinaryCopyBuffer().start();
    for (Row r : rows) {
      b.tuple(7).int4Field(r.i()).textField(r.text()).int2Field(r.small()).timestamptzField(r.at())
          .float8Field(r.x()).jsonbField(r.json()).byteaField(r.bytes());
    }
    b.finish();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE bin (i int, t text, s smallint, at timestamptz, x float8, j jsonb, b bytea)");
      CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bin FROM STDIN (FORMAT binary)");
      in.writeToCopy(b.array(), 0, b.length());
      assertThat(in.endCopy()).isEqualTo(rows.size());
      List<Row> back = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT i, t, s, at, x, j::text, b FROM bin ORDER BY i")) {
        while (rs.next()) {
          back.add(new Row(rs.getInt(1), rs.getString(2), rs.getInt(3),
              rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getDouble(5), rs.getString(6), rs.getBytes(7)));
        }
      }
      List<Row> expected = rows.stream().sorted(java.util.Comparator.comparingInt(Row::i)).toList();
      assertThat(back).hasSize(expected.size());
      for (int k = 0; k < back.size(); k++) {
        Row e = expected.get(k);
        Row a = back.get(k);
        assertThat(a.i()).isEqualTo(e.i());
        assertThat(a.text()).isEqualTo(e.text());
        assertThat(a.small()).isEqualTo(e.small());
        long micros = (e.at().getNano() + 500) / 1000;
        assertThat(a.at()).isEqualTo(Instant.ofEpochSecond(e.at().getEpochSecond(), micros * 1000));
        assertThat(Double.doubleToRawLongBits(a.x())).isEqualTo(Double.doubleToRawLongBits(e.x()));
        try (ResultSet rs = st.executeQuery("SELECT '" + e.json().replace("'", "''") + "'::jsonb::text")) {
          rs.next();
          assertThat(a.json()).isEqualTo(rs.getString(1));
        }
        assertThat(a.bytes()).isEqualTo(e.bytes());
      }
    }
  }

  @Test
  void theBufferIsReusedAcrossBatches() {
    BinaryCopyBuffer b = new BinaryCopyBuffer().start();
    for (int i = 0; i < 10_000; i++) {
      b.tuple(1).textField("x".repeat(20));
    }
    int big = b.finish().length();
    byte[] grown = b.array();
    b.start().tuple(1).textField("y").finish();
    assertThat(b.array()).isSameAs(grown);
    // 19 header bytes, 2 + 4 + 1 for the tuple, 2 for the trailer
    assertThat(b.length()).isEqualTo(19 + 7 + 2);
    assertThat(big).isEqualTo(19 + 10_000 * (2 + 4 + 20) + 2);
  }
}
