"""Approval requests over SQLite and PostgreSQL: the flows, the refusals, audit and outbox."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from tests._governance import ADMIN, Gov, dev, gov  # noqa: F401
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.approvals.policy import Level
from polaris.approvals.rules import Decision, Impact, RequestState
from polaris.calendar.service import FreezeRefused
from polaris.core.actors import PermissionDenied
from polaris.core.errors import CheckFailed, Conflict, InvalidInput, NotFound
from polaris.notify.tables import OutboxRow
from polaris.store.tables import AuditRow


def _open(g: Gov, version: str = "2.2.0", level: Level = Level.MINOR, **kw: object):  # type: ignore[no-untyped-def]
    return g.approvals.open(
        kind="platform_release",
        name="aiops",
        version=version,
        declared=level,
        actor=dev("dev"),
        **kw,
    )


def _count(g: Gov, model: type, **where: object) -> int:
    with g.services.db.read() as s:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return int(s.scalar(stmt) or 0)


def test_a_minor_release_through_two_approvals_and_the_team_reviews(gov: Gov) -> None:  # noqa: F811
    req = _open(gov)
    assert req.key == "approval-2.2.0-20250901090000"
    assert req.state == RequestState.PENDING
    assert "2 more approval(s)" in req.state_reason
    for who in ("ann", "pat", "sec"):
        req = gov.approvals.decide(req.key, Decision.APPROVED, actor=dev(who), comment="ok")
        assert req.state == RequestState.PENDING
    assert req.state_reason == "waiting for a review from qa_team"
    req = gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("qa"))
    assert req.state == RequestState.APPROVED
    shown = gov.approvals.get(req.key)
    assert [r.reviewer for r in shown.reviews] == ["ann", "pat", "sec", "qa"]
    assert _count(gov, AuditRow, entity="approval_request") == 5
    events = _count(gov, OutboxRow, subject=req.key)
    assert events == 2  # opened, decided (approved)
    with pytest.raises(Conflict, match="already approved"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("sam"))


def test_refusals_are_one_line_errors(gov: Gov) -> None:  # noqa: F811
    req = _open(gov)
    with pytest.raises(PermissionDenied, match="dev opened"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("dev"))
    with pytest.raises(NotFound, match="unknown user 'nobody'"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("nobody"))
    gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("ann"))
    with pytest.raises(Conflict, match="ann has already decided"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("ann"))
    with pytest.raises(PermissionDenied, match="none of the roles"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("cto"))
    with pytest.raises(NotFound, match="no approval request"):
        gov.approvals.get("approval-9.9.9-1")
    with pytest.raises(InvalidInput, match=r"2\.x"):
        _open(gov, "2.x")
    with pytest.raises(InvalidInput, match="unknown subject kind"):
        gov.approvals.open(
            kind="spaceship", name="x", version="1.0.0", declared=Level.MINOR, actor=dev("dev")
        )


def test_one_person_with_two_roles_counts_once(gov: Gov) -> None:  # noqa: F811
    req = _open(gov)
    req = gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("tl2"))
    for who in ("sec", "qa"):
        req = gov.approvals.decide(req.key, Decision.APPROVED, actor=dev(who))
    assert req.state == RequestState.PENDING
    assert "1 more approval(s)" in req.state_reason


def test_a_rejection_rejects(gov: Gov) -> None:  # noqa: F811
    req = _open(gov)
    gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("ann"))
    req = gov.approvals.decide(req.key, Decision.REJECTED, actor=dev("qa"), comment="flaky e2e")
    assert req.state == RequestState.REJECTED
    assert req.state_reason == "rejected by qa"


def test_needs_changes_then_a_new_revision_dismisses_earlier_approvals(gov: Gov) -> None:  # noqa: F811
    req = _open(gov)
    gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("ann"))
    req = gov.approvals.decide(req.key, Decision.NEEDS_CHANGES, actor=dev("pat"))
    assert req.state == RequestState.NEEDS_CHANGES
    req = gov.approvals.revise(req.key, actor=dev("dev"))
    assert (req.revision, req.state) == (2, RequestState.PENDING)
    assert all(r.dismissed for r in gov.approvals.get(req.key).reviews)
    # ann's approval of revision 1 no longer counts; she may approve revision 2.
    req = gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("ann"))
    assert req.state_reason.startswith("waiting for 1 more approval(s)")


def test_the_measured_impact_makes_a_declared_minor_a_major(gov: Gov) -> None:  # noqa: F811
    req = _open(gov, impact=Impact(api_breaking=True))
    assert req.level == Level.MAJOR
    assert "API diff has breaking changes" in req.level_reason
    assert req.policy["required_approvals"] == 3


def test_a_patch_of_bug_fixes_is_auto_approved(gov: Gov) -> None:  # noqa: F811
    req = _open(gov, "2.1.1", Level.PATCH, impact=Impact(change_kinds=("bug_fix",)))
    assert req.state == RequestState.APPROVED
    assert req.state_reason == "auto-approved: every change is bug_fix"


def test_a_freeze_refuses_a_minor_and_lets_a_hotfix_through_by_cto_override(gov: Gov) -> None:  # noqa: F811
    gov.clock.now = gov.clock.now.replace(month=9, day=26)
    with pytest.raises(FreezeRefused) as err:
        _open(gov, "2.3.0")
    assert "frozen for release 2.2.0 from 2025-09-24 until 2025-10-01" in err.value.one_line()
    hotfix = _open(gov, "2.1.2", Level.HOTFIX)
    with pytest.raises(PermissionDenied, match="needs the cto role"):
        gov.approvals.override(hotfix.key, actor=dev("ann"), reason="outage")
    with pytest.raises(InvalidInput, match="needs a reason"):
        gov.approvals.override(hotfix.key, actor=dev("cto"), reason="")
    req = gov.approvals.override(hotfix.key, actor=dev("cto"), reason="prod outage INC-42")
    assert req.state == RequestState.APPROVED
    assert (req.overridden_by, req.review_after) == ("cto", True)
    with gov.services.db.read() as s:
        row = s.scalars(select(OutboxRow).where(OutboxRow.event == "request.overridden")).one()
        payload = row.payload
    assert "all_teams" in payload["notify_roles"]
    assert payload["request"]["override_reason"] == "prod outage INC-42"


def test_dry_runs_write_nothing(gov: Gov) -> None:  # noqa: F811
    req = _open(gov, dry_run=True)
    assert req.state == RequestState.PENDING
    with pytest.raises(NotFound):
        gov.approvals.get(req.key)
    req = _open(gov)
    gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("ann"), dry_run=True)
    assert gov.approvals.get(req.key).reviews == ()


def test_waiting_for_me(gov: Gov) -> None:  # noqa: F811
    req = _open(gov)
    assert [r.key for r in gov.approvals.list(waiting_for="qa")] == [req.key]
    assert gov.approvals.list(waiting_for="dev") == []  # the author
    gov.approvals.decide(req.key, Decision.APPROVED, actor=dev("qa"))
    assert gov.approvals.list(waiting_for="qa") == []
    assert gov.approvals.list(waiting_for="cto") == []


def test_eight_reviewers_deciding_at_once_are_counted_exactly(gov: Gov) -> None:  # noqa: F811
    roles = [f"reviewer_{i}" for i in range(8)]
    (gov.directory / "approval-matrix.yml").write_text(
        "version_approval_matrix:\n"
        + "".join(
            f"  {lvl}_versions:\n    required_approvals: 8\n    approvers: {roles}\n"
            for lvl in ("patch", "minor", "major", "hotfix")
        )
    )
    for i, role in enumerate(roles):
        gov.users.add(f"r{i}", [role], actor=ADMIN)
    req = _open(gov, "2.5.0")
    assert req.policy["required_approvals"] == 8
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def approve(i: int) -> None:
        barrier.wait()
        try:
            gov.approvals.decide(req.key, Decision.APPROVED, actor=dev(f"r{i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    done = gov.approvals.get(req.key)
    assert len(done.reviews) == 8
    assert done.state == RequestState.APPROVED
    assert done.state_reason == "8 approval(s) and every team review"
    with pytest.raises(CheckFailed):
        gov.approvals.revise(req.key, actor=dev("dev"))
