"""Update proposals per policy, and their format-preserving rewrite of requirement files.

Pure: versions and hashes from the index come in as data. A proposal rewrites only the version
of its pin (``name[extra]==1.2.3`` -> ``==1.3.0``), keeping extras, markers, comments and
layout; a hashed pin gets the new version's hashes, one ``--hash`` per line as before.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from polaris.dependencies.requirements_txt import logical_lines
from polaris.dependencies.rules import (
    Dependency,
    PolicyBook,
    UpdatePolicy,
    UpdateType,
    classify_update,
    newest,
)

__all__ = ["Proposal", "propose", "rewrite"]


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed update: where, from, to, and whether the policy applies it by itself."""

    name: str
    source: str
    line: int
    current: str
    target: str
    update: str
    category: str
    action: str  # auto | approval
    reason: str


def propose(
    deps: Sequence[Dependency],
    book: PolicyBook,
    versions: Mapping[str, list[tuple[str, bool]] | None],
) -> list[Proposal]:
    """Per pinned requirement-file dependency: the update its category's policy allows.

    ``automated_updates``: the newest; ``automated_minor_updates``: the newest of the same major
    (a newer major is proposed for approval); ``automated_patch_updates``: the newest of the same
    minor; ``manual_approval_required``: the newest, for approval (an approval request once the
    governance engine exists).
    """
    out: list[Proposal] = []
    for dep in deps:
        if dep.version is None or not dep.line:
            continue
        available = versions.get(dep.key)
        if not available:
            continue
        cat = book.category_of(dep)
        policy = cat.update_policy
        top = newest(dep.ecosystem, available)
        auto_target: str | None = None
        if policy == UpdatePolicy.ALL:
            auto_target = top
        elif policy == UpdatePolicy.MINOR:
            auto_target = newest(dep.ecosystem, available, same_major_as=dep.version)
        elif policy == UpdatePolicy.PATCH:
            auto_target = newest(dep.ecosystem, available, patch_only_of=dep.version)
        base: dict[str, Any] = {
            "name": dep.name,
            "source": dep.source,
            "line": dep.line,
            "current": dep.version,
            "category": cat.name,
        }
        if auto_target and classify_update(dep.ecosystem, dep.version, auto_target) not in (
            UpdateType.NONE,
            UpdateType.UNKNOWN,
            UpdateType.PRERELEASE,
        ):
            kind = classify_update(dep.ecosystem, dep.version, auto_target)
            out.append(
                Proposal(
                    **base,
                    target=auto_target,
                    update=kind.value,
                    action="auto",
                    reason=f"{policy.value} allows a {kind.value} update",
                )
            )
            if top == auto_target:
                continue
        if top and top != auto_target:
            kind = classify_update(dep.ecosystem, dep.version, top)
            if kind in (UpdateType.NONE, UpdateType.UNKNOWN, UpdateType.PRERELEASE):
                continue
            why = (
                "critical: every update needs approval"
                if policy == UpdatePolicy.MANUAL
                else f"a {kind.value} update is outside {policy.value}"
            )
            out.append(
                Proposal(**base, target=top, update=kind.value, action="approval", reason=why)
            )
    return out


def rewrite(
    text: str,
    changes: Mapping[int, tuple[str, str, str]],
    hashes: Mapping[tuple[str, str], Sequence[str]],
) -> str:
    """Apply ``{first_line: (name, old, new)}`` to a requirements file's ``text``.

    :param hashes: ``(name, new) -> ["sha256:..."]`` for pins that carry hashes.
    """
    lines = text.splitlines(keepends=True)
    for ll in sorted(logical_lines(text), key=lambda x: -x.first):
        if ll.first not in changes:
            continue
        name, old, new = changes[ll.first]
        block = lines[ll.first - 1 : ll.last]
        first = re.sub(rf"(==\s*){re.escape(old)}(?![\w.+!-])", rf"\g<1>{new}", block[0], count=1)
        new_hashes = list(hashes.get((name, new), ()))
        has_hash = any("--hash" in b for b in block)
        if not has_hash or not new_hashes:
            lines[ll.first - 1] = first
            continue
        indent = next((re.match(r"\s*", b).group(0) for b in block[1:] if "--hash" in b), "    ")  # type: ignore[union-attr]
        eol = "\r\n" if block[-1].endswith("\r\n") else "\n"
        head = re.sub(r"\s*--hash[=\s]\S+", "", first.rstrip("\r\n")).rstrip(" \\")
        rebuilt = [f"{head} \\{eol}"] + [f"{indent}--hash={h} \\{eol}" for h in new_hashes]
        rebuilt[-1] = rebuilt[-1].replace(f" \\{eol}", eol)
        lines[ll.first - 1 : ll.last] = rebuilt
    return "".join(lines)


def unified(path: str, old: str, new: str) -> str:
    """A unified diff of one file."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )
