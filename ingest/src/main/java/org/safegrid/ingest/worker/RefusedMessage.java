package org.safegrid.ingest.worker;

import org.safegrid.ingest.event.Refusal;

/**
 * A refused message by its Kafka coordinates: what makes its dead letter and its refusal count
 * idempotent when a batch is read again.
 *
 * @param topic     the topic it came on
 * @param partition its partition
 * @param offset    its offset
 * @param reason    why it was refused
 */
public record RefusedMessage(String topic, int partition, long offset, Refusal reason) {

  /** The dead letter's key: {@code topic/partition/offset}, one per refused message. */
  public String key() {
    return topic + "/" + partition + "/" + offset;
  }
}
