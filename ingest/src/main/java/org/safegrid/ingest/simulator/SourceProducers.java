package org.safegrid.ingest.simulator;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safegrid.ingest.broker.BrokerSecurity;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestWorkers;

/**
 * The simulator's producers: one per source, each as that source's principal ({@code src-camera}, ...),
 * which the broker lets write only its own topic. When {@code SAFEGRID_KAFKA_USER} names a user, all
 * sources share one producer as that user instead (an operator's test principal). Not thread-safe
 * for {@link #close} against {@link #send}; the simulator sends from one thread.
 */
final class SourceProducers {

  private final Map<Source, KafkaProducer<byte[], byte[]>> producers;

  private SourceProducers(Map<Source, KafkaProducer<byte[], byte[]>> producers) {
    this.producers = producers;
  }

  static SourceProducers open(String bootstrap) {
    Map<Source, KafkaProducer<byte[], byte[]>> m = new EnumMap<>(Source.class);
    String user = System.getenv("SAFEGRID_KAFKA_USER");
    if (user != null && !user.isBlank()) {
      KafkaProducer<byte[], byte[]> one = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap));
      for (Source s : Source.values()) {
        m.put(s, one);
      }
    } else {
      for (Source s : Source.values()) {
        m.put(s, new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap,
            KafkaClientSecurity.fromEnvironment(BrokerSecurity.sourcePrincipal(s)))));
      }
    }
    return new SourceProducers(m);
  }

  void send(Source source, ProducerRecord<byte[], byte[]> record, Callback callback) {
    producers.get(source).send(record, callback);
  }

  void flush() {
    producers.values().stream().distinct().forEach(KafkaProducer::flush);
  }

  void close(Duration timeout) {
    producers.values().stream().distinct().forEach(p -> p.close(timeout));
  }
}
