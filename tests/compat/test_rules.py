"""The compatibility matrix: loading with located errors, checking sets, resolving."""

from __future__ import annotations

from pathlib import Path

import pytest

from polaris.compat.config import load_matrix
from polaris.compat.resolver import Unsatisfiable
from polaris.compat.rules import check
from polaris.compat.service import resolve_set
from polaris.core.errors import ConfigError
from polaris.core.semver import Version

DATA = Path(__file__).resolve().parents[1] / "data" / "compatibility.yml"

GOOD = {
    "api": "2.1.0",
    "agents": "2.1.0",
    "web": "2.1.0",
    "mobile_app": "2.2.0",
    "rag_search": "1.3.2",
    "classification": "1.2.1",
    "mysql": "8.0.35",
    "python": "3.11.7",
}


def sel(**overrides: str) -> dict[str, Version]:
    return {k: Version.parse(v) for k, v in {**GOOD, **overrides}.items()}


def test_seed_matrix_loads_with_origins() -> None:
    matrix = load_matrix(DATA)
    described = [r.describe() for r in matrix.rules]
    assert f"agents 2.1.0 requires rag_search ~1.3 ({DATA}:21)" in described
    assert f"platform 2.1.0 requires mysql 8.0.x ({DATA}:22)" in described
    assert matrix.forward[0].timeline == "2025-12-01"
    assert matrix.contradictions == ()


def test_current_set_passes() -> None:
    report = check(load_matrix(DATA), sel(), platform_version=Version.parse("2.1.0"))
    assert report.ok, report.violations
    assert report.rules_checked == 8
    assert any("graphql_migration" in n for n in report.notes)


def test_moved_outside_a_range_fails_with_who_what_and_hint() -> None:
    report = check(load_matrix(DATA), sel(classification="1.3.0"))
    (v,) = report.errors
    assert v.message == "agents 2.1.0 requires classification ~1.2, but 1.3.0 is present"
    assert v.hint == "use classification 1.2.1"
    assert v.origin.endswith("compatibility.yml:21")


def test_platform_rules_apply_only_with_a_platform_version() -> None:
    matrix = load_matrix(DATA)
    assert check(matrix, sel(mysql="8.4.0")).ok
    report = check(matrix, sel(mysql="8.4.0"), platform_version=Version.parse("2.1.0"))
    assert [v.target for v in report.errors] == ["mysql"]


def test_backward_compatibility_supports_deprecates_and_requires_migration(tmp_path: Path) -> None:
    head, sep, tail = DATA.read_text().partition("backward_compatibility:")
    extra = (
        "  platform_v9.0.0:\n    components:\n"
        "      web:\n        version: '2.0.x'\n        requires: {api: '2.0.x'}\n"
        "      mobile_app:\n        version: '1.x'\n        requires: {api: '1.x'}\n"
        "      agents:\n        version: '2.0.x'\n        requires: {rag_search: '1.1.x'}\n\n"
    )
    path = tmp_path / "compatibility.yml"
    path.write_text(head + extra + sep + tail)
    matrix = load_matrix(path)
    ok = check(matrix, sel(web="2.0.3", agents="2.1.0"))
    assert ok.ok  # web 2.0.x needs api 2.0.x; api 2.1.0 supports 2.0.x
    warned = check(matrix, sel(mobile_app="1.4.0"))
    # api 2.1.0 itself wants mobile_app 2.x (error); mobile_app 1.x relies on deprecated api 1.x.
    assert [(v.severity, v.target) for v in warned.violations] == [
        ("error", "mobile_app"),
        ("warning", "api"),
    ]
    assert "deprecated by api 2.1.0" in warned.violations[1].message
    failed = check(matrix, sel(agents="2.0.0"))
    assert [v.severity for v in failed.violations] == ["error"]
    assert "requires a migration" in failed.violations[0].message


def test_errors_name_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "compatibility.yml"
    path.write_text(
        "versions:\n  api: ['2.1.0', '2.01.0']\n"
        "version_compatibility:\n  platform_v2.1.0:\n    components:\n"
        "      api:\n        version: '2.1.0'\n        compatible_clients: {web: '>>2'}\n"
        "        colour: blue\n"
        "bogus: 1\n"
    )
    with pytest.raises(ConfigError) as info:
        load_matrix(path)
    text = str(info.value)
    assert f"{path}:2: versions.api.1: '2.01.0': numeric identifier '01'" in text
    api = "version_compatibility.platform_v2.1.0.components.api"
    assert f"{path}:8: {api}.compatible_clients.web: invalid range" in text
    assert f"{path}:9: {api}.colour: unknown key" in text
    assert f"{path}:10: bogus: unknown key" in text


def test_contradiction_reported_on_load(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        "versions: {a: ['1.0.0', '2.0.0'], b: ['2.0.0', '2.1.0']}\n"
        "version_compatibility:\n  platform_v1.0.0:\n    components:\n"
        "      a: {version: '1.x', requires: {b: '2.x'}}\n"
        "      b: {version: '2.x', requires: {a: '>=2'}}\n"
    )
    (text,) = load_matrix(path).contradictions
    assert "a 1.x requires b 2.x" in text and "but b 2.x requires a >=2" in text


def test_resolve_newest_compatible_set_and_explain_failure() -> None:
    matrix = load_matrix(DATA)
    result, report = resolve_set(
        matrix, pins={}, prefer={}, upgrade=[], priority=["platform", "api", "agents"]
    )
    chosen = {k: str(v) for k, v in result.versions.items()}
    assert chosen["platform"] == "2.1.0"
    assert chosen["api"] == "2.1.0"  # 3.0.0 is newer but platform 2.1.0 pins api 2.1.0
    assert chosen["rag_search"] == "1.3.2"
    assert chosen["mysql"] == "8.0.35"
    assert report.ok
    with pytest.raises(Unsatisfiable) as info:
        resolve_set(
            matrix,
            pins={"platform": Version.parse("2.1.0"), "classification": Version.parse("1.3.0")},
            prefer={},
            upgrade=[],
            priority=[],
        )
    text = "\n".join(info.value.explanation)
    assert "agents 2.1.0 requires classification ~1.2" in text
    assert "classification is pinned to 1.3.0" in text
