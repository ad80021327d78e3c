"""The release calendar as iCalendar (RFC 5545) for calendar apps, built with ``icalendar``."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from polaris.calendar.rules import Schedule

__all__ = ["render_ics"]


def render_ics(schedule: Schedule, now: datetime) -> bytes:
    """One all-day event per planned release and one per freeze window."""
    cal = Calendar()
    cal.add("prodid", "-//Polaris//release calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Polaris releases")
    for up in schedule.upcoming:
        ev = Event()
        ev.add("uid", f"release-{up.version}@polaris")
        ev.add("dtstamp", now)
        ev.add("summary", f"Release {up.version} ({up.type})")
        ev.add("dtstart", up.planned_date)
        ev.add("dtend", up.planned_date + timedelta(days=1))
        lines = [f"- {f}" for f in up.features]
        lines += [f"- BREAKING: {b}" for b in up.breaking_changes]
        if lines:
            ev.add("description", "\n".join(lines))
        ev.add("categories", ["release", up.type])
        cal.add_component(ev)
    for w in schedule.windows:
        ev = Event()
        ev.add("uid", f"freeze-{w.release}@polaris")
        ev.add("dtstamp", now)
        ev.add("summary", f"Freeze for {w.release}: no {'/'.join(w.frozen)} changes")
        ev.add("dtstart", w.start)
        ev.add("dtend", w.end + timedelta(days=1))
        ev.add("categories", ["freeze"])
        cal.add_component(ev)
    return bytes(cal.to_ical())
