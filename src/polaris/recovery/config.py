"""What to back up, read from ``polaris.toml``: the ``[databases]`` and the ``[recovery]`` section.

::

    [recovery]
    keep = 10                 # recovery points kept per environment (newest first)
    max_age_days = 30         # older ones are pruned too (the newest is always kept)
    backup = ["app", "cache"] # default: every [databases.*] and every [recovery.stores.*]

    [recovery.stores.cache]   # a store without migrations (a [databases.*] entry is one already)
    kind = "redis"            # sqlite | postgresql | mysql | redis | neo4j | weaviate | (plug-in)
    url_env = "AIOPS_REDIS_URL"

    [recovery.environments.production]   # store -> variable holding its URL in this environment
    app = "PROD_MYSQL_URL"
    cache = "PROD_REDIS_URL"

An environment uses each store's own ``url_env`` unless it names another variable. An environment
is known when it has a ``[recovery.environments.<env>]`` table or an ``[environments.<env>]`` one
(the deployments section). URLs are read from the environment, never from the file. In
``pyproject.toml`` the same tables sit under ``[tool.polaris]``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from polaris.core.errors import ConfigError, InvalidInput, Location
from polaris.project._toml_lines import key_lines, line_of
from polaris.project.databases import load_databases

__all__ = ["RecoveryConfig", "StoreSpec", "load_recovery_config", "server_recovery_config"]

_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_ENV: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS: Final = {"keep", "max_age_days", "backup", "stores", "environments"}
_STORE_KEYS: Final = {"kind", "url_env"}


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """One store a recovery point backs up."""

    name: str
    #: The backup tool's kind (a database's dialect for ``[databases.*]``).
    kind: str
    #: The variable holding its URL when the environment names none.
    url_env: str


@dataclass(frozen=True, slots=True)
class RecoveryConfig:
    """The ``[recovery]`` settings of one platform."""

    config_path: str
    stores: tuple[StoreSpec, ...]
    #: environment -> store -> variable name.
    environments: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    keep: int = 10
    max_age_days: float | None = 30.0

    def check_environment(self, env: str) -> None:
        """:raises InvalidInput: ``env`` is not declared."""
        if env not in self.environments:
            known = ", ".join(sorted(self.environments)) or "none declared"
            raise InvalidInput(
                f"unknown environment {env!r}; known: {known}",
                location=Location(file=self.config_path, field="environment"),
                hint=f"declare [recovery.environments.{env}] (or [environments.{env}])",
            )

    def store(self, name: str) -> StoreSpec:
        """The store called ``name``.

        :raises InvalidInput: there is none.
        """
        for s in self.stores:
            if s.name == name:
                return s
        raise InvalidInput(
            f"unknown store {name!r}; stores: {', '.join(s.name for s in self.stores) or 'none'}",
            location=Location(file=self.config_path, field="store"),
        )

    def url_variable(self, env: str, store: StoreSpec) -> str:
        """The variable holding ``store``'s URL in ``env``."""
        return self.environments.get(env, {}).get(store.name, store.url_env)

    def url(self, env: str, store: StoreSpec, environ: Mapping[str, str] | None = None) -> str:
        """``store``'s URL in ``env``, from the environment.

        :raises ConfigError: the variable is unset.
        """
        var = self.url_variable(env, store)
        value = (os.environ if environ is None else environ).get(var, "")
        if not value:
            raise ConfigError(
                f"environment variable {var} is not set (URL of store {store.name!r} in {env})",
                location=Location(file=self.config_path, field=f"recovery.environments.{env}"),
                hint=f"export {var}=<{store.kind} URL>",
            )
        return value


def load_recovery_config(config_path: Path) -> RecoveryConfig:
    """The recovery settings of ``config_path`` (``polaris.toml`` or ``pyproject.toml``).

    :raises ConfigError: naming the file, line and key of the first problem.
    """
    text = config_path.read_text(encoding="utf-8")
    file = str(config_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", location=Location(file=file)) from None
    prefix: tuple[str, ...] = ()
    if config_path.name == "pyproject.toml":
        data = data.get("tool", {}).get("polaris", {})
        prefix = ("tool", "polaris")
    lines = key_lines(text)

    def where(*path: str) -> Location:
        return Location(file=file, line=line_of(lines, (*prefix, *path)), field=".".join(path))

    raw = data.get("recovery", {})
    if not isinstance(raw, dict):
        raise ConfigError("[recovery] must be a table", location=where("recovery"))
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r}; expected one of {', '.join(sorted(_KEYS))}",
            location=where("recovery", unknown[0]),
        )
    stores = {
        db.name: StoreSpec(db.name, db.dialect, db.url_env) for db in load_databases(config_path)
    }
    raw_stores = raw.get("stores", {})
    if not isinstance(raw_stores, dict):
        raise ConfigError(
            "stores must hold [recovery.stores.<name>] tables", location=where("recovery", "stores")
        )
    selected = raw.get("backup")
    if selected is not None and (
        not isinstance(selected, list) or not all(isinstance(n, str) for n in selected)
    ):
        raise ConfigError(
            f"backup must list store names, got {selected!r}", location=where("recovery", "backup")
        )
    for name, table in raw_stores.items():
        stores[name] = _store(name, table, where)
    if selected is not None:
        for name in selected:
            if name not in stores:
                raise ConfigError(
                    f"store {name!r} is neither [databases.{name}] nor [recovery.stores.{name}]",
                    location=where("recovery", "backup"),
                )
        chosen = tuple(stores[n] for n in selected)
    else:
        chosen = tuple(stores.values())
    return RecoveryConfig(
        config_path=file,
        stores=chosen,
        environments=_environments(raw, data, {s.name for s in chosen}, where),
        keep=_int(raw, "keep", 10, where),
        max_age_days=_age(raw, where),
    )


def _store(name: str, table: Any, where: Any) -> StoreSpec:
    if not _NAME.match(name) or not isinstance(table, dict):
        raise ConfigError(
            f"[recovery.stores.{name}] must be a table named by a letter, digits, _ or -",
            location=where("recovery", "stores", name),
        )
    extra = sorted(set(table) - _STORE_KEYS)
    if extra:
        raise ConfigError(
            f"unknown key {extra[0]!r}; expected kind and url_env",
            location=where("recovery", "stores", name, extra[0]),
        )
    kind, url_env = table.get("kind"), table.get("url_env")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(
            f"kind must name a backup tool (redis, postgresql, ...), got {kind!r}",
            location=where("recovery", "stores", name, "kind"),
        )
    if not isinstance(url_env, str) or not _ENV.match(url_env):
        raise ConfigError(
            f"url_env must name an environment variable, got {url_env!r}",
            location=where("recovery", "stores", name, "url_env"),
            hint="the URL itself goes in that variable, never in the file",
        )
    return StoreSpec(name, kind.lower(), url_env)


def _environments(
    raw: dict[str, Any], data: dict[str, Any], stores: set[str], where: Any
) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    deploy_envs = data.get("environments", {})
    if isinstance(deploy_envs, dict):
        out.update({name: {} for name in deploy_envs})
    envs = raw.get("environments", {})
    if not isinstance(envs, dict):
        raise ConfigError(
            "environments must hold tables", location=where("recovery", "environments")
        )
    for env, mapping in envs.items():
        if not _NAME.match(env) or not isinstance(mapping, dict):
            raise ConfigError(
                f"[recovery.environments.{env}] must be a table of store = VARIABLE",
                location=where("recovery", "environments", env),
            )
        for store, var in mapping.items():
            if store not in stores:
                raise ConfigError(
                    f"unknown store {store!r}; stores: {', '.join(sorted(stores))}",
                    location=where("recovery", "environments", env, store),
                )
            if not isinstance(var, str) or not _ENV.match(var):
                raise ConfigError(
                    f"{store} must name an environment variable, got {var!r}",
                    location=where("recovery", "environments", env, store),
                )
        out[env] = {str(k): str(v) for k, v in mapping.items()}
    return out


def _int(raw: dict[str, Any], key: str, default: int, where: Any) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{key} must be a whole number >= 1, got {value!r}", location=where("recovery", key)
        )
    return value


def _age(raw: dict[str, Any], where: Any) -> float | None:
    value = raw.get("max_age_days", 30)
    if value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(
            f"max_age_days must be a number of days >= 0 (0: no limit), got {value!r}",
            location=where("recovery", "max_age_days"),
        )
    return float(value)


def server_recovery_config(project: Path | None) -> RecoveryConfig:
    """The recovery settings of the platform a server acts on (``POLARIS_PROJECT``).

    :raises ConfigError: the server was started without one.
    """
    from polaris.project.databases import find_config

    if project is None:
        raise ConfigError(
            "this server has no platform project, so it knows no stores to back up",
            location=Location(field="POLARIS_PROJECT"),
            hint="start polaris serve with POLARIS_PROJECT=<repo or polaris.toml>",
        )
    return load_recovery_config(find_config(project))
