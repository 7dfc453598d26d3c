package org.safegrid.server.audit;

import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Forwarding of the audit trail to a syslog collector ({@code safegrid.audit.syslog.*}), so a copy of
 * every row and its chain hash lives off the database host. Off by default.
 *
 * @param enabled  true to forward; default false
 * @param host     the collector's host; required when enabled
 * @param port     its port; default 514
 * @param protocol {@code udp} (RFC 5426, one datagram per row) or {@code tcp} (RFC 6587 octet counting);
 *                 default udp
 * @param facility syslog facility 0..23; default 13 (log audit)
 * @param interval how often new rows are looked for; default 2 s
 */
@ConfigurationProperties("safegrid.audit.syslog")
public record AuditSyslogProperties(boolean enabled, String host, Integer port, String protocol, Integer facility,
                                    Duration interval) {

  public AuditSyslogProperties {
    port = port == null ? 514 : port;
    protocol = protocol == null || protocol.isBlank() ? "udp" : protocol.toLowerCase(Locale.ROOT);
    facility = facility == null ? 13 : facility;
    interval = interval == null ? Duration.ofSeconds(2) : interval;
    if (!protocol.equals("udp") && !protocol.equals("tcp")) {
      throw new IllegalArgumentException("safegrid.audit.syslog.protocol must be udp or tcp, not " + protocol);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("safegrid.audit.syslog.port must be 1..65535, not " + port);
    }
    if (facility < 0 || facility > 23) {
      throw new IllegalArgumentException("safegrid.audit.syslog.facility must be 0..23, not " + facility);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("safegrid.audit.syslog.interval must be positive");
    }
    if (enabled && (host == null || host.isBlank())) {
      throw new IllegalArgumentException("safegrid.audit.syslog.host is required when safegrid.audit.syslog.enabled "
          + "is true");
    }
  }
}
