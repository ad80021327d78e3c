"""Notifications delivered to a real HTTP receiver and a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from tests._governance import ADMIN, Gov, dev, gov  # noqa: F401
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.approvals.policy import Level
from polaris.approvals.rules import Decision
from polaris.notify.adapters import EmailTarget, WebhookTarget
from polaris.notify.config import parse_targets
from polaris.notify.rules import backoff, verify
from polaris.settings import Settings
from polaris.wiring import build_services

SECRET = "s3cret-for-tests"  # noqa: S105 - a test key


class Receiver:
    """A webhook receiver: records each request; answers 500 to the first ``fail`` requests."""

    def __init__(self, fail: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = 500 if outer.fail > 0 else 204
                outer.fail -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def _open(g: Gov) -> str:
    req = g.approvals.open(
        kind="platform_release",
        name="aiops",
        version="2.2.0",
        declared=Level.MINOR,
        actor=dev("dev"),
    )
    return req.key


def test_webhooks_are_signed_and_slack_shaped_and_email_is_sent(
    gov: Gov,  # noqa: F811
    receiver: Receiver,
    smtp: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    box, port = smtp
    gov.outbox.targets[:] = [
        WebhookTarget(receiver.url + "/generic", "json", "HOOK_SECRET"),
        WebhookTarget(receiver.url + "/slack", "slack"),
        EmailTarget("127.0.0.1", port, "polaris@example.com", ("releases@example.com",)),
    ]
    key = _open(gov)
    assert gov.outbox.drain() == {"sent": 1, "retrying": 0, "failed": 0}
    generic, slack = sorted(receiver.requests, key=lambda r: r["path"])
    headers = generic["headers"]
    assert headers["X-Polaris-Event"] == "request.opened"
    assert verify(
        SECRET,
        int(headers["X-Polaris-Timestamp"]),
        generic["body"],
        headers["X-Polaris-Signature"],
        now=datetime.now(UTC),
    )
    assert not verify(
        "wrong",
        int(headers["X-Polaris-Timestamp"]),
        generic["body"],
        headers["X-Polaris-Signature"],
        now=datetime.now(UTC),
    )
    payload = json.loads(generic["body"])
    assert payload["request"]["id"] == key
    assert "security_team" in payload["notify_roles"]
    assert "X-Polaris-Signature" not in slack["headers"]  # no secret configured for it
    text = json.loads(slack["body"])["text"]
    assert text.startswith(f"[request.opened] {key}: platform_release aiops 2.2.0 is pending")
    ((rcpt, msg),) = box.messages
    assert rcpt == ["releases@example.com"]
    assert msg["Subject"].startswith(f"[request.opened] {key}")
    assert "Level: minor" in msg.get_payload()
    assert gov.outbox.drain() == {"sent": 0, "retrying": 0, "failed": 0}


def test_a_failed_delivery_is_retried_with_backoff_and_logged(
    gov: Gov,  # noqa: F811
    smtp: tuple[Mailbox, int],
) -> None:
    failing = Receiver(fail=1)
    box, port = smtp
    try:
        gov.outbox.targets[:] = [
            WebhookTarget(failing.url, "json"),
            EmailTarget("127.0.0.1", port, "polaris@example.com", ("a@example.com",)),
        ]
        _open(gov)
        assert gov.outbox.drain() == {"sent": 0, "retrying": 1, "failed": 0}
        assert gov.outbox.drain() == {"sent": 0, "retrying": 0, "failed": 0}  # not due yet
        gov.clock.advance(seconds=backoff(1).total_seconds())
        assert gov.outbox.drain() == {"sent": 1, "retrying": 0, "failed": 0}
        assert len(failing.requests) == 2
        assert len(box.messages) == 1  # the e-mail that went through is not sent again
        log = gov.outbox.log(actor=ADMIN)
        attempts = sorted(
            (d["target"].split(":")[0], d["attempt"], d["ok"]) for d in log["deliveries"]
        )
        assert attempts == [("smtp", 1, True), ("webhook", 1, False), ("webhook", 2, True)]
        assert log["events"][0]["sent_at"] is not None
    finally:
        failing.close()


def test_a_crash_between_decision_and_delivery_loses_nothing(
    gov: Gov,  # noqa: F811
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    key = _open(gov)
    gov.approvals.decide(key, Decision.REJECTED, actor=dev("qa"), comment="no")
    # The process dies here: the decision and its two events are committed, nothing was sent.
    url = gov.services.settings.resolved_database_url
    gov.services.close()
    (gov.directory / "notifications.yml").write_text(
        f"webhooks:\n  - url: {receiver.url}/after-restart\n"
    )
    restarted = build_services(
        Settings(home=tmp_path, database_url=url, governance_dir=gov.directory)
    )
    try:
        assert restarted.governance.outbox.drain() == {"sent": 2, "retrying": 0, "failed": 0}
    finally:
        restarted.close()
    events = [r["headers"]["X-Polaris-Event"] for r in receiver.requests]
    assert events == ["request.opened", "request.decided"]
    assert json.loads(receiver.requests[1]["body"])["request"]["state"] == "rejected"


def test_notification_config_errors_name_the_line() -> None:
    targets = parse_targets("webhooks:\n  - url: https://h.example/x\n    format: slack\n", "n.yml")
    assert [t.name for t in targets] == ["webhook:https://h.example/x"]
    with pytest.raises(Exception, match=r"n\.yml:3: webhooks\.0\.format: unknown format 'teams'"):
        parse_targets("webhooks:\n  - url: https://h.example/x\n    format: teams\n", "n.yml")
    with pytest.raises(Exception, match=r"n\.yml:2: webhooks\.0\.url: 'ftp://x' is not an http"):
        parse_targets("webhooks:\n  - url: ftp://x\n", "n.yml")


def test_a_freeze_starting_is_announced_once(gov: Gov, receiver: Receiver) -> None:  # noqa: F811
    gov.outbox.targets[:] = [WebhookTarget(receiver.url, "slack")]
    assert gov.outbox.tick() == {"sent": 0, "retrying": 0, "failed": 0}  # 2025-09-01: no window
    gov.clock.now = gov.clock.now.replace(day=24)
    assert gov.outbox.tick() == {"sent": 1, "retrying": 0, "failed": 0}
    gov.clock.advance(days=1)
    assert gov.outbox.tick() == {"sent": 0, "retrying": 0, "failed": 0}  # announced once
    (req,) = receiver.requests
    assert req["headers"]["X-Polaris-Event"] == "freeze.starting"
    assert json.loads(req["body"])["text"] == (
        "[freeze.starting] freeze for release 2.2.0 from 2025-09-24 until 2025-10-01: "
        "no major/minor changes"
    )
