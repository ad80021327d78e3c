"""``polaris deploy``, ``rollback``, ``deployments`` and ``environments`` on a local store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.deployments.conftest import add_releases, free_port

from polaris.main import main
from polaris.settings import Settings
from polaris.store.migrate import upgrade
from polaris.store.session import Database


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cmd = json.dumps([sys.executable, "-c", "print('deployed')"])
    dead = free_port()
    (tmp_path / "polaris.toml").write_text(
        f"""[platform]
name = "p"

[environments.staging]
order = 1
deployer = "command"
deployer_options = {{ command = {cmd} }}

[environments.production]
order = 2
deployer = "command"
strategy = "blue-green"
interval = 10
scale_down_delay = 45
deployer_options = {{ command = {cmd} }}
health = [{{ type = "prometheus", url = "http://127.0.0.1:{dead}" }}]
"""
    )
    home = tmp_path / "home"
    monkeypatch.setenv("POLARIS_HOME", str(home))
    monkeypatch.setenv("POLARIS_PROJECT", str(tmp_path))
    monkeypatch.delenv("POLARIS_URL", raising=False)
    db = Database(Settings(home=home).resolved_database_url, pool_size=1)
    upgrade(db)
    add_releases(db, "2.1.0", "2.2.0")
    db.dispose()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> tuple[str, str]:
    got = main(list(args))
    out, err = capsys.readouterr()
    assert got == code, (out, err)
    return out, err


def as_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(run(capsys, *args, "--json")[0])


def test_deploy_list_show_status_and_what_ran(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = as_json(capsys, "deploy", "2.1.0", "--env", "staging", "--dry-run")
    assert plan["dry_run"] is True
    assert as_json(capsys, "deployments", "list")["items"] == []
    d = as_json(capsys, "deploy", "2.1.0", "--env", "staging")
    assert d["state"] == "analysing"
    out, _ = run(capsys, "deployments", "show", str(d["id"]))
    assert "2.1.0 -> staging" in out and "timeline" in out
    status = as_json(capsys, "environments", "status")
    assert status["environments"][0]["versions"]["api"] == "2.1.0"
    out, _ = run(capsys, "environments", "status")
    assert "rag_search" in out
    ran = as_json(capsys, "environments", "at", "staging", "--date", "2099-01-01")
    assert ran["release"] == "2.1.0"


def test_bad_input_is_one_line_with_exit_codes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "deploy", "2.1.0", "--env", "qa", code=2)
    assert "unknown environment 'qa'" in err and len(err.strip().splitlines()) == 1
    _, err = run(capsys, "deploy", "2.1.0", "--env", "production", code=1)
    assert "never healthy in staging" in err
    _, err = run(capsys, "deploy", "2.1.0", "--env", "production", "--override", "x", code=1)
    assert "Prometheus at http://127.0.0.1:" in err and "is unreachable" in err
    _, err = run(capsys, "environments", "at", "staging", "--date", "yesterday", code=2)
    assert "not an ISO date" in err
    run(capsys, "deploy", "2.1.0", "--env", "staging")
    _, err = run(capsys, "deploy", "2.2.0", "--env", "staging", code=1)
    assert "busy: deployment #1 of 2.1.0 is analysing" in err


def test_rollback_dry_run_and_by_hand(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "deploy", "2.1.0", "--env", "staging")
    plan = as_json(capsys, "rollback", "--env", "staging", "--to", "2.2.0", "--dry-run")
    assert (plan["from"], plan["to"]) == ("2.1.0", "2.2.0")
    done = as_json(capsys, "rollback", "--env", "staging", "--to", "2.2.0", "--reason", "test")
    assert done["kind"] == "rollback" and done["release"] == "2.2.0"


def test_render_argo_from_the_thresholds(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "rollout.yaml"
    run(
        capsys,
        "deploy",
        "2.1.0",
        "--env",
        "production",
        "--render",
        "argo",
        "-o",
        str(out_file),
        "--override",
        "render only",
    )
    docs = list(yaml.safe_load_all(out_file.read_text()))
    rollout, err_t, lat_t = docs
    bg = rollout["spec"]["strategy"]["blueGreen"]
    assert bg["scaleDownDelaySeconds"] == 45
    assert bg["prePromotionAnalysis"]["args"] == [{"name": "version", "value": "2.1.0"}]
    assert err_t["kind"] == "AnalysisTemplate"
    metric = err_t["spec"]["metrics"][0]
    assert "result[0] <= 0.05" in metric["successCondition"]
    assert metric["interval"] == "10s"
    assert metric["provider"]["prometheus"]["address"].startswith("http://127.0.0.1:")
    assert "<= 2000" in lat_t["spec"]["metrics"][0]["successCondition"]
    assert as_json(capsys, "deployments", "list")["items"] == []  # rendering deploys nothing
