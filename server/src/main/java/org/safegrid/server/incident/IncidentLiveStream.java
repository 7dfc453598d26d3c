package org.safegrid.server.incident;

import org.safegrid.server.live.LiveBroadcaster;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Sends each committed incident change to the open maps as an {@code incident} message, placed at the
 * incident's centre so that district-scoped streams get only their district's incidents. Returns at
 * once: the hub only queues.
 */
@Component
class IncidentLiveStream {

  private final LiveBroadcaster hub;

  IncidentLiveStream(LiveBroadcaster hub) {
    this.hub = hub;
  }

  @EventListener
  void changed(IncidentChanged e) {
    Incident i = e.incident();
    hub.publishAt("incident", IncidentMessage.of(i, e.change()), i.lon(), i.lat());
  }
}
