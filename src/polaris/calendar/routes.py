"""``/api/v1/calendar``, its ``check`` and the iCalendar feed ``/api/v1/calendar.ics``."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from polaris.core.errors import InvalidInput, Location
from polaris.http.deps import ReadActor, ServicesDep
from polaris.http.responses import ok

__all__ = ["router"]

router = APIRouter(tags=["governance"])


@router.get("/calendar")
def calendar(services: ServicesDep, actor: ReadActor) -> Response:
    """The schedule: cadences, upcoming releases, freeze windows."""
    return ok(services.governance.calendar.require_schedule().to_dict())


@router.get("/calendar/check")
def check(
    services: ServicesDep, actor: ReadActor, type: str = "minor", at: str | None = None
) -> Response:
    """Whether a change of ``type`` may go ahead at ``at`` (default now)."""
    when = None
    if at is not None:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise InvalidInput(
                f"{at!r} is not an ISO 8601 time", location=Location(field="at")
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return ok(services.governance.calendar.verdict(type, when).to_dict())


@router.get("/calendar.ics")
def ics(services: ServicesDep, actor: ReadActor) -> Response:
    """The release calendar as an iCalendar feed to subscribe to."""
    return Response(
        services.governance.calendar.ics(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="polaris-releases.ics"'},
    )
