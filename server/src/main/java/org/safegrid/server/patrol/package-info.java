/**
 * Patrol coverage and allocation: when a unit last passed each hotspot or high-risk cell, and a plan
 * that sends the available units where the most risk is. Places come from a
 * {@link org.safegrid.server.patrol.TargetSource} (the spatial engine, or the recent-events
 * fallback); {@link org.safegrid.server.patrol.PatrolPlanner} is plain and measured by
 * {@link org.safegrid.server.patrol.PlanBenchmark}. Stateless services over the database.
 */
package org.safegrid.server.patrol;
