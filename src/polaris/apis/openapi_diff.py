"""Breaking-change detection between two OpenAPI 3.0/3.1 documents.

The input is two *resolved* documents (plain dicts whose local ``$ref`` s have been replaced by the
objects they point to, as :mod:`polaris.apis.openapi_loader` produces; recursive schemas become
cyclic structures). The output is a :class:`DiffReport`: every :class:`Change` with its rule id
(see :mod:`polaris.apis.openapi_rules`), change type, impact, JSON pointer and operation, and
the SemVer bump the whole set calls for (seed 2.2.2: breaking API change -> MAJOR, new endpoint or
deprecation -> MINOR, documentation -> PATCH).

Pointers are *logical*: the path from the document root through the operation, following references
(``/paths/~1incidents/post/requestBody/content/application~1json/schema/properties/title``), so a
change in a shared component is reported once for every operation it reaches.

Schemas are compared pairwise once per ``(old, new, direction)`` triple (memoised by identity),
which keeps the diff linear in the documents' size and makes cycles terminate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from polaris.apis.openapi_rules import RULES, Bump, ChangeType, Impact, Rule
from polaris.apis.openapi_schemas import Rel, SchemaDiffer, as_map
from polaris.apis.openapi_security import classify_security
from polaris.core.errors import InvalidInput, Location
from polaris.core.semver import Version

__all__ = [
    "Change",
    "ChangeType",
    "DiffReport",
    "Impact",
    "Rule",
    "build_report",
    "check_levels",
    "diff_openapi",
    "escape_pointer",
]

HTTP_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BUMP_RANK: Final[dict[Bump, int]] = {"none": 0, "patch": 1, "minor": 2, "major": 3}
_TEMPLATE = re.compile(r"\{([^}/]*)\}")


@dataclass(frozen=True, slots=True)
class Change:
    """One classified difference between the two documents."""

    rule: str
    change_type: ChangeType
    impact: Impact
    pointer: str
    """JSON pointer (RFC 6901) of the changed element: new document, or old one for removals."""
    operation: str | None
    """``"GET /incidents"``, or None for document-wide changes."""
    message: str

    @property
    def bump(self) -> Bump:
        """The SemVer part this change alone calls for."""
        return "major" if self.impact is Impact.BREAKING else RULES[self.rule].bump


@dataclass(frozen=True, slots=True)
class DiffReport:
    """All changes between two documents and what they mean for the version number."""

    changes: tuple[Change, ...]
    bump: Bump
    counts: Mapping[str, int] = field(default_factory=dict)
    """Number of changes per impact (``low`` .. ``breaking``)."""

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The changes whose impact is ``breaking``."""
        return tuple(c for c in self.changes if c.impact is Impact.BREAKING)

    @property
    def worst(self) -> Impact | None:
        """The highest impact among the changes, None when there are none."""
        return max((c.impact for c in self.changes), key=lambda i: i.rank, default=None)

    def meets(self, threshold: Impact) -> bool:
        """True when some change is at least as severe as ``threshold`` (for ``--fail-on``)."""
        worst = self.worst
        return worst is not None and worst.rank >= threshold.rank

    def next_version(self, current: Version) -> Version:
        """The version that follows ``current`` given these changes (``current`` when none)."""
        return current if self.bump == "none" else current.bump(self.bump)


def escape_pointer(segment: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return segment.replace("~", "~0").replace("/", "~1")


def _ptr(segments: Iterable[str]) -> str:
    return "".join("/" + escape_pointer(s) for s in segments)


def check_levels(
    levels: Mapping[str, str], *, source: str | None = None
) -> dict[str, Impact | None]:
    """Validate a rule-id -> level mapping; ``none`` (or ``ignore``) drops the rule.

    :raises InvalidInput: naming the unknown rule id or level.
    """
    out: dict[str, Impact | None] = {}
    valid = ", ".join(i.value for i in Impact)
    for rule_id, level in levels.items():
        if rule_id not in RULES:
            raise InvalidInput(
                f"unknown rule id {rule_id!r}",
                location=Location(file=source, field=rule_id),
                hint="`polaris api rules` lists the ids",
            )
        text = str(level).strip().lower()
        if text in ("none", "ignore", "off"):
            out[rule_id] = None
            continue
        try:
            out[rule_id] = Impact(text)
        except ValueError:
            raise InvalidInput(
                f"unknown level {level!r}",
                location=Location(file=source, field=rule_id),
                hint=f"expected one of {valid} or none",
            ) from None
    return out


def diff_openapi(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    levels: Mapping[str, Impact | None] | None = None,
) -> DiffReport:
    """Compare two resolved OpenAPI documents.

    :param levels: impact overrides by rule id (None drops the rule), see :func:`check_levels`.
    """
    differ = _Differ(_component_names(old), _component_names(new))
    differ.paths(old.get("paths") or {}, new.get("paths") or {}, old, new)
    return build_report(differ.found, levels)


def build_report(
    found: Iterable[tuple[str, str, str | None, str]],
    levels: Mapping[str, Impact | None] | None = None,
) -> DiffReport:
    """Rate ``(rule id, pointer, operation, message)`` tuples (levels applied), sort them and
    work out the bump; shared by the OpenAPI and the GraphQL differ."""
    overrides = levels or {}
    changes: list[Change] = []
    for rule_id, pointer, operation, message in found:
        rule = RULES[rule_id]
        impact = overrides.get(rule_id, rule.impact) if rule_id in overrides else rule.impact
        if impact is None:
            continue
        changes.append(Change(rule_id, rule.change_type, impact, pointer, operation, message))
    changes.sort(key=lambda c: (-c.impact.rank, c.operation or "", c.pointer, c.rule))
    bump: Bump = "none"
    counts = {i.value: 0 for i in Impact}
    for c in changes:
        counts[c.impact.value] += 1
        if _BUMP_RANK[c.bump] > _BUMP_RANK[bump]:
            bump = c.bump
    return DiffReport(tuple(changes), bump, counts)


def _component_names(doc: Mapping[str, Any]) -> dict[int, str]:
    """Schema component names by object id: after resolution every ``$ref`` to a component *is*
    that object, so this is how the differ recognises a referenced schema."""
    schemas = as_map(as_map(doc.get("components")).get("schemas"))
    return {id(s): str(name) for name, s in schemas.items() if isinstance(s, Mapping)}


class _Differ:
    """Walks both documents; collects ``(rule, pointer, operation, message)`` tuples."""

    def __init__(self, old_names: Mapping[int, str], new_names: Mapping[int, str]) -> None:
        self.found: list[tuple[str, str, str | None, str]] = []
        self.schemas = SchemaDiffer(old_names, new_names)

    def add(self, rule: str, segments: Iterable[str], op: str | None, message: str) -> None:
        self.found.append((rule, _ptr(segments), op, message))

    # -- paths and operations -------------------------------------------------------------
    def paths(
        self, old: Mapping[str, Any], new: Mapping[str, Any], old_doc: Any, new_doc: Any
    ) -> None:
        new_by_shape = {_TEMPLATE.sub("{}", p): p for p in new}
        old_sec, new_sec = old_doc.get("security"), new_doc.get("security")
        for path, old_item in old.items():
            new_path = new_by_shape.get(_TEMPLATE.sub("{}", path))
            if new_path is None:
                methods = [m for m in HTTP_METHODS if m in as_map(old_item)]
                for method in methods:
                    label = f"{method.upper()} {path}"
                    seg = ("paths", path, method)
                    self.add("api-path-removed", seg, label, f"path {path} removed ({label})")
                if not methods:
                    self.add("api-path-removed", ("paths", path), None, f"path {path} removed")
                continue
            oi, ni = as_map(old_item), as_map(new[new_path])
            for method in HTTP_METHODS:
                if method not in oi:
                    continue
                label = f"{method.upper()} {new_path}"
                if method not in ni:
                    seg = ("paths", path, method)
                    self.add("api-operation-removed", seg, label, f"{label} removed")
                    continue
                # Path parameters are matched by position: /a/{id} and /a/{incidentId} are one.
                renames = dict(
                    zip(_TEMPLATE.findall(path), _TEMPLATE.findall(new_path), strict=False)
                )
                self.operation(
                    as_map(oi[method]), as_map(ni[method]), oi, ni, ("paths", new_path, method),
                    label, old_sec, new_sec, renames,
                )  # fmt: skip
        old_shapes = {_TEMPLATE.sub("{}", p): p for p in old}
        for path, new_item in new.items():
            old_path = old_shapes.get(_TEMPLATE.sub("{}", path))
            oi = as_map(old[old_path]) if old_path is not None else {}
            for method in HTTP_METHODS:
                if method in as_map(new_item) and method not in oi:
                    label = f"{method.upper()} {path}"
                    self.add("endpoint-added", ("paths", path, method), label, f"{label} added")

    def operation(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        old_item: Mapping[str, Any],
        new_item: Mapping[str, Any],
        base: tuple[str, ...],
        op: str,
        old_global_sec: Any,
        new_global_sec: Any,
        renames: Mapping[str, str],
    ) -> None:
        if not old.get("deprecated") and new.get("deprecated"):
            self.add("endpoint-deprecated", (*base, "deprecated"), op, f"{op} deprecated")
        elif old.get("deprecated") and not new.get("deprecated"):
            self.add(
                "endpoint-reactivated", (*base, "deprecated"), op, f"{op} no longer deprecated"
            )
        if new.get("x-sunset") is not None and new.get("x-sunset") != old.get("x-sunset"):
            msg = f"{op} sunset set to {new.get('x-sunset')}"
            self.add("endpoint-sunset-set", (*base, "x-sunset"), op, msg)
        if old.get("operationId") != new.get("operationId") and old.get("operationId"):
            msg = f"operationId {old.get('operationId')!r} -> {new.get('operationId')!r}"
            self.add("api-operation-id-changed", (*base, "operationId"), op, msg)
        for key in ("summary", "description"):
            if old.get(key) != new.get(key):
                self.add("api-description-changed", (*base, key), op, f"{key} changed")
        self.security(
            old.get("security", old_global_sec), new.get("security", new_global_sec), base, op
        )
        self.parameters(old_item, old, new_item, new, base, op, renames)
        self.request_body(as_map(old.get("requestBody")), new.get("requestBody"), base, op)
        self.responses(as_map(old.get("responses")), as_map(new.get("responses")), base, op)

    def security(self, old: Any, new: Any, base: tuple[str, ...], op: str) -> None:
        found = classify_security(old, new, op)
        if found is not None:
            self.add(found[0], (*base, "security"), op, found[1])

    # -- parameters -----------------------------------------------------------------------
    def parameters(
        self,
        old_item: Mapping[str, Any],
        old_op: Mapping[str, Any],
        new_item: Mapping[str, Any],
        new_op: Mapping[str, Any],
        base: tuple[str, ...],
        op: str,
        renames: Mapping[str, str],
    ) -> None:
        def collect(
            item: Mapping[str, Any], oper: Mapping[str, Any], rename: Mapping[str, str]
        ) -> dict[Any, Any]:
            out: dict[tuple[str, str], tuple[tuple[str, ...], Mapping[str, Any]]] = {}
            for where, seg in ((item, base[:2]), (oper, base)):
                for i, raw in enumerate(where.get("parameters") or ()):
                    p = as_map(raw)
                    loc, name = str(p.get("in")), str(p.get("name"))
                    if loc == "path":
                        name = rename.get(name, name)
                    elif loc == "header":
                        name = name.lower()  # HTTP header names are case-insensitive
                    key = (loc, name)
                    out[key] = ((*seg, "parameters", str(i)), p)
            return out

        olds, news = collect(old_item, old_op, renames), collect(new_item, new_op, {})
        # Same name, other location (query <-> header): a move, not a removal plus an addition.
        new_by_name = {name.lower(): key for key in news for loc, name in (key,) if loc != "path"}
        old_by_name = {name.lower(): key for key in olds for loc, name in (key,) if loc != "path"}
        for (loc, name), (seg, p) in olds.items():
            shown = str(p.get("name"))
            moved = new_by_name.get(name.lower())
            if (loc, name) in news:
                nseg, np_ = news[(loc, name)]
                self.parameter(p, np_, nseg, op, f"{loc} parameter {shown!r}")
            elif loc != "path" and moved is not None:
                nseg, _ = news[moved]
                msg = f"parameter {shown!r} moved from {loc} to {moved[0]}"
                self.add("request-parameter-location-changed", (*nseg, "in"), op, msg)
            elif loc != "path":
                msg = f"{loc} parameter {shown!r} removed"
                self.add("request-parameter-removed", seg, op, msg)
        for (loc, name), (seg, p) in news.items():
            shown = str(p.get("name"))
            if (loc, name) in olds or (loc != "path" and name.lower() in old_by_name):
                continue
            if loc == "path":
                continue  # path parameters come with the path; its removal/addition is reported
            if p.get("required"):
                msg = f"new required {loc} parameter {shown!r}"
                self.add("new-required-request-parameter", seg, op, msg)
            else:
                msg = f"new optional {loc} parameter {shown!r}"
                self.add("new-optional-request-parameter", seg, op, msg)

    def parameter(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        seg: tuple[str, ...],
        op: str,
        what: str,
    ) -> None:
        if not old.get("required") and new.get("required"):
            self.add(
                "request-parameter-became-required", (*seg, "required"), op, f"{what} required"
            )
        elif old.get("required") and not new.get("required"):
            msg = f"{what} now optional"
            self.add("request-parameter-became-optional", (*seg, "required"), op, msg)
        if not old.get("deprecated") and new.get("deprecated"):
            self.add("request-parameter-deprecated", (*seg, "deprecated"), op, f"{what} deprecated")
        os_, ns = old.get("schema"), new.get("schema")
        if isinstance(os_, Mapping) and isinstance(ns, Mapping):
            self.emit(self.schemas.schema(os_, ns, "request", "parameter"), (*seg, "schema"), op)

    # -- bodies -----------------------------------------------------------------------------
    def request_body(
        self, old: Mapping[str, Any], new_any: Any, base: tuple[str, ...], op: str
    ) -> None:
        new = as_map(new_any)
        seg = (*base, "requestBody")
        if not old and new:
            rule = (
                "new-required-request-body" if new.get("required") else "new-optional-request-body"
            )
            self.add(rule, seg, op, f"{op} takes a request body")
            return
        if not new:
            return
        if not old.get("required") and new.get("required"):
            self.add("request-body-became-required", (*seg, "required"), op, "body now required")
        oc, nc = as_map(old.get("content")), as_map(new.get("content"))
        for media, omt in oc.items():
            if media not in nc:
                msg = f"request media type {media} removed"
                self.add("request-body-media-type-removed", (*seg, "content", media), op, msg)
                continue
            os_, ns = as_map(omt).get("schema"), as_map(nc[media]).get("schema")
            if isinstance(os_, Mapping) and isinstance(ns, Mapping):
                rel = self.schemas.schema(os_, ns, "request", "property")
                self.emit(rel, (*seg, "content", media, "schema"), op)
        for media in nc:
            if media not in oc:
                msg = f"request media type {media} added"
                self.add("request-body-media-type-added", (*seg, "content", media), op, msg)

    def responses(
        self, old: Mapping[str, Any], new: Mapping[str, Any], base: tuple[str, ...], op: str
    ) -> None:
        for status, oresp in old.items():
            seg = (*base, "responses", str(status))
            success = str(status).startswith("2")
            if status not in new:
                rule = "response-success-status-removed" if success else None
                rule = rule or "response-non-success-status-removed"
                self.add(rule, seg, op, f"response {status} removed")
                continue
            oc, nc = (
                as_map(as_map(oresp).get("content")),
                as_map(as_map(new[status]).get("content")),
            )
            oh, nh = (
                as_map(as_map(oresp).get("headers")),
                as_map(as_map(new[status]).get("headers")),
            )
            if oh or nh:
                self.headers(oh, nh, seg, op)
            for media, omt in oc.items():
                if media not in nc:
                    if success:
                        msg = f"response {status} media type {media} removed"
                        self.add("response-media-type-removed", (*seg, "content", media), op, msg)
                    continue
                os_, ns = as_map(omt).get("schema"), as_map(nc[media]).get("schema")
                if isinstance(os_, Mapping) and isinstance(ns, Mapping):
                    rel = self.schemas.schema(os_, ns, "response", "property")
                    self.emit(rel, (*seg, "content", media, "schema"), op)
            for media in nc:
                if media not in oc:
                    msg = f"response {status} media type {media} added"
                    self.add("response-media-type-added", (*seg, "content", media), op, msg)
        for status in new:
            if status not in old:
                seg = (*base, "responses", str(status))
                self.add("response-status-added", seg, op, f"response {status} added")

    def headers(
        self, old: Mapping[str, Any], new: Mapping[str, Any], seg: tuple[str, ...], op: str
    ) -> None:
        """Response headers, by case-insensitive name (``Content-Type`` is not described)."""
        olds = {str(k).lower(): (str(k), as_map(v)) for k, v in old.items()}
        news = {str(k).lower(): (str(k), as_map(v)) for k, v in new.items()}
        for key, (name, oh) in olds.items():
            if key not in news:
                rule = "response-required-header-removed" if oh.get("required") else None
                rule = rule or "response-optional-header-removed"
                self.add(rule, (*seg, "headers", name), op, f"response header {name!r} removed")
                continue
            nname, nh = news[key]
            hseg = (*seg, "headers", nname)
            if oh.get("required") and not nh.get("required"):
                msg = f"header {name!r} may be absent"
                self.add("response-header-became-optional", (*hseg, "required"), op, msg)
            elif nh.get("required") and not oh.get("required"):
                msg = f"header {name!r} always sent"
                self.add("response-header-became-required", (*hseg, "required"), op, msg)
            os_, ns = oh.get("schema"), nh.get("schema")
            if isinstance(os_, Mapping) and isinstance(ns, Mapping):
                rel = self.schemas.schema(os_, ns, "response", "header")
                self.emit([(o, r, s, f"{nname}: {m}") for o, r, s, m in rel], (*hseg, "schema"), op)
        for key, (name, _) in news.items():
            if key not in olds:
                msg = f"response header {name!r} added"
                self.add("response-header-added", (*seg, "headers", name), op, msg)

    def emit(self, rel: list[Rel], base: tuple[str, ...], op: str) -> None:
        for _origin, rule, sub, message in rel:
            self.add(rule, (*base, *sub), op, message)

    # -- schemas ----------------------------------------------------------------------------
