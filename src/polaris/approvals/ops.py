"""The governance operations in JSON form, shared by the API routes and the local CLI.

Each function takes the services and an actor and returns the JSON the API answers, so the
CLI prints the same thing whether it runs against the local store or a server.
"""

from __future__ import annotations

from typing import Any

from polaris.approvals.checklist_service import ChecklistService
from polaris.approvals.policy import Level
from polaris.approvals.rules import Decision, Impact
from polaris.approvals.service import ApprovalService
from polaris.core.actors import Actor
from polaris.core.errors import InvalidInput, Location

__all__ = ["DECISIONS", "checklist", "decide", "open_request", "parse_level", "report_stage"]

#: URL/CLI verb -> decision.
DECISIONS = {
    "approve": Decision.APPROVED,
    "reject": Decision.REJECTED,
    "request-changes": Decision.NEEDS_CHANGES,
}


def parse_level(text: str | None, field: str = "level") -> Level:
    """``"minor"`` -> :class:`Level`; anything else is a one-line error."""
    try:
        return Level((text or "").strip().lower())
    except ValueError:
        raise InvalidInput(
            f"unknown level {text!r}",
            location=Location(field=field),
            hint="patch, minor, major or hotfix",
        ) from None


def open_request(
    svc: ApprovalService, body: dict[str, Any], *, actor: Actor, dry_run: bool
) -> dict[str, Any]:
    """Open a request from its JSON body."""
    raw = body.get("impact") or {}
    bump = raw.get("commit_bump")
    impact = Impact(
        commit_bump=None if bump is None else parse_level(bump, "impact.commit_bump"),
        api_breaking=bool(raw.get("api_breaking")),
        schema_breaking=bool(raw.get("schema_breaking")),
        change_kinds=tuple(raw.get("change_kinds") or ()),
    )
    req = svc.open(
        kind=str(body["kind"]),
        name=str(body["name"]),
        version=str(body["version"]),
        declared=parse_level(body.get("level")),
        impact=impact,
        actor=actor,
        dry_run=dry_run,
    )
    return _dry(req.to_dict(), dry_run)


def decide(
    svc: ApprovalService, key: str, verb: str, comment: str, *, actor: Actor, dry_run: bool
) -> dict[str, Any]:
    """Record ``verb`` (approve, reject, request-changes) on a request."""
    if verb not in DECISIONS:
        raise InvalidInput(f"unknown decision {verb!r}", location=Location(field="decision"))
    req = svc.decide(key, DECISIONS[verb], actor=actor, comment=comment, dry_run=dry_run)
    return _dry(req.to_dict(), dry_run)


def checklist(svc: ChecklistService, release: str) -> dict[str, Any]:
    """A release's checklist and stages."""
    items = svc.show(release)
    return {
        "release": release,
        "items": [i.to_dict() for i in items],
        "open_required": [i.key for i in items if i.required and not i.done],
        "stages": svc.stages(release),
    }


def report_stage(
    svc: ChecklistService, release: str, body: dict[str, Any], *, actor: Actor, dry_run: bool
) -> dict[str, Any]:
    """Record a stage report from its JSON body."""
    rec = svc.report_stage(
        release,
        str(body["stage"]),
        str(body["status"]),
        actor=actor,
        url=body.get("url"),
        facts=tuple(body.get("facts") or ()),
        override_reason=body.get("override_reason"),
        dry_run=dry_run,
    )
    return _dry(rec, dry_run)


def _dry(data: dict[str, Any], dry_run: bool) -> dict[str, Any]:
    return {**data, "dry_run": True} if dry_run else data
