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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft mode (combined broker + controller), for local runs and tests.
 *
 * <p>The storage directory is formatted on first start and reused afterwards, so topics and
 * committed offsets survive a restart. Not for production: replication factor 1.
 *
 * <p>Authenticated in every mode. Listeners:
 * <ul>
 *   <li>{@code CLIENT} (the given port, on 127.0.0.1 unless told otherwise): SASL_SSL, SCRAM-SHA-512 only;
 *       the broker's TLS key pair and the users' passwords come from a {@link BrokerSecurity} folder
 *       ({@code SAFEGRID_KAFKA_SECURITY_DIR}, else {@code <dir>/security}), generated at first start;</li>
 *   <li>{@code INTERNAL} and {@code CONTROLLER} (random ports, 127.0.0.1 only, never advertised to
 *       clients): SASL PLAIN with the one static user {@value BrokerSecurity#ADMIN}, the super user. The
 *       broker talks to its controller and to itself there, and at each start creates the SCRAM users and
 *       the ACLs of {@link BrokerAcls} through it (SCRAM users live in the metadata, so they cannot
 *       authenticate the controller that holds it).</li>
 * </ul>
 * Authorisation: {@code StandardAuthorizer}, nothing allowed without an ACL.
 *
 * <p>Main: {@code --dir <storage dir>} (required), {@code --security-dir <dir>} (CA, key pair
 * and passwords; default {@code SAFEGRID_KAFKA_SECURITY_DIR} or {@code <storage dir>/security}), {@code --port <port>} (default 9092; 0 = any free
 * port), {@code --partitions <n>} (default for new topics, 6), {@code --bind <host>} (address the client
 * listener binds, default 127.0.0.1; the advertised address stays 127.0.0.1). Stops cleanly on SIGTERM.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final KafkaRaftServer server;
  private final int port;
  private final BrokerSecurity security;
  private volatile boolean closed;

  private EmbeddedBroker(KafkaRaftServer server, int port, BrokerSecurity security) {
    this.server = server;
    this.port = port;
    this.security = security;
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
    Path securityDir = KafkaClientSecurity.configuredSecurityDir().orElse(dir.resolve("security"));
    return start(dir, BrokerSecurity.loadOrCreate(securityDir), bindHost, port, partitions, overrides);
  }

  /**
   * Starts a broker with the given secrets (CA, key pair, user passwords); see the class comment for
   * its listeners.
   */
  public static EmbeddedBroker start(Path dir, BrokerSecurity security, String bindHost, int port, int partitions,
                                     java.util.Map<String, String> overrides) {
    try {
      Files.createDirectories(dir);
      int clientPort = port == 0 ? freePort() : port;
      int internalPort = freePort();
      int controllerPort = freePort();
      Path logDir = dir.resolve("kraft-data");
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      p.put("listeners", "CLIENT://" + bindHost + ":" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort
          + ",CONTROLLER://127.0.0.1:" + controllerPort);
      p.put("advertised.listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "INTERNAL");
      p.put("listener.security.protocol.map", "CLIENT:SASL_SSL,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
      // clients: SCRAM over TLS, users and ACLs in the cluster metadata
      p.put("sasl.enabled.mechanisms", KafkaClientSecurity.MECHANISM);
      p.put("listener.name.client.sasl.enabled.mechanisms", KafkaClientSecurity.MECHANISM);
      p.put("listener.name.client.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.put("ssl.keystore.type", "PKCS12");
      p.put("ssl.keystore.location", security.keystore().toString());
      p.put("ssl.keystore.password", security.keystorePassword());
      p.put("ssl.client.auth", "none");
      // the broker itself and its controller: the administrator over loopback with a fixed PLAIN user, which
      // exists before the metadata (and its SCRAM users) does
      String adminJaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
          + BrokerSecurity.ADMIN + "\" password=\"" + security.password(BrokerSecurity.ADMIN) + "\" user_"
          + BrokerSecurity.ADMIN + "=\"" + security.password(BrokerSecurity.ADMIN) + "\";";
      for (String l : new String[] {"internal", "controller"}) {
        p.put("listener.name." + l + ".sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name." + l + ".plain.sasl.jaas.config", adminJaas);
      }
      p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
      p.put("sasl.mechanism.controller.protocol", "PLAIN");
      p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      p.put("allow.everyone.if.no.acl.found", "false");
      p.put("super.users", "User:" + BrokerSecurity.ADMIN);
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
        format(dir, logDir, p, security);
      }
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
      server.startup();
      EmbeddedBroker broker = new EmbeddedBroker(server, clientPort, security);
      try {
        broker.awaitListening();
        broker.bootstrapUsersAndAcls(internalPort);
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
      LOG.info("Kafka broker listening on {} (SASL_SSL, SCRAM-SHA-512)", broker.bootstrapServers());
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Kafka broker in " + dir, e);
    }
  }

  /** Formats the storage directory; the settings file holds the admin password, so it lives only as long as that. */
  private static void format(Path dir, Path logDir, Properties p, BrokerSecurity security) throws IOException {
    Path config = dir.resolve("format.properties");
    Files.deleteIfExists(config);
    Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    try {
      try (OutputStream out = Files.newOutputStream(config)) {
        p.store(out, "written by EmbeddedBroker to format the storage directory");
      }
      // the SCRAM users go into the first metadata, so they exist the moment the client port opens
      List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c",
          config.toString(), "--ignore-formatted"));
      for (String user : BrokerSecurity.PRINCIPALS) {
        args.add("--add-scram");
        args.add(KafkaClientSecurity.MECHANISM + "=[name=" + user + ",password=" + security.password(user) + "]");
      }
      int rc = StorageTool.execute(args.toArray(String[]::new));
      if (rc != 0) {
        throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed (exit " + rc + ")");
      }
    } finally {
      Files.deleteIfExists(config);
    }
    LOG.info("formatted Kafka storage in {}", logDir);
  }

  /** Creates the SCRAM users and ACLs through the loopback-only internal listener ({@link BrokerBootstrap}). */
  private void bootstrapUsersAndAcls(int internalPort) {
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + internalPort);
    a.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    BrokerBootstrap.apply(a, security);
  }

  /** The broker's secrets: hand {@link BrokerSecurity#client} to a client that connects as one of its users. */
  public BrokerSecurity security() {
    return security;
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
    Path securityDir = null;
    int port = 9092;
    int partitions = 6;
    String bind = "127.0.0.1";
    String delayMs = SERVICE_SETTINGS.get("group.initial.rebalance.delay.ms");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[++i]);
        case "--security-dir" -> securityDir = Path.of(args[++i]);
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--partitions" -> partitions = Integer.parseInt(args[++i]);
        case "--bind" -> bind = args[++i];
        case "--initial-rebalance-delay-ms" -> delayMs = args[++i];
        default -> {
          System.err.println("usage: EmbeddedBroker --dir <storage dir> [--security-dir <dir>] [--port 9092] [--partitions 6] [--bind 127.0.0.1] "
              + "[--initial-rebalance-delay-ms 3000]");
          System.exit(2);
        }
      }
    }
    if (dir == null) {
      System.err.println("usage: EmbeddedBroker --dir <storage dir> [--security-dir <dir>] [--port 9092] [--partitions 6] [--bind 127.0.0.1] "
              + "[--initial-rebalance-delay-ms 3000]");
      System.exit(2);
    }
    quietLogging();
    Path sec = securityDir != null ? securityDir
        : KafkaClientSecurity.configuredSecurityDir().orElse(dir.resolve("security"));
    EmbeddedBroker broker = start(dir, BrokerSecurity.loadOrCreate(sec), bind, port, partitions,
        java.util.Map.of("group.initial.rebalance.delay.ms", delayMs));
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
