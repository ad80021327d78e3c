"""Git: read history and tags fast, write release commits and tags.

Reading is shaped by the peers' slow paths: history is **one** streaming ``git log -z`` with a
NUL-delimited format (never one call per commit), and tags are read **once** into a map by
``git for-each-ref`` (never one call per tag). Every merge parent is followed (no
``--first-parent``): a commit merged from a side branch counts.

Writing is small and explicit: ``add``, ``commit``, ``tag`` (annotated, or signed), and the inverse
operations the release service uses to roll back. Nothing is pushed unless :meth:`Git.push` is
called.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from polaris.core.errors import Location, PolarisError
from polaris.core.vcs import RawCommit

__all__ = ["LOG_FORMAT", "Git", "GitError", "ShallowCloneError", "Tag"]

#: sha, parents, author name, author email, author date (strict ISO), raw body; NUL-separated.
LOG_FORMAT: Final = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%B"
_FIELDS: Final = 6
_CHUNK: Final = 1 << 20
#: Linux ``fcntl`` command that sets a pipe's capacity (``F_SETPIPE_SZ``).
_F_SETPIPE_SZ: Final = 1031


def _widen_pipe(fd: int) -> None:
    """Let git run up to 1 MiB ahead of the parser (Linux; a no-op elsewhere).

    With the default 64 KiB pipe, git blocks as soon as the parser is busy with a block, so
    reading and parsing alternate instead of overlapping.
    """
    if sys.platform != "linux":
        return
    import fcntl

    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
        fcntl.fcntl(fd, _F_SETPIPE_SZ, _CHUNK)


class GitError(PolarisError):
    """A git command failed, or the repository is not in the state an operation needs."""

    exit_code = 1
    slug = "git"
    http_status = 409


class ShallowCloneError(GitError):
    """The history needed is cut off by a shallow clone."""

    slug = "shallow-clone"


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag: its name, the commit it points at (peeled) and whether it is annotated."""

    name: str
    commit: str
    annotated: bool
    #: Tagger date (annotated) or commit date (lightweight), ISO 8601 strict.
    date: str


_TAG_FORMAT: Final = (
    "--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)"
    "%00%(creatordate:iso-strict)"
)


#: The tags and the local branches, each with git's ``*`` marker of the current branch.
_HEAD_TAG_FORMAT: Final = (
    "--format=%(refname)%00%(HEAD)%00%(objecttype)%00%(objectname)%00%(*objectname)"
    "%00%(creatordate:iso-strict)"
)


def _parse_tags_and_head(out: str) -> tuple[dict[str, list[Tag]], tuple[str, str] | None]:
    """Tags (as :func:`_parse_tags`) and (HEAD sha, branch) when HEAD is on a branch."""
    tags: list[str] = []
    head: tuple[str, str] | None = None
    for line in out.splitlines():
        parts = line.split("\0")
        if len(parts) != 6:
            continue
        ref, marker, *rest = parts
        if ref.startswith("refs/tags/"):
            tags.append("\0".join([ref.removeprefix("refs/tags/"), *rest]))
        elif marker == "*" and ref.startswith("refs/heads/"):
            head = (rest[1], ref.removeprefix("refs/heads/"))
    return _parse_tags("\n".join(tags)), head


def _parse_tags(out: str) -> dict[str, list[Tag]]:
    found: dict[str, list[Tag]] = {}
    for line in out.splitlines():
        parts = line.split("\0")
        if len(parts) != 5:
            continue
        name, kind, obj, peeled, date = parts
        annotated = kind == "tag"
        commit = peeled if annotated else obj
        if not commit:
            continue
        found.setdefault(commit, []).append(Tag(name, commit, annotated, date))
    return found


class Git:
    """A git working tree at ``root``; ``env`` adds variables (identity, signing) to each call."""

    def __init__(self, root: str | Path, *, env: Mapping[str, str] | None = None) -> None:
        self.root = Path(root)
        self._env = {**os.environ, "LC_ALL": "C", **(env or {})}
        self._probed: tuple[bool, Path] | None = None
        self._state: tuple[str | None, str | None] | None = None

    # -- plumbing ---------------------------------------------------------------------------

    def run(self, *args: str, check: bool = True, input_text: str | None = None) -> str:
        """Run ``git args`` in the tree; return stdout. Raise :class:`GitError` on failure."""
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=self._env,
            input=input_text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise GitError(
                f"git {args[0]} failed: {detail[-1] if detail else f'exit {proc.returncode}'}",
                location=Location(file=str(self.root)),
            )
        return proc.stdout

    def _probe(self) -> tuple[bool, Path]:
        """Whether ``root`` is a working tree, and where its shallow file is: one call, cached.

        The same call notes HEAD and the branch (see :meth:`head_state`).
        """
        probed = self._probed
        if probed is None:
            self._state = self._read_state()
            probed = self._probed
        if probed is None:  # pragma: no cover - _read_state always sets it
            raise GitError("git rev-parse gave no answer")
        return probed

    def _read_state(self) -> tuple[str | None, str | None]:
        """One ``rev-parse`` for: inside a work tree, the shallow file, HEAD, and its ref."""
        proc = subprocess.run(
            [
                "git",
                "rev-parse",
                "--is-inside-work-tree",
                "--git-path",
                "shallow",
                "HEAD",
                "--symbolic-full-name",
                "HEAD",
            ],
            cwd=self.root,
            env=self._env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
        out = proc.stdout.split("\n")
        inside = out[0].strip() == "true"
        rel = out[1].strip() if inside and len(out) > 1 else "shallow"
        path = Path(rel) if Path(rel).is_absolute() else self.root / rel
        self._probed = (inside, path)
        if not inside or proc.returncode != 0 or len(out) < 4:
            # No commit yet (or not a repository): ask for the branch on its own.
            return None, self.branch() if inside else None
        ref = out[3].strip()
        return out[2].strip() or None, ref.removeprefix("refs/heads/") if ref != "HEAD" else None

    def head_state(self) -> tuple[str | None, str | None]:
        """(HEAD sha, branch) in one call; the probe's answer when it has not been used yet."""
        state = self._state
        self._state = None
        if state is None:
            state = self._read_state()
        return state

    def is_repo(self) -> bool:
        """Whether ``root`` is inside a git working tree."""
        return self._probe()[0]

    def toplevel(self) -> Path:
        """The root of the working tree."""
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def head(self) -> str | None:
        """The sha of HEAD, or ``None`` in a repository without commits."""
        out = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
        return out or None

    def branch(self) -> str | None:
        """The current branch name, or ``None`` on a detached HEAD."""
        out = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip()
        return out or None

    def remote_url(self, name: str = "origin") -> str | None:
        """The URL of a remote, if configured."""
        out = self.run("remote", "get-url", name, check=False).strip()
        return out or None

    def is_shallow(self) -> bool:
        """Whether the repository is a shallow clone."""
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def shallow_boundaries(self) -> frozenset[str]:
        """Commits whose parents a shallow clone lacks (empty for a full clone)."""
        try:
            return frozenset(self._probe()[1].read_text(encoding="ascii").split())
        except FileNotFoundError:
            return frozenset()

    # -- reading ------------------------------------------------------------------------------

    def tags(self) -> dict[str, list[Tag]]:
        """Every tag, read in one call, as a map: commit sha -> tags pointing at it."""
        return self.start_tags()()

    def start_tags(self, *, learn_head: bool = False) -> Callable[..., dict[str, list[Tag]]]:
        """Start reading the tags; the function returned waits for them (see :meth:`tags`).

        Lets the caller run another git command while this one works. Call the function in
        every case (``finish(check=False)`` on an error path: it only reaps the process).

        With ``learn_head``, in a plain repository (``root/.git`` is its directory; no
        ``GIT_DIR``-style override) not probed yet, the same call also lists the local branches
        with git's marker of the current one: HEAD and the branch are then known without the
        ``rev-parse`` probe (see :meth:`can_learn_head`). A detached or unborn HEAD leaves them to
        the probe.
        """
        gitdir = self._plain_gitdir() if learn_head and self.can_learn_head() else None
        fmt = _HEAD_TAG_FORMAT if gitdir is not None else _TAG_FORMAT
        patterns = ["refs/tags", "refs/heads"] if gitdir is not None else ["refs/tags"]
        proc = subprocess.Popen(
            ["git", "for-each-ref", fmt, *patterns],
            cwd=self.root,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

        def finish(check: bool = True) -> dict[str, list[Tag]]:
            out, err = proc.communicate()
            if not check:
                return {}
            if proc.returncode != 0:
                lines = err.decode("utf-8", "replace").strip().splitlines()
                raise GitError(
                    f"git for-each-ref failed: {lines[-1] if lines else proc.returncode}",
                    location=Location(file=str(self.root)),
                )
            text = out.decode("utf-8", "replace")
            if gitdir is None:
                return _parse_tags(text)
            tags, head = _parse_tags_and_head(text)
            if head is not None and self._probed is None:
                self._probed = (True, gitdir / "shallow")
                self._state = head
            return tags

        return finish

    def _plain_gitdir(self) -> Path | None:
        """``root/.git`` when git would use it as is: a directory, and no environment override."""
        if any(key in self._env for key in ("GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE")):
            return None
        gitdir = self.root / ".git"
        return gitdir if gitdir.is_dir() else None

    def can_learn_head(self) -> bool:
        """Whether ``start_tags(learn_head=True)`` may spare the ``rev-parse`` probe."""
        return self._probed is None and self._plain_gitdir() is not None

    def merged_tags(self, rev: str = "HEAD") -> set[str]:
        """Names of the tags whose commit is reachable from ``rev`` (one call)."""
        return set(self.run("tag", "--merged", rev).split())

    def is_ancestor(self, commit: str, rev: str = "HEAD") -> bool:
        """Whether ``commit`` is reachable from ``rev``."""
        proc = subprocess.run(
            ["git", "merge-base", "--is-ancestor", commit, rev],
            cwd=self.root,
            env=self._env,
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def tag_exists(self, name: str) -> bool:
        """Whether a tag called ``name`` exists."""
        out = self.run("rev-parse", "--verify", "--quiet", f"refs/tags/{name}", check=False)
        return bool(out.strip())

    def log(
        self, revs: Sequence[str] = ("HEAD",), paths: Sequence[str] = ()
    ) -> Iterator[RawCommit]:
        """Stream commits of ``git log revs [-- paths]``, newest first, every merge parent.

        Raises :class:`ShallowCloneError` when the walk reaches the cut of a shallow clone: the
        history it would report is incomplete.
        """
        boundaries = self.shallow_boundaries()
        args = ["git", "log", "-z", f"--format={LOG_FORMAT}", *revs, "--"]
        args.extend(paths)
        proc = subprocess.Popen(
            args, cwd=self.root, env=self._env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        if proc.stdout is None:  # pragma: no cover - stdout=PIPE always gives a pipe
            raise GitError("git log gave no output pipe")
        fd = proc.stdout.fileno()
        _widen_pipe(fd)
        pending: list[bytes] = []  # the part of the stream after its last NUL so far
        fields: list[str] = []
        root = str(self.root)
        try:
            while True:
                chunk = os.read(fd, _CHUNK)  # what is there now: parsing overlaps git's writing
                if not chunk:
                    break
                cut = chunk.rfind(b"\0")
                if cut == -1:  # inside one long message: join once its end arrives
                    pending.append(chunk)
                    continue
                data = b"".join([*pending, chunk[:cut]]) if pending else chunk[:cut]
                pending = [chunk[cut + 1 :]]
                # Decode up to the last NUL at once: a multi-byte character never spans it.
                fields.extend(data.decode("utf-8", "replace").split("\0"))
                whole = len(fields) - len(fields) % _FIELDS
                records = iter(fields[:whole])
                # zip over one iterator takes six fields at a time: no index arithmetic per commit.
                for field0, parents, author, email, date, message in zip(
                    records, records, records, records, records, records, strict=True
                ):
                    sha = field0.lstrip("\n") if field0[:1] == "\n" else field0
                    if boundaries and sha in boundaries:
                        raise ShallowCloneError(
                            f"the history is cut off at {sha[:12]} (shallow clone)",
                            location=Location(file=root),
                            hint="run `git fetch --unshallow` (or fetch-depth: 0 in CI)",
                        )
                    yield RawCommit(sha, tuple(parents.split()), author, email, date, message)
                del fields[:whole]
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            code = proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()
        if code != 0:
            if self.head() is None:  # an unborn branch has no history to walk
                return
            lines = err.strip().splitlines()
            raise GitError(
                f"git log failed: {lines[-1] if lines else f'exit {code}'}",
                location=Location(file=str(self.root)),
            )

    def shas_touching(self, paths: Sequence[str], rev: str = "HEAD") -> set[str]:
        """Shas of the commits reachable from ``rev`` that change ``paths`` (one call)."""
        out = self.run("log", "--format=%H", rev, "--", *paths)
        return set(out.split())

    def last_touching(self, path: str, rev: str = "HEAD") -> str | None:
        """The sha of the newest commit reachable from ``rev`` that changed ``path``, if any."""
        out = self.run("log", "-1", "--format=%H", rev, "--", path, check=False)
        return out.strip() or None

    def dirty_files(self) -> list[str]:
        """Tracked files with uncommitted changes (staged or not); untracked files are ignored."""
        out = self.run("status", "--porcelain", "--untracked-files=no", "-z")
        return [entry[3:] for entry in out.split("\0") if len(entry) > 3]

    # -- writing ------------------------------------------------------------------------------

    def add(self, paths: Sequence[str]) -> None:
        """Stage ``paths``."""
        self.run("add", "--", *paths)

    def unstage(self, paths: Sequence[str]) -> None:
        """Reset ``paths`` in the index to HEAD (before the first commit: drop them from it)."""
        if self.head() is None:
            self.run("rm", "--cached", "--quiet", "--ignore-unmatch", "--", *paths)
        else:
            self.run("reset", "--quiet", "HEAD", "--", *paths)

    def commit(self, message: str) -> str:
        """Commit the index with ``message``; return the new sha."""
        self.run("commit", "--quiet", "--cleanup=verbatim", "-F", "-", input_text=message)
        head = self.head()
        if head is None:  # pragma: no cover - a successful commit always moves HEAD
            raise GitError("git commit succeeded but HEAD is unborn")
        return head

    def move_head_back(self, sha: str) -> None:
        """Point the current branch (or detached HEAD) back at ``sha``, keeping the index."""
        self.run("reset", "--soft", sha)

    def create_tag(self, name: str, message: str, *, sign: bool = False, rev: str = "HEAD") -> None:
        """Create an annotated tag (signed with the user's key when ``sign``)."""
        flag = "--sign" if sign else "--annotate"
        self.run("tag", flag, "--cleanup=verbatim", "-F", "-", name, rev, input_text=message)

    def delete_tag(self, name: str) -> None:
        """Delete a local tag."""
        self.run("tag", "--delete", name)

    def push(self, remote: str, refs: Sequence[str]) -> None:
        """Push ``refs`` to ``remote`` atomically: all of them or none."""
        self.run("push", "--atomic", remote, *refs)
