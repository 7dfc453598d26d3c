package org.safegrid.server.feed;

import java.util.List;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.live.LiveReplay;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The live stream's replay between two feed positions ({@link FeedPosition#token()}), from PostgreSQL. */
@Component
class FeedReplay implements LiveReplay {

  private final EventFeed feed;

  FeedReplay(JdbcTemplate jdbc, EventFeedProperties properties) {
    this.feed = new EventFeed(jdbc, properties.readTimeout());
  }

  @Override
  public List<LiveEvent> between(String from, String to, int limit) {
    return feed.between(FeedPosition.parse(from), FeedPosition.parse(to), limit);
  }

  @Override
  public boolean isPosition(String id) {
    return FeedPosition.looksLikeToken(id);
  }
}
