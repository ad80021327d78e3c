"""Where a platform keeps its configuration: the ``[configs]`` table of ``polaris.toml``.

Defaults follow the seed (section 7.1.1): ``config/version-X.Y.Z/<environment>.yml``::

    [configs]
    root = "config"                                   # every file must live under it
    layout = "version-{version}/{environment}.{ext}"  # {ext}: yml, yaml, json or toml
    environments = ["development", "staging", "production"]   # promotion order
    schema = "config/schema.json"                     # JSON Schema 2020-12 (optional)
    schemas = { production = "config/production.schema.json" }  # per environment
    must_match = ["application.name"]                 # equal in every environment
    max_bytes = 8388608
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polaris.configs.loaders import DEFAULT_MAX_BYTES, FORMATS
from polaris.core.errors import ConfigError, InvalidInput, Location, NotFound
from polaris.core.semver import Version
from polaris.project.load import PYPROJECT_NAME, find_config

__all__ = ["ConfigFile", "ConfigLayout", "find_layout", "version_key"]

_DEFAULT_ENVS = ("development", "staging", "production")
_KEYS = ("root", "layout", "environments", "schema", "schemas", "must_match", "max_bytes")
_ENV = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """One environment's file for one platform version."""

    environment: str
    version: str
    path: Path


@dataclass(frozen=True, slots=True)
class ConfigLayout:
    """The configuration settings of one platform repository."""

    project_dir: Path
    root: Path
    pattern: str = "version-{version}/{environment}.{ext}"
    environments: tuple[str, ...] = _DEFAULT_ENVS
    schema: Path | None = None
    schemas: Mapping[str, Path] = field(default_factory=dict)
    must_match: tuple[str, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES

    def check_environment(self, env: str) -> str:
        """``env`` if the layout knows it, else :class:`InvalidInput` listing the known ones."""
        if env not in self.environments:
            raise InvalidInput(
                f"unknown environment {env!r}",
                location=Location(field="environment"),
                hint=f"one of {', '.join(self.environments)} ([configs] environments)",
            )
        return env

    def schema_for(self, env: str) -> Path | None:
        """The schema file that applies to ``env``'s documents, if any."""
        return self.schemas.get(env, self.schema)

    def _regex(self) -> re.Pattern[str]:
        out = ""
        for part in re.split(r"(\{[a-z]+\})", self.pattern):
            if part == "{version}":
                out += r"(?P<version>[0-9A-Za-z.+-]+)"
            elif part == "{environment}":
                out += r"(?P<environment>[a-z0-9][a-z0-9_-]*)"
            elif part == "{ext}":
                out += r"(?P<ext>yml|yaml|json|toml)"
            else:
                out += re.escape(part)
        return re.compile(out)

    def files(self) -> list[ConfigFile]:
        """Every configuration file under the root that the layout names, sorted."""
        regex = self._regex()
        out: list[ConfigFile] = []
        if not self.root.is_dir():
            return out
        for path in sorted(self.root.rglob("*")):
            if path.suffix.lower() not in FORMATS or not path.is_file():
                continue
            hit = self.match(path.relative_to(self.root).as_posix(), regex)
            if hit is not None:
                out.append(ConfigFile(hit[0], hit[1], path))
        return out

    def match(self, rel: str, regex: re.Pattern[str] | None = None) -> tuple[str, str] | None:
        """``(environment, version)`` of a path relative to the root, or ``None`` when the
        layout does not name it (``version`` is ``""`` for a layout without ``{version}``)."""
        m = (regex or self._regex()).fullmatch(rel)
        if m is None or m.group("environment") not in self.environments:
            return None
        return m.group("environment"), m.groupdict().get("version") or ""

    def versions(self) -> list[str]:
        """The platform versions that have configuration, oldest first (SemVer order)."""
        return sorted({f.version for f in self.files()}, key=version_key)

    def select(self, version: str | None = None, env: str | None = None) -> list[ConfigFile]:
        """The files of ``version`` (default: the newest), optionally of one environment."""
        if env is not None:
            self.check_environment(env)
        versions = self.versions()
        if not versions:
            raise NotFound(
                "no configuration files",
                location=Location(file=str(self.root)),
                hint=f"expected files like {self.root.name}/{self.pattern}",
            )
        chosen = version if version is not None else versions[-1]
        if chosen not in versions:
            raise NotFound(
                f"no configuration for version {chosen}",
                location=Location(file=str(self.root)),
                hint=f"versions with configuration: {', '.join(versions)}",
            )
        files = [f for f in self.files() if f.version == chosen]
        order = {e: i for i, e in enumerate(self.environments)}
        files.sort(key=lambda f: order[f.environment])
        return [f for f in files if env is None or f.environment == env]


def version_key(version: str) -> tuple[int, Any]:
    """Sort key of a layout's version directory: SemVer order, names that are not after them."""
    try:
        return (1, Version.parse(version))
    except InvalidInput:
        return (0, version)


def _table(path: Path) -> tuple[dict[str, Any], str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", location=Location(file=str(path))) from None
    if path.name == PYPROJECT_NAME:
        data = data.get("tool", {}).get("polaris", {})
        return data.get("configs", {}), "tool.polaris.configs"
    return data.get("configs", {}), "configs"


def find_layout(start: Path | None = None) -> ConfigLayout:
    """The layout of the repository at (or above) ``start``; defaults without a ``[configs]``."""
    config = find_config(start if start is not None else Path.cwd())
    table, prefix = _table(config)
    file = str(config)

    def bad(key: str, expected: str) -> ConfigError:
        return ConfigError(
            f"expected {expected}", location=Location(file=file, field=f"{prefix}.{key}")
        )

    if not isinstance(table, dict):
        raise bad("", "a table")
    for key in table:
        if key not in _KEYS:
            raise ConfigError(
                f"unknown key {key!r}",
                location=Location(file=file, field=f"{prefix}.{key}"),
                hint=f"known keys: {', '.join(_KEYS)}",
            )
    project = config.resolve().parent
    root = project / str(table.get("root", "config"))
    pattern = table.get("layout", "version-{version}/{environment}.{ext}")
    if not isinstance(pattern, str) or "{environment}" not in pattern:
        raise bad("layout", "a path pattern with {environment} (and {version}, {ext})")
    envs = table.get("environments", list(_DEFAULT_ENVS))
    if not (
        isinstance(envs, list)
        and envs
        and all(isinstance(e, str) and _ENV.fullmatch(e) for e in envs)
    ):
        raise bad("environments", "a list of environment names (lowercase, '-', '_')")
    schemas = table.get("schemas", {})
    if not isinstance(schemas, dict) or not all(isinstance(v, str) for v in schemas.values()):
        raise bad("schemas", "a table of environment = schema path")
    must = table.get("must_match", [])
    if not isinstance(must, list) or not all(isinstance(m, str) for m in must):
        raise bad("must_match", "a list of dotted key paths")
    max_bytes = table.get("max_bytes", DEFAULT_MAX_BYTES)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
        raise bad("max_bytes", "a positive number of bytes")
    schema = table.get("schema")
    if schema is not None and not isinstance(schema, str):
        raise bad("schema", "a path to a JSON Schema file")
    return ConfigLayout(
        project_dir=project,
        root=root,
        pattern=pattern,
        environments=tuple(envs),
        schema=None if schema is None else project / schema,
        schemas={k: project / v for k, v in schemas.items()},
        must_match=tuple(must),
        max_bytes=max_bytes,
    )
