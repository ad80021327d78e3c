"""``polaris status`` and ``polaris version ...`` end to end, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests._platform import make_platform, snapshot

from polaris.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def platform(tmp_path: Path) -> Path:
    return make_platform(tmp_path)


def test_status_prints_the_version_tree(platform: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "-C", str(platform))
    assert code == 0
    assert "Platform demo v2.1.0" in out
    assert "Application Services" in out and "AI/ML Models" in out
    assert "NER Model v1.1.0" in out
    assert "All version files agree." in out


def test_status_json(platform: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "-C", str(platform), "--json")
    data = json.loads(out)
    assert code == 0 and data["version"] == "2.1.0" and data["consistent"] is True
    assert {c["name"]: c["version"] for c in data["components"]}["web"] == "1.4.2"


def test_show_json_and_ci_build_version(
    platform: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "version", "show", "-C", str(platform), "--json")
    assert code == 0 and json.loads(out)["version"] == "2.1.0"
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("BUILD_NUMBER", "123")
    monkeypatch.setenv("GIT_COMMIT", "abcdef1234567890")
    code, out, _ = run(capsys, "version", "show", "-C", str(platform))
    assert out.strip() == "2.1.0+build.123.abcdef12"


def test_bump_dry_run_prints_diff_and_writes_nothing(
    platform: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(platform)
    code, out, _ = run(capsys, "version", "bump", "minor", "--dry-run", "-C", str(platform))
    assert code == 0
    assert "+++ b/helm/Chart.yaml" in out and '+appVersion: "2.2.0"' in out
    assert "Would set platform demo: 2.1.0 -> 2.2.0" in out
    assert snapshot(platform) == before


def test_bump_set_sync_check_round(platform: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "version", "bump", "minor", "--pre", "alpha", "-C", str(platform))
    assert code == 0 and "2.1.0 -> 2.2.0-alpha.1" in out
    code, out, _ = run(capsys, "version", "set", "3.0.0", "-C", str(platform), "--json")
    assert code == 0 and "VERSION" in json.loads(out)["files"]
    (platform / "src/api/__init__.py").write_text('__version__ = "2.9.0"\n')
    code, out, err = run(capsys, "version", "check", "-C", str(platform))
    assert code == 1
    assert "src/api/__init__.py" in out and "2.9.0" in out
    assert "1 place disagree" in err
    code, out, _ = run(capsys, "version", "sync", "-C", str(platform))
    assert code == 0
    code, out, _ = run(capsys, "version", "check", "-C", str(platform))
    assert code == 0 and "agree" in out


def test_bad_input_is_one_line_with_exit_2(
    platform: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "version", "set", "1.02.3", "-C", str(platform))
    assert code == 2
    assert err.strip() == "error: '1.02.3': numeric identifier '02' has a leading zero"
    code, _, err = run(capsys, "version", "bump", "sideways", "-C", str(platform))
    assert code == 2 and "unknown bump part 'sideways'" in err
    code, _, err = run(capsys, "version", "bump", "prerelease", "-C", str(platform))
    assert code == 2 and "2.1.0 is not a prerelease" in err


def test_broken_config_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_platform(tmp_path)
    toml = tmp_path / "polaris.toml"
    toml.write_text(toml.read_text().replace('kind = "model"', 'kind = "modle"'))
    code, _, err = run(capsys, "status", "-C", str(tmp_path))
    assert code == 2
    assert "polaris.toml:" in err and "kind" in err


def test_branch_versions(platform: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "version",
        "branch",
        "--branch",
        "feature/auth",
        "--build-number",
        "45",
        "-C",
        str(platform),
    )
    assert code == 0 and out.strip() == "2.1.0-feature.auth.45"


def test_example_platform_is_consistent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "version", "check", "-C", str(EXAMPLE))
    assert code == 0, out


def test_console_script_runs(platform: Path) -> None:
    """The installed entry point works as a process (what users and CI call)."""
    proc = subprocess.run(
        [sys.executable, "-m", "polaris", "version", "show", "-C", str(platform)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2.1.0"


def test_usage_errors_are_messages_not_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "version", "nope")
    assert code == 2
    assert "No such command 'nope'" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "version", "bump", "--pre")
    assert code == 2
    assert "Option '--pre' requires an argument" in err


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert "Usage: polaris" in out + err
    assert "version" in out + err
    assert code == 2  # click: no arguments is a usage error that shows the help
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("polaris ")


def test_sync_shows_changes_only(platform: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11.22: sync printed "X: 1.2.1 -> 1.2.1" for every unchanged component."""
    chart = platform / "helm" / "Chart.yaml"
    chart.write_text(chart.read_text().replace('appVersion: "2.1.0"', 'appVersion: "2.0.9"'))
    code, out, _ = run(capsys, "version", "sync", "-C", str(platform))
    assert code == 0, out
    lines = out.splitlines()
    assert "platform demo 2.1.0 written to 1 file" in lines
    assert not any("->" in line for line in lines)
    assert any(line.endswith("unchanged (already in step)") for line in lines)
    assert "Updated 1 file." in lines
    code, out, _ = run(capsys, "version", "sync", "-C", str(platform))
    assert "written to" not in out and "Updated 0 files." in out


def test_status_shows_git_branch_cleanliness_and_updates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11.19: status showed the version tree only."""
    from tests._gitrepo import IDENTITY, Repo

    from polaris.versions import updates

    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    repo = Repo(tmp_path / "p")
    make_platform(repo.root)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "chore: layout")
    repo.git("checkout", "-q", "-b", "develop")
    code, out, _ = run(capsys, "status", "-C", str(repo.root))
    assert code == 0
    assert "Git: branch develop, clean." in out
    assert "Updates: no update source configured." in out
    (repo.root / "VERSION").write_text((repo.root / "VERSION").read_text() + "\n")
    monkeypatch.setitem(
        updates.UPDATE_SOURCES,
        "pypi",
        lambda project: [updates.Update("fastapi", "0.104.1", "0.110.0", "pypi")],
    )
    code, out, _ = run(capsys, "status", "-C", str(repo.root), "--json")
    data = json.loads(out)
    assert data["git"]["branch"] == "develop" and data["git"]["clean"] is False
    assert data["git"]["uncommitted"] == ["VERSION"]
    assert data["updates"]["available"][0]["available"] == "0.110.0"


def _check_json(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _ = run(capsys, "version", "check", "-C", str(root), "--json")
    return code, json.loads(out)


def test_check_reads_every_occurrence_of_an_image(
    platform: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two references to aiops/api in one manifest; the first agrees, the second does not
    # (issue 18, planted bug 5: the checker read only the first occurrence).
    compose = platform / "docker-compose.yml"
    compose.write_text(
        compose.read_text() + "  api-worker:\n    image: docker.io/aiops/api:2.0.9\n"
    )
    code, out, err = run(capsys, "version", "check", "-C", str(platform))
    assert code == 1, out
    assert "2.0.9" in out and "1 place disagree" in err
    code, data = _check_json(capsys, platform)
    assert code == 1
    (d,) = data["problems"]
    assert (d["file"], d["line"], d["found"], d["expected"]) == (
        "docker-compose.yml",
        11,
        "2.0.9",
        "2.1.0",
    )


def test_check_reads_every_configured_key_of_one_file(
    platform: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Chart.yaml carries the platform version twice (appVersion and version): the second,
    # disagreeing one is reported with its line.
    toml = platform / "polaris.toml"
    toml.write_text(
        toml.read_text().replace(
            'files = [{ path = "helm/Chart.yaml", format = "yaml", key = "appVersion" }]',
            'files = [\n  { path = "helm/Chart.yaml", format = "yaml", key = "appVersion" },\n'
            '  { path = "helm/Chart.yaml", format = "yaml", key = "version" },\n]',
        )
    )
    chart = platform / "helm/Chart.yaml"
    chart.write_text('apiVersion: v2\nname: aiops\nappVersion: "2.1.0"\nversion: 2.0.0\n')
    code, data = _check_json(capsys, platform)
    assert code == 1
    (d,) = data["problems"]
    assert (d["file"], d["line"], d["found"], d["expected"]) == (
        "helm/Chart.yaml",
        4,
        "2.0.0",
        "2.1.0",
    )
    chart.write_text('apiVersion: v2\nname: aiops\nappVersion: "2.1.0"\nversion: 2.1.0\n')
    code, data = _check_json(capsys, platform)
    assert code == 0 and data["problems"] == []
