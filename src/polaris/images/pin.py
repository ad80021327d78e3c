"""Pinning image references by digest in text files (Kubernetes manifests, compose files, ...).

``aiops/api:2.1.0`` becomes ``aiops/api:2.1.0@sha256:...``: the tag stays for people, the digest
decides what runs. A pure text transform; the service writes all files or none. Also finds the
digests that files already pin, which retention must never delete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PinnedRef", "find_pinned", "pin_text"]

_DIGEST = r"sha256:[0-9a-f]{64}"
_ANY_PINNED = re.compile(
    r"(?P<name>[\w.\-/:]+?)(?::(?P<tag>[\w][\w.-]{0,127}))?@(?P<digest>" + _DIGEST + ")"
)


@dataclass(frozen=True, slots=True)
class PinnedRef:
    """A digest pinned in a file."""

    image: str
    digest: str
    line: int


def _image_pattern(registry: str | None, repository: str, tag: str) -> re.Pattern[str]:
    prefix = rf"(?:{re.escape(registry)}/)?" if registry else ""
    return re.compile(
        rf"(?<![\w./:-])(?P<name>{prefix}{re.escape(repository)}):{re.escape(tag)}"
        rf"(?P<digest>@{_DIGEST})?(?![\w.@-])"
    )


def pin_text(
    text: str, repository: str, tag: str, digest: str, *, registry: str | None = None
) -> tuple[str, int]:
    """Every ``[registry/]repository:tag`` (pinned or not) becomes ``...:tag@digest``; how many."""
    pattern = _image_pattern(registry, repository, tag)
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{m.group('name')}:{tag}@{digest}"

    return pattern.sub(sub, text), count


def find_pinned(text: str) -> list[PinnedRef]:
    """Every ``name[:tag]@sha256:...`` reference in ``text``."""
    out = []
    for m in _ANY_PINNED.finditer(text):
        out.append(
            PinnedRef(m.group("name"), m.group("digest"), text.count("\n", 0, m.start()) + 1)
        )
    return out
