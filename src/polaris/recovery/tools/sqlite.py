"""SQLite through the online backup API (``sqlite3.Connection.backup``): a consistent copy of a
live database, taken page by page without stopping its writers."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, ClassVar

from polaris.recovery.tools._urls import sqlite_file
from polaris.recovery.tools.interface import BackupFailed

__all__ = ["SqliteTool"]


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [str(r[0]) for r in rows]


class SqliteTool:
    """Backs up a SQLite file with the online backup API; restores by the same API."""

    kind: ClassVar[str] = "sqlite"
    tested: ClassVar[bool] = True

    def check(self) -> None:
        """Nothing to install: the backup API is in Python's ``sqlite3``."""

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """Copy the live database into ``dest`` (readers and writers keep going)."""
        path = sqlite_file(url)
        if not path.is_file():
            raise BackupFailed(f"SQLite backup failed: {path} does not exist")
        try:
            with (
                closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src,
                closing(sqlite3.connect(dest)) as dst,
            ):
                src.backup(dst)
                tables = _tables(dst)
        except sqlite3.Error as exc:
            raise BackupFailed(f"SQLite backup of {path} failed: {exc}") from None
        return {"format": "sqlite3", "tables": tables}

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """Copy the backup over the target file's pages (the whole database is replaced).

        ``replace`` needs no extra step: the backup API overwrites every page of the target.
        """
        del replace, details
        path = sqlite_file(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with (
                closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as src,
                closing(sqlite3.connect(path)) as dst,
            ):
                src.backup(dst)
        except sqlite3.Error as exc:
            raise BackupFailed(f"SQLite restore into {path} failed: {exc}") from None

    def is_empty(self, url: str) -> bool:
        """No file, or a file without tables."""
        path = sqlite_file(url)
        return not path.exists() or not self.tables(url)

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        """A database file in a temporary directory."""
        del url
        with tempfile.TemporaryDirectory(prefix="polaris-verify-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'scratch.db'}"

    def summary(self, url: str) -> dict[str, Any]:
        """``{"tables": [...]}``: the tables restored."""
        return {"tables": self.tables(url)}

    def tables(self, url: str) -> list[str]:
        """The tables of the database file."""
        path = sqlite_file(url)
        if not path.exists():
            return []
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                return _tables(conn)
        except sqlite3.Error as exc:
            raise BackupFailed(f"cannot read SQLite database {path}: {exc}") from None
