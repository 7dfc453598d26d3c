package org.safegrid.server.alert;

/**
 * Spring application events the alert feature publishes after the database commit: the live stream
 * and the Kafka alerts topic listen to them.
 */
public final class AlertEvents {

  private AlertEvents() {
  }

  /**
   * A new alert was raised.
   *
   * @param alert          the stored alert
   * @param eventCommitLagMillis for event-triggered alerts: milliseconds from the event's storage
   *                       (received_at) to this alert's publication; -1 otherwise
   */
  public record AlertRaised(Alert alert, long eventCommitLagMillis) {
  }

  /**
   * An alert changed: acknowledged, resolved, dismissed or escalated.
   *
   * @param alert  the alert after the change
   * @param action ack, resolve, dismiss or escalate
   */
  public record AlertChanged(Alert alert, String action) {
  }
}
