"""``polaris calendar show|check|ics``: the release schedule, the freeze gate for CI, iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from polaris.calendar.rules import check_freeze
from polaris.calendar.service import SCHEDULE_NAME, CalendarService
from polaris.cli._options import JsonOption
from polaris.cli._render import emit, table
from polaris.core.actors import utc_now
from polaris.core.errors import InvalidInput, Location

__all__ = ["calendar_app"]

calendar_app = typer.Typer(
    help="The release calendar and its freeze windows (seed 8.2.1).", no_args_is_help=True
)

FileOption = Annotated[
    Path | None,
    typer.Option("--file", "-f", help=f"The schedule (default: {SCHEDULE_NAME} of the platform)."),
]


def _service(path: Path | None) -> CalendarService:
    if path is None:
        from polaris.project.load import governance_dir
        from polaris.settings import Settings

        directory = governance_dir(Settings())
        path = (directory or Path.cwd()) / SCHEDULE_NAME
    return CalendarService(path)


def _when(at: str | None) -> datetime:
    if at is None:
        return utc_now()
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise InvalidInput(
            f"{at!r} is not an ISO 8601 time", location=Location(field="--at")
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@calendar_app.command("show")
def show(file: FileOption = None, as_json: JsonOption = False) -> None:
    """Cadences, upcoming releases and freeze windows."""
    sched = _service(file).require_schedule()
    data = sched.to_dict()

    def human(c: Console) -> None:
        c.print(
            table(
                "Release types",
                ["type", "frequency", "lead (days)", "freeze (days)"],
                [[r.type, r.frequency, r.lead_days, r.freeze_days] for r in sched.rules.values()],
            )
        )
        c.print(
            table(
                "Upcoming releases",
                ["version", "type", "date", "features", "breaking"],
                [
                    [
                        u.version,
                        u.type,
                        u.planned_date,
                        escape("; ".join(u.features)),
                        escape("; ".join(u.breaking_changes)),
                    ]
                    for u in sched.upcoming
                ],
            )
        )
        c.print(
            table(
                "Freeze windows",
                ["release", "from", "until", "frozen"],
                [[w.release, w.start, w.end, ", ".join(w.frozen)] for w in sched.windows],
            )
        )

    emit(data, as_json=as_json, human=human)


@calendar_app.command("check")
def check(
    change_type: Annotated[
        str, typer.Option("--type", "-t", help="major, minor, patch or hotfix.")
    ] = "minor",
    at: Annotated[str | None, typer.Option(help="ISO 8601 time (default: now).")] = None,
    file: FileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Exit 1 when a freeze refuses a change of this type now (a CI gate)."""
    verdict = check_freeze(_service(file).require_schedule(), change_type, _when(at))
    emit(
        verdict.to_dict(),
        as_json=as_json,
        human=lambda c: c.print(
            ("[green]allowed[/]: " if verdict.allowed else "[red]frozen[/]: ")
            + escape(verdict.reason)
        ),
    )
    if not verdict.allowed:
        raise typer.Exit(1)


@calendar_app.command("ics")
def ics(
    file: FileOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """The calendar as iCalendar (releases and freezes), for calendar apps."""
    data = _service(file).ics()
    if output is None:
        typer.echo(data.decode(), nl=False)
    else:
        output.write_bytes(data)
