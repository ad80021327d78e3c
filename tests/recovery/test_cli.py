"""``polaris recovery`` end to end on real stores: create, list, show, verify, restore, prune."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests._recovery_stores import Stores, module_stores, stores  # noqa: F401 - fixtures
from tests.recovery._platform import Platform, Sources, everything, make_platform, make_sources

from polaris.main import main

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, module_stores: Stores) -> Sources:  # noqa: F811
    return make_sources(tmp_path_factory.mktemp("sources"), module_stores)


@pytest.fixture
def platform(
    tmp_path: Path,
    stores: Stores,  # noqa: F811 - fixture
    sources: Sources,
    monkeypatch: pytest.MonkeyPatch,
) -> Platform:
    p = make_platform(tmp_path, stores, sources)
    monkeypatch.setenv("POLARIS_HOME", str(tmp_path / "home"))
    for key, value in p.environ.items():
        monkeypatch.setenv(key, value)
    return p


def run(capsys: pytest.CaptureFixture[str], p: Platform, *args: str) -> tuple[int, str, str]:
    code = main(
        ["recovery", *args, "-C", str(p.root)]
        if args[0] not in ("list", "show")
        else ["recovery", *args]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_create_list_show_verify_restore(
    platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    p = platform
    code, out, _ = run(capsys, p, "create", "--env", "production", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["dry_run"] is True
    code, out, _ = run(capsys, p, "list", "--json")
    assert code == 0 and json.loads(out) == []

    code, out, err = run(capsys, p, "create", "--env", "production", "-m", "before 2.2.0", "--json")
    assert code == 0, err
    name = json.loads(out)["name"]
    code, out, _ = run(capsys, p, "list", "--json")
    assert code == 0 and [(x["name"], x["reason"]) for x in json.loads(out)] == [
        (name, "before 2.2.0")
    ]
    code, out, _ = run(capsys, p, "list")
    assert code == 0 and "recovery-" in out
    code, out, _ = run(capsys, p, "show", name, "--json")
    shown = json.loads(out)
    assert shown["manifest"]["schema_versions"] == {"app": "002", "ledger": "002", "orders": "002"}
    code, out, _ = run(capsys, p, "show", name)
    assert "config hashes: not recorded" in out and "ledger" in out

    code, out, err = run(capsys, p, "verify", name)
    assert code == 0, err
    assert f"{name}: verified" in out

    code, out, _ = run(capsys, p, "restore", name, "--env", "fresh", "--dry-run")
    assert code == 0 and out.count("would restore") == 4
    assert not Path(p.url("FRESH_APP_URL").removeprefix("sqlite:///")).exists()
    code, out, err = run(capsys, p, "restore", name, "--env", "fresh")
    assert code == 0, err
    assert everything(p, "FRESH_") == everything(p, "")

    code, out, err = run(capsys, p, "restore", name, "--env", "fresh")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "is not empty" in err and "--replace" in err

    code, out, err = run(capsys, p, "restore", name, "--env", "qa")
    assert code == 2 and "unknown environment 'qa'; known: fresh, production" in err
    code, out, err = run(capsys, p, "show", "recovery-20000101-000000")
    assert code == 2 and "recovery point recovery-20000101-000000 not found" in err

    code, out, _ = run(capsys, p, "prune", "--keep", "1", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["deleted"] == []


def test_a_missing_backup_tool_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "polaris.toml").write_text(
        '[databases.ledger]\ndialect = "postgresql"\nurl_env = "LEDGER_URL"\n'
        "[recovery.environments.production]\n",
        encoding="utf-8",
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {
        **os.environ,
        "PATH": str(empty),
        "POLARIS_HOME": str(tmp_path / "home"),
        "LEDGER_URL": "postgresql://postgres@127.0.0.1:5432/ledger",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "polaris",
            "recovery",
            "create",
            "--env",
            "production",
            "-C",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "pg_dump is not on PATH: cannot back up or restore postgresql stores" in lines[0]
    assert "apt-get install postgresql-client" in lines[0]
    assert not (tmp_path / "home" / "artifacts" / "sha256").exists()  # nothing was backed up
