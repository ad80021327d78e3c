"""Breaking-change detection between two GraphQL SDL schemas, on the OpenAPI differ's scale.

``graphql-core`` builds both schemas (``build_schema`` validates them) and classifies the changes
that can hurt clients (``find_breaking_changes``, ``find_dangerous_changes``); each of its change
types maps onto one stable ``graphql-*`` rule of :data:`polaris.apis.openapi_rules.RULES`, with the
same impacts, levels-file overrides and required bump as the OpenAPI rules. graphql-core lists
nothing for safe changes, so additions (types, fields, directives), safe type changes (an output
field made non-null, an argument made nullable), deprecations and descriptions are found here.

A change's ``pointer`` is a schema coordinate (``Query.user(id:)``, ``Role.ADMIN``, ``@auth``), its
``operation`` the root field it concerns (``Query.user``), if any.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)
from graphql.utilities import find_breaking_changes, find_dangerous_changes

from polaris.apis.openapi_diff import DiffReport, Impact, build_report
from polaris.core.errors import InvalidInput, Location

__all__ = ["GRAPHQL_SUFFIXES", "diff_graphql", "is_graphql_source", "parse_graphql"]

GRAPHQL_SUFFIXES: Final = (".graphql", ".gql", ".graphqls")
#: graphql-core change type name -> rule id.
_RULE_OF: Final[Mapping[str, str]] = {
    "TYPE_REMOVED": "graphql-type-removed",
    "TYPE_CHANGED_KIND": "graphql-type-kind-changed",
    "TYPE_REMOVED_FROM_UNION": "graphql-union-member-removed",
    "VALUE_REMOVED_FROM_ENUM": "graphql-enum-value-removed",
    "REQUIRED_INPUT_FIELD_ADDED": "graphql-required-input-field-added",
    "IMPLEMENTED_INTERFACE_REMOVED": "graphql-interface-removed",
    "FIELD_REMOVED": "graphql-field-removed",
    "FIELD_CHANGED_KIND": "graphql-field-type-changed",
    "REQUIRED_ARG_ADDED": "graphql-required-argument-added",
    "ARG_REMOVED": "graphql-argument-removed",
    "ARG_CHANGED_KIND": "graphql-argument-type-changed",
    "DIRECTIVE_REMOVED": "graphql-directive-removed",
    "DIRECTIVE_ARG_REMOVED": "graphql-directive-argument-removed",
    "REQUIRED_DIRECTIVE_ARG_ADDED": "graphql-required-directive-argument-added",
    "DIRECTIVE_REPEATABLE_REMOVED": "graphql-directive-repeatable-removed",
    "DIRECTIVE_LOCATION_REMOVED": "graphql-directive-location-removed",
    "VALUE_ADDED_TO_ENUM": "graphql-enum-value-added",
    "TYPE_ADDED_TO_UNION": "graphql-union-member-added",
    "OPTIONAL_INPUT_FIELD_ADDED": "graphql-optional-input-field-added",
    "OPTIONAL_ARG_ADDED": "graphql-optional-argument-added",
    "IMPLEMENTED_INTERFACE_ADDED": "graphql-interface-added",
    "INTERFACE_ADDED_TO_OBJECT": "graphql-interface-added",
    "ARG_DEFAULT_VALUE_CHANGE": "graphql-argument-default-changed",
    "INPUT_FIELD_DEFAULT_VALUE_CHANGE": "graphql-input-field-default-changed",
}
_TYPE_CHANGES: Final = frozenset({"graphql-field-type-narrowed", "graphql-argument-type-widened"})
_UNION: Final = frozenset({"TYPE_ADDED_TO_UNION", "TYPE_REMOVED_FROM_UNION"})
_COORD = re.compile(r"@?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?(?:\([A-Za-z_]\w*:\))?")
_Found = tuple[str, str, str]  # (rule id, coordinate, message)


def is_graphql_source(source: str) -> bool:
    """True for a file or URL whose name says GraphQL SDL (``.graphql``, ``.gql``)."""
    return source.split("?", 1)[0].lower().endswith(GRAPHQL_SUFFIXES)


def parse_graphql(text: str, *, source: str = "<text>") -> GraphQLSchema:
    """Build and validate a schema from SDL text.

    :raises InvalidInput: naming the file and line of the first syntax or schema error.
    """
    try:
        return build_schema(text)
    except GraphQLError as exc:
        line = exc.locations[0].line if exc.locations else None
        msg = f"invalid GraphQL schema: {exc.message}"
        raise InvalidInput(msg, location=Location(file=source, line=line)) from None
    except (TypeError, ValueError) as exc:  # graphql-core reports some schema errors this way
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInput(
            f"invalid GraphQL schema: {first}", location=Location(file=source)
        ) from None


def diff_graphql(
    old: GraphQLSchema,
    new: GraphQLSchema,
    *,
    levels: Mapping[str, Impact | None] | None = None,
) -> DiffReport:
    """Classify every change between two schemas (see the module docstring)."""
    roots = {t.name: t for t in (new.query_type, new.mutation_type, new.subscription_type) if t} | {
        t.name: t for t in (old.query_type, old.mutation_type, old.subscription_type) if t
    }
    found: list[_Found] = []
    for fallback, listed in (
        ("graphql-breaking-change", find_breaking_changes(old, new)),
        ("graphql-dangerous-change", find_dangerous_changes(old, new)),
    ):
        for change in listed:
            name = change.type.name
            rule = _RULE_OF.get(name, fallback)  # fallback: a newer graphql-core's change type
            found.append((rule, _coordinate(name, change.description), change.description))
    reported = {coord for _, coord, _ in found}
    found.extend(
        f for f in _safe_changes(old, new) if f[0] not in _TYPE_CHANGES or f[1] not in reported
    )
    changes = [(rule, coord, _operation(coord, roots), message) for rule, coord, message in found]
    return build_report(changes, levels)


def _coordinate(kind: str, description: str) -> str:
    words = description.rstrip(".").split()
    if kind in _UNION and words:
        return words[-1]  # "Org was added to union type S."
    for match in _COORD.finditer(description):
        token = match.group(0)
        if "." in token or "(" in token or token.startswith("@"):
            return token
    first = _COORD.match(description)
    return first.group(0) if first else ""


def _operation(coord: str, roots: Mapping[str, Any]) -> str | None:
    head = coord.split("(", 1)[0]
    type_name, _, field = head.partition(".")
    return head if field and type_name in roots else None


def _user_types(schema: GraphQLSchema) -> dict[str, Any]:
    return {n: t for n, t in schema.type_map.items() if not n.startswith("__")}


def _safe_changes(old: GraphQLSchema, new: GraphQLSchema) -> Iterator[_Found]:
    """Additions, safe type changes, deprecations and descriptions: graphql-core lists none."""
    otypes, ntypes = _user_types(old), _user_types(new)
    for name, nt in ntypes.items():
        ot = otypes.get(name)
        if ot is None:
            yield "graphql-type-added", name, f"Type {name} was added."
            continue
        if ot.description != nt.description:
            yield "graphql-description-changed", name, f"Description of {name} changed."
        if type(ot) is not type(nt):
            continue  # a kind change, reported by graphql-core
        if isinstance(nt, GraphQLObjectType | GraphQLInterfaceType):
            yield from _fields(name, ot.fields, nt.fields)
        elif isinstance(nt, GraphQLInputObjectType):
            for fname, nf in nt.fields.items():
                of = ot.fields.get(fname)
                if of is not None and str(of.type) != str(nf.type):
                    msg = f"Input field {name}.{fname} changed type from {of.type} to {nf.type}."
                    yield "graphql-argument-type-widened", f"{name}.{fname}", msg
        elif isinstance(nt, GraphQLEnumType):
            for vname, nv in nt.values.items():
                ov = ot.values.get(vname)
                if ov is not None and ov.deprecation_reason is None and nv.deprecation_reason:
                    msg = f"Enum value {name}.{vname} was deprecated: {nv.deprecation_reason}"
                    yield "graphql-enum-value-deprecated", f"{name}.{vname}", msg
    odirs = {d.name for d in old.directives}
    for d in new.directives:
        if d.name not in odirs:
            yield "graphql-directive-added", f"@{d.name}", f"Directive @{d.name} was added."


def _fields(type_name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Iterator[_Found]:
    for fname, nf in news.items():
        coord = f"{type_name}.{fname}"
        of = olds.get(fname)
        if of is None:
            yield "graphql-field-added", coord, f"Field {coord} was added."
            continue
        if str(of.type) != str(nf.type):
            msg = f"Field {coord} changed type from {of.type} to {nf.type}."
            yield "graphql-field-type-narrowed", coord, msg
        if of.deprecation_reason is None and nf.deprecation_reason:
            msg = f"Field {coord} was deprecated: {nf.deprecation_reason}"
            yield "graphql-field-deprecated", coord, msg
        if of.description != nf.description:
            yield "graphql-description-changed", coord, f"Description of {coord} changed."
        for aname, na in nf.args.items():
            oa = of.args.get(aname)
            acoord = f"{coord}({aname}:)"
            if oa is None:
                continue  # a new argument: reported by graphql-core (optional or required)
            if str(oa.type) != str(na.type):
                msg = f"Argument {acoord} changed type from {oa.type} to {na.type}."
                yield "graphql-argument-type-widened", acoord, msg
            if oa.deprecation_reason is None and na.deprecation_reason:
                msg = f"Argument {acoord} was deprecated: {na.deprecation_reason}"
                yield "graphql-field-deprecated", acoord, msg
