"""Constraints attached to registry records, as compatibility rules.

A model version's ``dependencies`` and an API version's compatible clients say which versions of
other components they need; they become compatibility :class:`~polaris.compat.rules.Rule` s, so
they merge with ``compatibility.yml``'s. Pure: data in, data out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from polaris.compat.rules import Rule
from polaris.core.errors import InvalidInput, InvalidRange, InvalidVersion, Location
from polaris.core.project import canonical_name
from polaris.core.ranges import Range
from polaris.core.semver import Version

__all__ = ["RegistryConstraint", "constraint_rules", "model_constraints", "spec_to_range"]


@dataclass(frozen=True, slots=True)
class RegistryConstraint:
    """``source`` at ``version`` needs ``target`` in ``spec``, as recorded in the registry.

    ``spec`` is a SemVer range (``^1.3``, ``2.x``) or a PEP 440 specifier set (``>=2.0,<3``);
    ``origin`` says which record carries it (``registry: model rag-search 1.3.2 dependencies[0]``).
    Model versions yield these from their ``dependencies``; API versions from their compatible
    clients (``{web: "2.x"}``).
    """

    source: str
    version: Version
    target: str
    spec: str
    origin: str


_PEP440_OPS: Final = ("==", "~=", "!=", "===", ",")
_LINE = re.compile(r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?P<spec>.*?)\s*$")


def spec_to_range(spec: str) -> Range:
    """A SemVer range for ``spec``: node-semver syntax, or a PEP 440 specifier set translated.

    ``==2.1.*`` becomes ``2.1.x``, ``~=1.2`` becomes ``>=1.2.0 <2.0.0-0`` (PEP 440's meaning, not
    node's ``~``), ``!=2.0.1`` splits the range around that version.

    :raises InvalidRange: neither syntax fits.
    """
    text = spec.strip()
    if not text:
        return Range.parse("*")
    if not any(op in text for op in _PEP440_OPS):
        return Range.parse(text)
    try:
        specs = SpecifierSet(text)
    except InvalidSpecifier:
        raise InvalidRange(
            f"{text!r} is neither a SemVer range nor a PEP 440 specifier set",
            hint="write e.g. '^1.3', '>=2.0.0 <3.0.0' or '>=2.0,<3'",
        ) from None
    conjunction: list[str] = []
    alternatives: list[list[str]] = [[]]
    order = ("~=", "==", "===", ">=", ">", "<=", "<", "!=")
    for s in sorted(specs, key=lambda x: (order.index(x.operator), x.version)):
        op, ver = s.operator, s.version
        if op == "~=":
            parts = ver.split(".")
            upper = [*parts[:-2], str(int(parts[-2]) + 1)]  # PEP 440 requires two parts
            upper += ["0"] * (3 - len(upper))
            conjunction += [f">={ver}", f"<{'.'.join(upper)}-0"]
        elif op in ("==", "==="):
            conjunction.append(ver.replace("*", "x") if ver.endswith("*") else f"={ver}")
        elif op == "!=":
            alternatives = [[*a, f"<{ver}"] for a in alternatives] + [
                [*a, f">{ver}"] for a in alternatives
            ]
        else:
            conjunction.append(f"{op}{ver}")
    text_range = " || ".join(" ".join([*conjunction, *alt]) for alt in alternatives)
    return Range.parse(text_range)


def model_constraints(
    model: str, version: Version, dependencies: Iterable[str], components: Iterable[str]
) -> tuple[list[RegistryConstraint], list[str]]:
    """The constraints a model version's ``dependencies`` put on platform components.

    A line names a component when its name matches one of ``components`` (by
    :func:`canonical_name`); other lines (``torch==2.4.1``) are Python packages and are skipped.
    The model and the targets take the spelling of ``components`` where they match. Returns the
    constraints and the problems (lines naming a component with a bad range).
    """
    known = {canonical_name(c): c for c in components}
    out: list[RegistryConstraint] = []
    problems: list[str] = []
    for i, line in enumerate(dependencies):
        text = line.split(";", 1)[0].split("#", 1)[0]
        match = _LINE.match(text)
        if match is None or canonical_name(match["name"]) not in known:
            continue
        target = known[canonical_name(match["name"])]
        if canonical_name(target) == canonical_name(model):
            continue
        origin = f"registry: model {model} {version} dependencies[{i}]"
        try:
            spec_to_range(match["spec"])
        except (InvalidRange, InvalidVersion) as exc:
            problems.append(f"{origin}: {line!r}: {exc.message.splitlines()[0]}")
            continue
        source = known.get(canonical_name(model), model)
        out.append(RegistryConstraint(source, version, target, match["spec"] or "*", origin))
    return out, problems


def constraint_rules(constraints: Iterable[RegistryConstraint]) -> list[Rule]:
    """Compatibility rules for registry constraints (ranges already validated).

    :raises InvalidInput: a constraint's spec is not a range (naming its record).
    """
    rules: list[Rule] = []
    for c in constraints:
        try:
            allowed = spec_to_range(c.spec)
        except (InvalidRange, InvalidVersion) as exc:
            raise InvalidInput(
                f"{c.origin}: {c.spec!r}: {exc.message.splitlines()[0]}",
                location=Location(field=c.origin),
            ) from None
        rules.append(Rule(c.source, Range.parse(f"={c.version}"), c.target, allowed, c.origin))
    return rules
