"""Next version, changelog and release on real git repositories built in temp dirs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo, platform

from polaris.commits.changelog import MARKER
from polaris.commits.rules import CommitLintError
from polaris.core.errors import ConfigError, Conflict, InvalidInput, NotFound, VersionFileError
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.project.load import load_project
from polaris.releases import config as release_config
from polaris.releases import service as releases
from polaris.scm.git import GitError, ShallowCloneError

TODAY = "2026-02-03"


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Git identity for the commits and tags Polaris makes; never the global config."""
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return platform(tmp_path / "demo")


def project(repo: Repo) -> Project:
    return load_project(repo.root)


def snapshot(repo: Repo) -> tuple[object, ...]:
    """Everything a failed release must leave as it was."""
    files = {
        p.relative_to(repo.root).as_posix(): p.read_bytes()
        for p in sorted(repo.root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo.root).parts
    }
    return (
        repo.head(),
        repo.git("branch", "--show-current"),
        sorted(repo.tags()),
        repo.git("ls-files", "-s"),
        repo.status(),
        files,
    )


# -- next version ---------------------------------------------------------------------------------


class TestNext:
    def test_no_tags_yet_bumps_the_version_in_the_files(self, repo: Repo) -> None:
        repo.commit("feat: first feature")
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.1.0"
        assert report.tag == "v1.1.0"
        assert report.last_tag is None

    def test_from_the_last_release_tag_with_reasons(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("test: readme")
        fix = repo.commit("fix(api): crash")
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.0.1"
        assert [r.sha for r in report.next.reasons] == [fix]
        assert report.next.considered == 2

    def test_non_version_tags_are_skipped_with_a_warning(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        repo.tag("vnext")
        repo.tag("deploy-prod", annotated=False)
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.1.0"
        assert report.warnings == ("tag 'vnext' ignored: 'next' is not a SemVer version",)

    def test_commits_of_every_merge_parent_count(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.git("checkout", "-q", "-b", "feature/search")
        repo.commit("feat(api): search")
        repo.git("checkout", "-q", "main")
        repo.commit("fix: main-line fix")
        repo.merge("feature/search", "Merge branch 'feature/search'")
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.1.0"
        assert [r.subject for r in report.next.reasons] == ["feat(api): search"]

    def test_tag_on_a_merge_commit_is_the_last_release(self, repo: Repo) -> None:
        repo.git("checkout", "-q", "-b", "side")
        repo.commit("feat: side")
        repo.git("checkout", "-q", "main")
        repo.merge("side", "Merge branch 'side'")
        repo.tag("v1.1.0")
        repo.commit("fix: after")
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.1.1"
        assert report.next.considered == 1

    def test_prerelease_channel_then_next_then_finalise(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        p = project(repo)
        assert str(releases.compute_next(p, pre="rc").version) == "1.1.0-rc.1"
        repo.tag("v1.1.0-rc.1")
        repo.commit("fix: y")
        assert str(releases.compute_next(p, pre="rc").version) == "1.1.0-rc.2"
        assert str(releases.compute_next(p).version) == "1.1.0"

    def test_breaking_change_while_major_is_zero_bumps_minor(self, tmp_path: Path) -> None:
        repo = platform(tmp_path / "zero", version="0.3.0")
        repo.tag("v0.3.0")
        repo.commit("feat!: new API")
        assert str(releases.compute_next(project(repo)).version) == "0.4.0"

    def test_detached_head(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        target = repo.commit("fix: a")
        repo.commit("feat: b")
        repo.git("checkout", "-q", "--detach", target)
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.0.1"
        assert report.branch is None

    def test_highest_tag_off_history_falls_back_to_the_reachable_one(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.git("checkout", "-q", "-b", "other")
        repo.commit("feat: elsewhere")
        repo.tag("v5.0.0")  # the highest tag, but not on main's history
        repo.git("checkout", "-q", "main")
        fix = repo.commit("fix: here")
        report = releases.compute_next(project(repo))
        assert str(report.version) == "1.0.1"
        assert report.last_tag == "v1.0.0"
        assert [c.sha for c in report.commits] == [fix]

    def test_head_on_the_last_release_tag(self, repo: Repo) -> None:
        repo.commit("feat: x")
        repo.tag("v1.1.0")
        report = releases.compute_next(project(repo))
        assert report.version is None
        assert report.last_tag == "v1.1.0"
        assert report.next.considered == 0

    def test_newer_prerelease_tag_on_history_is_the_last_tag(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        repo.tag("v1.1.0-rc.1")
        repo.commit("fix: y")
        report = releases.compute_next(project(repo), pre="rc")
        assert report.last_tag == "v1.1.0-rc.1"
        assert str(report.version) == "1.1.0-rc.2"
        assert report.next.considered == 2

    def test_in_a_worktree_and_on_an_unborn_branch(self, repo: Repo, tmp_path: Path) -> None:
        repo.tag("v1.0.0")
        repo.git("worktree", "add", "-q", "-b", "wt", str(tmp_path / "wt"))
        (tmp_path / "wt" / "f.txt").write_text("x\n")
        subprocess.run(["git", "add", "f.txt"], cwd=tmp_path / "wt", check=True)
        subprocess.run(
            ["git", "commit", "-q", "-m", "feat: in the worktree"], cwd=tmp_path / "wt", check=True
        )
        report = releases.compute_next(load_project(tmp_path / "wt"))
        assert (str(report.version), report.branch) == ("1.1.0", "wt")
        repo.git("checkout", "-q", "--orphan", "fresh")
        report = releases.compute_next(project(repo))
        assert (report.head, report.branch, report.commits) == (None, "fresh", ())

    def test_component_tags_and_paths(self, repo: Repo) -> None:
        repo.tag("api-v0.3.0")
        repo.commit("feat(web): new page", "src/web/page.js")
        repo.commit("fix(api): bug", "src/api/handler.py")
        p = project(repo)
        api = releases.compute_next(p, component="api")
        assert (str(api.version), api.tag) == ("0.3.1", "api-v0.3.1")
        web = releases.compute_next(p, component="web")
        assert str(web.version) == "1.5.0"  # no web tag: from its file 1.4.0

    def test_path_filter_never_hides_the_last_tag(self, repo: Repo) -> None:
        repo.commit("feat(api): a", "src/api/a.py")
        # The api release is tagged on a commit that does not touch src/api.
        repo.commit("docs: unrelated", "README.md")
        repo.tag("api-v0.4.0")
        repo.commit("fix(api): after the release", "src/api/b.py")
        api = releases.compute_next(project(repo), component="api")
        assert api.last_tag == "api-v0.4.0"
        assert str(api.version) == "0.4.1"
        assert api.next.considered == 1

    def test_nothing_to_release(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("test: only tests")
        report = releases.compute_next(project(repo))
        assert report.version is None
        with pytest.raises(Conflict, match="calls for a new version"):
            releases.plan_auto_bump(project(repo))

    def test_shallow_clone_error(self, repo: Repo, tmp_path: Path) -> None:
        for i in range(3):
            repo.commit(f"feat: {i}")
        clone = tmp_path / "clone"
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
        )
        with pytest.raises(ShallowCloneError) as info:
            releases.compute_next(load_project(clone))
        assert "git fetch --unshallow" in (info.value.hint or "")

    def test_not_a_git_repository(self, tmp_path: Path) -> None:
        (tmp_path / "polaris.toml").write_text('[platform]\nname = "x"\n')
        with pytest.raises(NotFound, match="not a git repository"):
            releases.compute_next(load_project(tmp_path))

    def test_plan_auto_bump(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        plan = releases.plan_auto_bump(project(repo))
        assert plan.changed_files == ["VERSION"]
        assert plan.changes[repo.root / "VERSION"] == "1.1.0\n"

    def test_branch_version(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.git("checkout", "-q", "-b", "feature/auth")
        repo.commit("feat: login")
        report = releases.compute_next(project(repo))
        assert str(releases.branch_version(report, 45)) == "1.1.0-feature.auth.45"


# -- changelog ------------------------------------------------------------------------------------


class TestChangelog:
    def test_full_regeneration(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        a = repo.commit("feat(api): search (#4)")
        repo.commit("Tweak the build")
        repo.tag("v1.1.0")
        c = repo.commit("fix!: drop the old flag\n\nBREAKING CHANGE: --old is gone, use --new")
        repo.git("remote", "add", "origin", "git@github.com:acme/demo.git")
        text = releases.build_changelog(project(repo))
        gh = "https://github.com/acme/demo"
        assert text.startswith("# Changelog\n\nAll notable changes")
        assert f"{MARKER}\n\n## [Unreleased]({gh}/compare/v1.1.0...HEAD)\n" in text
        assert (
            f"### Breaking Changes\n\n- drop the old flag ([{c[:7]}]({gh}/commit/{c}))\n"
            "  --old is gone, use --new\n"
        ) in text
        assert (
            f"## [1.1.0]({gh}/compare/v1.0.0...v1.1.0) - 2026-01-01\n\n### Added\n\n"
            f"- **api:** search ([#4]({gh}/pull/4)) ([{a[:7]}]({gh}/commit/{a}))\n\n"
            "### Other\n\n- Tweak the build"
        ) in text
        assert "## [1.0.0] - 2026-01-01\n\n### Maintenance\n\n- initial layout" in text
        assert text.endswith("\n") and not text.endswith("\n\n\n")

    def test_release_notes_and_unreleased(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: a")
        repo.tag("v1.1.0")
        repo.commit("fix: b")
        p = project(repo)
        unreleased = releases.release_notes(p)
        assert unreleased.version is None
        assert [e.description for s in unreleased.sections for e in s.entries] == ["b"]
        notes = releases.release_notes(p, version=Version.parse("1.1.0"))
        assert notes.previous_tag == "v1.0.0"
        assert releases.render_notes(p, notes).startswith("## [1.1.0] - 2026-01-01\n\n### Added")
        with pytest.raises(NotFound, match=re.escape("no release tag for 9.9.9")):
            releases.release_notes(p, version=Version.parse("9.9.9"))

    def test_component_changelog_uses_its_tags_and_paths(self, repo: Repo) -> None:
        repo.commit("feat: api thing", "src/api/x.py")
        repo.tag("api-v0.4.0")
        repo.commit("feat: web thing", "src/web/x.js")
        repo.commit("fix: api fix", "src/api/y.py")
        text = releases.build_changelog(project(repo), component="api")
        assert "web thing" not in text
        assert text.index("api fix") < text.index("## [0.4.0]") < text.index("api thing")

    def test_template_override_per_repo(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.write(
            ".polaris/templates/release.md.j2",
            "## {{ release.version or 'NEXT' }}: {{ release.commit_count }} commits\n",
        )
        repo.commit("feat: x")
        text = releases.build_changelog(project(repo))
        assert "## NEXT: 1 commits\n" in text
        assert "## 1.0.0: 1 commits\n" in text

    @pytest.mark.parametrize(
        ("remote", "include_prereleases"),
        [
            (None, False),
            ("git@github.com:acme/demo.git", False),
            ("https://gitlab.com/acme/demo.git", True),
        ],
    )
    def test_built_in_renderer_is_byte_identical_to_the_templates(
        self, repo: Repo, remote: str | None, include_prereleases: bool
    ) -> None:
        if include_prereleases:
            repo.write(
                "polaris.toml",
                repo.root.joinpath("polaris.toml").read_text()
                + "\n[release]\ninclude_prereleases = true\n",
            )
        if remote:
            repo.git("remote", "add", "origin", remote)
        repo.tag("v1.0.0")
        repo.git("checkout", "-q", "-b", "side")
        repo.commit("feat(api): from the side (#7)")
        fix = repo.commit("fix: to revert")
        repo.git("checkout", "-q", "main")
        repo.commit("feat!: main line\n\nBREAKING CHANGE: migrate\nwith care")
        repo.merge("side", "Merge branch 'side'")
        repo.tag("v1.1.0-rc.1")
        repo.commit(f'Revert "fix: to revert"\n\nThis reverts commit {fix}.\n')
        repo.commit("model(rag): unknown type")
        repo.commit("Update README")
        repo.tag("v2.0.0", annotated=False)
        repo.tag("v2.0.1")  # an empty release on the same commit
        repo.commit("chore(deps): bump x (#9)")
        repo.commit("docs: *markdown* {{ braces }}")
        p = project(repo)
        fast = releases.build_changelog(p)
        assert fast == releases.build_changelog(p, builtin=True)
        assert fast == releases.build_changelog(p, builtin=False)
        assert "## [2.0.1]" in fast and "- Update README" in fast

    def test_built_in_renderer_steps_aside_for_an_override(self, repo: Repo) -> None:
        repo.write(".polaris/templates/changelog.md.j2", "{% for r in releases %}R{% endfor %}.")
        repo.commit("feat: x")
        repo.tag("v1.1.0")
        repo.commit("fix: y")
        assert releases.build_changelog(project(repo)) == "RR."

    def test_broken_template_override_is_a_clear_error(self, repo: Repo) -> None:
        repo.write(".polaris/templates/release.md.j2", "## {{ release.version }\n")
        repo.commit("feat: x")
        with pytest.raises(InvalidInput, match="template error") as info:
            releases.build_changelog(project(repo))
        assert info.value.location.file is not None
        assert info.value.location.file.endswith("release.md.j2")

    def test_unknown_component(self, repo: Repo) -> None:
        with pytest.raises(NotFound, match="no component named 'nope'"):
            releases.build_changelog(project(repo), component="nope")

    def test_plan_and_write(self, repo: Repo) -> None:
        p = project(repo)
        plan = releases.plan_changelog(p, "# new\n", Path("CHANGELOG.md"))
        assert plan.old is None
        assert "+# new" in plan.diff(repo.root)
        releases.write_changelog(plan)
        assert (repo.root / "CHANGELOG.md").read_text() == "# new\n"


# -- release --------------------------------------------------------------------------------------


class TestRelease:
    def test_full_release(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat(api): search")
        repo.commit("fix: crash", author="Grace Hopper <grace@example.com>")
        result = releases.release(project(repo), today=TODAY)
        assert str(result.version) == "1.1.0"
        assert set(result.files) == {"VERSION", "CHANGELOG.md"}
        assert (repo.root / "VERSION").read_text() == "1.1.0\n"
        assert repo.status() == ""
        assert repo.git("log", "-1", "--format=%s").strip() == "chore(release): v1.1.0"
        assert result.commit == repo.head()
        assert repo.git("cat-file", "-t", "v1.1.0").strip() == "tag"  # annotated
        tag_body = repo.git("tag", "-l", "--format=%(contents)", "v1.1.0")
        assert "### New Features\n\n- **api:** search" in tag_body
        assert "### Contributors\n\n- Ada Lovelace\n- Grace Hopper" in tag_body
        changelog = (repo.root / "CHANGELOG.md").read_text()
        assert f"{MARKER}\n\n## [Unreleased]\n\n## [1.1.0] - {TODAY}\n\n### Added" in changelog

    def test_second_release_keeps_hand_edited_older_sections_byte_identical(
        self, repo: Repo
    ) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: one")
        releases.release(project(repo), today=TODAY)
        path = repo.root / "CHANGELOG.md"
        text = path.read_text()
        older = text[text.index("## [1.1.0]") :]
        edited = older.replace("- one (", "- One, rewritten by hand  \n  with a second line (")
        edited += "\n[link]: https://example.com  \n"
        text = text[: text.index("## [1.1.0]")] + edited
        text = text.replace(
            "## [Unreleased]\n", "## [Unreleased]\n\n### Security\n\n- patched CVE-2026-1\n"
        )
        path.write_text(text)
        repo.git("commit", "-qam", "docs: edit the changelog by hand")
        repo.commit("fix: two")
        releases.release(project(repo), today="2026-03-01")
        after = path.read_text()
        assert after.endswith(edited)
        new = after[after.index("## [1.1.1]") : after.index("## [1.1.0]")]
        assert "### Fixed\n\n- two (" in new
        assert "### Security\n\n- patched CVE-2026-1" in new
        assert "## [Unreleased]\n\n## [1.1.1] - 2026-03-01" in after

    def test_explicit_version_and_prerelease(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        result = releases.release(project(repo), pre="rc", today=TODAY)
        assert result.tag == "v1.1.0-rc.1"
        repo.commit("fix: y")
        result = releases.release(project(repo), version=Version.parse("2.0.0"), today=TODAY)
        assert result.tag == "v2.0.0"
        assert (repo.root / "VERSION").read_text() == "2.0.0\n"

    def test_dry_run_writes_nothing(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        before = snapshot(repo)
        result = releases.release(project(repo), today=TODAY, dry_run=True)
        assert snapshot(repo) == before
        assert "-1.0.0\n+1.1.0" in result.diff
        assert "+++ b/CHANGELOG.md" in result.diff
        assert result.commit is None

    def test_dirty_tree_is_refused(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        (repo.root / "VERSION").write_text("9.9.9\n")
        before = snapshot(repo)
        with pytest.raises(Conflict, match="uncommitted changes: VERSION"):
            releases.release(project(repo), today=TODAY)
        assert snapshot(repo) == before
        dry = releases.release(project(repo), today=TODAY, dry_run=True)
        assert any("uncommitted" in w for w in dry.warnings)

    def test_existing_tag_is_refused(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        repo.tag("v1.0.0-rc.1", annotated=False)
        before = snapshot(repo)
        with pytest.raises(Conflict, match=re.escape("tag v1.0.0 already exists")):
            releases.release(project(repo), version=Version.parse("1.0.0"), today=TODAY)
        assert snapshot(repo) == before

    def test_tag_existing_off_history_is_refused(self, repo: Repo) -> None:
        repo.git("checkout", "-q", "-b", "other")
        repo.commit("feat: elsewhere")
        repo.tag("v1.1.0")
        repo.git("checkout", "-q", "main")
        repo.commit("feat: x")
        before = snapshot(repo)
        with pytest.raises(Conflict, match=re.escape("tag v1.1.0 already exists")):
            releases.release(project(repo), today=TODAY)
        assert snapshot(repo) == before

    def test_version_not_greater_is_refused(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        with pytest.raises(Conflict, match=re.escape("not greater than the last release 1.0.0")):
            releases.release(project(repo), version=Version.parse("0.9.0"), today=TODAY)

    def test_failed_file_write_leaves_the_repo_unchanged(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        (repo.root / "CHANGELOG.md").mkdir()  # cannot be written as a file
        (repo.root / "CHANGELOG.md" / "keep").write_text("x")
        repo.git("add", "-A")
        repo.git("commit", "-qm", "chore: odd layout")
        repo.commit("feat: x")
        before = snapshot(repo)
        with pytest.raises(VersionFileError, match="not a regular file"):
            releases.release(project(repo), today=TODAY)
        assert snapshot(repo) == before

    def test_failed_commit_is_rolled_back(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        hook = repo.root / ".git" / "hooks" / "pre-commit"
        hook.write_text("#!/bin/sh\necho refused by hook >&2\nexit 1\n")
        hook.chmod(0o755)
        before = snapshot(repo)
        with pytest.raises(GitError, match="git commit failed"):
            releases.release(project(repo), today=TODAY)
        assert snapshot(repo) == before
        assert not (repo.root / "CHANGELOG.md").exists()

    def test_failed_tag_is_rolled_back(self, repo: Repo) -> None:
        repo.tag("v1.0.0")
        repo.write("CHANGELOG.md", "# Changelog\n\nHand-written.\n")
        repo.commit("docs: changelog", "CHANGELOG.md")
        repo.commit("feat: x")
        repo.git("config", "gpg.program", "false")
        before = snapshot(repo)
        with pytest.raises(GitError, match="git tag failed"):
            releases.release(project(repo), today=TODAY, sign=True)
        assert snapshot(repo) == before

    def test_signed_tag(self, repo: Repo, tmp_path: Path) -> None:
        key = tmp_path / "signing_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        repo.git("config", "gpg.format", "ssh")
        repo.git("config", "user.signingkey", str(key))
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        result = releases.release(project(repo), today=TODAY, sign=True)
        assert result.signed
        assert "-----BEGIN SSH SIGNATURE-----" in repo.git("cat-file", "tag", "v1.1.0")

    def test_failed_push_is_rolled_back(self, repo: Repo, tmp_path: Path) -> None:
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        repo.git("remote", "add", "origin", str(tmp_path / "missing.git"))
        before = snapshot(repo)
        with pytest.raises(GitError, match="git push failed"):
            releases.release(project(repo), today=TODAY, push=True)
        assert snapshot(repo) == before

    def test_push_when_asked(self, repo: Repo, tmp_path: Path) -> None:
        remote = tmp_path / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        repo.git("remote", "add", "origin", str(remote))
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        result = releases.release(project(repo), today=TODAY, push=True)
        assert result.pushed
        tags = subprocess.run(
            ["git", "tag"], cwd=remote, capture_output=True, text=True, check=True
        ).stdout.split()
        assert tags == ["v1.1.0"]

    def test_nothing_pushed_by_default(self, repo: Repo, tmp_path: Path) -> None:
        remote = tmp_path / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        repo.git("remote", "add", "origin", str(remote))
        repo.tag("v1.0.0")
        repo.commit("feat: x")
        releases.release(project(repo), today=TODAY)
        refs = subprocess.run(
            ["git", "show-ref"], cwd=remote, capture_output=True, text=True, check=False
        ).stdout
        assert refs == ""

    def test_component_release(self, repo: Repo) -> None:
        repo.tag("api-v0.3.0")
        repo.commit("feat(api): x", "src/api/x.py")
        result = releases.release(project(repo), component="api", today=TODAY)
        assert result.tag == "api-v0.4.0"
        assert (repo.root / "src/api/VERSION").read_text() == "0.4.0\n"
        assert (repo.root / "VERSION").read_text() == "1.0.0\n"


# -- config and lint ------------------------------------------------------------------------------


class TestConfigAndLint:
    def test_release_table(self, repo: Repo) -> None:
        p = project(repo)
        Path(p.config_path).write_text(
            Path(p.config_path).read_text()
            + '\n[release]\ntypes = { model = "Models" }\n'
            + 'bump = { model = "minor", fix = "patch" }\n'
            'major_zero_breaking = "major"\nmerges = "parse"\n'
        )
        config = release_config.load_release_config(p)
        assert config.rules.sections["model"] == "Models"
        assert dict(config.bump.levels) == {"model": "minor", "fix": "patch"}
        assert config.bump.major_zero_breaking == "major"
        assert config.rules.merges == "parse"

    @pytest.mark.parametrize(
        ("table", "field"),
        [
            ('bump = { feat = "huge" }', "release.bump"),
            ('merges = "sometimes"', "release.merges"),
            ("colour = 1", "release.colour"),
            ("strict_types = 1", "release.strict_types"),
        ],
    )
    def test_release_table_errors_name_the_field(self, repo: Repo, table: str, field: str) -> None:
        p = project(repo)
        Path(p.config_path).write_text(Path(p.config_path).read_text() + f"\n[release]\n{table}\n")
        with pytest.raises(ConfigError) as info:
            release_config.load_release_config(p)
        assert info.value.location.field == field

    def test_lint_file(self, tmp_path: Path) -> None:
        good = tmp_path / "good"
        good.write_text("feat: x\n# comment\n")
        releases.lint_file(good)
        bad = tmp_path / "bad"
        bad.write_text("added stuff\n")
        with pytest.raises(CommitLintError) as info:
            releases.lint_file(bad)
        assert info.value.location.file == str(bad)
        with pytest.raises(NotFound):
            releases.lint_file(tmp_path / "missing")
