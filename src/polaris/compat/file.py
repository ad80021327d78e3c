"""The shape of ``compatibility.yml``: plain data in, a :class:`CompatMatrix` out.

Pure: the YAML is loaded by ``polaris.compat.config``, which hands over the data and a function that
finds the line of a key path. Every problem is collected and reported at once, each with file, line
and key path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

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
        out = [self.range([*path, str(i)], v) for i, v in enumerate(value)]
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
    known = {"versions", "version_compatibility", "backward_compatibility", "forward_compatibility"}
    for key in data:
        if key not in known:
            c.error([str(key)], f"unknown key; expected one of {', '.join(sorted(known))}")
    catalog = _parse_catalog(c, data.get("versions"))
    rules = _parse_rules(c, data.get("version_compatibility"))
    backward = _parse_backward(c, data.get("backward_compatibility"))
    forward = _parse_forward(c, data.get("forward_compatibility"))
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
        for target, rng in _mapping(c, [*path, str(key)], targets).items():
            r = c.range([*path, str(key), str(target)], rng)
            if r is not None:
                origin = c.origin([*path, str(key), str(target)])
                rules.append(Rule(name, when, str(target), r, origin))
    return rules


def _parse_backward(c: _Collector, value: object) -> list[BackwardRule]:
    out: list[BackwardRule] = []
    lists = ("supports", "deprecated", "retired", "migration_required")
    for comp, versions in _mapping(c, ["backward_compatibility"], value).items():
        for vkey, body in _mapping(c, ["backward_compatibility", str(comp)], versions).items():
            path = ["backward_compatibility", str(comp), str(vkey)]
            rng = c.range(path, vkey)
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


def _parse_forward(c: _Collector, value: object) -> list[ForwardPlan]:
    out: list[ForwardPlan] = []
    planning = _mapping(c, ["forward_compatibility"], value).get("planning")
    for comp, versions in _mapping(c, ["forward_compatibility", "planning"], planning).items():
        for vkey, body in _mapping(
            c, ["forward_compatibility", "planning", str(comp)], versions
        ).items():
            path = ["forward_compatibility", "planning", str(comp), str(vkey)]
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
