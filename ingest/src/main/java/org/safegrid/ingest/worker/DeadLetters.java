package org.safegrid.ingest.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.safegrid.ingest.event.Refusal;

/**
 * Publishes refused messages to the dead-letter topic.
 *
 * <p>A dead letter's key is the refused message's coordinates, {@code topic/partition/offset}
 * ({@link RefusedMessage#key()}): a batch read again after a crash between the dead letter and the
 * offset commit sends the same letter under the same key, which a reader (and the topic's
 * compaction) treats as one. The original key is in header {@code safegrid.dlq.key} and in the
 * envelope as {@code keyBase64}. The value is a JSON envelope
 * {@code {"reason","message","topic","partition","offset","timestamp","refusedAt","keyBase64","payloadBase64","payloadText"}}
 * ({@code payloadText} only when the original bytes are valid UTF-8; {@code keyBase64} only when
 * there was a key), and the same facts are in headers
 * {@code safegrid.dlq.reason|message|topic|partition|offset|key}. Thread-safe.
 */
public final class DeadLetters {

  public static final String H_REASON = "safegrid.dlq.reason";
  public static final String H_MESSAGE = "safegrid.dlq.message";
  public static final String H_TOPIC = "safegrid.dlq.topic";
  public static final String H_PARTITION = "safegrid.dlq.partition";
  public static final String H_OFFSET = "safegrid.dlq.offset";
  public static final String H_KEY = "safegrid.dlq.key";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Producer<byte[], byte[]> producer;
  private final String topic;

  public DeadLetters(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /** Sends one dead letter; the future completes when the broker has it (acks=all). */
  public Future<RecordMetadata> send(ConsumerRecord<byte[], byte[]> rec, Refusal reason, String message) {
    byte[] original = rec.value() == null ? new byte[0] : rec.value();
    ObjectNode env = MAPPER.createObjectNode();
    env.put("reason", reason.code());
    env.put("message", message);
    env.put("topic", rec.topic());
    env.put("partition", rec.partition());
    env.put("offset", rec.offset());
    env.put("timestamp", Instant.ofEpochMilli(rec.timestamp()).toString());
    env.put("refusedAt", Instant.now().toString());
    if (rec.key() != null) {
      env.put("keyBase64", Base64.getEncoder().encodeToString(rec.key()));
    }
    env.put("payloadBase64", Base64.getEncoder().encodeToString(original));
    String text = utf8(original);
    if (text != null) {
      env.put("payloadText", text);
    }
    byte[] value;
    try {
      value = MAPPER.writeValueAsBytes(env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    byte[] key = new RefusedMessage(rec.topic(), rec.partition(), rec.offset(), reason).key()
        .getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, key, value);
    out.headers().add(H_REASON, reason.code().getBytes(StandardCharsets.UTF_8));
    out.headers().add(H_MESSAGE, truncate(message).getBytes(StandardCharsets.UTF_8));
    out.headers().add(H_TOPIC, rec.topic().getBytes(StandardCharsets.UTF_8));
    out.headers().add(H_PARTITION, Integer.toString(rec.partition()).getBytes(StandardCharsets.UTF_8));
    out.headers().add(H_OFFSET, Long.toString(rec.offset()).getBytes(StandardCharsets.UTF_8));
    if (rec.key() != null) {
      out.headers().add(H_KEY, rec.key());
    }
    return producer.send(out);
  }

  private static String truncate(String s) {
    return s.length() > 1000 ? s.substring(0, 1000) : s;
  }

  private static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
