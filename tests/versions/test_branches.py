"""Issue 11.7: release branches name their version, rc numbers count on from the rc tags, the
current git branch is the default, and CI metadata reads GitHub Actions, GitLab CI and Jenkins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo
from tests._platform import make_platform

from polaris.core.semver import Version
from polaris.main import main
from polaris.versions.branches import (
    CI_SYSTEMS,
    build_metadata,
    ci_branch,
    next_rc,
    release_branch_target,
)

CI_VARS = {
    n
    for marker, numbers, commits, branches in CI_SYSTEMS.values()
    for n in (marker, *numbers, *commits, *branches)
}


@pytest.fixture(autouse=True)
def clean_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in CI too: none of its variables may leak in."""
    for name in CI_VARS:
        monkeypatch.delenv(name, raising=False)
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "demo")
    make_platform(repo.root)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "chore: layout")
    repo.tag("v2.1.0")
    return repo


def branch_json(capsys: pytest.CaptureFixture[str], repo: Repo, *args: str) -> dict[str, object]:
    code = main(["version", "branch", "-C", str(repo.root), "--json", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_a_release_branch_names_its_version(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    """``--branch release/9.9.9`` gave 2.1.0-rc.1 (the current version)."""
    data = branch_json(capsys, repo, "--branch", "release/9.9.9")
    assert data["version"] == "9.9.9-rc.1"
    assert "release/9.9.9 names 9.9.9" in str(data["why"])


def test_release_candidates_count_on_from_the_tags(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("checkout", "-q", "-b", "release/2.2.0")
    repo.commit("fix: x")
    repo.tag("v2.2.0-rc.1")
    repo.commit("fix: y")
    repo.tag("v2.2.0-rc.2")
    repo.commit("fix: z")
    data = branch_json(capsys, repo)  # no --branch: the checked-out branch
    assert (data["branch"], data["version"]) == ("release/2.2.0", "2.2.0-rc.3")
    assert "rc.1 to rc.2 are tagged" in str(data["why"])


def test_the_checked_out_branch_is_the_default(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("checkout", "-q", "-b", "feature/auth")
    data = branch_json(capsys, repo, "--build-number", "45")
    assert data["version"] == "2.1.0-feature.auth.45"


def test_ci_branch_and_number_under_github_actions(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REF_NAME", "develop")
    monkeypatch.setenv("GITHUB_RUN_NUMBER", "123")
    data = branch_json(capsys, repo)
    assert data["version"] == "2.1.0-dev.123"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"GITHUB_ACTIONS": "true", "GITHUB_RUN_NUMBER": "7", "GITHUB_SHA": "a" * 40},
            ("build", "7", "aaaaaaaa"),
        ),
        (
            {"GITLAB_CI": "true", "CI": "true", "CI_PIPELINE_IID": "88", "CI_COMMIT_SHA": "b" * 40},
            ("build", "88", "bbbbbbbb"),
        ),
        (
            {"JENKINS_URL": "http://ci", "BUILD_NUMBER": "5", "GIT_COMMIT": "c" * 40},
            ("build", "5", "cccccccc"),
        ),
        ({"CI": "true", "BUILD_NUMBER": "9", "GIT_COMMIT": "d" * 40}, ("build", "9", "dddddddd")),
        ({}, None),
    ],
)
def test_build_metadata_of_each_ci(env: dict[str, str], expected: tuple[str, ...] | None) -> None:
    assert build_metadata(env) == expected


def test_ci_branch_names() -> None:
    assert ci_branch({"JENKINS_URL": "x", "GIT_BRANCH": "origin/release/2.2.0"}) == "release/2.2.0"
    assert ci_branch({"GITLAB_CI": "1", "CI_COMMIT_BRANCH": "develop"}) == "develop"
    env = {"GITHUB_ACTIONS": "1", "GITHUB_HEAD_REF": "feature/x", "GITHUB_REF_NAME": "12/merge"}
    assert ci_branch(env) == "feature/x"


def test_show_under_github_actions_reads_the_commit_from_git(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under GitHub Actions it gave ``+build.0.unknown``."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("GITHUB_RUN_NUMBER", "31")
    assert main(["version", "show", "-C", str(repo.root)]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"2.1.0+build.31.{repo.head()[:8]}"


def test_release_branch_rules() -> None:
    assert release_branch_target("release/v2.2") == Version(2, 2, 0)
    assert release_branch_target("feature/2.2.0") is None
    rcs = [Version.parse("2.2.0-rc.1"), Version.parse("2.2.0-rc.4"), Version.parse("2.3.0-rc.9")]
    assert next_rc(Version(2, 2, 0), rcs) == 5
    assert next_rc(Version(2, 4, 0), rcs) == 1


def test_a_version_of_50_characters_is_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11.15: the document says *under* 50 characters."""
    from polaris.versions.branches import name_problems

    assert name_problems(Version.parse("1.0.0-" + "a" * 43)) == []  # 49
    assert name_problems(Version.parse("1.0.0-" + "a" * 44)) == [
        "50 characters: a version must be under 50"
    ]
    code = main(["version", "set", "1.0.0-" + "a" * 44, "-C", str(repo.root), "--dry-run"])
    assert code == 2
    assert "50 characters: a version must be under 50" in capsys.readouterr().err
    # feature/<34 chars>, build 4: 2.1.0-feature.<34>.4 is exactly 50
    code = main(
        [
            "version",
            "branch",
            "--branch",
            "feature/" + "b" * 34,
            "--build-number",
            "4",
            "-C",
            str(repo.root),
        ]
    )
    assert code == 2
    assert "under 50" in capsys.readouterr().err
