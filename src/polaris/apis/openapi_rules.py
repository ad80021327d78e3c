"""The catalogue of OpenAPI change rules: stable ids, change types, default impacts and bumps.

Ids follow oasdiff's naming (``api-path-removed``, ``request-property-became-required``,
``response-property-removed``...) so that teams moving between the tools recognise them. Every rule
has a default :class:`Impact` that a levels file may override; the SemVer bump a change calls for is
``major`` whenever its (possibly overridden) impact is ``breaking``, else the rule's own bump.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["RULES", "SCHEMA_PREFIXES", "SCHEMA_RULE_PARTS", "Bump", "ChangeType", "Impact", "Rule"]

Bump = Literal["major", "minor", "patch", "none"]


class ChangeType(enum.StrEnum):
    """What kind of change (seed 5.2.1)."""

    ADDITION = "addition"
    MODIFICATION = "modification"
    DEPRECATION = "deprecation"
    REMOVAL = "removal"


class Impact(enum.StrEnum):
    """How hard a change hits existing clients (seed 5.2.1), lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    BREAKING = "breaking"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for breaking."""
        return _RANK[self]


_RANK: Final = {Impact.LOW: 0, Impact.MEDIUM: 1, Impact.HIGH: 2, Impact.BREAKING: 3}


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of change the differ recognises."""

    id: str
    """Stable identifier, used in levels files and JSON output."""
    change_type: ChangeType
    impact: Impact
    """Default impact; a levels file may override it."""
    bump: Bump
    """SemVer part a non-breaking change of this kind calls for."""
    area: Literal["paths", "request", "response", "security", "metadata", "graphql"]
    summary: str


_A, _M, _D, _R = (ChangeType.ADDITION, ChangeType.MODIFICATION, ChangeType.DEPRECATION,
                  ChangeType.REMOVAL)  # fmt: skip
_LOW, _MED, _HIGH, _BRK = Impact.LOW, Impact.MEDIUM, Impact.HIGH, Impact.BREAKING

_TABLE: list[tuple[str, ChangeType, Impact, Bump, str, str]] = [
    # paths and operations
    ("api-path-removed", _R, _BRK, "major", "paths", "a path and all its operations removed"),
    ("api-operation-removed", _R, _BRK, "major", "paths", "an HTTP method removed from a path"),
    ("endpoint-added", _A, _LOW, "minor", "paths", "a new operation"),
    ("endpoint-deprecated", _D, _MED, "minor", "paths", "an operation marked deprecated: true"),
    ("endpoint-reactivated", _M, _LOW, "minor", "paths", "deprecated: true taken off"),
    ("endpoint-sunset-set", _D, _MED, "minor", "paths", "an operation's x-sunset set or moved"),
    ("api-operation-id-changed", _M, _LOW, "patch", "metadata", "operationId changed"),
    ("api-description-changed", _M, _LOW, "patch", "metadata", "summary or description changed"),
    # security (seed: authentication_changed)
    ("api-security-added", _M, _BRK, "major", "security", "authentication now required"),
    ("api-security-changed", _M, _BRK, "major", "security", "security requirements changed"),
    ("api-security-removed", _M, _MED, "minor", "security", "authentication no longer required"),
    # request parameters
    ("new-required-request-parameter", _A, _BRK, "major", "request", "new required parameter"),
    ("new-optional-request-parameter", _A, _LOW, "minor", "request", "new optional parameter"),
    ("request-parameter-removed", _R, _MED, "minor", "request", "a parameter no longer read"),
    ("request-parameter-became-required", _M, _BRK, "major", "request", "parameter now required"),
    ("request-parameter-became-optional", _M, _LOW, "minor", "request", "parameter now optional"),
    ("request-parameter-location-changed", _M, _BRK, "major", "request", "parameter moved"),
    ("request-parameter-deprecated", _D, _LOW, "minor", "request", "parameter deprecated"),
    # request bodies
    ("new-required-request-body", _A, _BRK, "major", "request", "a required request body added"),
    ("new-optional-request-body", _A, _LOW, "minor", "request", "an optional request body added"),
    ("request-body-became-required", _M, _BRK, "major", "request", "request body now required"),
    ("request-body-media-type-removed", _R, _BRK, "major", "request", "request media type gone"),
    ("request-body-media-type-added", _A, _LOW, "minor", "request", "request media type added"),
    ("new-required-request-property", _A, _BRK, "major", "request", "new required property"),
    ("new-optional-request-property", _A, _LOW, "minor", "request", "new optional property"),
    ("request-property-removed", _R, _MED, "minor", "request", "a property no longer read"),
    ("request-property-became-required", _M, _BRK, "major", "request", "property now required"),
    ("request-property-became-optional", _M, _LOW, "minor", "request", "property now optional"),
    # responses
    ("response-success-status-removed", _R, _BRK, "major", "response", "2xx status removed"),
    ("response-non-success-status-removed", _R, _HIGH, "minor", "response", "status removed"),
    ("response-status-added", _A, _LOW, "minor", "response", "response status added"),
    ("response-media-type-removed", _R, _BRK, "major", "response", "response media type gone"),
    ("response-media-type-added", _A, _LOW, "minor", "response", "response media type added"),
    ("response-property-removed", _R, _BRK, "major", "response", "a response property removed"),
    ("response-property-became-optional", _M, _BRK, "major", "response", "property may be absent"),
    ("response-property-became-required", _M, _LOW, "patch", "response", "property always sent"),
    ("response-property-added", _A, _LOW, "minor", "response", "a response property added"),
]

_TABLE += [
    # security: a client keeps working when one of the new alternatives asks no more of it
    ("api-security-scope-added", _M, _BRK, "major", "security", "a required scope added"),
    ("api-security-scope-removed", _M, _LOW, "minor", "security", "fewer scopes required"),
    ("api-security-relaxed", _M, _LOW, "minor", "security", "a new way to authenticate"),
    # response headers (names compared case-insensitively)
    ("response-required-header-removed", _R, _BRK, "major", "response", "required header gone"),
    ("response-optional-header-removed", _R, _MED, "minor", "response", "optional header gone"),
    ("response-header-became-optional", _M, _BRK, "major", "response", "header may be absent"),
    ("response-header-became-required", _M, _LOW, "patch", "response", "header always sent"),
    ("response-header-added", _A, _LOW, "minor", "response", "a response header added"),
]

#: A request rule's or a response rule's (impact, bump); None: the check has no such variant.
_Level = tuple[Impact, Bump] | None
_REQ_BRK: Final[_Level] = (_BRK, "major")
_REQ_OK: Final[_Level] = (_LOW, "minor")
_RESP_OK: Final[_Level] = (_LOW, "patch")

# Per-schema rules, one per subject: request parameters and properties take the request level,
# response properties and headers the response one. Widening what a request accepts is safe and
# narrowing it breaks senders; a response is the reverse (receivers meet values they never saw).
_SCHEMA_RULES: list[tuple[str, ChangeType, _Level, _Level, str]] = [
    ("type-changed", _M, _REQ_BRK, _REQ_BRK, "type or format changed the way that breaks"),
    ("type-generalized", _M, _REQ_OK, None, "type or format widened (integer -> number...)"),
    ("type-specialized", _M, None, _RESP_OK, "type or format narrowed (number -> integer...)"),
    ("became-nullable", _M, _REQ_OK, _REQ_BRK, "null now allowed"),
    ("became-not-nullable", _M, _REQ_BRK, _RESP_OK, "null no longer allowed"),
    ("enum-value-removed", _R, _REQ_BRK, _RESP_OK, "enum value removed (or an enum set)"),
    # Clients that switch over an enum may not handle a value they have never seen.
    ("enum-value-added", _A, _REQ_OK, (_HIGH, "minor"), "enum value added (or the enum dropped)"),
    ("max-length-decreased", _M, _REQ_BRK, _RESP_OK, "maxLength set or lowered"),
    ("max-length-increased", _M, _REQ_OK, _REQ_BRK, "maxLength raised or removed"),
    ("min-length-increased", _M, _REQ_BRK, _RESP_OK, "minLength set or raised"),
    ("min-length-decreased", _M, _REQ_OK, _REQ_BRK, "minLength lowered or removed"),
    ("max-decreased", _M, _REQ_BRK, _RESP_OK, "maximum set or lowered"),
    ("max-increased", _M, _REQ_OK, _REQ_BRK, "maximum raised or removed"),
    ("min-increased", _M, _REQ_BRK, _RESP_OK, "minimum set or raised"),
    ("min-decreased", _M, _REQ_OK, _REQ_BRK, "minimum lowered or removed"),
    ("max-items-decreased", _M, _REQ_BRK, _RESP_OK, "maxItems set or lowered"),
    ("max-items-increased", _M, _REQ_OK, _REQ_BRK, "maxItems raised or removed"),
    ("min-items-increased", _M, _REQ_BRK, _RESP_OK, "minItems set or raised"),
    ("min-items-decreased", _M, _REQ_OK, _REQ_BRK, "minItems lowered or removed"),
    # A changed pattern cannot be proved wider, so it counts as a narrowing in a request and a
    # widening in a response; in a request a new pattern is a change from "any string".
    ("pattern-changed", _M, _REQ_BRK, _REQ_BRK, "pattern changed (in a request: or added)"),
    ("pattern-added", _M, None, _RESP_OK, "pattern added"),
    ("pattern-removed", _M, _REQ_OK, _REQ_BRK, "pattern removed"),
    ("one-of-removed", _R, _REQ_BRK, _RESP_OK, "a oneOf alternative removed"),
    ("one-of-added", _A, _REQ_OK, _REQ_BRK, "a oneOf alternative added"),
    ("any-of-removed", _R, _REQ_BRK, _RESP_OK, "an anyOf alternative removed"),
    ("any-of-added", _A, _REQ_OK, _REQ_BRK, "an anyOf alternative added"),
]

#: The subjects of per-schema rules: ``request-parameter-type-changed``...
SCHEMA_PREFIXES: Final = {
    "request-parameter": "request",
    "request-property": "request",
    "response-property": "response",
    "response-header": "response",
}
#: Per-schema rule id -> (prefix, slug), so tests and docs can group the families.
SCHEMA_RULE_PARTS: Final[dict[str, tuple[str, str]]] = {}
for _prefix, _direction in SCHEMA_PREFIXES.items():
    for _slug, _t, _req, _resp, _s in _SCHEMA_RULES:
        _level = _req if _direction == "request" else _resp
        if _level is None:
            continue
        _rid = f"{_prefix}-{_slug}"
        _TABLE.append((_rid, _t, _level[0], _level[1], _direction, f"{_direction} {_s}"))
        SCHEMA_RULE_PARTS[_rid] = (_prefix, _slug)

# GraphQL SDL (polaris.apis.graphql_diff): graphql-core's breaking and dangerous changes, plus
# the safe ones it does not list (additions, deprecations, descriptions), on the same scale.
_GRAPHQL: list[tuple[str, ChangeType, Impact, Bump, str]] = [
    ("graphql-type-removed", _R, _BRK, "major", "a type removed"),
    ("graphql-type-kind-changed", _M, _BRK, "major", "a type changed kind"),
    ("graphql-union-member-removed", _R, _BRK, "major", "a type left a union"),
    ("graphql-enum-value-removed", _R, _BRK, "major", "an enum value removed"),
    ("graphql-required-input-field-added", _A, _BRK, "major", "new required input"),
    ("graphql-interface-removed", _R, _BRK, "major", "interface dropped"),
    ("graphql-field-removed", _R, _BRK, "major", "a field removed"),
    ("graphql-field-type-changed", _M, _BRK, "major", "field type changed"),
    ("graphql-required-argument-added", _A, _BRK, "major", "new required argument"),
    ("graphql-argument-removed", _R, _BRK, "major", "an argument removed"),
    ("graphql-argument-type-changed", _M, _BRK, "major", "argument type changed"),
    ("graphql-directive-removed", _R, _BRK, "major", "a directive removed"),
    ("graphql-directive-argument-removed", _R, _BRK, "major", "directive argument gone"),
    ("graphql-required-directive-argument-added", _A, _BRK, "major", "new required argument"),
    ("graphql-directive-repeatable-removed", _M, _BRK, "major", "no longer repeatable"),
    ("graphql-directive-location-removed", _R, _BRK, "major", "location removed"),
    # dangerous in graphql-core: clients may meet what they never saw
    ("graphql-enum-value-added", _A, _HIGH, "minor", "an enum value added"),
    ("graphql-union-member-added", _A, _HIGH, "minor", "a type added to a union"),
    ("graphql-interface-added", _A, _MED, "minor", "an interface newly implemented"),
    ("graphql-argument-default-changed", _M, _MED, "minor", "argument default changed"),
    ("graphql-input-field-default-changed", _M, _MED, "minor", "input default changed"),
    ("graphql-optional-input-field-added", _A, _LOW, "minor", "new optional input field"),
    ("graphql-optional-argument-added", _A, _LOW, "minor", "new optional argument"),
    # change types of a graphql-core newer than these rules
    ("graphql-breaking-change", _M, _BRK, "major", "another breaking change"),
    ("graphql-dangerous-change", _M, _HIGH, "minor", "another dangerous change"),
    # safe changes graphql-core does not list
    ("graphql-type-added", _A, _LOW, "minor", "a type added"),
    ("graphql-field-added", _A, _LOW, "minor", "a field added"),
    ("graphql-directive-added", _A, _LOW, "minor", "a directive added"),
    ("graphql-field-type-narrowed", _M, _LOW, "patch", "String -> String!"),
    ("graphql-argument-type-widened", _M, _LOW, "minor", "Int! -> Int (arg/input)"),
    ("graphql-field-deprecated", _D, _MED, "minor", "a field or argument deprecated"),
    ("graphql-enum-value-deprecated", _D, _MED, "minor", "an enum value deprecated"),
    ("graphql-description-changed", _M, _LOW, "patch", "a description changed"),
]  # fmt: skip
_TABLE += [(rid, t, i, b, "graphql", f"GraphQL: {s}") for rid, t, i, b, s in _GRAPHQL]

#: Every rule, by id.
RULES: Final[dict[str, Rule]] = {
    rid: Rule(rid, ctype, impact, bump, area, summary)  # type: ignore[arg-type]
    for rid, ctype, impact, bump, area, summary in _TABLE
}
