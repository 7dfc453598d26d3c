package org.safegrid.ingest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a client's Kafka identity is read; no broker involved. */
class KafkaClientSecurityTest {

  @Test
  void withoutAUserThereIsNoClientAndTheMessageSaysWhatToSet() {
    assertThatThrownBy(() -> KafkaClientSecurity.from(key -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SAFEGRID_KAFKA_USER");
  }

  @Test
  void passwordAndTruststoreComeFromTheSecurityFolderByUserName(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(BrokerSecurity.CREDENTIALS),
        "user.src-camera=camera-secret\nuser.safegrid-ingest=ingest-secret\ntruststore.password=store-secret\n");
    Map<String, String> env = Map.of("SAFEGRID_KAFKA_USER", "src-camera", "SAFEGRID_KAFKA_SECURITY_DIR", dir.toString());
    KafkaClientSecurity s = KafkaClientSecurity.from(env::get);
    assertThat(s.password()).isEqualTo("camera-secret");
    assertThat(s.truststore()).isEqualTo(dir.resolve(BrokerSecurity.TRUSTSTORE));
    Properties p = s.clientProperties("127.0.0.1:9092");
    assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.password", "store-secret");
    assertThat((String) p.get("sasl.jaas.config")).contains("username=\"src-camera\"", "password=\"camera-secret\"");
    assertThat(s.toString()).doesNotContain("camera-secret");

    Map<String, String> child = new HashMap<>();
    s.exportTo(child);
    assertThat(KafkaClientSecurity.from(child::get)).isEqualTo(s);
  }

  @Test
  void aUserTheFolderDoesNotKnowIsRefusedByName(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(BrokerSecurity.CREDENTIALS), "user.src-camera=x\n");
    Map<String, String> env = Map.of("SAFEGRID_KAFKA_USER", "src-drone", "SAFEGRID_KAFKA_SECURITY_DIR", dir.toString());
    assertThatThrownBy(() -> KafkaClientSecurity.from(env::get)).hasMessageContaining("src-drone");
  }
}
