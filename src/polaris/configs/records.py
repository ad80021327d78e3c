"""Configuration records and their JSON forms (one wire form each, for the CLI and the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from polaris.configs.lint import Finding
from polaris.configs.rules import Change, Drift, redact

__all__ = [
    "ConfigVersion",
    "Deployment",
    "change_to_dict",
    "deployment_to_dict",
    "drift_to_dict",
    "finding_to_dict",
    "version_to_dict",
]


@dataclass(frozen=True, slots=True)
class ConfigVersion:
    """One recorded configuration of one environment (seed 7.1.2 ``ConfigurationVersion``)."""

    environment: str
    platform_version: str
    hash: str
    """The seed's 12 hex digits."""
    digest: str
    """The full sha256 of the canonical JSON."""
    format: str
    source: str
    content: dict[str, Any]
    """With ``${...}`` references, never their values."""
    text: str
    message: str
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Deployment:
    """From ``at`` on, ``environment`` expects ``version`` (by promotion or rollback)."""

    environment: str
    version: ConfigVersion
    action: str
    from_environment: str | None
    actor: str
    at: datetime
    reason: str


def version_to_dict(v: ConfigVersion, *, content: bool = False) -> dict[str, Any]:
    """JSON form; ``content=True`` adds the document (references unresolved) and its text."""
    out: dict[str, Any] = {
        "environment": v.environment,
        "platform_version": v.platform_version,
        "hash": v.hash,
        "digest": v.digest,
        "format": v.format,
        "source": v.source,
        "message": v.message,
        "author": v.author,
        "created_at": v.created_at.isoformat(),
    }
    if content:
        out["content"] = v.content
        out["text"] = v.text
    return out


def deployment_to_dict(d: Deployment) -> dict[str, Any]:
    """JSON form."""
    return {
        "environment": d.environment,
        "hash": d.version.hash,
        "platform_version": d.version.platform_version,
        "action": d.action,
        "from_environment": d.from_environment,
        "actor": d.actor,
        "at": d.at.isoformat(),
        "reason": d.reason,
    }


def change_to_dict(c: Change) -> dict[str, Any]:
    """JSON form (secret-named literal values as ``***``)."""
    return {
        "kind": c.kind.value,
        "path": c.where,
        "old": redact(c.path, c.old),
        "new": redact(c.path, c.new),
        "text": c.describe(),
    }


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """JSON form."""
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "environment": f.environment,
        "path": f.path,
        "message": f.message,
    }


def drift_to_dict(d: Drift) -> dict[str, Any]:
    """JSON form."""
    return {
        "environment": d.environment,
        "expected": d.expected,
        "reported": d.reported,
        "drifted": d.drifted,
        "reason": d.reason,
    }
