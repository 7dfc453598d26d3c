package org.safegrid.ingest.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.CheckpointAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestSettings;

/**
 * A ledger producer: sends events with unique ids ({@code prefix + i}) at a fixed rate and records
 * in a {@link Ledger} which ids the broker acknowledged and which sends failed, from the send
 * callback only. The pace follows a fixed timeline (event i is due at start + i / rate), so a slow
 * send does not silently lower the offered load. Used by the fault tests and the soak benchmark.
 */
public final class LedgerProducer {

  private final KafkaProducer<byte[], byte[]> producer;
  private final IngestSettings settings;

  /** A ledger producer over {@code producer} (acks=all, idempotent) writing to the topics of {@code settings}. */
  public LedgerProducer(KafkaProducer<byte[], byte[]> producer, IngestSettings settings) {
    this.producer = producer;
    this.settings = settings;
  }

  /**
   * Sends events {@code from} (inclusive) to {@code to} (exclusive) at {@code rate} events per
   * second (0: as fast as possible), observed now; returns when all are handed to the producer
   * (the callbacks may still be running: call {@link #flush}).
   */
  public void send(Ledger ledger, int from, int to, double rate) {
    long start = System.nanoTime();
    for (int i = from; i < to; i++) {
      if (rate > 0) {
        long due = start + (long) ((i - from) * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      sendOne(ledger, event(ledger.prefix(), i, Instant.now()));
    }
  }

  /** Sends one event and records the outcome of its callback in the ledger. */
  public void sendOne(Ledger ledger, Event e) {
    ledger.sent().incrementAndGet();
    try {
      producer.send(new ProducerRecord<>(settings.topic(e.source()), e.sourceId().getBytes(), EventCodec.encode(e)),
          (meta, ex) -> (ex == null ? ledger.acked() : ledger.failed()).add(e.id()));
    } catch (RuntimeException ex) {
      ledger.failed().add(e.id());
    }
  }

  /** Waits until every send so far has been acknowledged or has failed. */
  public void flush() {
    producer.flush();
  }

  /** The sources a ledger rotates through: the three live feeds. */
  private static final Source[] ROTATION = {Source.CAMERA, Source.CHECKPOINT, Source.PATROL};

  /** The i-th ledger event: sources rotate, positions spread over central Huizhou, one id per i. */
  public static Event event(String prefix, int i, Instant at) {
    Source s = ROTATION[i % ROTATION.length];
    double lon = 114.30 + (i % 997) * 0.0002;
    double lat = 23.05 + (i % 991) * 0.0002;
    Map<String, Object> attrs = switch (s) {
      case CAMERA -> new CameraAttrs("CAM-" + (i % 50), "person", 0.9, null).toMap();
      case CHECKPOINT -> new CheckpointAttrs("KP-" + (i % 20), "vehicle", "clear", "粤L" + (10000 + i % 90000)).toMap();
      case PATROL -> new PatrolAttrs("LU-" + (i % 30), 30.0, 90.0, "patrolling", null).toMap();
      case INCIDENT -> throw new IllegalStateException("not in the rotation");
    };
    String sourceId = switch (s) {
      case CAMERA -> "CAM-" + (i % 50);
      case CHECKPOINT -> "KP-" + (i % 20);
      case PATROL -> "LU-" + (i % 30);
      case INCIDENT -> throw new IllegalStateException("not in the rotation");
    };
    String kind = switch (s) {
      case CAMERA -> "intrusion";
      case CHECKPOINT -> "check";
      case PATROL -> "position";
      case INCIDENT -> throw new IllegalStateException("not in the rotation");
    };
    return new Event(prefix + i, s, sourceId, kind, s == Source.CAMERA ? 3 : 0, at, lon, lat, Datum.WGS84, attrs);
  }
}
