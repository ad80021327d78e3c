"""``polaris notify log|drain``: the outbox and its delivery log (admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import JsonOption
from polaris.cli._render import emit, table

if TYPE_CHECKING:
    from polaris import governance_client as client
else:
    client = lazy_import("polaris.governance_client")

__all__ = ["notify_app"]

notify_app = typer.Typer(
    help="Notifications: the outbox and its delivery log.", no_args_is_help=True
)


@notify_app.command("log")
def log(as_json: JsonOption = False) -> None:
    """Queued and sent events, and every delivery attempt."""
    data = client.open_governance().call("GET", "/notifications")

    def human(c: Console) -> None:
        c.print(
            table(
                "Events",
                ["id", "event", "subject", "attempts", "sent", "error"],
                [
                    [
                        e["id"],
                        e["event"],
                        e["subject"],
                        e["attempts"],
                        e["sent_at"] or "",
                        escape(e["last_error"] or ""),
                    ]
                    for e in data["events"]
                ],
            )
        )
        c.print(
            table(
                "Deliveries",
                ["event", "target", "attempt", "ok", "status"],
                [
                    [d["event_id"], escape(d["target"]), d["attempt"], d["ok"], escape(d["status"])]
                    for d in data["deliveries"]
                ],
            )
        )

    emit(data, as_json=as_json, human=human)


@notify_app.command("drain")
def drain(as_json: JsonOption = False) -> None:
    """Deliver every due event now."""
    data = client.open_governance().call("POST", "/notifications/drain")
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            f"sent {data['sent']}, retrying {data['retrying']}, failed {data['failed']}"
        ),
    )
