"""Start-up of the commands run in hooks and CI loops: Polaris beside commitizen and bare click.

Builds a small repository (``--commits`` Conventional Commits, a ``v0.1.0`` tag after the first
tenth, a ``pyproject.toml`` that configures both Polaris and commitizen), then times, in one run:

* the floor: ``python -c "import click"`` (what any click-based CLI pays before its first line);
* ``polaris --version``, ``polaris commit-lint MSG`` and ``polaris version next``;
* commitizen on the same repository: ``cz version`` and ``cz bump --dry-run --yes``.

Each figure is the best of ``--repeat`` runs, as wall-clock time and as CPU time (user + sys of the
child, git included: stable on a busy machine). Ratios are to the click floor; the goals (issue 11,
item 23) are ``--version`` and ``commit-lint`` within 2x, ``version next`` within 3x. Exits 1 when
Polaris and commitizen disagree on the next version.

Run: ``.venv/bin/python benchmarks/startup_bench.py [--commits 50] [--repeat 15]``.
commitizen is in the ``bench`` dependency group.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
PYPROJECT = """\
[project]
name = "bench"
version = "0.1.0"

[tool.polaris.platform]
name = "bench"
version_source = { path = "pyproject.toml", format = "toml" }

[tool.polaris.release]
bump_preset = "conventional"

[tool.commitizen]
name = "cz_conventional_commits"
version_provider = "pep621"
tag_format = "v$version"
"""
KINDS = ["fix", "feat", "docs", "chore", "refactor", "test"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def build(repo: Path, commits: int) -> None:
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text(PYPROJECT)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "chore: start")
    for i in range(commits):
        (repo / f"f{i % 7}.txt").write_text(str(i))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"{KINDS[i % len(KINDS)]}: change {i}")
        if i == commits // 10:
            git(repo, "tag", "-a", "v0.1.0", "-m", "v0.1.0")


def timed(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, float, str]:
    """Best wall-clock and CPU seconds of ``repeat`` runs, and the last output."""
    best_wall = best_cpu = float("inf")
    out = ""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode not in (0, 21):  # cz: 21 = no commits to bump
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr}")
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        out = proc.stdout
    return best_wall, best_cpu, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=15)
    opts = parser.parse_args()
    polaris, cz = str(BIN / "polaris"), shutil.which("cz", path=str(BIN)) or "cz"
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        build(repo, opts.commits)
        msg = Path(tmp) / "MSG"
        msg.write_text("feat(api): add search\n\nWith filters.\n")
        cases = [
            ("python -c 'import click' (floor)", [sys.executable, "-c", "import click"], None),
            ("polaris --version", [polaris, "--version"], 2.0),
            ("polaris commit-lint MSG", [polaris, "commit-lint", str(msg)], 2.0),
            ("polaris version next", [polaris, "version", "next"], 3.0),
            ("cz version", [cz, "version"], None),
            ("cz bump --dry-run --yes", [cz, "bump", "--dry-run", "--yes"], None),
        ]
        rows = []
        for _name, cmd, _goal in cases:  # warm the bytecode caches once
            subprocess.run(cmd, cwd=repo, env=ENV, capture_output=True, check=False)
        for name, cmd, goal in cases:
            wall, cpu, out = timed(cmd, repo, opts.repeat)
            rows.append((name, wall, cpu, goal, out))
        floor_wall, floor_cpu = rows[0][1], rows[0][2]
        print(f"{opts.commits} commits, best of {opts.repeat}; ratios to the click floor")
        print(f"{'command':36} {'wall ms':>8} {'x':>6} {'cpu ms':>8} {'x':>6}  goal")
        failed = False
        for name, wall, cpu, goal, _out in rows:
            ratio_w, ratio_c = wall / floor_wall, cpu / floor_cpu
            verdict = ""
            if goal is not None:
                ok = min(ratio_w, ratio_c) <= goal
                verdict = f"<= {goal:.0f}x {'ok' if ok else 'MISSED'}"
            print(
                f"{name:36} {wall * 1e3:8.1f} {ratio_w:6.2f} {cpu * 1e3:8.1f} {ratio_c:6.2f}  {verdict}"
            )
        ours = rows[3][4].split()[0] if rows[3][4] else ""
        # "bump: version 0.1.0 → 0.2.0"
        words = rows[5][4].split()
        theirs = words[words.index("→") + 1] if "→" in words else ""
        print(f"next version: polaris {ours}, commitizen {theirs or '?'}")
        if theirs and ours != theirs.removeprefix("v"):
            print("DISAGREE")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
