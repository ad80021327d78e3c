"""Issue 19: direction. One schema is both sent (request body) and received (200 response), so
each spec pair shows a change's verdict in both directions; each pair is also run reversed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from polaris.apis.openapi_diff import DiffReport, Impact, diff_openapi
from polaris.apis.openapi_loader import resolve_refs, validate_openapi
from polaris.apis.openapi_rules import RULES

Spec = dict[str, Any]


def _doc(thing: Spec, *, version: str = "3.0.3", extra: Spec | None = None) -> Spec:
    """POST /things takes a Thing and returns one; `extra` adds component schemas."""
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"required": True, "content": copy.deepcopy(ref)},
                    "responses": {"200": {"description": "ok", "content": copy.deepcopy(ref)}},
                }
            }
        },
        "components": {"schemas": {"Thing": copy.deepcopy(thing), **copy.deepcopy(extra or {})}},
    }


def _diff_docs(old: Spec, new: Spec) -> DiffReport:
    for doc in (old, new):
        validate_openapi(doc)
        resolve_refs(doc)
    return diff_openapi(old, new)


def _prop(schema: Spec, version: str = "3.0.3") -> Spec:
    return _doc({"type": "object", "properties": {"v": schema}}, version=version)


def _sides(report: DiffReport) -> tuple[set[str], set[str]]:
    req = {c.rule for c in report.changes if c.rule.startswith(("request", "new-"))}
    resp = {c.rule for c in report.changes if c.rule.startswith("response")}
    assert req | resp == {c.rule for c in report.changes}
    return req, resp


def _breaking(rules: set[str]) -> bool:
    return any(RULES[r].impact is Impact.BREAKING for r in rules)


# (name, old property schema, new property schema, request rule, response rule, version)
# Read forwards: request gets the first rule, response the second; reversed, the mirror pair.
PAIRS: list[tuple[str, Spec, Spec, str, str, str]] = [
    ("integer -> number", {"type": "integer"}, {"type": "number"}, "type-generalized", "type-changed", "3.0.3"),  # noqa: E501
    ("int32 -> int64", {"type": "integer", "format": "int32"}, {"type": "integer", "format": "int64"}, "type-generalized", "type-changed", "3.0.3"),  # noqa: E501
    ("format dropped", {"type": "string", "format": "date"}, {"type": "string"}, "type-generalized", "type-changed", "3.0.3"),  # noqa: E501
    ("type list grows", {"type": ["string"]}, {"type": ["string", "integer"]}, "type-generalized", "type-changed", "3.1.0"),  # noqa: E501
    ("enum value added", {"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a", "b", "c"]}, "enum-value-added", "enum-value-added", "3.0.3"),  # noqa: E501
    ("enum dropped", {"type": "string", "enum": ["a"]}, {"type": "string"}, "enum-value-added", "enum-value-added", "3.0.3"),  # noqa: E501
    ("maxLength raised", {"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 20}, "max-length-increased", "max-length-increased", "3.0.3"),  # noqa: E501
    ("minLength lowered", {"type": "string", "minLength": 3}, {"type": "string", "minLength": 1}, "min-length-decreased", "min-length-decreased", "3.0.3"),  # noqa: E501
    ("maximum removed", {"type": "integer", "maximum": 9}, {"type": "integer"}, "max-increased", "max-increased", "3.0.3"),  # noqa: E501
    ("minimum lowered", {"type": "integer", "minimum": 0}, {"type": "integer", "minimum": -5}, "min-decreased", "min-decreased", "3.0.3"),  # noqa: E501
    ("3.1 exclusiveMaximum raised", {"type": "number", "exclusiveMaximum": 1}, {"type": "number", "exclusiveMaximum": 2}, "max-increased", "max-increased", "3.1.0"),  # noqa: E501
    ("3.0 exclusiveMinimum cleared", {"type": "number", "minimum": 0, "exclusiveMinimum": True}, {"type": "number", "minimum": 0}, "min-decreased", "min-decreased", "3.0.3"),  # noqa: E501
    ("maxItems raised", {"type": "array", "items": {"type": "string"}, "maxItems": 2}, {"type": "array", "items": {"type": "string"}, "maxItems": 5}, "max-items-increased", "max-items-increased", "3.0.3"),  # noqa: E501
    ("minItems removed", {"type": "array", "items": {"type": "string"}, "minItems": 1}, {"type": "array", "items": {"type": "string"}}, "min-items-decreased", "min-items-decreased", "3.0.3"),  # noqa: E501
    ("pattern removed", {"type": "string", "pattern": "^[a-z]+$"}, {"type": "string"}, "pattern-removed", "pattern-removed", "3.0.3"),  # noqa: E501
    ("pattern becomes .*", {"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": ".*"}, "pattern-removed", "pattern-removed", "3.0.3"),  # noqa: E501
    ("3.0 nullable set", {"type": "string"}, {"type": "string", "nullable": True}, "became-nullable", "became-nullable", "3.0.3"),  # noqa: E501
    ("3.1 null in the type list", {"type": "string"}, {"type": ["string", "null"]}, "became-nullable", "became-nullable", "3.1.0"),  # noqa: E501
    ("3.1 anyOf with null", {"type": "string"}, {"anyOf": [{"type": "string"}, {"type": "null"}]}, "became-nullable", "became-nullable", "3.1.0"),  # noqa: E501
]  # fmt: skip

# Reversed pair -> (request rule, response rule) where it is not the same slug as forwards.
MIRROR = {
    "type-generalized": "type-changed",
    "type-changed": "type-specialized",
    "enum-value-added": "enum-value-removed",
    "max-length-increased": "max-length-decreased",
    "min-length-decreased": "min-length-increased",
    "max-increased": "max-decreased",
    "min-decreased": "min-increased",
    "max-items-increased": "max-items-decreased",
    "min-items-decreased": "min-items-increased",
    "pattern-removed": "pattern-changed",  # in a request a new pattern is a change
    "became-nullable": "became-not-nullable",
}
MIRROR_RESPONSE = {**MIRROR, "pattern-removed": "pattern-added"}


@pytest.mark.parametrize(
    ("name", "old", "new", "req", "resp", "version"), PAIRS, ids=[p[0] for p in PAIRS]
)
def test_widening_is_safe_in_requests_and_breaking_in_responses(
    name: str, old: Spec, new: Spec, req: str, resp: str, version: str
) -> None:
    """Forwards the schema widens: senders are safe, receivers may meet new values."""
    report = _diff_docs(_prop(old, version), _prop(new, version))
    reqs, resps = _sides(report)
    assert reqs == {f"request-property-{req}"}
    assert resps == {f"response-property-{resp}"}
    assert not _breaking(reqs)
    expected_resp = RULES[f"response-property-{resp}"].impact
    assert expected_resp in (Impact.BREAKING, Impact.HIGH)  # enum values: high by design
    assert report.bump == ("major" if expected_resp is Impact.BREAKING else "minor")


@pytest.mark.parametrize(
    ("name", "old", "new", "req", "resp", "version"), PAIRS, ids=[p[0] for p in PAIRS]
)
def test_narrowing_breaks_requests_and_is_safe_in_responses(
    name: str, old: Spec, new: Spec, req: str, resp: str, version: str
) -> None:
    """The same pair reversed: senders may be refused, receivers get a subset."""
    report = _diff_docs(_prop(new, version), _prop(old, version))
    reqs, resps = _sides(report)
    assert reqs == {f"request-property-{MIRROR[req]}"}
    assert resps == {f"response-property-{MIRROR_RESPONSE[resp]}"}
    assert _breaking(reqs)
    assert not _breaking(resps)
    assert report.bump == "major"


def test_incompatible_type_breaks_both_ways_and_hides_its_constraints() -> None:
    """string(maxLength) -> integer is neither wider nor narrower; the old maxLength is moot."""
    report = _diff_docs(_prop({"type": "string", "maxLength": 5}), _prop({"type": "integer"}))
    assert _sides(report) == ({"request-property-type-changed"}, {"response-property-type-changed"})


def test_required_has_direction() -> None:
    """A property made optional: fine to send, may be missing when received."""
    old = _doc({"type": "object", "required": ["v"], "properties": {"v": {"type": "string"}}})
    new = _doc({"type": "object", "properties": {"v": {"type": "string"}}})
    assert _sides(_diff_docs(old, new)) == (
        {"request-property-became-optional"},
        {"response-property-became-optional"},
    )
    assert _sides(_diff_docs(new, old)) == (
        {"request-property-became-required"},
        {"response-property-became-required"},
    )


def test_null_in_an_enum_is_nullability_not_an_enum_value() -> None:
    """3.0 nullable enums list null; adding both is one nullability change per side."""
    old = _prop({"type": "string", "enum": ["a"]})
    new = _prop({"type": "string", "enum": ["a", None], "nullable": True})
    assert _sides(_diff_docs(old, new)) == (
        {"request-property-became-nullable"},
        {"response-property-became-nullable"},
    )


def test_additional_properties_are_walked() -> None:
    """A map whose values change from integer to string is a type change under the map."""
    old = _prop({"type": "object", "additionalProperties": {"type": "integer"}})
    new = _prop({"type": "object", "additionalProperties": {"type": "string"}})
    report = _diff_docs(old, new)
    assert _sides(report) == ({"request-property-type-changed"}, {"response-property-type-changed"})
    pointers = {c.pointer for c in report.changes}
    assert "/paths/~1things/post/responses/200/content/application~1json/schema/properties/v/" \
        "additionalProperties/type" in pointers  # fmt: skip
    widened = _diff_docs(old, _prop({"type": "object", "additionalProperties": {"type": "number"}}))
    assert _sides(widened) == (
        {"request-property-type-generalized"},
        {"response-property-type-changed"},
    )
