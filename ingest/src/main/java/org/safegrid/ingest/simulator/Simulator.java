package org.safegrid.ingest.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.Topics;

/**
 * Feeds the reference city's three streams into Kafka: by default the night {@link Scenario} (the
 * city's own rates, a few real incidents an hour among fishermen and clear checks) in real time;
 * with {@code --rate N} the older fixed-rate mix of {@link TrafficModel} at N events/s.
 *
 * <p>Options: {@code --bootstrap host:port} (default env {@code SAFEGRID_KAFKA_BOOTSTRAP}, else
 * 127.0.0.1:9092), {@code --seed S} (default 441300; same seed, same traffic), {@code --events N}
 * stop after N (default: run until stopped), {@code --topic-prefix P} (default
 * {@code safegrid.events.}), {@code --run-id ID} goes into every event id (default: from the start
 * time, so runs never collide). Scenario: {@code --ping-seconds S} between two pings of a patrol
 * unit (5), {@code --hours H} of observed time then stop, {@code --speed X} plays a past window of
 * H hours ending now at X times real time (needs {@code --hours}; default 1, real time, observed
 * now), {@code --incidents-per-day N} background rate of the reported incidents drawn by
 * {@link IncidentProcess} (default 40; 0: none). Fixed-rate mix: {@code --rate N} events/s, 1 to 50,000, {@code --malformed F} share of
 * spoiled messages, 0 to 1 (default 0). Producer: acks=all, idempotent. Stops cleanly on SIGTERM.
 */
public final class Simulator {

  private Simulator() {
  }

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = System.getenv().getOrDefault("SAFEGRID_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    Integer rate = null;
    double speed = 1;
    double pingSeconds = Scenario.Rates.DEFAULT.pingSeconds();
    Double hours = null;
    long seed = ReferenceCity.DEFAULT_SEED;
    double malformed = 0;
    long limit = Long.MAX_VALUE;
    String prefix = Source.TOPIC_PREFIX;
    String runId = Long.toString(System.currentTimeMillis(), 36);
    double incidentsPerDay = IncidentProcess.Parameters.DEFAULT.muPerDay();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[++i];
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--speed" -> speed = Double.parseDouble(args[++i]);
        case "--ping-seconds" -> pingSeconds = Double.parseDouble(args[++i]);
        case "--hours" -> hours = Double.parseDouble(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--malformed" -> malformed = Double.parseDouble(args[++i]);
        case "--events" -> limit = Long.parseLong(args[++i]);
        case "--topic-prefix" -> prefix = args[++i];
        case "--run-id" -> runId = args[++i];
        case "--incidents-per-day" -> incidentsPerDay = Double.parseDouble(args[++i]);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (rate != null && (rate < 1 || rate > 50_000)) {
      usage("--rate must be between 1 and 50000");
    }
    if (incidentsPerDay < 0) {
      usage("--incidents-per-day must be 0 (none) or more");
    }
    if (malformed < 0 || malformed > 1) {
      usage("--malformed must be between 0 and 1");
    }
    if (speed != 1 && hours == null) {
      usage("--speed needs --hours: it plays a past window of that length");
    }
    if (!(speed > 0) || !(pingSeconds > 0) || (hours != null && !(hours > 0))) {
      usage("--speed, --ping-seconds and --hours must be positive");
    }
    EmbeddedBroker.quietLogging();
    IngestSettings settings = IngestSettings.defaults(bootstrap).withGroupAndPrefix("unused", prefix);
    if (System.getenv("SAFEGRID_KAFKA_USER") != null) {
      Topics.ensure(settings, Topics.DEFAULT_PARTITIONS);
    } else {
      // the source principals may write, not create topics: the workers create them at start
      System.out.println("writing as the source principals (src-<source>); the topics are the workers' to create");
    }
    Malformer malformer = new Malformer(new Random(seed ^ 0x5DEECE66DL));
    Random spoilChoice = new Random(seed * 31 + 7);
    AtomicLong failed = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    SourceProducers producer = SourceProducers.open(bootstrap);
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      main.interrupt();
      producer.close(java.time.Duration.ofSeconds(10));
    }, "simulator-shutdown"));
    long start = System.nanoTime();
    long[] lastReport = {start};
    double mal = malformed;
    Consumer<Event> send = e -> {
      byte[] value = EventCodec.encode(e);
      if (mal > 0 && spoilChoice.nextDouble() < mal) {
        value = malformer.spoil(value);
      }
      producer.send(e.source(), new ProducerRecord<>(settings.topic(e.source()), e.sourceId().getBytes(StandardCharsets.UTF_8),
          value), (md, ex) -> {
            if (ex != null) {
              failed.incrementAndGet();
            }
          });
      long n = sent.incrementAndGet();
      long now = System.nanoTime();
      if (now - lastReport[0] > 10_000_000_000L) {
        lastReport[0] = now;
        System.out.printf(Locale.ROOT, "%,d events sent (%.0f/s), %d failed%n", n, n / ((now - start) / 1e9),
            failed.get());
      }
    };
    if (rate == null) {
      Instant now = Instant.now();
      Instant from = hours == null || speed == 1 ? now : now.minus(Duration.ofSeconds((long) (hours * 3600)));
      Instant end = hours == null ? Instant.MAX : from.plus(Duration.ofSeconds((long) (hours * 3600)));
      ReferenceCity city = ReferenceCity.huizhou();
      Scenario scenario = new Scenario(city, seed, runId, from, Scenario.Rates.DEFAULT.withPingSeconds(pingSeconds));
      if (incidentsPerDay > 0) {
        IncidentProcess.Parameters d = IncidentProcess.Parameters.DEFAULT;
        scenario.withIncidents(city, d.with(incidentsPerDay, d.theta(), d.omegaPerDay(), d.sigmaMeters()), seed * 17 + 3,
            java.time.ZoneId.of("Asia/Shanghai"));
        System.out.println("reported incidents: " + scenario.incidents().orElseThrow());
      }
      System.out.printf(Locale.ROOT, "SafeGrid simulator: night scenario from %s at %.1fx, %.1f real incidents/h, "
          + "seed %d, run %s -> %s%n", from, speed, scenario.rates().truthPerHour(), seed, runId, bootstrap);
      ScenarioPlayer.play(scenario, end, speed, limit, send);
    } else {
      TrafficModel model = new TrafficModel(ReferenceCity.huizhou(), seed, runId, Instant.now());
      System.out.printf(Locale.ROOT, "SafeGrid simulator: %d events/s, seed %d, malformed %.3f, run %s -> %s%n", rate,
          seed, malformed, runId, bootstrap);
      try {
        while (sent.get() < limit && !Thread.currentThread().isInterrupted()) {
          // pace: the i-th event is due at start + i / rate
          long due = start + (long) (sent.get() * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 1_000_000) {
            Thread.sleep(wait / 1_000_000);
          }
          send.accept(model.next(Instant.now()));
        }
      } catch (InterruptedException e) {
        // SIGTERM
      }
    }
    producer.flush();
    System.out.printf(Locale.ROOT, "simulator done: %,d events sent, %d failed%n", sent.get(), failed.get());
    producer.close(java.time.Duration.ofSeconds(10));
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: Simulator [--bootstrap host:port] [--seed S] [--events N] [--topic-prefix P] "
        + "[--run-id ID] [--ping-seconds S] [--incidents-per-day N] [--hours H [--speed X]] "
        + "| [--rate 1..50000 [--malformed 0..1]]");
    System.exit(2);
  }
}
