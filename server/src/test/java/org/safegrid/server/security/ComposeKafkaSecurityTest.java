package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.broker.BrokerBootstrap;
import org.safegrid.ingest.broker.BrokerSecurity;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose stack's Kafka, read from {@code docker-compose.yml} (no Docker engine runs the tests):
 * every listener a client reaches is SASL_SSL with SCRAM, ACLs deny by default, the integrators'
 * listener is the only published port, and each SafeGrid service connects as its own principal with
 * only its own secrets mounted.
 */
class ComposeKafkaSecurityTest {

  static Map<String, Object> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws IOException {
    Path compose = Path.of("..", "docker-compose.yml");
    assertThat(compose).as("docker-compose.yml at the repository root").exists();
    Map<String, Object> doc = new Yaml().load(Files.readString(compose));
    services = (Map<String, Object>) doc.get("services");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) {
    assertThat(services).containsKey(name);
    return (Map<String, Object>) services.get(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> env(String name) {
    Map<String, Object> e = (Map<String, Object>) service(name).get("environment");
    Map<String, String> m = new LinkedHashMap<>();
    e.forEach((k, v) -> m.put(k, String.valueOf(v)));
    return m;
  }

  private static Map<String, String> pairs(String csv) {
    return Arrays.stream(csv.split(",")).map(s -> s.split(":", 2))
        .collect(Collectors.toMap(a -> a[0], a -> a[1], (a, b) -> a, LinkedHashMap::new));
  }

  @Test
  void everyClientListenerIsSaslSslWithScramAndTheControllerStaysOnLoopback() {
    Map<String, String> e = env("kafka");
    Map<String, String> listeners = pairs(e.get("KAFKA_LISTENERS").replace("://", ":"));
    Map<String, String> protocols = pairs(e.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"));
    assertThat(protocols.keySet()).containsExactlyInAnyOrderElementsOf(listeners.keySet());
    for (String l : listeners.keySet()) {
      if (l.equals("CONTROLLER")) {
        assertThat(listeners.get(l)).startsWith("127.0.0.1:");
        assertThat(protocols.get(l)).isEqualTo("SASL_PLAINTEXT");
      } else {
        assertThat(protocols.get(l)).as(l).isEqualTo("SASL_SSL");
      }
    }
    assertThat(e.get("KAFKA_LISTENER_NAME_INTERNAL_SASL_ENABLED_MECHANISMS")).isEqualTo("SCRAM-SHA-512");
    assertThat(e.get("KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS")).isEqualTo("SCRAM-SHA-512");
    assertThat(e.get("KAFKA_AUTHORIZER_CLASS_NAME")).isEqualTo("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    assertThat(e.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND")).isEqualTo("false");
    assertThat(e.get("KAFKA_SUPER_USERS")).isEqualTo("User:" + BrokerSecurity.ADMIN);
  }

  @Test
  @SuppressWarnings("unchecked")
  void integratorsReachOnlyTheExternalListenerWhichIsAdvertisedUnderTheirHostName() {
    Map<String, String> e = env("kafka");
    Map<String, String> advertised = pairs(e.get("KAFKA_ADVERTISED_LISTENERS").replace("://", ":"));
    assertThat(advertised.get("EXTERNAL")).startsWith("${SAFEGRID_KAFKA_EXTERNAL_HOST");
    assertThat(advertised.get("INTERNAL")).isEqualTo("kafka:9092");
    List<String> ports = (List<String>) service("kafka").get("ports");
    assertThat(ports).containsExactly("${SAFEGRID_KAFKA_EXTERNAL_PORT:-9094}:9094");
    assertThat(env("kafka-secrets").get("SAFEGRID_KAFKA_TLS_HOSTNAMES")).startsWith("${SAFEGRID_KAFKA_EXTERNAL_HOST");
  }

  @Test
  @SuppressWarnings("unchecked")
  void serverAndWorkersConnectAsTheirOwnPrincipalsWithOnlyTheirOwnSecrets() {
    Map<String, String> expected = Map.of("server", BrokerSecurity.SERVER, "ingest", BrokerSecurity.INGEST);
    expected.forEach((svc, user) -> {
      Map<String, String> e = env(svc);
      assertThat(e.get("SAFEGRID_KAFKA_USER")).as(svc).isEqualTo(user);
      assertThat(e.get("SAFEGRID_KAFKA_SECURITY_DIR")).as(svc).isEqualTo("/etc/safegrid/kafka");
      assertThat((List<String>) service(svc).get("volumes")).as(svc)
          .anyMatch(v -> v.endsWith("}/" + svc + ":/etc/safegrid/kafka:ro"));
      Map<String, Object> deps = (Map<String, Object>) service(svc).get("depends_on");
      assertThat(((Map<String, Object>) deps.get("kafka-init")).get("condition"))
          .isEqualTo("service_completed_successfully");
    });
    assertThat((List<String>) service("kafka").get("volumes")).anyMatch(v -> v.endsWith("}/broker:/etc/kafka/secrets:ro"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theInitServicesRunClassesAndScriptsThatExist() throws Exception {
    List<String> init = (List<String>) service("kafka-init").get("entrypoint");
    assertThat(init).contains("-Dloader.main=" + BrokerBootstrap.class.getName(), "kafka:9091");
    List<String> secretsVolumes = (List<String>) service("kafka-secrets").get("volumes");
    String script = secretsVolumes.stream().filter(v -> v.startsWith("./docker/")).findFirst().orElseThrow()
        .split(":")[0];
    String text = Files.readString(Path.of("..").resolve(script));
    assertThat(text).contains("-Dloader.main=" + BrokerSecurity.class.getName())
        .contains("--export-client " + BrokerSecurity.SERVER + " /secrets/server")
        .contains("--export-client " + BrokerSecurity.INGEST + " /secrets/ingest")
        .contains("--export-broker /secrets/broker");
  }
}
