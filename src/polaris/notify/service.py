"""The outbox: events queued in the deciding transaction, delivered after it, retried with backoff.

:class:`Outbox` is the :class:`~polaris.approvals.ports.EventSink` the governance services write
to. :meth:`Outbox.drain` delivers what is due to every target that has not taken it yet, logs each
attempt, and backs off on failure; a process that died between a decision and its delivery
finds the event still queued when it starts again. Delivery is at least once: receivers dedupe
on the event id (``payload["event_id"]``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.notify import repo
from polaris.notify.adapters import Target
from polaris.notify.rules import MAX_ATTEMPTS, backoff
from polaris.store.session import Database

__all__ = ["Outbox"]


class Outbox:
    """Queue events in the store and deliver them to the configured targets."""

    def __init__(
        self,
        db: Database,
        targets: Sequence[Target],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.targets = list(targets)
        self.clock = clock
        #: Tasks run before each background drain (announcements such as freezes starting).
        self.periodic: list[Callable[[datetime], object]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def enqueue(
        self, session: Any, event: str, subject: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """Queue ``event`` in the caller's transaction."""
        repo.add_event(session, event, subject, payload, now)

    def announce_once(
        self, event: str, subject: str, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Queue ``event`` about ``subject`` unless it was queued before; whether it was queued."""
        with self.db.write() as s:
            if repo.has_event(s, event, subject):
                return False
            repo.add_event(s, event, subject, payload, now)
        return True

    def drain(self, *, now: datetime | None = None) -> dict[str, int]:
        """Deliver every due event once; ``{"sent": n, "retrying": n, "failed": n}``."""
        now = now or self.clock()
        counts = {"sent": 0, "retrying": 0, "failed": 0}
        with self.db.read() as s:
            due = repo.due_events(s, now)
        for pk, event, payload, attempts in due:
            with self.db.read() as s:
                done = repo.delivered_targets(s, pk)
            attempt = attempts + 1
            results: list[tuple[str, bool, str]] = []
            for target in self.targets:
                if target.name in done:
                    continue
                try:
                    status = target.deliver(event, {**payload, "event_id": pk})
                    results.append((target.name, True, status))
                except (OSError, httpx.HTTPError) as exc:
                    results.append((target.name, False, f"{type(exc).__name__}: {exc}"))
            errors = [r for r in results if not r[1]]
            at = self.clock()
            with self.db.write() as s:
                for name, ok, status in results:
                    repo.add_delivery(s, pk, name, attempt, ok, status, at)
                if not errors:
                    repo.mark(s, pk, attempts=attempt, sent_at=at, last_error=None)
                    counts["sent"] += 1
                elif attempt >= MAX_ATTEMPTS:
                    repo.mark(s, pk, attempts=attempt, failed=True, last_error=errors[0][2][:500])
                    counts["failed"] += 1
                else:
                    repo.mark(
                        s,
                        pk,
                        attempts=attempt,
                        next_at=at + backoff(attempt),
                        last_error=errors[0][2][:500],
                    )
                    counts["retrying"] += 1
        return counts

    def tick(self) -> dict[str, int]:
        """Run the periodic tasks, then deliver what is due (the background loop's one round)."""
        for task in self.periodic:
            task(self.clock())
        return self.drain()

    def log(self, *, actor: Actor, limit: int = 100) -> dict[str, Any]:
        """The outbox and the delivery log (admins only)."""
        require_role(actor.role, Role.ADMIN, "reading the delivery log")
        with self.db.read() as s:
            return {
                "events": repo.list_events(s, limit),
                "deliveries": repo.list_deliveries(s, limit * 2),
            }

    def start(self, interval: float = 2.0) -> None:
        """Drain in a background thread every ``interval`` seconds (the server's lifespan)."""
        if self._thread is not None or not self.targets:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # noqa: S112 - keep the loop alive; the log shows errors
                    continue

        self._thread = threading.Thread(target=loop, name="polaris-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
