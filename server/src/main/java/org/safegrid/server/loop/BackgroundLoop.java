package org.safegrid.server.loop;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named background thread that runs a step again and again: the one shape of every polling,
 * refreshing and relaying loop in the server (event feed, risk engine, alert engine, outbox relay,
 * watchers, retention).
 *
 * <p>A step returns {@code true} when it knows more work is waiting (it ran again at once) and
 * {@code false} when it caught up (it runs again after the period, or sooner on {@link #wake()}).
 * A step that throws is retried after an exponential backoff (initial, doubling, capped), counted in
 * {@link #failures()} and in the metric {@value #FAILURES_METRIC} (tag {@code loop}) and logged; a
 * success resets the backoff. {@link VirtualMachineError}s are not
 * swallowed. Steps never overlap: the loop's thread is the only one that runs them, so a step may
 * keep single-writer state without locks.
 *
 * <p>A loop built {@link Builder#leaderOnly leaderOnly} runs its steps only while its {@link LeaderGate}
 * says this replica leads (work that must happen once among several replicas: the alert engine,
 * escalation, retention, the audit tamper watch); on a follower it waits, and it is woken the
 * moment this replica becomes the leader.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #stop()} once (waits up to the stop timeout for the
 * running step, then interrupts it). Thread-safe.
 */
public final class BackgroundLoop {

  /** What the loop runs. */
  @FunctionalInterface
  public interface Step {
    /** Does one round of work; returns true when more is waiting. */
    boolean run() throws Exception;
  }

  /** Is told of each failed step (for metrics); called on the loop's thread. */
  @FunctionalInterface
  public interface FailureListener {
    void onFailure(String loop, Throwable failure, int consecutiveFailures);
  }

  /** The counter of failed steps, tagged {@code loop}. */
  public static final String FAILURES_METRIC = "safegrid.loop.failures";

  private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

  private final String name;
  private final Duration period;
  private final Duration initialDelay;
  private final Duration backoff;
  private final Duration maxBackoff;
  private final Duration stopTimeout;
  private final Step step;
  private final FailureListener failureListener;
  private final LeaderGate leaderGate;
  private final Counter failureCounter;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signal = lock.newCondition();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong steps = new AtomicLong();
  private volatile boolean running;
  private volatile int consecutiveFailures;
  private boolean woken;
  private Thread thread;
  private Runnable leaderUnsubscribe;

  private BackgroundLoop(Builder b) {
    this.name = b.name;
    this.period = b.period;
    this.initialDelay = b.initialDelay == null ? b.period : b.initialDelay;
    this.backoff = b.backoff;
    this.maxBackoff = b.maxBackoff;
    this.stopTimeout = b.stopTimeout;
    this.step = Objects.requireNonNull(b.step, "step");
    this.failureListener = b.failureListener;
    this.leaderGate = b.leaderGate;
    this.failureCounter = Counter.builder(FAILURES_METRIC).tag("loop", name)
        .description("steps of a background loop that threw").register(b.meters);
  }

  /** Starts describing a loop; {@code name} names its thread and its log lines. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** Starts the thread; a second call does nothing. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    running = true;
    if (leaderGate != null) {
      leaderUnsubscribe = leaderGate.onGained(this::wake);
    }
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the thread: lets the running step finish (up to the stop timeout), then interrupts it. */
  public synchronized void stop() {
    running = false;
    if (leaderUnsubscribe != null) {
      leaderUnsubscribe.run();
      leaderUnsubscribe = null;
    }
    if (thread == null) {
      return;
    }
    wake();
    try {
      thread.join(stopTimeout.toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(stopTimeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean isRunning() {
    return running;
  }

  /** Runs the next step now instead of after the period (no effect while a step runs: it runs after). */
  public void wake() {
    lock.lock();
    try {
      woken = true;
      signal.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Steps that threw since start. */
  public long failures() {
    return failures.get();
  }

  /** Failures since the last successful step. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Steps completed (successful or not) since start. */
  public long steps() {
    return steps.get();
  }

  /** True when this loop runs only on the elected leader. */
  public boolean isLeaderOnly() {
    return leaderGate != null;
  }

  /** True when called from this loop's own thread. */
  public boolean onLoopThread() {
    return Thread.currentThread() == thread;
  }

  private void loop() {
    long delayNanos = initialDelay.toNanos();
    while (running) {
      if (!pause(delayNanos)) {
        return;
      }
      if (leaderGate != null && !leaderGate.isLeader()) {
        // a follower: nothing to do until the gate wakes this loop on becoming the leader
        delayNanos = period.toNanos();
        continue;
      }
      try {
        boolean more = step.run();
        consecutiveFailures = 0;
        delayNanos = more ? 0 : period.toNanos();
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
        delayNanos = period.toNanos();
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        failures.incrementAndGet();
        failureCounter.increment();
        int n = ++consecutiveFailures;
        delayNanos = backoffNanos(n);
        if (n == 1 || Integer.bitCount(n) == 1) {
          // first failure with its stack; then at 2, 4, 8 ... so a long outage does not flood the log
          log.warn("{}: step failed ({} in a row), next try in {} ms", name, n, delayNanos / 1_000_000, e);
        }
        if (failureListener != null) {
          try {
            failureListener.onFailure(name, e, n);
          } catch (RuntimeException listenerFailure) {
            log.warn("{}: failure listener failed: {}", name, listenerFailure.toString());
          }
        }
      } finally {
        steps.incrementAndGet();
      }
    }
  }

  long backoffNanos(int consecutive) {
    long nanos = backoff.toNanos();
    for (int i = 1; i < consecutive && nanos < maxBackoff.toNanos(); i++) {
      nanos *= 2;
    }
    return Math.min(nanos, maxBackoff.toNanos());
  }

  /** Waits up to the delay or until woken; false when stopped. */
  private boolean pause(long delayNanos) {
    lock.lock();
    try {
      long left = delayNanos;
      while (running && !woken && left > 0) {
        left = signal.awaitNanos(left);
      }
      woken = false;
      return running;
    } catch (InterruptedException e) {
      return running;
    } finally {
      lock.unlock();
    }
  }

  /** Describes a loop. Period is required; backoff defaults to 200 ms doubling up to 30 s. */
  public static final class Builder {
    private final String name;
    private Duration period;
    private Duration initialDelay;
    private Duration backoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration stopTimeout = Duration.ofSeconds(10);
    private Step step;
    private FailureListener failureListener;
    private LeaderGate leaderGate;
    private MeterRegistry meters = Metrics.globalRegistry;

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a background loop needs a name");
      }
      this.name = name;
    }

    /** Time between steps once caught up. */
    public Builder every(Duration period) {
      this.period = positive(period, "period");
      return this;
    }

    /** Time before the first step (default: the period; zero runs it at once). */
    public Builder firstAfter(Duration delay) {
      if (delay == null || delay.isNegative()) {
        throw new IllegalArgumentException(name + ": initial delay must be zero or positive");
      }
      this.initialDelay = delay;
      return this;
    }

    /** Backoff after a failed step: {@code initial}, doubling per further failure, at most {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      this.backoff = positive(initial, "backoff");
      this.maxBackoff = positive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(name + ": max backoff " + max + " is below the initial " + initial);
      }
      return this;
    }

    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = positive(timeout, "stop timeout");
      return this;
    }

    /** Runs the steps only while {@code gate} says this replica leads; see the class comment. */
    public Builder leaderOnly(LeaderGate gate) {
      this.leaderGate = Objects.requireNonNull(gate, "gate");
      return this;
    }

    public Builder onFailure(FailureListener listener) {
      this.failureListener = listener;
      return this;
    }

    /**
     * Where failed steps are counted ({@code safegrid.loop.failures}, tagged with the loop's name);
     * default Micrometer's global registry, which Spring Boot's registry joins.
     */
    public Builder countFailuresIn(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /** The step; see {@link Step}. */
    public BackgroundLoop step(Step step) {
      this.step = step;
      if (period == null) {
        throw new IllegalArgumentException(name + ": period not set");
      }
      return new BackgroundLoop(this);
    }

    /**
     * Several tasks on the loop's one thread, each run when its own interval has passed (the first
     * time after its own initial delay); the loop's period becomes the shortest interval. A task that
     * throws does not keep the others from running; the first failure is then thrown.
     */
    public BackgroundLoop runEach(Task... tasks) {
      Duration shortest = null;
      for (Task t : tasks) {
        shortest = shortest == null || t.interval().compareTo(shortest) < 0 ? t.interval() : shortest;
      }
      every(shortest);
      if (initialDelay == null) {
        initialDelay = Duration.ZERO;
      }
      long start = System.nanoTime();
      long[] due = new long[tasks.length];
      for (int i = 0; i < tasks.length; i++) {
        due[i] = start + tasks[i].first().toNanos();
      }
      return run(() -> {
        Exception failed = null;
        for (int i = 0; i < tasks.length; i++) {
          long now = System.nanoTime();
          if (now - due[i] >= 0) {
            due[i] = now + tasks[i].interval().toNanos();
            try {
              tasks[i].task().run();
            } catch (Exception e) {
              failed = failed == null ? e : failed;
            }
          }
        }
        if (failed != null) {
          throw failed;
        }
      });
    }

    /** A step that always reports it caught up. */
    public BackgroundLoop run(ThrowingRunnable task) {
      return step(() -> {
        task.run();
        return false;
      });
    }

    private Duration positive(Duration d, String what) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + ": " + what + " must be positive, got " + d);
      }
      return d;
    }
  }

  /**
   * One of several tasks of a loop ({@link Builder#runEach}).
   *
   * @param interval time between runs
   * @param first    time before the first run
   * @param task     what runs
   */
  public record Task(Duration interval, Duration first, ThrowingRunnable task) {

    public Task {
      if (interval == null || interval.isZero() || interval.isNegative() || first == null || first.isNegative()) {
        throw new IllegalArgumentException("a loop task needs a positive interval and a first delay >= 0");
      }
    }
  }

  /** A task that may throw. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Override
  public String toString() {
    return "BackgroundLoop[" + name + ", every " + period.toMillis() + " ms]";
  }
}
