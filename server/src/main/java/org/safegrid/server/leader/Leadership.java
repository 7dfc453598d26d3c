package org.safegrid.server.leader;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LeaderGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The election of one leader among the server replicas of a deployment: the replica that holds a
 * PostgreSQL session-level advisory lock ({@code safegrid.leader.lock-key}) on a connection of its
 * own, outside the pool, leads. Leader-only loops ({@link BackgroundLoop.Builder#leaderOnly}) run
 * their steps only here.
 *
 * <p>One loop ({@code leader-election}, every {@code safegrid.leader.try-interval}): a follower tries
 * the lock ({@code pg_try_advisory_lock}); the leader proves its session alive with a round trip.
 * Any failure of the connection steps down at once and closes it. The lock is freed when the
 * leader's session ends: at once when the process dies (the kernel closes its socket), after the
 * session's {@code idle_session_timeout} ({@code safegrid.leader.session-timeout}) when the process
 * hangs with its socket open, after the server's TCP keepalives when its host or network is gone,
 * and on a graceful stop (unlocked before the connection closes). A new leader takes over at the
 * next try after that. The leader also stops calling itself leader once its last proof is older
 * than half the session timeout (its lease), before the database can have freed the lock; what a
 * step still writes after that is fenced by the writers themselves (the alert engine's position is
 * a compare-and-set).
 *
 * <p>Thread-safe. {@link #isLeader()} is cheap (volatile reads).
 */
@Component
public class Leadership implements LeaderGate, SmartLifecycle {

  /** Opens the election's own connection. */
  @FunctionalInterface
  public interface Connector {
    Connection open() throws SQLException;
  }

  /** Gauge: 1 while this replica leads, else 0. */
  public static final String LEADER_METRIC = "safegrid.leader";

  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final LeaderProperties properties;
  private final Connector connector;
  private final long leaseNanos;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong term = new AtomicLong();
  private volatile boolean leader;
  private volatile boolean unconditional;
  private volatile boolean running;
  private volatile long confirmedNanos;
  private volatile Instant since;
  private volatile String lastFailure;
  private Connection connection;
  private BackgroundLoop loop;

  @Autowired
  public Leadership(LeaderProperties properties, DataSourceProperties dataSource, MeterRegistry meters) {
    this(properties, connector(dataSource.determineUrl(), dataSource.determineUsername(),
        dataSource.determinePassword(), properties), meters);
  }

  public Leadership(LeaderProperties properties, Connector connector, MeterRegistry meters) {
    this.properties = properties;
    this.connector = connector;
    this.leaseNanos = properties.sessionTimeout().toNanos() / 2;
    Gauge.builder(LEADER_METRIC, this, l -> l.isLeader() ? 1 : 0)
        .description("1 while this server replica is the elected leader").register(meters);
  }

  /**
   * Opens a connection for the election: TCP keepalives on, reads bounded by the lease, and the
   * replica named in {@code pg_stat_activity.application_name} ({@code safegrid-leader <replica>}).
   */
  public static Connector connector(String url, String user, String password, LeaderProperties properties) {
    long leaseSeconds = Math.max(1, properties.sessionTimeout().toSeconds() / 2);
    return () -> {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("tcpKeepAlive", "true");
      p.setProperty("socketTimeout", Long.toString(leaseSeconds));
      p.setProperty("connectTimeout", Long.toString(leaseSeconds));
      p.setProperty("ApplicationName", "safegrid-leader " + properties.replicaId());
      return DriverManager.getConnection(url, p);
    };
  }

  @Override
  public boolean isLeader() {
    return unconditional || leader && System.nanoTime() - confirmedNanos < leaseNanos;
  }

  @Override
  public long term() {
    return term.get();
  }

  @Override
  public Runnable onGained(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** This replica's name. */
  public String replicaId() {
    return properties.replicaId();
  }

  /** When this replica last became the leader (null if it never did). */
  public Instant since() {
    return since;
  }

  /** The last failure of the election's connection, if the latest try failed; else null. */
  public String lastFailure() {
    return lastFailure;
  }

  /**
   * One round: a follower tries the lock, the leader proves its session; returns true when this
   * replica leads after it. Called by the loop; public for tests, which drive it by hand.
   */
  public synchronized boolean tryOnce() throws SQLException {
    try {
      if (connection == null) {
        connection = open();
      }
      if (leader) {
        try (Statement st = connection.createStatement()) {
          st.execute("SELECT 1");
        }
        confirmedNanos = System.nanoTime();
      } else if (tryLock()) {
        confirmedNanos = System.nanoTime();
        since = Instant.now();
        leader = true;
        long t = term.incrementAndGet();
        log.info("replica {} is now the leader (term {})", properties.replicaId(), t);
        listeners.forEach(Runnable::run);
      }
      lastFailure = null;
      return leader;
    } catch (SQLException | RuntimeException e) {
      lastFailure = e.toString();
      stepDown("its election connection failed: " + e.getMessage());
      throw e;
    }
  }

  /** Steps down and closes the election connection (which frees the lock if the session still lives). */
  public synchronized void stepDown(String why) {
    if (leader) {
      log.warn("replica {} steps down as leader: {}", properties.replicaId(), why);
    }
    leader = false;
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("closing the election connection: {}", e.toString());
      }
      connection = null;
    }
  }

  private Connection open() throws SQLException {
    Connection c = connector.open();
    try (Statement st = c.createStatement()) {
      // the lease: a hung leader's idle session is ended by the database, which frees the lock
      st.execute("SET idle_session_timeout = " + properties.sessionTimeout().toMillis());
      // a vanished host: the database probes the idle socket and gives up after idle + count x interval
      long idle = Math.max(1, properties.sessionTimeout().toSeconds() / 2);
      st.execute("SET tcp_keepalives_idle = " + idle);
      st.execute("SET tcp_keepalives_interval = 1");
      st.execute("SET tcp_keepalives_count = 3");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private boolean tryLock() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, properties.lockKey());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Releases the lock (if held) so that another replica takes over at its next try, and closes. */
  private synchronized void release() {
    if (leader && connection != null) {
      try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        ps.setLong(1, properties.lockKey());
        ps.execute();
        log.info("replica {} hands over the leadership (stopping)", properties.replicaId());
      } catch (SQLException e) {
        log.warn("releasing the leader lock failed (closing the session frees it): {}", e.toString());
      }
    }
    stepDown("stopping");
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    if (!properties.enabled()) {
      unconditional = true;
      leader = true;
      since = Instant.now();
      term.incrementAndGet();
      log.info("leader election is off (safegrid.leader.enabled=false): this server leads");
      listeners.forEach(Runnable::run);
      return;
    }
    try {
      // a lone server leads before the leader-only loops start
      tryOnce();
    } catch (SQLException | RuntimeException e) {
      log.warn("leader election: first try failed, retrying every {}: {}", properties.tryInterval(), e.toString());
    }
    loop = BackgroundLoop.named("leader-election").every(properties.tryInterval())
        .backoff(properties.tryInterval(), properties.tryInterval()).run(this::tryOnce);
    loop.start();
  }

  @Override
  public void stop() {
    BackgroundLoop l;
    synchronized (this) {
      l = loop;
      loop = null;
    }
    if (l != null) {
      // outside the monitor: the loop's running try holds it
      l.stop();
    }
    unconditional = false;
    release();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Starts before, and stops after, the web server and every loop that asks it. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }
}
