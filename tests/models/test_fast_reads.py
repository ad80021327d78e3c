"""The HTTP API's hot reads (precompiled SQL, raw rows to JSON) answer exactly as the core path."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests._pg import (  # noqa: F401 - fixtures
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)

from polaris.artifacts.store import open_artifact_store
from polaris.core.actors import Actor, Role
from polaris.core.errors import InvalidVersion, NotFound
from polaris.models.gates import parse_threshold
from polaris.models.rules import Stage, VersionQuery, version_to_dict
from polaris.models.service import Registration, RegistryService
from polaris.store.session import Database

ROOT = Actor("root", Role.ADMIN)


@pytest.fixture
def registry(migrated_db_url: str, tmp_path: Path) -> Iterator[RegistryService]:  # noqa: F811
    db = Database(migrated_db_url, pool_size=2)
    ticks = iter(range(10_000))
    start = datetime(2025, 9, 1, 12, 0, 0, tzinfo=UTC)

    def clock() -> datetime:
        # Whole seconds first (a zero fraction prints differently), then microseconds.
        n = next(ticks)
        return start + timedelta(seconds=n) + timedelta(microseconds=0 if n < 3 else 1234 * n)

    svc = RegistryService(db, open_artifact_store(str(tmp_path / "artifacts")), clock=clock)
    yield svc
    db.dispose()


def populate(svc: RegistryService) -> None:
    sha = svc.upload_blob(io.BytesIO(b"weights"), actor=ROOT)["sha256"]
    params: dict[str, object] = {"lr": 0.001, "layers": [1, 2, {"x": None}], "big": 2**70}
    if svc.db.is_sqlite:  # stored as the non-standard Infinity token (PostgreSQL refuses it)
        params["cap"] = float("inf")
    svc.register(
        Registration(
            name="rag",
            version="1.0.0",
            files={"model.pkl": sha, "sub/config.json": sha},
            metrics={"accuracy": 1, "p95_latency_ms": 150.5},
            hyperparameters=params,
            training_data_hash="sha256:abc",
            dependencies=["torch==2.4.1", "numpy"],
            description="first ünïcode",
            tags=["rag", "team-search"],
        ),
        actor=ROOT,
    )
    for i in range(12):
        svc.register(
            Registration(
                name="rag",
                bump="patch",
                model_path=f"s3://m/{i}",
                parent_version="1.0.0",
                metrics={"accuracy": 0.8 + i / 100},
                tags=[f"g{i % 3}"],
            ),
            actor=ROOT,
        )
    svc.register(
        Registration(name="rag", version="1.1.0-rc.1+build.7", model_path="s3://m", tags=["rag"]),
        actor=ROOT,
    )
    svc.register(Registration(name="ner", version="0.1.0", model_path="s3://n"), actor=ROOT)
    svc.promote(
        "rag", "1.0.2", Stage.STAGING, actor=ROOT, criteria=[parse_threshold("accuracy>=0.8")]
    )
    svc.promote("rag", "1.0.2", Stage.PRODUCTION, actor=ROOT)


def test_one_version_matches_the_core_record(registry: RegistryService) -> None:
    populate(registry)
    for name, version in [
        ("rag", "1.0.0"),
        ("rag", "1.1.0-rc.1+build.7"),
        ("rag", "1.1.0-rc.1"),  # build metadata does not distinguish versions
        ("rag", "1.0.2"),
        ("rag", "1.0.12"),
        ("ner", "0.1.0"),
    ]:
        assert registry.get_json(name, version) == version_to_dict(registry.get(name, version))
    first = registry.get_json("rag", "1.0.0")
    assert first["created_at"] == "2025-09-01T12:00:01+00:00"
    assert first["metrics"] == {"accuracy": 1.0, "p95_latency_ms": 150.5}
    assert first["hyperparameters"]["big"] == 2**70
    assert [f["name"] for f in first["files"]] == ["model.pkl", "sub/config.json"]


def test_a_missing_or_invalid_version_fails_as_before(registry: RegistryService) -> None:
    populate(registry)
    with pytest.raises(NotFound, match=r"model version rag 9\.9\.9 not found"):
        registry.get_json("rag", "9.9.9")
    with pytest.raises(NotFound):
        registry.get_json("nope", "1.0.0")
    with pytest.raises(InvalidVersion):
        registry.get_json("rag", "1.0")


@pytest.mark.parametrize(
    "query",
    [
        VersionQuery(name="rag"),
        VersionQuery(name="rag", limit=5),
        VersionQuery(name="rag", tag="g1"),
        VersionQuery(name="rag", stage=Stage.DEVELOPMENT, tag="g2", limit=2),
        VersionQuery(name="rag", stage=Stage.PRODUCTION),
        VersionQuery(name="rag", metrics=(parse_threshold("accuracy>=0.85"),)),
        VersionQuery(
            name="rag",
            metrics=(parse_threshold("accuracy>0.8"), parse_threshold("accuracy<0.9")),
            limit=3,
        ),
        VersionQuery(name="rag", metrics=(parse_threshold("accuracy==1"),)),
        VersionQuery(tag="rag"),
        VersionQuery(),
        VersionQuery(name="absent"),
    ],
)
def test_every_page_matches_the_core_search(registry: RegistryService, query: VersionQuery) -> None:
    populate(registry)
    q = query
    pages = 0
    while True:
        core, after = registry.search(q)
        fast, fast_after = registry.search_json(q)
        assert fast == [version_to_dict(v) for v in core]
        assert fast_after == after
        pages += 1
        if after is None:
            break
        q = VersionQuery(q.name, q.stage, q.tag, q.metrics, q.limit, after)
    assert pages >= 1
