"""MariaDB/MySQL with ``mariadb-dump --single-transaction`` (a consistent InnoDB snapshot without
locking writers) and the ``mariadb`` client to restore (``mysqldump``/``mysql`` where MariaDB's
names are absent)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final

from polaris.recovery.tools._urls import ServerUrl, with_database
from polaris.recovery.tools.interface import BackupFailed, require_program, run_tool

__all__ = ["MysqlTool"]

_EXAMPLE: Final = "mysql://user:password@host:3306/database"
_CREATE: Final = re.compile(rb"^CREATE TABLE `((?:[^`]|``)+)`")


def _parse(url: str) -> ServerUrl:
    server = ServerUrl.parse(url, kind="MySQL", schemes=("mysql", "mariadb"), example=_EXAMPLE)
    if not server.database:
        raise BackupFailed(f"the MySQL URL {server.without_password()} names no database")
    return server


def _client_args(server: ServerUrl) -> list[str]:
    args = [f"--host={server.host}", f"--port={server.port or 3306}"]
    if server.user:
        args.append(f"--user={server.user}")
    return args


def _env(server: ServerUrl) -> dict[str, str]:
    return {"MYSQL_PWD": server.password} if server.password else {}


def _connect(server: ServerUrl, database: str | None) -> Any:
    import pymysql

    try:
        return pymysql.connect(
            host=server.host,
            port=server.port or 3306,
            user=server.user or "root",
            password=server.password,
            database=database,
            autocommit=True,
            connect_timeout=10,
            # TLS on loopback protects nothing and costs ~80 ms per connection (a fresh context).
            ssl_disabled=server.host in ("127.0.0.1", "localhost", "::1"),
        )
    except pymysql.MySQLError as exc:
        raise BackupFailed(
            f"cannot connect to MySQL {server.without_password()}: {exc.args[-1]}"
        ) from None


class MysqlTool:
    """``mariadb-dump`` / ``mariadb``; scratch databases by CREATE/DROP DATABASE."""

    kind: ClassVar[str] = "mysql"
    tested: ClassVar[bool] = True

    def check(self) -> None:
        """A dump program and a client must be on PATH."""
        require_program(self.kind, "mariadb-dump", "mysqldump")
        require_program(self.kind, "mariadb", "mysql")

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """A SQL dump of the database, tables, routines and triggers, in one snapshot."""
        server = _parse(url)
        dump = require_program(self.kind, "mariadb-dump", "mysqldump")
        run_tool(
            [
                dump,
                *_client_args(server),
                "--single-transaction",
                "--routines",
                "--triggers",
                "--hex-blob",
                "--skip-dump-date",
                f"--result-file={dest}",
                server.database,
            ],
            what=f"mariadb-dump of {server.without_password()}",
            env=_env(server),
        )
        tables = _created_tables(dest)
        return {"format": "mysql-sql", "database": server.database, "tables": tables}

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """Feed the dump to the client connected to the target database.

        The dump is taken without ``--databases``: it holds no ``CREATE DATABASE``/``USE`` lines,
        so it restores into any database, whatever the source's name.

        The dump drops each table before creating it, so ``replace`` needs no extra step; MySQL
        DDL is not transactional, so a failure part-way leaves the tables restored so far.
        """
        del replace, details
        server = _parse(url)
        client = require_program(self.kind, "mariadb", "mysql")
        run_tool(
            [client, *_client_args(server), "--binary-mode", server.database],
            what=f"restore into {server.without_password()}",
            env=_env(server),
            stdin=dump,
        )

    def is_empty(self, url: str) -> bool:
        """No table in the database."""
        return not self.tables(url)

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        """A new database on the same server, dropped afterwards."""
        server = _parse(url)
        name = f"polaris_verify_{uuid.uuid4().hex[:12]}"
        with _connect(server, None) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
        try:
            yield with_database(url, name)
        finally:
            with _connect(server, None) as conn, conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")

    def summary(self, url: str) -> dict[str, Any]:
        """``{"tables": [...]}``: the tables restored."""
        return {"tables": self.tables(url)}

    def tables(self, url: str) -> list[str]:
        """The base tables of the database."""
        server = _parse(url)
        with _connect(server, None) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
                (server.database,),
            )
            return sorted(str(r[0]) for r in cur.fetchall())


def _created_tables(dump: Path) -> list[str]:
    """The tables a dump creates, line by line (a multi-line regex over the whole dump is ~10x
    slower: it tries every position of the extended-insert lines)."""
    tables = []
    with dump.open("rb") as fh:
        for line in fh:
            if line.startswith(b"CREATE TABLE `") and (m := _CREATE.match(line)):
                tables.append(m.group(1).decode().replace("``", "`"))
    return sorted(tables)
