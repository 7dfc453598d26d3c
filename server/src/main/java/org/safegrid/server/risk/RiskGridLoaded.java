package org.safegrid.server.risk;

/**
 * The live engine has loaded a grid set and is about to publish its first snapshot of it
 * ({@code first}); published on the engine's thread, so listeners that prepare per-grid state (hotspot
 * weights, the first hotspot answers) delay that snapshot, and the readiness it brings, until they
 * are done.
 */
public record RiskGridLoaded(GridModel grid, RiskSnapshot first) {}
