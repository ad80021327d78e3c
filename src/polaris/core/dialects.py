"""The SQL dialects Polaris runs migrations on, by their canonical names.

Shared by the project file (``[databases]``), the migration engine and everything that backs up
or inspects a database.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["DIALECTS", "Dialect"]

Dialect = Literal["sqlite", "postgresql", "mysql"]
DIALECTS: Final[tuple[Dialect, ...]] = ("sqlite", "postgresql", "mysql")
