"""API versions and their lifecycle: a :class:`~polaris.apis.lifecycle.Catalog` per API name.

:class:`StoredLifecycle` implements :class:`~polaris.apis.lifecycle.LifecycleRepository` inside
the caller's session: ``load`` reads (and, when asked, locks) one API's catalog, ``save`` writes
only the records that differ. Nothing here commits: the service owning the transaction does, so a
lifecycle move, its audit event and the lock that serialises it share one transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polaris.apis.lifecycle import APIVersion, APIVersionState, Catalog, LifecyclePolicy
from polaris.core.errors import InvalidInput, Location, NotFound
from polaris.store.tables import ApiRow, ApiVersionRow

__all__ = [
    "StoredLifecycle",
    "api_version_from_dict",
    "api_version_to_dict",
    "check_api_name",
    "load_catalogs",
]

_API_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def check_api_name(name: str) -> str:
    """An API name: lowercase letters, digits, ``.``, ``_``, ``-`` (``incidents``)."""
    if not _API_NAME.fullmatch(name):
        raise InvalidInput(
            f"{name!r} is not an API name",
            location=Location(field="api"),
            hint="lowercase letters, digits, '.', '_' and '-', at most 100 characters",
        )
    return name


def api_version_to_dict(v: APIVersion) -> dict[str, Any]:
    """The JSON form of a record (the same keys as the CLI's ``--json`` in file mode)."""
    return {
        "version": v.version,
        "state": v.state.value,
        "introduced": v.introduced.isoformat() if v.introduced else None,
        "deprecated_on": v.deprecated_on.isoformat() if v.deprecated_on else None,
        "retires_on": v.retires_on.isoformat() if v.retires_on else None,
        "planned_release": v.planned_release.isoformat() if v.planned_release else None,
        "breaking_changes": list(v.breaking_changes),
        "migration_guide": v.migration_guide,
        "sunset_link": v.sunset_link,
        "replacement": v.replacement,
        "compatible_clients": list(v.compatible_clients),
        "backward_compatible_with": list(v.backward_compatible_with),
    }


def api_version_from_dict(d: dict[str, Any]) -> APIVersion:
    """The record of :func:`api_version_to_dict`'s JSON form."""

    def day(key: str) -> date | None:
        value = d.get(key)
        return None if value is None else date.fromisoformat(str(value))

    return APIVersion(
        str(d["version"]),
        APIVersionState(d["state"]),
        introduced=day("introduced"),
        deprecated_on=day("deprecated_on"),
        retires_on=day("retires_on"),
        planned_release=day("planned_release"),
        breaking_changes=tuple(d.get("breaking_changes") or ()),
        migration_guide=d.get("migration_guide"),
        sunset_link=d.get("sunset_link"),
        replacement=d.get("replacement"),
        compatible_clients=tuple(d.get("compatible_clients") or ()),
        backward_compatible_with=tuple(d.get("backward_compatible_with") or ()),
    )


def _to_core(r: ApiVersionRow) -> APIVersion:
    return APIVersion(
        r.version,
        APIVersionState(r.state),
        introduced=r.introduced,
        deprecated_on=r.deprecated_on,
        retires_on=r.retires_on,
        planned_release=r.planned_release,
        breaking_changes=tuple(r.breaking_changes),
        migration_guide=r.migration_guide,
        sunset_link=r.sunset_link,
        replacement=r.replacement,
        compatible_clients=tuple(r.compatible_clients),
        backward_compatible_with=tuple(r.backward_compatible_with),
    )


def _fill(row: ApiVersionRow, v: APIVersion, now: datetime) -> None:
    row.state = v.state.value
    row.introduced = v.introduced
    row.deprecated_on = v.deprecated_on
    row.retires_on = v.retires_on
    row.planned_release = v.planned_release
    row.breaking_changes = list(v.breaking_changes)
    row.migration_guide = v.migration_guide
    row.sunset_link = v.sunset_link
    row.replacement = v.replacement
    row.compatible_clients = list(v.compatible_clients)
    row.backward_compatible_with = list(v.backward_compatible_with)
    row.updated_at = now


def _policy(row: ApiRow) -> LifecyclePolicy:
    return LifecyclePolicy(
        notice=timedelta(days=row.notice_days), retirement_after=timedelta(days=row.retirement_days)
    )


class StoredLifecycle:
    """:class:`~polaris.apis.lifecycle.LifecycleRepository` over one API's rows in a session.

    :param create: make the API row on first use (writes); else a missing API is an empty catalog.
    :param lock: lock the API row for this transaction (PostgreSQL ``SELECT ... FOR UPDATE``;
        SQLite's ``BEGIN IMMEDIATE`` write transaction already serialises writers).
    """

    def __init__(
        self, s: Session, api: str, *, now: datetime, create: bool = False, lock: bool = False
    ) -> None:
        self.s = s
        self.api = check_api_name(api)
        self.now = now
        self.create = create
        self.lock = lock
        self._row: ApiRow | None = None
        self.saved: list[tuple[APIVersion | None, APIVersion | None]] = []
        """``(before, after)`` of every record the last :meth:`save` changed."""

    def _api_row(self) -> ApiRow | None:
        if self._row is not None:
            return self._row
        stmt = select(ApiRow).where(ApiRow.name == self.api)
        if self.lock:
            stmt = stmt.with_for_update()
        row = self.s.scalar(stmt)
        if row is None and self.create:
            default = LifecyclePolicy()
            try:
                with self.s.begin_nested():
                    self.s.add(
                        ApiRow(
                            name=self.api,
                            notice_days=default.notice.days,
                            retirement_days=default.retirement_after.days,
                            created_at=self.now,
                        )
                    )
            except IntegrityError:
                pass  # created by a concurrent transaction; read (and lock) it below
            row = self.s.scalar(stmt)
        self._row = row
        return row

    def _rows(self, api_pk: int) -> dict[str, ApiVersionRow]:
        rows = self.s.scalars(select(ApiVersionRow).where(ApiVersionRow.api_pk == api_pk)).all()
        return {r.version: r for r in rows}

    def load(self) -> Catalog:
        """The API's catalog (empty, with the default policy, when the API is unknown)."""
        row = self._api_row()
        if row is None:
            return Catalog()
        return Catalog.of((_to_core(r) for r in self._rows(row.id).values()), _policy(row))

    def save(self, catalog: Catalog) -> None:
        """Write the records of ``catalog`` that differ from the stored ones (in the session)."""
        row = self._api_row()
        if row is None:
            raise NotFound(f"API {self.api} is not registered", location=Location(field="api"))
        row.notice_days = catalog.policy.notice.days
        row.retirement_days = catalog.policy.retirement_after.days
        stored = self._rows(row.id)
        self.saved = []
        for name in set(stored) - set(catalog.versions):
            self.saved.append((_to_core(stored[name]), None))
            self.s.execute(delete(ApiVersionRow).where(ApiVersionRow.id == stored[name].id))
        for record in catalog:
            existing = stored.get(record.version)
            before = None if existing is None else _to_core(existing)
            if before == record:
                continue
            if existing is None:
                existing = ApiVersionRow(api_pk=row.id, version=record.version)
                self.s.add(existing)
            _fill(existing, record, self.now)
            self.saved.append((before, record))
        self.s.flush()


def load_catalogs(s: Session) -> dict[str, Catalog]:
    """Every API's catalog by name, in two queries (the dashboard's overview)."""
    apis = s.scalars(select(ApiRow).order_by(ApiRow.name)).all()
    by_pk: dict[int, list[APIVersion]] = {a.id: [] for a in apis}
    for r in s.scalars(select(ApiVersionRow)).all():
        by_pk[r.api_pk].append(_to_core(r))
    return {a.name: Catalog.of(by_pk[a.id], _policy(a)) for a in apis}
