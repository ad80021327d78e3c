"""[databases.<name>] in polaris.toml: defaults, and errors that name file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from polaris.core.errors import ConfigError
from polaris.project.databases import database_url, find_config, load_databases


def config(tmp_path: Path, text: str, name: str = "polaris.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_database_with_defaults_and_platform_versions(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        '[databases.mysql]\ndialect = "mariadb"\nurl_env = "AIOPS_MYSQL_URL"\n\n'
        '[databases.mysql.platform_versions]\n"2.0.0" = "003"\n"2.1.0" = "004"\n\n'
        '[databases.events]\ndialect = "postgresql"\nurl_env = "EVENTS_URL"\n'
        'directory = "db/events"\nlock_timeout = 5\n',
    )
    mysql, events = load_databases(path)
    assert (mysql.name, mysql.dialect, mysql.url_env) == ("mysql", "mysql", "AIOPS_MYSQL_URL")
    assert mysql.directory == str(tmp_path / "migrations" / "mysql")
    assert mysql.platform_versions == (("2.0.0", "003"), ("2.1.0", "004"))
    assert mysql.lock_timeout == 30
    assert (events.directory, events.lock_timeout) == (str(tmp_path / "db" / "events"), 5)
    assert database_url(mysql, {"AIOPS_MYSQL_URL": "mysql://root@h/db"}) == "mysql://root@h/db"


@pytest.mark.parametrize(
    ("body", "line", "key", "fragment"),
    [
        ('dialect = "mysql"\nurl = "mysql://u:p@h/db"\n', 3, "url", "must not be written"),
        ('dialect = "oracle"\nurl_env = "X"\n', 2, "dialect", "dialect must be one of"),
        ('dialect = "mysql"\nurl_env = "mysql://h/db"\n', 3, "url_env", "environment variable"),
        ('dialect = "mysql"\nurl_env = "X"\ncolour = 1\n', 4, "colour", "unknown key"),
        ('dialect = "mysql"\nurl_env = "X"\nlock_timeout = -1\n', 4, "lock_timeout", ">= 0"),
    ],
)
def test_errors_name_file_line_and_key(
    tmp_path: Path, body: str, line: int, key: str, fragment: str
) -> None:
    path = config(tmp_path, "[databases.main]\n" + body)
    with pytest.raises(ConfigError) as info:
        load_databases(path)
    assert fragment in info.value.message
    assert info.value.location.file == str(path)
    assert (info.value.location.line, info.value.location.field) == (line, key)


def test_an_unset_url_variable_is_named(tmp_path: Path) -> None:
    (spec,) = load_databases(
        config(tmp_path, '[databases.main]\ndialect = "sqlite"\nurl_env = "MAIN_DB_URL"\n')
    )
    with pytest.raises(ConfigError, match="MAIN_DB_URL is not set"):
        database_url(spec, {})


def test_pyproject_tool_polaris_and_finding_the_file(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        '[tool.polaris.databases.main]\ndialect = "sqlite"\nurl_env = "U"\n',
        "pyproject.toml",
    )
    (tmp_path / "sub").mkdir()
    assert find_config(tmp_path / "sub") == path
    assert [d.name for d in load_databases(path)] == ["main"]
    with pytest.raises(ConfigError, match=r"no polaris\.toml"):
        find_config(Path("/"))
