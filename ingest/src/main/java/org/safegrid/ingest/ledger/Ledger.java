package org.safegrid.ingest.ledger;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The record of one ledger run: which event ids the broker acknowledged and which sends failed.
 * Filled by {@link LedgerProducer} from the send callbacks; read by {@link LedgerChecker}.
 * Thread-safe.
 *
 * @param prefix the id prefix every event of the run carries, so a check sees only its own events
 */
public record Ledger(String prefix, Set<String> acked, Set<String> failed, AtomicLong sent) {

  /** An empty ledger for ids starting with {@code prefix}. */
  public static Ledger create(String prefix) {
    return new Ledger(prefix, ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(), new AtomicLong());
  }

  /** Acknowledged ids (a read-only view). */
  public Set<String> ackedIds() {
    return Collections.unmodifiableSet(acked);
  }

  /** Ids whose send failed or timed out (a read-only view); they may or may not be stored. */
  public Set<String> failedIds() {
    return Collections.unmodifiableSet(failed);
  }

  /** Sends whose callback has not run yet. */
  public long pending() {
    return sent.get() - acked.size() - failed.size();
  }
}
