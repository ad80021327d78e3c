"""The databases of a platform, read from ``[databases.<name>]`` in ``polaris.toml``.

::

    [databases.mysql]
    dialect = "mysql"                 # "sqlite" | "postgresql" | "mysql" (MariaDB too)
    url_env = "AIOPS_MYSQL_URL"       # the URL is read from this variable, never from the file
    directory = "migrations/mysql"    # default: migrations/<name>, relative to polaris.toml
    lock_timeout = 30                 # seconds to wait for another runner (default 30)
    format = "seed"                   # or "golang-migrate" | "flyway" | "goose" | "dbmate"

    [databases.mysql.platform_versions]   # for `polaris schema sync --platform-version X`
    "2.0.0" = "003"
    "2.1.0" = "004"

In ``pyproject.toml`` the same tables sit under ``[tool.polaris.databases.<name>]``. Errors name the
file, the line and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from polaris.core.dialects import DIALECTS, Dialect
from polaris.core.dialects import MIGRATION_FORMATS as FORMATS
from polaris.core.dialects import MigrationFormat as Format
from polaris.core.errors import ConfigError, Location

__all__ = ["DatabaseSpec", "database_url", "find_config", "load_databases"]

_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_ENV: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS: Final = {"dialect", "url_env", "directory", "lock_timeout", "platform_versions", "format"}
_ALIASES: Final[dict[str, Dialect]] = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}


@dataclass(frozen=True, slots=True)
class DatabaseSpec:
    """One database of the platform and where its migrations live."""

    name: str
    dialect: Dialect
    #: The environment variable holding the connection URL.
    url_env: str
    #: Absolute path of the migrations directory.
    directory: str
    lock_timeout: float = 30.0
    #: ``(platform version, migration version)`` pairs, in file order.
    platform_versions: tuple[tuple[str, str], ...] = ()
    config_path: str = ""
    #: The layout of the migrations directory (another tool's, read in place).
    format: Format = "seed"


def find_config(start: Path) -> Path:
    """``polaris.toml`` (or a ``pyproject.toml`` with ``[tool.polaris]``) at or above ``start``.

    ``start`` may also be the config file itself.

    :raises ConfigError: none found.
    """
    if start.is_file():
        return start
    for d in (start, *start.parents):
        candidate = d / "polaris.toml"
        if candidate.is_file():
            return candidate
        py = d / "pyproject.toml"
        if py.is_file() and "[tool.polaris" in py.read_text(encoding="utf-8"):
            return py
    raise ConfigError(
        "no polaris.toml found here or above",
        location=Location(file=str(start)),
        hint="run inside the platform repository, or pass --project",
    )


def _line_of(lines: list[str], section: str, key: str | None) -> int | None:
    """Line (1-based) of ``[section]``, or of ``key`` inside it; None if not found."""
    header = re.compile(r"^\s*\[\s*" + re.escape(section).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
    for i, line in enumerate(lines):
        if header.match(line):
            if key is None:
                return i + 1
            key_re = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
            for j in range(i + 1, len(lines)):
                if lines[j].lstrip().startswith("[") and not lines[j].lstrip().startswith("[["):
                    break
                if key_re.match(lines[j]):
                    return j + 1
            return i + 1
    return None


def load_databases(config_path: Path) -> tuple[DatabaseSpec, ...]:
    """Every ``[databases.<name>]`` of ``config_path``, in file order.

    :raises ConfigError: naming the file, line and key of the first problem.
    """
    text = config_path.read_text(encoding="utf-8")
    file = str(config_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", location=Location(file=file)) from None
    prefix = "databases"
    if config_path.name == "pyproject.toml":
        data = data.get("tool", {}).get("polaris", {})
        prefix = "tool.polaris.databases"
    raw = data.get("databases", {})
    lines = text.splitlines()

    def where(section: str, key: str | None = None) -> Location:
        return Location(file=file, line=_line_of(lines, section, key), field=key)

    if not isinstance(raw, dict):
        raise ConfigError("'databases' must be a table", location=where(prefix))
    root = config_path.parent
    out: list[DatabaseSpec] = []
    for name, table in raw.items():
        section = f"{prefix}.{name}"
        if not _NAME.match(name):
            raise ConfigError(
                f"database name {name!r} must start with a letter and hold letters, digits, _ or -",
                location=where(section),
            )
        if not isinstance(table, dict):
            raise ConfigError(f"[{section}] must be a table", location=where(section))
        out.append(_spec(name, cast(dict[str, Any], table), section, root, file, where))
    return tuple(out)


def _spec(
    name: str, table: dict[str, Any], section: str, root: Path, file: str, where: Any
) -> DatabaseSpec:
    if "url" in table:
        raise ConfigError(
            "a database URL must not be written in the config file",
            location=where(section, "url"),
            hint="set url_env to the name of an environment variable holding the URL",
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r}; expected one of {', '.join(sorted(_KEYS))}",
            location=where(section, unknown[0]),
        )
    dialect_raw = table.get("dialect")
    if not isinstance(dialect_raw, str) or dialect_raw.lower() not in _ALIASES:
        raise ConfigError(
            f"dialect must be one of {', '.join(repr(d) for d in DIALECTS)}, got {dialect_raw!r}",
            location=where(section, "dialect"),
        )
    url_env = table.get("url_env")
    if not isinstance(url_env, str) or not _ENV.match(url_env):
        raise ConfigError(
            f"url_env must name an environment variable (like AIOPS_MYSQL_URL), got {url_env!r}",
            location=where(section, "url_env"),
            hint="the URL itself goes in that variable, never in the file",
        )
    directory = table.get("directory", f"migrations/{name}")
    if not isinstance(directory, str) or not directory:
        raise ConfigError(
            "directory must be a path (relative to the config file)",
            location=where(section, "directory"),
        )
    timeout = table.get("lock_timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
        raise ConfigError(
            f"lock_timeout must be a number of seconds >= 0, got {timeout!r}",
            location=where(section, "lock_timeout"),
        )
    versions = table.get("platform_versions", {})
    if not isinstance(versions, dict) or not all(
        isinstance(v, str | int) and str(v).isdigit() for v in versions.values()
    ):
        raise ConfigError(
            'platform_versions must map platform versions to migration numbers: "2.1.0" = "004"',
            location=where(f"{section}.platform_versions")
            if isinstance(versions, dict)
            else where(section, "platform_versions"),
        )
    fmt = table.get("format", "seed")
    if fmt not in FORMATS:
        raise ConfigError(
            f"format must be one of {', '.join(repr(f) for f in FORMATS)}, got {fmt!r}",
            location=where(section, "format"),
        )
    return DatabaseSpec(
        name=name,
        dialect=_ALIASES[dialect_raw.lower()],
        url_env=url_env,
        directory=str((root / directory).resolve()),
        lock_timeout=float(timeout),
        platform_versions=tuple((str(k), str(v)) for k, v in versions.items()),
        config_path=file,
        format=fmt,
    )


def database_url(spec: DatabaseSpec, environ: Mapping[str, str] | None = None) -> str:
    """The connection URL of ``spec`` from its environment variable.

    :raises ConfigError: the variable is unset or empty.
    """
    env = os.environ if environ is None else environ
    url = env.get(spec.url_env, "")
    if not url:
        raise ConfigError(
            f"environment variable {spec.url_env} is not set (URL of database {spec.name!r})",
            location=Location(
                file=spec.config_path or None, field=f"databases.{spec.name}.url_env"
            ),
            hint=f"export {spec.url_env}=<{spec.dialect} URL>",
        )
    return url
