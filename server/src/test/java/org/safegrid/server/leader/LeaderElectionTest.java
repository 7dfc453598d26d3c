package org.safegrid.server.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Leader election between two replicas ({@link Leadership} instances, each with its own connection
 * as the server's application role) on a real PostgreSQL: one leads, the other takes over when the
 * leader's session ends — killed process, hung process (the session timeout), terminated
 * connection — or when the leader stops gracefully. The tests drive the election by hand ({@link
 * Leadership#tryOnce()}) so that every step is deterministic.
 */
@ExtendWith(PostgisExtension.class)
class LeaderElectionTest {

  private static final String PG_BIN = System.getenv().getOrDefault("SAFEGRID_PG_BIN", "/usr/lib/postgresql/15/bin");

  private final TestDatabase db;
  private final long lockKey = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  private final List<Leadership> made = new ArrayList<>();

  LeaderElectionTest(TestDatabase db) {
    this.db = db;
  }

  private Leadership replica(String id, Duration sessionTimeout) {
    LeaderProperties p = new LeaderProperties(true, lockKey, Duration.ofMillis(200), sessionTimeout, id);
    Leadership l = new Leadership(p, Leadership.connector(db.jdbcUrl(), DbRole.APP.roleName(), DbRole.APP.password(), p),
        new SimpleMeterRegistry());
    made.add(l);
    return l;
  }

  @AfterEach
  void closeAll() {
    made.forEach(l -> l.stepDown("test over"));
  }

  @Test
  void oneOfTwoReplicasLeadsAndTheOtherTakesOverWhenTheLeadersConnectionIsTerminated() throws Exception {
    Leadership a = replica("a", Duration.ofSeconds(10));
    Leadership b = replica("b", Duration.ofSeconds(10));
    AtomicInteger bGained = new AtomicInteger();
    b.onGained(bGained::incrementAndGet);

    assertThat(a.tryOnce()).isTrue();
    assertThat(b.tryOnce()).isFalse();
    assertThat(a.tryOnce()).isTrue();
    assertThat(a.isLeader()).isTrue();
    assertThat(b.isLeader()).isFalse();
    assertThat(a.term()).isEqualTo(1);

    // the leader's session ends under it (an administrator, a failover of the database's proxy)
    try (Connection c = db.connect()) {
      c.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          + "WHERE application_name = 'safegrid-leader a'");
    }
    assertThatThrownBy(a::tryOnce).isInstanceOf(SQLException.class);
    assertThat(a.isLeader()).as("a steps down at the first failed proof").isFalse();
    assertThat(b.tryOnce()).isTrue();
    assertThat(bGained).hasValue(1);
    assertThat(b.term()).isEqualTo(1);
    // a reconnects as a follower
    assertThat(a.tryOnce()).isFalse();
    assertThat(a.term()).isEqualTo(1);
  }

  @Test
  void aKilledLeaderProcessFreesTheLockForTheNextTry() throws Exception {
    Path psql = Path.of(PG_BIN, "psql");
    if (!Files.isExecutable(psql)) {
      throw new AssertionError("psql not found at " + psql + " (set SAFEGRID_PG_BIN to PostgreSQL's bin directory)");
    }
    URI url = URI.create(db.jdbcUrl().substring("jdbc:".length()));
    String database = url.getPath().substring(1);
    // another process leads: it takes the same lock, then waits for its next command, idle, as a
    // leader between two proofs does (a backend busy in a query would notice the dead client later)
    ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-q", "-h", url.getHost(), "-p",
        Integer.toString(url.getPort()), "-U", DbRole.APP.roleName(), "-d", database)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PGPASSWORD", DbRole.APP.password());
    Process other = pb.start();
    try {
      other.getOutputStream().write(("SELECT pg_advisory_lock(" + lockKey + ");\n").getBytes());
      other.getOutputStream().flush();
      JdbcClient jdbc = JdbcClient.create(db.dataSource());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (jdbc.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
          + "AND ((classid::bigint << 32) | objid::bigint) = ?").param(lockKey).query(Long.class).single() == 0) {
        assertThat(other.isAlive()).as("the psql leader is running").isTrue();
        assertThat(System.nanoTime()).as("the psql leader takes the lock within 20 s").isLessThan(deadline);
        Thread.sleep(20);
      }
      Leadership b = replica("b", Duration.ofSeconds(10));
      assertThat(b.tryOnce()).isFalse();

      long killed = System.nanoTime();
      other.destroyForcibly(); // SIGKILL: the kernel closes its socket, PostgreSQL ends the session
      while (!b.tryOnce()) {
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(5));
        Thread.sleep(200);
      }
      System.out.println("leader SIGKILLed -> follower holds the lock: "
          + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms (tries every 200 ms)");
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void aHungLeaderLosesTheLockAfterTheSessionTimeoutAndStopsCallingItselfLeaderBefore() throws Exception {
    Duration session = Duration.ofSeconds(2);
    Leadership a = replica("a", session);
    Leadership b = replica("b", session);
    assertThat(a.tryOnce()).isTrue();
    long lastProof = System.nanoTime();
    // a hangs: it never proves itself again, its socket stays open
    while (a.isLeader()) {
      Thread.sleep(20);
    }
    long leaseMillis = (System.nanoTime() - lastProof) / 1_000_000;
    assertThat(leaseMillis).as("the lease is half the session timeout").isBetween(900L, 1500L);
    assertThat(b.tryOnce()).as("the database still holds a's session").isFalse();
    while (!b.tryOnce()) {
      assertThat(Duration.ofNanos(System.nanoTime() - lastProof)).isLessThan(session.plusSeconds(3));
      Thread.sleep(100);
    }
    long takeoverMillis = (System.nanoTime() - lastProof) / 1_000_000;
    System.out.println("hung leader: lease over after " + leaseMillis + " ms, follower leads after " + takeoverMillis
        + " ms (session timeout " + session.toMillis() + " ms)");
    assertThat(takeoverMillis).isGreaterThanOrEqualTo(session.toMillis());
    // a wakes up: its first proof fails and it is a follower
    assertThatThrownBy(a::tryOnce).isInstanceOf(SQLException.class);
    assertThat(a.isLeader()).isFalse();
    assertThat(a.tryOnce()).isFalse();
  }

  @Test
  void aGracefulStopHandsTheLockOverAtOnceAndStartLeadsWhenAlone() throws Exception {
    Leadership a = replica("a", Duration.ofSeconds(10));
    Leadership b = replica("b", Duration.ofSeconds(10));
    a.start();
    assertThat(a.isLeader()).as("a lone replica leads as soon as it started").isTrue();
    assertThat(b.tryOnce()).isFalse();
    a.stop();
    assertThat(a.isLeader()).isFalse();
    assertThat(b.tryOnce()).isTrue();
  }

  @Test
  void electionOffLeadsWithoutAskingTheDatabase() {
    LeaderProperties p = new LeaderProperties(false, lockKey, null, null, "solo");
    Leadership solo = new Leadership(p, () -> {
      throw new SQLException("the election must not connect when it is off");
    }, new SimpleMeterRegistry());
    AtomicInteger gained = new AtomicInteger();
    solo.onGained(gained::incrementAndGet);
    solo.start();
    assertThat(solo.isLeader()).isTrue();
    assertThat(gained).hasValue(1);
    solo.stop();
    assertThat(solo.isLeader()).isFalse();
  }

  @Test
  void aSessionTimeoutBelowThreeTriesIsRefusedNamingTheProperty() {
    assertThatThrownBy(() -> new LeaderProperties(true, 1L, Duration.ofSeconds(2), Duration.ofSeconds(5), "x"))
        .hasMessageContaining("safegrid.leader.session-timeout");
  }
}
