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
 * only queues.
 */
@Component
class LiveStreamBridge {

  private final LiveBroadcaster hub;

  LiveStreamBridge(LiveBroadcaster hub) {
    this.hub = hub;
  }

  @EventListener
  void alertRaised(AlertEvents.AlertRaised e) {
    hub.publish("alert", message("raise", "alert", e.alert()));
  }

  @EventListener
  void alertChanged(AlertEvents.AlertChanged e) {
    hub.publish("alert", message(e.action(), "alert", e.alert()));
  }

  @EventListener
  void sourceSilent(FeedHealthSignals.SourceSilent e) {
    hub.publish("feed", message("silent", "source", Map.of("source", e.source(), "sourceId", e.sourceId(),
        "lastSeenAt", e.lastSeenAt().toString())));
  }

  @EventListener
  void sourceResumed(FeedHealthSignals.SourceResumed e) {
    hub.publish("feed", message("resumed", "source", Map.of("source", e.source(), "sourceId", e.sourceId(),
        "at", e.at().toString())));
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
