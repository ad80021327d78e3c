"""API services over the repository interface (an in-memory repository, as the registry will be)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from polaris.apis.lifecycle import APIVersionState, Catalog
from polaris.apis.service import APIVersionsService, diff_apis
from polaris.core.errors import Conflict, InvalidInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris" / "api"


class MemoryRepository:
    """A LifecycleRepository kept in memory; counts saves."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or Catalog()
        self.saves = 0

    def load(self) -> Catalog:
        return self.catalog

    def save(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.saves += 1


def _service(repo: MemoryRepository, today: date = date(2026, 2, 1)) -> APIVersionsService:
    return APIVersionsService(repo, today=lambda: today)


def test_lifecycle_through_any_repository() -> None:
    """The service only needs load/save: each step saves once, dry runs never."""
    repo = MemoryRepository()
    svc = _service(repo)
    svc.register("v1", breaking_changes=["JWT"])
    svc.activate("v1")
    outcome = svc.deprecate("v1", migration_guide="https://x/guide", dry_run=True)
    assert outcome.after is not None
    assert outcome.after.state is APIVersionState.DEPRECATED
    assert not outcome.written
    assert repo.saves == 2
    assert ("state", APIVersionState.ACTIVE, APIVersionState.DEPRECATED) in outcome.changes
    svc.deprecate("v1")
    assert repo.catalog.get("v1").retires_on == date(2026, 7, 31)
    with pytest.raises(Conflict):
        svc.retire("v1")
    assert [v.version for v in svc.versions()] == ["v1"]


def test_import_is_all_or_nothing(tmp_path: Path) -> None:
    """An import whose result is inconsistent writes nothing."""
    bad = tmp_path / "bad.yml"
    bad.write_text("api_compatibility_matrix:\n  v1: {status: active, replacement: v7}\n")
    repo = MemoryRepository()
    with pytest.raises(InvalidInput, match="replacement v7 is not declared"):
        _service(repo).import_matrix(bad)
    assert repo.saves == 0


def test_diff_service_gives_next_version() -> None:
    """diff_apis loads both specs and computes the next version."""
    result = diff_apis(
        EXAMPLES / "incidents-v1.yaml", EXAMPLES / "incidents-v2.yaml", current="1.4.0"
    )
    assert result.report.bump == "major"
    assert str(result.next) == "2.0.0"
    assert result.report.breaking
