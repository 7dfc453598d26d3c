package org.safegrid.ingest.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.ingest.worker.Topics;

/**
 * Feeds the reference city's three streams into Kafka at a fixed rate ({@link TrafficModel} says
 * what the traffic looks like).
 *
 * <p>Options: {@code --bootstrap host:port} (default env {@code SAFEGRID_KAFKA_BOOTSTRAP}, else
 * 127.0.0.1:9092), {@code --rate N} events/s, 1 to 50,000 (default 300), {@code --seed S} (default
 * 441300; same seed, same traffic), {@code --malformed F} share of spoiled messages, 0 to 1 (default
 * 0), {@code --events N} stop after N (default: run until stopped), {@code --topic-prefix P}
 * (default {@code safegrid.events.}), {@code --run-id ID} goes into every event id (default: from
 * the start time, so runs never collide). Producer: acks=all, idempotent. Stops cleanly on SIGTERM.
 */
public final class Simulator {

  private Simulator() {
  }

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = System.getenv().getOrDefault("SAFEGRID_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    int rate = 300;
    long seed = ReferenceCity.DEFAULT_SEED;
    double malformed = 0;
    long limit = Long.MAX_VALUE;
    String prefix = Source.TOPIC_PREFIX;
    String runId = Long.toString(System.currentTimeMillis(), 36);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[++i];
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--malformed" -> malformed = Double.parseDouble(args[++i]);
        case "--events" -> limit = Long.parseLong(args[++i]);
        case "--topic-prefix" -> prefix = args[++i];
        case "--run-id" -> runId = args[++i];
        default -> usage("unknown option " + args[i]);
      }
    }
    if (rate < 1 || rate > 50_000) {
      usage("--rate must be between 1 and 50000");
    }
    if (malformed < 0 || malformed > 1) {
      usage("--malformed must be between 0 and 1");
    }
    EmbeddedBroker.quietLogging();
    IngestSettings settings = IngestSettings.defaults(bootstrap).withGroupAndPrefix("unused", prefix);
    Topics.ensure(settings, Topics.DEFAULT_PARTITIONS);
    TrafficModel model = new TrafficModel(ReferenceCity.huizhou(), seed, runId, Instant.now());
    Malformer malformer = new Malformer(new Random(seed ^ 0x5DEECE66DL));
    Random spoilChoice = new Random(seed * 31 + 7);
    AtomicLong failed = new AtomicLong();
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap));
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      main.interrupt();
      producer.close(java.time.Duration.ofSeconds(10));
    }, "simulator-shutdown"));
    System.out.printf(Locale.ROOT, "SafeGrid simulator: %d events/s, seed %d, malformed %.3f, run %s -> %s%n", rate,
        seed, malformed, runId, bootstrap);
    long start = System.nanoTime();
    long sent = 0;
    long lastReport = start;
    try {
      while (sent < limit && !Thread.currentThread().isInterrupted()) {
        // pace: the i-th event is due at start + i / rate
        long due = start + (long) (sent * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
          Thread.sleep(wait / 1_000_000);
        }
        Event e = model.next(Instant.now());
        byte[] value = EventCodec.encode(e);
        if (malformed > 0 && spoilChoice.nextDouble() < malformed) {
          value = malformer.spoil(value);
        }
        producer.send(new ProducerRecord<>(settings.topic(e.source()), e.sourceId().getBytes(StandardCharsets.UTF_8),
            value), (md, ex) -> {
              if (ex != null) {
                failed.incrementAndGet();
              }
            });
        sent++;
        long now = System.nanoTime();
        if (now - lastReport > 10_000_000_000L) {
          lastReport = now;
          System.out.printf(Locale.ROOT, "%,d events sent (%.0f/s), %d failed%n", sent,
              sent / ((now - start) / 1e9), failed.get());
        }
      }
    } catch (InterruptedException e) {
      // SIGTERM
    }
    producer.flush();
    System.out.printf(Locale.ROOT, "simulator done: %,d events sent, %d failed%n", sent, failed.get());
    producer.close(java.time.Duration.ofSeconds(10));
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: Simulator [--bootstrap host:port] [--rate 1..50000] [--seed S] [--malformed 0..1] "
        + "[--events N] [--topic-prefix P] [--run-id ID]");
    System.exit(2);
  }
}
