package org.safegrid.server.replica;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;

/** Reads a live stream's lines on a thread of its own into a queue of its messages (for the replica tests). */
final class SseStream {

  private SseStream() {
  }

  /**
   * One SSE message: its fields (null where the message has none) and when it arrived; {@code end}
   * marks the end of the stream, after its last message.
   */
  record Message(String id, String event, String data, String retry, long atNanos, boolean end) {
  }

  /** Starts reading {@code lines}; every message with an {@code event:} field is queued, then the end. */
  static BlockingQueue<Message> read(Stream<String> lines, String threadName) {
    BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      String[] m = new String[4]; // id, event, data, retry
      try {
        lines.forEach(line -> {
          if (line.isEmpty()) {
            if (m[1] != null) {
              messages.add(new Message(m[0], m[1], m[2], m[3], System.nanoTime(), false));
            }
            Arrays.fill(m, null);
          } else if (line.startsWith("id:")) {
            m[0] = line.substring(3);
          } else if (line.startsWith("event:")) {
            m[1] = line.substring(6);
          } else if (line.startsWith("data:")) {
            m[2] = line.substring(5);
          } else if (line.startsWith("retry:")) {
            m[3] = line.substring(6);
          }
        });
      } catch (RuntimeException e) {
        // the connection was cut: the stream has ended
      }
      messages.add(new Message(null, null, null, null, System.nanoTime(), true));
    }, threadName);
    reader.setDaemon(true);
    reader.start();
    return messages;
  }
}
