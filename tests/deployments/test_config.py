"""``[environments.*]`` in polaris.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from polaris.core.actors import Role
from polaris.core.errors import ConfigError, NotFound
from polaris.deployments.config import get_environment, load_environments
from polaris.project.load import load_project

TOML = """
[platform]
name = "p"

[environments.production]
order = 2
strategy = "blue-green"
deploy_role = "approver"
thresholds = { error_rate = 0.02, latency_stat = "avg" }
health = [{ type = "http", path = "/health" }]

[environments.staging]
order = 1
deployer = "command"
deployer_options = { command = "true" }
"""


def test_environments_load_in_order_and_production_requires_staging(tmp_path: Path) -> None:
    (tmp_path / "polaris.toml").write_text(TOML)
    envs = load_environments(tmp_path / "polaris.toml")
    assert list(envs) == ["staging", "production"]
    prod = envs["production"]
    assert prod.requires == "staging" and envs["staging"].requires is None
    assert prod.deploy_role == Role.APPROVER
    assert (prod.thresholds.error_rate, prod.thresholds.latency_ms) == (0.02, 2000.0)
    assert prod.thresholds.latency_stat == "avg"
    assert prod.health[0].options == {"path": "/health"}
    # the project loader accepts the table too
    assert load_project(tmp_path / "polaris.toml").name == "p"


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('strategy = "canary"', "environments.staging.strategy: unknown strategy 'canary'"),
        ("interval = 0", "environments.staging.interval: expected seconds > 0"),
        ("colour = 1", "environments.staging.colour: unknown key 'colour'"),
        ('deploy_role = "boss"', "environments.staging.deploy_role: unknown role 'boss'"),
        ('health = [{ type = "ping" }]', "environments.staging.health[0]: expected a table"),
        ("thresholds = { error_rate = -1 }", "thresholds.error_rate: expected a positive"),
    ],
)
def test_bad_environments_name_file_and_field(tmp_path: Path, snippet: str, message: str) -> None:
    (tmp_path / "polaris.toml").write_text(f"[environments.staging]\n{snippet}\n")
    with pytest.raises(ConfigError) as info:
        load_environments(tmp_path / "polaris.toml")
    assert message in info.value.one_line()
    assert "polaris.toml" in info.value.one_line()


def test_unknown_environment_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "polaris.toml").write_text(TOML)
    with pytest.raises(NotFound, match=r"unknown environment 'qa'.*staging, production"):
        get_environment(load_environments(tmp_path / "polaris.toml"), "qa")
