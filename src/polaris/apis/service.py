"""API use cases: diff two OpenAPI documents (or two GraphQL schemas), move API versions through
their lifecycle, answer client-compatibility questions.

The lifecycle works against any :class:`~polaris.apis.lifecycle.LifecycleRepository`: the
``api-versions.yml`` file today (:class:`~polaris.apis.versions_file.APIVersionsFile`), the
registry once it exists. Every write is all-or-nothing, and ``dry_run`` computes the same outcome
without writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from polaris.apis.clients import ClientCompatibility, ClientMatrix
from polaris.apis.lifecycle import APIVersion, Catalog, LifecycleRepository
from polaris.apis.openapi_diff import DiffReport, Impact, diff_openapi
from polaris.apis.openapi_loader import OpenAPIDocument, load_openapi, read_levels, read_source
from polaris.apis.versions_file import APIVersionsFile, read_matrix
from polaris.core.errors import InvalidInput, Location
from polaris.core.semver import Version

__all__ = [
    "APIDiff",
    "APIVersionsService",
    "LifecycleOutcome",
    "check_client",
    "diff_apis",
]


@dataclass(frozen=True, slots=True)
class APIDiff:
    """A diff and what it means for the version number."""

    old: str
    new: str
    report: DiffReport
    current: Version | None = None
    next: Version | None = None


def diff_apis(
    old: str | Path,
    new: str | Path,
    *,
    levels: str | Path | None = None,
    current: str | None = None,
    validate: bool = True,
    client: httpx.Client | None = None,
) -> APIDiff:
    """Load, validate and resolve both documents, then classify every change.

    GraphQL SDL files (``.graphql``, ``.gql``) are compared with the GraphQL rules; both
    documents must then be SDL (``validate`` does not apply: building a schema validates it).
    """
    overrides: dict[str, Impact | None] = read_levels(levels) if levels else {}
    cur = Version.parse(current) if current else None
    from polaris.apis.graphql_diff import is_graphql_source

    kinds = (is_graphql_source(str(old)), is_graphql_source(str(new)))
    if any(kinds):
        if not all(kinds):
            other = str(new) if kinds[0] else str(old)
            raise InvalidInput(
                "cannot compare a GraphQL schema with an OpenAPI document",
                location=Location(file=other),
                hint="give two .graphql/.gql files or two OpenAPI documents",
            )
        report = _diff_graphql(str(old), str(new), overrides, client)
        return APIDiff(str(old), str(new), report, cur, report.next_version(cur) if cur else None)
    a: OpenAPIDocument = load_openapi(old, validate=validate, client=client)
    b: OpenAPIDocument = load_openapi(new, validate=validate, client=client)
    report = diff_openapi(a.document, b.document, levels=overrides)
    return APIDiff(str(old), str(new), report, cur, report.next_version(cur) if cur else None)


def _diff_graphql(
    old: str, new: str, levels: dict[str, Impact | None], client: httpx.Client | None
) -> DiffReport:
    from polaris.apis.graphql_diff import diff_graphql, parse_graphql

    a = parse_graphql(read_source(old, client), source=old)
    b = parse_graphql(read_source(new, client), source=new)
    return diff_graphql(a, b, levels=levels)


@dataclass(frozen=True, slots=True)
class LifecycleOutcome:
    """What a lifecycle command did (or, with ``dry_run``, would do)."""

    action: str
    version: str
    before: APIVersion | None
    after: APIVersion | None
    changes: tuple[tuple[str, Any, Any], ...]
    """``(field, old value, new value)`` for every field that differs."""
    written: bool


def _field_changes(a: APIVersion | None, b: APIVersion | None) -> tuple[tuple[str, Any, Any], ...]:
    out = []
    for f in fields(APIVersion):
        old = getattr(a, f.name) if a is not None else None
        new = getattr(b, f.name) if b is not None else None
        if old != new and (old or new):
            out.append((f.name, old, new))
    return tuple(out)


class APIVersionsService:
    """Lifecycle use cases over one repository."""

    def __init__(
        self, repo: LifecycleRepository, *, today: Callable[[], date] | None = None
    ) -> None:
        self.repo = repo
        self.today = today or (lambda: datetime.now(UTC).date())

    def versions(self) -> list[APIVersion]:
        """Every registered version, oldest first."""
        return list(self.repo.load())

    def _apply(
        self, action: str, version: str, step: Callable[[Catalog], Catalog], dry_run: bool
    ) -> LifecycleOutcome:
        before_cat = self.repo.load()
        after_cat = step(before_cat)
        name = after_cat.get(version).version
        before = before_cat.versions.get(name)
        after = after_cat.versions[name]
        if not dry_run:
            self.repo.save(after_cat)
        changes = _field_changes(before, after)
        return LifecycleOutcome(action, name, before, after, changes, not dry_run)

    def register(
        self,
        version: str,
        *,
        breaking_changes: Iterable[str] = (),
        planned_release: date | None = None,
        migration_guide: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        """Register a new version in development."""
        today = self.today()
        bc = tuple(breaking_changes)

        def step(c: Catalog) -> Catalog:
            return c.register(
                version,
                today,
                breaking_changes=bc,
                planned_release=planned_release,
                migration_guide=migration_guide,
            )

        return self._apply("register", version, step, dry_run)

    def activate(self, version: str, *, dry_run: bool = False) -> LifecycleOutcome:
        """development -> active."""
        today = self.today()
        return self._apply("activate", version, lambda c: c.activate(version, today), dry_run)

    def deprecate(
        self,
        version: str,
        *,
        on: date | None = None,
        sunset: date | None = None,
        migration_guide: str | None = None,
        replacement: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        """active -> deprecated, with deprecation and retirement dates."""
        today = self.today()

        def step(c: Catalog) -> Catalog:
            return c.deprecate(
                version,
                today,
                on=on,
                sunset=sunset,
                migration_guide=migration_guide,
                replacement=replacement,
            )

        return self._apply("deprecate", version, step, dry_run)

    def retire(
        self, version: str, *, force: bool = False, dry_run: bool = False
    ) -> LifecycleOutcome:
        """deprecated -> retired (after the notice period unless forced)."""
        today = self.today()
        step: Callable[[Catalog], Catalog] = lambda c: c.retire(version, today, force=force)  # noqa: E731
        return self._apply("retire", version, step, dry_run)

    def import_matrix(self, source: str | Path, *, dry_run: bool = False) -> list[LifecycleOutcome]:
        """Merge the versions of a seed-shaped ``api_compatibility_matrix`` file into the store.

        Imported records replace stored ones of the same name; the result is checked as a whole
        and written at once.
        """
        imported = read_matrix(source).catalog
        current = self.repo.load()
        merged = dict(current.versions)
        merged.update(imported.versions)
        result = Catalog.of(merged.values(), current.policy)
        outcomes = [
            LifecycleOutcome(
                "import",
                name,
                current.versions.get(name),
                record,
                _field_changes(current.versions.get(name), record),
                not dry_run,
            )
            for name, record in imported.versions.items()
        ]
        if not dry_run:
            self.repo.save(result)
        return outcomes


def check_client(
    matrix: ClientMatrix | APIVersionsFile, client: str, version: str, api_version: str
) -> ClientCompatibility:
    """How well ``client`` at ``version`` works with ``api_version``."""
    if isinstance(matrix, APIVersionsFile):
        matrix = matrix.load_clients()
    return matrix.check(client, version, api_version)
