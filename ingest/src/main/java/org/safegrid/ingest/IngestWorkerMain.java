package org.safegrid.ingest;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.metrics.WorkerMetricsEndpoint;
import org.safegrid.ingest.schema.SchemaGuard;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ingest workers alone, without the server: consumes until SIGTERM. Connects as the insert-only
 * ingest role; migrates the schema first only when given the owner's credentials
 * ({@link SchemaMigration#migrateIfConfigured}).
 *
 * <p>Environment: {@code SAFEGRID_DB_URL} (required), {@code SAFEGRID_DB_USER} (default
 * {@code safegrid_ingest}), {@code SAFEGRID_DB_PASSWORD}, {@code SAFEGRID_DB_MIGRATOR_USER},
 * {@code SAFEGRID_DB_MIGRATOR_PASSWORD}, {@code SAFEGRID_KAFKA_BOOTSTRAP} (default 127.0.0.1:9092),
 * {@code SAFEGRID_INGEST_WORKERS} (threads, default 1), {@code SAFEGRID_INGEST_GROUP},
 * {@code SAFEGRID_INGEST_TOPIC_PREFIX}, {@code SAFEGRID_INGEST_BATCH_SIZE}, {@code SAFEGRID_INGEST_LINGER_MS},
 * {@code SAFEGRID_INGEST_INSTANCE_ID} (a stable id of this process: static group membership, so a
 * restart resumes at once; see {@link IngestWorkers#start(IngestSettings, javax.sql.DataSource,
 * IngestMetrics, String)}); the Prometheus endpoint: {@code SAFEGRID_INGEST_METRICS_PORT},
 * {@code SAFEGRID_INGEST_METRICS_ADDRESS}, {@code SAFEGRID_METRICS_TOKEN} / {@code SAFEGRID_METRICS_TOKEN_FILE}
 * ({@link WorkerMetricsEndpoint}). Start as many processes as needed: they share the consumer group.
 *
 * <p>A worker refuses to start, with exit status 3, on a database that a newer release has migrated
 * ({@link SchemaGuard}): old code must not write into a schema it does not know.
 */
public final class IngestWorkerMain {

  private static final Logger LOG = LoggerFactory.getLogger(IngestWorkerMain.class);

  private IngestWorkerMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    String url = env.get("SAFEGRID_DB_URL");
    if (url == null || url.isBlank()) {
      System.err.println("SAFEGRID_DB_URL is not set (e.g. jdbc:postgresql://127.0.0.1:5432/safegrid)");
      System.exit(2);
    }
    EmbeddedBroker.quietLogging();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(env.getOrDefault("SAFEGRID_DB_USER", "safegrid_ingest"));
    ds.setPassword(env.getOrDefault("SAFEGRID_DB_PASSWORD", ""));
    ds.setConnectTimeout(5);
    ds.setSocketTimeout(120);
    SchemaMigration.migrateIfConfigured(url, env);
    try {
      SchemaGuard.refuseNewerSchema(Flyway.configure().dataSource(ds).load());
    } catch (SchemaGuard.NewerSchemaException e) {
      System.err.println("SafeGrid ingest worker: " + e.getMessage());
      System.exit(3);
    }
    IngestSettings settings = IngestSettings.fromEnv(env);
    PrometheusMeterRegistry registry = WorkerMetricsEndpoint.registry();
    WorkerMetricsEndpoint metrics = WorkerMetricsEndpoint.startIfConfigured(registry, env);
    IngestWorkers workers = IngestWorkers.start(settings, ds, new IngestMetrics(registry),
        blankToNull(env.get("SAFEGRID_INGEST_INSTANCE_ID")));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("SIGTERM: stopping ingest workers");
      workers.close();
      if (metrics != null) {
        metrics.close();
      }
      stopped.countDown();
    }, "ingest-shutdown"));
    System.out.println("SafeGrid ingest worker ready: " + settings.workers() + " thread(s), group "
        + settings.groupId() + (metrics == null ? "" : ", metrics on port " + metrics.port()));
    stopped.await();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
