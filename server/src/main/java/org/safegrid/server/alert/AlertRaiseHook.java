package org.safegrid.server.alert;

/**
 * Told of every newly raised alert inside the transaction that stores it, so that what it writes
 * (the alert's incident) commits or rolls back with the alert. Runs on the raising thread; a hook
 * that throws rolls the raise back.
 */
@FunctionalInterface
public interface AlertRaiseHook {

  /** The alert was stored; {@code candidate} is the rule's verdict that raised it. */
  void raised(Alert alert, AlertCandidate candidate);
}
