package org.safegrid.ingest.chaos;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
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
   * Starts {@link IngestWorkerMain} against {@code dbUrl} (user postgres, no password); it is killed
   * when the test JVM exits, if the test has not stopped it.
   */
  static Process worker(String dbUrl, IngestSettings s, int threads, Path log) throws IOException {
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
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    // a failed assertion must not leave a worker running (and consuming) after the test JVM is gone
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
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
