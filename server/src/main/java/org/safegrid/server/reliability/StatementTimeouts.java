package org.safegrid.server.reliability;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Sets the statement timeout of a query class for the rest of the current transaction
 * ({@code set_config('statement_timeout', ..., true)}, i.e. {@code SET LOCAL}), so it ends with the
 * transaction and never leaks to the next user of a pooled connection. Call it first thing in the
 * transaction of the work it bounds:
 *
 * <pre>{@code
 * @Transactional(readOnly = true)
 * Page listEvents(EventQuery q) {
 *   timeouts.apply(QueryClass.INTERACTIVE);
 *   ...
 * }
 * }</pre>
 *
 * <p>A cancelled statement raises SQLSTATE 57014, answered 503 by the API's error handler. Thread-safe.
 */
@Component
public class StatementTimeouts {

  /** SQLSTATE of a statement cancelled by {@code statement_timeout}. */
  public static final String QUERY_CANCELED = "57014";

  private final JdbcClient jdbc;
  private final QueryTimeoutProperties properties;

  public StatementTimeouts(JdbcClient jdbc, QueryTimeoutProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /** Bounds the statements of the current Spring-managed transaction by the timeout of {@code c}. */
  public void apply(QueryClass c) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      // SET LOCAL outside a transaction is a no-op with a warning: fail loudly instead of running unbounded
      throw new IllegalStateException("statement timeout of " + c + " needs a transaction");
    }
    jdbc.sql("SELECT set_config('statement_timeout', ?, true)").param(millis(properties.of(c)))
        .query(String.class).single();
  }

  /** The timeout of a class. */
  public Duration timeoutOf(QueryClass c) {
    return properties.of(c);
  }

  /**
   * Bounds the statements of a plain JDBC transaction ({@code autoCommit} off) by {@code timeout}; for
   * code that runs without Spring (the engine's repository). Does nothing when {@code timeout} is null.
   */
  public static void setLocal(Connection c, Duration timeout) throws SQLException {
    if (timeout == null) {
      return;
    }
    if (c.getAutoCommit()) {
      throw new IllegalStateException("a statement timeout needs a transaction (autoCommit off)");
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
      ps.setString(1, millis(timeout));
      ps.executeQuery().close();
    }
  }

  /** True when {@code e} or one of its causes is a statement cancelled by its timeout. */
  public static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && QUERY_CANCELED.equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static String millis(Duration d) {
    return Math.max(1, d.toMillis()) + "ms";
  }
}
