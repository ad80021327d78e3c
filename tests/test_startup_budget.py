"""Issue 11.23: the commands run in hooks and CI loops keep a small import graph.

Each command runs in a fresh interpreter; the modules it imports are counted against the number
``import click`` brings (the floor of any click-based CLI). Counting modules is exact where timing
is noisy: a command whose import graph grows past its budget fails here before it is slow.
The timings themselves are in ``benchmarks/startup_bench.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, Repo

#: command -> (budget as a multiple of click's module count, modules it must never import).
BUDGETS: dict[tuple[str, ...], float] = {
    ("--version",): 1.0,
    ("commit-lint", "MSG"): 1.75,  # 1.58x on 2026-12-06
    ("version", "next"): 2.0,  # 1.79x on 2026-12-06
    ("version", "next", "--json"): 2.0,
}
NEVER = ("typer", "click", "rich", "jinja2", "ruamel", "sqlalchemy", "httpx", "polaris.versions")

PROBE = """
import io, json, sys, contextlib
before = set(sys.modules)
if sys.argv[1] == "click":
    import click
    code = 0
else:
    from polaris.main import main
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(set(sys.modules) - before)}))
"""


def probe(repo: Path, *args: str) -> tuple[int, list[str]]:
    env = {**os.environ, **IDENTITY}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    return data["code"], data["modules"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = Repo(tmp_path_factory.mktemp("startup") / "repo")
    repo.write("pyproject.toml", '[project]\nname = "x"\nversion = "0.1.0"\n')
    repo.commit("feat: start")
    repo.tag("v0.1.0")
    repo.commit("fix: a bug")
    repo.write("MSG", "feat(api): add search\n")
    return repo.root


@pytest.mark.parametrize("command", list(BUDGETS), ids=" ".join)
def test_import_graph_within_budget(repo: Path, command: tuple[str, ...]) -> None:
    _, floor = probe(repo, "click")
    code, modules = probe(repo, *command)
    assert code == 0
    heavy = [m for m in modules if m.split(".")[0] in NEVER or m.startswith(NEVER)]
    assert heavy == [], f"{' '.join(command)} imports {heavy[:8]}"
    budget = int(len(floor) * BUDGETS[command])
    assert len(modules) <= budget, (
        f"{' '.join(command)} imports {len(modules)} modules, budget {budget} "
        f"({BUDGETS[command]}x the {len(floor)} of `import click`)"
    )


def test_fast_paths_answer_like_the_typer_app(repo: Path) -> None:
    """The fast path and the Typer app print the same thing (forced apart with --project)."""
    env = {**os.environ, **IDENTITY}

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "polaris", *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    fast = json.loads(run("version", "next", "--json"))
    from typer.testing import CliRunner

    from polaris.main import app

    slow = CliRunner().invoke(app, ["version", "next", "--json", "-C", str(repo)])
    assert json.loads(slow.stdout) == fast
    assert fast["next"] == "0.1.1"
    assert run("--version").startswith("polaris ")
