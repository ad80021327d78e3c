"""Pure checks of lock files (seed 9.1.2): every pin hashed, hashes on the index, lock = manifest.

Python specifiers are checked with ``packaging``; npm ranges with Polaris's own
:class:`polaris.core.ranges.Range`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from polaris.core.errors import InvalidRange
from polaris.core.ranges import Range
from polaris.dependencies.rules import Dependency, Ecosystem

__all__ = ["LockProblem", "check_hashes", "check_manifest"]


@dataclass(frozen=True, slots=True)
class LockProblem:
    """One thing wrong with a lock: what, which package, where."""

    kind: str  # no-hash | hash-mismatch | not-on-index | not-locked | out-of-range
    package: str
    version: str | None
    message: str
    source: str


def _where(dep: Dependency) -> str:
    return f"{dep.source}:{dep.line}" if dep.line else dep.source


def check_hashes(
    pins: Iterable[Dependency], index_hashes: Mapping[str, dict[str, set[str]] | None]
) -> list[LockProblem]:
    """Each pin must carry hashes, and each of its hashes must be one the index lists.

    :param index_hashes: by package key, ``{version: {"sha256:<hex>", ...}}`` from the index's
        files, or ``None`` when the index does not have the package at all.
    """
    out: list[LockProblem] = []
    for dep in pins:
        if dep.ecosystem != Ecosystem.PYPI or dep.version is None:
            continue
        where = _where(dep)
        if not dep.hashes:
            out.append(
                LockProblem("no-hash", dep.name, dep.version, "pinned without --hash", where)
            )
            continue
        page = index_hashes.get(dep.key)
        files = None if page is None else _same_version(page, dep.version)
        if files is None:
            out.append(
                LockProblem(
                    "not-on-index",
                    dep.name,
                    dep.version,
                    f"{dep.name} {dep.version} has no files on the index",
                    where,
                )
            )
            continue
        for h in dep.hashes:
            algo = h.split(":", 1)[0]
            known = {x for x in files if x.startswith(algo + ":")}
            if known and h not in known:
                out.append(
                    LockProblem(
                        "hash-mismatch",
                        dep.name,
                        dep.version,
                        f"hash {h[:19]}... matches no file of {dep.name} {dep.version} "
                        "on the index",
                        where,
                    )
                )
    return out


def _same_version(page: dict[str, set[str]], version: str) -> set[str] | None:
    if version in page:
        return page[version]
    try:
        want = Version(version)
    except InvalidVersion:
        return None
    for text, hashes in page.items():
        try:
            if Version(text) == want:
                return hashes
        except InvalidVersion:
            continue
    return None


def check_manifest(manifest: Iterable[Dependency], lock: Iterable[Dependency]) -> list[LockProblem]:
    """Every manifest requirement is locked, at a version its specifier (or npm range) allows."""
    locked: dict[tuple[str, str], list[Dependency]] = {}
    for dep in lock:
        locked.setdefault((dep.ecosystem.value, dep.key), []).append(dep)
    out: list[LockProblem] = []
    for want in manifest:
        found = locked.get((want.ecosystem.value, want.key))
        where = _where(want)
        if not found:
            out.append(
                LockProblem(
                    "not-locked", want.name, None, f"{want.name} is required but not locked", where
                )
            )
            continue
        if not any(_allows(want, d.version) for d in found):
            versions = ", ".join(sorted({str(d.version) for d in found}))
            out.append(
                LockProblem(
                    "out-of-range",
                    want.name,
                    versions,
                    f"{want.name} is locked at {versions}, outside {want.specifier or '*'} "
                    f"required by {where}",
                    found[0].source,
                )
            )
    return out


def _allows(want: Dependency, version: str | None) -> bool:
    if version is None:
        return False
    if want.ecosystem == Ecosystem.NPM:
        spec = want.specifier.strip() or "*"
        try:
            return Range(spec).contains(version)
        except (InvalidRange, ValueError):
            return True  # a tag, URL or workspace reference: not a range to check
    try:
        return SpecifierSet(want.specifier).contains(version, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False
