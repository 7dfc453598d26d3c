package org.safegrid.ingest.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The identity a Kafka client of SafeGrid presents: SASL SCRAM-SHA-512 over TLS (SASL_SSL). The one
 * place that turns it into client settings ({@link #applyTo}); every producer, consumer and admin
 * client of SafeGrid goes through it.
 *
 * <p>{@link #fromEnvironment()} reads, each from an environment variable or else a system property:
 * <ul>
 *   <li>{@code SAFEGRID_KAFKA_USER} / {@code safegrid.kafka.user}: the SCRAM user (principal);</li>
 *   <li>{@code SAFEGRID_KAFKA_PASSWORD} / {@code safegrid.kafka.password}: its password;</li>
 *   <li>{@code SAFEGRID_KAFKA_TRUSTSTORE} / {@code safegrid.kafka.truststore}: PKCS12 truststore with the
 *       broker's CA (unset: the JVM's default trust, for a broker with a publicly trusted certificate);</li>
 *   <li>{@code SAFEGRID_KAFKA_TRUSTSTORE_PASSWORD} / {@code safegrid.kafka.truststore-password};</li>
 *   <li>{@code SAFEGRID_KAFKA_SECURITY_DIR} / {@code safegrid.kafka.security-dir}: the folder an
 *       {@link EmbeddedBroker} keeps its CA and credentials in ({@link BrokerSecurity}); a process on the
 *       broker's host that may read it needs only the user name, password and truststore come from
 *       there.</li>
 * </ul>
 * There is no unauthenticated mode: a missing user or password is an error that says what to set.
 *
 * @param user               SCRAM user name
 * @param password           its password
 * @param truststore         PKCS12 truststore, or null for the JVM default
 * @param truststorePassword password of the truststore, or null
 */
public record KafkaClientSecurity(String user, String password, Path truststore, String truststorePassword) {

  /** The one SASL mechanism SafeGrid's brokers accept from clients. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  public KafkaClientSecurity {
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("the Kafka user is not set: set SAFEGRID_KAFKA_USER (and SAFEGRID_KAFKA_PASSWORD, "
          + "SAFEGRID_KAFKA_TRUSTSTORE) -- the broker accepts only SASL SCRAM-SHA-512 over TLS; see docs/security.md");
    }
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("no password for Kafka user " + user + ": set SAFEGRID_KAFKA_PASSWORD "
          + "or SAFEGRID_KAFKA_SECURITY_DIR (the local broker's security folder); see docs/security.md");
    }
  }

  /** The identity configured for this process (environment first, then system properties). */
  public static KafkaClientSecurity fromEnvironment() {
    return from(KafkaClientSecurity::fromEnv);
  }

  /**
   * Another user of the local broker's security folder ({@code SAFEGRID_KAFKA_SECURITY_DIR}), e.g. the
   * simulator's source principals; a configured {@code SAFEGRID_KAFKA_PASSWORD} is another user's and
   * is not used.
   */
  public static KafkaClientSecurity fromEnvironment(String user) {
    return from(key -> switch (key) {
      case "SAFEGRID_KAFKA_USER" -> user;
      case "SAFEGRID_KAFKA_PASSWORD" -> null;
      default -> fromEnv(key);
    });
  }

  private static String fromEnv(String key) {
    return Optional.ofNullable(System.getenv(key))
        .or(() -> Optional.ofNullable(System.getProperty(propertyName(key)))).orElse(null);
  }

  /** Reads the identity from a lookup of the {@code SAFEGRID_KAFKA_*} names. */
  static KafkaClientSecurity from(UnaryOperator<String> lookup) {
    String user = lookup.apply("SAFEGRID_KAFKA_USER");
    String password = lookup.apply("SAFEGRID_KAFKA_PASSWORD");
    String truststore = lookup.apply("SAFEGRID_KAFKA_TRUSTSTORE");
    String truststorePassword = lookup.apply("SAFEGRID_KAFKA_TRUSTSTORE_PASSWORD");
    String dir = lookup.apply("SAFEGRID_KAFKA_SECURITY_DIR");
    if (dir != null && !dir.isBlank() && user != null && (password == null || truststore == null)) {
      Properties c = readCredentials(Path.of(dir));
      if (password == null) {
        password = c.getProperty(BrokerSecurity.USER_KEY_PREFIX + user);
        if (password == null) {
          throw new IllegalArgumentException("Kafka user " + user + " is not one of the local broker's users in "
              + dir + " (" + BrokerSecurity.PRINCIPALS + ")");
        }
      }
      if (truststore == null) {
        truststore = Path.of(dir).resolve(BrokerSecurity.TRUSTSTORE).toString();
        truststorePassword = c.getProperty(BrokerSecurity.TRUSTSTORE_PASSWORD_KEY);
      }
    }
    return new KafkaClientSecurity(user, password, truststore == null ? null : Path.of(truststore), truststorePassword);
  }

  /** The security folder configured for this process, if any (where a local broker keeps its CA). */
  public static Optional<Path> configuredSecurityDir() {
    return Optional.ofNullable(fromEnv("SAFEGRID_KAFKA_SECURITY_DIR")).filter(s -> !s.isBlank()).map(Path::of);
  }

  private static Properties readCredentials(Path dir) {
    Properties c = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(BrokerSecurity.CREDENTIALS))) {
      c.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Kafka credentials in " + dir
          + " (is SAFEGRID_KAFKA_SECURITY_DIR the broker's security folder?)", e);
    }
    return c;
  }

  private static String propertyName(String env) {
    // SAFEGRID_KAFKA_SECURITY_DIR -> safegrid.kafka.security-dir
    return "safegrid." + env.substring("SAFEGRID_".length()).toLowerCase(java.util.Locale.ROOT)
        .replaceFirst("_", ".").replace('_', '-');
  }

  /** Settings of a client of {@code bootstrapServers} with this identity; add the client's own settings to them. */
  public Properties clientProperties(String bootstrapServers) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return applyTo(p);
  }

  /** Adds the security settings to a client's configuration and returns it. */
  public Properties applyTo(Properties p) {
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    p.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
    p.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(user, password));
    if (truststore != null) {
      p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
      p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.toString());
      if (truststorePassword != null) {
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
      }
    }
    return p;
  }

  /** The same identity for a child process, as the environment variables {@link #fromEnvironment()} reads. */
  public void exportTo(Map<String, String> env) {
    env.put("SAFEGRID_KAFKA_USER", user);
    env.put("SAFEGRID_KAFKA_PASSWORD", password);
    if (truststore != null) {
      env.put("SAFEGRID_KAFKA_TRUSTSTORE", truststore.toString());
    }
    if (truststorePassword != null) {
      env.put("SAFEGRID_KAFKA_TRUSTSTORE_PASSWORD", truststorePassword);
    }
    configuredSecurityDir().ifPresent(d -> env.put("SAFEGRID_KAFKA_SECURITY_DIR", d.toString()));
  }

  /** The same truststore under another user (e.g. a test acting as a camera integrator). */
  public KafkaClientSecurity as(String otherUser, String otherPassword) {
    return new KafkaClientSecurity(otherUser, otherPassword, truststore, truststorePassword);
  }

  static String jaasConfig(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + quote(user)
        + "\" password=\"" + quote(password) + "\";";
  }

  private static String quote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public String toString() {
    // the password stays out of logs
    return "KafkaClientSecurity[user=" + user + ", truststore=" + truststore + "]";
  }
}
