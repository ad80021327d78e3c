"""What the approvals service needs from elsewhere, as small Protocols the composition root fills.

The users' directory (``access``), the freeze gate (``calendar``) and the notification outbox
(``notify``) are other capabilities: the service depends on these shapes, never on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

__all__ = ["Directory", "EventSink", "FreezeGate"]


class Directory(Protocol):
    """Who people are."""

    def roles_of(self, name: str) -> frozenset[str]:
        """The roles of user ``name``; :class:`~polaris.core.errors.NotFound` if unknown."""
        ...


class FreezeGate(Protocol):
    """The release calendar's verdict on a change of a level now."""

    def check(self, level: str, now: datetime) -> None:
        """Raise :class:`~polaris.core.errors.CheckFailed` naming the window if frozen."""
        ...


class EventSink(Protocol):
    """The notification outbox, written in the caller's transaction."""

    def enqueue(
        self, session: Any, event: str, subject: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """Queue ``event`` for delivery once the transaction commits."""
        ...
