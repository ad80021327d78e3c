"""``docker-registry.yml`` (seed 9.2.2): registry, tagging, retention, scanning and promotion.

Read in the document's format::

    image_registry:
      primary: "ghcr.io/company/aiops-polaris"
      retention_policy:
        production_images: "keep_forever"
        development_images: "30_days"
        feature_branch_images: "7_days"
      security_scanning: {vulnerability_threshold: "medium"}
    image_promotion:
      development: "manual_trigger"
      staging: "automated_on_merge_to_develop"
      production: "manual_approval_required"

A missing file means the document's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from polaris.core.errors import ConfigError, Location
from polaris.images.rules import DEFAULT_RETENTION, TagKind, parse_keep

__all__ = ["POLICY_FILE", "RegistryPolicy", "load_registry_policy"]

POLICY_FILE = "docker-registry.yml"
_RETENTION_KEYS = {
    "production_images": TagKind.PRODUCTION,
    "development_images": TagKind.DEVELOPMENT,
    "feature_branch_images": TagKind.FEATURE,
}
_PROMOTION = ("manual_trigger", "automated_on_merge_to_develop", "manual_approval_required")


@dataclass(frozen=True, slots=True)
class RegistryPolicy:
    """The registry policy in force."""

    primary: str | None = None
    backup: str | None = None
    retention: dict[TagKind, timedelta | None] = field(
        default_factory=lambda: dict(DEFAULT_RETENTION)
    )
    vulnerability_threshold: str = "medium"
    promotion: dict[str, str] = field(
        default_factory=lambda: {
            "development": "manual_trigger",
            "staging": "automated_on_merge_to_develop",
            "production": "manual_approval_required",
        }
    )


def load_registry_policy(root: Path, path: Path | None = None) -> RegistryPolicy:
    """Read ``path`` (default ``docker-registry.yml`` in ``root``); the defaults without one."""
    target = path or root / POLICY_FILE
    if not target.exists():
        if path is not None:
            raise ConfigError("file not found", location=Location(file=str(path)))
        return RegistryPolicy()
    shown = target.name
    try:
        doc = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"not YAML: {str(exc).splitlines()[0]}", location=Location(file=shown)
        ) from None
    return parse_registry_policy(doc, source=shown)


def _map(doc: Any, field_name: str, source: str) -> dict[str, Any]:
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ConfigError("expected a mapping", location=Location(file=source, field=field_name))
    return doc


def parse_registry_policy(doc: Any, *, source: str) -> RegistryPolicy:
    """Validate the parsed document; errors name the field."""
    top = _map(doc, "(top)", source)
    reg = _map(top.get("image_registry"), "image_registry", source)
    retention = dict(DEFAULT_RETENTION)
    for key, value in _map(
        reg.get("retention_policy"), "image_registry.retention_policy", source
    ).items():
        field_name = f"image_registry.retention_policy.{key}"
        if key not in _RETENTION_KEYS:
            raise ConfigError(
                f"unknown image class {key!r} (expected {', '.join(_RETENTION_KEYS)})",
                location=Location(file=source, field=field_name),
            )
        retention[_RETENTION_KEYS[key]] = parse_keep(str(value), field=field_name, source=source)
    scanning = _map(reg.get("security_scanning"), "image_registry.security_scanning", source)
    threshold = str(scanning.get("vulnerability_threshold", "medium"))
    if threshold not in ("none", "low", "medium", "high", "critical"):
        raise ConfigError(
            f"{threshold!r} is not low, medium, high or critical",
            location=Location(
                file=source, field="image_registry.security_scanning.vulnerability_threshold"
            ),
        )
    promotion = RegistryPolicy().promotion
    for env, rule in _map(top.get("image_promotion"), "image_promotion", source).items():
        if str(rule) not in _PROMOTION:
            raise ConfigError(
                f"{rule!r} is not one of {', '.join(_PROMOTION)}",
                location=Location(file=source, field=f"image_promotion.{env}"),
            )
        promotion[str(env)] = str(rule)
    return RegistryPolicy(
        primary=reg.get("primary"),
        backup=reg.get("backup"),
        retention=retention,
        vulnerability_threshold=threshold,
        promotion=promotion,
    )
