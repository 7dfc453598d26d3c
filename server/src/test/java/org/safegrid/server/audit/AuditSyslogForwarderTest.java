package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Forwarding of audit rows to syslog, received on real local UDP and TCP sockets: RFC 5424 header and
 * structured data, each row once and in chain order, and a message from which the collector can
 * recompute the row's hash.
 */
@ExtendWith(PostgisExtension.class)
class AuditSyslogForwarderTest {

  /** {@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] BOM MSG}. */
  private static final Pattern RFC5424 = Pattern.compile(
      "<(\\d{1,3})>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) (\\S+) safegrid (\\d+) audit "
          + "\\[safegrid-audit@32473 ((?:[a-z]+=\"(?:[^\"\\\\\\]]|\\\\.)*\" ?)+)\\] \uFEFF(.*)", Pattern.DOTALL);

  private static void append(TestDatabase db, String action, String outcome) throws Exception {
    try (Connection c = db.connect(DbRole.APP); Statement st = c.createStatement()) {
      st.execute("INSERT INTO audit_event (username, action, outcome, detail) VALUES ('ada', '" + action + "', '"
          + outcome + "', '{\"note\": \"a \\\"quoted\\\" ] bracket\"}')");
    }
  }

  private static String param(String sd, String name) {
    Matcher m = Pattern.compile(name + "=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(sd);
    assertThat(m.find()).as(name + " in " + sd).isTrue();
    return m.group(1).replaceAll("\\\\(.)", "$1");
  }

  /** Checks one received message against the row it names; returns the row's action. */
  private static String checkMessage(TestDatabase db, String message) throws Exception {
    Matcher m = RFC5424.matcher(message);
    assertThat(m.matches()).as(message).isTrue();
    String sd = m.group(5);
    long id = Long.parseLong(param(sd, "id"));
    try (Connection c = db.connect(DbRole.APP); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT encode(row_hash, 'hex'), encode(prev_hash, 'hex'), chain_seq, action, "
             + "outcome FROM audit_event WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      assertThat(param(sd, "hash")).isEqualTo(rs.getString(1));
      assertThat(param(sd, "prev")).isEqualTo(rs.getString(2));
      assertThat(param(sd, "seq")).isEqualTo(Long.toString(rs.getLong(3)));
      // facility 13 (log audit); notice for a success, warning for a refusal
      int pri = Integer.parseInt(m.group(1));
      assertThat(pri / 8).isEqualTo(13);
      assertThat(pri % 8).isEqualTo(rs.getString(5).equals("success") ? 5 : 4);
      // the collector's own check: sha256(prev || message) is the row's hash
      byte[] recomputed = AuditChainVerifier.rowHash(HexFormat.of().parseHex(param(sd, "prev")), m.group(6));
      assertThat(HexFormat.of().formatHex(recomputed)).isEqualTo(param(sd, "hash"));
      return rs.getString(4);
    }
  }

  private static AuditSyslogForwarder forwarder(TestDatabase db, int port, String protocol) {
    return new AuditSyslogForwarder(JdbcClient.create(db.dataSource(DbRole.APP)),
        new AuditSyslogProperties(true, "127.0.0.1", port, protocol, null, Duration.ofSeconds(1)));
  }

  @Test
  void rowsGoOutOnceInChainOrderOverUdp(TestDatabase db) throws Exception {
    append(db, "test.before-start", "success");
    try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      collector.setSoTimeout(5000);
      AuditSyslogForwarder forwarder = forwarder(db, collector.getLocalPort(), "udp");
      // the first step starts at the newest row: what was there before is not sent again
      assertThat(forwarder.forwardNew()).isFalse();
      assertThat(forwarder.forwarded()).isZero();
      append(db, "test.udp.1", "success");
      append(db, "test.udp.2", "denied");
      forwarder.forwardNew();
      forwarder.forwardNew();
      List<String> actions = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        collector.receive(p);
        actions.add(checkMessage(db, new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
      }
      assertThat(actions).containsExactly("test.udp.1", "test.udp.2");
      assertThat(forwarder.forwarded()).isEqualTo(2);
      forwarder.stop();
    }
  }

  @Test
  void rowsGoOutOverTcpWithOctetCountingAndResumeAfterTheCollectorWasAway(TestDatabase db) throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    AuditSyslogForwarder forwarder = forwarder(db, port, "tcp");
    forwarder.forwardNew();
    append(db, "test.tcp.1", "success");
    // nothing listens yet: the step fails and the row stays unsent
    org.assertj.core.api.Assertions.assertThatThrownBy(forwarder::forwardNew).isInstanceOf(IOException.class);
    append(db, "test.tcp.2", "failure");
    try (ServerSocket collector = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      collector.setSoTimeout(5000);
      forwarder.forwardNew();
      try (Socket s = collector.accept()) {
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        List<String> actions = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          actions.add(checkMessage(db, readFrame(in)));
        }
        assertThat(actions).containsExactly("test.tcp.1", "test.tcp.2");
      }
    } finally {
      forwarder.stop();
    }
  }

  /** RFC 6587 octet counting: ASCII length, one space, that many bytes. */
  private static String readFrame(DataInputStream in) throws IOException {
    ByteArrayOutputStream len = new ByteArrayOutputStream();
    for (int b = in.read(); b != ' '; b = in.read()) {
      assertThat(b).as("frame length digit").isBetween((int) '0', (int) '9');
      len.write(b);
    }
    byte[] msg = new byte[Integer.parseInt(len.toString(StandardCharsets.US_ASCII))];
    in.readFully(msg);
    return new String(msg, StandardCharsets.UTF_8);
  }
}
