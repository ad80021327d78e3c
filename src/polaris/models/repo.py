"""Model and version rows: insert, read, page, stage pointers, summaries."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    Integer,
    Select,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polaris.core.errors import Conflict, Location, NotFound
from polaris.core.semver import Version
from polaris.models.gates import Threshold
from polaris.models.rules import ArtifactFile, ModelVersion, Stage, VersionQuery
from polaris.store.tables import (
    ModelRow,
    ModelVersionRow,
    StageEventRow,
    VersionFileRow,
    VersionMetricRow,
    VersionTagRow,
)

__all__ = [
    "ModelSummary",
    "blob_in_use",
    "delete_version",
    "expired_versions",
    "get_version",
    "get_version_json",
    "insert_version",
    "latest_version",
    "list_models",
    "list_versions",
    "list_versions_json",
    "lock_model",
    "model_pk",
    "model_versions_set",
    "production_version",
    "set_stage",
    "update_version_content",
    "version_key",
]


def model_pk(s: Session, name: str) -> int | None:
    return s.scalar(select(ModelRow.id).where(ModelRow.name == name))


def lock_model(s: Session, name: str, now: datetime) -> int:
    """Create the model row if needed and lock it for this transaction; return its key.

    On PostgreSQL this is ``SELECT ... FOR UPDATE``, which serialises concurrent version bumps of
    one model; on SQLite the write transaction (``BEGIN IMMEDIATE``) already serialises writers.
    """
    pk = s.execute(_LOCK_MODEL, {"name": name}).scalar()
    if pk is not None:
        return int(pk)
    try:
        with s.begin_nested():
            s.add(ModelRow(name=name, created_at=now))
    except IntegrityError:
        pass  # created by a concurrent transaction; lock it below
    pk = s.execute(_LOCK_MODEL, {"name": name}).scalar()
    assert pk is not None  # noqa: S101 - it was just created or found
    return int(pk)


def latest_version(s: Session, model_pk: int) -> Version | None:
    """The highest SemVer version of a model (prereleases below their release).

    One indexed query for the top rows by (major, minor, patch); prerelease precedence is SemVer's,
    so it is decided in Python among the rows sharing the top core version.
    """
    rows = s.execute(_LATEST, {"model_pk": model_pk}).all()
    if not rows:
        return None
    top = tuple(rows[0][1:])
    same = [r.version for r in rows if tuple(r[1:]) == top]
    if len(same) == len(rows) == 16:  # many prereleases of one core version: read them all
        same = list(
            s.execute(
                select(_MV.c.version).where(
                    _MV.c.model_pk == model_pk,
                    _MV.c.major == top[0],
                    _MV.c.minor == top[1],
                    _MV.c.patch == top[2],
                )
            ).scalars()
        )
    return max(Version.parse(t) for t in same)


def model_versions_set(s: Session, model_pk: int) -> frozenset[Version]:
    """Every version of a model."""
    return frozenset(
        Version.parse(t)
        for t in s.scalars(
            select(ModelVersionRow.version).where(ModelVersionRow.model_pk == model_pk)
        )
    )


def version_key(v: Version) -> str:
    """The version without build metadata: the uniqueness key of a model version."""
    return str(v).split("+", 1)[0]


_MV = cast(Table, ModelVersionRow.__table__)
_TAGS = cast(Table, VersionTagRow.__table__)
_METRICS = cast(Table, VersionMetricRow.__table__)
_FILES = cast(Table, VersionFileRow.__table__)
_MODELS = cast(Table, ModelRow.__table__)
_EVENTS = cast(Table, StageEventRow.__table__)
# Statements built once: executing a prebuilt statement with a parameter dict skips the
# per-call statement construction and cache-key work (registration is a hot path).
_INSERT_VERSION = insert(_MV).returning(_MV.c.id)
_INSERT_EVENT = insert(_EVENTS)
_INSERT_TAGS = insert(_TAGS)
_INSERT_METRICS = insert(_METRICS)
_INSERT_FILES = insert(_FILES)
_LOCK_MODEL = select(_MODELS.c.id).where(_MODELS.c.name == bindparam("name")).with_for_update()
_LATEST = (
    select(_MV.c.version, _MV.c.major, _MV.c.minor, _MV.c.patch)
    .where(_MV.c.model_pk == bindparam("model_pk"))
    .order_by(_MV.c.major.desc(), _MV.c.minor.desc(), _MV.c.patch.desc())
    .limit(16)
)
_CLASH = select(_MV.c.version).where(
    _MV.c.model_pk == bindparam("model_pk"), _MV.c.version_key == bindparam("key")
)
_VERSION_PK = (
    select(_MV.c.id)
    .join(_MODELS, _MODELS.c.id == _MV.c.model_pk)
    .where(_MODELS.c.name == bindparam("name"), _MV.c.version_key == bindparam("key"))
)
_SET_STAGE = (
    update(_MV)
    .where(_MV.c.id == bindparam("pk"))
    .values(
        stage=bindparam("stage", type_=_MV.c.stage.type),
        stage_changed_at=bindparam("at", type_=_MV.c.stage_changed_at.type),
    )
)
_PRODUCTION = select(_MV.c.version).where(
    _MV.c.model_pk == bindparam("model_pk"), _MV.c.stage == str(Stage.PRODUCTION)
)


def insert_version(s: Session, model_pk: int, mv: ModelVersion) -> int:
    """Insert a version with its tags, metrics and files; :class:`Conflict` if it exists.

    Hot path (the benchmark registers thousands): Core statements, not the ORM unit of work.
    """
    key = version_key(mv.version)
    clash = s.execute(_CLASH, {"model_pk": model_pk, "key": key}).scalar()
    if clash is not None:
        raise Conflict(
            f"{mv.model_name} {clash} is already registered",
            location=Location(field="version"),
            hint="versions are immutable; register a new version (--bump patch)",
        )
    params = {
        "model_pk": model_pk,
        "version": str(mv.version),
        "version_key": key,
        "major": mv.version.major,
        "minor": mv.version.minor,
        "patch": mv.version.patch,
        "is_release": not mv.version.is_prerelease,
        "stage": str(mv.stage),
        "created_at": mv.created_at,
        "created_by": mv.created_by,
        "stage_changed_at": mv.stage_changed_at or mv.created_at,
        "model_path": mv.model_path,
        "content_id": mv.model_id,
        "metrics": dict(mv.metrics),
        "hyperparameters": dict(mv.hyperparameters),
        "training_data_hash": mv.training_data_hash,
        "dependencies": list(mv.dependencies),
        "description": mv.description,
        "tags": list(mv.tags),
        "files": [[f.name, f.sha256, f.size] for f in mv.files],
        "parent_version": None if mv.parent_version is None else str(mv.parent_version),
    }
    pk: int = s.execute(_INSERT_VERSION, params).scalar_one()
    _write_children(s, pk, mv, files=True)
    return pk


def _write_children(s: Session, pk: int, mv: ModelVersion, *, files: bool) -> None:
    tags = [{"version_pk": pk, "tag": t} for t in dict.fromkeys(mv.tags)]
    if tags:
        s.execute(_INSERT_TAGS, tags)
    metrics = [{"version_pk": pk, "key": k, "value": v} for k, v in mv.metrics.items()]
    if metrics:
        s.execute(_INSERT_METRICS, metrics)
    rows = [
        {"version_pk": pk, "name": f.name, "sha256": f.sha256, "size": f.size} for f in mv.files
    ]
    if files and rows:
        s.execute(_INSERT_FILES, rows)


def update_version_content(s: Session, mv: ModelVersion) -> None:
    """Rewrite the mutable content of a (development) version."""
    pk = _version_pk(s, mv.model_name, mv.version)
    s.execute(
        update(_MV)
        .where(_MV.c.id == pk)
        .values(
            content_id=mv.model_id,
            metrics=dict(mv.metrics),
            hyperparameters=dict(mv.hyperparameters),
            training_data_hash=mv.training_data_hash,
            dependencies=list(mv.dependencies),
            description=mv.description,
            tags=list(mv.tags),
        )
    )
    s.execute(delete(_TAGS).where(_TAGS.c.version_pk == pk))
    s.execute(delete(_METRICS).where(_METRICS.c.version_pk == pk))
    _write_children(s, pk, mv, files=False)


def _version_pk(s: Session, name: str, version: Version) -> int:
    pk = s.execute(_VERSION_PK, {"name": name, "key": version_key(version)}).scalar()
    if pk is None:
        raise NotFound(
            f"model version {name} {version} not found", location=Location(field="version")
        )
    return int(pk)


_COLUMNS = (
    _MV.c.id,
    _MODELS.c.name,
    _MV.c.version,
    _MV.c.stage,
    _MV.c.created_at,
    _MV.c.created_by,
    _MV.c.model_path,
    _MV.c.metrics,
    _MV.c.hyperparameters,
    _MV.c.training_data_hash,
    _MV.c.dependencies,
    _MV.c.description,
    _MV.c.tags,
    _MV.c.parent_version,
    _MV.c.content_id,
    _MV.c.files,
    _MV.c.stage_changed_at,
)


def _to_core(r: Any) -> ModelVersion:
    return ModelVersion(
        model_name=r.name,
        version=Version.parse(r.version),
        stage=Stage(r.stage),
        created_at=r.created_at,
        created_by=r.created_by,
        model_path=r.model_path,
        metrics={str(k): float(v) for k, v in r.metrics.items()},
        hyperparameters=dict(r.hyperparameters),
        training_data_hash=r.training_data_hash,
        dependencies=tuple(str(d) for d in r.dependencies),
        description=r.description,
        tags=tuple(str(t) for t in r.tags),
        parent_version=None if r.parent_version is None else Version.parse(r.parent_version),
        model_id=r.content_id,
        files=tuple(ArtifactFile(str(n), str(h), int(z)) for n, h, z in r.files),
        stage_changed_at=r.stage_changed_at,
    )


def get_version(s: Session, name: str, version: Version) -> ModelVersion:
    """One version (one indexed query); :class:`NotFound` if absent."""
    row = s.execute(_GET_VERSION, {"name": name, "key": version_key(version)}).first()
    if row is None:
        raise NotFound(
            f"model version {name} {version} not found",
            location=Location(field="version"),
            hint=f"list versions with: polaris models list {name}",
        )
    return _to_core(row)


def list_versions(s: Session, q: VersionQuery) -> tuple[list[ModelVersion], int | None]:
    """A page of versions matching ``q``, newest first, and the position of the next page."""
    stmt = select(*_COLUMNS).join(_MODELS, _MODELS.c.id == _MV.c.model_pk)
    if q.name is not None:
        pk = model_pk(s, q.name)
        if pk is None:
            return [], None
        stmt = stmt.where(_MV.c.model_pk == pk)
    if q.stage is not None:
        stmt = stmt.where(_MV.c.stage == str(q.stage))
    if q.tag is not None:
        stmt = stmt.where(exists().where(_TAGS.c.version_pk == _MV.c.id, _TAGS.c.tag == q.tag))
    for t in q.metrics:
        stmt = stmt.where(_metric_exists(t))
    if q.after is not None:
        stmt = stmt.where(_MV.c.id < q.after)
    rows = s.execute(stmt.order_by(_MV.c.id.desc()).limit(q.limit + 1)).all()
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return [_to_core(r) for r in rows], (rows[-1].id if more and rows else None)


# -- hot reads: precompiled SQL on a driver connection, rows straight to JSON form -------------
#
# A page of 100 versions costs SQLAlchemy ~20 us a row in result processing (JSON and datetime
# column types) against SQLite's ~3 us; one version, a session's BEGIN/ROLLBACK on top. These
# readers compile each statement shape once per dialect, run it on a pooled driver connection and
# build ``version_to_dict``'s exact output from the raw row (tests/store compares the two paths).


class _Prepared:
    """A statement compiled once for a dialect: its SQL and how to order its parameters."""

    __slots__ = ("defaults", "order", "sql")

    def __init__(self, stmt: Select[Any], dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None
        )
        # Parameters the dialect adds with a value of its own (SQLite's ``OFFSET 0``).
        self.defaults = {k: v for k, v in compiled.params.items() if v is not None}

    def run(self, conn: DBAPIConnection, params: dict[str, Any]) -> list[Any]:
        values = {**self.defaults, **params} if self.defaults else params
        cur = conn.cursor()
        try:
            cur.execute(self.sql, values if self.order is None else [values[k] for k in self.order])
            return list(cur.fetchall())
        finally:
            cur.close()


_PREPARED: dict[tuple[str, tuple[Any, ...]], _Prepared] = {}


def _prepared(dialect: Dialect, shape: tuple[Any, ...], build: Callable[[], Any]) -> _Prepared:
    key = (dialect.name, shape)
    found = _PREPARED.get(key)
    if found is None:
        found = _Prepared(build(), dialect)
        if len(_PREPARED) < 512:  # shapes are few; never grow without bound
            _PREPARED[key] = found
    return found


def _from_json(value: Any) -> Any:
    # SQLite keeps JSON as text; psycopg hands PostgreSQL's json back already parsed.
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # NaN or Infinity, which the stdlib writer lets through
        return json.loads(value)


def _iso(value: Any) -> str:
    if isinstance(value, str):  # SQLite: naive UTC text, "YYYY-MM-DD HH:MM:SS.ffffff"
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            # datetime.isoformat() drops a zero fraction; otherwise text surgery is exact.
            if value.endswith(".000000"):
                return f"{value[:10]}T{value[11:19]}+00:00"
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    dt = cast(datetime, value)
    return (dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)).isoformat()


# Column order of the raw rows below (indexes used by _version_json).
_JSON_COLUMNS = _COLUMNS


def _version_json(r: Any) -> dict[str, Any]:
    """``version_to_dict(_to_core(row))`` without building the core record."""
    parent = r[13]
    changed = r[16]
    return {
        "model_id": r[14],
        "model_name": r[1],
        "version": r[2],
        "model_version_name": f"{r[1]}-v{r[2]}",
        "stage": r[3],
        "created_at": _iso(r[4]),
        "created_by": r[5],
        "model_path": r[6],
        "metrics": {str(k): float(v) for k, v in _from_json(r[7]).items()},
        "hyperparameters": dict(_from_json(r[8])),
        "training_data_hash": r[9],
        "dependencies": [str(d) for d in _from_json(r[10])],
        "description": r[11],
        "tags": [str(t) for t in _from_json(r[12])],
        "parent_version": None if parent is None else str(parent),
        "files": [
            {"name": str(n), "sha256": str(h), "size": int(z)} for n, h, z in _from_json(r[15])
        ],
        "stage_changed_at": None if changed is None else _iso(changed),
    }


def _get_statement() -> Select[Any]:
    return (
        select(*_JSON_COLUMNS)
        .join(_MODELS, _MODELS.c.id == _MV.c.model_pk)
        .where(_MODELS.c.name == bindparam("name"), _MV.c.version_key == bindparam("key"))
    )


_GET_VERSION = _get_statement()


def get_version_json(conn: DBAPIConnection, dialect: Dialect, name: str, version: Version) -> Any:
    """One version in its JSON form (one indexed query); :class:`NotFound` if absent."""
    rows = _prepared(dialect, ("get",), _get_statement).run(
        conn, {"name": name, "key": version_key(version)}
    )
    if not rows:
        raise NotFound(
            f"model version {name} {version} not found",
            location=Location(field="version"),
            hint=f"list versions with: polaris models list {name}",
        )
    return _version_json(rows[0])


def _search_statement(q: VersionQuery) -> Select[Any]:
    stmt = select(*_JSON_COLUMNS).join(_MODELS, _MODELS.c.id == _MV.c.model_pk)
    if q.name is not None:
        # By name through the unique index, then the (model, id) keyset index: one statement.
        stmt = stmt.where(
            _MV.c.model_pk
            == select(_MODELS.c.id).where(_MODELS.c.name == bindparam("name")).scalar_subquery()
        )
    if q.stage is not None:
        stmt = stmt.where(_MV.c.stage == bindparam("stage"))
    if q.tag is not None:
        stmt = stmt.where(
            exists().where(_TAGS.c.version_pk == _MV.c.id, _TAGS.c.tag == bindparam("tag"))
        )
    for i, t in enumerate(q.metrics):
        stmt = stmt.where(_metric_exists(t, key=bindparam(f"mkey{i}"), value=bindparam(f"mval{i}")))
    if q.after is not None:
        stmt = stmt.where(_MV.c.id < bindparam("after"))
    return stmt.order_by(_MV.c.id.desc()).limit(bindparam("limit", type_=Integer))


def list_versions_json(
    conn: DBAPIConnection, dialect: Dialect, q: VersionQuery
) -> tuple[list[dict[str, Any]], int | None]:
    """:func:`list_versions` in JSON form: a page matching ``q`` and the next page's position."""
    shape = (
        q.name is not None,
        q.stage is not None,
        q.tag is not None,
        tuple(t.op for t in q.metrics),
        q.after is not None,
    )
    params: dict[str, Any] = {"limit": q.limit + 1}
    if q.name is not None:
        params["name"] = q.name
    if q.stage is not None:
        params["stage"] = str(q.stage)
    if q.tag is not None:
        params["tag"] = q.tag
    for i, t in enumerate(q.metrics):
        params[f"mkey{i}"] = t.metric
        params[f"mval{i}"] = t.value
    if q.after is not None:
        params["after"] = q.after
    rows = _prepared(dialect, ("search", *shape), lambda: _search_statement(q)).run(conn, params)
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return [_version_json(r) for r in rows], (int(rows[-1][0]) if more and rows else None)


def _metric_exists(t: Threshold, *, key: Any = None, value: Any = None) -> Any:
    col = _METRICS.c.value
    val = t.value if value is None else value
    cond = {
        ">=": col >= val,
        "<=": col <= val,
        ">": col > val,
        "<": col < val,
        "==": col == val,
    }[t.op]
    return exists().where(
        _METRICS.c.version_pk == _MV.c.id,
        _METRICS.c.key == (t.metric if key is None else key),
        cond,
    )


def blob_in_use(s: Session, sha256: str) -> bool:
    """Whether a version that is not archived names the blob (then it stays uncompressed)."""
    live = (
        select(VersionFileRow.sha256)
        .join(ModelVersionRow, ModelVersionRow.id == VersionFileRow.version_pk)
        .where(VersionFileRow.sha256 == sha256, ModelVersionRow.stage != str(Stage.ARCHIVED))
        .limit(1)
    )
    return s.scalar(live) is not None


def production_version(s: Session, model_pk: int) -> Version | None:
    """The version of a model currently in production, if any (an indexed lookup)."""
    text = s.execute(_PRODUCTION, {"model_pk": model_pk}).scalar()
    return None if text is None else Version.parse(text)


def set_stage(s: Session, name: str, version: Version, stage: Stage, at: datetime) -> None:
    """Move a version's stage pointer."""
    pk = _version_pk(s, name, version)
    s.execute(_SET_STAGE, {"pk": pk, "stage": str(stage), "at": at})


def delete_version(s: Session, name: str, version: Version) -> None:
    """Delete a version and its tags, metrics and file pointers (blobs stay until gc)."""
    pk = _version_pk(s, name, version)
    for table in (VersionTagRow, VersionMetricRow, VersionFileRow):
        s.execute(delete(table).where(table.version_pk == pk))
    s.execute(delete(ModelVersionRow).where(ModelVersionRow.id == pk))


def expired_versions(
    s: Session, *, development_before: datetime, archived_before: datetime
) -> list[tuple[str, Version, Stage]]:
    """Versions past their retention: ``(name, version, stage)``."""
    rows = s.execute(
        select(ModelRow.name, ModelVersionRow.version, ModelVersionRow.stage)
        .join(ModelRow, ModelRow.id == ModelVersionRow.model_pk)
        .where(
            (
                (ModelVersionRow.stage == str(Stage.DEVELOPMENT))
                & (ModelVersionRow.stage_changed_at < development_before)
            )
            | (
                (ModelVersionRow.stage == str(Stage.ARCHIVED))
                & (ModelVersionRow.stage_changed_at < archived_before)
            )
        )
        .order_by(ModelRow.name, ModelVersionRow.id)
    ).all()
    return [(r[0], Version.parse(r[1]), Stage(r[2])) for r in rows]


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """A model with its version count and the latest version in each stage."""

    name: str
    versions: int
    latest: Version | None
    by_stage: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "versions": self.versions,
            "latest": None if self.latest is None else str(self.latest),
            "stages": dict(self.by_stage),
        }


def list_models(s: Session, *, name: str | None = None) -> list[ModelSummary]:
    """Every model (or one), with counts and the latest version per stage."""
    stmt = select(ModelRow.id, ModelRow.name).order_by(ModelRow.name)
    if name is not None:
        stmt = stmt.where(ModelRow.name == name)
    out: list[ModelSummary] = []
    for pk, model_name in s.execute(stmt).all():
        count = s.scalar(
            select(func.count()).select_from(ModelVersionRow).where(ModelVersionRow.model_pk == pk)
        )
        by_stage: dict[str, str] = {}
        for stage in Stage:
            top = s.scalar(
                select(ModelVersionRow.version)
                .where(ModelVersionRow.model_pk == pk, ModelVersionRow.stage == str(stage))
                .order_by(
                    ModelVersionRow.major.desc(),
                    ModelVersionRow.minor.desc(),
                    ModelVersionRow.patch.desc(),
                    ModelVersionRow.is_release.desc(),
                    ModelVersionRow.id.desc(),
                )
                .limit(1)
            )
            if top is not None:
                by_stage[str(stage)] = top
        out.append(ModelSummary(model_name, int(count or 0), latest_version(s, pk), by_stage))
    return out
