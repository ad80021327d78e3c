"""Approval decisions (seed 12.1.2), pure: facts and "now" in, a verdict and its reason out.

- The level that applies is the *measured* one when it is higher than the declared one: commits
  saying breaking, an API diff with breaking changes or a schema lint with breaking steps make a
  declared minor a major, and :func:`effective_level` says why.
- Approvals count distinct *people* holding a listed role (one person with two roles counts
  once); each ``additional_reviews`` team needs one member's approval; the author cannot decide on
  their own request; any rejection rejects; ``needs_changes`` sends it back until a new revision,
  which dismisses every earlier decision (stale-review dismissal).
- The emergency override (``cto_approval``) settles a hotfix alone, needs a reason and is flagged
  for review afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from polaris.approvals.policy import AUTO_CONDITIONS, Level, LevelPolicy
from polaris.core.actors import PermissionDenied
from polaris.core.errors import Conflict, InvalidInput, Location
from polaris.core.semver import Version

__all__ = [
    "SUBJECT_KINDS",
    "Decision",
    "Impact",
    "RequestState",
    "Review",
    "Verdict",
    "auto_approved",
    "check_decision",
    "check_override",
    "effective_level",
    "evaluate",
    "level_between",
    "request_id",
]

#: What a request can be opened for (the later ones as their capabilities land).
SUBJECT_KINDS: Final = (
    "platform_release",
    "component_release",
    "model_promotion",
    "api_retirement",
    "config_promotion",
    "dependency_update",
    "image_promotion",
    "deployment",
)
_ORDER: Final = {Level.PATCH: 0, Level.MINOR: 1, Level.MAJOR: 2}


class Decision(StrEnum):
    """One reviewer's decision."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_CHANGES = "needs_changes"


class RequestState(StrEnum):
    """Where a request stands."""

    PENDING = "pending"
    NEEDS_CHANGES = "needs_changes"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def closed(self) -> bool:
        """Approved and rejected requests take no more decisions."""
        return self in (RequestState.APPROVED, RequestState.REJECTED)


@dataclass(frozen=True, slots=True)
class Impact:
    """What Polaris measured about the change (None: not measured)."""

    commit_bump: Level | None = None
    """The bump the commits call for (``major`` when one says BREAKING CHANGE)."""
    api_breaking: bool = False
    schema_breaking: bool = False
    change_kinds: tuple[str, ...] = ()
    """Kinds of changes: ``bug_fix``, ``security_patch``, ``documentation_update``, ``feature``."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "commit_bump": None if self.commit_bump is None else str(self.commit_bump),
            "api_breaking": self.api_breaking,
            "schema_breaking": self.schema_breaking,
            "change_kinds": list(self.change_kinds),
        }


@dataclass(frozen=True, slots=True)
class Review:
    """One person's decision on one revision of a request."""

    reviewer: str
    roles: frozenset[str]
    decision: Decision
    comment: str
    at: datetime
    revision: int
    dismissed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "reviewer": self.reviewer,
            "roles": sorted(self.roles),
            "decision": str(self.decision),
            "comment": self.comment,
            "at": self.at.isoformat(),
            "revision": self.revision,
            "dismissed": self.dismissed,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The state a set of reviews puts a request in, and what is still missing."""

    state: RequestState
    approvals: tuple[str, ...]
    """The distinct people whose approval counts towards the quorum."""
    teams: dict[str, str | None]
    """Each additional-review team and the member who approved for it (None: still missing)."""
    missing: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "state": str(self.state),
            "approvals": list(self.approvals),
            "teams": dict(self.teams),
            "missing": list(self.missing),
            "reason": self.reason,
        }


def request_id(version: str, now: datetime, taken: Iterable[str] = ()) -> str:
    """``approval-{version}-{YYYYMMDDHHMMSS}``; ``-2``, ``-3``... if that second is taken."""
    base = f"approval-{version}-{now.strftime('%Y%m%d%H%M%S')}"
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def level_between(previous: str | None, version: str) -> Level:
    """The level of moving from ``previous`` to ``version`` (minor when there is no previous)."""
    new = Version.parse(version)
    if previous is None:
        return Level.MINOR
    old = Version.parse(previous)
    if new.major != old.major:
        return Level.MAJOR
    if new.minor != old.minor:
        return Level.MINOR
    return Level.PATCH


def effective_level(declared: Level, impact: Impact) -> tuple[Level, str]:
    """The level whose policy applies, and why.

    >>> effective_level(Level.MINOR, Impact(api_breaking=True))[0]
    <Level.MAJOR: 'major'>
    """
    reasons: list[str] = []
    if impact.api_breaking:
        reasons.append("the API diff has breaking changes")
    if impact.schema_breaking:
        reasons.append("the schema lint found breaking steps")
    if impact.commit_bump == Level.MAJOR:
        reasons.append("the commits mark a breaking change")
    if reasons and declared != Level.MAJOR:
        return Level.MAJOR, f"declared {declared} but " + "; ".join(reasons) + ": major applies"
    if declared == Level.HOTFIX:
        return Level.HOTFIX, "declared hotfix"
    measured = impact.commit_bump
    if measured is not None and measured in _ORDER and _ORDER[measured] > _ORDER[declared]:
        return measured, f"declared {declared} but the commits call for a {measured} release"
    return declared, f"declared {declared}" + (
        ", confirmed by the measured impact" if reasons or measured else ""
    )


def auto_approved(policy: LevelPolicy, impact: Impact) -> bool:
    """Whether every change is one of the policy's auto-approval conditions."""
    allowed = set(policy.auto_approval_conditions) & AUTO_CONDITIONS
    return bool(allowed) and bool(impact.change_kinds) and set(impact.change_kinds) <= allowed


def _current(reviews: Sequence[Review], revision: int) -> list[Review]:
    return [r for r in reviews if r.revision == revision and not r.dismissed]


def evaluate(
    policy: LevelPolicy, reviews: Sequence[Review], revision: int, *, overridden: bool = False
) -> Verdict:
    """The state of a request from its current revision's reviews."""
    current = _current(reviews, revision)
    teams: dict[str, str | None] = dict.fromkeys(policy.additional_reviews)
    approvers = set(policy.approvers)
    counted: list[str] = []
    for r in current:
        if r.decision != Decision.APPROVED:
            continue
        if r.roles & approvers and r.reviewer not in counted:
            counted.append(r.reviewer)
        for team in policy.additional_reviews:
            if teams[team] is None and team in r.roles:
                teams[team] = r.reviewer
    missing: list[str] = []
    short = policy.required_approvals - len(counted)
    if short > 0:
        missing.append(f"{short} more approval(s) from " + "/".join(policy.approvers))
    missing.extend(f"a review from {t}" for t, who in teams.items() if who is None)
    rejected = [r for r in current if r.decision == Decision.REJECTED]
    changes = [r for r in current if r.decision == Decision.NEEDS_CHANGES]
    if rejected:
        state, reason = RequestState.REJECTED, f"rejected by {rejected[0].reviewer}"
    elif overridden:
        state, reason = RequestState.APPROVED, "approved by emergency override"
    elif changes:
        state = RequestState.NEEDS_CHANGES
        reason = (
            f"{changes[0].reviewer} asked for changes; a new revision dismisses earlier reviews"
        )
    elif not missing:
        state, reason = RequestState.APPROVED, f"{len(counted)} approval(s) and every team review"
    else:
        state, reason = RequestState.PENDING, "waiting for " + ", ".join(missing)
    return Verdict(state, tuple(counted), teams, tuple(missing), reason)


def check_decision(
    *,
    request_key: str,
    state: RequestState,
    author: str,
    reviewer: str,
    roles: frozenset[str],
    decision: Decision,
    policy: LevelPolicy,
    reviews: Sequence[Review],
    revision: int,
) -> None:
    """Raise unless ``reviewer`` may record ``decision`` now."""
    where = Location(field="request")
    if decision == Decision.PENDING:
        raise InvalidInput("a decision is approved, rejected or needs_changes", location=where)
    if state.closed:
        raise Conflict(
            f"{request_key} is already {state}; it takes no more decisions", location=where
        )
    if reviewer == author:
        raise PermissionDenied(
            f"{reviewer} opened {request_key} and cannot decide on it", hint="ask another reviewer"
        )
    relevant = set(policy.approvers) | set(policy.additional_reviews)
    if policy.emergency_override:
        relevant.add(policy.emergency_override)
    if not roles & relevant:
        raise PermissionDenied(
            f"{reviewer} has none of the roles whose decision counts for a {policy.level} change",
            hint="roles that count: " + ", ".join(sorted(relevant)),
        )
    if any(r.reviewer == reviewer for r in _current(reviews, revision)):
        raise Conflict(
            f"{reviewer} has already decided on revision {revision} of {request_key}",
            location=where,
        )


def check_override(
    *,
    request_key: str,
    state: RequestState,
    roles: frozenset[str],
    policy: LevelPolicy,
    reason: str,
) -> None:
    """Raise unless an emergency override of this request is allowed."""
    if policy.emergency_override is None:
        raise PermissionDenied(
            f"the {policy.level} policy has no emergency override",
            hint="only levels with emergency_override (hotfix) can be overridden",
        )
    if policy.emergency_override not in roles:
        raise PermissionDenied(
            f"the emergency override needs the {policy.emergency_override} role",
        )
    if not reason.strip():
        raise InvalidInput("an override needs a reason", location=Location(field="reason"))
    if state.closed:
        raise Conflict(f"{request_key} is already {state}", location=Location(field="request"))
