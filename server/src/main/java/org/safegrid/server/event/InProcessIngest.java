package org.safegrid.server.event;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import javax.sql.DataSource;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestWorkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the ingest workers inside the server. Started by the Spring lifecycle, which comes after
 * Flyway has migrated the schema; stopped on shutdown before the data source closes, each worker
 * finishing or abandoning its batch. While Kafka cannot be reached at start-up it retries in the
 * background instead of failing the server.
 */
@Component
@ConditionalOnProperty(prefix = "safegrid.ingest", name = "enabled", havingValue = "true", matchIfMissing = true)
class InProcessIngest implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(InProcessIngest.class);

  private final IngestProperties properties;
  private final DataSource dataSource;
  private final IngestMetrics metrics;
  private volatile IngestWorkers workers;
  private volatile Thread starter;
  private volatile boolean running;

  InProcessIngest(IngestProperties properties, DataSource dataSource, MeterRegistry registry) {
    this.properties = properties;
    this.dataSource = dataSource;
    this.metrics = new IngestMetrics(registry);
  }

  /** The metrics of the in-process workers. */
  IngestMetrics metrics() {
    return metrics;
  }

  Optional<IngestWorkers> workers() {
    return Optional.ofNullable(workers);
  }

  @Override
  public synchronized void start() {
    running = true;
    starter = new Thread(() -> {
      while (running && workers == null) {
        try {
          IngestWorkers w = IngestWorkers.start(properties.toSettings(), dataSource, metrics);
          synchronized (this) {
            if (running) {
              workers = w;
            } else {
              w.close();
            }
          }
        } catch (RuntimeException e) {
          LOG.warn("ingest workers not started ({}); retrying in 5 s", e.getMessage());
          try {
            Thread.sleep(5000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "ingest-starter");
    starter.setDaemon(true);
    starter.start();
  }

  @Override
  public void stop() {
    IngestWorkers w;
    synchronized (this) {
      running = false;
      w = workers;
      workers = null;
    }
    if (starter != null) {
      starter.interrupt();
    }
    if (w != null) {
      w.close();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    // stop early (before the web server and data source go), start late
    return Integer.MAX_VALUE - 1000;
  }
}
