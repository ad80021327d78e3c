"""Connection URLs taken apart for the command-line tools (passwords go in the environment).

A password written in a URL would show in the process list of ``pg_dump``/``mariadb-dump``; the
tools get it through ``PGPASSWORD``/``MYSQL_PWD``/``REDISCLI_AUTH`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from polaris.core.errors import InvalidInput, Location

__all__ = ["ServerUrl", "redact", "sqlite_file", "with_database"]


def _bad(kind: str, url: str, example: str) -> InvalidInput:
    return InvalidInput(
        f"not a {kind} URL: {redact(url)!r}",
        location=Location(field="url"),
        hint=f"write {example}",
    )


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def sqlite_file(url: str) -> Path:
    """The file of ``sqlite:///rel.db``, ``sqlite:////abs.db`` (``+pysqlite`` allowed) or a path."""
    if "://" not in url:
        return Path(url)
    scheme, sep, rest = url.partition(":///")
    if not sep or scheme.split("+")[0] != "sqlite" or not rest or rest == ":memory:":
        raise _bad("SQLite", url, "sqlite:////absolute/path.db")
    return Path(rest)


def with_database(url: str, database: str) -> str:
    """``url`` naming another database (or Redis db number) on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@dataclass(frozen=True, slots=True)
class ServerUrl:
    """A networked database's URL, split: host, port, user, password, database."""

    scheme: str
    host: str
    port: int | None
    user: str
    password: str
    database: str
    query: str

    @classmethod
    def parse(cls, url: str, *, kind: str, schemes: tuple[str, ...], example: str) -> ServerUrl:
        """Split ``url``; its scheme (without ``+driver``) must be one of ``schemes``."""
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in schemes or not parts.hostname:
            raise _bad(kind, url, example)
        return cls(
            scheme=parts.scheme.split("+")[0],
            host=parts.hostname,
            port=parts.port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")),
            query=parts.query,
        )

    def without_password(self) -> str:
        """The URL with no password and no ``+driver`` (for libpq and logs)."""
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return urlunsplit(
            (self.scheme, f"{user}{self.host}{port}", f"/{self.database}", self.query, "")
        )
