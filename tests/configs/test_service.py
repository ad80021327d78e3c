"""The service over a migrated store, on SQLite and PostgreSQL: snapshot, promote, rollback,
drift, dry runs, audit rows in the same transaction, roles, and the promotion gate hook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.configs.layout import find_layout
from polaris.configs.service import ConfigService, PromotionRequest, SnapshotInput
from polaris.configs.tables import ConfigDeploymentRow, ConfigVersionRow
from polaris.configs.workspace import Workspace
from polaris.core.actors import Actor, PermissionDenied, Role
from polaris.core.errors import CheckFailed, Conflict, InvalidInput, NotFound
from polaris.store.session import Database
from polaris.store.tables import AuditRow

NOW = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
ADMIN = Actor("alice", Role.ADMIN)


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:  # noqa: F811 - fixture
    database = Database(migrated_db_url, pool_size=2)
    yield database
    database.dispose()


def items(repo: Path) -> list[SnapshotInput]:
    configs = Workspace(find_layout(repo)).read()
    return [
        SnapshotInput(c.environment, c.version, c.doc.path, c.doc.format, c.doc.text)
        for c in configs
    ]


def count(db: Database, table: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_snapshot_is_idempotent_and_audited(db: Database, repo: Path) -> None:
    svc = ConfigService(db, clock=lambda: NOW)
    dry = svc.snapshot(items(repo), actor=ADMIN, message="m", dry_run=True)
    assert [o.created for o in dry] == [True, True, True]
    assert count(db, ConfigVersionRow) == 0
    assert count(db, AuditRow) == 0
    first = svc.snapshot(items(repo), actor=ADMIN, message="2.1.0")
    assert [(o.version.environment, o.created) for o in first] == [
        ("development", True),
        ("staging", True),
        ("production", True),
    ]
    again = svc.snapshot(items(repo), actor=ADMIN, message="again")
    assert [o.created for o in again] == [False, False, False]
    assert [o.version.hash for o in again] == [o.version.hash for o in first]
    assert count(db, ConfigVersionRow) == 3
    assert count(db, AuditRow) == 3
    prod = svc.get(first[2].version.hash[:8])
    assert prod.content["database"]["neo4j"]["password"] == "${NEO4J_PASSWORD}"  # noqa: S105
    assert prod.text.startswith("# config/version-2.1.0/production.yml")
    assert prod.created_at == NOW
    assert prod.author == "alice"
    assert len(prod.digest) == 64


def test_a_bad_document_records_nothing(db: Database, repo: Path) -> None:
    svc = ConfigService(db)
    batch = items(repo)
    bad = SnapshotInput("production", "2.1.0", "p.yml", "yaml", "a: 1\na: 2\n")
    with pytest.raises(InvalidInput, match="duplicate key"):
        svc.snapshot([*batch, bad], actor=ADMIN)
    assert count(db, ConfigVersionRow) == 0
    with pytest.raises(InvalidInput, match="larger than"):
        ConfigService(db, max_bytes=100).snapshot(batch, actor=ADMIN)
    with pytest.raises(PermissionDenied):
        svc.snapshot(batch, actor=Actor("v", Role.VIEWER))
    long = SnapshotInput("production", "1." * 60, "p.yml", "yaml", "a: 1\n")
    with pytest.raises(InvalidInput, match="too long"):
        svc.snapshot([long], actor=ADMIN)
    with pytest.raises(InvalidInput, match="not an environment name"):
        svc.snapshot([SnapshotInput("Prod", "1", "p.yml", "yaml", "a: 1\n")], actor=ADMIN)


def test_promote_along_the_order_then_roll_back(db: Database, repo: Path) -> None:
    svc = ConfigService(db)
    svc.snapshot(items(repo), actor=ADMIN)
    order = ("development", "staging", "production")
    with pytest.raises(CheckFailed, match="staging expects no configuration yet"):
        svc.promote("production", from_environment="staging", actor=ADMIN, order=order)
    with pytest.raises(InvalidInput, match="does not come before"):
        svc.promote("development", from_environment="staging", actor=ADMIN, order=order)
    with pytest.raises(PermissionDenied):
        svc.promote("development", actor=Actor("d", Role.DEVELOPER))
    svc.promote("development", actor=ADMIN)
    svc.promote("staging", from_environment="development", actor=ADMIN, order=order)
    dry = svc.promote("production", from_environment="staging", actor=ADMIN, dry_run=True)
    assert not dry.written
    assert "production" not in svc.expected()
    first = svc.promote("production", from_environment="staging", actor=ADMIN, reason="go")
    assert first.previous is None
    v1 = first.deployment.version
    with pytest.raises(Conflict, match="already expects"):
        svc.promote("production", from_environment="staging", actor=ADMIN)

    prod = repo / "config" / "version-2.1.0" / "production.yml"
    prod.write_text(
        prod.read_text().replace("connection_pool_size: 20", "connection_pool_size: 30")
    )
    (new,) = [o for o in svc.snapshot(items(repo), actor=ADMIN) if o.created]
    second = svc.promote("production", from_environment="staging", actor=ADMIN)
    assert second.deployment.version.hash == new.version.hash
    assert second.previous is not None and second.previous.hash == v1.hash

    back = svc.rollback("production", v1.hash, actor=ADMIN, reason="pool exhausted")
    assert back.deployment.version.hash == v1.hash
    assert svc.expected()["production"].version.hash == v1.hash
    history = svc.deployments("production")
    assert [d.action for d in history] == ["rollback", "promote", "promote"]
    with pytest.raises(NotFound):
        svc.rollback("production", svc.expected()["staging"].version.hash, actor=ADMIN)
    with pytest.raises(PermissionDenied):
        svc.rollback("production", new.version.hash, actor=Actor("d", Role.DEVELOPER))
    assert count(db, ConfigDeploymentRow) == 5
    with db.read() as s:
        actions = s.scalars(select(AuditRow.action).order_by(AuditRow.id)).all()
    assert actions.count("config-promote") == 4
    assert actions.count("config-rollback") == 1


def test_promotion_refuses_a_source_whose_references_differ(db: Database, repo: Path) -> None:
    svc = ConfigService(db)
    staging = repo / "config" / "version-2.1.0" / "staging.yml"
    staging.write_text(staging.read_text().replace('model: "gpt-4o"', 'model: "${OPENAI_MODEL}"'))
    svc.snapshot(items(repo), actor=ADMIN)
    svc.promote("staging", actor=ADMIN)
    with pytest.raises(CheckFailed, match="reference-missing"):
        svc.promote("production", from_environment="staging", actor=ADMIN)
    assert "production" not in svc.expected()


class _Frozen:
    """A gate like the governance engine's: production is frozen."""

    def __init__(self) -> None:
        self.seen: list[PromotionRequest] = []

    def check(self, request: PromotionRequest) -> None:
        self.seen.append(request)
        if request.environment == "production":
            raise Conflict("production is frozen until 2026-12-08")


def test_the_gate_hook_sees_every_request_and_can_refuse(db: Database, repo: Path) -> None:
    gate = _Frozen()
    svc = ConfigService(db, gate=gate)
    svc.snapshot(items(repo), actor=ADMIN)
    svc.promote("staging", actor=ADMIN)
    with pytest.raises(Conflict, match="frozen"):
        svc.promote("production", from_environment="staging", actor=ADMIN)
    assert [(r.action, r.environment, r.from_environment) for r in gate.seen] == [
        ("promote", "staging", None),
        ("promote", "production", "staging"),
    ]
    assert gate.seen[1].target.environment == "production"
    assert "production" not in svc.expected()


def test_drift_against_the_expected_hash(db: Database, repo: Path) -> None:
    svc = ConfigService(db)
    (dev, *_) = svc.snapshot(items(repo), actor=ADMIN)
    assert not svc.drift("development", "whatever").drifted  # nothing expected yet
    svc.promote("development", actor=ADMIN)
    assert not svc.drift("development", dev.version.hash).drifted
    assert not svc.drift("development", dev.version.digest).drifted
    assert svc.drift("development", "0123456789ab").drifted
