"""Every OpenAPI change rule fires alone on a minimal spec pair; harmless edits stay harmless."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from polaris.apis.openapi_diff import (
    ChangeType,
    DiffReport,
    Impact,
    check_levels,
    diff_openapi,
)
from polaris.apis.openapi_loader import resolve_refs, validate_openapi
from polaris.apis.openapi_rules import RULES, SCHEMA_PREFIXES, SCHEMA_RULE_PARTS
from polaris.core.errors import InvalidInput
from polaris.core.semver import Version

Spec = dict[str, Any]
Edit = Callable[[Spec], None]


def base() -> Spec:
    """A small but complete API: two paths, parameters, a body, shared recursive schemas."""
    ok = {"description": "ok"}
    item_json = {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "get": {
                    "operationId": "listItems",
                    "summary": "List",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 50}}
                    ],
                    "responses": {"200": {**ok, "content": copy.deepcopy(item_json)}},
                },
                "post": {
                    "operationId": "createItem",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}
                        }
                    },
                    "responses": {"201": {"description": "created"}},
                },
            },
            "/items/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {
                    "operationId": "getItem",
                    "responses": {
                        "200": {**ok, "content": copy.deepcopy(item_json)},
                        "404": {"description": "missing"},
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://auth.example/token",
                            "scopes": {"r": "", "w": ""},
                        }
                    },
                },
            },
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "kind"],
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "note": {"type": "string"},
                        "child": {"$ref": "#/components/schemas/Item"},
                    },
                },
                "NewItem": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 100,
                            "pattern": "^[a-z]+$",
                        },
                        "size": {"type": "integer", "minimum": 0, "maximum": 10},
                        "tags": {
                            "type": "array",
                            "items": {"type": "string"},
                            "minItems": 0,
                            "maxItems": 5,
                        },
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "opt": {"type": "string"},
                        "server_id": {"type": "string", "readOnly": True},
                    },
                },
            },
        },
    }


def _get(s: Spec) -> Spec:
    return s["paths"]["/items"]["get"]  # type: ignore[no-any-return]


def _post(s: Spec) -> Spec:
    return s["paths"]["/items"]["post"]  # type: ignore[no-any-return]


def _q(s: Spec) -> Spec:
    return _get(s)["parameters"][0]  # type: ignore[no-any-return]


def _new(s: Spec) -> Spec:
    return s["components"]["schemas"]["NewItem"]  # type: ignore[no-any-return]


def _newp(s: Spec, name: str) -> Spec:
    return _new(s)["properties"][name]  # type: ignore[no-any-return]


def _item(s: Spec) -> Spec:
    return s["components"]["schemas"]["Item"]  # type: ignore[no-any-return]


def _body(s: Spec) -> Spec:
    return _post(s)["requestBody"]  # type: ignore[no-any-return]


def _resp200(s: Spec) -> Spec:
    return s["paths"]["/items/{id}"]["get"]["responses"]["200"]  # type: ignore[no-any-return]


def _noop(_: Spec) -> None:
    return None


def _set(getter: Callable[[Spec], Spec], key: str, value: Any) -> Edit:
    def edit(s: Spec) -> None:
        getter(s)[key] = copy.deepcopy(value)

    return edit


def _delete(getter: Callable[[Spec], Spec], key: str) -> Edit:
    def edit(s: Spec) -> None:
        del getter(s)[key]

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(s: Spec) -> None:
        for e in edits:
            e(s)

    return edit


def _add_param(param: Spec) -> Edit:
    return lambda s: _get(s)["parameters"].append(copy.deepcopy(param))


def _diff(old_edit: Edit, new_edit: Edit, **kw: Any) -> DiffReport:
    old, new = base(), base()
    old_edit(old)
    new_edit(new)
    for doc in (old, new):
        validate_openapi(doc)
        resolve_refs(doc)
    return diff_openapi(old, new, **kw)


# (rule id, edit of the old spec, edit of the new spec)
CASES: list[tuple[str, Edit, Edit]] = [
    ("api-path-removed", _noop, _delete(lambda s: s["paths"], "/items/{id}")),
    ("api-operation-removed", _noop, _delete(lambda s: s["paths"]["/items"], "post")),
    (
        "endpoint-added",
        _noop,
        _set(lambda s: s["paths"]["/items"], "delete", {"responses": {"204": {"description": ""}}}),
    ),
    ("endpoint-deprecated", _noop, _set(_get, "deprecated", True)),
    ("endpoint-reactivated", _set(_get, "deprecated", True), _noop),
    ("endpoint-sunset-set", _noop, _set(_get, "x-sunset", "2027-01-01")),
    ("api-operation-id-changed", _noop, _set(_get, "operationId", "listAll")),
    ("api-description-changed", _noop, _set(_get, "summary", "List them all")),
    ("api-security-added", _noop, _set(_get, "security", [{"key": []}])),
    ("api-security-changed", _set(_get, "security", [{"key": []}]), _set(_get, "security", [{"bearer": []}])),  # noqa: E501
    ("api-security-removed", _set(_get, "security", [{"key": []}]), _noop),
    ("api-security-scope-added", _set(_get, "security", [{"oauth": ["r"]}]), _set(_get, "security", [{"oauth": ["r", "w"]}])),  # noqa: E501
    ("api-security-scope-removed", _set(_get, "security", [{"oauth": ["r", "w"]}]), _set(_get, "security", [{"oauth": ["w"]}])),  # noqa: E501
    ("api-security-relaxed", _set(_get, "security", [{"key": []}]), _set(_get, "security", [{"key": []}, {"bearer": []}])),  # noqa: E501
    ("response-required-header-removed", _set(_resp200, "headers", {"ETag": {"required": True, "schema": {"type": "string"}}}), _noop),  # noqa: E501
    ("response-optional-header-removed", _set(_resp200, "headers", {"ETag": {"schema": {"type": "string"}}}), _noop),  # noqa: E501
    ("response-header-added", _noop, _set(_resp200, "headers", {"ETag": {"schema": {"type": "string"}}})),  # noqa: E501
    ("response-header-became-optional", _set(_resp200, "headers", {"ETag": {"required": True, "schema": {"type": "string"}}}), _set(_resp200, "headers", {"ETag": {"schema": {"type": "string"}}})),  # noqa: E501
    ("response-header-became-required", _set(_resp200, "headers", {"ETag": {"schema": {"type": "string"}}}), _set(_resp200, "headers", {"ETag": {"required": True, "schema": {"type": "string"}}})),  # noqa: E501
    ("response-header-type-changed", _set(_resp200, "headers", {"ETag": {"schema": {"type": "string"}}}), _set(_resp200, "headers", {"ETag": {"schema": {"type": "integer"}}})),  # noqa: E501
    ("request-parameter-type-generalized", _set(_q, "schema", {"type": "integer"}), _set(_q, "schema", {"type": "number"})),  # noqa: E501
    ("request-parameter-became-not-nullable", _set(lambda s: _q(s)["schema"], "nullable", True), _noop),  # noqa: E501
    ("request-property-one-of-removed", _set(lambda s: _new(s)["properties"], "opt", {"oneOf": [{"type": "string"}, {"type": "integer"}]}), _set(lambda s: _new(s)["properties"], "opt", {"oneOf": [{"type": "integer"}]})),  # noqa: E501
    ("response-property-any-of-added", _set(lambda s: _item(s)["properties"], "note", {"anyOf": [{"type": "string"}]}), _set(lambda s: _item(s)["properties"], "note", {"anyOf": [{"type": "integer"}, {"type": "string"}]})),  # noqa: E501
    ("new-required-request-parameter", _noop, _add_param({"name": "r", "in": "query", "required": True, "schema": {"type": "string"}})),  # noqa: E501
    ("new-optional-request-parameter", _noop, _add_param({"name": "r", "in": "query", "schema": {"type": "string"}})),  # noqa: E501
    ("request-parameter-removed", _noop, _set(_get, "parameters", [])),
    ("request-parameter-became-required", _noop, _set(_q, "required", True)),
    ("request-parameter-became-optional", _set(_q, "required", True), _noop),
    ("request-parameter-location-changed", _noop, _set(_q, "in", "header")),
    ("request-parameter-deprecated", _noop, _set(_q, "deprecated", True)),
    ("request-parameter-type-changed", _noop, _set(_q, "schema", {"type": "integer"})),
    ("request-parameter-max-length-decreased", _noop, _set(lambda s: _q(s)["schema"], "maxLength", 10)),  # noqa: E501
    ("request-parameter-min-length-increased", _noop, _set(lambda s: _q(s)["schema"], "minLength", 3)),  # noqa: E501
    ("request-parameter-pattern-changed", _noop, _set(lambda s: _q(s)["schema"], "pattern", "^x")),
    ("request-parameter-enum-value-removed", _set(lambda s: _q(s)["schema"], "enum", ["a", "b"]), _set(lambda s: _q(s)["schema"], "enum", ["a"])),  # noqa: E501
    ("request-parameter-enum-value-added", _set(lambda s: _q(s)["schema"], "enum", ["a"]), _set(lambda s: _q(s)["schema"], "enum", ["a", "b"])),  # noqa: E501
    ("new-required-request-body", _delete(_post, "requestBody"), _set(_body, "required", True)),
    ("new-optional-request-body", _delete(_post, "requestBody"), _noop),
    ("request-body-became-required", _noop, _set(_body, "required", True)),
    ("request-body-media-type-removed", _set(lambda s: _body(s)["content"], "text/plain", {}), _noop),  # noqa: E501
    ("request-body-media-type-added", _noop, _set(lambda s: _body(s)["content"], "text/plain", {})),
    # Breaking even with a default: old clients do not send it.
    ("new-required-request-property", _noop, _both(_set(lambda s: _new(s)["properties"], "x", {"type": "string", "default": "d"}), lambda s: _new(s)["required"].append("x"))),  # noqa: E501
    ("new-optional-request-property", _noop, _set(lambda s: _new(s)["properties"], "x", {"type": "string"})),  # noqa: E501
    ("request-property-removed", _noop, _delete(lambda s: _new(s)["properties"], "opt")),
    ("request-property-became-required", _noop, lambda s: _new(s)["required"].append("opt")),
    ("request-property-became-optional", lambda s: _new(s)["required"].append("opt"), _noop),
    ("request-property-type-changed", _noop, _set(lambda s: _newp(s, "size"), "type", "string")),
    ("request-property-type-changed", _noop, _set(lambda s: _newp(s, "size"), "format", "int64")),
    ("request-property-enum-value-removed", _noop, _set(lambda s: _newp(s, "kind"), "enum", ["a"])),
    ("request-property-enum-value-added", _noop, _set(lambda s: _newp(s, "kind"), "enum", ["a", "b", "c"])),  # noqa: E501
    ("request-property-max-length-decreased", _noop, _set(lambda s: _newp(s, "name"), "maxLength", 50)),  # noqa: E501
    ("request-property-min-length-increased", _noop, _set(lambda s: _newp(s, "name"), "minLength", 2)),  # noqa: E501
    ("request-property-max-decreased", _noop, _set(lambda s: _newp(s, "size"), "maximum", 5)),
    ("request-property-min-increased", _noop, _set(lambda s: _newp(s, "size"), "minimum", 1)),
    ("request-property-max-items-decreased", _noop, _set(lambda s: _newp(s, "tags"), "maxItems", 3)),  # noqa: E501
    ("request-property-min-items-increased", _noop, _set(lambda s: _newp(s, "tags"), "minItems", 1)),  # noqa: E501
    ("request-property-pattern-changed", _noop, _set(lambda s: _newp(s, "name"), "pattern", "^[a-z]{2,}$")),  # noqa: E501
    ("response-success-status-removed", _noop, _delete(lambda s: s["paths"]["/items/{id}"]["get"]["responses"], "200")),  # noqa: E501
    ("response-non-success-status-removed", _noop, _delete(lambda s: s["paths"]["/items/{id}"]["get"]["responses"], "404")),  # noqa: E501
    ("response-status-added", _noop, _set(lambda s: s["paths"]["/items/{id}"]["get"]["responses"], "500", {"description": "boom"})),  # noqa: E501
    ("response-media-type-removed", _set(lambda s: _resp200(s)["content"], "text/csv", {}), _noop),
    ("response-media-type-added", _noop, _set(lambda s: _resp200(s)["content"], "text/csv", {})),
    ("response-property-removed", _noop, _delete(lambda s: _item(s)["properties"], "note")),
    ("response-property-became-optional", _noop, _set(_item, "required", ["id"])),
    ("response-property-became-required", _noop, _set(_item, "required", ["id", "kind", "note"])),
    ("response-property-added", _noop, _set(lambda s: _item(s)["properties"], "extra", {"type": "string"})),  # noqa: E501
    ("response-property-type-changed", _noop, _set(lambda s: _item(s)["properties"]["id"], "type", "string")),  # noqa: E501
    ("response-property-enum-value-added", _noop, _set(lambda s: _item(s)["properties"]["kind"], "enum", ["a", "b", "c"])),  # noqa: E501
    ("response-property-enum-value-removed", _noop, _set(lambda s: _item(s)["properties"]["kind"], "enum", ["a"])),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(("rule", "old_edit", "new_edit"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_alone(rule: str, old_edit: Edit, new_edit: Edit) -> None:
    """The minimal edit produces exactly its rule, with the rule's impact and a pointer."""
    report = _diff(old_edit, new_edit)
    assert {c.rule for c in report.changes} == {rule}
    expected = RULES[rule]
    for change in report.changes:
        assert change.impact is expected.impact
        assert change.change_type is expected.change_type
        assert change.pointer.startswith("/paths/")
    if expected.impact is Impact.BREAKING:
        assert report.bump == "major"
    else:
        assert report.bump == expected.bump


def test_every_rule_has_a_case() -> None:
    """No rule in the catalogue goes untested: each fires alone here, or (per-schema rules) a
    rule of the same check and direction does, here or in test_openapi_directions/issue19."""
    from tests.apis.test_openapi_directions import MIRROR, MIRROR_RESPONSE, PAIRS

    tested = {c[0] for c in CASES}
    covered = {(SCHEMA_PREFIXES[SCHEMA_RULE_PARTS[r][0]], SCHEMA_RULE_PARTS[r][1]) for r in tested
               if r in SCHEMA_RULE_PARTS}  # fmt: skip
    for _, _, _, req, resp, _ in PAIRS:
        covered |= {("request", req), ("response", resp)}
        covered |= {("request", MIRROR[req]), ("response", MIRROR_RESPONSE[resp])}
    covered |= {
        (d, f"{c}-{a}")
        for d in ("request", "response")
        for c in ("one-of", "any-of")
        for a in ("added", "removed")
    }  # fmt: skip  (test_openapi_issue19)
    covered |= {("response", "type-specialized"), ("response", "pattern-changed")}  # issue19
    untested = {
        r for r in set(RULES) - tested
        if not r.startswith("graphql-")  # test_graphql_diff
        if r not in SCHEMA_RULE_PARTS
        or (SCHEMA_PREFIXES[SCHEMA_RULE_PARTS[r][0]], SCHEMA_RULE_PARTS[r][1]) not in covered
    }  # fmt: skip
    assert untested == set()


def test_pointer_and_operation_name_the_change() -> None:
    """A required property added through a $ref is located through the operation."""
    report = _diff(_noop, lambda s: _new(s)["required"].append("opt"))
    (change,) = report.changes
    assert change.operation == "POST /items"
    assert change.pointer == (
        "/paths/~1items/post/requestBody/content/application~1json/schema/properties/opt"
    )


def test_shared_schema_change_is_reported_per_operation() -> None:
    """Item is returned by two operations: both are told."""
    report = _diff(_noop, _delete(lambda s: _item(s)["properties"], "note"))
    assert {c.operation for c in report.changes} == {"GET /items", "GET /items/{id}"}


NON_BREAKING: list[tuple[str, Edit, Edit]] = [
    ("nothing", _noop, _noop),
    ("loosen request maxLength", _noop, _set(lambda s: _newp(s, "name"), "maxLength", 500)),
    ("loosen request minimum", _noop, _set(lambda s: _newp(s, "size"), "minimum", -5)),
    ("drop request pattern", _noop, _delete(lambda s: _newp(s, "name"), "pattern")),
    ("tighten response maxLength", _noop, _set(lambda s: _item(s)["properties"]["note"], "maxLength", 5)),  # noqa: E501
    ("rename path template", _noop, lambda s: s["paths"].__setitem__("/items/{itemId}", {**s["paths"].pop("/items/{id}"), "parameters": [{"name": "itemId", "in": "path", "required": True, "schema": {"type": "integer"}}]})),  # noqa: E501
    ("inline a $ref", _noop, lambda s: _post(s)["requestBody"]["content"]["application/json"].__setitem__("schema", _inline_new(s))),  # noqa: E501
    ("new required readOnly property", _noop, _both(_set(lambda s: _new(s)["properties"], "created", {"type": "string", "readOnly": True}), lambda s: _new(s)["required"].append("created"))),  # noqa: E501
    ("drop readOnly property from request", _noop, _delete(lambda s: _new(s)["properties"], "server_id")),  # noqa: E501
    ("reorder parameters", _add_param({"name": "r", "in": "query", "schema": {"type": "string"}}), lambda s: _get(s)["parameters"].insert(0, {"name": "r", "in": "query", "schema": {"type": "string"}})),  # noqa: E501
    ("description of a schema", _noop, _set(_item, "description", "An item")),
    ("header name case", _add_param({"name": "X-Trace", "in": "header", "schema": {"type": "string"}}), _add_param({"name": "x-trace", "in": "header", "schema": {"type": "string"}})),  # noqa: E501
    ("example added", _noop, _set(lambda s: _newp(s, "name"), "example", "abc")),
]  # fmt: skip


def _inline_new(s: Spec) -> Spec:
    return copy.deepcopy(_new(s))


@pytest.mark.parametrize(
    ("name", "old_edit", "new_edit"), NON_BREAKING, ids=[c[0] for c in NON_BREAKING]
)
def test_harmless_edits_stay_harmless(name: str, old_edit: Edit, new_edit: Edit) -> None:
    """Edits that cannot break a client produce no medium-or-worse change and no major bump."""
    report = _diff(old_edit, new_edit)
    assert not report.meets(Impact.MEDIUM), [c.rule for c in report.changes]
    assert report.bump in ("none", "patch", "minor")


def test_recursive_schema_change_terminates_and_reports_shortest_path() -> None:
    """Item.child is an Item: a change deep in it is reported once per operation, at depth 1."""
    report = _diff(_noop, _set(lambda s: _item(s)["properties"]["id"], "type", "string"))
    pointers = {c.pointer for c in report.changes if c.operation == "GET /items"}
    assert pointers == {
        "/paths/~1items/get/responses/200/content/application~1json/schema/properties/id/type"
    }


def test_all_of_members_are_merged() -> None:
    """A property removed from an allOf part counts as removed from the schema."""

    def wrap(s: Spec) -> None:
        item = _item(s)
        s["components"]["schemas"]["Item"] = {"allOf": [{"type": "object", **item}]}

    report = _diff(wrap, _both(wrap, lambda s: _item(s)["allOf"][0]["properties"].pop("note")))
    assert {c.rule for c in report.changes} == {"response-property-removed"}


def test_openapi_31_type_lists_and_null() -> None:
    """3.1 `type: [string, "null"]` is `type: string` plus nullability: no type change, but a
    response that may now hold null (test_openapi_directions has both directions)."""

    def v31(s: Spec) -> None:
        s["openapi"] = "3.1.0"

    report = _diff(
        v31, _both(v31, _set(lambda s: _item(s)["properties"]["note"], "type", ["string", "null"]))
    )
    assert {c.rule for c in report.changes} == {"response-property-became-nullable"}


class TestLevels:
    """Severity overrides."""

    def test_override_raises_impact_and_bump(self) -> None:
        """A low rule made breaking turns the bump into major and trips --fail-on breaking."""
        levels = check_levels({"response-property-added": "breaking"})
        report = _diff(
            _noop, _set(lambda s: _item(s)["properties"], "x", {"type": "string"}), levels=levels
        )
        assert report.bump == "major"
        assert report.meets(Impact.BREAKING)

    def test_none_drops_the_rule(self) -> None:
        """`none` removes the change altogether."""
        levels = check_levels({"response-property-removed": "none"})
        report = _diff(_noop, _delete(lambda s: _item(s)["properties"], "note"), levels=levels)
        assert report.changes == ()
        assert report.bump == "none"

    def test_unknown_rule_is_refused(self) -> None:
        """A typo in a levels file is an error naming the id."""
        with pytest.raises(InvalidInput, match="unknown rule id 'response-propery-removed'"):
            check_levels({"response-propery-removed": "low"}, source="levels.yaml")

    def test_unknown_level_is_refused(self) -> None:
        """Levels are low, medium, high, breaking or none."""
        with pytest.raises(InvalidInput, match="unknown level 'fatal'"):
            check_levels({"response-property-removed": "fatal"})


class TestReport:
    """Bump arithmetic and thresholds."""

    def test_next_version(self) -> None:
        """A breaking change on 2.1.0 gives 3.0.0; an addition gives 2.2.0; nothing keeps it."""
        breaking = _diff(_noop, _delete(lambda s: s["paths"], "/items/{id}"))
        minor = _diff(_noop, _set(lambda s: _item(s)["properties"], "x", {"type": "string"}))
        none = _diff(_noop, _noop)
        current = Version.parse("2.1.0")
        assert str(breaking.next_version(current)) == "3.0.0"
        assert str(minor.next_version(current)) == "2.2.0"
        assert none.next_version(current) == current

    def test_thresholds(self) -> None:
        """A high-impact change meets high and medium but not breaking."""
        report = _diff(
            _noop, _set(lambda s: _item(s)["properties"]["kind"], "enum", ["a", "b", "c"])
        )
        assert report.meets(Impact.HIGH)
        assert report.meets(Impact.MEDIUM)
        assert not report.meets(Impact.BREAKING)
        assert report.worst is Impact.HIGH

    def test_change_types_follow_the_seed(self) -> None:
        """Removals are removals, deprecations deprecations."""
        assert RULES["api-path-removed"].change_type is ChangeType.REMOVAL
        assert RULES["endpoint-deprecated"].change_type is ChangeType.DEPRECATION
        assert RULES["endpoint-added"].change_type is ChangeType.ADDITION


def test_change_inside_a_cycle_reaches_every_entry_point() -> None:
    """A <-> B: a change in A is seen from an operation returning A and one returning B."""

    def cyc(s: Spec) -> None:
        schemas = s["components"]["schemas"]
        schemas["A"] = {"type": "object", "properties": {
            "x": {"type": "string"}, "b": {"$ref": "#/components/schemas/B"}}}  # fmt: skip
        schemas["B"] = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
        for name, path in (("A", "/a"), ("B", "/b")):
            content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
            s["paths"][path] = {
                "get": {"responses": {"200": {"description": "ok", "content": content}}}
            }

    report = _diff(
        cyc, _both(cyc, lambda s: s["components"]["schemas"]["A"]["properties"].pop("x"))
    )
    where = {c.operation: c.pointer for c in report.changes}
    base = "/responses/200/content/application~1json/schema"
    assert where == {
        "GET /a": f"/paths/~1a/get{base}/properties/x",
        "GET /b": f"/paths/~1b/get{base}/properties/a/properties/x",
    }


# -- properties over random schema graphs (cycles included) ------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Each schema: a list of properties, each either a primitive (None) or a reference to a schema.
_graphs = st.integers(1, 6).flatmap(
    lambda n: st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, n - 1)), min_size=1, max_size=4),
        min_size=n,
        max_size=n,
    )
)


def _graph_doc(graph: list[list[int | None]]) -> Spec:
    schemas: Spec = {}
    paths: Spec = {}
    for i, props in enumerate(graph):
        schemas[f"S{i}"] = {
            "type": "object",
            "properties": {
                f"p{j}": {"type": "string"} if t is None else {"$ref": f"#/components/schemas/S{t}"}
                for j, t in enumerate(props)
            },
        }
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/S{i}"}}}
        paths[f"/s{i}"] = {"get": {"responses": {"200": {"description": "", "content": content}}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas}}  # fmt: skip


def _reaches(graph: list[list[int | None]], start: int, goal: int) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(t for t in graph[node] if t is not None)
    return False


@settings(max_examples=300, deadline=None)
@given(graph=_graphs, data=st.data())
def test_random_graphs(graph: list[list[int | None]], data: st.DataObject) -> None:
    """Identical documents differ in nothing; a removed property is reported by exactly the
    operations whose schema reaches it, once each, whatever the cycles."""
    same = diff_openapi(resolve_refs(_graph_doc(graph)), resolve_refs(_graph_doc(graph)))
    assert same.changes == ()
    target = data.draw(st.integers(0, len(graph) - 1))
    prop = data.draw(st.integers(0, len(graph[target]) - 1))
    new = _graph_doc(graph)
    del new["components"]["schemas"][f"S{target}"]["properties"][f"p{prop}"]
    report = diff_openapi(resolve_refs(_graph_doc(graph)), resolve_refs(new))
    assert {c.rule for c in report.changes} <= {"response-property-removed"}
    ops = [c.operation for c in report.changes]
    expected = {f"GET /s{i}" for i in range(len(graph)) if _reaches(graph, i, target)}
    assert sorted(ops) == sorted(expected)
