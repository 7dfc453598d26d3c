package org.safegrid.server.audit;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The last question each session asked of a polled disclosure (a hotspot query), so that the map's
 * polling, which asks the same question every minute, is audited once and a new question (another
 * window, district, bbox, variable or format) is audited again.
 *
 * <p>A question is the request's path and its parameters, sorted, as a SHA-256 fingerprint; the
 * asker is the browser session, or the user for a client without a session (HTTP Basic). What the
 * answer holds may change between polls of one question (a live window moves on): that is the same
 * disclosure to the same person and is not audited again. A session keeps its questions as attributes
 * in the shared session store (they go with it, and survive a restart or a move to another replica);
 * the questions of clients without a session are kept in memory, so a restart forgets them and their
 * first poll after it is audited again. Thread-safe.
 */
@Component
public class AskedQuestions {

  /** Clients without a session (HTTP Basic), by action and user; sessions keep their own. */
  private final ConcurrentHashMap<String, String> lastQuestionOfUser = new ConcurrentHashMap<>();

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
   * Where the browser session the request came with keeps its last question for {@code action} (an
   * attribute of the session, so it moves with the session to another replica); null when the request
   * came without one (HTTP Basic; a session the server opens while answering it is not the client's
   * and is not reused).
   */
  private static HttpSession askingSession(HttpServletRequest request) {
    return request.isRequestedSessionIdValid() ? request.getSession(false) : null;
  }

  private static String attribute(String action) {
    return "safegrid.asked." + action;
  }

  private static String user(String action) {
    return action + '\u0000' + AuditLog.currentUsername();
  }

  /** True when this asker's last question for {@code action} was another one (or none). */
  public boolean isNew(HttpServletRequest request, String action, String fingerprint) {
    HttpSession session = askingSession(request);
    Object last = session != null ? session.getAttribute(attribute(action)) : lastQuestionOfUser.get(user(action));
    return !fingerprint.equals(last);
  }

  /** Remembers the question once its audit row is written. */
  public void remember(HttpServletRequest request, String action, String fingerprint) {
    HttpSession session = askingSession(request);
    if (session != null) {
      session.setAttribute(attribute(action), fingerprint);
    } else {
      lastQuestionOfUser.put(user(action), fingerprint);
    }
  }
}
