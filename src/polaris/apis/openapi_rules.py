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

__all__ = ["RULES", "Bump", "ChangeType", "Impact", "Rule"]

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
    area: Literal["paths", "request", "response", "security", "metadata"]
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

# Per-schema rules exist for request parameters, request properties and response properties.
_SCHEMA_RULES: list[tuple[str, ChangeType, Impact, Bump, str]] = [
    ("type-changed", _M, _BRK, "major", "type or format changed"),
    ("enum-value-removed", _R, _BRK, "major", "an accepted enum value removed"),
    ("enum-value-added", _A, _LOW, "minor", "an enum value added"),
    ("max-length-decreased", _M, _BRK, "major", "maxLength set or lowered"),
    ("min-length-increased", _M, _BRK, "major", "minLength set or raised"),
    ("max-decreased", _M, _BRK, "major", "maximum set or lowered"),
    ("min-increased", _M, _BRK, "major", "minimum set or raised"),
    ("max-items-decreased", _M, _BRK, "major", "maxItems set or lowered"),
    ("min-items-increased", _M, _BRK, "major", "minItems set or raised"),
    ("pattern-changed", _M, _BRK, "major", "pattern added or changed"),
]
for _subject in ("parameter", "property"):
    for _slug, _t, _i, _b, _s in _SCHEMA_RULES:
        _TABLE.append((f"request-{_subject}-{_slug}", _t, _i, _b, "request", f"request {_s}"))
_TABLE += [
    ("response-property-type-changed", _M, _BRK, "major", "response", "type or format changed"),
    # Clients that switch over an enum may not handle a value they have never seen.
    ("response-property-enum-value-added", _A, _HIGH, "minor", "response", "new enum value sent"),
    (
        "response-property-enum-value-removed",
        _R,
        _LOW,
        "patch",
        "response",
        "enum value no longer sent",
    ),
]

#: Every rule, by id.
RULES: Final[dict[str, Rule]] = {
    rid: Rule(rid, ctype, impact, bump, area, summary)  # type: ignore[arg-type]
    for rid, ctype, impact, bump, area, summary in _TABLE
}
