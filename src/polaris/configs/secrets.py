"""Secrets by reference: resolve ``${VAR}``, ``${file:PATH}`` and plug-in schemes at deploy time.

Polaris stores, diffs and shows the references only. :func:`render` is the one place values are
read, for the caller to write to the deployment; a missing value is an error that names the
reference and nothing else. Secret stores plug in as a :class:`SecretResolver` registered under
the entry-point group ``polaris.secret_resolvers`` (the entry point's name is the scheme:
``vault = "mypkg.vault:VaultResolver"`` serves ``${vault:kv/app#password}``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from polaris.configs.rules import Reference, format_path, iter_references, render_value
from polaris.core.errors import CheckFailed, InvalidInput, Location

__all__ = [
    "ENTRY_POINT_GROUP",
    "EnvResolver",
    "FileResolver",
    "SecretResolver",
    "UnresolvedReference",
    "default_resolvers",
    "render",
    "unresolved",
]

#: Entry-point group under which secret-store plug-ins register.
ENTRY_POINT_GROUP = "polaris.secret_resolvers"


@runtime_checkable
class SecretResolver(Protocol):
    """Looks up the value of a reference of one scheme; ``None`` when it has none."""

    def resolve(self, name: str) -> str | None:
        """The value of ``name`` (never logged by Polaris), or ``None``."""
        ...


class UnresolvedReference(CheckFailed):
    """A reference with no value when rendering."""

    slug = "unresolved-reference"


class EnvResolver:
    """``${VAR}``: an environment variable."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def resolve(self, name: str) -> str | None:
        """The variable's value, or ``None`` when it is not set."""
        return self.environ.get(name)


class FileResolver:
    """``${file:PATH}``: a file's text without its final newline (relative to ``base``)."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def resolve(self, name: str) -> str | None:
        """The file's content, or ``None`` when it cannot be read."""
        path = Path(name)
        path = path if path.is_absolute() else self.base / path
        try:
            return path.read_text(encoding="utf-8").removesuffix("\n")
        except (OSError, UnicodeDecodeError):
            return None


def default_resolvers(
    base: Path, environ: Mapping[str, str] | None = None
) -> dict[str, SecretResolver]:
    """``env`` and ``file``, plus every resolver registered under :data:`ENTRY_POINT_GROUP`."""
    out: dict[str, SecretResolver] = {"env": EnvResolver(environ), "file": FileResolver(base)}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        factory = ep.load()
        resolver = factory() if isinstance(factory, type) else factory
        if not isinstance(resolver, SecretResolver):
            raise InvalidInput(
                f"the secret resolver plug-in {ep.name!r} ({ep.value}) has no resolve(name)",
                location=Location(field=ENTRY_POINT_GROUP),
            )
        out.setdefault(ep.name, resolver)
    return out


def _lookup(ref: Reference, resolvers: Mapping[str, SecretResolver]) -> str | None:
    resolver = resolvers.get(ref.scheme)
    if resolver is None:
        raise InvalidInput(
            f"{ref.text}: no resolver for the scheme {ref.scheme!r}",
            location=Location(field=format_path(ref.path)),
            hint=f"known schemes: {', '.join(sorted(resolvers))}; plug-ins register under "
            f"{ENTRY_POINT_GROUP}",
        )
    return resolver.resolve(ref.name)


def unresolved(data: Any, resolvers: Mapping[str, SecretResolver]) -> list[str]:
    """The references in ``data`` that have no value (values are looked up and dropped)."""
    missing: dict[str, None] = {}
    for ref in iter_references(data):
        if _lookup(ref, resolvers) is None:
            missing[ref.text] = None
    return list(missing)


def render(data: Any, resolvers: Mapping[str, SecretResolver], *, file: str = "") -> Any:
    """``data`` with every reference replaced by its value, for a deployment to consume.

    :raises UnresolvedReference: naming every reference that has no value (no values shown).
    """
    missing = unresolved(data, resolvers)
    if missing:
        raise UnresolvedReference(
            f"{len(missing)} reference(s) have no value: {', '.join(missing)}",
            location=Location(file=file or None),
            hint="set them in the environment (or the secret store) where you render",
        )

    def value(ref: Reference) -> str:
        found = _lookup(ref, resolvers)
        assert found is not None  # noqa: S101 - checked above
        return found

    return _walk(data, value)


def _walk(data: Any, value: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _walk(v, value) for k, v in data.items()}
    if isinstance(data, list):
        return [_walk(v, value) for v in data]
    if isinstance(data, str):
        return render_value(data, value)
    return data
