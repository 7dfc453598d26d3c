/**
 * Alerts: rules from {@code alert-rules.yml} judged live, stored with de-duplication, carried through
 * a closed loop (open → acknowledged → resolved, or dismissed with a reason), assigned from the
 * officer roster and escalated grid → town → district duty desk when not acknowledged in time.
 *
 * <p>Live model: {@link org.safegrid.server.alert.AlertEngine} reads each committed event from the
 * event feed with its own position, stored in the transaction of the alerts it raised (decision
 * 004). One engine thread owns the
 * {@link org.safegrid.server.alert.RuleEngine} (geofence state per subject) and the
 * {@link org.safegrid.server.alert.ReorderBuffer}; stateless rules are judged on arrival, enter/exit
 * rules in observed-time order after a short wait. Engine signals ({@code RiskLevelChanged},
 * {@code EmergingHotspotChanged}) and feed-health signals arrive as Spring application events and
 * are judged on the same thread. The database is the arbiter of "same cause": a partial unique index
 * on (rule, dedupe key) over open and acknowledged alerts. Every change writes its audit row in the
 * same transaction, then {@link org.safegrid.server.alert.AlertEvents} go to the live stream and
 * the Kafka topic.
 */
package org.safegrid.server.alert;
