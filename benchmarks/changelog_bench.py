"""Changelog and next-version speed: Polaris vs commitizen, git-cliff and python-semantic-release.

Builds (with ``git fast-import``, fixed seed) a repository of 20,000 commits: conventional and not,
some with scopes, ~2% breaking (half with ``!``, half with a ``BREAKING CHANGE:`` footer), and a
``vX.Y.Z`` tag every 200 commits (the last 200 commits are unreleased). Then times, in one run:

* the full changelog: ``polaris changelog -o -``, ``cz changelog --dry-run``, ``git-cliff``,
  ``semantic-release changelog``;
* the next version: ``polaris version next``, ``cz bump --get-next``, ``git-cliff
  --bumped-version``, ``semantic-release --noop version --print``;
* the floor: raw ``git log`` of the same fields (sha, parents, author, email, date, body) over the
  same range (all history for the changelog; tags + ``last-tag..HEAD`` for the next version).

Also timed: ``python -c pass``, the start-up every Python CLI pays before its first line of work
(the floor a Python process can reach). Polaris is timed twice: as a process (the ``polaris`` command once ``changelog`` is wired into it,
else a minimal Typer app over the same command functions; Python start-up and imports included)
and in-process through the library. Each figure is the best of ``--repeat`` runs, as wall-clock
time and as CPU time (user + sys of this process and its children, git included), which stays
stable on a busy machine. All tools must agree on the next version, and Polaris's built-in
changelog renderer must write the same bytes as its Jinja2 templates, or the script exits 1.

Run: ``.venv/bin/python benchmarks/changelog_bench.py [--commits 20000] [--repeat 5]``.
Peers are installed in the same venv: ``pip install commitizen git-cliff python-semantic-release``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

SEED = 20260101
TAG_EVERY = 200
BIN = Path(sys.executable).parent
ENV = {
    # Bytecode is cached (in a directory of the run's temp dir, see main), as after any
    # ``pip install``: with PYTHONDONTWRITEBYTECODE, an editable Polaris would recompile every
    # module at every start while the peers, installed from wheels, load their .pyc files.
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "NO_COLOR": "1",
    "TERM": "dumb",
}
LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%B"

TYPES = ["feat", "fix", "docs", "chore", "refactor", "perf", "test", "ci", "style", "build"]
WEIGHTS = [20, 25, 8, 10, 8, 4, 6, 3, 2, 4]
SCOPES = ["api", "agents", "rag", "graph", "ui", "db", "auth", "infra"]
WORDS = [
    *("add", "remove", "handle", "improve", "support", "update", "fix", "cache", "retry"),
    *("timeout", "index", "query", "stream", "token", "model", "pipeline", "schema", "config"),
    *("metric", "alert", "trace", "batch", "worker", "queue", "search"),
]
FREE = ["Update README", "WIP", "tweak settings", "Bump deps", "cleanup", "typo", "More tests"]


def _subject(rng: random.Random) -> tuple[str, str, bool]:
    """A commit message and its (type, breaking) for the reference version computation."""
    if rng.random() < 0.15:
        return rng.choice(FREE) + f" {rng.randint(1, 999)}", "", False
    ctype = rng.choices(TYPES, WEIGHTS)[0]
    scope = f"({rng.choice(SCOPES)})" if rng.random() < 0.5 else ""
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
    breaking = rng.random() < 0.02
    body = ""
    if rng.random() < 0.3:
        body = "\n\n" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
    if breaking and rng.random() < 0.5:
        return f"{ctype}{scope}!: {words}{body}\n", ctype, True
    footer = "\n\nBREAKING CHANGE: " + " ".join(rng.choice(WORDS) for _ in range(6))
    return f"{ctype}{scope}: {words}{body}{footer if breaking else ''}\n", ctype, breaking


def _level(kinds: list[tuple[str, bool]]) -> int:
    level = 0
    for ctype, breaking in kinds:
        if breaking:
            return 3
        if ctype == "feat":
            level = max(level, 2)
        elif ctype in ("fix", "perf"):
            level = max(level, 1)
    return level


def _bump(version: tuple[int, int, int], level: int) -> tuple[int, int, int]:
    major, minor, patch = version
    if level == 3:
        return (major + 1, 0, 0)
    if level == 2:
        return (major, minor + 1, 0)
    if level == 1:
        return (major, minor, patch + 1)
    return version


def build_repo(root: Path, commits: int) -> str:
    """Create the repository; return the next version the reference rules expect."""
    rng = random.Random(SEED)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=ENV)
    chunks: list[bytes] = []
    version = (1, 0, 0)
    window: list[tuple[str, bool]] = []
    stamp = 1_700_000_000
    for i in range(1, commits + 1):
        message, ctype, breaking = _subject(rng)
        window.append((ctype, breaking))
        msg = message.encode()
        content = f"{i}\n".encode()
        path = f"src/{rng.choice(SCOPES)}/f{i % 50}.txt"
        stamp += 60
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"mark :{i}\n".encode())
        chunks.append(f"author Bench <bench@example.com> {stamp} +0000\n".encode())
        chunks.append(f"committer Bench <bench@example.com> {stamp} +0000\n".encode())
        chunks.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if i > 1:
            chunks.append(f"from :{i - 1}\n".encode())
        chunks.append(f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n")
        if i % TAG_EVERY == 0 and i < commits:
            # The first release is 1.0.0, each later one what its 200 commits call for.
            version = (1, 0, 0) if i == TAG_EVERY else _bump(version, _level(window))
            window = []
            tag = "v{}.{}.{}".format(*version)
            chunks.append(f"tag {tag}\nfrom :{i}\n".encode())
            chunks.append(f"tagger Bench <bench@example.com> {stamp} +0000\n".encode())
            note = f"Release {tag}".encode()
            chunks.append(f"data {len(note)}\n".encode() + note + b"\n")
    data = b"".join(chunks)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=data, check=True, env=ENV)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True, env=ENV)
    # python-semantic-release insists on a remote; it also makes every tool render links.
    subprocess.run(
        ["git", "remote", "add", "origin", "https://github.com/example/bench.git"],
        cwd=root,
        check=True,
        env=ENV,
    )
    expected = _bump(version, _level(window))
    _configure_peers(root, "{}.{}.{}".format(*version))
    return "{}.{}.{}".format(*expected)


def _configure_peers(root: Path, last: str) -> None:
    """Config files for every tool, committed so that the tree stays clean."""
    (root / "polaris.toml").write_text(
        '[platform]\nname = "bench"\nversion_source = { path = "VERSION", format = "plain" }\n'
    )
    (root / "VERSION").write_text(last + "\n")
    (root / "pyproject.toml").write_text(
        f"""[project]
name = "bench"
version = "{last}"

[tool.commitizen]
name = "cz_conventional_commits"
version_provider = "scm"
tag_format = "v$version"
major_version_zero = false

[tool.semantic_release]
tag_format = "v{{version}}"
allow_zero_version = false
major_on_zero = true
commit_parser = "conventional"

[tool.semantic_release.branches.main]
match = "main"
prerelease = false

[tool.semantic_release.changelog]
mode = "init"

[tool.semantic_release.changelog.default_templates]
changelog_file = "CHANGELOG.md"
"""
    )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=ENV)
    subprocess.run(
        ["git", "commit", "-q", "-m", "chore: tool configuration"], cwd=root, check=True, env=ENV
    )


# -- measuring ------------------------------------------------------------------------------------


class Timing(NamedTuple):
    """Best wall-clock time, and best CPU time (this process + its children, user + sys)."""

    wall: float
    cpu: float


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(repeat: int, fn: Callable[[], str]) -> tuple[Timing, str]:
    """Run ``fn`` ``repeat`` times; the best wall and CPU times (CPU is stable on a busy box)."""
    wall = cpu = float("inf")
    out = ""
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), _cpu()
        out = fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, _cpu() - start_cpu)
    return Timing(wall, cpu), out


def run(root: Path, *cmd: str) -> str:
    proc = subprocess.run(cmd, cwd=root, env=ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def raw_git_log(root: Path, *revs: str) -> str:
    proc = subprocess.run(
        ["git", "log", "-z", f"--format={LOG_FORMAT}", *revs],
        cwd=root,
        env=ENV,
        capture_output=True,
        check=True,
    )
    return str(len(proc.stdout))


def last_tag(root: Path) -> str:
    return run(root, "git", "describe", "--tags", "--abbrev=0").strip()


POLARIS_CLI = """
import sys, typer
from polaris.releases.cli import changelog, next_version
app = typer.Typer()
app.command("changelog")(changelog)
app.command("next")(next_version)
app(sys.argv[1:])
"""


def polaris(root: Path, *args: str) -> str:
    main = BIN / "polaris"
    if _polaris_has_commands():
        return run(root, str(main), *args)
    sub = ["next" if a == "next" else a for a in args if a != "version"]
    return run(root, sys.executable, "-c", POLARIS_CLI, *sub)


_HAS: list[bool] = []


def _polaris_has_commands() -> bool:
    """Whether the installed ``polaris`` CLI has the changelog command wired in yet."""
    if not _HAS:
        proc = subprocess.run(
            [str(BIN / "polaris"), "changelog", "--help"], capture_output=True, check=False
        )
        _HAS.append(proc.returncode == 0)
    return _HAS[0]


def polaris_library_changelog(root: Path) -> str:
    from polaris.project.load import load_project
    from polaris.releases import service as releases

    return str(len(releases.build_changelog(load_project(root))))


def polaris_renderers_agree(root: Path) -> bool:
    """The built-in renderer (used when no template is overridden) writes the templates' bytes."""
    from polaris.project.load import load_project
    from polaris.releases import service as releases

    project = load_project(root)
    fast = releases.build_changelog(project, builtin=True)
    return fast == releases.build_changelog(project, builtin=False)


def polaris_library_next(root: Path) -> str:
    from polaris.project.load import load_project
    from polaris.releases import service as releases

    return str(releases.compute_next(load_project(root)).version)


def _clean(root: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=root, check=True, env=ENV)
    subprocess.run(["git", "clean", "-qfd"], cwd=root, check=True, env=ENV)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the generated repository.")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="Keep PYTHONDONTWRITEBYTECODE from the environment (every start compiles the "
        "modules that have no .pyc: an editable Polaris, not the peers).",
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="polaris-changelog-bench-"))
    if args.no_bytecode_cache:
        ENV.update({k: v for k, v in os.environ.items() if k == "PYTHONDONTWRITEBYTECODE"})
    else:
        ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    root = tmp / "repo"
    try:
        t0 = time.perf_counter()
        expected = build_repo(root, args.commits)
        print(f"built {args.commits} commits in {time.perf_counter() - t0:.1f}s at {root}")
        tag = last_tag(root)
        print(f"last tag {tag}; reference next version {expected}")
        cz = str(BIN / "cz")
        cliff = str(BIN / "git-cliff")
        psr = str(BIN / "semantic-release")
        r = args.repeat

        def psr_changelog() -> str:
            out = run(root, psr, "changelog")
            _clean(root)
            return out

        changelog: dict[str, Timing] = {}
        changelog["git log (floor)"], _ = best_of(r, lambda: raw_git_log(root, "HEAD"))
        startup, _ = best_of(r, lambda: run(root, sys.executable, "-c", "pass"))
        changelog["python -c pass"] = startup
        changelog["polaris (process)"], _ = best_of(
            r, lambda: polaris(root, "changelog", "-o", "-")
        )
        changelog["polaris (library)"], _ = best_of(r, lambda: polaris_library_changelog(root))
        changelog["commitizen"], _ = best_of(r, lambda: run(root, cz, "changelog", "--dry-run"))
        changelog["git-cliff"], _ = best_of(r, lambda: run(root, cliff))
        changelog["python-semantic-release"], _ = best_of(max(1, r // 2), psr_changelog)

        nexts: dict[str, str] = {}
        nxt: dict[str, Timing] = {}

        def floor_next() -> str:
            run(root, "git", "for-each-ref", "refs/tags")
            return raw_git_log(root, "HEAD", f"^{tag}")

        nxt["git log (floor)"], _ = best_of(r, floor_next)
        nxt["python -c pass"] = startup
        nxt["polaris (process)"], out = best_of(
            r, lambda: polaris(root, "version", "next", "--json")
        )
        nexts["polaris"] = json.loads(out)["next"]
        nxt["polaris (library)"], nexts["polaris (library)"] = best_of(
            r, lambda: polaris_library_next(root)
        )
        nxt["commitizen"], nexts["commitizen"] = best_of(
            r, lambda: run(root, cz, "bump", "--get-next", "--yes").strip()
        )
        nxt["git-cliff"], nexts["git-cliff"] = best_of(
            r, lambda: run(root, cliff, "--bumped-version").strip()
        )
        nxt["python-semantic-release"], nexts["python-semantic-release"] = best_of(
            max(1, r // 2), lambda: run(root, psr, "--noop", "version", "--print").strip()
        )

        print()
        _table("Full changelog", changelog)
        _table("Next version", nxt)
        print("\nNext version by tool:")
        normalised = {k: v.strip().lstrip("v").splitlines()[-1] for k, v in nexts.items()}
        for name, value in normalised.items():
            print(f"  {name:<26} {value}")
        agree = set(normalised.values()) == {expected}
        print(f"all tools agree on {expected}: {'yes' if agree else 'NO'}")
        same = polaris_renderers_agree(root)
        print(f"built-in changelog renderer == Jinja2 templates: {'yes' if same else 'NO'}")
        peers_names = ("commitizen", "git-cliff", "python-semantic-release")
        for title, times in (("changelog", changelog), ("next version", nxt)):
            for kind in ("wall", "cpu"):
                floor = getattr(times["git log (floor)"], kind)
                peers = min(getattr(times[k], kind) for k in peers_names)
                ours = getattr(times["polaris (process)"], kind)
                lib = getattr(times["polaris (library)"], kind)
                print(
                    f"{title} ({kind}): polaris process {ours / floor:.2f}x the floor "
                    f"(library {lib / floor:.2f}x); fastest peer {peers / ours:.1f}x polaris"
                )
        return 0 if agree and same else 1
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _table(title: str, times: dict[str, Timing]) -> None:
    floor = times["git log (floor)"]
    print(f"{title}:{'wall':>31}{'x floor':>10}{'CPU':>12}{'x floor':>10}")
    for name, t in times.items():
        print(
            f"  {name:<26} {t.wall * 1000:8.1f} ms {t.wall / floor.wall:8.2f}x"
            f" {t.cpu * 1000:8.1f} ms {t.cpu / floor.cpu:8.2f}x"
        )


if __name__ == "__main__":
    sys.exit(main())
