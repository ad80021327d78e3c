"""Governance services over a real database, with a settable clock and a governance directory.

Import: ``from tests._governance import gov, Clock  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

import polaris.governance  # noqa: F401 - every governance table is known to the truncation
from polaris.core.actors import Actor, Role
from polaris.settings import Settings
from polaris.wiring import Services, build_services

__all__ = ["ADMIN", "Clock", "Gov", "dev", "gov"]

ADMIN = Actor("root", Role.ADMIN)
EXAMPLE = Path(__file__).parents[1] / "examples" / "aiops-polaris"

#: The people of the walk-through, with the document's roles.
PEOPLE = {
    "dev": ["senior_developer"],
    "ann": ["tech_lead"],
    "pat": ["product_manager"],
    "sam": ["senior_developer"],
    "sec": ["security_team"],
    "qa": ["qa_team"],
    "eve": ["engineering_manager"],
    "arc": ["architecture_team"],
    "cto": ["cto"],
    "tl2": ["tech_lead", "senior_developer"],
}


def dev(name: str) -> Actor:
    """``name`` acting with a developer token."""
    return Actor(name, Role.DEVELOPER)


class Clock:
    """A settable UTC clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Gov:
    """The services, their clock and the governance directory."""

    services: Services
    clock: Clock
    directory: Path

    def __getattr__(self, name: str) -> object:
        return getattr(self.services.governance, name)


@pytest.fixture
def gov(migrated_db_url: str, tmp_path: Path) -> Iterator[Gov]:  # noqa: F811 - fixture
    """Services over SQLite, then PostgreSQL; the example's schedule; the people above."""
    directory = tmp_path / "platform"
    directory.mkdir()
    (directory / "release_schedule.yml").write_text((EXAMPLE / "release_schedule.yml").read_text())
    settings = Settings(
        home=tmp_path, database_url=migrated_db_url, governance_dir=directory, db_pool_size=10
    )
    services = build_services(settings)
    clock = Clock(datetime(2025, 9, 1, 9, tzinfo=UTC))
    g = services.governance
    for svc in (g.users, g.approvals, g.calendar, g.outbox, g.checklists):
        svc.clock = clock  # type: ignore[misc]
    services.registry.clock = clock
    for name, roles in PEOPLE.items():
        g.users.add(name, roles, actor=ADMIN, email=f"{name}@example.com")
    yield Gov(services, clock, directory)
    services.close()
