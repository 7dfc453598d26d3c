package org.safegrid.server.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Sends RFC 5424 syslog messages over UDP (RFC 5426: one message per datagram) or TCP (RFC 6587
 * octet counting: {@code LENGTH SP MESSAGE}), keeping one TCP connection and reconnecting after a
 * failure. Not thread-safe: one sender per forwarding loop.
 */
final class SyslogSender implements Closeable {

  /** The SD-ID of SafeGrid's structured data (32473 is the enterprise number RFC 5612 reserves for examples). */
  static final String SD_ID = "safegrid-audit@32473";
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String host;
  private final int port;
  private final boolean tcp;
  private final String hostname;
  private final String procId;
  private DatagramSocket udpSocket;
  private Socket tcpSocket;

  SyslogSender(String host, int port, String protocol) {
    this.host = host;
    this.port = port;
    this.tcp = protocol.equals("tcp");
    this.hostname = localHostname();
    this.procId = Long.toString(ProcessHandle.current().pid());
  }

  /**
   * Formats one message: {@code <PRI>1 TIMESTAMP HOSTNAME safegrid PROCID MSGID [SD] BOM MSG}.
   *
   * @param facility  0..23
   * @param severity  0..7
   * @param time      the event's time (microseconds kept)
   * @param msgId     the message kind, printable ASCII without spaces
   * @param params    structured-data parameters (names printable ASCII; values escaped here)
   * @param message   the free-form part, UTF-8
   */
  String format(int facility, int severity, Instant time, String msgId, Map<String, String> params, String message) {
    StringBuilder sb = new StringBuilder(256 + message.length());
    sb.append('<').append(facility * 8 + severity).append(">1 ")
        .append(TIMESTAMP.format(time.truncatedTo(ChronoUnit.MICROS))).append(' ')
        .append(hostname).append(" safegrid ").append(procId).append(' ').append(msgId).append(' ')
        .append('[').append(SD_ID);
    params.forEach((k, v) -> sb.append(' ').append(k).append("=\"").append(escape(v)).append('"'));
    sb.append("] \uFEFF").append(message);
    return sb.toString();
  }

  void send(String message) throws IOException {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    try {
      if (tcp) {
        if (tcpSocket == null || tcpSocket.isClosed()) {
          tcpSocket = new Socket();
          tcpSocket.connect(new InetSocketAddress(host, port), 5000);
        }
        OutputStream out = tcpSocket.getOutputStream();
        out.write((bytes.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
      } else {
        if (udpSocket == null) {
          udpSocket = new DatagramSocket();
        }
        udpSocket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(host), port));
      }
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (tcpSocket != null) {
      try {
        tcpSocket.close();
      } catch (IOException ignored) {
        // a broken connection is replaced on the next send
      }
      tcpSocket = null;
    }
    if (udpSocket != null) {
      udpSocket.close();
      udpSocket = null;
    }
  }

  /** RFC 5424 PARAM-VALUE: {@code "}, {@code \} and {@code ]} are escaped with a backslash. */
  static String escape(String value) {
    if (value == null) {
      return "";
    }
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]");
  }

  private static String localHostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name == null || name.isBlank() || !name.chars().allMatch(ch -> ch > 32 && ch < 127) ? "-" : name;
    } catch (UnknownHostException e) {
      return "-";
    }
  }
}
