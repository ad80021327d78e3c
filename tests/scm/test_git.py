"""The git adapter on real repositories built in temp dirs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo

from polaris.scm.git import Git, GitError, ShallowCloneError


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_log_streams_every_field_including_multi_paragraph_bodies(repo: Repo) -> None:
    first = repo.commit("feat: one")
    second = repo.commit("fix(x): two\n\nbody line\n\nBREAKING CHANGE: yes\nRefs: #1\n")
    commits = list(Git(repo.root).log())
    assert [c.sha for c in commits] == [second, first]
    assert commits[0].parents == (first,)
    assert commits[1].parents == ()
    assert commits[0].message.startswith("fix(x): two\n\nbody line\n\nBREAKING CHANGE: yes")
    assert commits[0].author == "Ada Lovelace"
    assert commits[0].email == "ada@example.com"
    assert commits[0].date.startswith("2026-01-01T00:02:00")


def test_log_follows_every_merge_parent(repo: Repo) -> None:
    repo.commit("chore: base")
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("feat: on the side")
    repo.git("checkout", "-q", "main")
    repo.commit("fix: on main")
    merge = repo.merge("side", "Merge branch 'side'")
    commits = list(Git(repo.root).log())
    assert commits[0].sha == merge
    assert len(commits[0].parents) == 2
    assert side in {c.sha for c in commits}


def test_log_with_range_and_paths(repo: Repo) -> None:
    repo.commit("feat: a", "src/api/a.py")
    base = repo.commit("feat: b", "src/web/b.js")
    repo.commit("fix: c", "src/api/c.py")
    repo.commit("fix: d", "src/web/d.js")
    git = Git(repo.root)
    assert [c.message.strip() for c in git.log(["HEAD", f"^{base}"], ["src/api"])] == ["fix: c"]
    assert git.shas_touching(["src/web"]) == {base, repo.head()}


def test_log_of_an_empty_repository_is_empty(repo: Repo) -> None:
    git = Git(repo.root)
    assert list(git.log()) == []
    assert git.head() is None


def test_tags_are_read_once_into_a_map(repo: Repo) -> None:
    a = repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.tag("light", annotated=False)
    b = repo.commit("feat: b")
    repo.tag("v1.1.0-rc.1")
    tags = Git(repo.root).tags()
    assert sorted(t.name for t in tags[a]) == ["light", "v1.0.0"]
    assert [t.name for t in tags[b]] == ["v1.1.0-rc.1"]
    assert {t.name: t.annotated for t in tags[a]} == {"light": False, "v1.0.0": True}
    assert Git(repo.root).merged_tags() == {"light", "v1.0.0", "v1.1.0-rc.1"}


def test_shallow_clone_is_a_clear_error_with_the_unshallow_hint(repo: Repo, tmp_path: Path) -> None:
    for i in range(4):
        repo.commit(f"feat: {i}")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone)],
        check=True,
        env={**IDENTITY, "PATH": "/usr/bin:/bin"},
    )
    git = Git(clone)
    assert git.is_shallow()
    with pytest.raises(ShallowCloneError, match="shallow clone") as info:
        list(git.log())
    assert "git fetch --unshallow" in (info.value.hint or "")
    # A range that stays above the cut is fine.
    assert len(list(git.log(["HEAD", "^HEAD~1"]))) == 1


def test_detached_head(repo: Repo) -> None:
    first = repo.commit("feat: a")
    repo.commit("feat: b")
    repo.git("checkout", "-q", "--detach", first)
    git = Git(repo.root)
    assert git.branch() is None
    assert git.head() == first
    assert [c.sha for c in git.log()] == [first]


def test_dirty_files_ignore_untracked(repo: Repo) -> None:
    repo.commit("feat: a", "tracked.txt")
    git = Git(repo.root)
    assert git.dirty_files() == []
    (repo.root / "untracked.txt").write_text("x")
    assert git.dirty_files() == []
    (repo.root / "tracked.txt").write_text("changed")
    assert git.dirty_files() == ["tracked.txt"]


def test_commit_tag_and_their_undo(repo: Repo) -> None:
    base = repo.commit("feat: a", "f.txt")
    git = Git(repo.root, env=repo.env())
    (repo.root / "f.txt").write_text("new")
    git.add(["f.txt"])
    sha = git.commit("chore(release): v1.0.0")
    assert sha != base
    git.create_tag("v1.0.0", "## notes\n# heading kept verbatim\n")
    assert git.tag_exists("v1.0.0")
    body = repo.git("tag", "-l", "--format=%(contents)", "v1.0.0")
    assert "# heading kept verbatim" in body
    git.delete_tag("v1.0.0")
    git.move_head_back(base)
    git.unstage(["f.txt"])
    assert repo.head() == base
    assert not git.tag_exists("v1.0.0")


def test_failing_command_raises_git_error(repo: Repo) -> None:
    repo.commit("feat: a")
    with pytest.raises(GitError, match="git tag failed"):
        Git(repo.root).create_tag("bad..name", "x")


def test_signed_tag_without_a_key_fails_cleanly(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.git("config", "gpg.program", "false")
    with pytest.raises(GitError):
        Git(repo.root, env=repo.env()).create_tag("v1.0.0", "x", sign=True)
    assert repo.tags() == []


def test_remote_url_and_push(repo: Repo, tmp_path: Path) -> None:
    repo.commit("feat: a")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git = Git(repo.root, env=repo.env())
    assert git.remote_url() is None
    repo.git("remote", "add", "origin", str(remote))
    assert git.remote_url() == str(remote)
    git.create_tag("v1.0.0", "notes")
    git.push("origin", ["HEAD:refs/heads/main", "refs/tags/v1.0.0"])
    out = subprocess.run(
        ["git", "tag"], cwd=remote, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["v1.0.0"]


def test_head_state_in_one_call_on_a_branch_detached_and_unborn(repo: Repo) -> None:
    git = Git(repo.root)
    assert git.is_repo()
    assert git.head_state() == (None, "main")  # unborn: no commit yet, the branch is known
    first = repo.commit("feat: a")
    second = repo.commit("feat: b")
    git = Git(repo.root)
    assert git.is_repo()
    assert git.head_state() == (second, "main")  # the probe's answer
    repo.git("checkout", "-q", "--detach", first)
    assert git.head_state() == (first, None)  # asked again: read afresh
    repo.git("checkout", "-q", "-b", "feature/x")
    assert Git(repo.root).head_state() == (first, "feature/x")


def test_head_state_outside_a_repository(tmp_path: Path) -> None:
    git = Git(tmp_path)
    assert not git.is_repo()
    assert git.head_state() == (None, None)


def test_start_tags_runs_alongside_and_matches_tags(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.tag("light", annotated=False)
    git = Git(repo.root)
    finish = git.start_tags()
    assert git.head() is not None  # another git command while for-each-ref runs
    assert finish() == git.tags()
    Git(repo.root).start_tags()(check=False)  # the error path only reaps the process


def test_log_of_megabytes_keeps_multibyte_text_whole(repo: Repo) -> None:
    """More than one pipe-full and one read of output: records and UTF-8 split nowhere."""
    body = "é✓ " * 300
    chunks: list[bytes] = []
    for i in range(1, 1501):
        msg = f"feat: commit {i} ünïcode\n\n{body}\n".encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"mark :{i}\ncommitter A <a@x> {1_700_000_000 + i} +0000\n".encode())
        chunks.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if i > 1:
            chunks.append(f"from :{i - 1}\n".encode())
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo.root, input=b"".join(chunks), check=True
    )
    commits = list(Git(repo.root).log(["main"]))
    assert len(commits) == 1500
    assert [c.message.split("\n")[0] for c in commits[:2]] == [
        "feat: commit 1500 ünïcode",
        "feat: commit 1499 ünïcode",
    ]
    assert all(c.message == f"{c.message.split(chr(10))[0]}\n\n{body}\n" for c in commits)
    assert all(
        len(c.sha) == 40 and len(c.parents) == (1 if i < 1499 else 0) for i, c in enumerate(commits)
    )


def test_log_of_one_message_longer_than_the_pipe(repo: Repo) -> None:
    first = repo.commit("feat: small")
    body = "ü" * (3 << 20)  # 6 MiB of UTF-8: many reads without a NUL
    repo.commit(f"docs: huge\n\n{body}\n")
    third = repo.commit("fix: after")
    commits = list(Git(repo.root).log())
    assert [c.sha for c in commits][::2] == [third, first]
    assert commits[1].message == f"docs: huge\n\n{body}\n"


def test_tags_call_learns_head_and_branch_in_a_plain_repository(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    head = repo.commit("feat: b")
    repo.git("branch", "other")  # another branch: not the current one
    git = Git(repo.root)
    assert git.can_learn_head()
    tags = git.start_tags(learn_head=True)()
    assert tags == Git(repo.root).tags()
    assert not git.can_learn_head()  # learnt: no rev-parse probe needed
    assert git.is_repo()
    assert git.head_state() == (head, "main")
    assert git.shallow_boundaries() == frozenset()


def test_tags_call_leaves_a_detached_head_to_the_probe(repo: Repo) -> None:
    first = repo.commit("feat: a")
    repo.commit("feat: b")
    repo.git("checkout", "-q", "--detach", first)
    git = Git(repo.root)
    git.start_tags(learn_head=True)()
    assert git.can_learn_head()  # nothing learnt
    assert git.head_state() == (first, None)


def test_a_worktree_or_a_subdirectory_is_not_a_plain_repository(repo: Repo, tmp_path: Path) -> None:
    repo.commit("feat: a")
    repo.git("worktree", "add", "-q", "-b", "wt", str(tmp_path / "wt"))
    (repo.root / "sub").mkdir()
    assert not Git(tmp_path / "wt").can_learn_head()  # .git is a file there
    assert not Git(repo.root / "sub").can_learn_head()
    assert not Git(repo.root, env={"GIT_DIR": str(repo.root / ".git")}).can_learn_head()
    wt = Git(tmp_path / "wt")
    assert wt.head_state()[1] == "wt"
