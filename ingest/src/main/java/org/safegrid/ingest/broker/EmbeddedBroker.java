package org.safegrid.ingest.broker;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft mode (combined broker + controller), for local runs and tests.
 *
 * <p>The storage directory is formatted on first start and reused afterwards, so topics and
 * committed offsets survive a restart. One plaintext client listener, on 127.0.0.1 unless told
 * otherwise. Not for production: replication factor 1, no security.
 *
 * <p>Main: {@code --dir <storage dir>} (required), {@code --port <port>} (default 9092; 0 = any free
 * port), {@code --partitions <n>} (default for new topics, 6), {@code --bind <host>} (address the client
 * listener binds, default 127.0.0.1; the advertised address stays 127.0.0.1). Stops cleanly on SIGTERM.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final KafkaRaftServer server;
  private final int port;
  private volatile boolean closed;

  private EmbeddedBroker(KafkaRaftServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts a broker.
   *
   * @param dir        storage directory (created and formatted if new)
   * @param port       client port on 127.0.0.1; 0 picks a free one
   * @param partitions default partition count of auto-created topics
   */
  public static EmbeddedBroker start(Path dir, int port, int partitions) {
    return start(dir, port, partitions, java.util.Map.of());
  }

  /**
   * Starts a broker with some settings changed (e.g. {@code auto.create.topics.enable=false} for a
   * test that needs a topic to stay absent).
   *
   * @param overrides broker settings that replace the defaults above
   */
  public static EmbeddedBroker start(Path dir, int port, int partitions, java.util.Map<String, String> overrides) {
    return start(dir, "127.0.0.1", port, partitions, overrides);
  }

  /**
   * Starts a broker whose client listener binds {@code bindHost} (e.g. {@code 0.0.0.0} inside a
   * network namespace reached through a port forward); it still advertises {@code 127.0.0.1:<port>}.
   */
  public static EmbeddedBroker start(Path dir, String bindHost, int port, int partitions,
                                     java.util.Map<String, String> overrides) {
    try {
      Files.createDirectories(dir);
      int clientPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      Path logDir = dir.resolve("kraft-data");
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      p.put("listeners", "PLAINTEXT://" + bindHost + ":" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      p.put("log.dirs", logDir.toString());
      p.put("num.partitions", Integer.toString(partitions));
      p.put("default.replication.factor", "1");
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "5");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("min.insync.replicas", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      p.put("auto.create.topics.enable", "true");
      p.put("log.retention.hours", "48");
      p.put("log.segment.bytes", Integer.toString(256 * 1024 * 1024));
      p.put("message.max.bytes", Integer.toString(2 * 1024 * 1024));
      p.putAll(overrides);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        Path config = dir.resolve("format.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
          p.store(out, "written by EmbeddedBroker to format the storage directory");
        }
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
            config.toString(), "--ignore-formatted"});
        if (rc != 0) {
          throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed (exit " + rc + ")");
        }
        LOG.info("formatted Kafka storage in {}", logDir);
      }
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
      server.startup();
      EmbeddedBroker broker = new EmbeddedBroker(server, clientPort);
      broker.awaitListening();
      LOG.info("Kafka broker listening on {}", broker.bootstrapServers());
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Kafka broker in " + dir, e);
    }
  }

  /** The bootstrap address, {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  /** Stops the broker and waits until it is down. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw new IllegalStateException("Kafka broker did not open port " + port + " within 60 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Logging for the standalone mains when no logging configuration is given: INFO, with the Kafka
   * broker and clients (very chatty) at WARN.
   */
  public static void quietLogging() {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
        && System.getProperty("logback.configurationFile") == null && root.getLevel() == Level.DEBUG) {
      root.setLevel(Level.INFO);
    }
    for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      org.slf4j.Logger l = LoggerFactory.getLogger(name);
      if (l instanceof ch.qos.logback.classic.Logger lb) {
        lb.setLevel(Level.WARN);
      }
    }
  }

  /**
   * Settings of a broker that serves a deployment rather than a test: Kafka's default 3 s hold on a
   * new group's first rebalance, so that workers started together join one generation. Without it
   * the first worker to arrive takes every partition and the second one's join, a moment later,
   * revokes half of them in the middle of a batch ("offsets not committed because the group
   * rebalanced"). Tests keep no delay: their groups are formed by one consumer or awaited.
   */
  public static final java.util.Map<String, String> SERVICE_SETTINGS = java.util.Map.of(
      "group.initial.rebalance.delay.ms", "3000");

  public static void main(String[] args) throws InterruptedException {
    Path dir = null;
    int port = 9092;
    int partitions = 6;
    String bind = "127.0.0.1";
    String delayMs = SERVICE_SETTINGS.get("group.initial.rebalance.delay.ms");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[++i]);
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--partitions" -> partitions = Integer.parseInt(args[++i]);
        case "--bind" -> bind = args[++i];
        case "--initial-rebalance-delay-ms" -> delayMs = args[++i];
        default -> {
          System.err.println("usage: EmbeddedBroker --dir <storage dir> [--port 9092] [--partitions 6] [--bind 127.0.0.1] "
              + "[--initial-rebalance-delay-ms 3000]");
          System.exit(2);
        }
      }
    }
    if (dir == null) {
      System.err.println("usage: EmbeddedBroker --dir <storage dir> [--port 9092] [--partitions 6] [--bind 127.0.0.1] "
              + "[--initial-rebalance-delay-ms 3000]");
      System.exit(2);
    }
    quietLogging();
    EmbeddedBroker broker = start(dir, bind, port, partitions, java.util.Map.of("group.initial.rebalance.delay.ms",
        delayMs));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping Kafka broker");
      broker.close();
      stopped.countDown();
    }, "broker-shutdown"));
    System.out.println("SafeGrid Kafka broker ready on " + broker.bootstrapServers());
    stopped.await();
  }
}
