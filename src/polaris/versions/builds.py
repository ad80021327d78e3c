"""``polaris version branch``: the build version of a branch, from git, CI variables and tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from polaris.core.errors import InvalidInput, InvalidVersion
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.scm.git import Git
from polaris.versions.branches import (
    build_metadata,
    ci_branch,
    ci_build_number,
    is_release_branch,
    name_problems,
    next_rc,
    release_branch_target,
    tag_versions,
)

__all__ = ["BranchBuild", "Workspace", "branch_build", "ci_metadata", "workspace"]


@dataclass(frozen=True, slots=True)
class Workspace:
    """The git state ``polaris status`` shows: branch, HEAD, and uncommitted changes."""

    repository: bool
    branch: str | None = None
    head: str | None = None
    dirty: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """No tracked file has uncommitted changes."""
        return not self.dirty


def workspace(project: Project) -> Workspace:
    """The project's git state (``repository`` False outside a working tree)."""
    git = Git(project.root)
    if not git.is_repo():
        return Workspace(repository=False)
    return Workspace(True, git.branch(), git.head(), tuple(git.dirty_files()))


@dataclass(frozen=True, slots=True)
class BranchBuild:
    """A branch's build version and how it was found."""

    branch: str
    build_number: int
    version: Version
    why: str


def _current(project: Project, component: str | None) -> Version:
    from polaris.versions import service as versioning  # lazy: the file-format adapters load slowly

    return versioning.current_version(project, component)


def branch_build(
    project: Project,
    *,
    environ: Mapping[str, str],
    component: str | None = None,
    branch: str | None = None,
    build_number: int | None = None,
    base: Version | None = None,
) -> BranchBuild:
    """The build version of ``branch`` (default: CI's branch, else the checked-out one).

    A release branch names its version (``release/2.2.0``) and counts release candidates on
    from the ``rc`` tags of that version; other branches follow the seed's mapping (2.3).
    """
    git = Git(project.root)
    name = branch or ci_branch(environ)
    if not name and git.is_repo():
        name = git.branch()
    if not name:
        raise InvalidInput(
            "no branch given and none checked out (detached HEAD?)",
            hint="pass --branch, or set BRANCH_NAME",
        )
    number = build_number if build_number is not None else ci_build_number(environ) or 0
    if is_release_branch(name):
        named = release_branch_target(name)
        target = base or named or _current(project, component)
        fmt = project.tag_format if component is None else project.component_tag_format
        names = [t.name for tags in git.tags().values() for t in tags] if git.is_repo() else []
        rc = next_rc(target, tag_versions(names, fmt, component))
        version = Version(target.major, target.minor, target.patch, prerelease=("rc", str(rc)))
        source = f"{name} names {target}" if named and base is None else f"heading for {target}"
        why = f"{source}; release candidate {rc}: rc.1 to rc.{rc - 1} are tagged"
        if rc == 1:
            why = f"{source}; the first release candidate (no rc tag of {target} yet)"
        return _checked(BranchBuild(name, number, version, why))
    target = base or _current(project, component)
    version = target.branch_version(name, number)
    return _checked(BranchBuild(name, number, version, f"heading for {target}"))


def _checked(build: BranchBuild) -> BranchBuild:
    problems = name_problems(build.version)
    if problems:
        raise InvalidVersion(
            f"branch {build.branch!r} gives {build.version}: {problems[0]}",
            hint="use a shorter branch name (seed naming rules 14.1.2)",
        )
    return build


def ci_metadata(project: Project, environ: Mapping[str, str]) -> tuple[str, ...] | None:
    """CI build metadata (``build.<number>.<commit8>``), the commit from git when CI has none."""
    meta = build_metadata(environ)
    if meta is None or meta[2] != "unknown":
        return meta
    git = Git(project.root)
    head = git.head() if git.is_repo() else None
    return build_metadata(environ, git_commit=head)
