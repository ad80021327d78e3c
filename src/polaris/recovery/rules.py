"""Pure decisions about recovery points: names, the manifest's shape, retention.

A recovery point (seed 10.2.1) is named ``recovery-YYYYMMDD-HHMMSS`` (UTC) and described by a JSON
manifest stored in the artifact store: the platform release, component versions, model stage
pointers, schema version per database, config hashes (once config versioning records them), and
one part per store backup with its sha256. Nothing here reads a file or a clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from polaris.core.errors import CheckFailed, InvalidInput, Location

__all__ = [
    "MANIFEST_FORMAT",
    "NAME_PATTERN",
    "ManifestCorrupted",
    "Part",
    "RecoveryPoint",
    "check_name",
    "decode_manifest",
    "encode_manifest",
    "plan_retention",
    "point_name",
    "unreferenced_blobs",
]

#: The manifest's ``format`` field; bumped if its shape ever changes incompatibly.
MANIFEST_FORMAT: Final = "polaris.recovery-point/1"
NAME_PATTERN: Final = re.compile(r"^recovery-\d{8}-\d{6}$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")


class ManifestCorrupted(CheckFailed):
    """A manifest that does not have the recovery-point shape."""

    slug = "recovery-manifest-corrupted"


@dataclass(frozen=True, slots=True)
class Part:
    """One backup file of a recovery point, in the artifact store."""

    store: str
    kind: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class RecoveryPoint:
    """A recovery point as the store lists it (the manifest holds the rest)."""

    name: str
    environment: str
    created_at: datetime
    created_by: str
    release: str | None
    reason: str
    manifest_sha256: str
    parts: tuple[Part, ...]

    @property
    def size(self) -> int:
        """Bytes of all backups."""
        return sum(p.size for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "environment": self.environment,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "release": self.release,
            "reason": self.reason,
            "manifest_sha256": self.manifest_sha256,
            "size": self.size,
            "parts": [
                {"store": p.store, "kind": p.kind, "sha256": p.sha256, "size": p.size}
                for p in self.parts
            ],
        }


def point_name(now: datetime, taken: Iterable[str] = ()) -> str:
    """``recovery-YYYYMMDD-HHMMSS`` of ``now`` (UTC), the next free second if that one is taken.

    >>> from datetime import UTC
    >>> point_name(datetime(2026, 12, 6, 5, 1, 2, tzinfo=UTC), {"recovery-20261206-050102"})
    'recovery-20261206-050103'
    """
    used = set(taken)
    at = now.replace(microsecond=0)
    while True:
        name = f"recovery-{at:%Y%m%d-%H%M%S}"
        if name not in used:
            return name
        at += timedelta(seconds=1)


def check_name(name: str) -> str:
    """``name`` if it has the recovery-point form.

    :raises InvalidInput: it does not.
    """
    if not NAME_PATTERN.match(name):
        raise InvalidInput(
            f"{name!r} is not a recovery point name",
            location=Location(field="name"),
            hint="recovery-YYYYMMDD-HHMMSS, as `polaris recovery list` shows",
        )
    return name


def encode_manifest(manifest: Mapping[str, Any]) -> bytes:
    """The stored bytes of a manifest: indented, keys sorted (the same content, the same hash)."""
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def decode_manifest(data: bytes, name: str) -> dict[str, Any]:
    """A manifest read back, its shape checked.

    :raises ManifestCorrupted: not JSON, another format, or a part without a valid sha256.
    """
    try:
        manifest = json.loads(data)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ManifestCorrupted(f"the manifest of {name} is not a {MANIFEST_FORMAT} document")
    parts = manifest.get("parts")
    if not isinstance(parts, dict):
        raise ManifestCorrupted(f"the manifest of {name} has no parts table")
    for store, part in parts.items():
        if not isinstance(part, dict) or not _HEX64.match(str(part.get("sha256", ""))):
            raise ManifestCorrupted(f"the manifest of {name}: part {store!r} has no valid sha256")
    return manifest


def plan_retention(
    points: Sequence[RecoveryPoint], *, keep: int, max_age_days: float | None, now: datetime
) -> list[tuple[RecoveryPoint, str]]:
    """The points to delete, with why: beyond the newest ``keep`` of their environment, or older
    than ``max_age_days``. The newest point of every environment is always kept."""
    by_env: dict[str, list[RecoveryPoint]] = {}
    for p in points:
        by_env.setdefault(p.environment, []).append(p)
    drop: list[tuple[RecoveryPoint, str]] = []
    for env_points in by_env.values():
        ordered = sorted(env_points, key=lambda p: (p.created_at, p.name), reverse=True)
        for i, p in enumerate(ordered):
            if i == 0:
                continue
            if i >= keep:
                drop.append((p, f"beyond the newest {keep} of {p.environment}"))
            elif max_age_days is not None and now - p.created_at > timedelta(days=max_age_days):
                drop.append((p, f"older than {max_age_days:g} days"))
    return sorted(drop, key=lambda d: (d[0].created_at, d[0].name))


def unreferenced_blobs(
    dropped: Iterable[RecoveryPoint], kept: Iterable[RecoveryPoint]
) -> list[str]:
    """Digests only ``dropped`` points use (a blob shared with a kept point stays)."""
    used = {b for p in kept for b in (p.manifest_sha256, *(x.sha256 for x in p.parts))}
    out = {b for p in dropped for b in (p.manifest_sha256, *(x.sha256 for x in p.parts))}
    return sorted(out - used)
