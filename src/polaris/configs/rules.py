"""Pure decisions over configuration documents (seed 7.1): hash, references, diff, bump, drift.

A configuration document is plain data (``dict``/``list``/scalars) as a loader returned it, with
secrets and hosts kept as ``${...}`` references: nothing here resolves them. The hash is the
seed's own, byte for byte: ``sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]``
(section 7.1.2), with the full digest kept beside it. Dates (YAML and TOML have them) are written
as ISO 8601 strings, where the seed's sketch would raise.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from polaris.core.errors import InvalidInput, Location

__all__ = [
    "SHORT_HASH_LEN",
    "Bump",
    "Change",
    "ChangeKind",
    "ConfigHash",
    "Drift",
    "Reference",
    "canonical_json",
    "check_drift",
    "classify",
    "config_hash",
    "diff",
    "format_path",
    "is_secret_key",
    "iter_leaves",
    "iter_references",
    "redact",
    "render_value",
    "type_name",
]

#: Hex digits of the short hash (the seed's ``hexdigest()[:12]``).
SHORT_HASH_LEN = 12

_REF = re.compile(r"\$\{([^{}]*)\}")
_REF_NAME = re.compile(r"(?:([a-z][a-z0-9_-]*):)?(.+)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "credential"})
_SECRET_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key"), ("apikey",)})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

Path = tuple[str | int, ...]


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def canonical_json(data: Any) -> str:
    """The seed's canonical form: ``json.dumps(data, sort_keys=True)`` (dates as ISO strings).

    :raises InvalidInput: keys of mixed types (``1:`` beside ``a:``), which cannot be sorted.
    """
    try:
        return json.dumps(data, sort_keys=True, default=_json_default)
    except TypeError as exc:
        raise InvalidInput(
            f"the configuration cannot be written as canonical JSON: {exc}",
            hint="use string keys only (quote numeric keys)",
        ) from None


@dataclass(frozen=True, slots=True)
class ConfigHash:
    """The hash of a document: the seed's 12 hex digits and the full sha256 digest."""

    short: str
    digest: str


def config_hash(data: Any) -> ConfigHash:
    """``ConfigHash`` of ``data``'s canonical JSON (the seed's ``config_hash`` is ``short``).

    >>> config_hash({"b": 1, "a": [True, None]}).short
    '495f67716ebd'
    """
    digest = hashlib.sha256(canonical_json(data).encode()).hexdigest()
    return ConfigHash(digest[:SHORT_HASH_LEN], digest)


def format_path(path: Path) -> str:
    """``("database", "mysql", "port")`` -> ``database.mysql.port``; list items as ``[i]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            out += f".{text}" if out else text
    return out or "."


def iter_leaves(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every scalar of ``data`` with its path (empty mappings and lists count as leaves)."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from iter_leaves(value, (*path, str(key)))
    elif isinstance(data, list) and data:
        for i, value in enumerate(data):
            yield from iter_leaves(value, (*path, i))
    else:
        yield path, data


@dataclass(frozen=True, slots=True)
class Reference:
    """One ``${...}`` reference: ``scheme`` is ``env`` for ``${VAR}``, else the prefix
    (``file`` for ``${file:PATH}``, a plug-in's name for the rest)."""

    scheme: str
    name: str
    path: Path

    @property
    def text(self) -> str:
        """The reference as written."""
        return f"${{{self.name}}}" if self.scheme == "env" else f"${{{self.scheme}:{self.name}}}"


def _parse_ref(body: str, path: Path) -> Reference:
    match = _REF_NAME.fullmatch(body.strip())
    if match is None:
        raise InvalidInput(
            "an empty reference '${}'",
            location=Location(field=format_path(path)),
            hint="write ${VAR}, ${file:PATH} or ${SCHEME:NAME}",
        )
    scheme, name = match.group(1), match.group(2)
    if scheme is None:
        if not _ENV_NAME.fullmatch(name):
            raise InvalidInput(
                f"'${{{body}}}' is not a variable name",
                location=Location(field=format_path(path)),
                hint="letters, digits and '_', not starting with a digit",
            )
        return Reference("env", name, path)
    return Reference(scheme, name, path)


def references_in(text: str, path: Path = ()) -> list[Reference]:
    """The references in one string value (``$${`` is a literal ``${``, not a reference)."""
    if "${" not in text:
        return []
    return [_parse_ref(m.group(1), path) for m in _REF.finditer(text.replace("$${", "\0"))]


def iter_references(data: Any) -> Iterator[Reference]:
    """Every reference in ``data``, in document order.

    :raises InvalidInput: a malformed reference, with its key path.
    """
    for path, value in iter_leaves(data):
        if isinstance(value, str):
            yield from references_in(value, path)


def is_reference_only(value: str) -> bool:
    """Whether ``value`` is made of references and no literal text that could be a secret."""
    return bool(_REF.search(value)) and not _REF.sub("", value.replace("$${", "\0")).strip()


def render_value(value: str, resolve: Any) -> str:
    """``value`` with each reference replaced by ``resolve(reference)``."""
    escaped = value.replace("$${", "\0")
    out = _REF.sub(lambda m: resolve(_parse_ref(m.group(1), ())), escaped)
    return out.replace("\0", "${")


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(key)]


def is_secret_key(key: str) -> bool:
    """Whether a key names a secret: ``password``, ``api_key``, ``apiKey``, ``client_secret``...

    Whole words only, so ``max_tokens`` and ``token_limit_ratio``'s neighbours are judged by
    their words (``tokens`` is not ``token``).
    """
    words = _words(key)
    if any(w in _SECRET_WORDS or w.rstrip("s") in {"credential"} for w in words):
        return True
    return any(
        tuple(words[i : i + len(p)]) in _SECRET_PAIRS
        for p in _SECRET_PAIRS
        for i in range(len(words))
    )


def redact(path: Path, value: Any) -> Any:
    """``value``, or ``"***"`` when it sits under a secret-named key and is not a reference."""
    if not path or not isinstance(value, str) or not isinstance(path[-1], str):
        return value
    if is_secret_key(path[-1]) and value and not is_reference_only(value):
        return "***"
    return value


def type_name(value: Any) -> str:
    """The JSON type of a value: object, array, string, integer, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


class ChangeKind(StrEnum):
    """What happened at a path."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    TYPE_CHANGED = "type_changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two documents."""

    kind: ChangeKind
    path: Path
    old: Any = None
    new: Any = None

    @property
    def where(self) -> str:
        """The dotted path."""
        return format_path(self.path)

    def describe(self) -> str:
        """``database.mysql.connection_pool_size: 20 -> 30`` (secret values shown as ``***``)."""
        old = json.dumps(redact(self.path, self.old), default=_json_default)
        new = json.dumps(redact(self.path, self.new), default=_json_default)
        if self.kind is ChangeKind.ADDED:
            return f"{self.where}: added {new}"
        if self.kind is ChangeKind.REMOVED:
            return f"{self.where}: removed (was {old})"
        return f"{self.where}: {old} -> {new}"


def diff(old: Any, new: Any, path: Path = ()) -> list[Change]:
    """Every difference between ``old`` and ``new``, by path, in document order.

    Equal subtrees are skipped after one ``==`` and one JSON dump (both C speed), so diffing two
    large documents costs little more than reading them. Lists are compared item by item.
    """
    out: list[Change] = []
    _diff(old, new, path, out)
    return out


def _same(old: Any, new: Any) -> bool:
    """Equal as JSON: Python's ``==`` also holds for ``True == 1 == 1.0``, JSON's does not."""
    if old != new or type_name(old) != type_name(new):
        return False
    if isinstance(old, Mapping | list):
        return json.dumps(old, default=_json_default) == json.dumps(new, default=_json_default)
    return True


def _diff(old: Any, new: Any, path: Path, out: list[Change]) -> None:
    if _same(old, new):
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key, value in old.items():
            sub = (*path, str(key))
            if key in new:
                _diff(value, new[key], sub, out)
            else:
                out.append(Change(ChangeKind.REMOVED, sub, old=value))
        for key, value in new.items():
            if key not in old:
                out.append(Change(ChangeKind.ADDED, (*path, str(key)), new=value))
        return
    if isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                out.append(Change(ChangeKind.REMOVED, (*path, i), old=old[i]))
            elif i >= len(old):
                out.append(Change(ChangeKind.ADDED, (*path, i), new=new[i]))
            else:
                _diff(old[i], new[i], (*path, i), out)
        return
    kind = ChangeKind.CHANGED if type_name(old) == type_name(new) else ChangeKind.TYPE_CHANGED
    out.append(Change(kind, path, old=old, new=new))


class Bump(StrEnum):
    """What a configuration change means for the platform version (seed 2.2.2)."""

    NONE = "none"
    PATCH = "patch"
    MAJOR = "major"


def _required_paths(schema: Mapping[str, Any], path: Path = ()) -> set[Path]:
    """Paths a JSON Schema marks required, following ``properties`` of nested objects."""
    out: set[Path] = set()
    props = schema.get("properties")
    props = props if isinstance(props, Mapping) else {}
    required = schema.get("required")
    for name in required if isinstance(required, list) else ():
        out.add((*path, str(name)))
    for name, sub in props.items():
        if isinstance(sub, Mapping):
            out |= _required_paths(sub, (*path, str(name)))
    return out


def classify(
    changes: list[Change], schema: Mapping[str, Any] | None = None
) -> tuple[Bump, list[Change]]:
    """The bump a set of changes needs, and the changes that make it breaking.

    The seed makes a configuration change a patch (2.2.2); a key the schema marks required that
    is removed or changes type is breaking (major).
    """
    if not changes:
        return Bump.NONE, []
    required = _required_paths(schema) if schema else set()
    breaking = [
        c
        for c in changes
        if c.kind in (ChangeKind.REMOVED, ChangeKind.TYPE_CHANGED)
        and tuple(p for p in c.path if isinstance(p, str)) in required
    ]
    return (Bump.MAJOR if breaking else Bump.PATCH), breaking


@dataclass(frozen=True, slots=True)
class Drift:
    """The hash a service reports against the one expected for its environment."""

    environment: str
    expected: str | None
    reported: str | None
    drifted: bool
    reason: str


def check_drift(environment: str, expected: str | None, reported: str | None) -> Drift:
    """Compare a reported hash (12 hex digits, or the full digest) with the expected one."""
    if expected is None:
        return Drift(environment, None, reported, False, "no configuration is expected yet")
    if not reported:
        return Drift(environment, expected, reported, True, "the service reports no config hash")
    rep = reported.strip().lower()
    same = len(rep) >= SHORT_HASH_LEN and expected.startswith(rep[:SHORT_HASH_LEN])
    if same and len(rep) > SHORT_HASH_LEN and len(expected) == len(rep):
        same = rep == expected
    reason = (
        "matches"
        if same
        else f"reports {rep[:SHORT_HASH_LEN]}, expected {expected[:SHORT_HASH_LEN]}"
    )
    return Drift(environment, expected[:SHORT_HASH_LEN], rep, not same, reason)
