"""The store on SQLite and the machine's PostgreSQL: migrations, transactions, paging, indexes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from tests._pg import (  # noqa: F401 - fixtures
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
    pg_schema_url,
    registry_db_url,
)

import polaris.access.tables
import polaris.approvals.tables
import polaris.configs.tables
import polaris.deployments.tables
import polaris.notify.tables  # noqa: F401
from polaris.audit import repo as audit_repo
from polaris.core.semver import Version
from polaris.models import repo as version_repo
from polaris.models.rules import ModelVersion, Stage, VersionQuery
from polaris.recovery import tables as _recovery_tables  # noqa: F401 - its rows in Base
from polaris.store.migrate import current_revision, head_revision, upgrade
from polaris.store.session import Database
from polaris.store.tables import AuditRow, Base, ModelVersionRow

NOW = datetime(2025, 9, 1, tzinfo=UTC)


def version(name: str, v: str) -> ModelVersion:
    return ModelVersion(
        model_name=name,
        version=Version.parse(v),
        stage=Stage.DEVELOPMENT,
        created_at=NOW,
        created_by="t",
        model_path="s3://x",
        metrics={"accuracy": 0.9},
        hyperparameters={},
        training_data_hash="",
        dependencies=(),
        description="",
        tags=("a",),
        parent_version=None,
        model_id="id",
    )


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:  # noqa: F811 - fixture
    database = Database(migrated_db_url, pool_size=4)
    yield database
    database.dispose()


def test_upgrade_is_idempotent_and_matches_the_tables(registry_db_url: str) -> None:  # noqa: F811
    database = Database(registry_db_url, pool_size=2)
    assert current_revision(database) is None
    before, after = upgrade(database)
    assert (before, after) == (None, head_revision())
    assert upgrade(database) == (head_revision(), head_revision())
    with database.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    database.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite+pysqlite:///{tmp_path / 'p.db'}")
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


def test_a_failed_transaction_leaves_neither_change_nor_audit(db: Database) -> None:
    def fail() -> None:
        with db.write() as s:
            pk = version_repo.lock_model(s, "ner", NOW)
            version_repo.insert_version(s, pk, version("ner", "1.0.0"))
            audit_repo.add_audit(
                s,
                at=NOW,
                actor="t",
                action="register",
                entity="model_version",
                key="ner:1.0.0",
                before=None,
                after={"v": 1},
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    with db.read() as s:
        assert s.scalar(select(ModelVersionRow.id)) is None
        assert s.scalar(select(AuditRow.id)) is None


def test_pages_are_keyset_and_complete(db: Database) -> None:
    with db.write() as s:
        pk = version_repo.lock_model(s, "ner", NOW)
        for i in range(120):
            version_repo.insert_version(s, pk, version("ner", f"1.{i}.0"))
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        with db.read() as s:
            items, after = version_repo.list_versions(
                s, VersionQuery(name="ner", limit=50, after=after)
            )
        seen += [str(v.version) for v in items]
        pages += 1
        if after is None:
            break
    assert pages == 3
    assert seen == [f"1.{i}.0" for i in reversed(range(120))]
    with db.read() as s:
        assert version_repo.latest_version(s, pk) == Version.parse("1.119.0")


def test_latest_version_ranks_prereleases_below_releases(db: Database) -> None:
    with db.write() as s:
        pk = version_repo.lock_model(s, "ner", NOW)
        for v in ("2.0.0-rc.1", "2.0.0", "1.9.0", "2.0.0-rc.2"):
            version_repo.insert_version(s, pk, version("ner", v))
    with db.read() as s:
        assert version_repo.latest_version(s, pk) == Version.parse("2.0.0")


def test_pages_stay_fast_with_100k_versions_of_one_model(tmp_path: Path) -> None:
    database = Database(f"sqlite+pysqlite:///{tmp_path / 'big.db'}")
    upgrade(database)
    with database.write() as s:
        pk = version_repo.lock_model(s, "big", NOW)
        # Bulk fill in SQL (a recursive CTE): 100k ORM inserts would dominate the test's time.
        s.execute(
            text(
                "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 99999) "
                "INSERT INTO model_versions (model_pk, version, version_key, major, minor, patch, "
                "is_release, stage, created_at, created_by, stage_changed_at, model_path, "
                "content_id, metrics, hyperparameters, training_data_hash, dependencies, "
                "description, tags, files) SELECT :pk, '1.' || (i / 1000) || '.' || (i % 1000), "
                "'1.' || (i / 1000) || '.' || (i % 1000), 1, i / 1000, i % 1000, 1, "
                "CASE WHEN i % 10 = 0 THEN 'development' ELSE 'archived' END, :now, 't', :now, "
                "'x', 'c', '{}', '{}', '', '[]', '', '[]', '[]' FROM c"
            ),
            {"pk": pk, "now": "2025-09-01 00:00:00.000000"},
        )
    with database.read() as s:
        # Work, not wall-clock time (which a loaded machine stretches): SQLite's progress handler
        # counts virtual-machine instructions, in steps of 1000, for the three pages.
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        raw = s.connection().connection.driver_connection
        assert raw is not None
        raw.set_progress_handler(count, 1000)
        items, after = version_repo.list_versions(s, VersionQuery(name="big", limit=50))
        items2, _ = version_repo.list_versions(s, VersionQuery(name="big", limit=50, after=after))
        staged, _ = version_repo.list_versions(
            s, VersionQuery(name="big", stage=Stage.DEVELOPMENT, limit=50)
        )
        paging = steps[0]
        steps[0] = 0
        s.execute(text("SELECT count(*) FROM model_versions WHERE description = 'none'")).one()
        full_scan = steps[0]
        raw.set_progress_handler(None, 0)
        summary = version_repo.list_models(s, name="big")
        plan = s.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT version FROM model_versions WHERE model_pk = :p "
                "AND stage = :s ORDER BY major DESC, minor DESC, patch DESC LIMIT 1"
            ),
            {"p": pk, "s": "development"},
        ).all()
    assert len(items) == len(items2) == len(staged) == 50
    assert summary[0].versions == 100_000
    assert summary[0].by_stage["development"] == "1.99.990"
    assert "ix_model_versions_latest" in " ".join(str(r) for r in plan)
    # Three indexed pages read a few hundred rows; one scan of the table reads all 100k.
    assert full_scan > 100, (paging, full_scan)
    assert paging * 20 < full_scan, (paging, full_scan)
    database.dispose()
