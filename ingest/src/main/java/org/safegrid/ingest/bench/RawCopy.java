package org.safegrid.ingest.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.worker.BinaryCopyBuffer;

/**
 * The physical limit the benchmarks hold SafeGrid's writes against: one plain binary {@code COPY} of
 * the same rows into the event table's columns, in one statement, with none of SafeGrid's work
 * around it (no key table, no counters, no dedupe). Only the {@code COPY} is timed: the rows are
 * encoded first, into a temporary file, so a million rows do not have to fit in the heap.
 */
final class RawCopy {

  static final String COPY_EVENTS_BINARY =
      "COPY event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) FROM STDIN (FORMAT binary)";

  /** Rows encoded per piece of the temporary file. */
  private static final int PIECE = 10_000;

  private RawCopy() {
  }

  /**
   * COPYs the events into {@code event} (its partitions must exist) and returns the rows per second
   * of the {@code COPY} statement alone.
   *
   * @param attrsJson the attrs column's JSON text of an event
   */
  static double binary(Connection c, Iterator<Event> events, Function<Event, String> attrsJson)
      throws SQLException, IOException {
    return binary(c, events, attrsJson, null);
  }

  /**
   * {@link #binary(Connection, Iterator, Function)}, opening {@code meter}'s window as the {@code COPY}
   * starts (the caller closes it when this returns).
   */
  static double binary(Connection c, Iterator<Event> events, Function<Event, String> attrsJson, CpuMeter meter)
      throws SQLException, IOException {
    Path file = Files.createTempFile("safegrid-raw-copy-", ".bin");
    try {
      long rows = 0;
      BinaryCopyBuffer b = new BinaryCopyBuffer().start();
      try (OutputStream out = Files.newOutputStream(file)) {
        while (events.hasNext()) {
          Event e = events.next();
          b.tuple(8).textField(e.id()).textField(e.source().wireName()).textField(e.sourceId()).textField(e.kind())
              .int2Field(e.severity()).timestamptzField(e.observedAt()).pointField(e.lon(), e.lat())
              .jsonbField(attrsJson.apply(e));
          if (++rows % PIECE == 0) {
            out.write(b.array(), 0, b.length());
            b.clear();
          }
        }
        b.finish();
        out.write(b.array(), 0, b.length());
      }
      if (meter != null) {
        meter.start();
      }
      long t0 = System.nanoTime();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_EVENTS_BINARY, in, 1 << 16);
      }
      return rows / ((System.nanoTime() - t0) / 1e9);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
