"""The shape of ``compatibility.yml``: plain data in, a :class:`CompatMatrix` out.

Pure: the YAML is loaded by ``polaris.compat.config``, which hands over the data and a function that
finds the line of a key path. Every problem is collected and reported at once, each with file, line
and key path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from polaris.compat.document import API_MATRIX_KEYS, ApiMajor, split_named, strip_name
from polaris.compat.rules import (
    PLATFORM,
    BackwardRule,
    CompatMatrix,
    ForwardPlan,
    Rule,
    find_contradictions,
)
from polaris.core.errors import ConfigError, InvalidRange, InvalidVersion, Location
from polaris.core.ranges import Range
from polaris.core.semver import Version

__all__ = ["LineOf", "parse_matrix"]

_PLATFORM_KEY = re.compile(r"^platform_v?(?P<version>\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$")

LineOf = Callable[[Sequence[str]], int | None]


class _Collector:
    def __init__(self, source: str, line_of: LineOf) -> None:
        self.source = source
        self.line_of = line_of
        self.problems: list[tuple[int | None, str, str]] = []

    def origin(self, path: Sequence[str]) -> str:
        line = self.line_of(path)
        return f"{self.source}:{line}" if line else self.source

    def error(self, path: Sequence[str], what: str) -> None:
        self.problems.append((self.line_of(path), ".".join(path), what))

    def range(self, path: Sequence[str], value: object) -> Range | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(path, f"expected a SemVer range string, got {type(value).__name__}")
            return None
        try:
            return Range.parse(value)
        except (InvalidRange, InvalidVersion) as exc:
            self.error(path, f"invalid range: {exc.message}")
            return None

    def ranges(self, path: Sequence[str], value: object) -> tuple[Range, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(path, "expected a list of SemVer ranges")
            return ()
        out = [
            self.range([*path, str(i)], strip_name(v) if isinstance(v, str) else v)
            for i, v in enumerate(value)
        ]
        return tuple(r for r in out if r is not None)

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        lines = [
            f"{self.source}{':' + str(line) if line else ''}: {field_}: {what}"
            for line, field_, what in self.problems
        ]
        first_line, first_field, _ = self.problems[0]
        raise ConfigError(
            "; ".join(lines) if len(lines) > 1 else lines[0].split(": ", 1)[1],
            location=Location(file=self.source, line=first_line, field=first_field)
            if len(lines) == 1
            else None,
        )


def parse_matrix(data: Mapping[str, Any], *, source: str, line_of: LineOf) -> CompatMatrix:
    """Build a :class:`CompatMatrix` from a loaded ``compatibility.yml``.

    Every problem is collected and raised at once as one :class:`ConfigError` naming file, line and
    key path.
    """
    c = _Collector(source, line_of)
    known = {
        "versions",
        "version_compatibility",
        "backward_compatibility",
        "forward_compatibility",
        "api_compatibility_matrix",
    }
    for key in data:
        if key not in known:
            c.error([str(key)], f"unknown key; expected one of {', '.join(sorted(known))}")
    catalog = _parse_catalog(c, data.get("versions"))
    vc = data.get("version_compatibility")
    nested: dict[str, Any] = {}
    if isinstance(vc, Mapping):
        # The document (11.1) puts backward/forward compatibility inside version_compatibility.
        nested = {k: vc[k] for k in ("backward_compatibility", "forward_compatibility") if k in vc}
        vc = {k: v for k, v in vc.items() if k not in nested}
    rules = _parse_rules(c, vc)
    backward = _parse_backward(c, data.get("backward_compatibility"))
    forward = _parse_forward(c, data.get("forward_compatibility"))
    inner = ["version_compatibility"]
    backward += _parse_backward(c, nested.get("backward_compatibility"), base=inner)
    forward += _parse_forward(c, nested.get("forward_compatibility"), base=inner)
    api_rules, api_backward, api_forward = _parse_api_matrix(
        c, data.get("api_compatibility_matrix")
    )
    rules += api_rules
    backward += api_backward
    forward += api_forward
    c.raise_if_any()
    matrix = CompatMatrix(tuple(rules), tuple(backward), tuple(forward), catalog)
    return CompatMatrix(
        matrix.rules,
        matrix.backward,
        matrix.forward,
        matrix.catalog,
        tuple(find_contradictions(matrix)),
    )


def _mapping(c: _Collector, path: list[str], value: object) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        c.error(path, f"expected a mapping, got {type(value).__name__}")
        return {}
    return value


def _parse_catalog(c: _Collector, value: object) -> dict[str, tuple[Version, ...]]:
    out: dict[str, tuple[Version, ...]] = {}
    for name, versions in _mapping(c, ["versions"], value).items():
        path = ["versions", str(name)]
        if not isinstance(versions, list):
            c.error(path, "expected a list of versions")
            continue
        parsed: list[Version] = []
        for i, text in enumerate(versions):
            try:
                parsed.append(Version.parse(str(text)))
            except InvalidVersion as exc:
                c.error([*path, str(i)], exc.message)
        out[str(name)] = tuple(sorted(set(parsed)))
    return out


def _parse_rules(c: _Collector, value: object) -> list[Rule]:
    rules: list[Rule] = []
    for pkey, entry in _mapping(c, ["version_compatibility"], value).items():
        base = ["version_compatibility", str(pkey)]
        match = _PLATFORM_KEY.match(str(pkey))
        if match is None:
            c.error(base, "expected a key like platform_v2.1.0")
            continue
        platform_when = Range.parse(match["version"])
        body = _mapping(c, base, entry)
        for key in body:
            if key != "components":
                c.error([*base, str(key)], "unknown key; expected 'components'")
        for name, comp in _mapping(c, [*base, "components"], body.get("components")).items():
            path = [*base, "components", str(name)]
            spec = _mapping(c, path, comp)
            if "version" in spec:
                rules.extend(_component_rules(c, path, str(name), spec, platform_when))
            else:
                # A group (databases, infrastructure): target -> range, needed by the platform.
                for target, rng in spec.items():
                    r = c.range([*path, str(target)], rng)
                    if r is not None:
                        origin = c.origin([*path, str(target)])
                        rules.append(Rule(PLATFORM, platform_when, str(target), r, origin))
    return rules


def _component_rules(
    c: _Collector, path: list[str], name: str, spec: Mapping[str, Any], platform_when: Range
) -> list[Rule]:
    rules: list[Rule] = []
    when = c.range([*path, "version"], spec["version"])
    if when is None:
        return rules
    rules.append(Rule(PLATFORM, platform_when, name, when, c.origin([*path, "version"])))
    for key, targets in spec.items():
        if key == "version":
            continue
        if not (key == "requires" or str(key).startswith("compatible_")):
            c.error([*path, str(key)], "unknown key; expected version, requires or compatible_*")
            continue
        if isinstance(targets, list):  # the document's ["web_ui_2.x", "rag_search_v1.3.x"]
            rules.extend(_named_rules(c, [*path, str(key)], name, when, targets))
            continue
        for target, rng in _mapping(c, [*path, str(key)], targets).items():
            r = c.range([*path, str(key), str(target)], rng)
            if r is not None:
                origin = c.origin([*path, str(key), str(target)])
                rules.append(Rule(name, when, str(target), r, origin))
    return rules


def _named_rules(
    c: _Collector, path: list[str], source: str, when: Range, items: list[Any]
) -> list[Rule]:
    """``source`` at ``when`` requires each ``NAME_vRANGE`` entry of ``items``."""
    rules: list[Rule] = []
    for i, item in enumerate(items):
        target, text = split_named(str(item))
        if target is None:
            c.error([*path, str(i)], f"expected NAME_RANGE like web_ui_2.x, got {item!r}")
            continue
        r = c.range([*path, str(i)], text)
        if r is not None:
            rules.append(Rule(source, when, target, r, c.origin([*path, str(i)])))
    return rules


_BACKWARD_LISTS = ("supports", "deprecated", "retired", "migration_required")


def _backward_entries(
    c: _Collector, root: list[str], value: object
) -> list[tuple[list[str], str, str, object]]:
    """(path, component, version range, body) of each entry, in either spelling: the range
    format ``{api: {"2.1.0": body}}`` or the document's ``{api_v2.1.0: body}``, the latter also
    grouped (``models: {rag_search_v1.3.0: body}``)."""
    out: list[tuple[list[str], str, str, object]] = []
    for key, inner in _mapping(c, root, value).items():
        path = [*root, str(key)]
        name, text = split_named(str(key))
        body = inner if isinstance(inner, Mapping) else {}
        if name is not None and all(k in _BACKWARD_LISTS for k in body):
            out.append((path, name, text, inner))
            continue
        named = {k: split_named(str(k)) for k in body}
        if body and all(n is not None for n, _t in named.values()):
            for k, v in body.items():  # a group of NAME_vVERSION entries
                n, t = named[k]
                out.append(([*path, str(k)], str(n), t, v))
            continue
        for vkey, spec in _mapping(c, path, inner).items():
            out.append(([*path, str(vkey)], str(key), str(vkey), spec))
    return out


def _parse_backward(
    c: _Collector, value: object, *, base: Sequence[str] = ()
) -> list[BackwardRule]:
    out: list[BackwardRule] = []
    lists = _BACKWARD_LISTS
    for path, comp, vtext, body in _backward_entries(c, [*base, "backward_compatibility"], value):
        rng = c.range(path, vtext)
        spec = _mapping(c, path, body)
        for key in spec:
            if key not in lists:
                c.error([*path, str(key)], f"unknown key; expected one of {', '.join(lists)}")
        if rng is None:
            continue
        out.append(
            BackwardRule(
                str(comp),
                rng,
                supports=c.ranges([*path, "supports"], spec.get("supports")),
                deprecated=c.ranges([*path, "deprecated"], spec.get("deprecated")),
                retired=c.ranges([*path, "retired"], spec.get("retired")),
                migration_required=c.ranges(
                    [*path, "migration_required"], spec.get("migration_required")
                ),
                origin=c.origin(path),
            )
        )
    return out


def _parse_forward(c: _Collector, value: object, *, base: Sequence[str] = ()) -> list[ForwardPlan]:
    out: list[ForwardPlan] = []
    root = [*base, "forward_compatibility", "planning"]
    planning = _mapping(c, root[:-1], value).get("planning")
    entries: list[tuple[list[str], str, str, object]] = []
    for comp, versions in _mapping(c, root, planning).items():
        name, text = split_named(str(comp))
        inner = versions if isinstance(versions, Mapping) else {}
        if name is not None and "breaking_changes" in inner:  # the document's api_v3.0.0
            entries.append(([*root, str(comp)], name, text, versions))
            continue
        for vkey, body in _mapping(c, [*root, str(comp)], versions).items():
            entries.append(([*root, str(comp), str(vkey)], str(comp), str(vkey), body))
    for path, comp, vkey, body in entries:
        spec = _mapping(c, path, body)
        changes = spec.get("breaking_changes") or []
        if not isinstance(changes, list):
            c.error([*path, "breaking_changes"], "expected a list of strings")
            changes = []
        guide, timeline = spec.get("migration_guide"), spec.get("timeline")
        out.append(
            ForwardPlan(
                str(comp),
                str(vkey),
                tuple(str(x) for x in changes),
                None if guide is None else str(guide),
                None if timeline is None else str(timeline),
            )
        )
    return out


def _parse_api_matrix(
    c: _Collector, value: object
) -> tuple[list[Rule], list[BackwardRule], list[ForwardPlan]]:
    """The document's ``api_compatibility_matrix`` (5.1.3): per API major, the clients it
    serves (rules ``api N.x requires client R``), what it stays compatible with, and plans."""
    rules: list[Rule] = []
    backward: list[BackwardRule] = []
    forward: list[ForwardPlan] = []
    root = ["api_compatibility_matrix"]
    for key, body in _mapping(c, root, value).items():
        path = [*root, str(key)]
        major = ApiMajor.major_of(str(key))
        if major is None:
            c.error(path, "expected an API major like v2")
            continue
        spec = _mapping(c, path, body)
        for k in spec:
            if k not in API_MATRIX_KEYS:
                c.error(
                    [*path, str(k)], f"unknown key; expected one of {', '.join(API_MATRIX_KEYS)}"
                )
        when = Range.parse(f"{major}.x")
        clients = spec.get("compatible_clients") or []
        if not isinstance(clients, list):
            c.error([*path, "compatible_clients"], "expected a list like [web_ui_v2.x]")
            clients = []
        rules.extend(_named_rules(c, [*path, "compatible_clients"], "api", when, clients))
        olders = spec.get("backward_compatible_with") or []
        if not isinstance(olders, list):
            c.error([*path, "backward_compatible_with"], "expected a list like [v1]")
            olders = []
        supports = tuple(Range.parse(f"{m}.x") for m in map(str, olders) if ApiMajor.major_of(m))
        if supports:
            backward.append(BackwardRule("api", when, supports=supports, origin=c.origin(path)))
        changes = spec.get("breaking_changes") or []
        if spec.get("status") in ("development", "planned") or spec.get("planned_release"):
            planned = spec.get("planned_release")
            forward.append(
                ForwardPlan(
                    "api",
                    f"{major}.0.0",
                    tuple(str(x) for x in changes) if isinstance(changes, list) else (),
                    None,
                    None if planned is None else str(planned),
                )
            )
    return rules, backward, forward
