package org.safegrid.server.hotspot;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskRepository;
import org.safegrid.server.stats.hotspot.EmergingCategory;
import org.safegrid.server.stats.hotspot.EmergingHotspots;
import org.safegrid.server.stats.hotspot.SpatialWeights;
import org.springframework.stereotype.Service;

/**
 * Emerging hot spots of event counts over time bins ending now ({@link EmergingHotspots}: space-time
 * Gi* with the previous {@link #TIME_LAG} bin in each neighbourhood, Mann–Kendall at
 * {@link #TREND_ALPHA}, ArcGIS's categories), with a stability check when the series is long enough:
 * the same span is classified again with bins twice as long (still at least
 * {@link EmergingHotspots#MIN_BINS}), and the share of cells keeping their category is reported.
 */
@Service
public class EmergingHotspotService {

  /** Previous bins in the space-time neighbourhood (ArcGIS's neighbourhood time step of 1). */
  public static final int TIME_LAG = 1;
  /** Significance level of the Mann–Kendall trend. */
  public static final double TREND_ALPHA = 0.05;

  private final RiskRepository repository;
  private final HotspotService hotspots;

  public EmergingHotspotService(DataSource dataSource, HotspotService hotspots) {
    this.repository = new RiskRepository(dataSource);
    this.hotspots = hotspots;
  }

  /**
   * The answer.
   *
   * @param categories      category per cell (grid index)
   * @param counts          cells per category
   * @param agreement       share of all cells whose category is the same with bins twice as long
   *                        (NaN when fewer than twice {@link EmergingHotspots#MIN_BINS} bins leave no room for it)
   * @param patternedAgreement the same among cells with a pattern in either run (NaN if none)
   */
  public record Result(Duration bin, int bins, Instant end, EmergingCategory[] categories,
                       Map<EmergingCategory, Integer> counts, Duration alternativeBin, double agreement,
                       double patternedAgreement, long events) {}

  public Result analyse(GridModel grid, Duration bin, int bins, Instant end, List<String> kinds, int minConfidence) {
    if (bins < EmergingHotspots.MIN_BINS) {
      throw new IllegalArgumentException("emerging hot spots need at least " + EmergingHotspots.MIN_BINS
          + " time bins, got " + bins + ": with fewer, Mann–Kendall cannot show a trend");
    }
    if (bins > 400) {
      throw new IllegalArgumentException("at most 400 time bins, got " + bins);
    }
    if (minConfidence != 90 && minConfidence != 95 && minConfidence != 99) {
      throw new IllegalArgumentException("minConfidence must be 90, 95 or 99");
    }
    Instant start = end.minus(bin.multipliedBy(bins));
    double[][] cube = new double[bins][grid.size()];
    long[] used = {0};
    repository.forEachEventObserved(start, end, true, r -> {
      if (kinds != null && !kinds.isEmpty() && !kinds.contains(r.kind()) && !kinds.contains(r.source() + ":" + r.kind())) {
        return;
      }
      if ("position".equals(r.kind())) {
        return;
      }
      int c = grid.locate(r.lon(), r.lat());
      if (c < 0) {
        return;
      }
      int b = (int) ((r.observedMs() - start.toEpochMilli()) / bin.toMillis());
      if (b >= 0 && b < bins) {
        cube[b][c]++;
        used[0]++;
      }
    });
    SpatialWeights w = hotspots.weightsFor(grid).gi();
    EmergingCategory[] cat = EmergingHotspots.classifyAll(cube, w, TIME_LAG, minConfidence, TREND_ALPHA);
    if (bins / 2 < EmergingHotspots.MIN_BINS) {
      Map<EmergingCategory, Integer> counts = new EnumMap<>(EmergingCategory.class);
      for (EmergingCategory c : cat) {
        counts.merge(c, 1, Integer::sum);
      }
      return new Result(bin, bins, end, cat, counts, bin.multipliedBy(2), Double.NaN, Double.NaN, used[0]);
    }
    double[][] coarse = new double[bins / 2][grid.size()];
    for (int b = 0; b < (bins / 2) * 2; b++) {
      // the oldest bin is dropped when bins is odd, so both runs end at the same instant
      int from = b + (bins % 2);
      for (int c = 0; c < grid.size(); c++) {
        coarse[b / 2][c] += cube[from][c];
      }
    }
    EmergingCategory[] alt = EmergingHotspots.classifyAll(coarse, w, TIME_LAG, minConfidence, TREND_ALPHA);
    int same = 0;
    int patterned = 0;
    int patternedSame = 0;
    Map<EmergingCategory, Integer> counts = new EnumMap<>(EmergingCategory.class);
    for (int i = 0; i < cat.length; i++) {
      counts.merge(cat[i], 1, Integer::sum);
      boolean eq = cat[i] == alt[i];
      same += eq ? 1 : 0;
      if (cat[i] != EmergingCategory.NO_PATTERN || alt[i] != EmergingCategory.NO_PATTERN) {
        patterned++;
        patternedSame += eq ? 1 : 0;
      }
    }
    return new Result(bin, bins, end, cat, counts, bin.multipliedBy(2), same / (double) cat.length,
        patterned == 0 ? Double.NaN : patternedSame / (double) patterned, used[0]);
  }
}
