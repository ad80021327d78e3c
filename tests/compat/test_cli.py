"""``polaris compat check|resolve`` on the example platform, through the real entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from polaris.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_example_current_versions_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "check", "-C", str(EXAMPLE))
    assert code == 0, out
    assert "Compatible: 13 versions" in out


def test_moving_one_component_outside_a_range_fails_with_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys, "compat", "check", "-C", str(EXAMPLE), "--set", "classification=1.1.0", "--json"
    )
    assert code == 1
    (violation,) = json.loads(out)["violations"]
    assert violation["message"] == (
        "agents 2.1.0 requires classification ~1.2, but 1.1.0 is present"
    )
    assert violation["hint"] == "use classification 1.2.0"
    assert violation["origin"] == "compatibility.yml:32"
    assert "1 compatibility rule violated" in err


def test_a_moved_version_file_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = shutil.copytree(EXAMPLE, tmp_path / "repo")
    version = repo / "models" / "rag_search" / "VERSION"
    assert version.read_text().strip() == "1.3.2"
    version.write_text("1.4.0\n")
    code, out, _ = run(capsys, "compat", "check", "-C", str(repo))
    assert code == 1
    assert "rag_search ~1.3" in out


def test_resolve_newest_and_explain_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "compat",
        "resolve",
        "-C",
        str(EXAMPLE),
        "--newest",
        "--json",
        "--priority",
        "platform,api,agents",
    )
    assert code == 0
    versions = json.loads(out)["versions"]
    assert versions["platform"] == "2.1.0"
    assert versions["mysql"] == "8.0.36"  # 8.4.0 is newer but platform 2.1.0 needs 8.0.x
    code, _, err = run(
        capsys,
        "compat",
        "resolve",
        "-C",
        str(EXAMPLE),
        "--pin",
        "platform=2.1.0",
        "--pin",
        "mysql=8.4.0",
    )
    assert code == 1
    assert "mysql is pinned to 8.4.0" in err
    assert "platform 2.1.0 requires mysql 8.0.x (compatibility.yml:34)" in err


def test_bad_set_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compat", "check", "-C", str(EXAMPLE), "--set", "api")
    assert code == 2
    assert "--set 'api': expected NAME=VERSION" in err


def test_resolve_keeps_the_current_platform_and_its_databases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 11.1: the example resolved to platform 2.0.1 with mysql 8.4.0; current is 2.1.0."""
    code, out, _ = run(capsys, "compat", "resolve", "-C", str(EXAMPLE), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["versions"]["platform"] == "2.1.0"
    assert data["versions"]["mysql"] == "8.0.36"
    assert data["changes"] == {}
    code, out, _ = run(capsys, "compat", "resolve", "-C", str(EXAMPLE))
    assert code == 0
    platform_row = next(line for line in out.splitlines() if line.split()[:1] == ["platform"])
    assert platform_row.split()[-1] == "="


def test_resolve_upgrade_of_a_newest_component_explains(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 11.2: --upgrade crashed with an AssertionError; now it says why no set exists."""
    code, _, err = run(capsys, "compat", "resolve", "-C", str(EXAMPLE), "--upgrade", "rag_search")
    assert code == 1
    assert "rag_search must be upgraded past 1.3.2" in err
    assert "no known version of rag_search is newer" in err


def test_resolve_upgrade_moves_to_the_newest_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = shutil.copytree(EXAMPLE, tmp_path / "repo")
    (repo / "models" / "classification" / "VERSION").write_text("1.2.0\n")
    code, out, _ = run(
        capsys, "compat", "resolve", "-C", str(repo), "--upgrade", "classification", "--json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["changes"] == {"classification": {"from": "1.2.0", "to": "1.2.1"}}


def test_resolve_refuses_a_downgrade_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pin that needs an older web: refused by default, proposed with --allow-downgrade."""
    repo = shutil.copytree(EXAMPLE, tmp_path / "repo")
    code, _, err = run(capsys, "compat", "resolve", "-C", str(repo), "--pin", "api=2.0.1")
    assert code == 1
    assert "web may not go below its current version 2.1.0" in err
    code, out, _ = run(
        capsys,
        "compat",
        "resolve",
        "-C",
        str(repo),
        "--pin",
        "api=2.0.1",
        "--allow-downgrade",
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["versions"]["web"] == "2.0.0"


def test_newest_never_goes_below_the_current_versions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--newest prefers the newest versions, yet the current ones stay floors."""
    code, out, _ = run(capsys, "compat", "resolve", "-C", str(EXAMPLE), "--newest", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["versions"]["platform"] == "2.1.0" and data["versions"]["web"] == "2.1.0"
    from polaris.core.semver import Version

    assert all(Version.parse(c["to"]) >= Version.parse(c["from"]) for c in data["changes"].values())
