package org.safegrid.server.backtest;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.safegrid.server.stats.forecast.NegativeBinomial;

/**
 * The two calibration plots of a count forecast, as standalone SVG: a reliability diagram of the
 * event "at least one event in the cell" (forecast probability, ten equal-count bins, against the
 * observed share) and a histogram of the non-randomised PIT (Czado, Gneiting and Held 2009),
 * flat when the predictive distributions are calibrated.
 */
final class CalibrationPlots {

  private static final int W = 420;
  private static final int H = 360;
  private static final int PAD = 50;

  private CalibrationPlots() {}

  /** Pairs are {forecast mean, observed count}; {@code size} is the negative binomial size. */
  static String reliability(List<double[]> pairs, double size) {
    int n = pairs.size();
    double[][] pq = new double[n][2];
    for (int i = 0; i < n; i++) {
      double m = pairs.get(i)[0];
      pq[i][0] = 1 - Math.exp(NegativeBinomial.logPmf(0, m, size));
      pq[i][1] = pairs.get(i)[1] >= 1 ? 1 : 0;
    }
    java.util.Arrays.sort(pq, Comparator.comparingDouble(a -> a[0]));
    int bins = 10;
    double max = 0;
    double[][] pts = new double[bins][2];
    for (int b = 0; b < bins; b++) {
      int lo = (int) ((long) b * n / bins);
      int hi = (int) ((long) (b + 1) * n / bins);
      double sp = 0;
      double so = 0;
      for (int i = lo; i < hi; i++) {
        sp += pq[i][0];
        so += pq[i][1];
      }
      pts[b][0] = hi > lo ? sp / (hi - lo) : 0;
      pts[b][1] = hi > lo ? so / (hi - lo) : 0;
      max = Math.max(max, Math.max(pts[b][0], pts[b][1]));
    }
    double top = Math.min(1, Math.ceil(max * 10 + 1e-9) / 10);
    StringBuilder sb = header("Reliability: P(at least one event) per cell and step, 10 equal-count bins");
    axes(sb, "forecast probability", "observed share", top, top);
    sb.append(line(0, 0, top, top, top, top, "#999", "4,3"));
    StringBuilder path = new StringBuilder();
    for (double[] p : pts) {
      double x = sx(p[0], top);
      double y = sy(p[1], top);
      path.append(path.length() == 0 ? "M" : "L").append(f(x)).append(',').append(f(y));
      sb.append("<circle cx='").append(f(x)).append("' cy='").append(f(y)).append("' r='3' fill='#c0392b'/>\n");
    }
    sb.append("<path d='").append(path).append("' fill='none' stroke='#c0392b'/>\n");
    return sb.append("</svg>\n").toString();
  }

  static String pitHistogram(List<double[]> pairs, double size) {
    int bins = 10;
    double[] h = new double[bins];
    for (double[] p : pairs) {
      int y = (int) p[1];
      double lo = NegativeBinomial.cdf(y - 1, p[0], size);
      double hi = NegativeBinomial.cdf(y, p[0], size);
      for (int b = 0; b < bins; b++) {
        double a = (double) b / bins;
        double c = (double) (b + 1) / bins;
        if (hi > lo) {
          h[b] += Math.max(0, Math.min(hi, c) - Math.max(lo, a)) / (hi - lo);
        } else if (lo >= a && lo < c) {
          h[b] += 1;
        }
      }
    }
    double max = 0;
    for (int b = 0; b < bins; b++) {
      h[b] = h[b] * bins / pairs.size();
      max = Math.max(max, h[b]);
    }
    double top = Math.max(1.5, Math.ceil(max * 2) / 2);
    StringBuilder sb = header("PIT histogram (non-randomised), density; flat at 1 when calibrated");
    axes(sb, "PIT", "density", 1, top);
    for (int b = 0; b < bins; b++) {
      double x0 = sx((double) b / bins, 1);
      double x1 = sx((double) (b + 1) / bins, 1);
      double y = sy(h[b], top);
      sb.append("<rect x='").append(f(x0)).append("' y='").append(f(y)).append("' width='").append(f(x1 - x0 - 1))
          .append("' height='").append(f(sy(0, top) - y)).append("' fill='#2e86c1'/>\n");
    }
    sb.append(line(0, 1, 1, 1, 1, top, "#999", "4,3"));
    return sb.append("</svg>\n").toString();
  }

  private static StringBuilder header(String title) {
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(W).append("' height='").append(H)
        .append("' font-family='sans-serif' font-size='11'>\n<rect width='100%' height='100%' fill='white'/>\n");
    sb.append("<text x='").append(W / 2).append("' y='18' text-anchor='middle'>").append(title).append("</text>\n");
    return sb;
  }

  private static void axes(StringBuilder sb, String xl, String yl, double xTop, double yTop) {
    sb.append(line(0, 0, xTop, 0, xTop, yTop, "#000", null));
    sb.append(line(0, 0, 0, yTop, xTop, yTop, "#000", null));
    for (int i = 0; i <= 4; i++) {
      double vx = xTop * i / 4;
      double vy = yTop * i / 4;
      sb.append("<text x='").append(f(sx(vx, xTop))).append("' y='").append(H - PAD + 15)
          .append("' text-anchor='middle'>").append(f2(vx)).append("</text>\n");
      sb.append("<text x='").append(PAD - 5).append("' y='").append(f(sy(vy, yTop) + 4))
          .append("' text-anchor='end'>").append(f2(vy)).append("</text>\n");
    }
    sb.append("<text x='").append(W / 2).append("' y='").append(H - 10).append("' text-anchor='middle'>").append(xl)
        .append("</text>\n");
    sb.append("<text x='12' y='").append(H / 2).append("' transform='rotate(-90 12 ").append(H / 2)
        .append(")' text-anchor='middle'>").append(yl).append("</text>\n");
  }

  private static String line(double x0, double y0, double x1, double y1, double xTop, double yTop, String colour,
                             String dash) {
    return "<line x1='" + f(sx(x0, xTop)) + "' y1='" + f(sy(y0, yTop)) + "' x2='" + f(sx(x1, xTop)) + "' y2='"
        + f(sy(y1, yTop)) + "' stroke='" + colour + "'" + (dash == null ? "" : " stroke-dasharray='" + dash + "'")
        + "/>\n";
  }

  private static double sx(double v, double top) {
    return PAD + v / top * (W - 2 * PAD);
  }

  private static double sy(double v, double top) {
    return H - PAD - v / top * (H - 2 * PAD);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
