package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/**
 * Workers started with an instance id ({@code SAFEGRID_INGEST_INSTANCE_ID}) are static members of the
 * group: the broker knows them by {@code <id>-<thread>}, and a process started again with the same id
 * takes the same membership back (chaos check 10 restarts killed workers so).
 */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class StaticMembershipTest {

  @Test
  void workersWithAnInstanceIdJoinAsStaticMembersAndARestartWithTheSameIdResumes(TestDatabase db, TestKafka kafka)
      throws Exception {
    IngestWorkerTest.clean(db);
    IngestSettings s = IngestWorkerTest.settings(kafka, 2);
    Topics.ensure(s, 6);
    produce(kafka, s, 0, 300);
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(), new IngestMetrics(new SimpleMeterRegistry()),
        "sm")) {
      Fixtures.awaitCount(db, "SELECT count(*) FROM event", 300, Duration.ofSeconds(90));
      assertThat(awaitMembers(kafka, s, 2)).containsExactlyInAnyOrder("sm-0", "sm-1");
    }
    produce(kafka, s, 300, 600);
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(), new IngestMetrics(new SimpleMeterRegistry()),
        "sm")) {
      Fixtures.awaitCount(db, "SELECT count(*) FROM event", 600, Duration.ofSeconds(90));
      // the same two memberships, taken over; no third member waiting for the old ones to expire
      assertThat(awaitMembers(kafka, s, 2)).containsExactlyInAnyOrder("sm-0", "sm-1");
    }
  }

  @Test
  void aBlankInstanceIdIsRefusedWithTheVariableName(TestDatabase db, TestKafka kafka) {
    IngestSettings s = IngestWorkerTest.settings(kafka, 1);
    assertThatThrownBy(() -> IngestWorkers.start(s, db.dataSource(), new IngestMetrics(new SimpleMeterRegistry()),
        " ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SAFEGRID_INGEST_INSTANCE_ID");
  }

  private static void produce(TestKafka kafka, IngestSettings s, int from, int to) {
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      for (int i = from; i < to; i++) {
        send(p, s, event("sm-", i));
      }
      p.flush();
    }
  }

  /** The members' instance ids once the group has {@code n} members (a join may still be under way), or as they are after 30 s. */
  private static List<String> awaitMembers(TestKafka kafka, IngestSettings s, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> ids = instanceIds(kafka, s);
    while (ids.size() != n && System.nanoTime() < deadline) {
      Thread.sleep(200);
      ids = instanceIds(kafka, s);
    }
    return ids;
  }

  private static List<String> instanceIds(TestKafka kafka, IngestSettings s) throws Exception {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(s.groupId())).describedGroups()
          .get(s.groupId()).get(30, TimeUnit.SECONDS);
      return g.members().stream().map(MemberDescription::groupInstanceId).map(o -> o.orElse("(dynamic)")).toList();
    }
  }
}
