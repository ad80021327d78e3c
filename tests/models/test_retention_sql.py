"""The SQL retention query answers exactly as the pure rule (``gates.retention_expired``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.core.semver import Version
from polaris.models import repo as version_repo
from polaris.models.gates import ARCHIVED_RETENTION, DEVELOPMENT_RETENTION, retention_expired
from polaris.models.rules import ModelVersion, Stage
from polaris.store.session import Database

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
_names = itertools.count()

# Ages around both limits (to the second), and far from them.
_AGES = st.sampled_from(
    [
        timedelta(0),
        DEVELOPMENT_RETENTION - timedelta(seconds=1),
        DEVELOPMENT_RETENTION,
        DEVELOPMENT_RETENTION + timedelta(seconds=1),
        ARCHIVED_RETENTION - timedelta(seconds=1),
        ARCHIVED_RETENTION,
        ARCHIVED_RETENTION + timedelta(seconds=1),
        timedelta(days=5000),
    ]
)


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:  # noqa: F811 - fixture
    database = Database(migrated_db_url, pool_size=2)
    yield database
    database.dispose()


def _mv(name: str, i: int) -> ModelVersion:
    return ModelVersion(
        model_name=name,
        version=Version(1, 0, i),
        stage=Stage.DEVELOPMENT,
        created_at=NOW,
        created_by="t",
        model_path="s3://x",
        metrics={},
        hyperparameters={},
        training_data_hash="",
        dependencies=(),
        description="",
        tags=(),
        parent_version=None,
        model_id=f"id-{i}",
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(list(Stage)), _AGES), min_size=1, max_size=8))
def test_sql_retention_matches_the_pure_rule(
    db: Database, rows: list[tuple[Stage, timedelta]]
) -> None:
    name = f"ret-{next(_names)}"
    with db.write() as s:
        pk = version_repo.lock_model(s, name, NOW)
        for i, (stage, age) in enumerate(rows):
            version_repo.insert_version(s, pk, replace(_mv(name, i), stage=stage))
            version_repo.set_stage(s, name, Version(1, 0, i), stage, NOW - age)
    with db.read() as s:
        got = {
            (str(v), str(st_))
            for n, v, st_ in version_repo.expired_versions(
                s,
                development_before=NOW - DEVELOPMENT_RETENTION,
                archived_before=NOW - ARCHIVED_RETENTION,
            )
            if n == name
        }
    want = {
        (f"1.0.{i}", str(stage))
        for i, (stage, age) in enumerate(rows)
        if retention_expired(str(stage), NOW - age, NOW)
    }
    assert got == want
