"""Pure rules: the seed's hash, references, structural diff, bump classification, lint, drift."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from tests.configs.conftest import EXAMPLE

from polaris.configs.lint import Severity, lint, looks_random
from polaris.configs.rules import (
    Bump,
    ChangeKind,
    check_drift,
    classify,
    config_hash,
    diff,
    format_path,
    is_secret_key,
    iter_references,
    redact,
)
from polaris.core.errors import InvalidInput

ENVS = ("development", "staging", "production")


@pytest.mark.parametrize("env", ENVS)
def test_hash_is_the_seeds_method_byte_for_byte(env: str) -> None:
    """sha256(json.dumps(yaml.safe_load(f), sort_keys=True))[:12], as section 7.1.2 computes."""
    path = EXAMPLE / "config" / "version-2.1.0" / f"{env}.yml"
    data = yaml.safe_load(path.read_text())
    expected = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    got = config_hash(data)
    assert got.short == expected[:12]
    assert got.digest == expected


def test_key_order_does_not_change_the_hash_but_a_value_does() -> None:
    assert config_hash({"a": 1, "b": {"c": 2}}) == config_hash({"b": {"c": 2}, "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def test_mixed_key_types_are_refused_not_crashed() -> None:
    with pytest.raises(InvalidInput, match="string keys"):
        config_hash({1: "a", "b": 2})


def test_diff_gives_paths_and_old_and_new_values() -> None:
    old = {"database": {"mysql": {"connection_pool_size": 20, "port": 3306}}, "hosts": ["a", "b"]}
    new = {"database": {"mysql": {"connection_pool_size": 30}}, "hosts": ["a", "c", "d"], "x": 1}
    changes = diff(old, new)
    text = [c.describe() for c in changes]
    assert text == [
        "database.mysql.connection_pool_size: 20 -> 30",
        "database.mysql.port: removed (was 3306)",
        'hosts[1]: "b" -> "c"',
        'hosts[2]: added "d"',
        "x: added 1",
    ]
    assert diff(old, old) == []


def test_a_type_change_is_its_own_kind() -> None:
    (change,) = diff({"port": 3306}, {"port": "3306"})
    assert change.kind is ChangeKind.TYPE_CHANGED
    (change,) = diff({"on": True}, {"on": 1})
    assert change.kind is ChangeKind.TYPE_CHANGED


def test_diff_masks_literal_secrets_but_shows_references() -> None:
    (a, b) = diff(
        {"db": {"password": "hunter2", "api_key": "${K}"}},
        {"db": {"password": "hunter3", "api_key": "${K2}"}},
    )
    assert a.describe() == 'db.password: "***" -> "***"'
    assert b.describe() == 'db.api_key: "${K}" -> "${K2}"'


def test_classify_patch_and_breaking_by_schema() -> None:
    schema = {
        "type": "object",
        "required": ["database"],
        "properties": {"database": {"type": "object", "required": ["port"], "properties": {}}},
    }
    bump, breaking = classify(diff({"database": {"port": 1}}, {"database": {"port": 2}}), schema)
    assert (bump, breaking) == (Bump.PATCH, [])
    bump, breaking = classify(diff({"database": {"port": 1}}, {"database": {}}), schema)
    assert bump is Bump.MAJOR
    assert [c.where for c in breaking] == ["database.port"]
    bump, _ = classify(diff({"database": {"port": 1}}, {"database": {"port": "1"}}), schema)
    assert bump is Bump.MAJOR
    assert classify(diff({"a": 1, "o": 2}, {"a": 1}), schema)[0] is Bump.PATCH
    assert classify([], schema)[0] is Bump.NONE


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("api_key", True),
        ("apiKey", True),
        ("client_secret", True),
        ("NEO4J_PASSWORD", True),
        ("access-key", True),
        ("max_tokens", False),
        ("search_limit", False),
        ("keyspace", False),
    ],
)
def test_secret_key_names_by_whole_words(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_references_env_file_and_plugin_schemes() -> None:
    refs = list(iter_references({"a": "${HOST}:${PORT}", "b": ["${file:/run/s}"], "c": "$${LIT}"}))
    assert [(r.scheme, r.name, format_path(r.path)) for r in refs] == [
        ("env", "HOST", "a"),
        ("env", "PORT", "a"),
        ("file", "/run/s", "b[0]"),
    ]
    with pytest.raises(InvalidInput, match="not a variable name"):
        list(iter_references({"a": "${1BAD}"}))


def test_redact_keeps_references_and_non_secret_values() -> None:
    assert redact(("db", "password"), "x") == "***"
    assert redact(("db", "password"), "${P}") == "${P}"
    assert redact(("db", "host"), "x") == "x"


@pytest.mark.parametrize(
    ("text", "random"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", False),
        ("gpt-4o", False),
        ("development-environment-name", False),
        ("sk-proj-abcdefghijklmnop1234", True),
        ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", True),
        ("aB3dE5fG7hI9jK1lM3nO5pQ7", True),
    ],
)
def test_high_entropy_literals(text: str, random: bool) -> None:
    assert looks_random(text) is random


def _docs() -> dict[str, dict[str, object]]:
    return {
        env: yaml.safe_load((EXAMPLE / "config" / "version-2.1.0" / f"{env}.yml").read_text())
        for env in ENVS
    }


def test_the_sample_configuration_lints_clean() -> None:
    assert lint(_docs(), version="2.1.0", must_match=["application.name"]) == []


def test_lint_catches_a_pasted_secret_and_its_missing_reference() -> None:
    docs = _docs()
    docs["staging"]["database"]["neo4j"]["password"] = "hunter2-prod"  # type: ignore[index] # noqa: S105
    docs["production"]["misc"] = {"note": "sk-live-0123456789abcdefABCDEF"}
    findings = lint(docs, version="2.1.0")
    by_rule = {(f.rule, f.environment, f.path): f for f in findings}
    secret = by_rule[("plaintext-secret", "staging", "database.neo4j.password")]
    assert secret.severity is Severity.ERROR
    assert "${NEO4J_PASSWORD}" in secret.message
    assert "hunter2" not in secret.message
    assert ("high-entropy", "production", "misc.note") in by_rule
    missing = by_rule[("reference-missing", "staging", "")]
    assert missing.severity is Severity.WARNING
    assert "${NEO4J_PASSWORD}" in missing.message


def test_lint_must_match_flags_headers_and_unresolved() -> None:
    docs = _docs()
    docs["production"]["application"]["name"] = "other"  # type: ignore[index]
    docs["staging"]["feature_flags"]["max_parallel_agents"] = "four"  # type: ignore[index]
    del docs["development"]["feature_flags"]["rag_rerank"]  # type: ignore[attr-defined]
    findings = lint(
        docs,
        version="2.2.0",
        must_match=["application.name"],
        unresolved={"production": ["${MYSQL_HOST}"]},
    )
    rules = {(f.rule, f.environment, f.path) for f in findings}
    assert ("must-match", "*", "application.name") in rules
    assert ("flag-type", "*", "feature_flags.max_parallel_agents") in rules
    assert ("flag-missing", "development", "feature_flags.rag_rerank") in rules
    assert ("header", "production", "version") in rules
    assert ("unresolved-reference", "production", "") in rules
    numeric = lint({"x": {"db": {"password": 123456, "max_tokens": 4000}}})
    assert [(f.rule, f.path) for f in numeric] == [("plaintext-secret", "db.password")]
    assert ("bad-reference", "x", "a") in {
        (f.rule, f.environment, f.path) for f in lint({"x": {"a": "${}"}})
    }


def test_drift_compares_short_and_full_hashes() -> None:
    digest = config_hash({"a": 1}).digest
    assert not check_drift("prod", digest, digest[:12]).drifted
    assert not check_drift("prod", digest, digest.upper()).drifted
    d = check_drift("prod", digest, "0" * 12)
    assert d.drifted
    assert d.reason == f"reports 000000000000, expected {digest[:12]}"
    assert check_drift("prod", digest, None).drifted
    assert not check_drift("prod", None, "abc").drifted


def test_example_path_exists() -> None:
    assert Path(EXAMPLE / "config" / "schema.json").is_file()
