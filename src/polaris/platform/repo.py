"""Platform releases and their component pins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from polaris.core.errors import Conflict, Location, NotFound
from polaris.core.semver import Version
from polaris.platform.rules import PlatformRelease, ReleasePin
from polaris.store.tables import (
    ComponentRow,
    ComponentVersionRow,
    ModelRow,
    ModelVersionRow,
    ReleaseItemRow,
    ReleaseRow,
)

__all__ = [
    "add_release",
    "get_release",
    "latest_release",
    "list_component_versions",
    "list_model_dependencies",
    "list_releases",
    "unregistered_models",
]


def add_release(s: Session, rel: PlatformRelease) -> None:
    """Record a platform release and its pins; :class:`Conflict` if the version exists."""
    if s.scalar(select(ReleaseRow.id).where(ReleaseRow.version == str(rel.version))) is not None:
        raise Conflict(
            f"platform release {rel.version} already exists", location=Location(field="version")
        )
    row = ReleaseRow(
        version=str(rel.version),
        created_at=rel.created_at,
        created_by=rel.created_by,
        notes=rel.notes,
    )
    s.add(row)
    s.flush()
    for pin in rel.pins:
        comp = s.scalar(select(ComponentRow).where(ComponentRow.name == pin.name))
        if comp is None:
            comp = ComponentRow(name=pin.name, kind=pin.kind, created_at=rel.created_at)
            s.add(comp)
            s.flush()
        if (
            s.scalar(
                select(ComponentVersionRow.id).where(
                    ComponentVersionRow.component_pk == comp.id,
                    ComponentVersionRow.version == str(pin.version),
                )
            )
            is None
        ):
            s.add(
                ComponentVersionRow(
                    component_pk=comp.id, version=str(pin.version), created_at=rel.created_at
                )
            )
        s.add(
            ReleaseItemRow(
                release_pk=row.id, name=pin.name, kind=pin.kind, version=str(pin.version)
            )
        )
    s.flush()


def _release_to_core(s: Session, row: ReleaseRow) -> PlatformRelease:
    items = s.scalars(select(ReleaseItemRow).where(ReleaseItemRow.release_pk == row.id)).all()
    return PlatformRelease(
        version=Version.parse(row.version),
        created_at=row.created_at,
        created_by=row.created_by,
        notes=row.notes,
        pins=tuple(ReleasePin(i.name, i.kind, Version.parse(i.version)) for i in items),
    )


def get_release(s: Session, version: Version) -> PlatformRelease:
    """One release; :class:`NotFound` if absent."""
    row = s.scalar(select(ReleaseRow).where(ReleaseRow.version == str(version)))
    if row is None:
        raise NotFound(f"platform release {version} not found", location=Location(field="version"))
    return _release_to_core(s, row)


def list_releases(s: Session) -> list[PlatformRelease]:
    """Every release, highest version first."""
    rows = s.scalars(select(ReleaseRow)).all()
    rels = [_release_to_core(s, r) for r in rows]
    return sorted(rels, key=lambda r: r.version, reverse=True)


def latest_release(s: Session) -> PlatformRelease | None:
    """The highest platform release, if any."""
    rels = list_releases(s)
    return rels[0] if rels else None


def list_component_versions(s: Session) -> list[tuple[str, str, Version]]:
    """Every component version the registry knows from releases: ``(name, kind, version)``."""
    rows = s.execute(
        select(ComponentRow.name, ComponentRow.kind, ComponentVersionRow.version).join(
            ComponentVersionRow, ComponentVersionRow.component_pk == ComponentRow.id
        )
    ).all()
    return [(name, kind, Version.parse(v)) for name, kind, v in rows]


def list_model_dependencies(s: Session) -> list[tuple[str, Version, str, tuple[str, ...]]]:
    """Every model version with its stage and dependencies: ``(name, version, stage, deps)``."""
    rows = s.execute(
        select(
            ModelRow.name,
            ModelVersionRow.version,
            ModelVersionRow.stage,
            ModelVersionRow.dependencies,
        ).join(ModelVersionRow, ModelVersionRow.model_pk == ModelRow.id)
    ).all()
    return [
        (name, Version.parse(v), stage, tuple(str(d) for d in deps or ()))
        for name, v, stage, deps in rows
    ]


def unregistered_models(s: Session, pins: list[ReleasePin]) -> list[ReleasePin]:
    """The model pins whose version is not in the registry, every one of them."""
    from polaris.models import repo as model_repo

    missing: list[ReleasePin] = []
    for pin in pins:
        if pin.kind != "model":
            continue
        try:
            model_repo.get_version(s, pin.name, pin.version)
        except NotFound:
            missing.append(pin)
    return missing
