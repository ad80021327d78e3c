"""The deployment service on SQLite and PostgreSQL, with the ``command`` deployer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from tests._pg import (  # noqa: F401 - fixtures
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
    pg_schema_url,
)
from tests.deployments.conftest import Hook, add_releases

from polaris.core.actors import Actor, PermissionDenied, Role, utc_now
from polaris.core.errors import CheckFailed, Conflict, InvalidInput, NotFound
from polaris.deployments.config import environments_from_dict
from polaris.deployments.hooks import DeploymentHooks, HookContext
from polaris.deployments.rules import Measurement
from polaris.deployments.service import SYSTEM, DeploymentService
from polaris.deployments.tables import DeploymentRow
from polaris.store.session import Database
from polaris.store.tables import AuditRow

ALICE = Actor("alice", Role.DEVELOPER)


def _envs(out: Path, notify: list[str] | None = None, window: float = 5) -> dict[str, Any]:
    cmd = [sys.executable, "-c", "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"]
    common = {"deployer": "command", "interval": 1, "watch_window": window}
    return {
        "staging": {
            **common,
            "order": 1,
            "notify": notify or [],
            "deployer_options": {"command": [*cmd, str(out / "staging"), "{api}"]},
        },
        "production": {
            **common,
            "order": 2,
            "deployer_options": {"command": [*cmd, str(out / "production"), "{api}"]},
        },
    }


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:  # noqa: F811 - fixture
    database = Database(migrated_db_url, pool_size=4)
    add_releases(database, "2.1.0", "2.2.0")
    yield database
    database.dispose()


def _svc(db: Database, tmp_path: Path, **kw: Any) -> DeploymentService:
    hooks = kw.pop("hooks", DeploymentHooks())
    return DeploymentService(
        db, environments_from_dict(_envs(tmp_path, **kw)), root=tmp_path, hooks=hooks
    )


def _healthy(svc: DeploymentService, dep_id: int) -> None:
    """An ok round after the watch window (the analysis start moved into the past)."""
    with svc.db.write() as s:
        s.execute(
            update(DeploymentRow)
            .where(DeploymentRow.id == dep_id)
            .values(analysing_since=utc_now() - timedelta(hours=1))
        )
    r = svc.record_round(dep_id, Measurement(utc_now(), probe_ok=True, probes_expected=True))
    assert r is not None and r.state == "healthy"


def test_deploy_runs_the_deployer_and_analyses(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    d = svc.deploy("2.1.0", "staging", actor=ALICE)
    assert d["state"] == "analysing"
    assert (tmp_path / "staging").read_text() == "2.1.0"
    assert [e["state"] for e in d["events"] if e["kind"] == "state"] == [
        "pending",
        "progressing",
        "analysing",
    ]
    assert {c["kind"] for c in d["components"]} == {"service", "model", "schema"}
    _healthy(svc, d["id"])
    assert svc.show(d["id"])["state"] == "healthy"
    with db.read() as s:
        assert s.scalar(select(AuditRow.action).where(AuditRow.entity == "deployment")) == (
            "deployment.deploy"
        )


def test_dry_run_writes_nothing(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    plan = svc.deploy("2.1.0", "staging", actor=ALICE, dry_run=True)
    assert plan["dry_run"] is True and plan["deployer"] == "command"
    assert svc.list() == []
    assert not (tmp_path / "staging").exists()


def test_one_deployment_per_environment(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    first = svc.deploy("2.1.0", "staging", actor=ALICE)
    with pytest.raises(
        Conflict, match=rf"#{first['id']} of 2\.1\.0 is analysing, started by alice"
    ):
        svc.deploy("2.2.0", "staging", actor=Actor("bob", Role.ADMIN))


def test_promotion_order_and_an_audited_override(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    with pytest.raises(CheckFailed, match="never healthy in staging"):
        svc.deploy("2.1.0", "production", actor=ALICE)
    d = svc.deploy("2.1.0", "production", actor=ALICE, override="hotfix INC-7")
    assert d["override_reason"] == "hotfix INC-7"
    with db.read() as s:
        row = s.scalar(select(AuditRow).where(AuditRow.action == "deployment.override"))
        assert row is not None and row.after["reason"] == "hotfix INC-7"


def test_bad_input_gets_one_clear_line(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    with pytest.raises(NotFound, match="unknown environment 'qa'"):
        svc.deploy("2.1.0", "qa", actor=ALICE)
    with pytest.raises(NotFound, match=r"platform release 9\.9\.9 not found"):
        svc.deploy("9.9.9", "staging", actor=ALICE)
    with pytest.raises(InvalidInput, match="not a release version"):
        svc.deploy("latest", "staging", actor=ALICE)
    with pytest.raises(PermissionDenied, match="needs the developer role"):
        svc.deploy("2.1.0", "staging", actor=Actor("v", Role.VIEWER))
    envs = _envs(tmp_path)
    envs["staging"]["deployer"] = "nomad"
    broken = DeploymentService(db, environments_from_dict(envs), root=tmp_path)
    with pytest.raises(InvalidInput, match="no deployer named 'nomad' is installed"):
        broken.deploy("2.1.0", "staging", actor=ALICE)
    assert svc.list() == []


def test_a_failing_deployer_fails_the_deployment(db: Database, tmp_path: Path) -> None:
    envs = _envs(tmp_path)
    envs["staging"]["deployer_options"] = {"command": [sys.executable, "-c", "raise SystemExit(3)"]}
    svc = DeploymentService(db, environments_from_dict(envs), root=tmp_path)
    with pytest.raises(CheckFailed, match="exited with code 3"):
        svc.deploy("2.1.0", "staging", actor=ALICE)
    assert svc.list()[0]["state"] == "failed"
    with pytest.raises(CheckFailed, match="exited with code 3"):  # not refused as busy
        svc.deploy("2.1.0", "staging", actor=ALICE)


def test_a_breach_rolls_back_to_the_last_healthy_release(
    db: Database, tmp_path: Path, hook: Hook
) -> None:
    svc = _svc(db, tmp_path, notify=[hook.url])
    good = svc.deploy("2.1.0", "staging", actor=ALICE)
    _healthy(svc, good["id"])
    bad = svc.deploy("2.2.0", "staging", actor=ALICE)
    assert (tmp_path / "staging").read_text() == "2.2.0"
    r = svc.record_round(bad["id"], Measurement(utc_now(), error_rate=0.2, latency_ms=50))
    assert r is not None and r.analysis.verdict == "breach"
    back = svc.rollback("staging", actor=SYSTEM, trigger="high_error_rate", reason="20% errors")
    assert (back["kind"], back["release"], back["rollback_of"]) == ("rollback", "2.1.0", bad["id"])
    assert (tmp_path / "staging").read_text() == "2.1.0"
    assert svc.show(bad["id"])["state"] == "rolled_back"
    assert hook.received[0]["trigger"] == "high_error_rate"
    assert hook.received[0]["from"] == "2.2.0"
    _healthy(svc, back["id"])
    with pytest.raises(CheckFailed, match="marked bad"):
        svc.deploy("2.2.0", "staging", actor=ALICE)
    # what ran: every component, model and schema, at any time
    ran = svc.what_ran("staging", utc_now())
    assert ran["release"] == "2.1.0"
    assert {c["name"]: c["version"] for c in ran["components"]}["mysql_schema"] == "1.4.0"
    with pytest.raises(NotFound):
        svc.what_ran("staging", utc_now() - timedelta(days=1))


def test_manual_rollback_needs_a_target(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    with pytest.raises(NotFound, match="nothing is deployed in staging"):
        svc.rollback("staging", actor=ALICE)
    svc.deploy("2.1.0", "staging", actor=ALICE)
    with pytest.raises(CheckFailed, match="no healthy release to roll back to"):
        svc.rollback("staging", actor=ALICE)
    plan = svc.rollback("staging", actor=ALICE, to="2.2.0", dry_run=True)
    assert (plan["from"], plan["to"], plan["dry_run"]) == ("2.1.0", "2.2.0", True)


def test_baseline_comparison_fails_a_significantly_slower_version(
    db: Database, tmp_path: Path
) -> None:
    svc = _svc(db, tmp_path, window=3600)
    old = svc.deploy("2.1.0", "staging", actor=ALICE)
    for ms in (100, 104, 98, 101, 99, 103):
        svc.record_round(old["id"], Measurement(utc_now(), error_rate=0.0, latency_ms=ms))
    _healthy(svc, old["id"])
    new = svc.deploy("2.2.0", "staging", actor=ALICE)
    verdicts = [
        svc.record_round(new["id"], Measurement(utc_now(), error_rate=0.0, latency_ms=ms))
        for ms in (400, 410, 395, 420, 405, 415)
    ]
    assert verdicts[-1] is not None and verdicts[-1].analysis.verdict == "breach"
    assert "baseline" in verdicts[-1].analysis.reasons[0]
    stats = svc.show(new["id"])["analysis"]["baseline"]["latency_ms"]
    assert stats["test"] == "mann-whitney-u" and stats["worse"] is True


def test_restart_marks_a_dead_deployment_interrupted(db: Database, tmp_path: Path) -> None:
    svc = _svc(db, tmp_path)
    d = svc.deploy("2.1.0", "staging", actor=ALICE)
    with db.write() as s:  # as if the process died while progressing
        s.execute(
            update(DeploymentRow)
            .where(DeploymentRow.id == d["id"])
            .values(state="progressing", lease_until=utc_now() - timedelta(seconds=1))
        )
    assert svc.recover() == [d["id"]]
    shown = svc.show(d["id"])
    assert shown["state"] == "interrupted"
    assert "Polaris stopped while this deployment was progressing" in shown["events"][-1]["message"]


def test_before_production_deploy_hooks_run_first(db: Database, tmp_path: Path) -> None:
    seen: list[HookContext] = []

    def recovery_point(ctx: HookContext) -> dict[str, str]:
        seen.append(ctx)
        return {"recovery_point": "recovery-20261206-120000"}

    def broken(ctx: HookContext) -> None:
        raise RuntimeError("backup tool missing")

    hooks = DeploymentHooks(before_production_deploy=[recovery_point])
    svc = _svc(db, tmp_path, hooks=hooks)
    staging = svc.deploy("2.1.0", "staging", actor=ALICE)
    assert seen == []
    _healthy(svc, staging["id"])
    prod = svc.deploy("2.1.0", "production", actor=ALICE)
    assert seen[0].environment.name == "production" and seen[0].versions["api"] == "2.1.0"
    assert any(
        e.get("data") == {"recovery_point": "recovery-20261206-120000"} for e in prod["events"]
    )
    _healthy(svc, prod["id"])
    hooks.before_production_deploy.append(broken)
    with pytest.raises(CheckFailed, match="backup tool missing"):
        svc.deploy("2.2.0", "production", actor=ALICE, override="test")
    assert svc.list("production")[0]["state"] == "failed"
    assert (tmp_path / "production").read_text() == "2.1.0"  # nothing was deployed
