package org.safegrid.server.security;

import org.safegrid.server.audit.AuditLog;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * The district the current user is confined to ({@code app_user.district_code}). Features that
 * return data use it through {@link ScopeFilter}, which turns it into a {@link DataScope} and the
 * one SQL predicate for points; {@link #districtCodeOrNull()} is enough for rows that carry a
 * district code. Null means the whole city. Read from the database on first use in each request (so an admin's
 * change applies at once) and cached for the rest of the request. Thread-safe.
 */
@Component
public class DistrictScope {

  private static final String ATTRIBUTE = DistrictScope.class.getName() + ".code";
  private static final String NONE = "";

  private final JdbcClient jdbc;

  public DistrictScope(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The current user's district code, or null when the user may see the whole city (or no one is signed in). */
  public String districtCodeOrNull() {
    String username = AuditLog.currentUsername();
    if (username == null) {
      return null;
    }
    RequestAttributes attrs = RequestContextHolder.getRequestAttributes();
    if (attrs != null && attrs.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) instanceof String cached) {
      return cached.equals(NONE) ? null : cached;
    }
    String code = districtCodeOf(username);
    if (attrs != null) {
      attrs.setAttribute(ATTRIBUTE, code == null ? NONE : code, RequestAttributes.SCOPE_REQUEST);
    }
    return code;
  }

  /** The district code of a named user, or null when unscoped or unknown (for live streams and jobs). */
  public String districtCodeOf(String username) {
    return jdbc.sql("SELECT district_code FROM app_user WHERE username = ?").param(username)
        .query((rs, n) -> rs.getString(1)).optional().orElse(null);
  }

  /** Whether the current user may see data of the given district. */
  public boolean allows(String districtCode) {
    String scope = districtCodeOrNull();
    return scope == null || scope.equals(districtCode);
  }
}
