package org.safegrid.ingest.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest workers of one process: N {@link IngestWorker} threads of one consumer group sharing a
 * dead-letter producer and the metrics. Start with {@link #start}, stop with {@link #close} (what
 * SIGTERM and Spring shutdown call): each worker finishes or abandons its batch, without loss.
 */
public final class IngestWorkers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IngestWorkers.class);

  private final List<IngestWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final KafkaProducer<byte[], byte[]> producer;
  private final IngestMetrics metrics;
  private boolean closed;

  private IngestWorkers(KafkaProducer<byte[], byte[]> producer, IngestMetrics metrics) {
    this.producer = producer;
    this.metrics = metrics;
  }

  /** Creates the topics if missing and starts {@code settings.workers()} worker threads (dynamic group members). */
  public static IngestWorkers start(IngestSettings settings, DataSource dataSource, IngestMetrics metrics) {
    return start(settings, dataSource, metrics, null);
  }

  /**
   * Like {@link #start(IngestSettings, DataSource, IngestMetrics)}, as static members of the group when
   * {@code instanceId} is given: worker {@code i} joins with {@code group.instance.id = <instanceId>-<i>}.
   * A process restarted with the same id (a supervisor restarting a crashed worker) takes its
   * predecessor's partitions back at once, instead of waiting for the dead members' session timeout
   * and a rebalance. The id must be unique per process of the group and stable across its restarts;
   * a static member that stops for good keeps its partitions until {@code session.timeout.ms} (10 s).
   *
   * @param instanceId stable id of this worker process, or null for dynamic membership
   */
  public static IngestWorkers start(IngestSettings settings, DataSource dataSource, IngestMetrics metrics,
                                    String instanceId) {
    if (instanceId != null && instanceId.isBlank()) {
      throw new IllegalArgumentException("the ingest worker instance id (SAFEGRID_INGEST_INSTANCE_ID) is blank");
    }
    Topics.ensure(settings, Topics.DEFAULT_PARTITIONS);
    IngestWorkers pool = new IngestWorkers(new KafkaProducer<>(producerProperties(settings.bootstrapServers())),
        metrics);
    DeadLetters deadLetters = new DeadLetters(pool.producer, settings.dlqTopic());
    for (int i = 0; i < settings.workers(); i++) {
      String name = "ingest-worker-" + i;
      IngestWorker w = new IngestWorker(name, settings, dataSource, deadLetters, metrics);
      if (instanceId != null) {
        w.consumerOverrides.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId + "-" + i);
      }
      Thread t = new Thread(w, name);
      pool.workers.add(w);
      pool.threads.add(t);
      t.start();
    }
    LOG.info("started {} ingest worker(s) on {}{}", settings.workers(), settings.bootstrapServers(),
        instanceId == null ? "" : " as static members " + instanceId + "-0..");
    return pool;
  }

  /**
   * Producer settings for anything SafeGrid writes to Kafka: acks=all, idempotence, one request in
   * flight, as this process's Kafka identity ({@link KafkaClientSecurity#fromEnvironment()}).
   */
  public static Properties producerProperties(String bootstrapServers) {
    return producerProperties(bootstrapServers, KafkaClientSecurity.fromEnvironment());
  }

  /** {@link #producerProperties(String)} as another identity (e.g. a source's principal). */
  public static Properties producerProperties(String bootstrapServers, KafkaClientSecurity identity) {
    Properties p = identity.clientProperties(bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // one request in flight: a batch retried after NOT_LEADER_OR_FOLLOWER (common right after a topic
    // is created) can then never be overtaken by the next one, which the broker would refuse as out
    // of sequence for good
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  public IngestMetrics metrics() {
    return metrics;
  }

  /** True while at least one worker thread runs. */
  public boolean running() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    workers.forEach(IngestWorker::stop);
    for (Thread t : threads) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(Duration.ofSeconds(10));
    LOG.info("ingest workers stopped");
  }
}
