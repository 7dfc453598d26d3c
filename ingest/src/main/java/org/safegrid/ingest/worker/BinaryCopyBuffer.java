package org.safegrid.ingest.worker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * A reusable buffer that builds the body of a PostgreSQL {@code COPY ... FROM STDIN (FORMAT binary)}:
 * the signature and header, tuples of length-prefixed fields in network byte order, and the trailer.
 *
 * <p>Binary COPY spares both sides the text round trip of numbers, timestamps and hashes (Java
 * formats a double, PostgreSQL parses it back) and writes strings straight as UTF-8. The buffer
 * grows to the largest batch and is then reused, so a steady stream allocates nothing here.
 *
 * <p>Field encodings follow the types' binary send/receive functions: {@code int2}, {@code int4},
 * {@code float8} big-endian; {@code timestamptz} microseconds since 2000-01-01 UTC as {@code int8};
 * {@code text} UTF-8 bytes; {@code bytea} raw bytes; {@code jsonb} a version byte (1) then the JSON
 * text; a PostGIS point as EWKB. Not thread-safe.
 */
public final class BinaryCopyBuffer {

  private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
  /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in seconds since the Unix epoch. */
  private static final long PG_EPOCH_SECONDS = 946_684_800L;

  private byte[] buf = new byte[1 << 16];
  private int len;

  /** Empties the buffer and writes the COPY header. */
  public BinaryCopyBuffer start() {
    len = 0;
    put(SIGNATURE, 0, SIGNATURE.length);
    int32(0); // flags: no OIDs
    int32(0); // header extension length
    return this;
  }

  /**
   * Empties the buffer without writing the header: the next piece of a COPY body that is streamed in
   * pieces (the first piece came from {@link #start()}, the last ends with {@link #finish()}).
   */
  public BinaryCopyBuffer clear() {
    len = 0;
    return this;
  }

  /** Starts a tuple of {@code fields} fields. */
  public BinaryCopyBuffer tuple(int fields) {
    return int16(fields);
  }

  /** Writes the trailer; the buffer then holds a complete COPY body. */
  public BinaryCopyBuffer finish() {
    return int16(-1);
  }

  public BinaryCopyBuffer nullField() {
    return int32(-1);
  }

  public BinaryCopyBuffer int2Field(int v) {
    return int32(2).int16(v);
  }

  public BinaryCopyBuffer int4Field(int v) {
    return int32(4).int32(v);
  }

  public BinaryCopyBuffer float8Field(double v) {
    return int32(8).int64(Double.doubleToRawLongBits(v));
  }

  /** A {@code timestamptz}, at {@link #epochMicros}'s microsecond. */
  public BinaryCopyBuffer timestamptzField(Instant t) {
    return int32(8).int64(epochMicros(t) - PG_EPOCH_SECONDS * 1_000_000L);
  }

  /**
   * Microseconds since 1970-01-01 UTC, rounded as PostgreSQL rounds a finer fraction: the instant the
   * database stores, so a day or minute derived from it is the one the database sees.
   */
  public static long epochMicros(Instant t) {
    return Math.multiplyExact(t.getEpochSecond(), 1_000_000L) + (t.getNano() + 500) / 1_000;
  }

  public BinaryCopyBuffer byteaField(byte[] b) {
    int32(b.length);
    put(b, 0, b.length);
    return this;
  }

  /**
   * A PostGIS {@code geometry} field: a point as EWKB (little-endian, SRID 4326), which the type's
   * binary input reads directly.
   */
  public BinaryCopyBuffer pointField(double lon, double lat) {
    int32(25);
    ensure(25);
    buf[len++] = 1; // little-endian
    int32le(0x20000001); // point with SRID
    int32le(4326);
    int64le(Double.doubleToRawLongBits(lon));
    int64le(Double.doubleToRawLongBits(lat));
    return this;
  }

  /** A {@code text} field, or NULL for a null string. */
  public BinaryCopyBuffer textField(String s) {
    if (s == null) {
      return nullField();
    }
    return utf8Field(s, 0);
  }

  /** A {@code jsonb} field from JSON text. */
  public BinaryCopyBuffer jsonbField(String json) {
    return utf8Field(json, 1);
  }

  /** The bytes written so far (valid up to {@link #length()}). */
  public byte[] array() {
    return buf;
  }

  public int length() {
    return len;
  }

  /** Writes a length-prefixed UTF-8 field, preceded by {@code versionBytes} bytes of version (jsonb). */
  private BinaryCopyBuffer utf8Field(String s, int versionBytes) {
    // the JDK's encoder has vectorised paths for ASCII and Latin-1 strings; a loop over charAt is slower
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    int32(utf8.length + versionBytes);
    if (versionBytes == 1) {
      ensure(1);
      buf[len++] = 1;
    }
    put(utf8, 0, utf8.length);
    return this;
  }

  private BinaryCopyBuffer int16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  private BinaryCopyBuffer int32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  private BinaryCopyBuffer int64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  private void int32le(int v) {
    buf[len++] = (byte) v;
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 24);
  }

  private void int64le(long v) {
    for (int shift = 0; shift <= 56; shift += 8) {
      buf[len++] = (byte) (v >>> shift);
    }
  }

  private void put(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
