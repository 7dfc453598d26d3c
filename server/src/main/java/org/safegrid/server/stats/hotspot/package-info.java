/**
 * Hotspot statistics as plain Java: spatial weights, Getis-Ord Gi* (analytic and permutation
 * inference), the Benjamini–Hochberg false discovery rate, Mann–Kendall, emerging hot spot
 * categories and the dissolve of significant cells into hotspot polygons.
 *
 * <p>No Spring, JDBC, servlet or Kafka class and no other server package is used here
 * ({@code ArchitectureTest.statisticsArePlainJava}): everything can be called from a test, a
 * benchmark or a backtest. The services and controllers that feed it live in
 * {@code org.safegrid.server.hotspot}.
 */
package org.safegrid.server.stats.hotspot;
