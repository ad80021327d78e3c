"""The environments of a platform, read from ``[environments.<name>]`` in ``polaris.toml``.

::

    [environments.staging]
    order = 1                      # promotion order: lower first
    deployer = "process"           # an entry point of group polaris.deployers
    strategy = "recreate"          # or "blue-green"
    interval = 10                  # seconds between analysis rounds
    watch_window = 300             # seconds of analysis before a deployment is healthy
    deploy_role = "developer"      # the least role that may deploy here
    users = []                     # if set, only these users may deploy here
    notify = ["http://127.0.0.1:9000/hook"]   # webhooks told of rollbacks
    scale_down_delay = 30          # blue-green: seconds the old version stays up
    deployer_options = { ... }     # given to the deployer as is
    thresholds = { error_rate = 0.05, latency_ms = 2000, latency_stat = "p95", health_failures = 3 }
    health = [
      { type = "http", path = "/health" },
      { type = "prometheus", url = "http://127.0.0.1:9090" },
    ]

An environment requires the one of the next lower ``order`` (production only gets what was
healthy in staging). Errors name the file, the table and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from polaris.core.actors import Role
from polaris.core.errors import ConfigError, InvalidInput, Location, NotFound
from polaris.deployments.rules import Thresholds

__all__ = [
    "Environment",
    "HealthSpec",
    "environments_from_dict",
    "get_environment",
    "load_environments",
]

_KEYS: Final = {
    "order",
    "deployer",
    "strategy",
    "interval",
    "watch_window",
    "deploy_role",
    "users",
    "notify",
    "scale_down_delay",
    "deployer_options",
    "thresholds",
    "health",
    "pre_promotion_rounds",
}
_STRATEGIES: Final = ("recreate", "blue-green")
_HEALTH_TYPES: Final = ("http", "prometheus")


@dataclass(frozen=True, slots=True)
class HealthSpec:
    """One health source: ``http`` (probe paths) or ``prometheus`` (queries); options as given."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"type": self.type, **self.options}


@dataclass(frozen=True, slots=True)
class Environment:
    """Where releases are deployed and how they are judged."""

    name: str
    order: int = 0
    deployer: str = "process"
    strategy: str = "recreate"
    interval: float = 10.0
    watch_window: float = 300.0
    deploy_role: Role = Role.DEVELOPER
    users: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    scale_down_delay: float = 30.0
    pre_promotion_rounds: int = 3
    deployer_options: dict[str, Any] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    health: tuple[HealthSpec, ...] = ()
    #: The environment a release must have been healthy in first (set from the order).
    requires: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form; stored with each deployment so the watcher needs no config file."""
        return {
            "name": self.name,
            "order": self.order,
            "deployer": self.deployer,
            "strategy": self.strategy,
            "interval": self.interval,
            "watch_window": self.watch_window,
            "deploy_role": str(self.deploy_role),
            "users": list(self.users),
            "notify": list(self.notify),
            "scale_down_delay": self.scale_down_delay,
            "pre_promotion_rounds": self.pre_promotion_rounds,
            "deployer_options": dict(self.deployer_options),
            "thresholds": self.thresholds.to_dict(),
            "health": [h.to_dict() for h in self.health],
            "requires": self.requires,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Environment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=d["name"],
            order=int(d.get("order", 0)),
            deployer=d.get("deployer", "process"),
            strategy=d.get("strategy", "recreate"),
            interval=float(d.get("interval", 10)),
            watch_window=float(d.get("watch_window", 300)),
            deploy_role=Role.parse(d.get("deploy_role", "developer")),
            users=tuple(d.get("users", ())),
            notify=tuple(d.get("notify", ())),
            scale_down_delay=float(d.get("scale_down_delay", 30)),
            pre_promotion_rounds=int(d.get("pre_promotion_rounds", 3)),
            deployer_options=dict(d.get("deployer_options", {})),
            thresholds=Thresholds.from_dict(d.get("thresholds", {})),
            health=tuple(
                HealthSpec(h["type"], {k: v for k, v in h.items() if k != "type"})
                for h in d.get("health", ())
            ),
            requires=d.get("requires"),
        )


def _num(v: object, where: Location, what: str, *, positive: bool = True) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or (positive and v <= 0):
        raise ConfigError(f"expected {what}, got {v!r}", location=where)
    return float(v)


def _one(name: str, raw: object, file: str) -> Environment:
    def at(key: str | None = None) -> Location:
        return Location(file=file, field=f"environments.{name}" + (f".{key}" if key else ""))

    if not isinstance(raw, dict):
        raise ConfigError("expected a table", location=at())
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r}", location=at(unknown[0]), hint=", ".join(sorted(_KEYS))
        )
    strategy = raw.get("strategy", "recreate")
    if strategy not in _STRATEGIES:
        raise ConfigError(
            f"unknown strategy {strategy!r}", location=at("strategy"), hint=" or ".join(_STRATEGIES)
        )
    th = raw.get("thresholds", {})
    if not isinstance(th, dict) or set(th) - set(Thresholds.__slots__):
        raise ConfigError(
            "expected a table of " + ", ".join(Thresholds.__slots__), location=at("thresholds")
        )
    for key in ("error_rate", "latency_ms"):
        if key in th:
            _num(th[key], at(f"thresholds.{key}"), "a positive number")
    if th.get("latency_stat", "p95") not in ("p95", "avg"):
        raise ConfigError("expected 'p95' or 'avg'", location=at("thresholds.latency_stat"))
    health: list[HealthSpec] = []
    for i, h in enumerate(raw.get("health", [])):
        if not isinstance(h, dict) or h.get("type") not in _HEALTH_TYPES:
            raise ConfigError(
                f"expected a table with type = {' or '.join(_HEALTH_TYPES)}",
                location=at(f"health[{i}]"),
            )
        health.append(HealthSpec(h["type"], {k: v for k, v in h.items() if k != "type"}))
    try:
        role = Role.parse(str(raw.get("deploy_role", "developer")))
    except InvalidInput:
        raise ConfigError(
            f"unknown role {raw.get('deploy_role')!r}",
            location=at("deploy_role"),
            hint="viewer, developer, approver or admin",
        ) from None
    deployer = raw.get("deployer", "process")
    if not isinstance(deployer, str) or not deployer:
        raise ConfigError("expected a deployer name", location=at("deployer"))
    return Environment(
        name=name,
        order=int(_num(raw.get("order", 0), at("order"), "an integer", positive=False)),
        deployer=deployer,
        strategy=strategy,
        interval=_num(raw.get("interval", 10), at("interval"), "seconds > 0"),
        watch_window=_num(raw.get("watch_window", 300), at("watch_window"), "seconds > 0"),
        deploy_role=role,
        users=tuple(str(u) for u in raw.get("users", [])),
        notify=tuple(str(u) for u in raw.get("notify", [])),
        scale_down_delay=_num(
            raw.get("scale_down_delay", 30), at("scale_down_delay"), "seconds", positive=False
        ),
        pre_promotion_rounds=int(raw.get("pre_promotion_rounds", 3)),
        deployer_options=dict(raw.get("deployer_options", {})),
        thresholds=Thresholds.from_dict(th),
        health=tuple(health),
    )


def environments_from_dict(raw: object, file: str = "polaris.toml") -> dict[str, Environment]:
    """The ``environments`` table, validated, each with the environment it requires first."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("expected [environments.<name>] tables", location=Location(file=file))
    envs = sorted((_one(n, t, file) for n, t in raw.items()), key=lambda e: (e.order, e.name))
    out: dict[str, Environment] = {}
    prev: Environment | None = None
    for e in envs:
        requires = prev.name if prev is not None and prev.order < e.order else None
        out[e.name] = Environment(**{**_fields(e), "requires": requires})
        if prev is None or e.order > prev.order:
            prev = e
    return out


def _fields(e: Environment) -> dict[str, Any]:
    return {name: getattr(e, name) for name in Environment.__slots__}


def load_environments(config: Path) -> dict[str, Environment]:
    """Every ``[environments.<name>]`` of ``config`` (``polaris.toml`` or ``pyproject.toml``)."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", location=Location(file=str(config))) from None
    if config.name == "pyproject.toml":
        data = data.get("tool", {}).get("polaris", {})
    return environments_from_dict(data.get("environments"), str(config))


def get_environment(envs: dict[str, Environment], name: str) -> Environment:
    """``envs[name]``, or :class:`NotFound` listing the known ones."""
    try:
        return envs[name]
    except KeyError:
        raise NotFound(
            f"unknown environment {name!r}",
            location=Location(field="env"),
            hint="known: "
            + (", ".join(envs) or "none (add [environments.<name>] to polaris.toml)"),
        ) from None
