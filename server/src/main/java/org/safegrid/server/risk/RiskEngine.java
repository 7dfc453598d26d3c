package org.safegrid.server.risk;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid risk engine: per-cell, per-kind, time-decayed accumulators for a fixed set of windows,
 * kept up to date incrementally as events arrive and time passes.
 *
 * <p>Model. For window W with half-life h, the event term of cell c at time T is
 * {@code Σ w_e · 2^(−(T − t_e)/h)} over the cell's events with {@code T − W < t_e ≤ T}, where
 * {@code w_e} = kind weight × severity weight. Advancing from T to T' multiplies every accumulator
 * by {@code 2^(−(T'−T)/h)}; a new event adds its decayed weight; an event leaving the window
 * subtracts its decayed weight. The events themselves sit in a bounded ring (arrival order) so
 * that expiry and an exact {@link #rebuild()} are possible; each window walks the ring with its
 * own expiry cursor. A late event (older than one already in the ring) expires when the cursor
 * reaches it, at most as late as the events that arrived before it; {@link #rebuild()} is exact.
 *
 * <p>Patrol position pings (weight 0) are not risk: they go into hourly coverage bins per cell.
 *
 * <p>Threading: single writer. One thread calls {@code accept*}, {@link #advanceTo} and
 * {@link #snapshot()}; the snapshots it returns are immutable and may be read by any thread.
 */
public final class RiskEngine {

  private static final int COVERAGE_BINS = 24 * 7 + 1;
  private static final long HOUR_MS = 3_600_000L;
  private static final double LN2 = Math.log(2);

  private final GridModel grid;
  private final RiskProperties cfg;
  private final CellEnvironment env;
  private final long[] windowMs;
  private final double[] halfLifeMs;
  private final int n;

  private final Map<String, Integer> kindIndex = new HashMap<>();
  private final List<String> kinds = new ArrayList<>();
  private int kcap = 8;
  private double[][] decayed;
  private int[][] counts;

  private final int cap;
  private int len;
  private long[] rTime;
  private int[] rCell;
  private short[] rKind;
  private float[] rWeight;
  private byte[] rIn;
  private long firstSeq;
  private long nextSeq;
  private final long[] cursor;

  private final int[][] pingBins = new int[COVERAGE_BINS][];
  private final long[] pingBinHour = new long[COVERAGE_BINS];

  private long nowMs = Long.MIN_VALUE;
  /** k nearest cells of each cell, for the empirical Bayes shrinkage of the cells' relative risks. */
  private int[][] neighbours;
  private EnvironmentModel environment;
  /** The self-exciting forecast's expected count per cell for each live window (ms), or none. */
  private Map<Long, double[]> forecastBaselines = Map.of();
  /** Cameras silent per cell, each as the time it went silent (feed health); see {@link #setCameraOutages}. */
  private long[][] cameraOutages = new long[0][];
  private long environmentHour = Long.MIN_VALUE;
  private long accepted;
  private long outside;
  private long overflowed;

  /**
   * @param grid     the active grid
   * @param cfg      weights and half-lives
   * @param env      static exposures per cell
   * @param windows  live windows (e.g. 1 h, 24 h, 7 d), at most 8
   */
  public RiskEngine(GridModel grid, RiskProperties cfg, CellEnvironment env, List<Duration> windows) {
    if (windows.isEmpty() || windows.size() > 8) {
      throw new IllegalArgumentException("between 1 and 8 windows");
    }
    this.grid = grid;
    this.cfg = cfg;
    this.env = env;
    this.n = grid.size();
    windowMs = windows.stream().mapToLong(Duration::toMillis).toArray();
    halfLifeMs = windows.stream().mapToDouble(w -> cfg.halfLifeFor(w).toMillis()).toArray();
    decayed = new double[windowMs.length][n * kcap];
    counts = new int[windowMs.length][n * kcap];
    cap = cfg.maxLiveEvents();
    len = Math.min(cap, 1 << 16);
    rTime = new long[len];
    rCell = new int[len];
    rKind = new short[len];
    rWeight = new float[len];
    rIn = new byte[len];
    cursor = new long[windowMs.length];
    Arrays.fill(pingBinHour, Long.MIN_VALUE);
  }

  public GridModel grid() {
    return grid;
  }

  /** The engine's clock (epoch ms), or {@code Long.MIN_VALUE} before the first event or advance. */
  public long nowMs() {
    return nowMs;
  }

  /** Locates and accepts one event; returns false when no cell covers it or it carries no risk. */
  public boolean accept(long observedMs, double lon, double lat, String source, String kind, int severity) {
    int cell = grid.locate(lon, lat);
    if (cell < 0) {
      outside++;
      return false;
    }
    return acceptInCell(cell, observedMs, source, kind, severity);
  }

  /** Accepts one event already located in {@code cell}. */
  public boolean acceptInCell(int cell, long observedMs, String source, String kind, int severity) {
    if (nowMs == Long.MIN_VALUE) {
      nowMs = observedMs;
    }
    KindInfo info = kindInfo(source, kind);
    double w = info.weightBySeverity[Math.max(0, Math.min(5, severity))];
    if (w == 0) {
      if ("position".equals(kind)) {
        addPing(cell, observedMs);
      }
      return false;
    }
    if (info.index < 0) {
      info.index = kindIndex(source + ":" + kind);
    }
    int k = info.index;
    if (nextSeq - firstSeq == len) {
      if (len < cap) {
        growRing();
      } else {
        dropOldest();
      }
    }
    int slot = (int) (nextSeq % len);
    rTime[slot] = observedMs;
    rCell[slot] = cell;
    rKind[slot] = (short) k;
    rWeight[slot] = (float) w;
    byte in = 0;
    long t = Math.min(observedMs, nowMs);
    for (int wi = 0; wi < windowMs.length; wi++) {
      if (observedMs > nowMs - windowMs[wi]) {
        in |= (byte) (1 << wi);
        int idx = cell * kcap + k;
        decayed[wi][idx] += rWeight[slot] * Math.exp(-(nowMs - t) * LN2 / halfLifeMs[wi]);
        counts[wi][idx]++;
      }
    }
    rIn[slot] = in;
    nextSeq++;
    accepted++;
    return true;
  }

  /** Moves the clock forward to {@code t}: decays every accumulator and expires what left a window. */
  public void advanceTo(long t) {
    if (nowMs == Long.MIN_VALUE) {
      nowMs = t;
      return;
    }
    if (t <= nowMs) {
      return;
    }
    for (int wi = 0; wi < windowMs.length; wi++) {
      double f = Math.exp(-(t - nowMs) * LN2 / halfLifeMs[wi]);
      double[] d = decayed[wi];
      for (int i = 0; i < d.length; i++) {
        d[i] *= f;
      }
    }
    nowMs = t;
    for (int wi = 0; wi < windowMs.length; wi++) {
      expire(wi);
    }
  }

  private void expire(int wi) {
    long limit = nowMs - windowMs[wi];
    byte bit = (byte) (1 << wi);
    long s = Math.max(cursor[wi], firstSeq);
    for (; s < nextSeq; s++) {
      int slot = (int) (s % len);
      if ((rIn[slot] & bit) == 0) {
        continue;
      }
      if (rTime[slot] > limit) {
        break;
      }
      removeFromWindow(wi, slot);
    }
    cursor[wi] = s;
  }

  private void removeFromWindow(int wi, int slot) {
    int idx = rCell[slot] * kcap + rKind[slot];
    double v = decayed[wi][idx] - rWeight[slot] * Math.exp(-(nowMs - Math.min(rTime[slot], nowMs)) * LN2 / halfLifeMs[wi]);
    int c = --counts[wi][idx];
    // floating drift must not leave a ghost of a score behind
    decayed[wi][idx] = c == 0 || v < 0 ? 0 : v;
    rIn[slot] &= (byte) ~(1 << wi);
  }

  private void growRing() {
    int newLen = (int) Math.min(cap, (long) len * 2);
    long[] t = new long[newLen];
    int[] c = new int[newLen];
    short[] k = new short[newLen];
    float[] w = new float[newLen];
    byte[] in = new byte[newLen];
    for (long s = firstSeq; s < nextSeq; s++) {
      int from = (int) (s % len);
      int to = (int) (s % newLen);
      t[to] = rTime[from];
      c[to] = rCell[from];
      k[to] = rKind[from];
      w[to] = rWeight[from];
      in[to] = rIn[from];
    }
    rTime = t;
    rCell = c;
    rKind = k;
    rWeight = w;
    rIn = in;
    len = newLen;
  }

  private void dropOldest() {
    int slot = (int) (firstSeq % len);
    for (int wi = 0; wi < windowMs.length; wi++) {
      if ((rIn[slot] & (1 << wi)) != 0) {
        removeFromWindow(wi, slot);
      }
    }
    firstSeq++;
    overflowed++;
  }

  /** Recomputes every accumulator from the ring, exactly (clears drift and late-event lag). */
  public void rebuild() {
    for (int wi = 0; wi < windowMs.length; wi++) {
      Arrays.fill(decayed[wi], 0);
      Arrays.fill(counts[wi], 0);
    }
    for (long s = firstSeq; s < nextSeq; s++) {
      int slot = (int) (s % len);
      byte in = 0;
      for (int wi = 0; wi < windowMs.length; wi++) {
        if (rTime[slot] > nowMs - windowMs[wi]) {
          in |= (byte) (1 << wi);
          int idx = rCell[slot] * kcap + rKind[slot];
          decayed[wi][idx] += rWeight[slot] * Math.exp(-(nowMs - Math.min(rTime[slot], nowMs)) * LN2 / halfLifeMs[wi]);
          counts[wi][idx]++;
        }
      }
      rIn[slot] = in;
    }
    Arrays.fill(cursor, firstSeq);
    // drop the head of the ring that no window holds any more
    while (firstSeq < nextSeq && rIn[(int) (firstSeq % len)] == 0) {
      firstSeq++;
    }
  }

  /**
   * The self-exciting forecast's expected count of every cell in each live window, as it stood at the
   * window's start (keyed by window length in ms; a window without one keeps the environment model's
   * baseline). Replaces the previous ones.
   */
  public void setForecastBaselines(Map<Long, double[]> byWindowMs) {
    forecastBaselines = Map.copyOf(byWindowMs);
  }

  /**
   * The cameras that feed health reports silent, each located to its cell and with the time it went
   * silent: from then on it adds no observer-hours to its cell's exposure. Replaces the previous list.
   */
  public void setCameraOutages(List<double[]> lonLatSince) {
    Map<Integer, List<Long>> by = new HashMap<>();
    for (double[] o : lonLatSince) {
      int cell = grid.locate(o[0], o[1]);
      if (cell >= 0) {
        by.computeIfAbsent(cell, k -> new ArrayList<>()).add((long) o[2]);
      }
    }
    long[][] out = new long[by.size()][];
    int i = 0;
    for (Map.Entry<Integer, List<Long>> e : by.entrySet()) {
      long[] row = new long[e.getValue().size() + 1];
      row[0] = e.getKey();
      for (int k = 0; k < e.getValue().size(); k++) {
        row[k + 1] = e.getValue().get(k);
      }
      out[i++] = row;
    }
    cameraOutages = out;
  }

  /** Adds {@code count} patrol position pings seen in {@code cell} at time t (history load). */
  public void addPings(double lon, double lat, long t, long count) {
    int cell = grid.locate(lon, lat);
    if (cell >= 0) {
      addPing(cell, t, (int) Math.min(Integer.MAX_VALUE, count));
    }
  }

  private void addPing(int cell, long t) {
    addPing(cell, t, 1);
  }

  private void addPing(int cell, long t, int count) {
    long hour = Math.floorDiv(t, HOUR_MS);
    int b = (int) Math.floorMod(hour, COVERAGE_BINS);
    if (pingBinHour[b] != hour) {
      if (pingBinHour[b] > hour) {
        return; // older than the bins reach
      }
      pingBinHour[b] = hour;
      pingBins[b] = new int[n];
    }
    pingBins[b][cell] += count;
  }

  /** Weight by severity and accumulator index of one source/kind pair, cached to keep string work off the hot path. */
  private static final class KindInfo {
    final double[] weightBySeverity = new double[6];
    int index = -1;
  }

  private final Map<String, Map<String, KindInfo>> kindInfos = new HashMap<>();

  private KindInfo kindInfo(String source, String kind) {
    Map<String, KindInfo> bySource = kindInfos.computeIfAbsent(source, s -> new HashMap<>());
    KindInfo info = bySource.get(kind);
    if (info == null) {
      info = new KindInfo();
      for (int sev = 0; sev <= 5; sev++) {
        info.weightBySeverity[sev] = cfg.eventWeight(source, kind, sev);
      }
      bySource.put(kind, info);
    }
    return info;
  }

  private int kindIndex(String key) {
    Integer k = kindIndex.get(key);
    if (k != null) {
      return k;
    }
    int idx = kinds.size();
    if (idx == Short.MAX_VALUE) {
      throw new IllegalStateException("too many distinct event kinds");
    }
    if (idx == kcap) {
      grow(kcap * 2);
    }
    kinds.add(key);
    kindIndex.put(key, idx);
    return idx;
  }

  private void grow(int newCap) {
    for (int wi = 0; wi < windowMs.length; wi++) {
      double[] d = new double[n * newCap];
      int[] c = new int[n * newCap];
      for (int cell = 0; cell < n; cell++) {
        System.arraycopy(decayed[wi], cell * kcap, d, cell * newCap, kcap);
        System.arraycopy(counts[wi], cell * kcap, c, cell * newCap, kcap);
      }
      decayed[wi] = d;
      counts[wi] = c;
    }
    kcap = newCap;
  }

  /** Events accepted into the ring, located outside every cell, and dropped early because the ring was full. */
  public long[] stats() {
    return new long[] {accepted, outside, overflowed};
  }

  /**
   * Refits the environment model on the reference window once per hour of the engine clock (and
   * drops it while the window holds fewer than {@link EnvironmentModel#MIN_EVENTS} events).
   */
  private void refitEnvironment(int ref) {
    if (nowMs == Long.MIN_VALUE) {
      return;
    }
    long hour = Math.floorDiv(nowMs, HOUR_MS);
    if (hour == environmentHour) {
      return;
    }
    environmentHour = hour;
    long from = nowMs - windowMs[ref];
    long fromHour = Math.floorDiv(from, HOUR_MS);
    int[] cls = hourClasses(fromHour, hour);
    double[][] y = new double[EnvironmentModel.CLASSES][n];
    for (long seq = firstSeq; seq < nextSeq; seq++) {
      int slot = (int) (seq % len);
      if ((rIn[slot] & (1 << ref)) != 0) {
        // an event stamped slightly ahead of the clock counts in the current hour
        int h = (int) Math.max(0, Math.min(cls.length - 1, Math.floorDiv(rTime[slot], HOUR_MS) - fromHour));
        y[cls[h]][rCell[slot]]++;
      }
    }
    environment = EnvironmentModel.fit(env, y, exposure(from, nowMs)).orElse(null);
  }

  private int[] hourClasses(long fromHour, long toHour) {
    int[] cls = new int[(int) (toHour - fromHour + 1)];
    for (int h = 0; h < cls.length; h++) {
      cls[h] = EnvironmentModel.hourClass((fromHour + h) * HOUR_MS, cfg.zone());
    }
    return cls;
  }

  /**
   * Observer-hours of every cell in {@code [fromMs, toMs)} by hour class: one for the public, one per
   * camera while it is up (a camera feed health reports silent counts from the time it went silent as
   * down), plus the patrol hours its position pings stand for.
   */
  private double[][] exposure(long fromMs, long toMs) {
    double[][] e = new double[EnvironmentModel.CLASSES][n];
    long fromHour = Math.floorDiv(fromMs, HOUR_MS);
    long toHour = Math.floorDiv(toMs, HOUR_MS);
    int[] cls = hourClasses(fromHour, toHour);
    double[] hours = new double[EnvironmentModel.CLASSES];
    for (long h = fromHour; h <= toHour; h++) {
      long a = Math.max(fromMs, h * HOUR_MS);
      long b = Math.min(toMs, (h + 1) * HOUR_MS);
      if (b > a) {
        hours[cls[(int) (h - fromHour)]] += (b - a) / (double) HOUR_MS;
      }
    }
    for (int k = 0; k < EnvironmentModel.CLASSES; k++) {
      for (int c = 0; c < n; c++) {
        e[k][c] = hours[k] * (1 + env.cameras()[c]);
      }
    }
    // camera uptime: a camera silent since t adds no observer-hours after t (never fewer than the
    // public's one observer-hour per hour)
    for (long[] row : cameraOutages) {
      int c = (int) row[0];
      double[] down = new double[EnvironmentModel.CLASSES];
      for (int i = 1; i < row.length; i++) {
        for (long h = Math.max(fromHour, Math.floorDiv(row[i], HOUR_MS)); h <= toHour; h++) {
          long a = Math.max(Math.max(fromMs, row[i]), h * HOUR_MS);
          long b = Math.min(toMs, (h + 1) * HOUR_MS);
          if (b > a) {
            down[cls[(int) (h - fromHour)]] += (b - a) / (double) HOUR_MS;
          }
        }
      }
      for (int k = 0; k < EnvironmentModel.CLASSES; k++) {
        e[k][c] = Math.max(hours[k], e[k][c] - down[k]);
      }
    }
    double perPingHours = cfg.patrolPingInterval().toMillis() / (double) HOUR_MS;
    for (int bin = 0; bin < COVERAGE_BINS; bin++) {
      long h = pingBinHour[bin];
      if (pingBins[bin] != null && h >= fromHour && h <= toHour) {
        int k = cls[(int) (h - fromHour)];
        for (int c = 0; c < n; c++) {
          e[k][c] += pingBins[bin][c] * perPingHours;
        }
      }
    }
    return e;
  }

  private int[][] neighbours() {
    if (neighbours == null) {
      int k = Math.min(8, n - 1);
      org.safegrid.server.stats.hotspot.SpatialWeights w = k < 1 ? null
          : org.safegrid.server.stats.hotspot.WeightsBuilder.knn(grid.centreX(), grid.centreY(), k);
      neighbours = new int[n][];
      for (int c = 0; c < n; c++) {
        neighbours[c] = w == null ? new int[0] : w.neighboursOf(c);
      }
    }
    return neighbours;
  }

  /**
   * The forecast's expected count of each cell for window wi, times the environment model's
   * covariate term for the hours of this window: the cell's expected count in the window per hour
   * divided by its expected count per hour over the reference week (1 for the reference window, and
   * without a model). So the forecast's long-run level sets the baseline, and campus hours, the coast
   * at night, silent cameras and patrol presence in this window move it.
   */
  private double[] forecastBaseline(int wi, int ref, double[][] exposure) {
    double[] f = forecastBaselines.get(windowMs[wi]);
    if (f == null || f.length != n) {
      return null;
    }
    double[] out = f.clone();
    if (environment != null && wi != ref) {
      double[] now = environment.expected(exposure);
      double[] week = environment.expected(exposure(nowMs - windowMs[ref], nowMs));
      double ratio = (double) windowMs[ref] / windowMs[wi];
      for (int c = 0; c < n; c++) {
        if (week[c] > 0) {
          out[c] *= now[c] / week[c] * ratio;
        }
      }
    }
    return out;
  }

  /** An immutable snapshot of every window at the engine's clock. */
  public RiskSnapshot snapshot() {
    Instant asOf = Instant.ofEpochMilli(nowMs == Long.MIN_VALUE ? 0 : nowMs);
    List<RiskSnapshot.WindowScores> ws = new ArrayList<>(windowMs.length);
    int nk = kinds.size();
    // the longest window is every cell's reference history for the baselines of the others
    int ref = 0;
    for (int wi = 1; wi < windowMs.length; wi++) {
      ref = windowMs[wi] > windowMs[ref] ? wi : ref;
    }
    int[] refCount = new int[n * nk];
    for (int cell = 0; cell < n; cell++) {
      System.arraycopy(counts[ref], cell * kcap, refCount, cell * nk, nk);
    }
    refitEnvironment(ref);
    for (int wi = 0; wi < windowMs.length; wi++) {
      double[] perKind = new double[n * nk];
      int[] perKindCount = new int[n * nk];
      for (int cell = 0; cell < n; cell++) {
        System.arraycopy(decayed[wi], cell * kcap, perKind, cell * nk, nk);
        System.arraycopy(counts[wi], cell * kcap, perKindCount, cell * nk, nk);
      }
      double[] pingMinutes = new double[n];
      long fromHour = Math.floorDiv(nowMs - windowMs[wi], HOUR_MS);
      double perPing = cfg.patrolPingInterval().toMillis() / 60_000.0;
      for (int b = 0; b < COVERAGE_BINS; b++) {
        if (pingBins[b] != null && pingBinHour[b] >= fromHour && pingBinHour[b] * HOUR_MS <= nowMs) {
          for (int cell = 0; cell < n; cell++) {
            pingMinutes[cell] += pingBins[b][cell] * perPing;
          }
        }
      }
      Duration window = Duration.ofMillis(windowMs[wi]);
      double[][] exposure = environment == null ? null : exposure(nowMs - windowMs[wi], nowMs);
      double[] forecast = forecastBaseline(wi, ref, exposure);
      ws.add(RiskScoring.score(grid, cfg, env, window, Duration.ofMillis((long) halfLifeMs[wi]), List.copyOf(kinds),
          perKind, perKindCount, pingMinutes, null, refCount, Duration.ofMillis(windowMs[ref]),
          environment, exposure, environment == null ? null : neighbours(), forecast));
    }
    return new RiskSnapshot(asOf, grid, ws);
  }
}
