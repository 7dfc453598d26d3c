package org.safegrid.server.incident;

import java.time.Duration;
import java.time.Instant;
import org.safegrid.server.alert.AlertProperties;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LeaderGate;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The incidents' clock: one {@link BackgroundLoop} ({@code incident-lifecycle}, every
 * {@code safegrid.incidents.check-interval}) that closes quiet incidents and escalates unacknowledged
 * ones, on the elected leader only. Each change is announced by {@link IncidentService} itself (outbox, then live stream).
 */
@Component
class IncidentLifecycle implements SmartLifecycle {

  private final AlertProperties alerts;
  private final BackgroundLoop loop;

  IncidentLifecycle(IncidentService incidents, IncidentProperties properties, AlertProperties alerts,
                    LeaderGate leader) {
    this.alerts = alerts;
    this.loop = BackgroundLoop.named("incident-lifecycle").leaderOnly(leader).every(properties.checkInterval())
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
        .run(() -> {
          Instant now = Instant.now();
          incidents.closeQuiet(now);
          incidents.escalateDue(now);
        });
  }

  @Override
  public void start() {
    if (alerts.enabled()) {
      loop.start();
    }
  }

  @Override
  public void stop() {
    loop.stop();
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
