"""The [recovery] section of polaris.toml: stores, environments, retention; errors name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from polaris.core.errors import ConfigError, InvalidInput
from polaris.recovery.config import load_recovery_config, server_recovery_config

BASE = """\
[databases.app]
dialect = "mariadb"
url_env = "APP_URL"

[environments.staging]
order = 1
"""


def write(tmp_path: Path, extra: str, base: str = BASE) -> Path:
    path = tmp_path / "polaris.toml"
    path.write_text(base + extra, encoding="utf-8")
    return path


def test_databases_and_recovery_stores_with_environment_variables(tmp_path: Path) -> None:
    cfg = load_recovery_config(
        write(
            tmp_path,
            '[recovery]\nkeep = 4\nmax_age_days = 0\n\n[recovery.stores.cache]\nkind = "Redis"\n'
            'url_env = "CACHE_URL"\n\n[recovery.environments.production]\napp = "PROD_APP"\n',
        )
    )
    assert [(s.name, s.kind, s.url_env) for s in cfg.stores] == [
        ("app", "mysql", "APP_URL"),
        ("cache", "redis", "CACHE_URL"),
    ]
    assert cfg.keep == 4 and cfg.max_age_days is None
    assert set(cfg.environments) == {"staging", "production"}  # [environments.*] count too
    app, cache = cfg.stores
    assert cfg.url_variable("production", app) == "PROD_APP"
    assert cfg.url_variable("production", cache) == "CACHE_URL"
    assert cfg.url("staging", app, {"APP_URL": "mysql://h/db"}) == "mysql://h/db"
    with pytest.raises(ConfigError, match="PROD_APP is not set"):
        cfg.url("production", app, {})
    with pytest.raises(InvalidInput, match="unknown environment 'qa'; known: production, staging"):
        cfg.check_environment("qa")


def test_backup_selects_stores(tmp_path: Path) -> None:
    cfg = load_recovery_config(
        write(
            tmp_path,
            '[recovery]\nbackup = ["cache"]\n[recovery.stores.cache]\n'
            'kind = "redis"\nurl_env = "C"\n',
        )
    )
    assert [s.name for s in cfg.stores] == ["cache"]
    assert cfg.keep == 10 and cfg.max_age_days == 30


@pytest.mark.parametrize(
    ("extra", "message", "line"),
    [
        ("[recovery]\nkeep = 0\n", "keep must be a whole number >= 1", 9),
        ('[recovery]\nbackup = ["nope"]\n', "store 'nope' is neither", 9),
        ("[recovery]\nflavour = 1\n", "unknown key 'flavour'", 9),
        ('[recovery.stores.c]\nkind = "redis"\nurl = "redis://x"\n', "unknown key 'url'", 10),
        ('[recovery.stores.c]\nkind = "redis"\nurl_env = "bad name"\n', "url_env must", 10),
        ('[recovery.environments.prod]\nnope = "X"\n', "unknown store 'nope'", 9),
        ("[recovery]\nmax_age_days = -1\n", "max_age_days must be", 9),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, extra: str, message: str, line: int) -> None:
    path = write(tmp_path, "\n" + extra)
    with pytest.raises(ConfigError, match=message) as err:
        load_recovery_config(path)
    assert err.value.location.file == str(path)
    assert err.value.location.line == line


def test_a_server_without_a_project_says_how_to_give_one() -> None:
    with pytest.raises(ConfigError, match="POLARIS_PROJECT"):
        server_recovery_config(None)
