package org.safegrid.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.live.LiveEvent;
import org.springframework.jdbc.core.JdbcTemplate;

@ExtendWith(PostgisExtension.class)
class EventFeedTest {

  private JdbcTemplate jdbc;
  private EventFeed feed;

  @BeforeEach
  void setUp(TestDatabase db) {
    jdbc = new JdbcTemplate(db.dataSource());
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    jdbc.execute("TRUNCATE event, event_feed_position");
    feed = new EventFeed(jdbc);
  }

  private static void insert(Statement st, String... ids) throws Exception {
    for (String id : ids) {
      st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES ('"
          + id + "', 'camera', 'CAM-1', 'intrusion', 2, now(), ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))");
    }
  }

  private void commit(String... ids) throws Exception {
    try (Statement st = jdbc.getDataSource().getConnection().createStatement()) {
      insert(st, ids);
      st.getConnection().close();
    }
  }

  private static List<String> ids(EventFeed.Batch b) {
    return b.events().stream().map(LiveEvent::id).toList();
  }

  @Test
  void aReadParkedBehindALockOnTheEventTableIsCancelledAtTheReadTimeoutAndTheNextReadDeliversEverything()
      throws Exception {
    EventFeed bounded = new EventFeed(jdbc, java.time.Duration.ofSeconds(1));
    FeedPosition p = bounded.head();
    commit("before-lock");
    try (Connection locker = jdbc.getDataSource().getConnection()) {
      locker.setAutoCommit(false);
      try (Statement st = locker.createStatement()) {
        // what a migration or maintenance run from outside takes, for as long as it runs
        st.execute("LOCK TABLE event IN ACCESS EXCLUSIVE MODE");
      }
      long t0 = System.nanoTime();
      // bounded here too, so that a read that is not cancelled fails the test instead of waiting for ever
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(15), () ->
          assertThatThrownBy(() -> bounded.read(p, 100)).as("a read behind the lock")
              .isInstanceOf(org.springframework.dao.DataAccessException.class));
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(waitedMs).as("cancelled at the 1 s read timeout, not when the lock goes").isBetween(900L, 10_000L);
      locker.rollback();
    }
    assertThat(ids(bounded.read(p, 100))).as("after the lock, nothing lost").containsExactly("before-lock");
  }

  @Test
  void theHeadSkipsHistoryAndEachLaterEventComesOnce() throws Exception {
    commit("history");
    FeedPosition p = feed.head();
    EventFeed.Batch empty = feed.read(p, 100);
    assertThat(empty.events()).as("history is not replayed").isEmpty();
    commit("a", "b");
    EventFeed.Batch b = feed.read(empty.next(), 100);
    assertThat(ids(b)).containsExactly("a", "b");
    assertThat(feed.read(b.next(), 100).events()).as("nothing twice").isEmpty();
    assertThat(b.events().get(0).lon()).isEqualTo(114.4);
  }

  @Test
  void aTransactionStillOpenIsNotOvertakenAndDoesNotHoldBackTheOthers(TestDatabase db) throws Exception {
    FeedPosition p = feed.head();
    try (Connection open = db.connect(); Statement st = open.createStatement()) {
      open.setAutoCommit(false);
      insert(st, "slow-1", "slow-2");
      commit("fast-1");
      EventFeed.Batch first = feed.read(p, 100);
      assertThat(ids(first)).as("the committed transaction comes at once").containsExactly("fast-1");
      assertThat(first.next().floor()).as("the floor stays at the open transaction").isLessThanOrEqualTo(
          first.next().delivered().first());
      commit("fast-2");
      EventFeed.Batch second = feed.read(first.next(), 100);
      assertThat(ids(second)).containsExactly("fast-2");
      open.commit();
      EventFeed.Batch late = feed.read(second.next(), 100);
      assertThat(ids(late)).as("the late commit, though its transaction id is older").containsExactly("slow-1", "slow-2");
      EventFeed.Batch after = feed.read(late.next(), 100);
      assertThat(after.events()).isEmpty();
      assertThat(after.next().isClean()).as("caught up: the floor passed everything").isTrue();
    }
  }

  @Test
  void aTransactionLargerThanOneReadIsDeliveredInPiecesByEventId(TestDatabase db) throws Exception {
    FeedPosition p = feed.head();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      insert(st, "big-05", "big-01", "big-04", "big-02", "big-03", "big-07", "big-06");
      c.commit();
    }
    commit("small");
    List<String> seen = new ArrayList<>();
    EventFeed.Batch b;
    int reads = 0;
    do {
      b = feed.read(p, 3);
      seen.addAll(ids(b));
      p = b.next();
      reads++;
    } while (b.full());
    assertThat(seen).containsExactly("big-01", "big-02", "big-03", "big-04", "big-05", "big-06", "big-07", "small");
    assertThat(reads).isEqualTo(3);
    assertThat(feed.read(p, 3).events()).isEmpty();
  }

  /**
   * One transaction: {@code a}, then {@code twin} from three cameras (same id, same instant), then
   * {@code z}. Whatever the read size, a page boundary may fall inside the twins; every row must still
   * come exactly once, in feed order, and the replay between two positions must hold the same rows.
   */
  @Test
  void devicesSharingAnEventIdInOneTransactionAreNeverSplitByAReadBoundary(TestDatabase db) throws Exception {
    FeedPosition start = feed.head();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String[] row : new String[][] {{"twin", "CAM-3"}, {"a", "CAM-1"}, {"z", "CAM-1"}, {"twin", "CAM-1"},
          {"twin", "CAM-2"}}) {
        st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES ('"
            + row[0] + "', 'camera', '" + row[1] + "', 'intrusion', 2, now(), "
            + "ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))");
      }
      c.commit();
    }
    List<String> all = List.of("a/CAM-1", "twin/CAM-1", "twin/CAM-2", "twin/CAM-3", "z/CAM-1");
    for (int limit = 1; limit <= all.size(); limit++) {
      FeedPosition p = start;
      List<String> seen = new ArrayList<>();
      List<String> replayed = new ArrayList<>();
      EventFeed.Batch b;
      do {
        b = feed.read(p, limit);
        List<String> page = b.events().stream().map(e -> e.id() + "/" + e.sourceId()).toList();
        seen.addAll(page);
        // the position after a page is still a token of the old format and replays exactly that page
        FeedPosition next = FeedPosition.parse(b.next().token());
        replayed.addAll(feed.between(p, next, 100).stream().map(e -> e.id() + "/" + e.sourceId()).toList());
        p = next;
      } while (b.full());
      assertThat(seen).as("read %d at a time", limit).containsExactlyElementsOf(all);
      assertThat(replayed).as("replayed page by page, read %d at a time", limit).containsExactlyElementsOf(all);
      assertThat(feed.read(p, limit).events()).isEmpty();
    }
  }

  @Test
  void aStoredPositionResumesExactlyWhereItStopped() throws Exception {
    FeedPositions positions = new FeedPositions(jdbc);
    FeedPosition p = feed.head();
    commit("x-1", "x-2", "x-3");
    EventFeed.Batch b = feed.read(p, 2);
    positions.insertIfAbsent("test", p);
    positions.compareAndSave("test", b.next(), 0);
    FeedPosition stored = positions.find("test").orElseThrow().position();
    assertThat(stored).isEqualTo(b.next());
    commit("x-4");
    assertThat(ids(feed.read(stored, 100))).containsExactly("x-3", "x-4");
    EventFeed.Backlog backlog = feed.backlog(stored, Instant.now().plusSeconds(60));
    assertThat(backlog.events()).isEqualTo(2);
    assertThat(backlog.olderThanCutoff()).isEqualTo(2);
    assertThat(backlog.bySourceKind()).containsEntry("camera/intrusion", 2L);
    assertThat(positions.find("nobody")).isEmpty();
  }

  @Test
  void aFailingListenerKeepsItsPositionAndAPoisonEventIsSkippedAfterTheAttempts() throws Exception {
    FeedPosition p = feed.head();
    commit("ok-1", "poison", "ok-2");
    List<String> delivered = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    FeedConsumer c = new FeedConsumer("test", feed, p, (events, next) -> {
      calls.incrementAndGet();
      if (events.stream().anyMatch(e -> e.id().equals("poison"))) {
        throw new IllegalStateException("cannot judge this one");
      }
      events.forEach(e -> delivered.add(e.id()));
    }, 100, 3, new SimpleMeterRegistry(), (name, e, attempts, failure) -> skipped.add(e.id() + "/" + attempts));
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(c::step).hasMessageContaining("cannot judge");
      assertThat(c.position()).as("a failed delivery does not move the position").isEqualTo(p);
    }
    // then one at a time: ok-1 goes, poison fails three times alone and is skipped, ok-2 goes
    assertThat(c.step()).isTrue();
    assertThat(delivered).containsExactly("ok-1");
    assertThatThrownBy(c::step);
    assertThatThrownBy(c::step);
    assertThat(skipped).isEmpty();
    assertThat(c.step()).isTrue();
    assertThat(skipped).containsExactly("poison/3");
    c.step();
    assertThat(delivered).containsExactly("ok-1", "ok-2");
    assertThat(c.step()).isFalse();
    assertThat(calls.get()).isEqualTo(3 + 1 + 3 + 1);
  }

  /**
   * A read of one still returns every device that shares an event id in one transaction (a position
   * cannot stand between them), so when one of them is poison they are skipped together: each one must
   * be reported, none dropped unseen.
   */
  @Test
  void aPoisonEventSharingItsIdAndTransactionWithAnotherDeviceReportsBoth(TestDatabase db) throws Exception {
    FeedPosition p = feed.head();
    try (Connection con = db.connect(); Statement st = con.createStatement()) {
      con.setAutoCommit(false);
      for (String[] row : new String[][] {{"a-ok", "CAM-1"}, {"twin", "CAM-1"}, {"twin", "CAM-2"}, {"z-ok", "CAM-1"}}) {
        st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES ('"
            + row[0] + "', 'camera', '" + row[1] + "', 'intrusion', 2, now(), "
            + "ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))");
      }
      con.commit();
    }
    List<String> delivered = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    FeedConsumer c = new FeedConsumer("test", feed, p, (events, next) -> {
      if (events.stream().anyMatch(e -> e.sourceId().equals("CAM-2") && e.id().equals("twin"))) {
        throw new IllegalStateException("cannot judge this one");
      }
      events.forEach(e -> delivered.add(e.id() + "/" + e.sourceId()));
    }, 100, 2, new SimpleMeterRegistry(), (name, e, attempts, failure) -> skipped.add(e.id() + "/" + e.sourceId()));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(c::step).hasMessageContaining("cannot judge");
    }
    // one at a time: a-ok goes, then the twins come as one read, fail twice and are skipped together
    assertThat(c.step()).isTrue();
    assertThat(delivered).containsExactly("a-ok/CAM-1");
    assertThatThrownBy(c::step).hasMessageContaining("cannot judge");
    assertThat(skipped).isEmpty();
    assertThat(c.step()).isTrue();
    assertThat(skipped).containsExactly("twin/CAM-1", "twin/CAM-2");
    c.step();
    assertThat(c.step()).isFalse();
    assertThat(delivered).containsExactly("a-ok/CAM-1", "z-ok/CAM-1");
  }

  @Test
  void databaseTroubleNeverCountsAsAnAttemptOnTheEvents() {
    assertThat(FeedConsumer.isDatabaseTrouble(new org.springframework.jdbc.CannotGetJdbcConnectionException("down")))
        .isTrue();
    assertThat(FeedConsumer.isDatabaseTrouble(new RuntimeException(new java.sql.SQLException("gone", "08006"))))
        .isTrue();
    assertThat(FeedConsumer.isDatabaseTrouble(new IllegalStateException("bad event"))).isFalse();
  }
}
