package org.safegrid.server.live;

import java.util.LinkedHashMap;
import java.util.Map;
import org.safegrid.server.alert.AlertEvents;
import org.safegrid.server.feedhealth.FeedHealthSignals;
import org.safegrid.server.upload.GridSetActivated;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Forwards what other features announce as Spring application events to the map streams: alerts
 * raised or changed ({@code alert}), feeds going silent or resuming ({@code feed}) and a newly
 * activated grid set ({@code gridset}). Each listener returns at once: {@link LiveBroadcaster#publish}
 * only queues. Alerts and feed messages carry their place, so district-scoped streams get only
 * those inside their district (a resumed feed is placed where it went silent).
 */
@Component
class LiveStreamBridge {

  private final LiveBroadcaster hub;
  private final Map<String, double[]> silentAt = new java.util.concurrent.ConcurrentHashMap<>();

  LiveStreamBridge(LiveBroadcaster hub) {
    this.hub = hub;
  }

  @EventListener
  void alertRaised(AlertEvents.AlertRaised e) {
    hub.publishAt("alert", message("raise", "alert", e.alert()), e.alert().lon(), e.alert().lat());
  }

  @EventListener
  void alertChanged(AlertEvents.AlertChanged e) {
    hub.publishAt("alert", message(e.action(), "alert", e.alert()), e.alert().lon(), e.alert().lat());
  }

  @EventListener
  void sourceSilent(FeedHealthSignals.SourceSilent e) {
    silentAt.put(e.source() + ":" + e.sourceId(), new double[] {e.lon(), e.lat()});
    hub.publishAt("feed", message("silent", "source", Map.of("source", e.source(), "sourceId", e.sourceId(),
        "lastSeenAt", e.lastSeenAt().toString())), e.lon(), e.lat());
  }

  @EventListener
  void sourceResumed(FeedHealthSignals.SourceResumed e) {
    double[] at = silentAt.remove(e.source() + ":" + e.sourceId());
    hub.publishAt("feed", message("resumed", "source", Map.of("source", e.source(), "sourceId", e.sourceId(),
        "at", e.at().toString())), at == null ? null : at[0], at == null ? null : at[1]);
  }

  @EventListener
  void gridSetActivated(GridSetActivated e) {
    hub.publish("gridset", Map.of("gridSetId", e.gridSetId()));
  }

  private static Map<String, Object> message(String action, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", action);
    m.put(key, value);
    return m;
  }
}
