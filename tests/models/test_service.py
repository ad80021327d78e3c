"""Registry use cases on SQLite and PostgreSQL: registration, stages, history, gc, tokens."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.access.service import TokenService, hash_token
from polaris.artifacts.store import ArtifactCorrupted, LocalArtifactStore
from polaris.core.actors import Actor, AuthenticationRequired, PermissionDenied, Role
from polaris.core.errors import Conflict, InvalidInput, NotFound
from polaris.models.gates import parse_threshold
from polaris.models.rules import PromotionGateFailed, Stage, StageRuleViolation, VersionQuery
from polaris.models.service import Registration, RegistryService
from polaris.store.session import Database
from polaris.store.tables import ApiTokenRow, AuditRow

ADMIN = Actor("root", Role.ADMIN)
DEV = Actor("dev", Role.DEVELOPER)
APPROVER = Actor("boss", Role.APPROVER)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 9, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(migrated_db_url: str) -> Iterator[Database]:  # noqa: F811 - fixture
    database = Database(migrated_db_url, pool_size=10)
    yield database
    database.dispose()


@pytest.fixture
def reg(db: Database, tmp_path: Path, clock: Clock) -> RegistryService:
    return RegistryService(db, LocalArtifactStore(tmp_path / "artifacts"), clock=clock)


def register(reg: RegistryService, v: str | None = "1.0.0", **kw: object) -> str:
    blob = reg.upload_blob(io.BytesIO(f"weights {v} {kw}".encode()), actor=DEV)
    defaults: dict[str, object] = {
        "name": "rag-search",
        "version": v,
        "files": {"model.pkl": blob["sha256"]},
        "metrics": {"accuracy": 0.93, "p95_latency_ms": 150.0},
        "tags": ["rag"],
    }
    defaults.update(kw)
    return str(reg.register(Registration(**defaults), actor=DEV).version)  # type: ignore[arg-type]


def to_production(reg: RegistryService, v: str, rollback: str | None = None) -> None:
    reg.promote(
        "rag-search", v, Stage.STAGING, actor=DEV, criteria=[parse_threshold("accuracy>=0.9")]
    )
    reg.promote("rag-search", v, Stage.PRODUCTION, actor=APPROVER, rollback_to=rollback)


class TestRegister:
    def test_register_records_every_field(self, reg: RegistryService) -> None:
        register(
            reg,
            "1.0.0",
            parent_version=None,
            training_data_hash="sha256:d",
            hyperparameters={"lr": 0.1},
            dependencies=["torch==2.4.1"],
            description="x",
        )
        mv = reg.get("rag-search", "1.0.0")
        assert mv.stage == Stage.DEVELOPMENT
        assert mv.created_by == "dev"
        assert mv.training_data_hash == "sha256:d"
        assert mv.model_path == "polaris://models/rag-search/1.0.0"
        assert [f.name for f in mv.files] == ["model.pkl"]
        assert len(mv.model_id) == 16

    def test_duplicate_is_a_conflict(self, reg: RegistryService) -> None:
        register(reg, "1.0.0")
        with pytest.raises(Conflict, match="already registered") as exc:
            register(reg, "1.0.0")
        assert exc.value.http_status == 409
        with pytest.raises(Conflict):
            register(reg, "1.0.0+build.7")  # build metadata does not make a new version

    def test_bump_from_latest(self, reg: RegistryService) -> None:
        assert register(reg, None, bump="minor") == "0.1.0"
        assert register(reg, None, bump="patch") == "0.1.1"
        assert register(reg, None, bump="major") == "1.0.0"
        assert register(reg, None, bump="minor", pre="rc") == "1.1.0-rc.1"

    @pytest.mark.parametrize("order", ["ascending", "descending"])
    def test_bump_prerelease_after_twenty_release_candidates(
        self, reg: RegistryService, order: str
    ) -> None:
        # More prereleases of one core version than the latest-version query's first page (16):
        # rc.21 comes next, not rc.17 (issue 18, planted bug 4). Both insertion orders, so a
        # truncated read misses the newest whichever way the engine returns ties.
        def add(version: str | None, **kw: object) -> str:
            r = Registration(name="ner", version=version, model_path="s3://m", **kw)  # type: ignore[arg-type]
            return str(reg.register(r, actor=DEV).version)

        add("0.9.0")
        numbers = range(1, 21) if order == "ascending" else range(20, 0, -1)
        for n in numbers:
            add(f"1.0.0-rc.{n}")
        assert add(None, bump="prerelease") == "1.0.0-rc.21"
        (summary,) = reg.models()
        assert str(summary.latest) == "1.0.0-rc.21"
        assert add(None, bump="patch") == "1.0.0"  # finalises the release candidates

    def test_registration_needs_uploaded_files(self, reg: RegistryService) -> None:
        with pytest.raises(InvalidInput, match="has not been uploaded"):
            reg.register(
                Registration(name="ner", version="1.0.0", files={"m.pkl": "0" * 64}), actor=DEV
            )
        with pytest.raises(InvalidInput, match="files or a model_path"):
            reg.register(Registration(name="ner", version="1.0.0"), actor=DEV)
        assert reg.models() == []

    def test_viewer_cannot_register(self, reg: RegistryService) -> None:
        with pytest.raises(PermissionDenied):
            reg.register(
                Registration(name="ner", version="1.0.0", model_path="s3://m"),
                actor=Actor("v", Role.VIEWER),
            )

    def test_eight_concurrent_bumps_get_distinct_versions(self, reg: RegistryService) -> None:
        results: list[str] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(8)

        def worker() -> None:
            barrier.wait()
            try:
                for _ in range(3):
                    mv = reg.register(
                        Registration(name="busy", bump="patch", model_path="s3://m"), actor=DEV
                    )
                    results.append(str(mv.version))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(results, key=lambda v: int(v.split(".")[2])) == [
            f"0.0.{i}" for i in range(1, 25)
        ]

    def test_audit_is_written_with_the_change(self, reg: RegistryService, db: Database) -> None:
        register(reg, "1.0.0")
        with db.read() as s:
            rows = [
                (r.actor, r.entity_key, r.before, (r.after or {}).get("version"))
                for r in s.scalars(select(AuditRow).where(AuditRow.action == "register"))
            ]
        assert rows == [("dev", "rag-search:1.0.0", None, "1.0.0")]


class TestStages:
    def test_gate_failure_names_metric_and_margin(self, reg: RegistryService) -> None:
        register(reg, "1.0.0")
        with pytest.raises(
            PromotionGateFailed, match=r"accuracy is 0.93, needs >= 0.95 \(short by 0.02\)"
        ):
            reg.promote(
                "rag-search",
                "1.0.0",
                Stage.STAGING,
                actor=DEV,
                criteria=[parse_threshold("accuracy>=0.95")],
            )
        assert reg.get("rag-search", "1.0.0").stage == Stage.DEVELOPMENT

    def test_production_needs_approver(self, reg: RegistryService) -> None:
        register(reg, "1.0.0")
        reg.promote("rag-search", "1.0.0", Stage.STAGING, actor=DEV, validation={"tests": "ok"})
        with pytest.raises(PermissionDenied, match="approver"):
            reg.promote("rag-search", "1.0.0", Stage.PRODUCTION, actor=DEV)

    def test_one_production_version_previous_is_archived(
        self, reg: RegistryService, clock: Clock
    ) -> None:
        register(reg, "1.0.0")
        register(reg, "1.1.0")
        to_production(reg, "1.0.0")
        d1 = clock.now
        clock.advance(days=3)
        with pytest.raises(StageRuleViolation, match="rollback plan"):
            to_production(reg, "1.1.0")
        reg.promote("rag-search", "1.1.0", Stage.PRODUCTION, actor=APPROVER, rollback_to="1.0.0")
        d2 = clock.now
        page, _ = reg.search(VersionQuery(name="rag-search", stage=Stage.PRODUCTION))
        assert [str(v.version) for v in page] == ["1.1.0"]
        assert reg.get("rag-search", "1.0.0").stage == Stage.ARCHIVED
        assert str(reg.production_at("rag-search", d1)) == "1.0.0"
        assert str(reg.production_at("rag-search", d2 - timedelta(seconds=1))) == "1.0.0"
        assert str(reg.production_at("rag-search", d2)) == "1.1.0"
        assert reg.production_at("rag-search", d1 - timedelta(days=1)) is None
        moves = [
            (str(h.version), h.from_stage, h.to_stage, h.actor) for h in reg.history("rag-search")
        ]
        assert ("1.0.0", Stage.PRODUCTION, Stage.ARCHIVED, "boss") in moves
        prod = [h for h in reg.history("rag-search", "1.1.0") if h.to_stage == Stage.PRODUCTION]
        assert prod[0].approved_by == "boss"
        assert str(prod[0].rollback_to) == "1.0.0"

    def test_content_is_frozen_after_development(self, reg: RegistryService) -> None:
        register(reg, "1.0.0")
        reg.update("rag-search", "1.0.0", actor=DEV, description="edited", tags=["x"])
        assert reg.get("rag-search", "1.0.0").description == "edited"
        reg.promote("rag-search", "1.0.0", Stage.STAGING, actor=DEV, validation={"ok": True})
        with pytest.raises(StageRuleViolation, match="cannot edit"):
            reg.update("rag-search", "1.0.0", actor=DEV, description="again")
        with pytest.raises(StageRuleViolation, match="cannot delete"):
            reg.delete("rag-search", "1.0.0", actor=DEV)

    def test_delete_development_version(self, reg: RegistryService) -> None:
        register(reg, "1.0.0")
        reg.delete("rag-search", "1.0.0", actor=DEV)
        with pytest.raises(NotFound):
            reg.get("rag-search", "1.0.0")


class TestLineageExportGc:
    def test_lineage_chain(self, reg: RegistryService) -> None:
        register(reg, "1.0.0", training_data_hash="d1")
        register(reg, "1.1.0", parent_version="1.0.0", training_data_hash="d2")
        register(reg, "1.2.0", parent_version="1.1.0", training_data_hash="d3")
        chain = reg.lineage("rag-search", "1.2.0")
        assert [(str(v.version), v.training_data_hash) for v in chain] == [
            ("1.2.0", "d3"),
            ("1.1.0", "d2"),
            ("1.0.0", "d1"),
        ]
        with pytest.raises(NotFound, match="parent version"):
            register(reg, "2.0.0", parent_version="0.0.1")

    def test_export_package(self, reg: RegistryService) -> None:
        register(reg, "1.0.0", dependencies=["torch==2.4.1"])
        buf = io.BytesIO()
        reg.export("rag-search", "1.0.0", buf)
        buf.seek(0)
        with tarfile.open(fileobj=buf, mode="r:gz") as tar:
            names = sorted(tar.getnames())
            meta = json.loads(tar.extractfile("rag-search-1.0.0/metadata.json").read())  # type: ignore[union-attr]
            reqs = tar.extractfile("rag-search-1.0.0/requirements.txt").read()  # type: ignore[union-attr]
        assert names == [
            "rag-search-1.0.0/MODEL_CARD.md",
            "rag-search-1.0.0/metadata.json",
            "rag-search-1.0.0/model.pkl",
            "rag-search-1.0.0/requirements.txt",
        ]
        assert meta["version"] == "1.0.0"
        assert reqs == b"torch==2.4.1\n"

    def test_corrupted_artifact_is_detected(self, reg: RegistryService) -> None:
        register(reg, "1.0.0")
        f = reg.get("rag-search", "1.0.0").files[0]
        assert isinstance(reg.artifacts, LocalArtifactStore)
        reg.artifacts.path(f.sha256).write_bytes(b"tampered")
        with pytest.raises(ArtifactCorrupted, match="corrupted"):
            reg.file("rag-search", "1.0.0", "model.pkl")
        with pytest.raises(ArtifactCorrupted):
            reg.export("rag-search", "1.0.0", io.BytesIO())

    def test_gc_applies_retention(self, reg: RegistryService, clock: Clock) -> None:
        register(reg, "1.0.0")  # stays in development: expires after 30 days
        register(reg, "1.1.0")
        to_production(reg, "1.1.0")
        register(reg, "1.2.0")
        reg.promote("rag-search", "1.2.0", Stage.ARCHIVED, actor=DEV)  # kept 2 years
        clock.advance(days=31)
        dry = reg.gc(actor=ADMIN, dry_run=True)
        assert dry.versions == [{"name": "rag-search", "version": "1.0.0", "stage": "development"}]
        assert reg.get("rag-search", "1.0.0")  # still there
        done = reg.gc(actor=ADMIN, dry_run=False)
        assert done.versions == dry.versions
        assert len(done.blobs) == 1  # 1.0.0's file is now unreferenced
        with pytest.raises(NotFound):
            reg.get("rag-search", "1.0.0")
        clock.advance(days=731)
        assert [v["version"] for v in reg.gc(actor=ADMIN, dry_run=False).versions] == ["1.2.0"]
        assert reg.get("rag-search", "1.1.0").stage == Stage.PRODUCTION
        with pytest.raises(PermissionDenied):
            reg.gc(actor=DEV, dry_run=True)


class TestTokens:
    def test_token_shown_once_stored_hashed(self, db: Database) -> None:
        tokens = TokenService(db)
        token, rec = tokens.create("ci", "developer", actor=ADMIN)
        assert token.startswith("pol_")
        assert len(token) > 40
        with db.read() as s:
            stored = s.scalars(select(ApiTokenRow)).one()
            columns = [getattr(stored, c.key) for c in ApiTokenRow.__table__.columns]
            digest = stored.token_hash
        assert digest == hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
        assert token not in [str(c) for c in columns]
        assert tokens.authenticate(token) == Actor("ci", Role.DEVELOPER)
        tokens.revoke(rec.id, actor=ADMIN)
        with pytest.raises(AuthenticationRequired, match="unknown or revoked"):
            tokens.authenticate(token)
        with pytest.raises(AuthenticationRequired, match="needs an API token"):
            tokens.authenticate(None)
        with pytest.raises(PermissionDenied):
            tokens.create("x", "admin", actor=DEV)

    def test_revocation_is_audited_with_before_and_after(self, db: Database) -> None:
        tokens = TokenService(db)
        _, rec = tokens.create("ci", "developer", actor=ADMIN)
        tokens.revoke(rec.id, actor=ADMIN)
        with db.read() as s:
            row = s.scalars(
                select(AuditRow).where(AuditRow.action == "revoke", AuditRow.entity == "api_token")
            ).one()
            key, before, after = row.entity_key, row.before, row.after
        assert key == str(rec.id)
        assert before is not None
        assert after is not None
        assert before["revoked_at"] is None
        assert after["revoked_at"] is not None
        assert {k: v for k, v in before.items() if k != "revoked_at"} == {
            k: v for k, v in after.items() if k != "revoked_at"
        }
