package org.safegrid.ingest.history;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.worker.EventWriter;

/**
 * The import's writers: one thread per connection, each with its own {@link EventWriter}, fed batches
 * by the one thread that parses the file.
 *
 * <p>An event goes to the writer its key (id and sourceId; the source is always {@code incident})
 * hashes to, so no two writers ever offer the same key: their transactions never wait on each
 * other's keys, and the repeats of a key reach one writer in file order, which keeps the first. Each
 * writer holds at most three batches (the one filling, one queued, the one it writes), so memory does
 * not grow with the file. The content hash and attrs text of each event are computed on the writer's
 * thread, beside the parsing.
 *
 * <p>The first failure stops every writer after its current batch; {@link #finish()} rethrows it.
 * Not thread-safe: {@link #add}, {@link #finish} and {@link #stop} belong to the parsing thread.
 */
final class ImportWriters {

  private static final List<Event> END = List.of();

  private final int batchSize;
  private final Lane[] lanes;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  ImportWriters(List<Connection> connections, int batchSize) {
    this.batchSize = batchSize;
    this.lanes = new Lane[connections.size()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(connections.get(i), batchSize);
      Thread t = new Thread(lanes[i], "import-writer-" + i);
      t.setDaemon(true);
      lanes[i].thread = t;
      t.start();
    }
  }

  /** Adds an accepted event; blocks while its writer's queue is full. */
  void add(Event e) throws SQLException {
    Lane lane = lanes[Math.floorMod(31 * e.id().hashCode() + e.sourceId().hashCode(), lanes.length)];
    lane.filling.add(e);
    if (lane.filling.size() >= batchSize) {
      hand(lane, lane.filling);
      lane.filling = new ArrayList<>(batchSize);
    }
  }

  /** Writes what is left and waits for every writer to finish. */
  void finish() throws SQLException {
    for (Lane lane : lanes) {
      if (!lane.filling.isEmpty()) {
        hand(lane, lane.filling);
        lane.filling = new ArrayList<>();
      }
    }
    for (Lane lane : lanes) {
      hand(lane, END);
    }
    join();
    rethrow();
  }

  /** Stops the writers after their current batch (after a failure, or the reader's); a no-op after {@link #finish()}. */
  void stop() {
    failure.compareAndSet(null, new CancelledImport());
    for (Lane lane : lanes) {
      lane.queue.clear();
      lane.queue.offer(END);
    }
    join();
  }

  long inserted() {
    long n = 0;
    for (Lane lane : lanes) {
      n += lane.inserted;
    }
    return n;
  }

  long alreadyStored() {
    long n = 0;
    for (Lane lane : lanes) {
      n += lane.already;
    }
    return n;
  }

  private void hand(Lane lane, List<Event> batch) throws SQLException {
    try {
      while (!lane.queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
        rethrow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("import interrupted", e);
    }
    rethrow();
  }

  private void rethrow() throws SQLException {
    Throwable t = failure.get();
    if (t == null || t instanceof CancelledImport) {
      return;
    }
    if (t instanceof SQLException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new SQLException(t);
  }

  private void join() {
    boolean interrupted = false;
    for (Lane lane : lanes) {
      while (lane.thread.isAlive()) {
        try {
          lane.thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One writer: its connection, its queue and its counts (read after its thread has ended). */
  private final class Lane implements Runnable {
    final Connection connection;
    final EventWriter writer = new EventWriter();
    final BlockingQueue<List<Event>> queue = new ArrayBlockingQueue<>(1);
    List<Event> filling;
    Thread thread;
    long inserted;
    long already;

    Lane(Connection connection, int batchSize) {
      this.connection = connection;
      this.filling = new ArrayList<>(batchSize);
    }

    @Override
    public void run() {
      try {
        while (true) {
          List<Event> batch = queue.take();
          if (batch == END || failure.get() != null) {
            return;
          }
          List<EventDecoder.Accepted> accepted = new ArrayList<>(batch.size());
          for (Event e : batch) {
            accepted.add(EventDecoder.accepted(e));
          }
          EventWriter.Result r = writer.write(connection, accepted, List.of());
          inserted += r.insertedTotal();
          already += r.duplicates();
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    }
  }

  /** The marker of a stop that is no failure of a writer. */
  private static final class CancelledImport extends Exception {
    CancelledImport() {
      super(null, null, false, false);
    }
  }
}
