package org.safegrid.server.reliability;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Statement timeouts by query class ({@code safegrid.query-timeout.*}), applied with
 * {@code SET LOCAL statement_timeout} inside each class's transaction ({@link StatementTimeouts}).
 * A statement that runs longer is cancelled by PostgreSQL; an API caller gets 503 with a problem detail.
 *
 * @param interactive reads behind API calls and the map; default 5 s
 * @param export      exports streamed to the caller; default 60 s
 * @param upload      an upload's validation and insert, and an activation; default 120 s
 * @param engine      the spatial engine's recompute reads; default 60 s
 */
@ConfigurationProperties("safegrid.query-timeout")
public record QueryTimeoutProperties(Duration interactive, Duration export, Duration upload, Duration engine) {

  public QueryTimeoutProperties {
    interactive = orDefault(interactive, Duration.ofSeconds(5), "interactive");
    export = orDefault(export, Duration.ofSeconds(60), "export");
    upload = orDefault(upload, Duration.ofSeconds(120), "upload");
    engine = orDefault(engine, Duration.ofSeconds(60), "engine");
  }

  /** All defaults. */
  public static QueryTimeoutProperties defaults() {
    return new QueryTimeoutProperties(null, null, null, null);
  }

  /** The timeout of a class. */
  public Duration of(QueryClass c) {
    return switch (c) {
      case INTERACTIVE -> interactive;
      case EXPORT -> export;
      case UPLOAD -> upload;
      case ENGINE -> engine;
    };
  }

  private static Duration orDefault(Duration d, Duration dflt, String name) {
    if (d == null) {
      return dflt;
    }
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException("safegrid.query-timeout." + name + " must be at least 1 ms, not " + d);
    }
    return d;
  }
}
