"""``version next``, ``changelog``, ``release`` and ``commit-lint`` through a small Typer app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from tests._gitrepo import IDENTITY, Repo, platform
from typer.testing import CliRunner

from polaris.core.errors import Conflict, InvalidInput
from polaris.releases.cli import changelog, commit_lint, next_version, release

app = typer.Typer()
app.command("next")(next_version)
app.command("changelog")(changelog)
app.command("release")(release)
app.command("commit-lint")(commit_lint)

runner = CliRunner()


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = platform(tmp_path / "demo")
    repo.tag("v1.0.0")
    return repo


def test_next_json_says_why(repo: Repo) -> None:
    sha = repo.commit("feat(api): search")
    result = runner.invoke(app, ["next", "--json", "-C", str(repo.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["next"] == "1.1.0"
    assert data["level"] == "minor"
    assert data["last_tag"] == "v1.0.0"
    assert data["reasons"] == [
        {"sha": sha, "subject": "feat(api): search", "level": "minor", "why": "feat -> minor"}
    ]


def test_next_human(repo: Repo) -> None:
    repo.commit("fix: a")
    result = runner.invoke(app, ["next", "-C", str(repo.root)])
    assert "1.0.1 (patch) since v1.0.0" in result.stdout
    assert "fix: a" in result.stdout


def test_next_without_release(repo: Repo) -> None:
    repo.commit("test: a")
    result = runner.invoke(app, ["next", "-C", str(repo.root)])
    assert "No release: 1 commit(s) since v1.0.0" in result.stdout


def test_changelog_writes_the_file_and_dry_run_shows_a_diff(repo: Repo) -> None:
    repo.commit("feat: a")
    dry = runner.invoke(app, ["changelog", "--dry-run", "-C", str(repo.root)])
    assert dry.exit_code == 0, dry.output
    assert "+++ b/CHANGELOG.md" in dry.stdout
    assert not (repo.root / "CHANGELOG.md").exists()
    done = runner.invoke(app, ["changelog", "-C", str(repo.root)])
    assert done.exit_code == 0, done.output
    assert "## [Unreleased]" in (repo.root / "CHANGELOG.md").read_text()
    again = runner.invoke(app, ["changelog", "-C", str(repo.root)])
    assert "is up to date" in again.stdout


def test_changelog_unreleased_and_release_to_stdout_and_json(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.1.0")
    repo.commit("fix: b")
    out = runner.invoke(app, ["changelog", "--unreleased", "-C", str(repo.root)])
    assert out.stdout.startswith("## [Unreleased]\n\n### Fixed\n\n- b (")
    out = runner.invoke(app, ["changelog", "--release", "1.1.0", "-C", str(repo.root)])
    assert out.stdout.startswith("## [1.1.0] - 2026-01-01\n\n### Added\n\n- a (")
    out = runner.invoke(app, ["changelog", "--release", "1.1.0", "--json", "-C", str(repo.root)])
    data = json.loads(out.stdout)
    assert data["version"] == "1.1.0"
    assert data["sections"][0]["title"] == "Added"
    target = repo.root / "notes.md"
    runner.invoke(app, ["changelog", "--unreleased", "-o", str(target), "-C", str(repo.root)])
    assert target.read_text().startswith("## [Unreleased]")


def test_changelog_json_lists_every_release(repo: Repo) -> None:
    repo.commit("feat: a")
    out = runner.invoke(app, ["changelog", "--json", "-C", str(repo.root)])
    data = json.loads(out.stdout)
    assert [r["version"] for r in data] == [None, "1.0.0"]
    assert data[0]["sections"][0]["entries"][0]["description"] == "a"


def test_changelog_flags_exclude_each_other(repo: Repo) -> None:
    result = runner.invoke(
        app, ["changelog", "--unreleased", "--release", "1.0.0", "-C", str(repo.root)]
    )
    assert isinstance(result.exception, InvalidInput)


def test_release_auto_dry_run_then_real(repo: Repo) -> None:
    repo.commit("feat: a")
    dry = runner.invoke(app, ["release", "--auto", "--dry-run", "-C", str(repo.root)])
    assert dry.exit_code == 0, dry.output
    assert "Would commit chore(release): v1.1.0 and tag v1.1.0" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert repo.tags() == ["v1.0.0"]
    real = runner.invoke(app, ["release", "--auto", "-C", str(repo.root)])
    assert real.exit_code == 0, real.output
    assert "Released 1.1.0" in real.stdout
    assert "Nothing pushed" in real.stdout
    assert sorted(repo.tags()) == ["v1.0.0", "v1.1.0"]


def test_release_json_with_explicit_version(repo: Repo) -> None:
    repo.commit("fix: a")
    result = runner.invoke(app, ["release", "v2.0.0", "--json", "-C", str(repo.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["version"], data["tag"], data["dry_run"]) == ("2.0.0", "v2.0.0", False)
    assert data["commit"] == repo.head()


def test_release_needs_a_version_or_auto(repo: Repo) -> None:
    result = runner.invoke(app, ["release", "-C", str(repo.root)])
    assert isinstance(result.exception, InvalidInput)
    result = runner.invoke(app, ["release", "1.2.0", "--auto", "-C", str(repo.root)])
    assert isinstance(result.exception, InvalidInput)


def test_release_refuses_a_dirty_tree(repo: Repo) -> None:
    repo.commit("feat: a")
    (repo.root / "VERSION").write_text("x\n")
    result = runner.invoke(app, ["release", "--auto", "-C", str(repo.root)])
    assert isinstance(result.exception, Conflict)


def test_commit_lint_command(tmp_path: Path) -> None:
    msg = tmp_path / "MSG"
    msg.write_text("feat(api) add search\n")
    result = runner.invoke(app, ["commit-lint", str(msg), "-C", str(tmp_path)])
    assert result.exit_code == 2
    assert "expected ':' after the type (and scope)" in result.output
    assert "    feat(api) add search\n    ~~~~~~~~~^" in result.output
    msg.write_text("feat(api): add search\n")
    assert runner.invoke(app, ["commit-lint", str(msg), "-C", str(tmp_path)]).exit_code == 0


def test_commit_msg_hook_in_a_real_repository(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "hooked")
    script = tmp_path / "lint.py"
    script.write_text(
        "import typer\nfrom polaris.releases.cli import commit_lint\ntyper.run(commit_lint)\n"
    )
    hook = repo.root / ".git" / "hooks" / "commit-msg"
    hook.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$1"\n')
    hook.chmod(0o755)
    repo.write("a.txt", "a")
    repo.git("add", "a.txt")
    env = repo.env()
    bad = subprocess.run(
        ["git", "commit", "-q", "-m", "added a file"],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "commit message rejected" in bad.stderr
    assert "~^" in bad.stderr or "^" in bad.stderr
    good = subprocess.run(
        ["git", "commit", "-q", "-m", "feat: add a file"],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert repo.git("log", "--format=%s").strip() == "feat: add a file"


def test_pre_commit_hooks_manifest_declares_the_commit_msg_hook() -> None:
    text = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()
    assert "id: polaris-commit-lint" in text
    assert "entry: polaris commit-lint" in text
    assert "stages: [commit-msg]" in text


def test_version_bump_auto_through_the_main_cli(repo: Repo) -> None:
    from polaris.main import main

    repo.commit("feat: a")
    assert main(["version", "bump", "--auto", "-C", str(repo.root)]) == 0
    assert (repo.root / "VERSION").read_text() == "1.1.0\n"
    repo.git("commit", "-qam", "chore: bump")
    repo.tag("v1.1.0")
    repo.commit("test: only tests")
    assert main(["version", "bump", "--auto", "-C", str(repo.root)]) == 1
