package org.safegrid.ingest.chaos;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.broker.EmbeddedBroker;

/**
 * A Kafka broker JVM in its own network namespace, reached from the host through a port forward on
 * {@code 127.0.0.1:<port>}; {@link #partition()} takes the namespace's only link down, as a real
 * network partition does (packets blackholed, no RST, no FIN).
 *
 * <p>Built without privileges: {@code unshare -rn} gives the broker a user and network namespace
 * (loopback only), {@code slirp4netns} gives that namespace a {@code tap0} link to the host and
 * forwards the host's {@code 127.0.0.1:<port>} to the broker, which binds {@code 0.0.0.0:<port>} in
 * the namespace and advertises {@code 127.0.0.1:<port>}, the address host clients use. Its controller
 * listener stays on the namespace's loopback. Needs {@code unshare} and {@code nsenter} (util-linux),
 * {@code ip} (iproute2), {@code slirp4netns} and user namespaces enabled; anything missing fails the
 * start with a message naming what to install.
 */
final class NetnsBroker implements AutoCloseable {

  private static final String READY = "SafeGrid Kafka broker ready on";

  final Path dir;
  final int port;
  final Path log;
  private final Path apiSocket;
  private final String unshare;
  private final String slirp4netns;
  private final String nsenter;
  private final String ip;
  private Process broker;
  private Process slirp;

  NetnsBroker() throws IOException, InterruptedException {
    unshare = tool("unshare", "util-linux");
    nsenter = tool("nsenter", "util-linux");
    ip = tool("ip", "iproute2");
    slirp4netns = tool("slirp4netns", "slirp4netns");
    Process probe = new ProcessBuilder(unshare, "-rn", "true").redirectErrorStream(true).start();
    String probeOut = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (probe.waitFor() != 0) {
      throw new IllegalStateException("user namespaces are not allowed here ('unshare -rn true' failed: " + probeOut
          + "); the partition check needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1,"
          + " and kernel.apparmor_restrict_unprivileged_userns=0 where AppArmor restricts them)");
    }
    dir = Files.createTempDirectory("safegrid-chaos-netns-kafka-");
    log = File.createTempFile("chaos-netns-broker", ".log").toPath();
    apiSocket = dir.resolve("slirp4netns.sock");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker in its namespace, connects the namespace to the host and forwards the port. */
  void start() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(unshare, "-rn", "sh", "-c",
        "\"$0\" link set lo up && exec \"$@\"", ip,
        ChaosProcesses.java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        EmbeddedBroker.class.getName(), "--security-dir", KafkaClientSecurity.configuredSecurityDir().orElseThrow().toString(),
          "--dir", dir.resolve("kafka").toString(), "--port", Integer.toString(port),
        "--partitions", "6", "--bind", "0.0.0.0", "--initial-rebalance-delay-ms", "0"));
    broker = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::destroyForcibly));
    long pid = broker.pid();
    // unshare(2) runs in the child after the fork: wait until it has its own network namespace, or
    // slirp4netns would attach to the host's
    Path hostNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
    awaitTrue(() -> !Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).equals(hostNs),
        "the broker's own network namespace");
    slirp = new ProcessBuilder(slirp4netns, "--configure", "--mtu=65520", "--api-socket", apiSocket.toString(),
        Long.toString(pid), "tap0").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Runtime.getRuntime().addShutdownHook(new Thread(slirp::destroyForcibly));
    awaitTrue(() -> Files.exists(apiSocket), "slirp4netns's API socket");
    String answer = api("{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": \"127.0.0.1\","
        + " \"host_port\": " + port + ", \"guest_port\": " + port + "}}");
    if (!answer.contains("\"return\"")) {
      throw new IllegalStateException("slirp4netns refused the port forward of " + port + ": " + answer);
    }
    // the host side of the forward accepts connections even before the broker listens: wait for its word
    awaitTrue(() -> Files.readString(log).contains(READY), "the broker in its namespace (log " + log + ")");
  }

  /** Cuts the namespace off: its link goes down, every packet to and from the broker is dropped. */
  void partition() throws Exception {
    inNamespace(ip, "link", "set", "tap0", "down");
  }

  /** Heals the partition: the link comes up and gets its default route back. */
  void heal() throws Exception {
    inNamespace(ip, "link", "set", "tap0", "up");
    inNamespace(ip, "route", "replace", "default", "via", "10.0.2.2", "dev", "tap0");
  }

  private void inNamespace(String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(nsenter, "-t", Long.toString(broker.pid()), "-U", "-n",
        "--preserve-credentials"));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  /** One request to slirp4netns's API socket (one JSON line), its one-line answer. */
  private String api(String request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(apiSocket));
      ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        ch.write(out);
      }
      ch.shutdownOutput();
      ByteBuffer in = ByteBuffer.allocate(4096);
      while (ch.read(in) >= 0 && in.hasRemaining()
          && (in.position() == 0 || in.get(in.position() - 1) != '\n' && in.get(in.position() - 1) != '}')) {
        // until the answer is complete (slirp4netns closes after it, or ends it)
      }
      return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
    }
  }

  @Override
  public void close() throws Exception {
    if (broker != null) {
      broker.destroy();
      if (!broker.waitFor(30, TimeUnit.SECONDS)) {
        broker.destroyForcibly();
        broker.waitFor(30, TimeUnit.SECONDS);
      }
    }
    if (slirp != null) {
      slirp.destroy();
      if (!slirp.waitFor(10, TimeUnit.SECONDS)) {
        slirp.destroyForcibly();
      }
    }
    new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private void awaitTrue(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + ChaosProcesses.BROKER_START.toNanos();
    while (System.nanoTime() < deadline) {
      if (broker != null && !broker.isAlive()) {
        throw new IllegalStateException("the broker in its network namespace exited; see " + log);
      }
      if (slirp != null && !slirp.isAlive()) {
        throw new IllegalStateException("slirp4netns exited; see " + log);
      }
      try {
        if (check.ok()) {
          return;
        }
      } catch (IOException e) {
        // not there yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("waited " + ChaosProcesses.BROKER_START.toSeconds() + " s in vain for " + what);
  }

  /** The absolute path of {@code name} on PATH (or in /usr/sbin, /sbin), or a failure naming the package. */
  private static String tool(String name, String debianPackage) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    for (String d : dirs) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name).toString();
      }
    }
    throw new IllegalStateException("'" + name + "' not found: the network-partition check needs it; install the"
        + " Debian package " + debianPackage + " (./safegrid test installs it)");
  }
}
