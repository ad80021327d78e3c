"""Reading real files: formats, bad input with file:line, root and size bounds, schema, secrets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from polaris.configs.layout import find_layout
from polaris.configs.loaders import load_config
from polaris.configs.schema import ConfigSchema, SchemaViolations, load_schema
from polaris.configs.secrets import (
    ENTRY_POINT_GROUP,
    EnvResolver,
    FileResolver,
    UnresolvedReference,
    default_resolvers,
    render,
)
from polaris.configs.workspace import Workspace
from polaris.configs.writer import set_flag
from polaris.core.errors import ConfigError, InvalidInput, NotFound


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_yaml_json_and_toml_give_the_same_hash(tmp_path: Path) -> None:
    y = load_config(write(tmp_path, "a.yml", "a: 1\nb: {c: [x, y]}\n"), tmp_path)
    j = load_config(write(tmp_path, "a.json", '{"b": {"c": ["x", "y"]}, "a": 1}'), tmp_path)
    t = load_config(write(tmp_path, "a.toml", 'a = 1\n[b]\nc = ["x", "y"]\n'), tmp_path)
    assert y.data == j.data == t.data
    assert (y.format, j.format, t.format) == ("yaml", "json", "toml")
    assert y.path == "a.yml"


@pytest.mark.parametrize(
    ("name", "text", "message", "line"),
    [
        ("bad.yml", "a: 1\nb: [1, 2\nc: 3\n", "invalid YAML", 3),
        ("dup.yml", "a:\n  x: 1\n  y: 2\n  x: 3\n", "duplicate key 'x'", 4),
        ("bad.json", '{\n  "a": 1,\n  "b": \n}', "invalid JSON", 4),
        ("dup.json", '{\n  "a": 1,\n  "a": 2\n}', "duplicate key 'a'", 3),
        ("bad.toml", "a = 1\nb = = 2\n", "invalid TOML", 2),
        ("list.yml", "- a\n- b\n", "not a mapping", 1),
    ],
)
def test_bad_files_name_file_and_line(
    tmp_path: Path, name: str, text: str, message: str, line: int
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(InvalidInput, match=message) as info:
        load_config(path, tmp_path)
    assert info.value.location.file == str(path)
    assert info.value.location.line == line


def test_files_outside_the_root_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "config"
    outside = write(tmp_path, "secret.yml", "a: 1\n")
    with pytest.raises(InvalidInput, match="outside the configuration root"):
        load_config(root / ".." / "secret.yml", root)
    root.mkdir(exist_ok=True)
    (root / "link.yml").symlink_to(outside)
    with pytest.raises(InvalidInput, match="outside the configuration root"):
        load_config(root / "link.yml", root)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(InvalidInput, match=r"50\.0 MiB; configuration files are limited to 8\.0"):
        load_config(path, tmp_path)
    with pytest.raises(NotFound):
        load_config(tmp_path / "missing.yml", tmp_path)


def test_schema_violations_give_file_line_and_key_path(repo: Path) -> None:
    prod = repo / "config" / "version-2.1.0" / "production.yml"
    prod.write_text(
        prod.read_text().replace("port: 3306", 'port: "3306"').replace("debug: false", "debug: 0")
    )
    ws = Workspace(find_layout(repo))
    with pytest.raises(SchemaViolations) as info:
        ws.read()
    lines = info.value.one_line().splitlines()
    assert lines[0] == "2 schema problems:"
    assert f"{prod}:8: application.debug: 0 is not of type 'boolean'" in lines[1]
    assert f"{prod}:13: database.mysql.port: '3306' is not of type 'integer'" in lines[2]
    assert info.value.exit_code == 1


def test_an_invalid_schema_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a valid JSON Schema") as info:
        ConfigSchema({"type": "objekt"}, "s.json")
    assert info.value.location.file == "s.json"
    path = write(tmp_path, "s.json", json.dumps({"properties": {"a": {"minimum": "x"}}}))
    with pytest.raises(InvalidInput) as info:
        load_schema(path, tmp_path)
    assert info.value.location.field == "properties.a.minimum"


def test_render_resolves_env_and_file_references(tmp_path: Path) -> None:
    secret = write(tmp_path, "pw.txt", "s3cret\n")
    data = {"db": {"host": "${HOST}", "url": "mysql://${HOST}:3306", "pw": f"${{file:{secret}}}"}}
    resolvers = {"env": EnvResolver({"HOST": "db.internal"}), "file": FileResolver(tmp_path)}
    assert render(data, resolvers) == {
        "db": {"host": "db.internal", "url": "mysql://db.internal:3306", "pw": "s3cret"}
    }
    assert data["db"]["pw"].startswith("${file:")  # the input keeps the reference


def test_a_missing_value_names_the_reference_and_shows_no_value() -> None:
    data = {"a": "${SET}", "b": "${UNSET}", "c": "${file:/nonexistent/x}"}
    with pytest.raises(UnresolvedReference) as info:
        render(data, {"env": EnvResolver({"SET": "visible-value"}), "file": FileResolver(Path())})
    text = info.value.one_line()
    assert "${UNSET}" in text
    assert "${file:/nonexistent/x}" in text
    assert "visible-value" not in text
    with pytest.raises(InvalidInput, match="no resolver for the scheme 'vault'"):
        render({"a": "${vault:kv/x}"}, {"env": EnvResolver({})})


def test_a_resolver_plugin_registers_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real installed distribution (dist-info on sys.path) declaring the entry point."""
    site = tmp_path / "site"
    write(
        site,
        "fakevault.py",
        "class Vault:\n"
        "    def resolve(self, name):\n"
        "        return {'kv/db#pw': 'from-vault'}.get(name)\n",
    )
    write(
        site,
        "fakevault-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: fakevault\nVersion: 1.0\n",
    )
    write(
        site,
        "fakevault-1.0.dist-info/entry_points.txt",
        f"[{ENTRY_POINT_GROUP}]\nvault = fakevault:Vault\n",
    )
    monkeypatch.syspath_prepend(str(site))
    resolvers = default_resolvers(tmp_path, environ={})
    assert render({"pw": "${vault:kv/db#pw}"}, resolvers) == {"pw": "from-vault"}


def test_flag_set_keeps_comments_order_and_type(repo: Path) -> None:
    path = repo / "config" / "version-2.1.0" / "staging.yml"
    before = path.read_text()
    assert set_flag(path, repo / "config", "rag_rerank", "true", dry_run=True) == (False, True)
    assert path.read_text() == before
    assert set_flag(path, repo / "config", "rag_rerank", "true") == (False, True)
    after = path.read_text()
    assert after == before.replace("rag_rerank: false", "rag_rerank: true")
    with pytest.raises(InvalidInput, match="is of type boolean"):
        set_flag(path, repo / "config", "rag_rerank", "7")
    assert path.read_text() == after


def test_layout_errors_name_the_key(repo: Path) -> None:
    toml = repo / "polaris.toml"
    toml.write_text(toml.read_text().replace('root = "config"', 'root = "config"\ncolour = 1'))
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        find_layout(repo)
    os.remove(toml)
    toml.write_text('[platform]\nname = "x"\n[configs]\nenvironments = ["Prod!"]\n')
    with pytest.raises(ConfigError) as info:
        find_layout(repo)
    assert info.value.location.field == "configs.environments"


TRICKY = """\
base: &base {host: "${H}", port: 3306}
prod:
  <<: *base
  port: 3307
flags: [yes, no, on, off, ~, null, true]
numbers: [0o17, 017, 0x1f, 1_000, 1.5e3, .inf, .nan, 12:30]
when: 2025-09-01
stamp: 2025-09-01T10:00:00Z
quoted: ["yes", '3306', "2025-09-01"]
set: !!set {a, b}
empty: {}
"""


def test_the_fast_yaml_path_gives_exactly_safe_loads_values(tmp_path: Path) -> None:
    import math

    import yaml

    from polaris.configs.rules import config_hash

    loaded = load_config(write(tmp_path, "t.yml", TRICKY), tmp_path).data
    expected = yaml.safe_load(TRICKY)
    nan_free = {k: v for k, v in loaded.items() if k != "numbers"}
    assert nan_free == {k: v for k, v in expected.items() if k != "numbers"}
    assert loaded["numbers"][:6] == expected["numbers"][:6]
    assert math.isnan(loaded["numbers"][6])
    assert loaded["numbers"][7] == expected["numbers"][7] == 750
    assert loaded["flags"] == [True, False, True, False, None, None, True]
    assert config_hash({"a": loaded["prod"]}) == config_hash({"a": expected["prod"]})
    with pytest.raises(InvalidInput, match="duplicate key 'b'"):
        load_config(
            write(tmp_path, "d.yml", "a: &x {b: 1}\nc:\n  <<: *x\n  b: 2\n  b: 3\n"), tmp_path
        )


def test_a_remote_ref_is_refused_not_fetched(tmp_path: Path) -> None:
    schema = ConfigSchema({"$ref": "https://schemas.invalid/x.json"}, "s.json")
    doc = load_config(write(tmp_path, "a.yml", "a: 1\n"), tmp_path)
    with pytest.raises(InvalidInput, match="cannot be resolved here") as info:
        schema.check(doc)
    assert info.value.location.file == "s.json"
