package org.safegrid.ingest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestWorkers;

/**
 * The embedded broker against real clients: no client gets in without SCRAM credentials over TLS,
 * and an authenticated source principal may write only its own topic.
 */
class KafkaAuthenticationTest {

  private static final String CAMERA_TOPIC = Source.TOPIC_PREFIX + "camera";
  private static final String PATROL_TOPIC = Source.TOPIC_PREFIX + "patrol";

  @TempDir
  static Path dir;
  static EmbeddedBroker broker;

  @BeforeAll
  static void start() throws Exception {
    EmbeddedBroker.quietLogging();
    broker = EmbeddedBroker.start(dir.resolve("kafka"), 0, 1, Map.of("auto.create.topics.enable", "false"));
    try (Admin admin = Admin.create(admin())) {
      admin.createTopics(List.of(new NewTopic(CAMERA_TOPIC, 1, (short) 1), new NewTopic(PATROL_TOPIC, 1, (short) 1),
          new NewTopic(BrokerAcls.ALERTS_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private static Properties admin() {
    return broker.security().client(BrokerSecurity.ADMIN).clientProperties(broker.bootstrapServers());
  }

  private static Properties quick(Properties p) {
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
    return p;
  }

  /** Sends one record and waits for it; a refused send throws the producer's own exception. */
  private static void write(Properties producer, String topic, String value) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(quick(producer))) {
      p.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static List<String> readAsAdmin(String topic) {
    Properties c = admin();
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<String> values = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      return values;
    }
  }

  private static Properties plainProducer(String protocol) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  @Test
  void clientWithoutCredentialsCannotWrite() throws Exception {
    assertThatThrownBy(() -> write(plainProducer("PLAINTEXT"), CAMERA_TOPIC, "plaintext-forgery"))
        .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    // TLS alone (trusting the CA) but no SASL: the broker still refuses
    Properties tlsOnly = plainProducer("SSL");
    tlsOnly.put("ssl.truststore.type", "PKCS12");
    tlsOnly.put("ssl.truststore.location", broker.security().truststore().toString());
    tlsOnly.put("ssl.truststore.password", broker.security().client(BrokerSecurity.ADMIN).truststorePassword());
    assertThatThrownBy(() -> write(tlsOnly, CAMERA_TOPIC, "tls-forgery"))
        .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    assertThat(readAsAdmin(CAMERA_TOPIC)).doesNotContain("plaintext-forgery", "tls-forgery");
  }

  @Test
  void clientWithWrongPasswordIsRefused() {
    KafkaClientSecurity wrong = broker.security().client(BrokerSecurity.sourcePrincipal(Source.CAMERA))
        .as("src-camera", "not-the-password");
    assertThatThrownBy(() -> write(IngestWorkers.producerProperties(broker.bootstrapServers(), wrong), CAMERA_TOPIC,
        "wrong-password"))
        .isInstanceOf(SaslAuthenticationException.class);
    assertThat(readAsAdmin(CAMERA_TOPIC)).doesNotContain("wrong-password");
  }

  @Test
  void cameraPrincipalWritesOnlyItsOwnTopic() throws Exception {
    KafkaClientSecurity camera = broker.security().client(BrokerSecurity.sourcePrincipal(Source.CAMERA));
    write(IngestWorkers.producerProperties(broker.bootstrapServers(), camera), CAMERA_TOPIC, "camera-ok");
    assertThat(readAsAdmin(CAMERA_TOPIC)).contains("camera-ok");

    assertThatThrownBy(() -> write(IngestWorkers.producerProperties(broker.bootstrapServers(), camera), PATROL_TOPIC,
        "camera-as-patrol"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThat(readAsAdmin(PATROL_TOPIC)).doesNotContain("camera-as-patrol");
  }

  @Test
  void cameraPrincipalCannotReadAlerts() throws Exception {
    write(broker.security().client(BrokerSecurity.SERVER).applyTo(plainProducer("SASL_SSL")), BrokerAcls.ALERTS_TOPIC,
        "an alert with a plate");
    Properties c = broker.security().client(BrokerSecurity.sourcePrincipal(Source.CAMERA))
        .clientProperties(broker.bootstrapServers());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(BrokerAcls.ALERTS_TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void workerPrincipalCannotForgeEvents() {
    KafkaClientSecurity ingest = broker.security().client(BrokerSecurity.INGEST);
    assertThatThrownBy(() -> write(IngestWorkers.producerProperties(broker.bootstrapServers(), ingest), CAMERA_TOPIC,
        "worker-forgery"))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void secretsAreReadableByTheOwnerOnly() throws Exception {
    Path sec = broker.security().dir();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sec))).isEqualTo("rwx------");
    for (String f : List.of(BrokerSecurity.CREDENTIALS, BrokerSecurity.KEYSTORE, BrokerSecurity.TRUSTSTORE, "ca.p12")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sec.resolve(f)))).as(f)
          .isEqualTo("rw-------");
    }
  }
}
