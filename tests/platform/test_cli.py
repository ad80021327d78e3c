"""``polaris platform plan|diff`` through CliRunner: the example platform and a local store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

import polaris.platform.cli  # noqa: F401 - registers plan and diff on platform_app
from polaris.core.errors import NotFound, PolarisError
from polaris.models.cli import models_app, platform_app
from polaris.platform.rules import PlatformBumpTooSmall

EXAMPLE = Path(__file__).parents[2] / "examples" / "aiops-polaris"

runner = CliRunner()
app = typer.Typer()
app.add_typer(platform_app, name="platform")
app.add_typer(models_app, name="models")


def run(env: dict[str, str], *args: str, ok: bool = True) -> Result:
    result = runner.invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(run(env, *args, "--json").stdout)


@pytest.fixture
def local(tmp_path: Path) -> dict[str, str]:
    return {"POLARIS_HOME": str(tmp_path / "home")}


@pytest.fixture
def example(tmp_path: Path) -> str:
    dest = tmp_path / "aiops-polaris"
    shutil.copytree(EXAMPLE, dest)
    return str(dest)


def register_models(env: dict[str, str], *models: tuple[str, str]) -> None:
    for name, version in models:
        args = ["models", "register", name, "--version", version, "--model-path", "s3://m"]
        run(env, *args, "--metric", "accuracy=0.95")
        run(
            env, "models", "promote", name, version, "--to", "staging", "--require", "accuracy>=0.9"
        )


def test_plan_save_and_diff_on_the_example(local: dict[str, str], example: str) -> None:
    plan = as_json(local, "platform", "plan", "2.1.0", "-C", example)
    assert plan["ok"] and not plan["saved"] and plan["previous"] is None
    comps = {c["name"]: (c["kind"], c["version"]) for c in plan["components"]}
    assert comps["api"] == ("service", "2.1.0")
    assert comps["rag_search"] == ("model", "1.3.2")  # the project's current version
    assert comps["mysql"] == ("infra", "8.0.36")
    human = run(local, "platform", "plan", "2.1.0", "-C", example).stdout
    assert "Platform 2.1.0 (bill of materials)" in human
    assert "plan only: pass --save to store it" in human

    # The models are not registered yet: saving refuses, and a dry run writes nothing.
    failed = run(local, "platform", "plan", "2.1.0", "-C", example, "--save", ok=False)
    assert isinstance(failed.exception, NotFound)
    # Issue 11.8: every unregistered model at once, not the first one only.
    assert "3 model versions are not registered: classification 1.2.1, ner 1.1.0, " in str(
        failed.exception
    )
    assert "rag_search 1.3.2" in str(failed.exception)
    dry = as_json(local, "platform", "plan", "2.1.0", "-C", example, "--save", "--dry-run")
    assert (dry["saved"], dry["dry_run"]) == (False, True)
    assert as_json(local, "platform", "show")["release"] is None

    register_models(local, ("rag_search", "1.3.2"), ("classification", "1.2.1"), ("ner", "1.1.0"))
    saved = as_json(local, "platform", "plan", "2.1.0", "-C", example, "--save")
    assert saved["saved"]
    assert as_json(local, "platform", "show")["release"]["version"] == "2.1.0"

    register_models(local, ("rag_search", "1.3.3"))
    bumped = as_json(
        local, "platform", "plan", "2.1.1", "-C", example, "--upgrade", "rag_search", "--save"
    )
    assert bumped["previous"] == "2.1.0" and bumped["bump"] == "patch"
    assert bumped["changes"] == [
        {
            "name": "rag_search",
            "change": "changed",
            "from": "1.3.2",
            "to": "1.3.3",
            "bump": "patch",
            "breaking": False,
            "downgrade": False,
        }
    ]
    diff = as_json(local, "platform", "diff", "2.1.0", "2.1.1")
    assert [(c["name"], c["bump"]) for c in diff["changes"]] == [("rag_search", "patch")]
    assert diff["bump_ok"] and diff["unchanged"] == 14
    text = run(local, "platform", "diff", "2.1.0", "2.1.1").stdout
    assert "1 changed, 14 unchanged" in text and "platform bump: patch" in text

    # The project's files still carry rag_search 1.3.2 and no mysql: 'current' says so.
    cur = as_json(local, "platform", "diff", "2.1.1", "current", "-C", example)
    changes = {c["name"]: c for c in cur["changes"]}
    assert changes["rag_search"]["to"] == "1.3.2" and changes["mysql"]["change"] == "removed"


def test_plan_refuses_a_too_small_platform_bump(local: dict[str, str], tmp_path: Path) -> None:
    compat = tmp_path / "compat.yml"
    compat.write_text('versions:\n  a: ["1.0.0", "2.0.0"]\n  b: ["1.0.0"]\n', encoding="utf-8")
    outside = tmp_path / "nowhere"
    outside.mkdir()
    env = {**local, "POLARIS_PROJECT": ""}
    first = run(env, "platform", "plan", "1.0.0", "-f", str(compat), "--pin", "a=1.0.0", "--save")
    assert "saved" in first.stdout
    small = run(env, "platform", "plan", "1.0.1", "-f", str(compat), "--pin", "a=2.0.0", ok=False)
    assert isinstance(small.exception, PlatformBumpTooSmall)
    assert small.exception.exit_code == 1
    assert str(small.exception) == (
        "version: platform 1.0.0 -> 1.0.1 is a patch bump, but the components need a major bump; "
        "a 1.0.0 -> 2.0.0 (major, breaking) (hint: use 2.0.0 or higher)"
    )
    big = as_json(env, "platform", "plan", "2.0.0", "-f", str(compat), "--pin", "a=2.0.0")
    assert (big["bump"], big["required_bump"]) == ("major", "major")
    bad = run(env, "platform", "plan", "2.0.0", "-f", str(compat), "--pin", "a", ok=False)
    assert isinstance(bad.exception, PolarisError) and "--pin 'a'" in str(bad.exception)


def test_plan_needs_the_local_store(local: dict[str, str], example: str) -> None:
    env = {**local, "POLARIS_URL": "http://127.0.0.1:9"}
    result = run(env, "platform", "plan", "2.1.0", "-C", example, ok=False)
    assert isinstance(result.exception, PolarisError)
    assert "POLARIS_URL" in str(result.exception)


def test_plan_upgrade_without_a_newer_version_explains(local: dict[str, str], example: str) -> None:
    """Issue 11.2: the documented ``plan 2.2.0 --upgrade rag_search`` crashed with an assert."""
    from polaris.compat.resolver import Unsatisfiable

    result = run(
        local, "platform", "plan", "2.2.0", "-C", example, "--upgrade", "rag_search", ok=False
    )
    assert isinstance(result.exception, Unsatisfiable)
    assert "no known version of rag_search is newer than 1.3.2" in str(result.exception)
    register_models(local, ("rag_search", "1.3.3"))
    plan = as_json(local, "platform", "plan", "2.2.0", "-C", example, "--upgrade", "rag_search")
    comps = {c["name"]: c["version"] for c in plan["components"]}
    assert comps["rag_search"] == "1.3.3" and comps["api"] == "2.1.0"


def test_diff_calls_a_downgrade_a_downgrade(local: dict[str, str], tmp_path: Path) -> None:
    """Issue 11.3: ``diff 3.0.1 2.9.0`` said "major" and the JSON said bump_ok: true."""
    compat = tmp_path / "compat.yml"
    compat.write_text('versions:\n  a: ["1.0.0", "2.0.0"]\n  b: ["1.0.0"]\n', encoding="utf-8")
    env = {**local, "POLARIS_PROJECT": ""}
    run(env, "platform", "plan", "2.9.0", "-f", str(compat), "--pin", "a=1.0.0", "--save")
    run(env, "platform", "plan", "3.0.1", "-f", str(compat), "--pin", "a=2.0.0", "--save")
    data = as_json(env, "platform", "diff", "3.0.1", "2.9.0")
    assert data["platform_bump"] == "downgrade"
    assert data["bump_ok"] is False and "downgrade" in data["problem"]
    assert data["changes"][0]["downgrade"] is True
    text = run(env, "platform", "diff", "3.0.1", "2.9.0").stdout
    assert "platform 3.0.1 -> 2.9.0: downgrade" in text
    assert "downgrade (major)" in text and "platform bump: major" not in text
    forward = as_json(env, "platform", "diff", "2.9.0", "3.0.1")
    assert forward["platform_bump"] == "major" and forward["bump_ok"] is True


def test_the_demo_is_the_example(local: dict[str, str], tmp_path: Path) -> None:
    """Issue 11.10: the demo used other names (agent-services vs agents), so ``platform diff
    2.1.0 current`` on the example showed 12 spurious rows. One source now: the example."""
    from polaris.platform.demo import load_demo
    from polaris.settings import Settings
    from polaris.wiring import build_services

    services = build_services(Settings(home=tmp_path / "home"), migrate=True, pooled=False)
    assert load_demo(services) is True
    diff = as_json(local, "platform", "diff", "2.1.0", "current", "-C", str(EXAMPLE))
    assert diff["changes"] == [] and diff["unchanged"] == 12
    assert diff["platform_bump"] == "none"
