"""Release tags: read once from git, matched to the tag format, indexed by commit."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass

from polaris.commits.bump import tag_version_text
from polaris.core.errors import InvalidVersion
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.scm.git import Git, Tag

__all__ = ["TagIndex", "ancestry", "read_tags", "tag_candidates", "tag_format", "tag_index"]


@dataclass(frozen=True, slots=True)
class TagIndex:
    """The release tags reachable from HEAD, read once."""

    #: commit sha -> (tag, version), one (the highest) per commit.
    by_commit: dict[str, tuple[str, Version]]
    #: tag -> date (YYYY-MM-DD).
    dates: dict[str, str]
    last_release: tuple[str, str, Version] | None
    last_tag: tuple[str, str, Version] | None
    warnings: tuple[str, ...] = ()

    def releases(self, *, include_prereleases: bool) -> dict[str, tuple[str, Version]]:
        """The commit -> release map used to split history."""
        if include_prereleases:
            return self.by_commit
        return {s: tv for s, tv in self.by_commit.items() if not tv[1].is_prerelease}

    def find(self, version: Version) -> tuple[str, str] | None:
        """(tag, sha) of ``version``, if released."""
        for sha, (tag, v) in self.by_commit.items():
            if v == version:
                return tag, sha
        return None


def tag_format(project: Project, component: str | None) -> str:
    """The tag format of the platform, or the per-component one."""
    return project.tag_format if component is None else project.component_tag_format


def tag_candidates(
    tags_by_commit: Mapping[str, list[Tag]],
    project: Project,
    component: str | None,
    reachable: Container[str] | None,
) -> tuple[list[tuple[Version, str, str]], dict[str, str], list[str]]:
    """Tags of the tag format as (version, name, sha), highest first; their dates; warnings."""
    fmt = tag_format(project, component)
    found: list[tuple[Version, str, str]] = []
    dates: dict[str, str] = {}
    warnings: list[str] = []
    for sha, tags in tags_by_commit.items():
        for tag in tags:
            text = tag_version_text(fmt, tag.name, component)
            if text is None:
                continue
            try:
                version = Version.parse(text)
            except InvalidVersion:
                warnings.append(f"tag {tag.name!r} ignored: {text!r} is not a SemVer version")
                continue
            if reachable is not None and sha not in reachable:
                continue
            dates[tag.name] = tag.date[:10]
            found.append((version, tag.name, sha))
    found.sort(key=lambda item: item[0], reverse=True)
    return found, dates, warnings


def tag_index(
    found: list[tuple[Version, str, str]],
    dates: dict[str, str],
    warnings: list[str],
    on_history: Callable[[str], bool],
) -> TagIndex:
    """The index of ``found`` tags: the last (pre)release on the history and the tag per commit."""
    last_tag = next(((n, s, v) for v, n, s in found if on_history(s)), None)
    last_release = next(
        ((n, s, v) for v, n, s in found if not v.is_prerelease and on_history(s)), None
    )
    by_commit: dict[str, tuple[str, Version]] = {}
    for version, name, sha in reversed(found):  # ascending: the highest tag of a commit wins
        by_commit[sha] = (name, version)
    return TagIndex(by_commit, dates, last_release, last_tag, tuple(warnings))


def ancestry(git: Git) -> Callable[[str], bool]:
    """``merge-base --is-ancestor`` of HEAD, one call per commit asked about, cached."""
    checked: dict[str, bool] = {}

    def on_history(sha: str) -> bool:
        if sha not in checked:
            checked[sha] = git.is_ancestor(sha, "HEAD")
        return checked[sha]

    return on_history


def read_tags(
    git: Git,
    project: Project,
    component: str | None = None,
    *,
    reachable: Container[str] | None = None,
) -> TagIndex:
    """Every tag of the tag format reachable from HEAD; tags that are not versions are warned about.

    Tags are read in one call. Reachability comes from ``reachable`` (the shas of a full log
    already read) when given; otherwise only the highest candidates are checked, one
    ``merge-base --is-ancestor`` each, highest first, until one is reachable. The last release is
    found from the tags alone, never through a path filter (git-cliff 1122).
    """
    found, dates, warnings = tag_candidates(git.tags(), project, component, reachable)
    on_history = (lambda _sha: True) if reachable is not None else ancestry(git)
    return tag_index(found, dates, warnings, on_history)
