package org.safegrid.ingest.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.Source;

/** Creates the source topics and the dead-letter topic when they do not exist yet. */
public final class Topics {

  /** Partitions of a new source topic: room for six workers of one group. */
  public static final int DEFAULT_PARTITIONS = 6;

  private Topics() {
  }

  /**
   * Waits until every partition of the new topics has a leader: a producer that writes to a topic
   * the broker has not finished creating gets NOT_LEADER_OR_FOLLOWER, and an idempotent producer's
   * retry after that can be refused as out of sequence.
   */
  private static void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
        boolean ready = d.size() == names.size() && d.values().stream()
            .allMatch(t -> t.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
        if (ready) {
          return;
        }
      } catch (ExecutionException e) {
        // not known yet
      }
      Thread.sleep(100);
    }
    throw new TimeoutException("topics " + names + " have no leader after 30 s");
  }

  /** Creates {@code <prefix>camera|checkpoint|patrol|dlq} if missing; existing topics are left alone. */
  public static void ensure(IngestSettings settings, int partitions) {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(settings.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Source s : Source.values()) {
        if (!existing.contains(settings.topic(s))) {
          missing.add(new NewTopic(settings.topic(s), partitions, (short) 1));
        }
      }
      if (!existing.contains(settings.dlqTopic())) {
        missing.add(new NewTopic(settings.dlqTopic(), 1, (short) 1)
            // compacted by key (topic/partition/offset of the refused message): a letter sent again
            // when a batch is re-read after a crash is folded into the first; still deleted after 30 days
            .configs(Map.of("retention.ms", Long.toString(30L * 24 * 3600 * 1000), "cleanup.policy", "compact,delete")));
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the ingest topics on " + settings.bootstrapServers() + ": " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
