"""Build versions of branches and CI builds (seed 2.3 and 3.1.2): pure rules, no I/O.

* a release branch names its version (``release/2.2.0`` -> ``2.2.0-rc.N``), and ``N`` counts on
  from the release candidates already tagged (``v2.2.0-rc.1``, ``-rc.2`` ... -> ``rc.3``);
* CI build metadata ``+build.<number>.<commit8>`` reads GitHub Actions, GitLab CI and Jenkins
  variables (and the generic ``BUILD_NUMBER``/``GIT_COMMIT``); the commit falls back to the one the
  caller read from git.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from polaris.core.errors import InvalidVersion
from polaris.core.semver import MAX_NAME_LENGTH, Version, coerce, naming_problems

__all__ = [
    "CI_SYSTEMS",
    "build_metadata",
    "ci_branch",
    "ci_build_number",
    "ci_commit",
    "in_ci",
    "is_release_branch",
    "name_problems",
    "next_rc",
    "release_branch_target",
    "tag_versions",
]

#: CI system -> (the variable that says it runs, build number vars, commit vars, branch vars).
CI_SYSTEMS: Final[Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "github": (
        "GITHUB_ACTIONS",
        ("GITHUB_RUN_NUMBER",),
        ("GITHUB_SHA",),
        ("GITHUB_HEAD_REF", "GITHUB_REF_NAME"),  # a pull request's branch first
    ),
    "gitlab": (
        "GITLAB_CI",
        ("CI_PIPELINE_IID", "CI_JOB_ID"),
        ("CI_COMMIT_SHA",),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"),
    ),
    "jenkins": (
        "JENKINS_URL",
        ("BUILD_NUMBER",),
        ("GIT_COMMIT",),
        ("BRANCH_NAME", "GIT_BRANCH"),
    ),
    "generic": ("CI", ("BUILD_NUMBER",), ("GIT_COMMIT",), ("BRANCH_NAME",)),
}

_RELEASE: Final = re.compile(r"^(?:release|releases|rc)[/-](?P<version>v?\d+(?:\.\d+){0,2})$", re.I)


def _system(environ: Mapping[str, str]) -> str | None:
    for name, (marker, *_rest) in CI_SYSTEMS.items():
        if environ.get(marker):
            return name
    return None


def _first(environ: Mapping[str, str], names: Iterable[str]) -> str | None:
    return next((environ[n] for n in names if environ.get(n)), None)


def in_ci(environ: Mapping[str, str]) -> bool:
    """Whether a known CI system (or ``CI``) is set in ``environ``."""
    return _system(environ) is not None


def ci_build_number(environ: Mapping[str, str]) -> int | None:
    """The CI build number (GitHub run number, GitLab pipeline IID, Jenkins build number)."""
    system = _system(environ)
    names = CI_SYSTEMS[system][1] if system else ()
    text = _first(environ, [*names, "BUILD_NUMBER"])
    return int(text) if text and text.isdigit() else None


def ci_commit(environ: Mapping[str, str]) -> str | None:
    """The commit CI builds, from its variables."""
    system = _system(environ)
    names = CI_SYSTEMS[system][2] if system else ()
    return _first(environ, [*names, "GIT_COMMIT"])


def ci_branch(environ: Mapping[str, str]) -> str | None:
    """The branch CI builds (Jenkins' ``origin/`` prefix removed)."""
    system = _system(environ)
    names = CI_SYSTEMS[system][3] if system else ()
    name = _first(environ, [*names, "BRANCH_NAME"])
    return name.removeprefix("origin/") if name else None


def build_metadata(
    environ: Mapping[str, str], *, git_commit: str | None = None
) -> tuple[str, ...] | None:
    """``('build', number, commit8)`` in CI (seed 3.1.2), else ``None``.

    The commit comes from the CI variables, else ``git_commit`` (HEAD read by the caller); the
    number is ``0`` when CI gives none. Characters SemVer does not allow become ``-``.

    >>> build_metadata({"GITHUB_ACTIONS": "true", "GITHUB_RUN_NUMBER": "42",
    ...                 "GITHUB_SHA": "0123456789abcdef"})
    ('build', '42', '01234567')
    """
    if not in_ci(environ):
        return None
    number = ci_build_number(environ)
    commit = (ci_commit(environ) or git_commit or "unknown")[:8]
    ids = ["build", str(number if number is not None else 0), commit]
    return tuple(re.sub(r"[^0-9A-Za-z-]", "-", i) or "0" for i in ids)


def release_branch_target(branch: str) -> Version | None:
    """The version a release branch names: ``release/2.2.0`` (or ``release/v2.2``) -> 2.2.0.

    >>> str(release_branch_target("release/9.9.9"))
    '9.9.9'
    >>> release_branch_target("release/next") is None
    True
    """
    match = _RELEASE.match(branch.strip())
    if match is None:
        return None
    try:
        return coerce(match.group("version"))
    except InvalidVersion:
        return None


def next_rc(target: Version, tag_versions: Iterable[Version]) -> int:
    """The number of the next release candidate of ``target``: one past the highest ``rc.N``
    already tagged for it (1 for the first).

    >>> tagged = [Version.parse("2.2.0-rc.1"), Version.parse("2.2.0-rc.2")]
    >>> next_rc(Version.parse("2.2.0"), tagged)
    3
    """
    highest = 0
    for version in tag_versions:
        same = (version.major, version.minor, version.patch) == (
            target.major,
            target.minor,
            target.patch,
        )
        pre = tuple(version.prerelease)
        if same and len(pre) == 2 and pre[0] == "rc" and str(pre[1]).isdigit():
            highest = max(highest, int(pre[1]))
    return highest + 1


def is_release_branch(branch: str) -> bool:
    """``release/...`` (or ``releases/``, ``rc/``): its builds are release candidates."""
    kind = re.split(r"[/-]", branch.strip(), maxsplit=1)[0].lower()
    return kind in ("release", "releases", "rc") and branch.strip().lower() != kind


def tag_versions(names: Iterable[str], tag_format: str, component: str | None) -> list[Version]:
    """The versions of the tags among ``names`` that follow ``tag_format`` (others skipped)."""
    fmt = tag_format.replace("{component}", component) if component else tag_format
    prefix, _, suffix = fmt.partition("{version}")
    out: list[Version] = []
    for name in names:
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix + suffix):
            text = name[len(prefix) : len(name) - len(suffix)]
            if Version.is_valid(text):
                out.append(Version.parse(text))
    return out


def name_problems(version: Version) -> list[str]:
    """The seed's naming rules (14.1.2), whose length rule says *under* 50 characters: a version
    string of 50 is refused.

    >>> name_problems(Version.parse("1.0.0-" + "a" * 44))
    ['50 characters: a version must be under 50']
    """
    text = str(version)
    problems = [p for p in naming_problems(version) if "characters" not in p]
    if len(text) >= MAX_NAME_LENGTH:
        problems.append(f"{len(text)} characters: a version must be under {MAX_NAME_LENGTH}")
    return problems
