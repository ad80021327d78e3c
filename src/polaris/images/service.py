"""Image use cases: tags for a build, listing, retention, promotion and pinning by digest.

The registry is handed in (:class:`~polaris.images.registry.Registry`); files are written with
the all-or-nothing writer; "now" is passed to the rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polaris.atomic import read_text, write_all
from polaris.core.errors import CheckFailed, InvalidInput, Location, NotFound
from polaris.core.semver import Version
from polaris.images.pin import find_pinned, pin_text
from polaris.images.policy import RegistryPolicy
from polaris.images.registry import ImageRef, Registry
from polaris.images.rules import (
    BuildInfo,
    DigestDecision,
    RetentionPlan,
    TagRecord,
    TagSet,
    compute_tags,
    plan_retention,
)
from polaris.scm.git import Git

__all__ = [
    "PinPlan",
    "PromoteResult",
    "apply_retention",
    "build_tags",
    "list_tags",
    "plan_pin",
    "promote",
    "protected_digests",
    "record",
    "retention_plan",
]

if TYPE_CHECKING:
    from polaris.store.session import Database

#: Files scanned for digest pins that protect an image from retention.
_SCANNED = ("*.yaml", "*.yml", "Dockerfile*", "*.json", "*.tf")


def build_tags(
    *,
    root: Path,
    image: str,
    version: str,
    now: datetime,
    branch: str | None = None,
    commit: str | None = None,
    release: bool | None = None,
    title: str | None = None,
    prefixes: Sequence[str] = ("v", ""),
) -> TagSet:
    """The tags and labels of the current build; branch, commit and release from git if not given.

    A build is a release when a tag pointing at HEAD ends with the version (``v2.1.0``,
    ``api-v2.1.0``).
    """
    v = Version.parse(version)
    git = Git(root)
    if git.is_repo():
        head, head_branch = git.head_state()
        commit = commit or head
        branch = branch if branch is not None else head_branch
        if release is None:
            at_head = git.run("tag", "--points-at", "HEAD", check=False).split()
            release = any(t == str(v) or t.endswith(f"v{v}") for t in at_head)
    return compute_tags(
        BuildInfo(
            image=image,
            version=v,
            commit=commit,
            branch=branch or None,
            created=now,
            release=bool(release),
            title=title,
        ),
        version_prefixes=prefixes,
    )


def list_tags(registry: Registry, repository: str) -> list[TagRecord]:
    """Every tag with its digest and creation time, newest first."""
    tags = registry.tags(repository)
    records = registry.tag_records(repository, tags)
    return sorted(records, key=lambda r: (r.created is not None, r.created, r.tag), reverse=True)


def protected_digests(root: Path | None, extra: Iterable[str] = ()) -> dict[str, str]:
    """Digests that must stay: pinned in the project's deployment files, or named by the caller."""
    out = dict.fromkeys(extra, "named with --protect")
    if root is None:
        return out
    for pattern in _SCANNED:
        for path in root.rglob(pattern):
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for ref in find_pinned(text):
                out.setdefault(
                    ref.digest, f"pinned in {path.relative_to(root).as_posix()}:{ref.line}"
                )
    return out


def retention_plan(
    registry: Registry,
    repository: str,
    *,
    now: datetime,
    policy: RegistryPolicy,
    protected: dict[str, str],
) -> tuple[RetentionPlan, int]:
    """The plan over every tag of ``repository``, and how many tags were read."""
    records = registry.tag_records(repository, registry.tags(repository))
    return (
        plan_retention(records, now=now, retention=policy.retention, protected=protected),
        len(records),
    )


def apply_retention(
    registry: Registry, repository: str, plan: RetentionPlan, protected: dict[str, str]
) -> list[DigestDecision]:
    """Delete the plan's digests, re-checking that none is protected and each still exists."""
    done = []
    for d in plan.delete:
        if d.digest in protected:  # pragma: no cover - the plan never includes one
            continue
        registry.delete(repository, d.digest)
        done.append(d)
    return done


@dataclass(frozen=True, slots=True)
class PromoteResult:
    """A promotion: source and new reference, the (shared) digest, and who approved."""

    source: str
    target: str
    digest: str
    environment: str | None
    rule: str | None
    approved_by: str | None
    dry_run: bool


def promote(
    registry: Registry,
    source: ImageRef,
    target_tag: str,
    *,
    policy: RegistryPolicy,
    environment: str | None,
    approved_by: str | None,
    dry_run: bool,
) -> PromoteResult:
    """Copy ``source``'s manifest to ``target_tag`` in the same repository, without a rebuild.

    :raises CheckFailed: the environment's promotion rule needs approval and none is named.
    :raises NotFound: the source tag does not exist.
    """
    rule = policy.promotion.get(environment) if environment else None
    if environment and rule is None:
        raise InvalidInput(
            f"no promotion rule for environment {environment!r}",
            hint=f"one of {', '.join(policy.promotion)} (docker-registry.yml image_promotion)",
        )
    if rule == "manual_approval_required" and not approved_by:
        raise CheckFailed(
            f"promotion to {environment} needs approval (image_promotion.{environment}: {rule})",
            hint="name the approver with --approved-by",
        )
    manifest = registry.manifest(source.repository, source.reference)
    target = ImageRef(source.registry, source.repository, target_tag)
    digest = manifest.digest
    if not dry_run:
        digest = registry.put_manifest(source.repository, target_tag, manifest)
        if digest != manifest.digest:
            raise CheckFailed(f"registry stored {target} as {digest}, not {manifest.digest}")
    return PromoteResult(str(source), str(target), digest, environment, rule, approved_by, dry_run)


@dataclass(frozen=True, slots=True)
class PinPlan:
    """New contents per file, their diff, and how many references each gets."""

    root: Path
    changes: dict[Path, str]
    counts: dict[str, int]
    diff: str

    def apply(self) -> list[str]:
        """Write every changed file, all or none."""
        write_all(self.changes, root=self.root)
        return sorted(self.counts)


def plan_pin(root: Path, files: Sequence[Path], ref: ImageRef, digest: str) -> PinPlan:
    """Pin ``ref`` (its tag) to ``digest`` in ``files``, written as in each file (with or
    without the registry host).

    :raises NotFound: no file mentions ``repository:tag``.
    """
    if ref.tag is None:
        raise InvalidInput(f"{ref} names no tag to pin")
    changes: dict[Path, str] = {}
    counts: dict[str, int] = {}
    diff: list[str] = []
    for f in files:
        path = f if f.is_absolute() else root / f
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            old = read_text(path, display=shown)
        except OSError as exc:
            raise InvalidInput(
                f"cannot read: {exc.strerror}", location=Location(file=shown)
            ) from None
        new, n = pin_text(old, ref.repository, ref.tag, digest, registry=ref.registry)
        counts[shown] = n
        if new != old:
            changes[path] = new
            diff += difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{shown}",
                f"b/{shown}",
            )
    if not any(counts.values()):
        raise NotFound(f"no reference to {ref.repository}:{ref.tag} in {', '.join(counts)}")
    return PinPlan(root, changes, {k: v for k, v in counts.items() if v}, "".join(diff))


def record(
    db: Database, *, actor: str, action: str, key: str, now: datetime, after: dict[str, Any]
) -> None:
    """Append the audit event of a registry change made through the API."""
    from polaris.audit.repo import add_audit

    with db.write() as s:
        add_audit(
            s, at=now, actor=actor, action=action, entity="image", key=key, before=None, after=after
        )
