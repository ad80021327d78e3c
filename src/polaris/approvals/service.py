"""Approval requests as use cases: open, decide, revise, override, and the promotion gate.

Each use case is one transaction with its audit entry and its notification (queued in the outbox
in the same transaction). A decision locks the request row, so eight reviewers deciding at once
are counted one after the other, exactly. ``dry_run`` runs everything and rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from polaris.approvals import repo
from polaris.approvals.policy import ApprovalMatrix, Level, policy_from_dict
from polaris.approvals.ports import Directory, EventSink, FreezeGate
from polaris.approvals.repo import ApprovalRequest
from polaris.approvals.rules import (
    SUBJECT_KINDS,
    Decision,
    Impact,
    RequestState,
    Review,
    auto_approved,
    check_decision,
    check_override,
    effective_level,
    evaluate,
    level_between,
    request_id,
)
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import CheckFailed, InvalidInput, Location
from polaris.core.semver import Version
from polaris.store.session import Database

__all__ = ["ApprovalService"]


def _recipients(policy: dict[str, Any]) -> list[str]:
    return [*policy["approvers"], *policy.get("additional_reviews", [])]


class ApprovalService:
    """The governance engine every kind of change goes through."""

    def __init__(
        self,
        db: Database,
        matrix: Callable[[], ApprovalMatrix],
        directory: Directory,
        *,
        freeze: FreezeGate | None = None,
        events: EventSink | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.matrix = matrix
        self.directory = directory
        self.freeze = freeze
        self.events = events
        self.clock = clock

    # -- helpers ------------------------------------------------------------------------------

    def _emit(self, s: Any, event: str, req: ApprovalRequest, now: datetime, **extra: Any) -> None:
        if self.events is not None:
            payload = {"event": event, "request": req.to_dict(), **extra}
            self.events.enqueue(s, event, req.key, payload, now)

    @staticmethod
    def _audit(
        s: Any, actor: str, action: str, key: str, before: Any, after: Any, now: datetime
    ) -> None:
        audit_repo.add_audit(
            s,
            at=now,
            actor=actor,
            action=action,
            entity="approval_request",
            key=key,
            before=before,
            after=after,
        )

    # -- use cases ----------------------------------------------------------------------------

    def open(
        self,
        *,
        kind: str,
        name: str,
        version: str,
        declared: Level,
        actor: Actor,
        impact: Impact | None = None,
        dry_run: bool = False,
    ) -> ApprovalRequest:
        """Open a request for a subject; the level is the measured one when it is higher."""
        require_role(actor.role, Role.DEVELOPER, "requesting approval")
        if kind not in SUBJECT_KINDS:
            raise InvalidInput(
                f"unknown subject kind {kind!r}",
                location=Location(field="kind"),
                hint="one of " + ", ".join(SUBJECT_KINDS),
            )
        version = str(Version.parse(version))  # InvalidVersion names what is wrong
        if not name.strip() or len(name) > 200:
            raise InvalidInput(
                "a subject needs a name (1-200 characters)", location=Location(field="name")
            )
        impact = impact or Impact()
        level, why = effective_level(declared, impact)
        now = self.clock()
        if self.freeze is not None:
            self.freeze.check(str(level), now)
        policy = self.matrix().policy(level)
        auto = auto_approved(policy, impact)
        state = RequestState.APPROVED if auto else RequestState.PENDING
        reason = (
            "auto-approved: every change is " + "/".join(sorted(set(impact.change_kinds)))
            if auto
            else "waiting for reviews"
        )
        with self.db.write() as s:
            key = request_id(version, now, repo.keys_like(s, f"approval-{version}-"))
            req = repo.add_request(
                s,
                ApprovalRequest(
                    pk=0,
                    key=key,
                    subject_kind=kind,
                    subject_name=name,
                    version=version,
                    declared_level=declared,
                    level=level,
                    level_reason=why,
                    impact=impact.to_dict(),
                    policy=policy.to_dict(),
                    author=actor.name,
                    state=state,
                    state_reason=reason,
                    revision=1,
                    overridden_by=None,
                    override_reason=None,
                    review_after=False,
                    created_at=now,
                    updated_at=now,
                ),
            )
            if not auto:
                req = replace(req, state_reason=evaluate(policy, (), 1).reason)
                repo.save_state(s, req.pk, state_reason=req.state_reason)
            self._audit(s, actor.name, "open", key, None, req.to_dict(), now)
            self._emit(
                s,
                "request.opened",
                req,
                now,
                notify_roles=_recipients(req.policy)
                + (["stakeholders"] if policy.stakeholder_notification else []),
            )
            if dry_run:
                s.rollback()
        return req

    def decide(
        self,
        key: str,
        decision: Decision,
        *,
        actor: Actor,
        comment: str = "",
        dry_run: bool = False,
    ) -> ApprovalRequest:
        """Record one reviewer's decision and the state it puts the request in."""
        require_role(actor.role, Role.DEVELOPER, "reviewing")
        roles = self.directory.roles_of(actor.name)
        now = self.clock()
        with self.db.write() as s:
            req = repo.lock_request(s, key)
            policy = policy_from_dict(req.policy)
            check_decision(
                request_key=key,
                state=req.state,
                author=req.author,
                reviewer=actor.name,
                roles=roles,
                decision=decision,
                policy=policy,
                reviews=req.reviews,
                revision=req.revision,
            )
            review = Review(actor.name, roles, decision, comment, now, req.revision)
            repo.add_review(s, req.pk, review)
            reviews = (*req.reviews, review)
            verdict = evaluate(policy, reviews, req.revision)
            repo.save_state(
                s, req.pk, state=str(verdict.state), state_reason=verdict.reason, updated_at=now
            )
            after = replace(
                req,
                state=verdict.state,
                state_reason=verdict.reason,
                updated_at=now,
                reviews=reviews,
            )
            # The decision's own before/after: the request's state and the review it gained (the
            # whole request, policy and every review, is in the audit entry of its opening).
            self._audit(
                s,
                actor.name,
                str(decision),
                key,
                {"state": str(req.state), "revision": req.revision, "reviews": len(req.reviews)},
                {
                    "state": str(verdict.state),
                    "state_reason": verdict.reason,
                    "revision": req.revision,
                    "review": review.to_dict(),
                },
                now,
            )
            if verdict.state != req.state:
                self._emit(s, "request.decided", after, now, notify_roles=[req.author])
            if dry_run:
                s.rollback()
        return after

    def revise(self, key: str, *, actor: Actor, dry_run: bool = False) -> ApprovalRequest:
        """A new revision of the subject: earlier reviews are dismissed, the request reopens."""
        require_role(actor.role, Role.DEVELOPER, "revising a request")
        now = self.clock()
        with self.db.write() as s:
            req = repo.lock_request(s, key)
            if req.state.closed:
                raise CheckFailed(
                    f"{key} is already {req.state}", location=Location(field="request")
                )
            repo.dismiss_reviews(s, req.pk)
            policy = policy_from_dict(req.policy)
            verdict = evaluate(policy, (), req.revision + 1)
            repo.save_state(
                s,
                req.pk,
                revision=req.revision + 1,
                state=str(verdict.state),
                state_reason=verdict.reason,
                updated_at=now,
            )
            after = replace(
                req,
                revision=req.revision + 1,
                state=verdict.state,
                state_reason=verdict.reason,
                updated_at=now,
                reviews=tuple(replace(r, dismissed=True) for r in req.reviews),
            )
            self._audit(s, actor.name, "revise", key, req.to_dict(), after.to_dict(), now)
            self._emit(s, "request.opened", after, now, notify_roles=_recipients(req.policy))
            if dry_run:
                s.rollback()
        return after

    def override(
        self, key: str, *, actor: Actor, reason: str, dry_run: bool = False
    ) -> ApprovalRequest:
        """The emergency override: approves a hotfix alone, flagged for review afterwards."""
        require_role(actor.role, Role.DEVELOPER, "overriding")
        roles = self.directory.roles_of(actor.name)
        now = self.clock()
        with self.db.write() as s:
            req = repo.lock_request(s, key)
            policy = policy_from_dict(req.policy)
            check_override(
                request_key=key, state=req.state, roles=roles, policy=policy, reason=reason
            )
            state_reason = f"approved by emergency override ({actor.name}): {reason}"
            repo.save_state(
                s,
                req.pk,
                state=str(RequestState.APPROVED),
                state_reason=state_reason,
                overridden_by=actor.name,
                override_reason=reason,
                review_after=True,
                updated_at=now,
            )
            after = replace(
                req,
                state=RequestState.APPROVED,
                state_reason=state_reason,
                overridden_by=actor.name,
                override_reason=reason,
                review_after=True,
                updated_at=now,
            )
            self._audit(s, actor.name, "override", key, req.to_dict(), after.to_dict(), now)
            everyone = sorted({*_recipients(req.policy), *policy.notification_required})
            self._emit(s, "request.overridden", after, now, notify_roles=everyone)
            if dry_run:
                s.rollback()
        return after

    def get(self, key: str) -> ApprovalRequest:
        """One request with its reviews."""
        with self.db.read() as s:
            return repo.get_request(s, key)

    def list(
        self, *, state: str | None = None, waiting_for: str | None = None, limit: int = 100
    ) -> list[ApprovalRequest]:
        """Requests, newest first; ``waiting_for`` keeps open ones that user may still decide."""
        if state is not None:
            RequestState(state)  # validates
        with self.db.read() as s:
            items = repo.list_requests(s, state=state, limit=limit)
        if waiting_for is None:
            return items
        roles = self.directory.roles_of(waiting_for)
        out: list[ApprovalRequest] = []
        for req in items:
            relevant = set(_recipients(req.policy))
            decided = {r.reviewer for r in req.reviews if r.revision == req.revision}
            if (
                req.state == RequestState.PENDING
                and req.author != waiting_for
                and roles & relevant
                and waiting_for not in decided
            ):
                out.append(req)
        return out

    def require(
        self,
        *,
        kind: str,
        name: str,
        version: str,
        previous: str | None,
        actor: Actor,
        dry_run: bool = False,
    ) -> ApprovalRequest:
        """The gate a promotion calls: pass with an approved request, else open one and refuse.

        A freeze active now refuses even an approved change of a frozen level (deny beats allow).
        """
        with self.db.read() as s:
            found = repo.find_requests(s, kind, name, version)
        for req in found:
            if req.state == RequestState.APPROVED:
                if self.freeze is not None:
                    self.freeze.check(str(req.level), self.clock())
                return req
        pending = next((r for r in found if not r.state.closed), None)
        if pending is None:
            pending = self.open(
                kind=kind,
                name=name,
                version=version,
                declared=level_between(previous, version),
                actor=actor,
                dry_run=dry_run,
            )
            if pending.state == RequestState.APPROVED:
                return pending
        raise CheckFailed(
            f"{kind} {name} {version} needs approval: {pending.key} is {pending.state}"
            f" ({pending.state_reason})",
            location=Location(field="approval"),
            hint=f"polaris approvals show {pending.key}",
        )
