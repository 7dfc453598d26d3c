package org.safegrid.ingest.testing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test JVM's Kafka broker, handed to a test by {@link KafkaExtension}.
 *
 * @param bootstrapServers bootstrap address, {@code 127.0.0.1:<port>}
 */
public record TestKafka(String bootstrapServers) {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** A name no other test in this JVM uses, for topics and consumer groups. */
  public String unique(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
  }
}
