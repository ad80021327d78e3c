"""Governance commands on the local store: users, approvals, calendar, checklist, pipeline, ci."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import typer
import yaml
from icalendar import Calendar

from polaris.commands import add_heavy_groups, app
from polaris.main import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "aiops-polaris"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    platform = tmp_path / "platform"
    platform.mkdir()
    for name in ("approval-matrix.yml", "release_schedule.yml"):
        (platform / name).write_text((EXAMPLE / name).read_text())
    monkeypatch.setenv("POLARIS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("POLARIS_GOVERNANCE_DIR", str(platform))
    monkeypatch.setenv("POLARIS_USER", "root")
    return platform


def run(
    capsys: pytest.CaptureFixture[str], *args: str, code: int = 0, user: str | None = None
) -> str:
    if user is not None:
        import os

        os.environ["POLARIS_USER"] = user
    rc = main(list(args))
    out, err = capsys.readouterr()
    assert rc == code, (args, out, err)
    return out if code == 0 else err


def js(capsys: pytest.CaptureFixture[str], *args: str, user: str | None = None) -> Any:
    return json.loads(run(capsys, *args, "--json", user=user))


def test_a_minor_release_approved_from_the_command_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, role in [
        ("dev", "senior_developer"),
        ("ann", "tech_lead"),
        ("pat", "product_manager"),
        ("sec", "security_team"),
        ("qa", "qa_team"),
    ]:
        js(capsys, "users", "add", name, "--role", role, "--email", f"{name}@example.com")
    assert [u["name"] for u in js(capsys, "users", "list")["items"]] == [
        "ann",
        "dev",
        "pat",
        "qa",
        "sec",
    ]
    assert "cto" in js(capsys, "users", "roles")["items"]
    req = js(
        capsys,
        "approvals",
        "request",
        "platform_release",
        "aiops",
        "2.2.0",
        "--level",
        "minor",
        user="dev",
    )
    key = req["id"]
    assert re.fullmatch(r"approval-2\.2\.0-\d{14}", key)
    assert [r["id"] for r in js(capsys, "approvals", "list", "--waiting-for", "qa")["items"]] == [
        key
    ]
    for who in ("ann", "pat", "sec"):
        js(capsys, "approvals", "approve", key, "-m", "looks good", user=who)
    err = run(capsys, "approvals", "approve", key, code=1, user="ann")
    assert "ann has already decided on revision 1" in err
    done = js(capsys, "approvals", "approve", key, user="qa")
    assert done["state"] == "approved"
    text = run(capsys, "approvals", "show", key)
    assert "approved" in text and "qa_team" in text
    err = run(capsys, "approvals", "approve", key, code=1, user="pat")
    assert "is already approved" in err


def test_bad_input_is_one_line_and_exit_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run(capsys, "users", "add", "zed", "--role", "wizard", code=2)
    assert err.count("\n") == 1
    assert "roles: unknown role 'wizard'" in err
    err = run(capsys, "approvals", "approve", "approval-0.0.1-1", code=2)
    assert "user: unknown user 'root'" in err
    js(capsys, "users", "add", "root", "--role", "tech_lead")
    err = run(capsys, "approvals", "approve", "approval-0.0.1-1", code=2)
    assert "no approval request 'approval-0.0.1-1'" in err
    (env / "approval-matrix.yml").write_text(
        "version_approval_matrix:\n  patch_versions:\n"
        "    required_approvals: 4\n    approvers: [tech_lead]\n"
    )
    err = run(capsys, "approvals", "matrix", code=2)
    assert "approval-matrix.yml:3: version_approval_matrix.patch_versions.required_approvals" in err


def test_dry_runs_write_nothing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = js(capsys, "users", "add", "amy", "--role", "tech_lead", "--dry-run")
    assert out["dry_run"] is True
    assert js(capsys, "users", "list")["items"] == []


def test_calendar_show_check_and_ics(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shown = js(capsys, "calendar", "show")
    assert [w["release"] for w in shown["freeze_windows"]] == ["2.2.0", "3.0.0"]
    err = run(
        capsys, "calendar", "check", "--type", "minor", "--at", "2025-09-26T12:00:00Z", code=1
    )
    assert err == ""
    assert main(["calendar", "check", "--type", "minor", "--at", "2025-09-26", "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["allowed"] is False
    assert "until 2025-10-01" in verdict["reason"]
    assert js(capsys, "calendar", "check", "--type", "hotfix", "--at", "2025-09-26")["allowed"]
    assert js(capsys, "calendar", "check", "--type", "minor", "--at", "2025-10-05")["allowed"]
    ics = tmp_path / "cal.ics"
    run(capsys, "calendar", "ics", "--output", str(ics))
    assert len(Calendar.from_ical(ics.read_bytes()).walk("VEVENT")) == 4
    err = run(capsys, "calendar", "check", "--type", "huge", code=2)
    assert "unknown change type 'huge'" in err


def test_checklist_and_pipeline(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = js(capsys, "checklist", "show", "2.2.0")
    assert len(data["items"]) == 21
    assert len(data["open_required"]) == 8
    js(
        capsys,
        "checklist",
        "tick",
        "2.2.0",
        "feature_freeze_implemented",
        "--evidence",
        "https://ci/1",
    )
    item = next(
        i
        for i in js(capsys, "checklist", "show", "2.2.0")["items"]
        if i["key"] == "feature_freeze_implemented"
    )
    assert (item["done"], item["ticked_by"], item["evidence"]) == (True, "root", "https://ci/1")
    js(capsys, "checklist", "untick", "2.2.0", "feature_freeze_implemented")
    err = run(capsys, "pipeline", "report", "2.2.0", "staging", "started", code=1)
    assert "'staging' cannot be started before 'prepared' has passed" in err
    js(capsys, "pipeline", "report", "2.2.0", "prepared", "passed", "--url", "https://ci/run/7")
    js(
        capsys,
        "pipeline",
        "report",
        "2.2.0",
        "built",
        "passed",
        "--url",
        "https://ci/run/7",
        "--fact",
        "schema_validated",
    )
    items = {i["key"]: i for i in js(capsys, "checklist", "show", "2.2.0")["items"]}
    assert items["migration_scripts_tested"]["ticked_by"] == "polaris"
    assert items["migration_scripts_tested"]["evidence"] == "https://ci/run/7"
    assert items["all_tests_passing_unit_integration_e2e"]["done"]
    stages = js(capsys, "pipeline", "show", "2.2.0")["items"]
    assert [s["stage"] for s in stages] == ["prepared", "built", "fact:schema_validated"]


def _commands(text: str) -> list[list[str]]:
    """Every ``polaris ...`` command line in a workflow, shell variables replaced by values."""
    found: list[list[str]] = []
    for line in text.splitlines():
        m = re.search(r"(?:run: |- |then )(polaris .*?)(?:; fi)?$", line.strip())
        if not m:
            continue
        cmd = re.sub(r"\$\{\{[^}]*\}\}", "1.2.3", m.group(1))
        cmd = re.sub(r"\$\{?[A-Za-z_#]+[^}\s\"]*\}?", "1.2.3", cmd)
        found.append(shlex.split(cmd)[1:])
    return found


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_ci_init_writes_a_workflow_whose_polaris_commands_exist(
    provider: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = js(capsys, "ci", "init", provider, "--dir", str(tmp_path))
    path = Path(out["path"])
    text = path.read_text()
    parsed = yaml.safe_load(text)
    assert isinstance(parsed, dict)
    if provider == "github":
        assert list(parsed["jobs"]) == [
            "prepare-release",
            "build-and-test",
            "build-images",
            "deploy-staging",
            "deploy-production",
            "publish-release",
        ]
    else:
        assert parsed["stages"] == [
            "prepare",
            "build",
            "images",
            "staging",
            "production",
            "release",
        ]
    commands = _commands(text)
    assert len(commands) >= 10
    assert {"pipeline", "calendar", "changelog", "schema", "version", "checklist"} <= {
        c[0] for c in commands
    }
    add_heavy_groups()
    root = typer.main.get_command(app)
    for args in commands:
        cmd: click.Command = root
        rest = list(args)
        while isinstance(cmd, click.Group):
            sub = cmd.get_command(click.Context(cmd), rest[0])
            assert sub is not None, f"no command {rest[0]!r} in {args}"
            cmd, rest = sub, rest[1:]
        cmd.make_context(cmd.name or "", rest)  # raises on an unknown option or a bad argument
    err = run(capsys, "ci", "init", provider, "--dir", str(tmp_path), code=1)
    assert "exists already" in err
