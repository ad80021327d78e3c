"""The composition around deployments: recovery points, the governance gate, config hashes.

Real services over SQLite (and PostgreSQL where the governance fixture runs both): the service is
built by ``deployment_service`` with the composition ``polaris.wiring`` installs, as the CLI and
the server build it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests._governance import Gov, dev, gov  # noqa: F401 - fixtures
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401
from tests.deployments.conftest import add_releases

from polaris.approvals.rules import Decision
from polaris.configs.service import ConfigService, SnapshotInput
from polaris.core.actors import Actor, Role
from polaris.core.errors import CheckFailed
from polaris.deployments import repo
from polaris.deployments.open import deployment_service
from polaris.deployments.rules import config_drift
from polaris.deployments.service import DeploymentService
from polaris.main import main
from polaris.recovery.service import RecoveryService
from polaris.settings import Settings
from polaris.store.migrate import upgrade
from polaris.store.session import Database
from polaris.wiring import NO_RECOVERY, build_services, install_deployment_composition

ANN = Actor("ann", Role.ADMIN)


def _toml(out: Path, recovery: bool) -> str:
    cmd = [sys.executable, "-c", "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"]
    envs = ""
    for order, name in enumerate(("staging", "production"), 1):
        command = json.dumps([*cmd, str(out / name), "{api}"])
        envs += (
            f'[environments.{name}]\norder = {order}\ndeployer = "command"\n'
            f"deployer_options = {{ command = {command} }}\n\n"
        )
    rec = (
        '[databases.app]\ndialect = "sqlite"\nurl_env = "APP_URL"\n\n'
        "[recovery]\nkeep = 3\n\n[recovery.environments.production]\n\n"
    )
    return '[platform]\nname = "p"\n\n' + envs + (rec if recovery else "")


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform's own SQLite store, the one recovery points back up."""
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        c.execute("INSERT INTO notes (body) VALUES ('kept')")
    monkeypatch.setenv("APP_URL", f"sqlite:///{path}")
    return path


def _settings(tmp_path: Path, *, recovery: bool, home: Path) -> Settings:
    (tmp_path / "polaris.toml").write_text(_toml(tmp_path, recovery), encoding="utf-8")
    return Settings(home=home, project=tmp_path)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[tuple[Settings, Database]]:
    settings = Settings(home=tmp_path / "home")
    db = Database(settings.resolved_database_url, pool_size=2)
    upgrade(db)
    add_releases(db, "2.1.0", "2.2.0")
    yield settings, db
    db.dispose()


def _service(settings: Settings, db: Database) -> DeploymentService:
    install_deployment_composition()
    return deployment_service(settings, db)


def _hook_data(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [e.get("data", {}) for e in d["events"] if e["kind"] == "hook"]


def test_a_production_deployment_takes_a_recovery_point_first(
    tmp_path: Path,
    app_db: Path,
    local: tuple[Settings, Database],
) -> None:
    base, db = local
    settings = _settings(tmp_path, recovery=True, home=base.home)
    svc = _service(settings, db)
    staging = svc.deploy("2.1.0", "staging", actor=ANN)
    assert _hook_data(staging) == []  # staging is not production: no recovery point
    prod = svc.deploy("2.1.0", "production", actor=ANN, override="straight to production")
    (data,) = _hook_data(prod)
    name = data["recovery_point"]
    assert name.startswith("recovery-")
    assert (tmp_path / "production").read_text() == "2.1.0"
    # The point is real: recorded by the recovery capability, for production, at 2.1.0.
    services = build_services(settings)
    try:
        assert isinstance(services.recovery, RecoveryService)
        (point,) = services.recovery.list(environment="production")
    finally:
        services.close()
    assert (point.name, point.environment, point.release) == (name, "production", "2.1.0")


def test_a_failed_backup_stops_the_deployment_before_the_deployer(
    tmp_path: Path, app_db: Path, local: tuple[Settings, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, db = local
    settings = _settings(tmp_path, recovery=True, home=base.home)
    svc = _service(settings, db)
    monkeypatch.delenv("APP_URL")  # the store cannot be found: the backup fails
    with pytest.raises(CheckFailed, match="APP_URL"):
        svc.deploy("2.1.0", "production", actor=ANN, override="test")
    (failed,) = svc.list("production")
    assert failed["state"] == "failed"
    assert not (tmp_path / "production").exists()  # the deployer never ran


def test_without_a_recovery_section_the_timeline_says_so(
    tmp_path: Path, local: tuple[Settings, Database]
) -> None:
    base, db = local
    svc = _service(_settings(tmp_path, recovery=False, home=base.home), db)
    prod = svc.deploy("2.1.0", "production", actor=ANN, override="test")
    assert _hook_data(prod) == [{"recovery_point": None, "note": NO_RECOVERY}]
    assert prod["state"] == "analysing"


def test_each_deployment_records_its_environments_config_hash(
    tmp_path: Path,
    local: tuple[Settings, Database],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, db = local
    settings = _settings(tmp_path, recovery=False, home=base.home)
    svc = _service(settings, db)
    before = svc.deploy("2.1.0", "staging", actor=ANN)
    assert before["config_hash"] is None  # nothing expected yet
    configs = ConfigService(db)
    (out,) = configs.snapshot(
        [SnapshotInput("staging", "2.2.0", "staging.yaml", "yaml", "replicas: 3\n")], actor=ANN
    )
    configs.promote("staging", actor=ANN, platform_version="2.2.0")
    with db.write() as s:  # the first deployment is still analysing: call it healthy
        repo.get_deployment(s, before["id"]).state = "healthy"
    d = svc.deploy("2.2.0", "staging", actor=ANN)
    assert d["config_hash"] == out.version.digest
    assert svc.show(d["id"])["config_hash"] == out.version.digest
    monkeypatch.setenv("POLARIS_HOME", str(base.home))
    monkeypatch.setenv("POLARIS_PROJECT", str(tmp_path))
    monkeypatch.delenv("POLARIS_URL", raising=False)
    assert main(["deployments", "show", str(d["id"])]) == 0
    assert f"config: {out.version.digest}" in capsys.readouterr().out
    assert main(["deployments", "show", str(d["id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["config_hash"] == out.version.digest
    # environments status: staging runs what is expected; a newer promotion is drift.
    (status,) = [e for e in svc.status()["environments"] if e["environment"] == "staging"]
    assert status["config"]["drift"] is False
    (newer,) = configs.snapshot(
        [SnapshotInput("staging", "2.2.0", "staging.yaml", "yaml", "replicas: 4\n")], actor=ANN
    )
    configs.promote("staging", actor=ANN, platform_version="2.2.0")
    (status,) = [e for e in svc.status()["environments"] if e["environment"] == "staging"]
    assert status["config"] == {
        "deployed": out.version.digest,
        "expected": newer.version.digest,
        "drift": True,
        "reason": f"deployed with {out.version.digest[:12]}, expected {newer.version.digest[:12]}",
    }
    assert main(["environments", "status"]) == 0
    assert "DRIFT" in capsys.readouterr().out


def test_config_drift_rule() -> None:
    assert config_drift(None, None)["drift"] is False
    assert config_drift("a" * 64, "a" * 64)["reason"] == "matches"
    assert config_drift(None, "b" * 64)["drift"] is True
    assert (
        config_drift("a" * 64, "b" * 64)["reason"]
        == "deployed with aaaaaaaaaaaa, expected bbbbbbbbbbbb"
    )


def test_with_the_gate_production_needs_an_approved_deployment_request(
    gov: Gov,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    settings = gov.services.settings.model_copy(
        update={"project": tmp_path, "governance_gate": True}
    )
    (tmp_path / "polaris.toml").write_text(_toml(tmp_path, False), encoding="utf-8")
    add_releases(gov.services.db, "2.1.0")
    svc = _service(settings, gov.services.db)
    assert svc.deploy("2.1.0", "staging", actor=ANN)["state"] == "analysing"  # not production
    with pytest.raises(CheckFailed, match="needs approval"):  # a dry run opens no request
        svc.deploy("2.1.0", "production", actor=ANN, override="t", dry_run=True)
    assert [r for r in gov.approvals.list() if r.subject_kind == "deployment"] == []
    with pytest.raises(CheckFailed, match=r"deployment production 2\.1\.0 needs approval"):
        svc.deploy("2.1.0", "production", actor=ANN, override="t")
    assert svc.list("production") == []  # refused before anything was recorded
    (req,) = [r for r in gov.approvals.list() if r.subject_kind == "deployment"]
    assert (req.subject_name, req.version) == ("production", "2.1.0")
    for who in ("pat", "sam", "sec", "qa"):
        gov.approvals.decide(req.key, Decision.APPROVED, actor=dev(who))
    d = svc.deploy("2.1.0", "production", actor=ANN, override="t")
    assert d["state"] == "analysing"
    assert any(e["kind"] == "approval" and req.key in e["message"] for e in d["events"])
    # Without the gate (the default), production needs no request.
    off = _service(settings.model_copy(update={"governance_gate": False}), gov.services.db)
    assert off.approval_gate is None
