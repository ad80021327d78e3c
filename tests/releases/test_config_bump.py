"""Issue 14: ``polaris version next`` takes the configuration changes since the last release
into account (a change is a patch, a schema-required key removed or retyped is a major).

Real git repositories in temp dirs, real YAML/JSON files, the real ``polaris`` console script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, PLATFORM_TOML, Repo

from polaris.project.load import load_project
from polaris.releases import service as releases

CONFIGS = """
[configs]
root = "config"
environments = ["staging", "production"]
schema = "config/schema.json"
"""

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["database"],
    "properties": {
        "database": {
            "type": "object",
            "required": ["host", "port"],
            "properties": {"host": {"type": "string"}, "port": {"type": "integer"}},
        },
        "logging": {"type": "object"},
    },
}

PROD = """\
database:
  host: ${DB_HOST}
  port: 3306
  pool: 20
logging:
  level: info
"""
STAGING = PROD.replace("info", "debug")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A platform at v1.0.0 with configuration for two environments, then one fix commit."""
    repo = Repo(tmp_path / "repo")
    repo.write("polaris.toml", PLATFORM_TOML + CONFIGS)
    repo.write("VERSION", "1.0.0\n")
    repo.write("src/api/VERSION", "0.3.0\n")
    repo.write("src/web/VERSION", "1.4.0\n")
    repo.write("config/schema.json", json.dumps(SCHEMA))
    repo.write("config/version-1.0.0/production.yml", PROD)
    repo.write("config/version-1.0.0/staging.yml", STAGING)
    repo.commit("chore: initial layout")
    repo.tag("v1.0.0")
    return repo


def next_of(repo: Repo) -> releases.NextReport:
    return releases.compute_next(load_project(repo.root / "polaris.toml"))


def test_no_config_change_keeps_the_commit_answer(repo: Repo) -> None:
    repo.commit("feat: search")
    report = next_of(repo)
    assert str(report.version) == "1.1.0"
    assert report.config is not None and report.config.environments == ()
    assert [r.sha for r in report.next.reasons] == [repo.head()]


def test_nothing_changed_is_no_release(repo: Repo) -> None:
    report = next_of(repo)
    assert report.version is None
    assert report.config is not None and str(report.config.bump) == "none"


def test_config_only_change_is_a_patch(repo: Repo) -> None:
    repo.write("config/version-1.0.0/production.yml", PROD.replace("pool: 20", "pool: 30"))
    repo.commit("chore: tune the pool")  # chore calls for no release by itself
    report = next_of(repo)
    assert str(report.version) == "1.0.1"
    assert report.next.level == "patch"
    (reason,) = report.next.reasons
    assert reason.sha == ""
    assert "production" in reason.subject
    assert "database.pool: 20 -> 30" in reason.why


def test_uncommitted_edit_in_a_new_version_directory_counts(repo: Repo) -> None:
    """The working tree's newest version is compared with the tag's newest version."""
    repo.write("config/version-1.1.0/production.yml", PROD.replace("info", "warn"))
    repo.write("config/version-1.1.0/staging.yml", STAGING)
    report = next_of(repo)
    assert str(report.version) == "1.0.1"
    assert report.config is not None
    assert [e.environment for e in report.config.environments] == ["production"]
    assert report.config.environments[0].examples == ('logging.level: "info" -> "warn"',)


def test_removed_required_key_is_major(repo: Repo) -> None:
    repo.write("config/version-1.0.0/production.yml", PROD.replace("  port: 3306\n", ""))
    repo.commit("fix: drop the port")
    report = next_of(repo)
    assert str(report.version) == "2.0.0"
    assert report.next.level == "major"
    (reason,) = report.next.reasons  # the fix is not decisive any more
    assert reason.sha == "" and "database.port: removed" in reason.why


def test_retyped_required_key_is_major_and_optional_removal_is_patch(repo: Repo) -> None:
    repo.write("config/version-1.0.0/staging.yml", STAGING.replace("3306", '"3306"'))
    repo.write("config/version-1.0.0/production.yml", PROD.replace("  pool: 20\n", ""))
    report = next_of(repo)
    assert str(report.version) == "2.0.0"
    assert report.config is not None
    by_env = {e.environment: str(e.bump) for e in report.config.environments}
    assert by_env == {"staging": "major", "production": "patch"}


def test_a_feature_outranks_a_config_patch(repo: Repo) -> None:
    repo.write("config/version-1.0.0/production.yml", PROD.replace("pool: 20", "pool: 30"))
    sha = repo.commit("feat: search")
    report = next_of(repo)
    assert str(report.version) == "1.1.0"
    assert [r.sha for r in report.next.reasons] == [sha]


def test_a_fix_and_a_config_patch_both_explain(repo: Repo) -> None:
    repo.write("config/version-1.0.0/production.yml", PROD.replace("pool: 20", "pool: 30"))
    sha = repo.commit("fix: a bug")
    report = next_of(repo)
    assert str(report.version) == "1.0.1"
    assert [r.sha for r in report.next.reasons] == [sha, ""]


def test_without_configs_table_nothing_is_read(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "plain")
    repo.write("polaris.toml", PLATFORM_TOML)
    repo.write("VERSION", "1.0.0\n")
    repo.write("config/version-1.0.0/production.yml", PROD)
    repo.commit("chore: start")
    repo.tag("v1.0.0")
    repo.write("config/version-1.0.0/production.yml", PROD.replace("  port: 3306\n", ""))
    report = next_of(repo)
    assert report.config is None and report.version is None


def test_broken_yaml_names_the_file(repo: Repo) -> None:
    repo.write("config/version-1.0.0/production.yml", "database: [unclosed\n")
    with pytest.raises(releases.PolarisError) as err:
        next_of(repo)
    assert "production.yml" in err.value.one_line()


def _polaris(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    src = str(Path(releases.__file__).resolve().parents[2])
    env = {**os.environ, **IDENTITY, "PYTHONPATH": src}
    return subprocess.run(
        [sys.executable, "-m", "polaris", *args],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_json_and_lines_say_why(repo: Repo) -> None:
    repo.write("config/version-1.0.0/production.yml", PROD.replace("  port: 3306\n", ""))
    out = _polaris(repo, "version", "next", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["next"] == "2.0.0" and data["level"] == "major"
    assert data["config"]["base"] == "v1.0.0" and data["config"]["bump"] == "major"
    assert data["reasons"][0]["sha"] is None
    assert "database.port" in data["reasons"][0]["why"]
    text = _polaris(repo, "version", "next")  # not a terminal: the fast path answers
    assert text.returncode == 0, text.stderr
    assert "2.0.0 (major) since v1.0.0" in text.stdout
    assert "config production" in text.stdout and "major: a key the schema requires" in text.stdout


def test_configs_declared_in_pyproject_or_polaris_toml(tmp_path: Path) -> None:
    from polaris.configs.declared import has_configs

    (tmp_path / "pyproject.toml").write_text('[tool.polaris.configs]\nroot = "config"\n')
    (tmp_path / "polaris.toml").write_text('[platform]\nname = "x"\n')
    (tmp_path / "bad.toml").write_text("[configs\n")
    assert has_configs(tmp_path / "pyproject.toml")
    assert not has_configs(tmp_path / "polaris.toml")
    assert not has_configs(tmp_path / "bad.toml")
    assert not has_configs(tmp_path / "missing.toml")
