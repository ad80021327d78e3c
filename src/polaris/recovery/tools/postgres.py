"""PostgreSQL with ``pg_dump -Fc`` (custom format: compressed, selective restore) and
``pg_restore --single-transaction`` (a failed restore leaves the target as it was)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final

from polaris.recovery.tools._urls import ServerUrl, with_database
from polaris.recovery.tools.interface import BackupFailed, require_program, run_tool

__all__ = ["PostgresTool"]

_EXAMPLE: Final = "postgresql://user:password@host:5432/database"
#: ``pg_restore -l`` lines naming table data: ``123; 0 16390 TABLE DATA public orders owner``.
_TABLE_DATA: Final = re.compile(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ")
_USER_TABLES: Final = (
    "SELECT schemaname || '.' || tablename FROM pg_tables "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
)


def _parse(url: str) -> ServerUrl:
    return ServerUrl.parse(
        url, kind="PostgreSQL", schemes=("postgresql", "postgres"), example=_EXAMPLE
    )


def _env(server: ServerUrl) -> dict[str, str]:
    return {"PGPASSWORD": server.password} if server.password else {}


def _connect(url: str) -> Any:
    import psycopg

    server = _parse(url)
    try:
        return psycopg.connect(
            server.without_password(),
            password=server.password or None,
            autocommit=True,
            connect_timeout=10,
        )
    except psycopg.Error as exc:
        raise BackupFailed(
            f"cannot connect to PostgreSQL {server.without_password()}: "
            + " ".join(str(exc).split())
        ) from None


class PostgresTool:
    """``pg_dump -Fc`` / ``pg_restore``; scratch databases by CREATE/DROP DATABASE."""

    kind: ClassVar[str] = "postgresql"
    tested: ClassVar[bool] = True

    def check(self) -> None:
        """``pg_dump`` and ``pg_restore`` must be on PATH."""
        require_program(self.kind, "pg_dump")
        require_program(self.kind, "pg_restore")

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """One consistent snapshot (``pg_dump`` runs in one repeatable-read transaction)."""
        server = _parse(url)
        pg_dump = require_program(self.kind, "pg_dump")
        run_tool(
            [
                pg_dump,
                "-Fc",
                "--no-owner",
                "--no-privileges",
                "-f",
                str(dest),
                "--dbname",
                server.without_password(),
            ],
            what=f"pg_dump of {server.without_password()}",
            env=_env(server),
        )
        return {
            "format": "pg_dump-custom",
            "database": server.database,
            "tables": self._listed(dest),
        }

    def _listed(self, dump: Path) -> list[str]:
        pg_restore = require_program(self.kind, "pg_restore")
        out = run_tool([pg_restore, "-l", str(dump)], what="pg_restore -l")
        return sorted(
            f"{m.group(1)}.{m.group(2)}" for ln in out.splitlines() if (m := _TABLE_DATA.match(ln))
        )

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """``pg_restore`` in one transaction; ``--clean --if-exists`` when replacing."""
        del details
        server = _parse(url)
        pg_restore = require_program(self.kind, "pg_restore")
        args = [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ]
        if replace:
            args += ["--clean", "--if-exists"]
        run_tool(
            [*args, "--dbname", server.without_password(), str(dump)],
            what=f"pg_restore into {server.without_password()}",
            env=_env(server),
        )

    def is_empty(self, url: str) -> bool:
        """No user table in any schema."""
        return not self.tables(url)

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        """A new database on the same server, dropped (``WITH (FORCE)``) afterwards."""
        name = f"polaris_verify_{uuid.uuid4().hex[:12]}"
        with _connect(url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        try:
            yield with_database(url, name)
        finally:
            with _connect(url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

    def summary(self, url: str) -> dict[str, Any]:
        """``{"tables": [...]}``: the tables restored."""
        return {"tables": self.tables(url)}

    def tables(self, url: str) -> list[str]:
        """``schema.table`` for every user table."""
        with _connect(url) as conn:
            return [str(r[0]) for r in conn.execute(_USER_TABLES.encode()).fetchall()]
