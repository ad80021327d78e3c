"""``dependencies.yml`` (seed 9.1.1): categories, their update policy and monitoring cadence.

The document's format, read as written::

    dependency_categories:
      critical:
        update_policy: "manual_approval_required"
        security_monitoring: "real_time"
        examples: ["fastapi", "sqlalchemy"]

``examples`` (or ``packages``) lists the members. Two optional keys Polaris adds:
``default_category`` (unlisted packages; default ``standard``) and ``development_category``
(unlisted packages from a development file or group; default ``development``, ``null`` = off).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from polaris.core.errors import ConfigError, Location
from polaris.dependencies.rules import Category, Ecosystem, PolicyBook, UpdatePolicy, package_key

__all__ = ["DEFAULT_BOOK", "load_policy", "parse_policy"]

_MONITORING = ("real_time", "hourly", "daily", "weekly", "monthly", "none")

#: The document's three categories, with no members: what applies without a dependencies.yml.
DEFAULT_BOOK = PolicyBook(
    categories=(
        Category("critical", UpdatePolicy.MANUAL, "real_time"),
        Category("standard", UpdatePolicy.MINOR, "daily"),
        Category("development", UpdatePolicy.ALL, "weekly"),
    )
)


def load_policy(path: Path | None, *, display: str | None = None) -> PolicyBook:
    """Read ``path``; ``None`` or a missing file gives :data:`DEFAULT_BOOK`."""
    if path is None or not path.exists():
        return DEFAULT_BOOK
    shown = display or str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise ConfigError(
            f"not YAML: {exc}".splitlines()[0], location=Location(file=shown, line=line)
        ) from None
    return parse_policy(doc, source=shown)


def parse_policy(doc: Any, *, source: str) -> PolicyBook:
    """Validate the parsed YAML document; every error names the field."""

    def bad(field: str, what: str) -> ConfigError:
        return ConfigError(what, location=Location(file=source, field=field))

    if not isinstance(doc, dict) or not isinstance(doc.get("dependency_categories"), dict):
        raise bad("dependency_categories", "expected a mapping of categories")
    cats: list[Category] = []
    owner: dict[str, str] = {}
    for name, body in doc["dependency_categories"].items():
        field = f"dependency_categories.{name}"
        if not isinstance(body, dict):
            raise bad(field, "expected a mapping")
        raw_policy = body.get("update_policy")
        try:
            policy = UpdatePolicy(str(raw_policy))
        except ValueError:
            allowed = ", ".join(p.value for p in UpdatePolicy)
            raise bad(f"{field}.update_policy", f"{raw_policy!r} is not one of {allowed}") from None
        monitoring = str(body.get("security_monitoring", "daily"))
        if monitoring not in _MONITORING:
            raise bad(
                f"{field}.security_monitoring",
                f"{monitoring!r} is not one of {', '.join(_MONITORING)}",
            )
        members = body.get("packages", body.get("examples", [])) or []
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise bad(f"{field}.examples", "expected a list of package names")
        keys = set()
        for m in members:
            key = package_key(Ecosystem.NPM if m.startswith("@") else Ecosystem.PYPI, m)
            if key in owner:
                raise bad(f"{field}.examples", f"{m} is already in category {owner[key]}")
            owner[key] = str(name)
            keys.add(key)
        cats.append(
            Category(
                name=str(name),
                update_policy=policy,
                security_monitoring=monitoring,
                description=str(body.get("description", "")),
                packages=frozenset(keys),
            )
        )
    default = str(doc.get("default_category", "standard"))
    dev_default = doc.get("development_category", "development")
    names = {c.name for c in cats}
    if default not in names:
        raise bad("default_category", f"{default!r} is not a declared category")
    if dev_default is not None and str(dev_default) not in names:
        dev_default = None
    return PolicyBook(
        categories=tuple(cats),
        default=default,
        development_default=None if dev_default is None else str(dev_default),
    )
