package org.safegrid.server.stats.forecast;

/**
 * One event as the forecast sees it: a time, a position in a local metric projection and a
 * category. Any source (the event table, a CSV, reported incidents) is turned into these.
 *
 * @param epochMillis when it happened, milliseconds since the epoch
 * @param x           easting in metres (any local metric projection; the same for every point)
 * @param y           northing in metres
 * @param category    the event category the model is fitted for (e.g. "AGGRAVATED ASSAULT")
 */
public record EventPoint(long epochMillis, double x, double y, String category) {}
