"""Approval decisions, pure: measured level, distinct people, teams, rejection, dismissal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from polaris.approvals.policy import DEFAULT_MATRIX, Level
from polaris.approvals.rules import (
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
from polaris.core.actors import PermissionDenied
from polaris.core.errors import Conflict, InvalidInput

NOW = datetime(2025, 9, 20, 10, 30, 5, tzinfo=UTC)
MINOR = DEFAULT_MATRIX.policy(Level.MINOR)
HOTFIX = DEFAULT_MATRIX.policy(Level.HOTFIX)


def review(who: str, *roles: str, decision: Decision = Decision.APPROVED, rev: int = 1) -> Review:
    return Review(who, frozenset(roles), decision, "", NOW, rev)


def test_request_ids_have_the_documents_form_and_never_collide() -> None:
    assert request_id("2.2.0", NOW) == "approval-2.2.0-20250920103005"
    taken = ["approval-2.2.0-20250920103005", "approval-2.2.0-20250920103005-2"]
    assert request_id("2.2.0", NOW, taken) == "approval-2.2.0-20250920103005-3"


@pytest.mark.parametrize(
    ("declared", "impact", "level", "why"),
    [
        (Level.MINOR, Impact(api_breaking=True), Level.MAJOR, "API diff has breaking changes"),
        (Level.MINOR, Impact(schema_breaking=True), Level.MAJOR, "schema lint"),
        (Level.PATCH, Impact(commit_bump=Level.MAJOR), Level.MAJOR, "commits mark a breaking"),
        (Level.PATCH, Impact(commit_bump=Level.MINOR), Level.MINOR, "commits call for a minor"),
        (Level.MINOR, Impact(commit_bump=Level.PATCH), Level.MINOR, "declared minor"),
        (Level.HOTFIX, Impact(commit_bump=Level.PATCH), Level.HOTFIX, "declared hotfix"),
        (Level.MAJOR, Impact(api_breaking=True), Level.MAJOR, "declared major"),
    ],
)
def test_the_measured_impact_raises_the_level_and_says_why(
    declared: Level, impact: Impact, level: Level, why: str
) -> None:
    got, reason = effective_level(declared, impact)
    assert got == level
    assert why in reason


def test_level_between_versions() -> None:
    assert level_between("1.2.3", "1.2.4") == Level.PATCH
    assert level_between("1.2.3", "1.3.0") == Level.MINOR
    assert level_between("1.2.3", "2.0.0") == Level.MAJOR
    assert level_between(None, "1.0.0") == Level.MINOR


def test_patches_of_fixes_docs_and_security_only_are_auto_approved() -> None:
    patch = DEFAULT_MATRIX.policy(Level.PATCH)
    assert auto_approved(patch, Impact(change_kinds=("bug_fix", "documentation_update")))
    assert not auto_approved(patch, Impact(change_kinds=("bug_fix", "feature")))
    assert not auto_approved(patch, Impact())
    assert not auto_approved(MINOR, Impact(change_kinds=("bug_fix",)))


def test_a_minor_needs_two_distinct_people_and_both_team_reviews() -> None:
    # One person holding two approver roles counts once.
    v = evaluate(MINOR, [review("ann", "tech_lead", "senior_developer")], 1)
    assert v.state == RequestState.PENDING
    assert v.approvals == ("ann",)
    assert "1 more approval(s)" in v.reason
    v = evaluate(MINOR, [review("ann", "tech_lead"), review("bob", "product_manager")], 1)
    assert v.state == RequestState.PENDING
    assert v.missing == ("a review from security_team", "a review from qa_team")
    reviews = [
        review("ann", "tech_lead"),
        review("bob", "product_manager"),
        review("sec", "security_team"),
        review("qa", "qa_team"),
    ]
    v = evaluate(MINOR, reviews, 1)
    assert v.state == RequestState.APPROVED
    assert v.teams == {"security_team": "sec", "qa_team": "qa"}


def test_any_rejection_rejects_and_needs_changes_sends_it_back() -> None:
    reviews = [review("ann", "tech_lead"), review("qa", "qa_team", decision=Decision.REJECTED)]
    assert evaluate(MINOR, reviews, 1).state == RequestState.REJECTED
    reviews = [
        review("ann", "tech_lead"),
        review("bob", "tech_lead", decision=Decision.NEEDS_CHANGES),
    ]
    assert evaluate(MINOR, reviews, 1).state == RequestState.NEEDS_CHANGES


def test_a_new_revision_dismisses_earlier_reviews() -> None:
    reviews = [review("ann", "tech_lead"), review("bob", "product_manager", rev=1)]
    v = evaluate(MINOR, reviews, 2)
    assert v.approvals == ()
    assert v.state == RequestState.PENDING


def _check(**kw: object) -> None:
    args: dict[str, object] = {
        "request_key": "approval-2.2.0-1",
        "state": RequestState.PENDING,
        "author": "dev",
        "reviewer": "ann",
        "roles": frozenset({"tech_lead"}),
        "decision": Decision.APPROVED,
        "policy": MINOR,
        "reviews": (),
        "revision": 1,
    }
    args.update(kw)
    check_decision(**args)  # type: ignore[arg-type]


def test_who_may_decide() -> None:
    _check()
    with pytest.raises(PermissionDenied, match=r"opened approval-2\.2\.0-1 and cannot decide"):
        _check(author="ann")
    with pytest.raises(Conflict, match="already decided on revision 1"):
        _check(reviews=(review("ann", "tech_lead"),))
    _check(reviews=(review("ann", "tech_lead", rev=1),), revision=2)
    with pytest.raises(Conflict, match="already approved"):
        _check(state=RequestState.APPROVED)
    with pytest.raises(PermissionDenied, match="none of the roles"):
        _check(roles=frozenset({"cto"}))
    with pytest.raises(InvalidInput):
        _check(decision=Decision.PENDING)


def test_the_override_is_for_the_override_role_on_a_hotfix_with_a_reason() -> None:
    ok = {"request_key": "k", "state": RequestState.PENDING, "roles": frozenset({"cto"})}
    check_override(**ok, policy=HOTFIX, reason="outage")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="needs a reason"):
        check_override(**ok, policy=HOTFIX, reason=" ")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match="no emergency override"):
        check_override(**ok, policy=MINOR, reason="x")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match="needs the cto role"):
        check_override(
            request_key="k",
            state=RequestState.PENDING,
            roles=frozenset({"tech_lead"}),
            policy=HOTFIX,
            reason="x",
        )
