"""Issue 11 items 6, 9, 11 and 16: release type of a first release, release commits out of the
changelog, the document's bump table as default, the document's release commit and tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo, platform
from tests._platform import make_platform

from polaris.core.errors import ConfigError
from polaris.project.load import load_project
from polaris.releases import service as releases

TODAY = "2026-12-06"


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def test_first_release_type_compares_with_the_version_the_files_carry(tmp_path: Path) -> None:
    """0.4.2 -> 0.5.0 with no release tag yet was "Release Type: Major"."""
    repo = platform(tmp_path / "demo", version="0.4.2")
    repo.commit("feat: search")
    result = releases.release(load_project(repo.root), today=TODAY, dry_run=True)
    assert str(result.version) == "0.5.0"
    assert result.notes.release_type == "Minor"
    assert "**Release Type**: Minor" in result.notes_text


def test_release_commits_are_left_out_of_the_changelog(tmp_path: Path) -> None:
    repo = platform(tmp_path / "demo")
    repo.commit("chore(release): v1.0.0")
    repo.tag("v1.0.0")
    repo.commit("chore(deps): bump fastapi")
    repo.commit("feat: search")
    text = releases.build_changelog(load_project(repo.root))
    assert "release" not in text.replace("Unreleased", "").replace("releases", "").lower()
    assert "bump fastapi" in text
    repo.write(
        "polaris.toml",
        repo.root.joinpath("polaris.toml").read_text() + ("\n[release]\nexclude = []\n"),
    )
    assert "v1.0.0" in releases.build_changelog(load_project(repo.root)).split("## [1.0.0]")[1]


@pytest.mark.parametrize(
    ("message", "document", "conventional"),
    [
        ("perf: cache embeddings", "1.1.0", "1.0.1"),
        ("deprecate: the v1 search endpoint", "1.1.0", None),
        ("docs: the upgrade guide", "1.0.1", None),
        ("security: patch CVE-2026-1", "1.0.1", None),
        ("config: raise the pool size", "1.0.1", None),
        ("remove: the v1 search endpoint", "2.0.0", None),
        ("fix: crash", "1.0.1", "1.0.1"),
        ("feat: filters", "1.1.0", "1.1.0"),
        ("test: more", None, None),
    ],
)
def test_bump_table_of_the_document_with_the_conventional_preset_one_setting_away(
    tmp_path: Path, message: str, document: str | None, conventional: str | None
) -> None:
    repo = platform(tmp_path / "demo")
    repo.tag("v1.0.0")
    repo.commit(message)
    got = releases.compute_next(load_project(repo.root)).version
    assert (str(got) if got else None) == document
    toml = repo.root / "polaris.toml"
    toml.write_text(toml.read_text() + '\n[release]\nbump_preset = "conventional"\n')
    got = releases.compute_next(load_project(repo.root)).version
    assert (str(got) if got else None) == conventional


def test_an_unknown_preset_names_the_field(tmp_path: Path) -> None:
    repo = platform(tmp_path / "demo")
    toml = repo.root / "polaris.toml"
    toml.write_text(toml.read_text() + '\n[release]\nbump_preset = "semver"\n')
    with pytest.raises(ConfigError) as info:
        releases.compute_next(load_project(repo.root))
    assert info.value.one_line() == (
        'polaris.toml: release.bump_preset: expected "document" or "conventional", got \'semver\''
    )


def test_document_version_file_gets_the_document_commit_and_tag(tmp_path: Path) -> None:
    """Seed 3.1.3: ``Bump version to vX.Y.Z`` and ``Release vX.Y.Z``, for the VERSION file."""
    root = tmp_path / "doc"
    repo = Repo(root)
    make_platform(root)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "chore: layout")
    repo.tag("v2.1.0")
    repo.commit("feat: filters")
    result = releases.release(load_project(root), today=TODAY)
    assert result.commit_message == "Bump version to v2.2.0"
    assert repo.git("log", "-1", "--format=%s").strip() == "Bump version to v2.2.0"
    message = repo.git("tag", "-l", "--format=%(contents)", "v2.2.0")
    assert message.startswith("Release v2.2.0\n\n# demo 2.2.0")
    # a plain VERSION file keeps the Conventional Commits release commit
    other = platform(tmp_path / "plain")
    other.tag("v1.0.0")
    other.commit("feat: x")
    plain = releases.release(load_project(other.root), today=TODAY, dry_run=True)
    assert plain.commit_message == "chore(release): v1.1.0"
