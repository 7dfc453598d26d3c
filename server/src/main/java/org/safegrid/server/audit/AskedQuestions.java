package org.safegrid.server.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.event.EventListener;
import org.springframework.security.web.session.HttpSessionDestroyedEvent;
import org.springframework.stereotype.Component;

/**
 * The last question each session asked of a polled disclosure (a hotspot query), so that the map's
 * polling, which asks the same question every minute, is audited once and a new question (another
 * window, district, bbox, variable or format) is audited again.
 *
 * <p>A question is the request's path and its parameters, sorted, as a SHA-256 fingerprint; the
 * asker is the browser session, or the user for a client without a session (HTTP Basic). What the
 * answer holds may change between polls of one question (a live window moves on): that is the same
 * disclosure to the same person and is not audited again. Entries of a session go with the session;
 * a server restart forgets them, so the first poll after it is audited again. Thread-safe.
 */
@Component
public class AskedQuestions {

  private final ConcurrentHashMap<String, String> lastQuestion = new ConcurrentHashMap<>();

  /** The fingerprint of the request's question: path and sorted parameters. */
  public static String fingerprint(HttpServletRequest request) {
    Map<String, String[]> sorted = new TreeMap<>(request.getParameterMap());
    StringBuilder sb = new StringBuilder(request.getRequestURI());
    for (Map.Entry<String, String[]> e : sorted.entrySet()) {
      sb.append('\n').append(e.getKey());
      for (String v : e.getValue()) {
        sb.append('\u0000').append(v);
      }
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /**
   * Who asks: the browser session the request came with, or the user when it came without one (HTTP
   * Basic; a session the server opens while answering it is not the client's and is not reused).
   */
  static String asker(HttpServletRequest request, String action) {
    String who = request.isRequestedSessionIdValid() ? "s:" + request.getRequestedSessionId()
        : "u:" + AuditLog.currentUsername();
    return action + '\u0000' + who;
  }

  /** True when this asker's last question for {@code action} was another one (or none). */
  public boolean isNew(HttpServletRequest request, String action, String fingerprint) {
    return !fingerprint.equals(lastQuestion.get(asker(request, action)));
  }

  /** Remembers the question once its audit row is written. */
  public void remember(HttpServletRequest request, String action, String fingerprint) {
    lastQuestion.put(asker(request, action), fingerprint);
  }

  @EventListener
  void onSessionDestroyed(HttpSessionDestroyedEvent event) {
    String suffix = "\u0000s:" + event.getId();
    lastQuestion.keySet().removeIf(k -> k.endsWith(suffix));
  }
}
