/**
 * Incidents: alerts grouped by their rule's key within a space-time window (event time), worked by a
 * duty officer as one case with the alerts' closed loop (assignment, acknowledgement deadline,
 * escalation grid → town → district), a timeline, inhibition of the alerts a critical incident
 * explains, and closing after a quiet period.
 *
 * <p>Write model: {@link org.safegrid.server.incident.IncidentGrouper} runs inside the transaction that
 * raises an alert ({@link org.safegrid.server.alert.AlertRaiseHook}); officer actions, escalation and
 * quiet-period closing run in {@link org.safegrid.server.incident.IncidentService}, each change in one
 * transaction with its audit row, timeline step and outbox message. The live stream gets
 * {@link org.safegrid.server.incident.IncidentChanged} after the commit. No state is kept in memory.
 */
package org.safegrid.server.incident;
