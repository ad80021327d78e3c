"""Hook points: a production model promotion and a release's pipeline go through governance."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from tests._governance import ADMIN, Gov, dev, gov  # noqa: F401
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.approvals.policy import Level
from polaris.approvals.rules import Decision, RequestState
from polaris.core.actors import Actor, Role
from polaris.core.errors import CheckFailed, Conflict
from polaris.core.semver import Version
from polaris.models.gates import parse_threshold
from polaris.models.rules import Stage
from polaris.models.service import Registration
from polaris.platform.rules import ReleasePin
from polaris.store.tables import AuditRow

APPROVER = Actor("ann", Role.APPROVER)


def _model(g: Gov, version: str) -> None:
    reg = g.services.registry
    blob = reg.upload_blob(io.BytesIO(f"w{version}".encode()), actor=dev("dev"))
    reg.register(
        Registration(
            name="rag-search",
            version=version,
            files={"model.pkl": blob["sha256"]},
            metrics={"accuracy": 0.93},
        ),
        actor=dev("dev"),
    )
    reg.promote(
        "rag-search",
        version,
        Stage.STAGING,
        actor=dev("dev"),
        criteria=[parse_threshold("accuracy>=0.9")],
    )


def _approve_minor(g: Gov, key: str) -> None:
    for who in ("ann", "pat", "sec", "qa"):
        g.approvals.decide(key, Decision.APPROVED, actor=dev(who))


def test_production_promotion_opens_a_request_and_passes_once_approved(gov: Gov) -> None:  # noqa: F811
    reg = gov.services.registry
    reg.promotion_gate = gov.approvals
    _model(gov, "1.0.0")
    with pytest.raises(CheckFailed) as err:
        reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    assert (
        "model_promotion rag-search 1.0.0 needs approval: approval-1.0.0-" in err.value.one_line()
    )
    (req,) = gov.approvals.list()
    assert (req.subject_kind, req.level, req.author) == ("model_promotion", "minor", "ann")
    # Asking again does not open a second request.
    with pytest.raises(CheckFailed):
        reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    assert len(gov.approvals.list()) == 1
    for who in ("pat", "sam", "sec", "qa"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev(who))
    mv, _ = reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    assert mv.stage == Stage.PRODUCTION
    # A patch on top is a patch-level request (one approval).
    _model(gov, "1.0.1")
    with pytest.raises(CheckFailed):
        reg.promote("rag-search", "1.0.1", Stage.PRODUCTION, actor=APPROVER, rollback_to="1.0.0")
    patch = next(r for r in gov.approvals.list() if r.version == "1.0.1")
    assert patch.level == "patch"
    assert patch.policy["required_approvals"] == 1


def test_without_the_gate_promotion_works_as_before(gov: Gov) -> None:  # noqa: F811
    _model(gov, "1.0.0")
    mv, _ = gov.services.registry.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    assert mv.stage == Stage.PRODUCTION
    assert gov.approvals.list() == []


def _release(g: Gov, version: str, notes: str = "") -> None:
    g.services.releases.release(
        version, [ReleasePin("api", "service", Version.parse(version))], actor=ADMIN, notes=notes
    )


def test_checklist_ticks_from_facts_and_the_pipeline_is_governed(gov: Gov) -> None:  # noqa: F811
    cl = gov.checklists
    _release(gov, "2.1.0")
    _release(gov, "2.2.0", notes="## 2.2.0\n- rate limiting")
    items = {i.key: i for i in cl.show("2.2.0")}
    for key in (
        "version_number_decided_and_documented",
        "rollback_plan_prepared",
        "release_notes_published",
    ):
        assert items[key].ticked_by == "polaris", key
    assert items["rollback_plan_prepared"].evidence == "rollback target: platform release 2.1.0"
    assert not items["migration_scripts_tested"].done
    run = "https://ci.example/runs/42"
    for stage in ("prepared", "built", "images", "staging"):
        cl.report_stage("2.2.0", stage, "passed", actor=dev("ci"), url=run)
    with pytest.raises(Conflict, match="'published' cannot be passed before 'production'"):
        cl.report_stage("2.2.0", "published", "passed", actor=dev("ci"))
    # Production needs the release's approval: the first report opens the request.
    with pytest.raises(CheckFailed, match=r"platform_release platform 2\.2\.0 needs approval"):
        cl.report_stage("2.2.0", "production", "started", actor=dev("ci"), url=run)
    (req,) = gov.approvals.list()
    _approve_minor(gov, req.key)
    assert gov.approvals.get(req.key).state == RequestState.APPROVED
    cl.report_stage("2.2.0", "production", "passed", actor=dev("ci"), url=run)
    # Published: required pre-release items still open.
    with pytest.raises(CheckFailed) as err:
        cl.report_stage("2.2.0", "published", "passed", actor=dev("ci"), url=run)
    assert "5 required pre-release item(s) open" in err.value.one_line()
    for key in (
        "feature_freeze_implemented",
        "performance_testing_completed",
        "documentation_updated",
    ):
        cl.tick("2.2.0", key, actor=dev("qa"), evidence=run)
    with pytest.raises(CheckFailed, match="2 required"):
        cl.report_stage("2.2.0", "published", "passed", actor=dev("ci"))
    rec = cl.report_stage(
        "2.2.0", "published", "passed", actor=dev("eve"), override_reason="scan tool down"
    )
    assert [i["key"] for i in rec["overridden_items"]] == [
        "security_scan_completed_with_no_critical_issues",
        "migration_scripts_tested",
    ]
    with gov.services.db.read() as s:
        audit = s.scalars(
            select(AuditRow).where(AuditRow.entity == "release").order_by(AuditRow.id.desc())
        ).first()
        assert audit is not None
        assert audit.after["override_reason"] == "scan tool down"
    stages = [s["stage"] for s in cl.stages("2.2.0")]
    assert stages[-1] == "published"


def test_tick_twice_and_unknown_items_are_refused(gov: Gov) -> None:  # noqa: F811
    gov.checklists.tick("2.2.0", "documentation_updated", actor=dev("qa"))
    with pytest.raises(CheckFailed, match="already ticked by qa"):
        gov.checklists.tick("2.2.0", "documentation_updated", actor=dev("sam"))
    with pytest.raises(Exception, match="no checklist item 'nope'"):
        gov.checklists.tick("2.2.0", "nope", actor=dev("qa"))
    after = gov.checklists.untick("2.2.0", "documentation_updated", actor=dev("qa"))
    assert not after.done


def test_post_release_items_open_after_24_hours_are_announced_once(gov: Gov) -> None:  # noqa: F811
    from polaris.notify.tables import OutboxRow

    cl = gov.checklists
    for stage in ("prepared", "built", "images", "staging"):
        cl.report_stage("2.2.0", stage, "passed", actor=dev("ci"))
    req = gov.approvals.open(
        kind="platform_release",
        name="aiops-polaris",
        version="2.2.0",
        declared=Level.MINOR,
        actor=dev("dev"),
    )
    _approve_minor(gov, req.key)
    cl.platform = "aiops-polaris"
    cl.report_stage("2.2.0", "production", "passed", actor=dev("ci"))
    cl.report_stage("2.2.0", "published", "passed", actor=dev("eve"), override_reason="demo")
    cl.tick("2.2.0", "monitoring_alerts_configured", actor=dev("qa"))
    gov.outbox.tick()
    assert cl.overdue(gov.clock.now) == []
    gov.clock.advance(hours=25)
    ((release, late),) = cl.overdue(gov.clock.now)
    assert release == "2.2.0"
    assert [i.key for i in late][:2] == [
        "performance_metrics_baseline_established",
        "customer_feedback_monitoring_active",
    ]
    gov.outbox.tick()
    gov.outbox.tick()
    with gov.services.db.read() as s:
        rows = s.scalars(
            select(OutboxRow.subject).where(OutboxRow.event == "checklist.overdue")
        ).all()
    assert rows == ["checklist-2.2.0"]


def test_a_platform_release_needs_its_approval_and_the_pipeline_reuses_it(gov: Gov) -> None:  # noqa: F811
    _release(gov, "2.1.0")
    gov.services.releases.promotion_gate = gov.gate
    with pytest.raises(CheckFailed, match=r"platform_release platform 2\.2\.0 needs approval"):
        _release(gov, "2.2.0", notes="rate limiting")
    (req,) = gov.approvals.list()
    assert (req.subject_name, req.level) == ("platform", "minor")  # 2.1.0 -> 2.2.0
    _approve_minor(gov, req.key)
    _release(gov, "2.2.0", notes="rate limiting")
    for stage in ("prepared", "built", "images", "staging", "production"):
        gov.checklists.report_stage("2.2.0", stage, "passed", actor=dev("ci"))
    assert len(gov.approvals.list()) == 1  # the production stage found the same approval


def test_an_approved_change_is_still_refused_during_a_freeze(gov: Gov) -> None:  # noqa: F811
    from polaris.calendar.service import FreezeRefused

    reg = gov.services.registry
    reg.promotion_gate = gov.gate
    _model(gov, "1.0.0")
    with pytest.raises(CheckFailed):
        reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    (req,) = gov.approvals.list()
    for who in ("tl2", "pat", "sec", "qa"):  # ann opened it
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev(who))
    gov.clock.now = gov.clock.now.replace(day=25)  # inside the 2.2.0 freeze
    with pytest.raises(FreezeRefused, match=r"frozen for release 2\.2\.0"):
        reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    gov.clock.now = gov.clock.now.replace(month=10, day=2)
    mv, _ = reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=APPROVER)
    assert mv.stage == Stage.PRODUCTION
