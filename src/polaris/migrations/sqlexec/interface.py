"""The port a database under migration implements: lock, tracking table, run statements.

One :class:`Executor` per connection. The service decides *what* to run
(``polaris.migrations.rules``); an executor knows *how* on its database: the session-level lock, the
``schema_migrations`` DDL and placeholders, and whether a failed migration can be rolled back
(transactional DDL) or must be recorded as failed part-way (MySQL/MariaDB: DDL commits implicitly).

Errors::

    PolarisError
    ├── SqlExecError (CheckFailed)       a database operation failed: exit 1
    │   ├── ConnectError                 cannot connect, or the URL is malformed
    │   └── MigrationFailed              a statement failed; names migration, statement, line
    └── LockTimeout (Conflict)           another runner holds the lock; says who
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from polaris.core.errors import CheckFailed, Conflict, Location
from polaris.migrations.effects import Effect
from polaris.migrations.rules import AppliedRecord
from polaris.migrations.sql_split import Dialect

__all__ = [
    "TABLE",
    "ConnectError",
    "Executor",
    "LockTimeout",
    "MigrationFailed",
    "RunStatements",
    "SqlExecError",
    "redact_url",
]

#: The tracking table (seed 6.1.1), extended with checksum, state and progress columns.
TABLE: Final = "schema_migrations"
_IDENT: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class SqlExecError(CheckFailed):
    """A database operation failed."""

    slug = "sql-exec"


class ConnectError(SqlExecError):
    """The database cannot be reached, or its URL is malformed."""

    slug = "sql-connect"


class MigrationFailed(SqlExecError):
    """A statement of a migration failed.

    ``index`` is the 0-based statement that failed; ``recorded`` tells whether the failure was
    written to the tracking table (MySQL) or rolled back entirely (PostgreSQL, SQLite).
    """

    slug = "migration-failed"

    def __init__(
        self,
        message: str,
        *,
        version: str,
        index: int,
        statement: str,
        recorded: bool,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        self.version = version
        self.index = index
        self.statement = statement
        self.recorded = recorded
        super().__init__(message, location=location, hint=hint)


class LockTimeout(Conflict):
    """Another runner holds the migration lock."""

    slug = "schema-locked"


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))


@dataclass(frozen=True, slots=True)
class RunStatements:
    """A migration's statements to run, with where they come from (for error messages)."""

    version: str
    statements: tuple[str, ...]
    #: 1-based line in the migration file of each statement.
    lines: tuple[int, ...]
    path: str = ""
    #: False: run outside a transaction (goose NO TRANSACTION, dbmate transaction:false); the
    #: row then tracks progress statement by statement, as on MySQL.
    transaction: bool = True


class Executor(ABC):
    """One connection to a database under migration.

    Use as a context manager (closes the connection). Every write method runs in the caller's
    :meth:`lock`.
    """

    dialect: Dialect
    #: Whether DDL runs inside a transaction that can be rolled back.
    transactional_ddl: bool
    table: str = TABLE

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def check_identifier(name: str) -> str:
        """``name`` if it is a plain SQL identifier (table names are never user SQL)."""
        if not _IDENT.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
        return name

    @abstractmethod
    def close(self) -> None:
        """Close the connection (releasing any lock it holds)."""

    @abstractmethod
    def lock(self, timeout: float, owner: str) -> AbstractContextManager[None]:
        """Hold the session-level migration lock for the ``with`` block.

        :param owner: who is asking (user@host pid), shown to the runners it blocks where the
            database can tell.
        :raises LockTimeout: not acquired within ``timeout`` seconds; the message says who holds it.
        """

    @abstractmethod
    def ensure_table(self) -> None:
        """Create ``schema_migrations`` if absent, adding missing columns to an older one."""

    @abstractmethod
    def records(self) -> list[AppliedRecord]:
        """Every tracking row, oldest first (empty when the table does not exist)."""

    @abstractmethod
    def apply(
        self, run: RunStatements, record: AppliedRecord, *, start: int = 0, replace: bool = True
    ) -> AppliedRecord:
        """Run ``run.statements[start:]`` and write ``record`` (state ``applied``) for it.

        ``replace=False`` promises the row does not exist yet (one statement fewer per migration).

        Where DDL is transactional, the statements and the row are one transaction and a failure
        leaves nothing behind. Elsewhere the row tracks progress statement by statement and a
        failure leaves it ``failed`` with the statement that failed.

        :returns: the row as written (with ``execution_ms``).
        :raises MigrationFailed: a statement failed.
        """

    @abstractmethod
    def revert(self, run: RunStatements, record: AppliedRecord) -> None:
        """Run the down statements and delete the row (one transaction where possible).

        :raises MigrationFailed: a statement failed; on MySQL the row is left ``failed``.
        """

    @abstractmethod
    def write_records(self, records: Sequence[AppliedRecord]) -> None:
        """Insert or replace rows (baseline, repair), in one transaction."""

    @abstractmethod
    def delete_record(self, version: str) -> None:
        """Delete one row."""

    def effect_holds(self, effect: Effect) -> bool | None:
        """Whether the catalogue shows ``effect``; None where this database cannot tell.

        Only databases whose DDL commits as it runs (MySQL) need it: elsewhere an interrupted
        migration leaves nothing behind.
        """
        return None

    @abstractmethod
    def read_table(self, name: str) -> tuple[set[str], list[dict[str, object]]] | None:
        """Columns and rows of table ``name`` (another tool's history); None if it is absent."""

    @abstractmethod
    def rename_table(self, old: str, new: str) -> None:
        """Rename a table (another tool's history, kept beside Polaris's)."""


def iter_chunks(seq: Sequence[str], start: int) -> Iterator[tuple[int, str]]:
    """``(index, item)`` from ``start`` on."""
    for i in range(start, len(seq)):
        yield i, seq[i]
