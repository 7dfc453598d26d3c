package org.safegrid.ingest.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that injects network faults between a client and a server, on command:
 * pass, blackhole (hold every byte, keep the sockets open), delay with jitter, stalls ("loss":
 * TCP retransmits, so a lost segment shows as a stall), cut every link, and cut a link right
 * after (or just before) it forwards a PostgreSQL {@code COMMIT}. Stands in for netns + netem
 * where the test cannot create network namespaces.
 */
public final class FaultProxy implements AutoCloseable {

  /** Where to cut a link carrying a {@code COMMIT}. */
  public enum CommitCut { NONE, AFTER, BEFORE }

  private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger commitCuts = new AtomicInteger();
  private final Random random = new Random(42);
  private volatile boolean blackhole;
  private volatile int delayMs;
  private volatile int jitterMs;
  private volatile double stallProbability;
  private volatile CommitCut commitCut = CommitCut.NONE;
  private volatile boolean closed;
  private volatile boolean holdReplies;

  /** Starts a proxy on a free loopback port forwarding to {@code host:port}. */
  public FaultProxy(String host, int port) throws IOException {
    this.target = new InetSocketAddress(host, port);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Holds every byte in both directions (true) or forwards again (false). */
  public void blackhole(boolean on) {
    blackhole = on;
  }

  /** Delays every forwarded chunk by {@code ms} ± {@code jitter} ms. */
  public void delay(int ms, int jitter) {
    delayMs = ms;
    jitterMs = jitter;
  }

  /** Stalls a forwarded chunk for 200 ms–1 s with this probability (a lost segment as TCP sees it). */
  public void loss(double probability) {
    stallProbability = probability;
  }

  /** Arms a one-time cut of the next link that carries a {@code COMMIT} from the client. */
  public void cutOnCommit(CommitCut where) {
    commitCut = where;
  }

  /** How many links were cut at a {@code COMMIT}. */
  public int commitCuts() {
    return commitCuts.get();
  }

  /** Back to a clean link: no blackhole, delay or loss. */
  public void heal() {
    blackhole = false;
    delayMs = 0;
    jitterMs = 0;
    stallProbability = 0;
  }

  /** Closes every open link (both sockets); new connections are accepted. */
  public void cutAll() {
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 5000);
        } catch (IOException e) {
          closeQuietly(client);
          continue;
        }
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        start(client, upstream, true);
        start(upstream, client, false);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void start(Socket from, Socket to, boolean fromClient) {
    Thread t = new Thread(() -> pump(from, to, fromClient), "fault-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        while ((blackhole || (!fromClient && holdReplies)) && !closed && !from.isClosed() && !to.isClosed()) {
          Thread.sleep(20);
        }
        int d = delayMs + (jitterMs > 0 ? random.nextInt(2 * jitterMs + 1) - jitterMs : 0);
        if (stallProbability > 0 && random.nextDouble() < stallProbability) {
          d += 200 + random.nextInt(800);
        }
        if (d > 0) {
          Thread.sleep(d);
        }
        if (to.isClosed()) {
          return;
        }
        CommitCut cut = commitCut;
        if (fromClient && cut != CommitCut.NONE && contains(buf, n, COMMIT)) {
          commitCut = CommitCut.NONE;
          if (cut == CommitCut.AFTER) {
            holdReplies = true;  // the answer to the COMMIT must never reach the client
            out.write(buf, 0, n);
            out.flush();
            Thread.sleep(100);  // let the server receive and execute it
          }
          commitCuts.incrementAndGet();
          closeQuietly(from);
          closeQuietly(to);
          holdReplies = false;
          return;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // link closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static boolean contains(byte[] buf, int n, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= n; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buf[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void closeQuietly(java.io.Closeable s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    heal();
    cutAll();
  }
}
