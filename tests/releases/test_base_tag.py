"""Issue 11.4: the last release tag is not an ancestor of HEAD (tagged on a branch, then squashed
or rebased): the base is the tag of the version the version source names."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo, platform

from polaris.project.load import load_project
from polaris.releases import service as releases


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def released_on_a_branch(root: Path, *, squash: bool) -> Repo:
    """v1.0.0 on main; a release branch with a feature and the 1.1.0 release commit, tagged
    there; then squashed (or rebased) onto main, which gets one fix afterwards."""
    repo = platform(root)
    repo.tag("v1.0.0")
    repo.commit("docs: a note on main")
    repo.git("checkout", "-q", "-b", "release", "HEAD~1")
    repo.commit("feat: search filters")
    repo.write("VERSION", "1.1.0\n")
    repo.git("commit", "-q", "-am", "chore(release): 1.1.0")
    repo.tag("v1.1.0")
    repo.git("checkout", "-q", "main")
    if squash:
        repo.git("merge", "-q", "--squash", "release")
        repo.git("commit", "-q", "-m", "feat: search filters and release 1.1.0 (#12)")
    else:
        repo.git("rebase", "-q", "main", "release")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--ff-only", "release")
    repo.commit("fix: empty query")
    return repo


@pytest.mark.parametrize("squash", [True, False], ids=["squashed", "rebased"])
def test_next_counts_from_the_tag_the_version_source_names(tmp_path: Path, squash: bool) -> None:
    repo = released_on_a_branch(tmp_path / "demo", squash=squash)
    assert repo.git("tag", "--merged", "HEAD").split() == ["v1.0.0"]
    report = releases.compute_next(load_project(repo.root))
    assert str(report.version) == "1.1.1"
    assert report.last_tag == "v1.1.0"
    assert [c.subject for c in report.commits] == ["fix: empty query"]
    assert report.base_note is not None
    assert "base v1.1.0" in report.base_note and "not an ancestor of HEAD" in report.base_note


def test_a_reachable_last_tag_needs_no_note(tmp_path: Path) -> None:
    repo = platform(tmp_path / "demo")
    repo.tag("v1.0.0")
    repo.commit("feat: x")
    report = releases.compute_next(load_project(repo.root))
    assert str(report.version) == "1.1.0" and report.base_note is None
