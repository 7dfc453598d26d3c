/**
 * Grid risk: per cell and window, a time-decayed weighted sum of events plus an environmental
 * term (risk terrain modelling), with breakdown, percentile rank, level, Poisson interval and a
 * coverage-normalised variant.
 *
 * <h2>Live model</h2>
 * <ul>
 *   <li><b>One writer.</b> {@link org.safegrid.server.risk.LiveRiskService} owns a
 *       {@link org.safegrid.server.risk.RiskEngine} and touches it only from its own
 *       single-threaded executor ("risk-engine").</li>
 *   <li><b>Input.</b> The server's event feed (package {@code feed}) reads PostGIS every 250 ms for
 *       rows with {@code received_at} past its watermark (BRIN index {@code event_received_at_brin}),
 *       re-reading an overlap window so late commits are not missed, and hands each event once to
 *       {@code onEvents}, which only enqueues. On start and whenever the active grid set changes,
 *       the engine loads the last 7 days of events itself and skips the tail's copies of them.</li>
 *   <li><b>Cell lookup in Java.</b> Each event is located by a uniform bucket index of cell
 *       envelopes, an envelope test (exact for rectangular cells) and otherwise a PreparedGeometry
 *       covers test ({@link org.safegrid.server.risk.GridModel#locate}). {@code EngineBenchmark}
 *       measures it at a few tens of nanoseconds per event on 3,586 cells (a JTS STRtree query plus
 *       covers took about 3 µs in the same benchmark), so a 5,000-event poll is located in well
 *       under a millisecond; doing it in SQL would add a spatial join to every poll.</li>
 *   <li><b>Incremental.</b> Every {@code safegrid.risk.poll-interval} (1 s) the writer applies the
 *       queued events, multiplies the accumulators by the decay since the last cycle, subtracts
 *       events that left a window, and publishes. Nothing is recomputed city-wide from the events;
 *       every 10 minutes an exact rebuild from the in-memory ring clears floating drift.</li>
 *   <li><b>Readers.</b> A {@link org.safegrid.server.risk.RiskSnapshot} is immutable and swapped in
 *       through an {@code AtomicReference}; a request takes one snapshot and works on it without
 *       locks. What the API returns therefore trails the newest committed event by at most the tail
 *       interval plus one engine cycle plus the cycle's own time (≈ 1.5 s).</li>
 * </ul>
 */
package org.safegrid.server.risk;
