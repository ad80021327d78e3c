"""Issue 19: oneOf/anyOf by identity, response headers, OAuth scopes and ECMA-262 patterns."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.apis.test_openapi_directions import _breaking, _diff_docs, _doc, _sides
from typer.testing import CliRunner

from polaris.apis.cli import app
from polaris.apis.openapi_diff import Impact, diff_openapi
from polaris.apis.openapi_loader import load_openapi

Spec = dict[str, Any]
PETS = {
    "Dog": {"type": "object", "title": "Dog", "properties": {"bark": {"type": "string"}}},
    "Cat": {"type": "object", "properties": {"meow": {"type": "string"}}},
    "Bird": {"type": "object", "properties": {"wings": {"type": "integer"}}},
}


def _pets(*names: str, comb: str = "oneOf") -> Spec:
    alts = [{"$ref": f"#/components/schemas/{n}"} for n in names]
    return _doc({comb: alts}, extra=PETS)


class TestAlternatives:
    """Alternatives are matched by what they are, not where they stand."""

    def test_swapping_is_no_change(self) -> None:
        assert _diff_docs(_pets("Dog", "Cat"), _pets("Cat", "Dog")).changes == ()

    @pytest.mark.parametrize("comb", ["oneOf", "anyOf"])
    def test_removing_breaks_requests_adding_breaks_responses(self, comb: str) -> None:
        slug = "one-of" if comb == "oneOf" else "any-of"
        removed = _diff_docs(_pets("Dog", "Cat", comb=comb), _pets("Cat", comb=comb))
        assert _sides(removed) == (
            {f"request-property-{slug}-removed"},
            {f"response-property-{slug}-removed"},
        )
        assert _breaking({f"request-property-{slug}-removed"})
        assert not _breaking({f"response-property-{slug}-removed"})
        assert any("Dog" in c.message for c in removed.changes)
        added = _diff_docs(_pets("Dog", comb=comb), _pets("Bird", "Dog", comb=comb))
        assert _sides(added) == (
            {f"request-property-{slug}-added"},
            {f"response-property-{slug}-added"},
        )
        assert _breaking({f"response-property-{slug}-added"})
        assert not _breaking({f"request-property-{slug}-added"})

    def test_change_inside_a_moved_alternative_is_found_at_its_new_place(self) -> None:
        old, new = _pets("Dog", "Cat"), _pets("Cat", "Dog")
        new["components"]["schemas"]["Dog"]["properties"]["bark"]["type"] = "integer"
        report = _diff_docs(old, new)
        assert _sides(report) == (
            {"request-property-type-changed"},
            {"response-property-type-changed"},
        )
        assert all("/oneOf/1/properties/bark/type" in c.pointer for c in report.changes)

    def test_inline_alternatives_by_shape_and_title(self) -> None:
        """Inline: equal shapes match wherever they stand; a lone edited one is an edit."""
        a, b = {"type": "string"}, {"type": "integer"}
        assert _diff_docs(_doc({"oneOf": [a, b]}), _doc({"oneOf": [b, a]})).changes == ()
        old = _doc({"oneOf": [{"title": "Card", "type": "object",
                                "properties": {"n": {"type": "string"}}}, a]})  # fmt: skip
        new = _doc({"oneOf": [a, {"title": "Card", "type": "object",
                                   "properties": {"n": {"type": "string"}, "cvc": {"type": "string"}}}]})  # noqa: E501  # fmt: skip
        assert _sides(_diff_docs(old, new)) == (
            {"new-optional-request-property"},
            {"response-property-added"},
        )

    def test_null_alternative_is_nullability(self) -> None:
        ref = {"$ref": "#/components/schemas/Cat"}
        old = _doc({"anyOf": [ref, {"type": "null"}]}, version="3.1.0", extra=PETS)
        new = _doc({"anyOf": [ref]}, version="3.1.0", extra=PETS)
        assert _sides(_diff_docs(old, new)) == (
            {"request-property-became-not-nullable"},
            {"response-property-became-not-nullable"},
        )


def _with_headers(headers: Spec) -> Spec:
    doc = _doc({"type": "object"})
    doc["paths"]["/things"]["post"]["responses"]["200"]["headers"] = copy.deepcopy(headers)
    return doc


class TestResponseHeaders:
    """Response headers are compared by case-insensitive name, in the response direction."""

    RATE: ClassVar[Spec] = {"X-Rate-Limit": {"required": True, "schema": {"type": "integer"}}}

    def test_required_header_removed_breaks(self) -> None:
        report = _diff_docs(_with_headers(self.RATE), _with_headers({}))
        assert [c.rule for c in report.changes] == ["response-required-header-removed"]
        assert report.changes[0].pointer.endswith("/responses/200/headers/X-Rate-Limit")
        assert report.bump == "major"

    def test_header_added_is_safe(self) -> None:
        report = _diff_docs(_with_headers({}), _with_headers(self.RATE))
        assert [c.rule for c in report.changes] == ["response-header-added"]
        assert not report.meets(Impact.MEDIUM)

    def test_optional_header_removed_is_a_warning(self) -> None:
        opt = {"X-Trace": {"schema": {"type": "string"}}}
        report = _diff_docs(_with_headers(opt), _with_headers({}))
        assert [(c.rule, c.impact) for c in report.changes] == [
            ("response-optional-header-removed", Impact.MEDIUM)
        ]

    def test_header_schema_has_direction(self) -> None:
        changed = {"X-Rate-Limit": {"required": True, "schema": {"type": "string"}}}
        report = _diff_docs(_with_headers(self.RATE), _with_headers(changed))
        assert [c.rule for c in report.changes] == ["response-header-type-changed"]
        assert report.changes[0].pointer.endswith("/headers/X-Rate-Limit/schema/type")
        wider = {"X-Rate-Limit": {"required": True, "schema": {"type": "number"}}}
        narrowed = _diff_docs(_with_headers(wider), _with_headers(self.RATE))
        assert [c.rule for c in narrowed.changes] == ["response-header-type-specialized"]

    def test_required_flag_and_name_case(self) -> None:
        lower = {"x-rate-limit": {"schema": {"type": "integer"}}}
        report = _diff_docs(_with_headers(self.RATE), _with_headers(lower))
        assert [c.rule for c in report.changes] == ["response-header-became-optional"]
        report = _diff_docs(_with_headers(lower), _with_headers(self.RATE))
        assert [c.rule for c in report.changes] == ["response-header-became-required"]


def _secured(security: list[Spec]) -> Spec:
    doc = _doc({"type": "object"})
    doc["components"]["securitySchemes"] = {
        "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "https://auth.example/token", "scopes": {"read": "", "write": ""}}}},
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    }  # fmt: skip
    doc["paths"]["/things"]["post"]["security"] = security
    return doc


SECURITY = [
    ("fewer scopes", [{"oauth": ["read", "write"]}], [{"oauth": ["read"]}], "api-security-scope-removed", False),  # noqa: E501
    ("more scopes", [{"oauth": ["read"]}], [{"oauth": ["read", "write"]}], "api-security-scope-added", True),  # noqa: E501
    ("alternative added", [{"key": []}], [{"key": []}, {"oauth": ["read"]}], "api-security-relaxed", False),  # noqa: E501
    ("alternative removed", [{"key": []}, {"oauth": ["read"]}], [{"key": []}], "api-security-changed", True),  # noqa: E501
    ("second scheme required too", [{"oauth": ["read"]}], [{"oauth": ["read"], "key": []}], "api-security-changed", True),  # noqa: E501
    ("scheme swapped", [{"key": []}], [{"oauth": []}], "api-security-changed", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "old", "new", "rule", "breaks"), SECURITY, ids=[s[0] for s in SECURITY]
)
def test_security(name: str, old: list[Spec], new: list[Spec], rule: str, breaks: bool) -> None:
    """An existing token keeps working when some new alternative asks no more than its old one."""
    report = _diff_docs(_secured(old), _secured(new))
    assert [c.rule for c in report.changes] == [rule]
    assert report.meets(Impact.BREAKING) is breaks


JS_PATTERN = r"^[\w-./:]+$"  # valid ECMA-262 (Annex B), a bad range for Python's re


def _pattern_file(tmp_path: Path, name: str, pattern: str) -> Path:
    doc = _doc({"type": "object", "properties": {"v": {"type": "string", "pattern": pattern}}})
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


class TestPatterns:
    """Patterns are ECMA-262; one no engine compiles is compared as text, never fatal."""

    def test_javascript_pattern_loads_and_is_kept(self, tmp_path: Path) -> None:
        doc = load_openapi(_pattern_file(tmp_path, "a.json", JS_PATTERN)).document
        assert doc["components"]["schemas"]["Thing"]["properties"]["v"]["pattern"] == JS_PATTERN

    def test_cli_diffs_javascript_and_broken_patterns(self, tmp_path: Path) -> None:
        old = _pattern_file(tmp_path, "old.json", JS_PATTERN)
        same = _pattern_file(tmp_path, "same.json", JS_PATTERN)
        broken = _pattern_file(tmp_path, "new.json", "[z-a")
        runner = CliRunner()
        result = runner.invoke(app, ["diff", str(old), str(same), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["changes"] == []
        result = runner.invoke(app, ["diff", str(old), str(broken), "--json"])
        assert result.exit_code == 0, result.output
        changes = json.loads(result.output)["changes"]
        assert {c["rule"] for c in changes} == {
            "request-property-pattern-changed",
            "response-property-pattern-changed",
        }
        assert all("compared as text" in c["message"] for c in changes)
        assert all("'[z-a' is not ECMA-262" in c["message"] for c in changes)

    def test_sample_values_witness_the_direction(self) -> None:
        """A changed pattern is compared as text; the schema's examples say which way it went."""
        old = _doc({"type": "object", "properties": {"v": {
            "type": "string", "pattern": r"^[\w-./:]+$", "example": "eu-west/a:1"}}})  # fmt: skip
        new = _doc({"type": "object", "properties": {"v": {
            "type": "string", "pattern": "^[a-z]+$", "example": "eu-west/a:1"}}})  # fmt: skip
        report = _diff_docs(old, new)
        assert {c.rule for c in report.changes} == {
            "request-property-pattern-changed",
            "response-property-pattern-changed",
        }
        assert all("'eu-west/a:1' matched before, not now" in c.message for c in report.changes)

    def test_broken_pattern_identical_on_both_sides_is_no_change(self, tmp_path: Path) -> None:
        a = load_openapi(_pattern_file(tmp_path, "a.json", "(?<=")).document
        b = load_openapi(_pattern_file(tmp_path, "b.json", "(?<=")).document
        assert diff_openapi(a, b).changes == ()


def test_every_rule_is_documented() -> None:
    """docs/api.md names every rule id, or (per-schema rules) its check suffix in the table."""
    from polaris.apis.openapi_rules import RULES, SCHEMA_RULE_PARTS

    text = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [
        rid
        for rid in RULES
        if f"`{rid}`" not in text
        and not (rid in SCHEMA_RULE_PARTS and f"`{SCHEMA_RULE_PARTS[rid][1]}`" in text)
    ]
    assert missing == []
