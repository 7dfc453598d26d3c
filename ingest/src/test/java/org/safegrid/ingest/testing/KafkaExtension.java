package org.safegrid.ingest.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.safegrid.ingest.broker.EmbeddedBroker;

/**
 * JUnit 5 extension that hands a test a real Kafka broker: one {@link EmbeddedBroker} per test JVM on
 * a free port, started on first use and stopped at JVM exit. Inject {@link TestKafka} as a
 * parameter. Tests share the broker, so each should use its own topics or consumer group names
 * ({@link TestKafka#unique(String)}).
 */
public final class KafkaExtension implements ParameterResolver {

  private static EmbeddedBroker broker;

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    return pc.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    return new TestKafka(bootstrapServers());
  }

  /** The bootstrap address of the JVM's test broker, starting it if needed. */
  public static synchronized String bootstrapServers() {
    if (broker == null) {
      try {
        Path dir = Files.createTempDirectory("safegrid-kafka-");
        EmbeddedBroker.quietLogging();
        broker = EmbeddedBroker.start(dir, 0, 3);
        EmbeddedBroker b = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          b.close();
          deleteTree(dir);
        }));
      } catch (IOException e) {
        throw new IllegalStateException("cannot create a directory for the test Kafka broker", e);
      }
    }
    return broker.bootstrapServers();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at JVM exit
    }
  }
}
