package org.safegrid.server.risk;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The self-exciting forecast as the risk engine uses it: each grid cell's expected count in a live
 * window that has just ended, as the forecast stood at the window's start. Implemented by the live
 * forecast (package {@code forecast}), which depends on this package, not the other way round.
 */
public interface ForecastBaselines {

  /**
   * Expected count of every cell of {@code grid} in [from, from + window), from the incidents before
   * {@code from}; empty while no forecast is fitted for this grid.
   */
  Optional<double[]> expected(GridModel grid, Instant from, Duration window);
}
