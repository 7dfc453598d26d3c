package org.safegrid.ingest.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.safegrid.gisdata.reference.Feature;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.IncidentAttrs;
import org.safegrid.ingest.event.Source;
import org.locationtech.jts.geom.Point;

/**
 * Reported incidents of the reference city as a self-exciting point process (Mohler et al. 2011):
 * intensity λ(t, x) = μ · c(t) · b(x) + Σ over earlier incidents i of θ ω e^{−ω (t − tᵢ)} · N(x − xᵢ; σ²).
 *
 * <ul>
 *   <li><b>Background</b> μ · c(t) · b(x): a stationary spatial density b that follows where people
 *       are — a background incident is placed at a camera (70 %; cameras stand where people and
 *       traffic are) or a campus (30 %) chosen at random, moved by a Gaussian of
 *       {@link Parameters#backgroundSpreadMeters}; and a cycle c(t) = hour-of-day factor ×
 *       day-of-week factor in local time (both average 1, so μ is the mean background rate per day).</li>
 *   <li><b>Near repeats</b>: every incident, background or not, has a Poisson(θ) number of offspring of
 *       its kind, each after an exponential delay of mean 1/ω days and displaced by an isotropic
 *       Gaussian of σ metres: the branching ratio θ is the share of incidents that are near repeats.</li>
 * </ul>
 * Background arrivals are drawn by thinning a Poisson process of rate μ · max c; offspring are
 * queued as their parents are drawn, so incidents come out one at a time in time order and the
 * stream never ends. Given a seed the sequence is always the same. Not thread-safe.
 */
public final class IncidentProcess {

  /**
   * The planted parameters.
   *
   * @param muPerDay               mean background incidents per day over the city
   * @param theta                  branching ratio: mean offspring per incident (below 1)
   * @param omegaPerDay            decay of the triggering kernel: mean delay 1/ω days
   * @param sigmaMeters            spatial spread of an offspring around its parent
   * @param backgroundSpreadMeters spread of a background incident around its camera or campus
   * @param hourFactors            24 factors of the background by local hour (mean 1)
   * @param weekdayFactors         7 factors by local day, Monday first (mean 1)
   * @param kindShares             kinds of background incidents and their shares (offspring keep their parent's)
   */
  public record Parameters(double muPerDay, double theta, double omegaPerDay, double sigmaMeters,
                           double backgroundSpreadMeters, double[] hourFactors, double[] weekdayFactors,
                           Map<String, Double> kindShares) {

    /**
     * The documented defaults (docs/scenario.md): 40 background incidents a day, θ = 0.4 (40 % of
     * incidents are near repeats, within the 0.2–0.6 that Mohler et al. report for burglary and
     * violence), mean delay 4 days, σ = 150 m, background within ~500 m of a camera or campus; a
     * night-time peak (20:00–24:00 twice the mean hour, 03:00–06:00 a third) and busier Fridays and
     * Saturdays.
     */
    public static final Parameters DEFAULT = new Parameters(40, 0.4, 0.25, 150, 500,
        normalised(new double[] {0.8, 0.6, 0.4, 0.3, 0.3, 0.3, 0.5, 0.7, 0.9, 1.0, 1.0, 1.1, 1.1, 1.0, 1.0, 1.0,
            1.1, 1.2, 1.4, 1.6, 1.9, 2.0, 1.9, 1.4}),
        normalised(new double[] {0.9, 0.9, 0.9, 0.95, 1.15, 1.25, 0.95}),
        orderedShares());

    public Parameters {
      if (!(muPerDay > 0 && theta >= 0 && theta < 1 && omegaPerDay > 0 && sigmaMeters > 0
          && backgroundSpreadMeters >= 0)) {
        throw new IllegalArgumentException("incident process: need mu > 0, 0 <= theta < 1, omega > 0, sigma > 0");
      }
      if (hourFactors.length != 24 || weekdayFactors.length != 7) {
        throw new IllegalArgumentException("incident process: 24 hour factors and 7 weekday factors");
      }
      hourFactors = hourFactors.clone();
      weekdayFactors = weekdayFactors.clone();
      kindShares = Map.copyOf(kindShares);
    }

    /** The same with other triggering parameters. */
    public Parameters with(double mu, double th, double omega, double sigma) {
      return new Parameters(mu, th, omega, sigma, backgroundSpreadMeters, hourFactors, weekdayFactors, kindShares);
    }

    /** These parameters with a flat cycle (every hour and day alike). */
    public Parameters withoutCycle() {
      double[] h = new double[24];
      double[] d = new double[7];
      java.util.Arrays.fill(h, 1);
      java.util.Arrays.fill(d, 1);
      return new Parameters(muPerDay, theta, omegaPerDay, sigmaMeters, backgroundSpreadMeters, h, d, kindShares);
    }

    private static double[] normalised(double[] v) {
      double mean = java.util.Arrays.stream(v).average().orElse(1);
      return java.util.Arrays.stream(v).map(x -> x / mean).toArray();
    }

    private static Map<String, Double> orderedShares() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("property", 0.35);
      m.put("disorder", 0.2);
      m.put("dispute", 0.15);
      m.put("traffic", 0.12);
      m.put("violent", 0.08);
      m.put("fraud", 0.06);
      m.put("other", 0.04);
      return m;
    }
  }

  /** One drawn incident before it becomes an event; {@code parent} is −1 for background. */
  public record Incident(long seq, long parent, long epochMillis, double lon, double lat, String kind) {}

  private static final double DAY_MS = 86_400_000.0;
  private static final String[] CHANNELS = {"110", "12345", "grid"};
  private static final double[] CHANNEL_SHARES = {0.55, 0.30, 0.15};
  private static final Map<String, Integer> SEVERITY = Map.of("violent", 4, "property", 3, "disorder", 2,
      "traffic", 2, "dispute", 2, "fraud", 3, "other", 1);

  private final Parameters p;
  private final Random rnd;
  private final ZoneId zone;
  private final String runId;
  private final double[][] anchors;
  private final int cameraAnchors;
  private final String[] kinds;
  private final double[] kindCdf;
  private final double maxCycle;
  private final PriorityQueue<Incident> offspring =
      new PriorityQueue<>(Comparator.comparingLong(Incident::epochMillis).thenComparingLong(Incident::seq));
  private double nextBackgroundMs;
  private long seq;

  /**
   * A process over the reference city's cameras and campuses.
   *
   * @param start the moment the process starts (no incident before it; no history to trigger from)
   */
  public IncidentProcess(ReferenceCity city, Parameters p, long seed, String runId, Instant start, ZoneId zone) {
    this.p = p;
    this.rnd = new Random(seed);
    this.zone = zone;
    this.runId = runId;
    List<double[]> a = new ArrayList<>();
    for (Feature f : city.cameras()) {
      Point c = f.geometry().getCentroid();
      a.add(new double[] {c.getX(), c.getY()});
    }
    this.cameraAnchors = a.size();
    for (Feature f : city.campuses()) {
      Point c = f.geometry().getCentroid();
      a.add(new double[] {c.getX(), c.getY()});
    }
    this.anchors = a.toArray(new double[0][]);
    this.kinds = p.kindShares().keySet().stream().sorted().toArray(String[]::new);
    this.kindCdf = new double[kinds.length];
    double total = p.kindShares().values().stream().mapToDouble(Double::doubleValue).sum();
    double acc = 0;
    for (int i = 0; i < kinds.length; i++) {
      acc += p.kindShares().get(kinds[i]) / total;
      kindCdf[i] = acc;
    }
    double m = 0;
    for (double h : p.hourFactors()) {
      for (double d : p.weekdayFactors()) {
        m = Math.max(m, h * d);
      }
    }
    this.maxCycle = m;
    this.nextBackgroundMs = start.toEpochMilli();
    drawNextBackground();
  }

  /** The planted parameters. */
  public Parameters parameters() {
    return p;
  }

  /** The background cycle c(t) at an instant (hour-of-day × day-of-week factor, local time). */
  public double cycle(long epochMillis) {
    ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(zone);
    return p.hourFactors()[t.getHour()] * p.weekdayFactors()[t.getDayOfWeek().getValue() - 1];
  }

  /** The next incident, in time order. */
  public Incident nextIncident() {
    Incident child = offspring.peek();
    Incident next;
    if (child != null && child.epochMillis() <= nextBackgroundMs) {
      next = offspring.poll();
    } else {
      next = background((long) nextBackgroundMs);
      drawNextBackground();
    }
    spawn(next);
    return next;
  }

  /** The next incident as an {@code incident} event (WGS84, geocoded or caller GPS). */
  public Event next() {
    Incident i = nextIncident();
    String channel = CHANNELS[pick(CHANNEL_SHARES)];
    Instant at = Instant.ofEpochMilli(i.epochMillis());
    // a call comes in a few minutes after the fact
    Instant reported = at.plus(Duration.ofSeconds(60 + rnd.nextInt(900)));
    boolean gps = channel.equals("110") && rnd.nextDouble() < 0.6;
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("simulated", true);
    if (i.parent() >= 0) {
      extra.put("nearRepeatOf", runId + "-inc-" + i.parent());
    }
    IncidentAttrs attrs = new IncidentAttrs(channel, reported, at, null, null, gps ? "caller_gps" : "geocoded_address",
        gps ? 30 : 80, extra);
    return new Event(runId + "-inc-" + i.seq(), Source.INCIDENT, channel + "-HZ", i.kind(), SEVERITY.get(i.kind()), at,
        round(i.lon()), round(i.lat()), Datum.WGS84, attrs.toMap());
  }

  private void drawNextBackground() {
    // thinning: candidates at rate mu * max cycle, kept with probability cycle / max cycle
    double rateMs = p.muPerDay() * maxCycle / DAY_MS;
    do {
      nextBackgroundMs += -Math.log(1 - rnd.nextDouble()) / rateMs;
    } while (rnd.nextDouble() * maxCycle > cycle((long) nextBackgroundMs));
  }

  private Incident background(long t) {
    double[] a = rnd.nextDouble() < 0.7 ? anchors[rnd.nextInt(cameraAnchors)]
        : anchors[cameraAnchors + rnd.nextInt(anchors.length - cameraAnchors)];
    double[] d = displaced(a[0], a[1], p.backgroundSpreadMeters());
    double u = rnd.nextDouble();
    int k = 0;
    while (k < kinds.length - 1 && u >= kindCdf[k]) {
      k++;
    }
    String kind = kinds[k];
    return new Incident(seq++, -1, t, d[0], d[1], kind);
  }

  private void spawn(Incident parent) {
    int n = poisson(p.theta());
    for (int k = 0; k < n; k++) {
      long t = parent.epochMillis() + (long) (-Math.log(1 - rnd.nextDouble()) / p.omegaPerDay() * DAY_MS);
      double[] d = displaced(parent.lon(), parent.lat(), p.sigmaMeters());
      offspring.add(new Incident(seq++, parent.seq(), t, d[0], d[1], parent.kind()));
    }
  }

  private double[] displaced(double lon, double lat, double sigmaMeters) {
    return new double[] {lon + rnd.nextGaussian() * sigmaMeters / ReferenceCity.metersPerDegreeLon(),
        lat + rnd.nextGaussian() * sigmaMeters / ReferenceCity.metersPerDegreeLat()};
  }

  private int poisson(double mean) {
    double l = Math.exp(-mean);
    int k = 0;
    double prod = rnd.nextDouble();
    while (prod > l) {
      k++;
      prod *= rnd.nextDouble();
    }
    return k;
  }

  private int pick(double[] shares) {
    double u = rnd.nextDouble();
    double acc = 0;
    for (int i = 0; i < shares.length; i++) {
      acc += shares[i];
      if (u < acc) {
        return i;
      }
    }
    return shares.length - 1;
  }

  private static double round(double deg) {
    return Math.round(deg * 1e6) / 1e6;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "IncidentProcess[mu=%.3g/day, theta=%.3g, omega=%.3g/day, sigma=%.0f m]",
        p.muPerDay(), p.theta(), p.omegaPerDay(), p.sigmaMeters());
  }
}
