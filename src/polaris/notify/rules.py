"""Notification payloads, signatures and the retry schedule, pure.

Webhook requests carry ``X-Polaris-Event``, ``X-Polaris-Timestamp`` (Unix seconds) and
``X-Polaris-Signature: sha256=<hex>``, the HMAC-SHA256 with the target's secret of
``"{timestamp}.{body}"``; a receiver recomputes it over the raw body and rejects old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any, Final

__all__ = [
    "EVENTS",
    "MAX_ATTEMPTS",
    "backoff",
    "email_text",
    "sign",
    "slack_payload",
    "summary",
    "verify",
]

#: The events Polaris announces.
EVENTS: Final = (
    "request.opened",
    "request.decided",
    "request.overridden",
    "checklist.overridden",
    "freeze.starting",
    "checklist.overdue",
)
#: Attempts before an event is marked failed (and left in the delivery log for admins).
MAX_ATTEMPTS: Final = 8


def backoff(attempts: int, *, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Wait before attempt ``attempts + 1``: 2 s, 4 s, 8 s ... capped at an hour."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Polaris-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: int, body: bytes, signature: str, *, now: datetime, tolerance: int = 300
) -> bool:
    """What a receiver does: a matching signature on a recent timestamp."""
    if abs(now.timestamp() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def summary(event: str, payload: dict[str, Any]) -> str:
    """One line a person reads: what happened to which subject."""
    req = payload.get("request")
    if isinstance(req, dict):
        subj = req.get("subject", {})
        what = f"{subj.get('kind')} {subj.get('name')} {subj.get('version')}"
        return (
            f"[{event}] {req.get('id')}: {what} is {req.get('state')} ({req.get('state_reason')})"
        )
    return f"[{event}] {payload.get('text', '')}".rstrip()


def slack_payload(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook body (``text`` plus one section block)."""
    text = summary(event, payload)
    return {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def email_text(event: str, payload: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body of the e-mail for an event."""
    line = summary(event, payload)
    body = [line, ""]
    req = payload.get("request")
    if isinstance(req, dict):
        body.append(f"Level: {req.get('level')} ({req.get('level_reason')})")
        for r in req.get("reviews", []):
            body.append(f"- {r['reviewer']}: {r['decision']} {r['comment']}".rstrip())
    roles = payload.get("notify_roles")
    if roles:
        body.append("Notified: " + ", ".join(roles))
    return line[:200], "\n".join(body) + "\n"
