"""A tiny builder of real git repositories in temp dirs, with a fixed identity and clock."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

PLATFORM_TOML = """\
[platform]
name = "demo"
version_source = { path = "VERSION", format = "plain" }

[components.api]
kind = "service"
paths = ["src/api"]
files = [{ path = "src/api/VERSION", format = "plain" }]

[components.web]
kind = "service"
paths = ["src/web"]
files = [{ path = "src/web/VERSION", format = "plain" }]
"""


class Repo:
    """A git repository at ``root``; every commit gets the next second of a fixed clock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = 1_767_225_600  # 2026-01-01T00:00:00Z
        self.counter = 0
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "tag.gpgsign", "false")

    def env(self) -> dict[str, str]:
        stamp = f"@{self.clock} +0000"
        return {**os.environ, **IDENTITY, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def git(self, *args: str, input_text: str | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=self.env(),
            input=input_text,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str, path: str | None = None, author: str | None = None) -> str:
        """Commit ``message``, touching ``path`` (default: a fresh file) so it is never empty."""
        self.counter += 1
        self.clock += 60
        rel = path or f"changes/{self.counter}.txt"
        self.write(rel, f"{self.counter}\n")
        self.git("add", "-A")
        args = ["commit", "-q", "--cleanup=verbatim", "-F", "-"]
        if author:
            args += ["--author", author]
        self.git(*args, input_text=message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def tag(self, name: str, rev: str = "HEAD", *, annotated: bool = True) -> None:
        if annotated:
            self.git("tag", "-a", name, "-m", f"Release {name}", rev)
        else:
            self.git("tag", name, rev)

    def merge(self, branch: str, message: str) -> str:
        self.clock += 60
        self.git("merge", "-q", "--no-ff", "-m", message, branch)
        return self.head()

    def status(self) -> str:
        return self.git("status", "--porcelain", "--untracked-files=all")

    def tags(self) -> list[str]:
        return self.git("tag").split()

    def log_count(self) -> int:
        return int(self.git("rev-list", "--count", "HEAD").strip())


def platform(root: Path, version: str = "1.0.0") -> Repo:
    """A platform repo: polaris.toml, VERSION, two components, one initial commit."""
    repo = Repo(root)
    repo.write("polaris.toml", PLATFORM_TOML)
    repo.write("VERSION", f"{version}\n")
    repo.write("src/api/VERSION", "0.3.0\n")
    repo.write("src/web/VERSION", "1.4.0\n")
    repo.commit("chore: initial layout")
    return repo
