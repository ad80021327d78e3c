"""The SQL dialects Polaris runs migrations on, and the migration layouts it reads, by name.

Shared by the project file (``[databases]``), the migration engine and everything that backs up
or inspects a database.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["DIALECTS", "MIGRATION_FORMATS", "Dialect", "MigrationFormat"]

Dialect = Literal["sqlite", "postgresql", "mysql"]
DIALECTS: Final[tuple[Dialect, ...]] = ("sqlite", "postgresql", "mysql")

#: Migration folder layouts Polaris reads in place: its own (the seed's) and other tools'.
MigrationFormat = Literal["seed", "golang-migrate", "flyway", "goose", "dbmate"]
MIGRATION_FORMATS: Final[tuple[MigrationFormat, ...]] = (
    "seed",
    "golang-migrate",
    "flyway",
    "goose",
    "dbmate",
)
