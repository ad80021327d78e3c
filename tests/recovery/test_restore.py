"""Recovery points end to end on real SQLite, PostgreSQL, MariaDB and Redis: take, verify,
restore into fresh databases and compare row by row (keys, values and TTLs for Redis)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests._recovery_stores import Stores, module_stores, stores  # noqa: F401 - fixtures
from tests.recovery._platform import (
    Platform,
    Sources,
    blob_path,
    everything,
    make_platform,
    make_sources,
)

from polaris.audit.repo import list_audit
from polaris.core.actors import Actor, Role
from polaris.core.errors import CheckFailed, Conflict
from polaris.core.semver import Version
from polaris.platform.releases import PlatformReleaseService
from polaris.platform.rules import ReleasePin
from polaris.recovery.tables import RecoveryPointRow

pytestmark = pytest.mark.services
ADMIN = Actor("ops", Role.ADMIN)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, module_stores: Stores) -> Sources:  # noqa: F811
    return make_sources(tmp_path_factory.mktemp("sources"), module_stores)


@pytest.fixture
def platform(tmp_path: Path, stores: Stores, sources: Sources) -> Platform:  # noqa: F811 - fixture
    return make_platform(tmp_path, stores, sources)


def _empty_targets(p: Platform) -> None:
    from tests._recovery_stores import redis_items

    from polaris.recovery.tools.registry import tool_for

    assert not Path(p.url("FRESH_APP_URL").removeprefix("sqlite:///")).exists()
    assert tool_for("postgresql").is_empty(p.url("FRESH_LEDGER_URL"))
    assert tool_for("mysql").is_empty(p.url("FRESH_ORDERS_URL"))
    assert redis_items(p.url("FRESH_CACHE_URL")) == {}


def test_take_verify_and_restore_every_store_row_by_row(platform: Platform) -> None:
    p = platform
    PlatformReleaseService(p.db).release(
        "2.1.0", [ReleasePin("api", "service", Version.parse("2.1.0"))], actor=ADMIN
    )
    before = everything(p, "")
    assert len(before["cache"]) == 7 and before["cache"][b"session"][2] is True

    taken = p.service.create(p.config, environment="production", actor=ADMIN, reason="nightly")
    m = taken["manifest"]
    assert taken["name"].startswith("recovery-") and m["recovery_point_id"] == taken["name"]
    assert m["release"] == "2.1.0" and m["component_versions"] == {"api": "2.1.0"}
    assert m["schema_versions"] == {"app": "002", "ledger": "002", "orders": "002"}
    assert m["config_hashes"] is None
    assert set(m["parts"]) == {"app", "ledger", "orders", "cache"}
    assert m["parts"]["orders"]["details"]["tables"] == [
        "order_lines",
        "orders",
        "schema_migrations",
    ]
    for part in m["parts"].values():  # every part is in the artifact store under its sha256
        assert p.artifacts.verify(part["sha256"]) == part["size"]
    stored = json.loads(blob_path(p, taken["manifest_sha256"]).read_bytes())
    assert stored == m

    report = p.service.verify(p.config, taken["name"], actor=ADMIN)
    assert report["ok"], report["problems"]
    assert {r["store"]: r["ok"] for r in report["parts"]} == dict.fromkeys(m["parts"], True)
    assert next(r for r in report["parts"] if r["store"] == "cache")["summary"] == {"keys": 7}
    _empty_targets(p)  # verifying restored into scratch copies only

    done = p.service.restore(p.config, taken["name"], environment="fresh", actor=ADMIN)
    assert {s["store"]: s["schema_version"] for s in done["stores"]} == {
        "app": "002",
        "ledger": "002",
        "orders": "002",
        "cache": None,
    }
    assert everything(p, "FRESH_") == before

    with p.db.read() as s:
        actions = [a["action"] for a in list_audit(s, entity="recovery_point")]
    assert actions == ["recovery.restore", "recovery.verify", "recovery.create"]


def test_a_corrupt_or_missing_part_is_found_before_anything_is_restored(platform: Platform) -> None:
    p = platform
    taken = p.service.create(p.config, environment="production", actor=ADMIN)
    parts = taken["manifest"]["parts"]
    corrupt = blob_path(p, parts["orders"]["sha256"])
    data = bytearray(corrupt.read_bytes())
    data[len(data) // 2] ^= 0x01
    corrupt.write_bytes(bytes(data))
    blob_path(p, parts["cache"]["sha256"]).unlink()

    with pytest.raises(CheckFailed) as err:
        p.service.restore(p.config, taken["name"], environment="fresh", actor=ADMIN)
    line = err.value.one_line()
    assert "nothing restored" in line and "part orders" in line and "part cache" in line
    assert "missing from the artifact store" in line
    _empty_targets(p)

    report = p.service.verify(p.config, taken["name"], actor=ADMIN)
    assert not report["ok"] and report["parts"] == []
    assert any("part orders" in x for x in report["problems"])


def test_restore_refuses_a_non_empty_target_unless_replacing(platform: Platform) -> None:
    import psycopg

    p = platform
    name = p.service.create(p.config, environment="production", actor=ADMIN)["name"]
    p.service.restore(p.config, name, environment="fresh", actor=ADMIN)
    with psycopg.connect(p.url("FRESH_LEDGER_URL")) as conn:
        conn.execute("UPDATE accounts SET owner = 'changed'")
    with pytest.raises(Conflict, match="is not empty"):
        p.service.restore(p.config, name, environment="fresh", actor=ADMIN)
    p.service.restore(p.config, name, environment="fresh", actor=ADMIN, replace=True)
    assert everything(p, "FRESH_") == everything(p, "")


def test_dry_runs_back_up_and_restore_nothing(platform: Platform) -> None:
    p = platform
    plan = p.service.create(p.config, environment="production", actor=ADMIN, dry_run=True)
    assert plan["dry_run"] and [s["store"] for s in plan["stores"]] == [
        "app",
        "ledger",
        "orders",
        "cache",
    ]
    with p.db.read() as s:
        assert s.scalars(select(RecoveryPointRow)).all() == []
    assert (
        not list((p.artifacts.root / "sha256").glob("*/*"))
        if (p.artifacts.root / "sha256").exists()
        else True
    )
    name = p.service.create(p.config, environment="production", actor=ADMIN)["name"]
    out = p.service.restore(p.config, name, environment="fresh", actor=ADMIN, dry_run=True)
    assert out["dry_run"] and {s["schema_version"] for s in out["stores"]} == {"002", None}
    _empty_targets(p)
