"""Typed SQLAlchemy 2 rows of Polaris's own store.

The schema is owned by the Alembic migrations in ``polaris/store/migrations``; these classes must
match them (``tests/store/test_migrations.py`` compares the two).

Searchable fields are normalised into their own indexed tables (tags, metrics) and also kept as
JSON on the version row, so a page of versions is read with one query and filtered in SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiRow",
    "ApiTokenRow",
    "ApiVersionRow",
    "AuditRow",
    "Base",
    "BlobRow",
    "ComponentRow",
    "ComponentVersionRow",
    "ModelRow",
    "ModelVersionRow",
    "ReleaseItemRow",
    "ReleaseRow",
    "StageEventRow",
    "UTCDateTime",
    "VersionFileRow",
    "VersionMetricRow",
    "VersionTagRow",
]

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable migration names)."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class ModelRow(Base):
    """A model name; its versions hang off it. Locked to serialise version bumps."""

    __tablename__ = "models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]


class ModelVersionRow(Base):
    """One model version (seed 4.1.2 fields)."""

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("model_pk", "version_key", name="uq_model_versions_model_version"),
        Index("ix_model_versions_latest", "model_pk", "stage", "major", "minor", "patch"),
        Index("ix_model_versions_order", "model_pk", "major", "minor", "patch"),
        Index("ix_model_versions_page", "model_pk", "id"),
        Index("ix_model_versions_stage_page", "model_pk", "stage", "id"),
        Index("ix_model_versions_stage_changed", "stage", "stage_changed_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_pk: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(200))
    version_key: Mapped[str] = mapped_column(String(200))
    """The version without build metadata: two versions differing only in build are one."""
    major: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer)
    patch: Mapped[int] = mapped_column(Integer)
    is_release: Mapped[bool] = mapped_column(Boolean)
    stage: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    stage_changed_at: Mapped[datetime]
    model_path: Mapped[str] = mapped_column(Text)
    content_id: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]]
    hyperparameters: Mapped[dict[str, Any]]
    training_data_hash: Mapped[str] = mapped_column(String(200))
    dependencies: Mapped[list[Any]]
    description: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]]
    files: Mapped[list[Any]]
    """``[[name, sha256, size], ...]``: a copy of the version's file rows, read with the version."""
    parent_version: Mapped[str | None] = mapped_column(String(200))


class VersionTagRow(Base):
    """A tag of a version, for indexed tag filters."""

    __tablename__ = "model_version_tags"
    __table_args__ = (Index("ix_model_version_tags_tag", "tag", "version_pk"),)
    version_pk: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)


class VersionMetricRow(Base):
    """A metric of a version, for indexed metric comparisons."""

    __tablename__ = "model_version_metrics"
    __table_args__ = (Index("ix_model_version_metrics_key_value", "key", "value"),)
    version_pk: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class BlobRow(Base):
    """A content-addressed artifact blob that has been uploaded and verified."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class VersionFileRow(Base):
    """A file of a model version, pointing at a blob."""

    __tablename__ = "model_version_files"
    __table_args__ = (Index("ix_model_version_files_sha256", "sha256"),)
    version_pk: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(Integer)


class StageEventRow(Base):
    """One move of one version between stages; never updated or deleted by use cases."""

    __tablename__ = "stage_events"
    __table_args__ = (
        Index("ix_stage_events_model_at", "model_pk", "at"),
        Index("ix_stage_events_model_stage", "model_pk", "to_stage"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_pk: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(200))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]


class ComponentRow(Base):
    """A platform component (service, model, schema, infra...)."""

    __tablename__ = "components"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class ComponentVersionRow(Base):
    """A version of a component that some release pinned."""

    __tablename__ = "component_versions"
    __table_args__ = (UniqueConstraint("component_pk", "version", name="uq_component_versions"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component_pk: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ReleaseRow(Base):
    """A platform release: one platform version pinning component and model versions."""

    __tablename__ = "platform_releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text)


class ReleaseItemRow(Base):
    """One pin of a release: a component version (grouped by kind) or a model version."""

    __tablename__ = "platform_release_items"
    release_pk: Mapped[int] = mapped_column(
        ForeignKey("platform_releases.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(200))


class ApiTokenRow(Base):
    """An API token; only its sha256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    """Append-only audit log: who did what, when, with the before and after state."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_key: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ApiRow(Base):
    """An HTTP API whose versions follow the lifecycle; locked to serialise transitions."""

    __tablename__ = "apis"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    notice_days: Mapped[int] = mapped_column(Integer)
    retirement_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class ApiVersionRow(Base):
    """One version of an API and its lifecycle record (seed 5.1.3)."""

    __tablename__ = "api_versions"
    __table_args__ = (UniqueConstraint("api_pk", "version", name="uq_api_versions_api_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_pk: Mapped[int] = mapped_column(ForeignKey("apis.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(20))
    introduced: Mapped[date | None] = mapped_column(Date)
    deprecated_on: Mapped[date | None] = mapped_column(Date)
    retires_on: Mapped[date | None] = mapped_column(Date)
    planned_release: Mapped[date | None] = mapped_column(Date)
    breaking_changes: Mapped[list[Any]]
    migration_guide: Mapped[str | None] = mapped_column(Text)
    sunset_link: Mapped[str | None] = mapped_column(Text)
    replacement: Mapped[str | None] = mapped_column(String(50))
    compatible_clients: Mapped[list[Any]]
    backward_compatible_with: Mapped[list[Any]]
    updated_at: Mapped[datetime]
