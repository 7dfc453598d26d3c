package org.safegrid.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundLoopTest {

  @Test
  void stepThatReportsMoreWorkRunsAgainAtOnceThenWaitsThePeriod() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch fiveRuns = new CountDownLatch(5);
    BackgroundLoop loop = BackgroundLoop.named("t-more").every(Duration.ofHours(1)).firstAfter(Duration.ZERO)
        .step(() -> {
          fiveRuns.countDown();
          return runs.incrementAndGet() < 5;
        });
    loop.start();
    try {
      assertThat(fiveRuns.await(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      // caught up at the fifth step: the next one waits an hour
      assertThat(runs.get()).isEqualTo(5);
    } finally {
      loop.stop();
    }
  }

  @Test
  void wakeRunsTheNextStepBeforeThePeriod() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    BackgroundLoop loop = BackgroundLoop.named("t-wake").every(Duration.ofHours(1)).run(runs::incrementAndGet);
    loop.start();
    try {
      Thread.sleep(100);
      assertThat(runs.get()).isZero();
      loop.wake();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (runs.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(runs.get()).isEqualTo(1);
    } finally {
      loop.stop();
    }
  }

  @Test
  void failingStepIsRetriedWithGrowingBackoffAndResetsOnSuccess() throws Exception {
    List<Long> starts = new CopyOnWriteArrayList<>();
    List<Integer> reported = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    BackgroundLoop loop = BackgroundLoop.named("t-fail").every(Duration.ofHours(1)).firstAfter(Duration.ZERO)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
        .onFailure((name, e, n) -> reported.add(n))
        .step(() -> {
          starts.add(System.nanoTime());
          if (starts.size() <= 4) {
            throw new IllegalStateException("down");
          }
          done.countDown();
          return false;
        });
    loop.start();
    try {
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(reported).containsExactly(1, 2, 3, 4);
      assertThat(loop.failures()).isEqualTo(4);
      // the step counted down inside itself: the loop resets its count once the step has returned
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (loop.consecutiveFailures() != 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(loop.consecutiveFailures()).isZero();
      // gaps follow 50, 100, 200, 400 ms (each at least the backoff)
      long[] min = {50, 100, 200, 400};
      for (int i = 0; i < 4; i++) {
        long gapMs = TimeUnit.NANOSECONDS.toMillis(starts.get(i + 1) - starts.get(i));
        assertThat(gapMs).as("gap after failure %d", i + 1).isGreaterThanOrEqualTo(min[i] - 5);
      }
    } finally {
      loop.stop();
    }
  }

  @Test
  void backoffIsCapped() {
    BackgroundLoop loop = BackgroundLoop.named("t-cap").every(Duration.ofSeconds(1))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).run(() -> { });
    assertThat(loop.backoffNanos(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(loop.backoffNanos(3)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
    assertThat(loop.backoffNanos(30)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void stopEndsTheThreadAndNoStepRunsAfterIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    BackgroundLoop loop = BackgroundLoop.named("t-stop").every(Duration.ofMillis(5)).run(runs::incrementAndGet);
    loop.start();
    Thread.sleep(100);
    loop.stop();
    int after = runs.get();
    Thread.sleep(100);
    assertThat(runs.get()).isEqualTo(after);
    assertThat(loop.isRunning()).isFalse();
  }

  @Test
  void misconfigurationNamesTheLoop() {
    assertThatThrownBy(() -> BackgroundLoop.named("feed").every(Duration.ZERO))
        .hasMessageContaining("feed").hasMessageContaining("period");
    assertThatThrownBy(() -> BackgroundLoop.named("feed").run(() -> { }))
        .hasMessageContaining("feed: period not set");
  }

  @Test
  void tasksOfOneLoopRunAtTheirOwnIntervalsAndAFailingOneNeitherStopsTheOtherNorGoesUncounted()
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AtomicInteger fast = new AtomicInteger();
    AtomicInteger slow = new AtomicInteger();
    BackgroundLoop loop = BackgroundLoop.named("t-each").countFailuresIn(meters)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(50)).runEach(
            new BackgroundLoop.Task(Duration.ofMillis(50), Duration.ZERO, () -> {
              fast.incrementAndGet();
              throw new IllegalStateException("always fails");
            }),
            new BackgroundLoop.Task(Duration.ofHours(1), Duration.ZERO, slow::incrementAndGet));
    loop.start();
    try {
      Thread.sleep(1000);
    } finally {
      loop.stop();
    }
    assertThat(fast.get()).as("the failing task keeps its interval").isGreaterThan(4);
    assertThat(slow.get()).as("the hourly task ran once, though the other failed first").isEqualTo(1);
    assertThat(meters.counter(BackgroundLoop.FAILURES_METRIC, "loop", "t-each").count())
        .isEqualTo((double) loop.failures()).isGreaterThan(4);
  }

  /** A gate flipped by the test: the loop's view of an election. */
  private static final class SwitchGate implements LeaderGate {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean leading;
    private final AtomicInteger terms = new AtomicInteger();

    void lead() {
      leading = true;
      terms.incrementAndGet();
      listeners.forEach(Runnable::run);
    }

    void follow() {
      leading = false;
    }

    @Override
    public boolean isLeader() {
      return leading;
    }

    @Override
    public long term() {
      return terms.get();
    }

    @Override
    public Runnable onGained(Runnable listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }
  }

  @Test
  void leaderOnlyLoopRunsNoStepOnAFollowerAndIsWokenTheMomentItLeads() throws Exception {
    SwitchGate gate = new SwitchGate();
    AtomicInteger runs = new AtomicInteger();
    BackgroundLoop loop = BackgroundLoop.named("t-leader").leaderOnly(gate).every(Duration.ofMillis(20))
        .firstAfter(Duration.ZERO).run(runs::incrementAndGet);
    assertThat(loop.isLeaderOnly()).isTrue();
    loop.start();
    try {
      Thread.sleep(200);
      assertThat(runs.get()).as("a follower runs no step").isZero();
      assertThat(loop.steps()).isZero();
      gate.lead();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (runs.get() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(runs.get()).isGreaterThanOrEqualTo(3);
      gate.follow();
      Thread.sleep(100); // a step that was running when leadership ended finishes
      int atStepDown = runs.get();
      Thread.sleep(200);
      assertThat(runs.get()).as("no step after stepping down").isEqualTo(atStepDown);
    } finally {
      loop.stop();
    }
    assertThat(gate.listeners).as("a stopped loop is no longer woken by the gate").isEmpty();
  }

  @Test
  void leaderOnlyLoopWithALongPeriodRunsAtOnceWhenLeadershipIsGained() throws Exception {
    SwitchGate gate = new SwitchGate();
    CountDownLatch ran = new CountDownLatch(1);
    BackgroundLoop loop = BackgroundLoop.named("t-takeover").leaderOnly(gate).every(Duration.ofHours(1))
        .firstAfter(Duration.ZERO).run(ran::countDown);
    loop.start();
    try {
      Thread.sleep(100);
      long gained = System.nanoTime();
      gate.lead();
      assertThat(ran.await(2, TimeUnit.SECONDS)).as("woken on gaining, not after the hour").isTrue();
      System.out.println("leader-only loop: first step " + (System.nanoTime() - gained) / 1_000_000 + " ms after gaining");
    } finally {
      loop.stop();
    }
  }
}
