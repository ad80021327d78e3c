"""Pure image rules (seed 9.2): the tags and labels of a build, and the retention plan.

Tagging strategy (9.2.2 ``tagging_strategy``): the version (``v2.1.0`` and ``2.1.0``) and ``latest``
only for a stable release build; the git branch, sanitised to a valid tag; the short commit.
Retention (9.2.2 ``retention_policy``): production images kept forever, development images 30 days,
feature-branch images 7 days; an image (a digest) goes only when every tag on it has expired and
nothing protects it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from polaris.core.errors import ConfigError, InvalidInput, Location
from polaris.core.semver import Version

__all__ = [
    "DEFAULT_RETENTION",
    "BuildInfo",
    "DigestDecision",
    "RetentionPlan",
    "TagKind",
    "TagRecord",
    "TagSet",
    "classify_tag",
    "compute_tags",
    "parse_keep",
    "plan_retention",
    "sanitize_tag",
]

_TAG_OK: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_SHA: Final = re.compile(r"(?:sha-)?[0-9a-f]{7,40}")
DEVELOPMENT_BRANCHES: Final = frozenset(
    {"develop", "development", "dev", "main", "master", "staging"}
)


def sanitize_tag(text: str) -> str:
    """A git branch as a Docker tag: ``feature/Login_2`` -> ``feature-login_2``.

    Lower-cased; every character outside ``[a-z0-9_.-]`` becomes ``-``; runs of ``-`` collapse;
    no leading ``.`` or ``-``; at most 128 characters.
    """
    out = re.sub(r"[^a-z0-9_.-]+", "-", text.lower())
    out = re.sub(r"-{2,}", "-", out).lstrip(".-")[:128].rstrip("-")
    if not out:
        raise InvalidInput(f"branch {text!r} leaves nothing usable as an image tag")
    return out


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What a build knows about itself."""

    image: str
    version: Version
    commit: str | None
    branch: str | None
    created: datetime
    #: Whether this build is of a release (its commit carries the version's tag).
    release: bool
    title: str | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class TagSet:
    """The tags and OCI labels of one build."""

    image: str
    tags: list[str]
    labels: dict[str, str]
    build_args: dict[str, str] = field(default_factory=dict)

    @property
    def refs(self) -> list[str]:
        """``image:tag`` for each tag."""
        return [f"{self.image}:{t}" for t in self.tags]


def compute_tags(
    info: BuildInfo, *, version_prefixes: Iterable[str] = ("v", ""), short_sha: int = 7
) -> TagSet:
    """The build's tags (9.2.2) and labels (9.2.1 ``LABEL version`` plus the OCI annotations).

    Version tags only for a release build; ``latest`` only for a stable (non-prerelease) release.
    """
    tags: list[str] = []
    version_text = str(info.version).replace("+", "_")
    if info.release:
        tags += [f"{p}{version_text}" for p in version_prefixes]
        if not info.version.is_prerelease:
            tags.append("latest")
    if info.branch:
        tags.append(sanitize_tag(info.branch))
    if info.commit:
        if not re.fullmatch(r"[0-9a-fA-F]{7,64}", info.commit):
            raise InvalidInput(f"commit {info.commit!r} is not a hexadecimal hash")
        tags.append(info.commit[:short_sha].lower())
    tags = list(dict.fromkeys(tags))
    for t in tags:
        if not _TAG_OK.fullmatch(t):
            raise InvalidInput(f"{t!r} is not a valid image tag", hint="check version_prefixes")
    created = info.created.isoformat().replace("+00:00", "Z")
    labels = {
        "org.opencontainers.image.version": str(info.version),
        "org.opencontainers.image.created": created,
        "version": str(info.version),
    }
    if info.commit:
        labels["org.opencontainers.image.revision"] = info.commit
    if info.title:
        labels["org.opencontainers.image.title"] = info.title
    if info.source_url:
        labels["org.opencontainers.image.source"] = info.source_url
    build_args = {"VERSION": str(info.version), "CREATED": created}
    if info.commit:
        build_args["REVISION"] = info.commit
    return TagSet(info.image, tags, dict(sorted(labels.items())), build_args)


class TagKind(StrEnum):
    """Which retention class a tag is in."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"
    FEATURE = "feature"


def classify_tag(tag: str) -> TagKind:
    """``latest`` and stable versions are production; prereleases, development branches and
    commits are development; any other (branch) tag is a feature-branch image."""
    if tag == "latest":
        return TagKind.PRODUCTION
    text = tag.removeprefix("v").replace("_", "+")
    if Version.is_valid(text):
        return TagKind.DEVELOPMENT if Version.parse(text).is_prerelease else TagKind.PRODUCTION
    if tag in DEVELOPMENT_BRANCHES or _SHA.fullmatch(tag):
        return TagKind.DEVELOPMENT
    return TagKind.FEATURE


#: The document's retention: production forever (None), development 30 days, feature 7 days.
DEFAULT_RETENTION: Final[Mapping[TagKind, timedelta | None]] = {
    TagKind.PRODUCTION: None,
    TagKind.DEVELOPMENT: timedelta(days=30),
    TagKind.FEATURE: timedelta(days=7),
}


def parse_keep(text: str, *, field: str, source: str) -> timedelta | None:
    """``keep_forever`` -> None; ``30_days`` / ``12_hours`` / ``2_weeks`` -> a duration."""
    if text == "keep_forever":
        return None
    m = re.fullmatch(r"(\d+)_(hours?|days?|weeks?)", text)
    if m is None:
        raise ConfigError(
            f"{text!r} is not keep_forever or N_days/N_hours/N_weeks",
            location=Location(file=source, field=field),
        )
    n, unit = int(m.group(1)), m.group(2).rstrip("s")
    return timedelta(**{f"{unit}s": n})


@dataclass(frozen=True, slots=True)
class TagRecord:
    """One tag in a repository: its digest and the image's creation time (from its config)."""

    tag: str
    digest: str
    created: datetime | None


@dataclass(frozen=True, slots=True)
class DigestDecision:
    """What happens to one digest (and every tag on it), and why."""

    digest: str
    tags: list[str]
    created: datetime | None
    delete: bool
    reason: str


@dataclass(slots=True)
class RetentionPlan:
    """Digests to delete and to keep."""

    delete: list[DigestDecision]
    keep: list[DigestDecision]

    @property
    def tags_deleted(self) -> int:
        """How many tags the deletions remove."""
        return sum(len(d.tags) for d in self.delete)


def plan_retention(
    records: Iterable[TagRecord],
    *,
    now: datetime,
    retention: Mapping[TagKind, timedelta | None] = DEFAULT_RETENTION,
    protected: Mapping[str, str] | None = None,
) -> RetentionPlan:
    """Decide per digest; a digest is deleted only when every tag on it has expired.

    :param protected: digest -> why it must stay (a pin in a deployment file, a production
        deployment record, a recovery point); such a digest is never deleted.
    """
    protected = protected or {}
    by_digest: dict[str, list[TagRecord]] = {}
    for r in records:
        by_digest.setdefault(r.digest, []).append(r)
    delete: list[DigestDecision] = []
    keep: list[DigestDecision] = []
    for digest, recs in by_digest.items():
        tags = sorted(r.tag for r in recs)
        created = min((r.created for r in recs if r.created is not None), default=None)
        decision = _decide(digest, tags, created, now, retention, protected)
        (delete if decision.delete else keep).append(decision)
    delete.sort(key=lambda d: (d.created or now, d.digest))
    keep.sort(key=lambda d: d.tags)
    return RetentionPlan(delete, keep)


def _decide(
    digest: str,
    tags: list[str],
    created: datetime | None,
    now: datetime,
    retention: Mapping[TagKind, timedelta | None],
    protected: Mapping[str, str],
) -> DigestDecision:
    def keep(reason: str) -> DigestDecision:
        return DigestDecision(digest, tags, created, False, reason)

    if digest in protected:
        return keep(f"protected: {protected[digest]}")
    kinds = {t: classify_tag(t) for t in tags}
    forever = [t for t, k in kinds.items() if retention.get(k) is None]
    if forever:
        return keep(f"{kinds[forever[0]].value} tag {forever[0]} is kept forever")
    if created is None:
        return keep("no creation time in the image config")
    age = now - created
    longest = max(kinds.items(), key=lambda kv: retention[kv[1]] or timedelta.max)
    limit = retention[longest[1]]
    assert limit is not None  # noqa: S101 - the forever case returned above
    if age < limit:
        return keep(
            f"{longest[1].value} tag {longest[0]} is {age.days} days old (keep {limit.days})"
        )
    return DigestDecision(
        digest,
        tags,
        created,
        True,
        f"{longest[1].value} image {age.days} days old, past {limit.days} days",
    )
