/**
 * The printable briefing: one period's figures for one district or the whole city, gathered from the
 * services that own them (hotspots, reported incidents, alert incidents, feed health, patrol
 * coverage) and served as {@code GET /api/briefing} for the web module's {@code briefing.html}.
 * Stateless: every request reads PostGIS and the engine's current grid.
 */
package org.safegrid.server.briefing;
