"""Approval requests and reviews in the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from polaris.approvals.policy import Level
from polaris.approvals.rules import Decision, RequestState, Review
from polaris.approvals.tables import ApprovalRequestRow, ApprovalReviewRow
from polaris.core.errors import Location, NotFound

__all__ = [
    "ApprovalRequest",
    "add_request",
    "add_review",
    "dismiss_reviews",
    "find_requests",
    "get_request",
    "keys_like",
    "list_requests",
    "lock_request",
    "reviews_of",
    "save_state",
]


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """A request as stored, with its reviews."""

    pk: int
    key: str
    subject_kind: str
    subject_name: str
    version: str
    declared_level: Level
    level: Level
    level_reason: str
    impact: dict[str, Any]
    policy: dict[str, Any]
    author: str
    state: RequestState
    state_reason: str
    revision: int
    overridden_by: str | None
    override_reason: str | None
    review_after: bool
    created_at: datetime
    updated_at: datetime
    reviews: tuple[Review, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.key,
            "subject": {
                "kind": self.subject_kind,
                "name": self.subject_name,
                "version": self.version,
            },
            "declared_level": str(self.declared_level),
            "level": str(self.level),
            "level_reason": self.level_reason,
            "impact": self.impact,
            "policy": self.policy,
            "author": self.author,
            "state": str(self.state),
            "state_reason": self.state_reason,
            "revision": self.revision,
            "overridden_by": self.overridden_by,
            "override_reason": self.override_reason,
            "review_after": self.review_after,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "reviews": [r.to_dict() for r in self.reviews],
        }


def _request(row: ApprovalRequestRow, reviews: tuple[Review, ...]) -> ApprovalRequest:
    return ApprovalRequest(
        pk=row.id,
        key=row.key,
        subject_kind=row.subject_kind,
        subject_name=row.subject_name,
        version=row.version,
        declared_level=Level(row.declared_level),
        level=Level(row.level),
        level_reason=row.level_reason,
        impact=row.impact,
        policy=row.policy,
        author=row.author,
        state=RequestState(row.state),
        state_reason=row.state_reason,
        revision=row.revision,
        overridden_by=row.overridden_by,
        override_reason=row.override_reason,
        review_after=row.review_after,
        created_at=row.created_at,
        updated_at=row.updated_at,
        reviews=reviews,
    )


def keys_like(s: Session, prefix: str) -> list[str]:
    """Request ids starting with ``prefix`` (to pick a free one)."""
    stmt = select(ApprovalRequestRow.key).where(ApprovalRequestRow.key.startswith(prefix))
    return list(s.scalars(stmt))


def add_request(s: Session, req: ApprovalRequest) -> ApprovalRequest:
    """Insert a request (its ``pk`` is ignored and assigned)."""
    row = ApprovalRequestRow(
        key=req.key,
        subject_kind=req.subject_kind,
        subject_name=req.subject_name,
        version=req.version,
        declared_level=str(req.declared_level),
        level=str(req.level),
        level_reason=req.level_reason,
        impact=req.impact,
        policy=req.policy,
        author=req.author,
        state=str(req.state),
        state_reason=req.state_reason,
        revision=req.revision,
        overridden_by=req.overridden_by,
        override_reason=req.override_reason,
        review_after=req.review_after,
        created_at=req.created_at,
        updated_at=req.updated_at,
    )
    s.add(row)
    s.flush()
    return _request(row, ())


_REVIEWS = cast(Table, ApprovalReviewRow.__table__)
_REQUESTS = cast(Table, ApprovalRequestRow.__table__)
# Core statements built once: a decision runs them on the hot path, where ORM entity loading
# cost more than the database's work.
_REVIEWS_OF = (
    select(
        _REVIEWS.c.reviewer,
        _REVIEWS.c.roles,
        _REVIEWS.c.decision,
        _REVIEWS.c.comment,
        _REVIEWS.c.at,
        _REVIEWS.c.revision,
        _REVIEWS.c.dismissed,
    )
    .where(_REVIEWS.c.request_pk == bindparam("pk"))
    .order_by(_REVIEWS.c.id)
)
_LOCK = select(*_REQUESTS.c).where(_REQUESTS.c.key == bindparam("key")).with_for_update()
_INSERT_REVIEW = insert(_REVIEWS)


def reviews_of(s: Session, pk: int) -> tuple[Review, ...]:
    """Every review of a request, oldest first."""
    return tuple(
        Review(r[0], frozenset(r[1]), Decision(r[2]), r[3], r[4], r[5], bool(r[6]))
        for r in s.execute(_REVIEWS_OF, {"pk": pk})
    )


def _not_found(key: str) -> NotFound:
    return NotFound(
        f"no approval request {key!r}",
        location=Location(field="request"),
        hint="polaris approvals list",
    )


def get_request(s: Session, key: str) -> ApprovalRequest:
    """One request with its reviews."""
    row = s.scalar(select(ApprovalRequestRow).where(ApprovalRequestRow.key == key))
    if row is None:
        raise _not_found(key)
    return _request(row, reviews_of(s, row.id))


def lock_request(s: Session, key: str) -> ApprovalRequest:
    """One request, its row locked until the transaction ends (decisions serialise on it)."""
    row = s.execute(_LOCK, {"key": key}).first()
    if row is None:
        raise _not_found(key)
    return _request(row, reviews_of(s, row.id))  # type: ignore[arg-type]


def add_review(s: Session, pk: int, review: Review) -> None:
    """Record one decision."""
    s.execute(
        _INSERT_REVIEW,
        {
            "request_pk": pk,
            "reviewer": review.reviewer,
            "roles": sorted(review.roles),
            "decision": str(review.decision),
            "comment": review.comment,
            "at": review.at,
            "revision": review.revision,
            "dismissed": False,
        },
    )


def dismiss_reviews(s: Session, pk: int) -> int:
    """Mark every review of a request dismissed (a new revision); how many were live."""
    result = s.execute(
        update(ApprovalReviewRow)
        .where(ApprovalReviewRow.request_pk == pk, ApprovalReviewRow.dismissed.is_(False))
        .values(dismissed=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def save_state(s: Session, pk: int, **values: Any) -> None:
    """Update a request's state columns."""
    s.execute(update(_REQUESTS).where(_REQUESTS.c.id == pk).values(**values))


def find_requests(s: Session, kind: str, name: str, version: str) -> list[ApprovalRequest]:
    """The requests of one subject, newest first."""
    stmt = (
        select(ApprovalRequestRow)
        .where(
            ApprovalRequestRow.subject_kind == kind,
            ApprovalRequestRow.subject_name == name,
            ApprovalRequestRow.version == version,
        )
        .order_by(ApprovalRequestRow.id.desc())
    )
    return [_request(r, reviews_of(s, r.id)) for r in s.scalars(stmt)]


def list_requests(
    s: Session, *, state: str | None = None, limit: int = 100
) -> list[ApprovalRequest]:
    """Requests, newest first, optionally in one state."""
    stmt = select(ApprovalRequestRow)
    if state is not None:
        stmt = stmt.where(ApprovalRequestRow.state == state)
    rows = list(s.scalars(stmt.order_by(ApprovalRequestRow.id.desc()).limit(limit)))
    return [_request(r, reviews_of(s, r.id)) for r in rows]
