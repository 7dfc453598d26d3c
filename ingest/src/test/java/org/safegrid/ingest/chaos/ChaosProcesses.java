package org.safegrid.ingest.chaos;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.IngestWorkerMain;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.worker.IngestSettings;

/** Separate JVMs for the chaos tests: ingest worker processes and a Kafka broker process, with the test classpath. */
final class ChaosProcesses {

  private ChaosProcesses() {
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Longest wait for a broker JVM to listen: about 10 s on a quiet 2-core machine, but 100 s were
   * measured at load average 40. A set-up wait, not a limit of the reliability plan.
   */
  static final Duration BROKER_START = Duration.ofSeconds(180);

  /** Marker line a worker process prints once its consumer threads run. */
  static final String WORKER_READY = "SafeGrid ingest worker ready";

  /**
   * Starts {@link IngestWorkerMain} against {@code dbUrl} (user postgres, no password) as dynamic
   * group members; it is killed when the test JVM exits, if the test has not stopped it.
   */
  static Process worker(String dbUrl, IngestSettings s, int threads, Path log) throws IOException {
    return worker(dbUrl, s, threads, log, null);
  }

  /** Like {@link #worker(String, IngestSettings, int, Path)}, as static members {@code <instanceId>-<i>} when given. */
  static Process worker(String dbUrl, IngestSettings s, int threads, Path log, String instanceId) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx384m", "-cp", System.getProperty("java.class.path"),
        IngestWorkerMain.class.getName());
    pb.environment().put("SAFEGRID_DB_URL", dbUrl);
    pb.environment().put("SAFEGRID_DB_USER", "postgres");
    pb.environment().put("SAFEGRID_DB_PASSWORD", "");
    pb.environment().put("SAFEGRID_KAFKA_BOOTSTRAP", s.bootstrapServers());
    KafkaClientSecurity.fromEnvironment().exportTo(pb.environment());
    pb.environment().put("SAFEGRID_INGEST_GROUP", s.groupId());
    pb.environment().put("SAFEGRID_INGEST_TOPIC_PREFIX", s.topicPrefix());
    pb.environment().put("SAFEGRID_INGEST_WORKERS", Integer.toString(threads));
    if (instanceId != null) {
      pb.environment().put("SAFEGRID_INGEST_INSTANCE_ID", instanceId);
    }
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    // a failed assertion must not leave a worker running (and consuming) after the test JVM is gone
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
  }

  /**
   * Waits until {@code log} holds at least {@code count} lines containing {@code marker}; fails with the
   * log's path if {@code process} exits first or {@code timeout} passes.
   */
  static void awaitLog(Process process, Path log, String marker, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (occurrences(log, marker) < count) {
      if (!process.isAlive()) {
        throw new IllegalStateException("process exited (" + process.exitValue() + ") before '" + marker + "'; see "
            + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no '" + marker + "' within " + timeout + "; see " + log);
      }
      Thread.sleep(50);
    }
  }

  /** Lines of {@code log} containing {@code marker}. */
  static int occurrences(Path log, String marker) throws IOException {
    try (var lines = Files.lines(log)) {
      return (int) lines.filter(l -> l.contains(marker)).count();
    }
  }

  /** A single-node broker in its own JVM, restartable on the same port and storage. */
  static final class Broker implements AutoCloseable {
    final Path dir;
    final int port;
    final Path log;
    Process process;

    Broker() throws IOException {
      dir = Files.createTempDirectory("safegrid-chaos-kafka-");
      log = File.createTempFile("chaos-broker", ".log").toPath();
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
    }

    String bootstrap() {
      return "127.0.0.1:" + port;
    }

    void start() throws Exception {
      ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
          EmbeddedBroker.class.getName(), "--security-dir", KafkaClientSecurity.configuredSecurityDir().orElseThrow().toString(),
          "--dir", dir.toString(), "--port", Integer.toString(port),
          "--partitions", "6", "--initial-rebalance-delay-ms", "0");
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = pb.start();
      // a failed test must not leave the broker running after the test JVM is gone
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      long deadline = System.nanoTime() + BROKER_START.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("broker exited; see " + log);
        }
        try (Socket ignored = new Socket("127.0.0.1", port)) {
          return;
        } catch (IOException e) {
          Thread.sleep(200);
        }
      }
      throw new IllegalStateException("broker did not open port " + port + "; see " + log);
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      if (process != null) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }
}
