package org.safegrid.server.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes a message for a Kafka topic into the {@code outbox} table, in the caller's transaction: the
 * message exists exactly when the change it announces was committed. {@link OutboxRelay} sends it.
 * Thread-safe.
 */
@Component
public class Outbox {

  private final JdbcClient jdbc;
  private final ObjectMapper json;
  private final OutboxRelay relay;

  public Outbox(JdbcClient jdbc, ObjectMapper json, OutboxRelay relay) {
    this.jdbc = jdbc;
    this.json = json;
    this.relay = relay;
  }

  /**
   * Adds a message (the value written as JSON) to the outbox; must be called inside a transaction,
   * after whose commit the relay is woken.
   */
  public void add(String topic, String key, Object value) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("an outbox message is written in the transaction of its change");
    }
    String payload;
    try {
      payload = json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an outbox message for " + topic + " as JSON", e);
    }
    jdbc.sql("INSERT INTO outbox (topic, message_key, payload) VALUES (?, ?, ?)").params(topic, key, payload).update();
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        relay.wake();
      }
    });
  }
}
