package org.safegrid.server.alert;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/**
 * When a rule is armed: a set of daily windows in local time (e.g. school arrival 07:00-08:30 on
 * weekdays, night patrol 20:00-06:00). A window whose end is before its start runs over midnight
 * and belongs to the day it starts on. No windows means always armed. Immutable.
 */
public final class Schedule {

  /**
   * One daily window.
   *
   * @param days  days of the week it starts on; empty means every day
   * @param from  local start time, inclusive
   * @param to    local end time, exclusive; before {@code from} means the next day
   */
  public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

    public Window {
      days = days == null ? Set.of() : Set.copyOf(days);
      if (from == null || to == null) {
        throw new IllegalArgumentException("a schedule window needs from and to (HH:mm)");
      }
    }

    boolean contains(ZonedDateTime t) {
      LocalTime time = t.toLocalTime();
      if (!from.isAfter(to)) {
        return startsOn(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
      }
      // over midnight: the evening part belongs to today, the morning part to yesterday's window
      if (!time.isBefore(from)) {
        return startsOn(t.getDayOfWeek());
      }
      return time.isBefore(to) && startsOn(t.getDayOfWeek().minus(1));
    }

    private boolean startsOn(DayOfWeek d) {
      return days.isEmpty() || days.contains(d);
    }
  }

  private final List<Window> windows;
  private final ZoneId zone;

  public Schedule(List<Window> windows, ZoneId zone) {
    this.windows = windows == null ? List.of() : List.copyOf(windows);
    this.zone = zone;
  }

  /** A schedule that is always armed. */
  public static Schedule always(ZoneId zone) {
    return new Schedule(List.of(), zone);
  }

  /** Whether the rule is armed at this instant (judged in the schedule's time zone). */
  public boolean isActive(Instant at) {
    if (windows.isEmpty()) {
      return true;
    }
    ZonedDateTime t = at.atZone(zone);
    for (Window w : windows) {
      if (w.contains(t)) {
        return true;
      }
    }
    return false;
  }
}
