package org.safegrid.ingest.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.safegrid.ingest.event.Source;

/**
 * The secrets of a local {@link EmbeddedBroker}, kept in one folder (mode 0700, files 0600) and
 * generated at first start: a CA and the broker's TLS key pair signed by it (PKCS12, made with the
 * JDK's {@code keytool}), a truststore holding the CA, and a random password for each of SafeGrid's
 * Kafka users ({@link #PRINCIPALS}). Several brokers may share one folder (the tests do); two
 * processes creating it at once agree on one copy (built aside, then moved in atomically).
 *
 * <p>Files: {@value #CREDENTIALS} ({@code user.<name>=<password>}, keystore and truststore passwords),
 * {@value #KEYSTORE} (broker key + chain), {@value #TRUSTSTORE} (the CA certificate), {@code ca.p12}
 * (the CA key, used only here) and {@code ca.crt} (PEM, for kcat and other non-Java clients).
 */
public final class BrokerSecurity {

  /** The bootstrap administrator: the only super user, known to the broker's loopback listeners only. */
  public static final String ADMIN = "safegrid-admin";
  /** The ingest workers: read the event topics, write the dead-letter topic. */
  public static final String INGEST = "safegrid-ingest";
  /** The server: writes alerts and incidents (and reads events when it hosts the ingest workers). */
  public static final String SERVER = "safegrid-server";
  /** Prefix of the per-source principals ({@code src-camera}, ...) of the simulator and local integrators. */
  public static final String SOURCE_PREFIX = "src-";

  /** Every user of a local broker, the administrator first. */
  public static final List<String> PRINCIPALS;

  static {
    List<String> p = new ArrayList<>(List.of(ADMIN, INGEST, SERVER));
    for (Source s : Source.values()) {
      p.add(sourcePrincipal(s));
    }
    PRINCIPALS = List.copyOf(p);
  }

  static final String CREDENTIALS = "credentials.properties";
  static final String KEYSTORE = "broker.p12";
  static final String TRUSTSTORE = "truststore.p12";
  static final String USER_KEY_PREFIX = "user.";
  static final String TRUSTSTORE_PASSWORD_KEY = "truststore.password";
  static final String KEYSTORE_PASSWORD_KEY = "keystore.password";

  private final Path dir;
  private final Properties credentials;

  private BrokerSecurity(Path dir, Properties credentials) {
    this.dir = dir;
    this.credentials = credentials;
  }

  /** The principal a source's built-in producer (the simulator) writes as: {@code src-<source>}. */
  public static String sourcePrincipal(Source s) {
    return SOURCE_PREFIX + s.wireName();
  }

  /** Loads the folder, creating CA, key pair and passwords first if it does not exist yet. */
  public static BrokerSecurity loadOrCreate(Path dir) {
    try {
      if (!Files.exists(dir.resolve(CREDENTIALS))) {
        create(dir);
      }
      Properties c = new Properties();
      try (InputStream in = Files.newInputStream(dir.resolve(CREDENTIALS))) {
        c.load(in);
      }
      return new BrokerSecurity(dir, c);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka TLS key pair and credentials in " + dir, e);
    }
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** The password of a user. */
  public String password(String user) {
    String p = credentials.getProperty(USER_KEY_PREFIX + user);
    if (p == null) {
      throw new IllegalArgumentException("no Kafka user " + user + " in " + dir + "; users: " + PRINCIPALS);
    }
    return p;
  }

  /** A client identity of one of the users, trusting the broker's CA. */
  public KafkaClientSecurity client(String user) {
    return new KafkaClientSecurity(user, password(user), truststore(), credentials.getProperty(TRUSTSTORE_PASSWORD_KEY));
  }

  Path keystore() {
    return dir.resolve(KEYSTORE);
  }

  Path truststore() {
    return dir.resolve(TRUSTSTORE);
  }

  String keystorePassword() {
    return credentials.getProperty(KEYSTORE_PASSWORD_KEY);
  }

  /**
   * Writes a folder for one client service: its own password only (as {@value #CREDENTIALS}), the
   * truststore and {@code ca.crt}, so that {@code SAFEGRID_KAFKA_SECURITY_DIR=<folder>} with
   * {@code SAFEGRID_KAFKA_USER=<user>} connects and nothing else can be read from it.
   */
  public void exportClient(String user, Path to) throws IOException {
    Properties c = new Properties();
    c.setProperty(USER_KEY_PREFIX + user, password(user));
    c.setProperty(TRUSTSTORE_PASSWORD_KEY, credentials.getProperty(TRUSTSTORE_PASSWORD_KEY));
    writeFolder(to, c, List.of(TRUSTSTORE, "ca.crt"));
  }

  /**
   * Writes the folder an external broker (the compose stack's {@code apache/kafka}) needs: its key
   * store, {@code broker.env} (keystore password and the administrator's PLAIN JAAS settings of the
   * {@code BROKER} and {@code CONTROLLER} listeners, as the image's {@code KAFKA_*} variables) and
   * {@code admin.properties} (a client configuration of the administrator for the health check).
   */
  public void exportBroker(Path to) throws IOException {
    String admin = password(ADMIN);
    String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"" + ADMIN
        + "\\\" password=\\\"" + admin + "\\\" user_" + ADMIN + "=\\\"" + admin + "\\\";";
    writeFolder(to, new Properties(), List.of(KEYSTORE, TRUSTSTORE, "ca.crt"));
    Files.writeString(to.resolve("broker.env"), String.join("\n",
        "export KAFKA_SSL_KEYSTORE_PASSWORD=\"" + keystorePassword() + "\"",
        "export KAFKA_LISTENER_NAME_BROKER_PLAIN_SASL_JAAS_CONFIG=\"" + jaas + "\"",
        "export KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG=\"" + jaas + "\"", ""));
    Properties a = new Properties();
    a.setProperty("security.protocol", "SASL_SSL");
    a.setProperty("sasl.mechanism", "PLAIN");
    a.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + ADMIN + "\" password=\"" + admin + "\";");
    a.setProperty("ssl.truststore.type", "PKCS12");
    a.setProperty("ssl.truststore.location", to.resolve(TRUSTSTORE).toString());
    a.setProperty("ssl.truststore.password", credentials.getProperty(TRUSTSTORE_PASSWORD_KEY));
    try (OutputStream out = Files.newOutputStream(to.resolve("admin.properties"))) {
      a.store(out, "the Kafka administrator over the BROKER listener (health check)");
    }
    for (String f : List.of("broker.env", "admin.properties")) {
      Files.setPosixFilePermissions(to.resolve(f), PosixFilePermissions.fromString("rw-------"));
    }
  }

  private void writeFolder(Path to, Properties c, List<String> copies) throws IOException {
    Files.createDirectories(to);
    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
    if (!c.isEmpty()) {
      try (OutputStream out = Files.newOutputStream(to.resolve(CREDENTIALS))) {
        c.store(out, "SafeGrid Kafka credentials of one service; keep secret");
      }
      Files.setPosixFilePermissions(to.resolve(CREDENTIALS), PosixFilePermissions.fromString("rw-------"));
    }
    for (String f : copies) {
      Files.copy(dir.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(to.resolve(f), PosixFilePermissions.fromString("rw-------"));
    }
  }

  /**
   * {@code BrokerSecurity --dir DIR [--export-broker TO] [--export-client USER TO]...}: makes the
   * folder if missing (nothing secret is printed) and writes per-service folders from it.
   */
  public static void main(String[] args) throws IOException {
    Path d = null;
    List<String[]> exports = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir" -> d = Path.of(args[++i]);
        case "--export-broker" -> exports.add(new String[] {null, args[++i]});
        case "--export-client" -> exports.add(new String[] {args[++i], args[++i]});
        default -> d = null;
      }
    }
    if (d == null) {
      System.err.println("usage: BrokerSecurity --dir DIR [--export-broker TO] [--export-client USER TO]...");
      System.exit(2);
    }
    BrokerSecurity s = loadOrCreate(d);
    for (String[] e : exports) {
      if (e[0] == null) {
        s.exportBroker(Path.of(e[1]));
      } else {
        s.exportClient(e[0], Path.of(e[1]));
      }
    }
    System.out.println("Kafka CA, broker key pair and users " + PRINCIPALS + " in " + d);
  }

  private static void create(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, dir.getFileName() + ".new-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      String storePassword = randomSecret();
      Properties c = new Properties();
      for (String user : PRINCIPALS) {
        c.setProperty(USER_KEY_PREFIX + user, randomSecret());
      }
      c.setProperty(KEYSTORE_PASSWORD_KEY, storePassword);
      c.setProperty(TRUSTSTORE_PASSWORD_KEY, storePassword);
      generateKeys(tmp, storePassword);
      try (OutputStream out = Files.newOutputStream(tmp.resolve(CREDENTIALS))) {
        c.store(out, "SafeGrid Kafka users (SCRAM-SHA-512) and store passwords; keep secret");
      }
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        }
      }
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot move the new Kafka security folder into place at " + dir, e);
      } catch (java.nio.file.FileSystemException e) {
        // another process won the race (rename(2) over its folder fails with ENOTEMPTY, which the JDK
        // reports as a plain FileSystemException on an atomic move): use its copy, complete since it
        // was moved into place whole
        deleteTree(tmp);
        if (!Files.exists(dir.resolve(CREDENTIALS))) {
          throw e;
        }
      }
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  /** CA, broker key pair signed by it (SAN: loopback, localhost, this host, {@code kafka}), truststore. */
  private static void generateKeys(Path d, String pw) throws IOException {
    Set<String> san = new LinkedHashSet<>(List.of("ip:127.0.0.1", "dns:localhost", "dns:kafka"));
    try {
      san.add("dns:" + InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      // no resolvable host name: loopback is enough for a local broker
    }
    String extra = System.getenv("SAFEGRID_KAFKA_TLS_HOSTNAMES");
    if (extra != null) {
      for (String h : extra.split(",")) {
        if (!h.isBlank()) {
          san.add((h.trim().matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + h.trim());
        }
      }
    }
    String ca = d.resolve("ca.p12").toString();
    String broker = d.resolve(KEYSTORE).toString();
    keytool(d, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
        "-dname", "CN=SafeGrid Kafka CA", "-ext", "bc:c", "-keystore", ca, "-storetype", "PKCS12", "-storepass", pw);
    keytool(d, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", pw, "-file", "ca.crt");
    keytool(d, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
        "-dname", "CN=safegrid-broker", "-keystore", broker, "-storetype", "PKCS12", "-storepass", pw);
    keytool(d, "-certreq", "-alias", "broker", "-keystore", broker, "-storepass", pw, "-file", "broker.csr");
    keytool(d, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", pw, "-validity", "3650",
        "-infile", "broker.csr", "-outfile", "broker.crt", "-ext", "san=" + String.join(",", san),
        "-ext", "eku=serverAuth");
    keytool(d, "-importcert", "-noprompt", "-alias", "ca", "-keystore", broker, "-storepass", pw, "-file", "ca.crt");
    keytool(d, "-importcert", "-noprompt", "-alias", "broker", "-keystore", broker, "-storepass", pw,
        "-file", "broker.crt");
    keytool(d, "-importcert", "-noprompt", "-alias", "ca", "-keystore", TRUSTSTORE, "-storetype", "PKCS12",
        "-storepass", pw, "-file", "ca.crt");
    Files.delete(d.resolve("broker.csr"));
    Files.delete(d.resolve("broker.crt"));
  }

  private static void keytool(Path workDir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // the store password is read from the environment, never from the command line (process lists)
    List<String> a = new ArrayList<>(List.of(args));
    String pw = null;
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).equals("-storepass")) {
        pw = a.get(i + 1);
        a.set(i, "-storepass:env");
        a.set(i + 1, "SAFEGRID_STOREPASS");
      }
    }
    cmd.addAll(a);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    if (pw != null) {
      pb.environment().put("SAFEGRID_STOREPASS", pw);
    }
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + args[0] + " failed: " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while running keytool", e);
    }
  }

  private static String randomSecret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
