package org.safegrid.server.incident;

/**
 * Spring application event published after the commit of an incident's change; the live stream
 * listens to it (Kafka gets the same change through the outbox).
 *
 * @param incident the incident after the change
 * @param change   opened, updated (an alert joined), acknowledged, assigned, escalated, resolved,
 *                 dismissed, closed (after its quiet period)
 */
public record IncidentChanged(Incident incident, String change) {
}
