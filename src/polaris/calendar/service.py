"""The calendar as a service: load ``release_schedule.yml``, answer freeze checks, render iCalendar.

The schedule is re-read when the file changes (its mtime), so editing the file takes effect on
a running server without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final

from polaris.calendar.ics import render_ics
from polaris.calendar.rules import FreezeVerdict, Schedule, check_freeze, parse_schedule
from polaris.core.actors import utc_now
from polaris.core.errors import CheckFailed, ConfigError, Location, NotFound

__all__ = ["SCHEDULE_NAME", "CalendarService", "FreezeRefused", "load_schedule"]

#: The file the document names (seed 8.2.1).
SCHEDULE_NAME: Final = "release_schedule.yml"


class FreezeRefused(CheckFailed):
    """A change refused because a freeze window is active."""

    slug = "freeze-active"


def load_schedule(path: Path) -> Schedule:
    """Read and parse a schedule file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the release schedule: {exc.strerror}", location=Location(file=str(path))
        ) from None
    return parse_schedule(text, str(path))


class CalendarService:
    """The release calendar of one platform (or none: nothing is ever frozen)."""

    def __init__(self, path: Path | None, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, Schedule] | None = None

    def schedule(self) -> Schedule | None:
        """The current schedule, or None when no schedule file exists."""
        if self.path is None or not self.path.is_file():
            return None
        mtime = self.path.stat().st_mtime
        with self._lock:
            if self._cached is not None and self._cached[0] == mtime:
                return self._cached[1]
        parsed = load_schedule(self.path)
        with self._lock:
            self._cached = (mtime, parsed)
        return parsed

    def require_schedule(self) -> Schedule:
        """The schedule, or :class:`NotFound` naming where it was looked for."""
        found = self.schedule()
        if found is None:
            raise NotFound(
                f"no release schedule at {self.path}",
                location=Location(file=str(self.path) if self.path else SCHEDULE_NAME),
                hint=f"write {SCHEDULE_NAME} (seed 8.2.1) next to polaris.toml",
            )
        return found

    def verdict(self, change_type: str, at: datetime | None = None) -> FreezeVerdict:
        """Whether a change of ``change_type`` may go ahead at ``at`` (default now)."""
        return check_freeze(self.require_schedule(), change_type, at or self.clock())

    def check(self, level: str, now: datetime) -> None:
        """The freeze gate: raise :class:`FreezeRefused` when a window denies ``level`` now."""
        schedule = self.schedule()
        if schedule is None:
            return
        verdict = check_freeze(schedule, level, now)
        if not verdict.allowed:
            raise FreezeRefused(
                verdict.reason,
                location=Location(file=schedule.source, field="freeze"),
                hint="wait for the window to end, or ship it as a hotfix with its approvals",
            )

    def ics(self) -> bytes:
        """The calendar as an iCalendar feed."""
        return render_ics(self.require_schedule(), self.clock())
