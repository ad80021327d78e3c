"""Retention of recovery points and the all-or-nothing take, on SQLite stores (real backups)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from polaris.artifacts.store import LocalArtifactStore
from polaris.core.actors import Actor, Role
from polaris.core.errors import CheckFailed
from polaris.models.service import RegistryService
from polaris.platform.recovery_facts import RegistryFacts
from polaris.platform.releases import PlatformReleaseService
from polaris.recovery.config import RecoveryConfig, load_recovery_config
from polaris.recovery.service import RecoveryService, take_recovery_point
from polaris.store.migrate import upgrade
from polaris.store.session import Database

ADMIN = Actor("ops", Role.ADMIN)
T0 = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[RecoveryService, RecoveryConfig, Clock, Path]]:
    (tmp_path / "polaris.toml").write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "APP_URL"\n\n'
        "[recovery]\nkeep = 2\nmax_age_days = 10\n\n[recovery.environments.production]\n"
        "[recovery.environments.staging]\n",
        encoding="utf-8",
    )
    app = tmp_path / "app.db"
    with closing(sqlite3.connect(app)) as conn, conn:
        conn.execute("CREATE TABLE t (v INTEGER)")
    db = Database(f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}", pool_size=0)
    upgrade(db)
    artifacts = LocalArtifactStore(tmp_path / "artifacts")
    clock = Clock()
    service = RecoveryService(
        db,
        artifacts,
        RegistryFacts(RegistryService(db, artifacts), PlatformReleaseService(db)),
        clock=clock,
        environ={"APP_URL": f"sqlite:///{app}"},
    )
    yield service, load_recovery_config(tmp_path / "polaris.toml"), clock, app
    db.dispose()


def insert(app: Path, v: int) -> None:
    with closing(sqlite3.connect(app)) as conn, conn:
        conn.execute("INSERT INTO t VALUES (?)", (v,))


def test_prune_keeps_the_newest_and_removes_only_unshared_backups(
    setup: tuple[RecoveryService, RecoveryConfig, Clock, Path],
) -> None:
    service, config, clock, app = setup
    names = []
    for day in range(4):  # points 0 and 1 back up the same bytes: one shared blob
        clock.now = T0 + timedelta(days=day)
        if day >= 2:
            insert(app, day)
        names.append(
            take_recovery_point(
                service, config, environment="production", actor=ADMIN, release=None
            )["name"]
        )
    clock.now = T0 + timedelta(days=4)
    staging = service.create(config, environment="staging", actor=ADMIN)["name"]
    assert names[0] == "recovery-20261201-120000" and staging == "recovery-20261205-120000"
    shared = service.get(names[0]).parts[0].sha256
    assert service.get(names[1]).parts[0].sha256 == shared

    plan = service.prune(config, actor=ADMIN, dry_run=True)
    assert [d["name"] for d in plan["deleted"]] == names[:2] and plan["dry_run"]
    assert len(service.list()) == 5
    done = service.prune(config, actor=ADMIN)
    assert [d["name"] for d in done["deleted"]] == names[:2]
    assert shared in done["blobs"]
    assert not service.artifacts.exists(shared)
    assert [p.name for p in service.list()] == [staging, names[3], names[2]]
    for p in service.list():  # what is left is intact
        assert service.verify(config, p.name, actor=ADMIN)["ok"]

    clock.now = T0 + timedelta(days=30)
    aged = service.prune(config, actor=ADMIN, keep=5)
    assert [d["name"] for d in aged["deleted"]] == [names[2]]
    assert aged["deleted"][0]["reason"] == "older than 10 days"


def test_a_failed_backup_records_nothing_and_leaves_no_blob(
    setup: tuple[RecoveryService, RecoveryConfig, Clock, Path], tmp_path: Path
) -> None:
    service, _config, _clock, app = setup
    (tmp_path / "polaris.toml").write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "APP_URL"\n'
        '[databases.gone]\ndialect = "sqlite"\nurl_env = "GONE_URL"\n'
        "[recovery.environments.production]\n",
        encoding="utf-8",
    )
    two = load_recovery_config(tmp_path / "polaris.toml")
    service.environ = {"APP_URL": f"sqlite:///{app}", "GONE_URL": f"sqlite:///{tmp_path}/no.db"}
    with pytest.raises(CheckFailed, match=r"no\.db does not exist"):
        service.create(two, environment="production", actor=ADMIN)
    assert service.list() == []
    assert list((tmp_path / "artifacts" / "sha256").glob("*/*")) == []
