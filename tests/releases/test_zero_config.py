"""Issue 11.5: ``version next`` and ``changelog`` work from the tags alone, without polaris.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo

from polaris.main import main


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def bare(tmp_path: Path) -> Repo:
    """A repository with no polaris.toml: a tag and two commits since."""
    repo = Repo(tmp_path / "plain")
    repo.commit("feat: first")
    repo.tag("v1.4.0")
    repo.commit("fix: crash on empty input")
    repo.commit("feat(cli): --verbose")
    return repo


def test_next_from_tags_alone(bare: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version", "next", "-C", str(bare.root), "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert (data["next"], data["last_tag"], data["tag"]) == ("1.5.0", "v1.4.0", "v1.5.0")
    assert "no polaris.toml: using the tag history" in err
    assert len(err.strip().splitlines()) == 1


def test_changelog_from_tags_alone(bare: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["changelog", "-C", str(bare.root), "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert "## [1.4.0]" in out and "crash on empty input" in out
    assert "no polaris.toml" in err


def test_outside_git_the_config_error_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["version", "next", "-C", str(tmp_path)]) == 2
    assert "no polaris.toml" in capsys.readouterr().err
