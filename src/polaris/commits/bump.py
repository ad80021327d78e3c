"""From commits to the next version, with the reasons that decided it.

The default rules are the customer document's table (seed 2.2.2), each row expressed by commit
types: breaking changes (``!`` or ``BREAKING CHANGE``: breaking API and schema changes, major
architecture changes) and ``remove`` (removed features) bump major; ``feat`` (new features and
endpoints), ``perf`` (performance improvements) and ``deprecate`` (deprecated features) minor;
``fix`` (bug fixes), ``security`` (security patches), ``docs`` (documentation updates) and
``config`` (configuration changes) patch; anything else nothing. The Conventional Commits mapping
(``feat`` minor, ``fix``/``perf`` patch) is the named preset ``conventional``; both can be
replaced type by type. While the major number is 0, a breaking change bumps minor (configurable,
as in commitizen and python-semantic-release).

Prerelease channels (``--pre rc``) give ``2.2.0-rc.1``, then ``-rc.2`` on the same target, and a
release without ``--pre`` after a prerelease finalises it (``2.2.0-rc.2`` -> ``2.2.0``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from polaris.commits.rules import Commit
from polaris.core.errors import InvalidInput
from polaris.core.semver import Version

__all__ = [
    "BUMP_PRESETS",
    "CONVENTIONAL_LEVELS",
    "DEFAULT_LEVELS",
    "DOCUMENT_LEVELS",
    "LEVEL_ORDER",
    "BumpDecision",
    "BumpRules",
    "Level",
    "NextVersion",
    "Reason",
    "branch_build_version",
    "decide",
    "next_version",
    "tag_name",
    "tag_version_text",
]

Level = Literal["major", "minor", "patch"]
#: Rank of each level; ``None`` (no release) ranks 0.
LEVEL_ORDER: Final[Mapping[Level | None, int]] = {None: 0, "patch": 1, "minor": 2, "major": 3}
#: The customer document's table (seed 2.2.2) as commit type -> bump level.
DOCUMENT_LEVELS: Final[Mapping[str, Level]] = {
    "remove": "major",  # removed features
    "feat": "minor",  # new features, new API endpoints
    "perf": "minor",  # performance improvements
    "deprecate": "minor",  # deprecated features
    "fix": "patch",  # bug fixes
    "security": "patch",  # security patches
    "docs": "patch",  # documentation updates
    "config": "patch",  # configuration changes
}
#: The Conventional Commits mapping (commitizen, semantic-release).
CONVENTIONAL_LEVELS: Final[Mapping[str, Level]] = {"feat": "minor", "fix": "patch", "perf": "patch"}
#: Named bump presets: ``[release] bump_preset = "conventional"``.
BUMP_PRESETS: Final[Mapping[str, Mapping[str, Level]]] = {
    "document": DOCUMENT_LEVELS,
    "conventional": CONVENTIONAL_LEVELS,
}
#: Commit type -> bump level (types not listed bump nothing): the document's table.
DEFAULT_LEVELS: Final[Mapping[str, Level]] = DOCUMENT_LEVELS


@dataclass(frozen=True, slots=True)
class BumpRules:
    """Which commits bump which part."""

    levels: Mapping[str, Level] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    #: While major is 0, a breaking change bumps this part instead of major.
    major_zero_breaking: Level = "minor"
    #: The first version when there is neither a release tag nor a current version.
    initial: str = "0.1.0"


@dataclass(frozen=True, slots=True)
class Reason:
    """A commit that decided (or contributed to) the bump."""

    sha: str
    subject: str
    level: Level
    why: str


@dataclass(frozen=True, slots=True)
class BumpDecision:
    """The bump level the commits call for, and the commits that call for it."""

    level: Level | None
    #: The commits at the decisive level (breaking changes first), in history order.
    reasons: tuple[Reason, ...] = ()
    #: How many commits were considered.
    considered: int = 0


@dataclass(frozen=True, slots=True)
class NextVersion:
    """The answer of ``polaris version next``."""

    #: The last release (the highest tag matching the tag format), if any.
    last_release: Version | None
    #: The pending prerelease of the coming release (a newer prerelease tag), if any.
    last_prerelease: Version | None
    #: The next version, ``None`` when no commit calls for a release.
    next: Version | None
    level: Level | None
    reasons: tuple[Reason, ...]
    considered: int
    tag: str | None = None


def _why(commit: Commit, level: Level) -> str:
    if commit.breaking:
        marker = "'!'" if commit.subject.split(":", 1)[0].endswith("!") else "BREAKING CHANGE"
        return f"breaking change ({marker})"
    return f"{commit.type} -> {level}"


def decide(commits: Iterable[Commit], rules: BumpRules | None = None) -> BumpDecision:
    """The highest bump level among ``commits``, with the commits at that level.

    >>> from polaris.commits.rules import RawCommit, parse_commit
    >>> msgs = [("a", "fix: x"), ("b", "feat: y")]
    >>> c = [parse_commit(RawCommit(s, (), "", "", "", m)) for s, m in msgs]
    >>> decide(c).level
    'minor'
    """
    rules = rules or BumpRules()
    levels = rules.levels
    best: Level | None = None
    best_rank = 0
    reasons: list[Reason] = []
    count = 0
    for commit in commits:
        count += 1
        if commit.type is None:
            continue
        level: Level | None = "major" if commit.breaking else levels.get(commit.type)
        if level is None:
            continue
        rank = LEVEL_ORDER[level]
        if rank > best_rank:
            best, best_rank, reasons = level, rank, []
        if rank == best_rank:
            reasons.append(Reason(commit.sha, commit.subject, level, _why(commit, level)))
    return BumpDecision(best, tuple(reasons), count)


def next_version(
    decision: BumpDecision,
    *,
    last_release: Version | None,
    last_tag: Version | None = None,
    current: Version | None = None,
    pre: str | None = None,
    rules: BumpRules | None = None,
) -> NextVersion:
    """Apply a decision to the last release.

    :param decision: what the commits since ``last_release`` call for.
    :param last_release: the highest release tag (no prerelease); ``None`` before the first.
    :param last_tag: the highest tag, which may be a prerelease of the coming release.
    :param current: the version the files carry, the base when there is no release tag yet.
    :param pre: a prerelease channel (``alpha``, ``beta``, ``rc``).

    >>> d = BumpDecision("minor")
    >>> str(next_version(d, last_release=Version.parse("2.1.0"), pre="rc").next)
    '2.2.0-rc.1'
    >>> str(next_version(d, last_release=Version.parse("2.1.0"),
    ...                  last_tag=Version.parse("2.2.0-rc.1"), pre="rc").next)
    '2.2.0-rc.2'
    """
    rules = rules or BumpRules()
    level = decision.level
    base = last_release if last_release is not None else current
    pending = last_tag if last_tag is not None and last_tag.is_prerelease else None
    if pending is not None and last_release is not None and pending < last_release:
        pending = None
    if base is not None and base.is_prerelease:
        # No release tag, and the files carry a prerelease: it is the pending one.
        pending = pending or base
        base = None
    effective = level
    if level == "major" and base is not None and base.major == 0:
        effective = rules.major_zero_breaking
    target: tuple[int, int, int] | None
    if effective is None:
        target = None
    elif base is None and last_release is None and pending is None:
        target = Version.parse(rules.initial).core
    elif base is None:
        target = None
    else:
        target = base.bump(effective).core
    if pending is not None and (target is None or pending.core >= target):
        # The coming release already has a prerelease line: continue or finalise it.
        if effective is None and pre is not None:
            new: Version | None = None
        elif pre is None:
            new = pending.finalize()
        elif pre == pending.channel:
            new = pending.bump("prerelease")
        else:
            new = pending.bump("prerelease", pre=pre)
    elif target is None:
        new = None
    elif pre is None:
        new = Version(*target)
    else:
        new = Version(*target, prerelease=(pre, "1"))
    return NextVersion(
        last_release=last_release,
        last_prerelease=pending,
        next=new,
        level=effective,
        reasons=decision.reasons,
        considered=decision.considered,
    )


def branch_build_version(target: Version, branch: str, build_number: int) -> Version:
    """The build version of a branch heading for ``target`` (seed 2.3): ``2.1.0-dev.123`` etc.

    A hotfix branch heads for the next patch of the release it fixes; pass that as ``target``.
    """
    if not branch:
        raise InvalidInput(
            "no branch name (detached HEAD?)", hint="pass the branch name explicitly"
        )
    return target.branch_version(branch, build_number)


def tag_name(tag_format: str, version: Version, component: str | None = None) -> str:
    """The tag of ``version``: ``v{version}`` -> ``v2.1.0``; ``{component}-v{version}`` too."""
    name = tag_format.replace("{version}", str(version))
    if component is not None:
        name = name.replace("{component}", component)
    return name


def tag_version_text(tag_format: str, name: str, component: str | None = None) -> str | None:
    """The version part of a tag name that has the shape of ``tag_format``, else ``None``.

    The text may still not be a version (``vnext``): the caller parses it and warns.

    >>> tag_version_text("{component}-v{version}", "api-v1.2.0", "api")
    '1.2.0'
    >>> tag_version_text("v{version}", "release-1") is None
    True
    """
    fmt = tag_format
    if component is not None:
        fmt = fmt.replace("{component}", component)
    prefix, sep, suffix = fmt.partition("{version}")
    if not sep:
        raise InvalidInput(f"tag format {tag_format!r} has no {{version}}", hint="e.g. v{version}")
    if not name.startswith(prefix) or not name.endswith(suffix):
        return None
    text = name[len(prefix) : len(name) - len(suffix)]
    return text or None
