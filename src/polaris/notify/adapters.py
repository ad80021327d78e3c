"""Delivery adapters: webhooks over HTTP (generic JSON or Slack-compatible) and SMTP e-mail."""

from __future__ import annotations

import json
import os
import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import httpx

from polaris.notify.rules import email_text, sign, slack_payload

__all__ = ["EmailTarget", "Target", "WebhookTarget"]


class Target(Protocol):
    """Somewhere events go."""

    @property
    def name(self) -> str:
        """How the delivery log names it."""
        ...

    def deliver(self, event: str, payload: dict[str, Any]) -> str:
        """Deliver one event; return a short status, raise :class:`OSError`/``httpx`` errors."""
        ...


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A webhook: POSTs JSON, HMAC-signed when a secret is configured (by env var name)."""

    url: str
    format: str = "json"
    secret_env: str | None = None
    timeout: float = 10.0

    @property
    def name(self) -> str:
        """How the delivery log names it."""
        return f"webhook:{self.url}"

    def deliver(self, event: str, payload: dict[str, Any]) -> str:
        """POST the event; a non-2xx answer raises."""
        body_obj = slack_payload(event, payload) if self.format == "slack" else payload
        body = json.dumps(body_obj, sort_keys=True, default=str).encode()
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "polaris-notify",
            "X-Polaris-Event": event,
            "X-Polaris-Timestamp": str(ts),
        }
        secret = os.environ.get(self.secret_env) if self.secret_env else None
        if secret:
            headers["X-Polaris-Signature"] = sign(secret, ts, body)
        resp = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        resp.raise_for_status()
        return f"HTTP {resp.status_code}"


@dataclass(frozen=True, slots=True)
class EmailTarget:
    """E-mail over SMTP (STARTTLS when the server offers it and ``starttls`` is on)."""

    host: str
    port: int
    sender: str
    to: tuple[str, ...] = field(default_factory=tuple)
    starttls: bool = False
    timeout: float = 10.0

    @property
    def name(self) -> str:
        """How the delivery log names it."""
        return f"smtp:{self.host}:{self.port}"

    def deliver(self, event: str, payload: dict[str, Any]) -> str:
        """Send one message to every recipient."""
        subject, text = email_text(event, payload)
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = subject
        msg["X-Polaris-Event"] = event
        msg.set_content(text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            smtp.send_message(msg)
        return "sent"
