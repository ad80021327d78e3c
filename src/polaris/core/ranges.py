"""node-semver version ranges: ``^1.2``, ``~1.2.3``, ``>=1.0.0 <2.0.0 || 3.x``, ``1.2 - 2``.

The grammar, desugaring and prerelease rule are node-semver's (the JavaScript reference, checked
case by case in ``tests/data/node_semver_ranges.json``); see ``docs/ranges.md``. Parsing lives in
:mod:`polaris.core._range_parser`; this module holds the public :class:`Range` and compiles each
comparator set into an interval of precedence keys, so a check is two tuple comparisons per set.

>>> r = Range("^1.2.3")
>>> str(r)
'>=1.2.3 <2.0.0-0'
>>> "1.9.0" in r, "2.0.0" in r, "1.3.0-beta" in r
(True, False, False)
>>> str(r.max_satisfying(["1.2.3", "1.4.0", "2.0.0"]))
'1.4.0'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn, Self

from polaris.core._range_parser import ParsedComparator, format_sets, parse_range_sets
from polaris.core.errors import Location
from polaris.core.semver import _RELEASE, Version

__all__ = ["Comparator", "Range"]


#: Compiled comparator set over precedence keys (:attr:`Version.sort_key`): (lower key, lower
#: is strict, upper key, upper is strict, cores whose prereleases may match, or None when every
#: prerelease may).
_Key = tuple[Any, ...]
_Compiled = tuple[_Key | None, bool, _Key | None, bool, frozenset[tuple[int, int, int]] | None]


@dataclass(frozen=True, slots=True)
class Comparator:
    """One primitive comparator of a range: ``operator`` applied to ``version``.

    ``operator`` is ``''`` (equal), ``'<'``, ``'<='``, ``'>'`` or ``'>='``; ``version`` is ``None``
    for the comparator that matches every version (``*``).
    """

    operator: str
    version: Version | None

    def __str__(self) -> str:
        return "" if self.version is None else f"{self.operator}{self.version}"

    def test(self, version: Version) -> bool:
        """Whether ``version`` satisfies this comparator alone (no prerelease rule)."""
        if self.version is None:
            return True
        key = self.version.sort_key
        this = version.sort_key
        op = self.operator
        if op == "":
            return this == key
        if op == "<":
            return this < key
        if op == "<=":
            return this <= key
        if op == ">":
            return this > key
        return this >= key


class Range:
    """A parsed node-semver range, compiled once for fast membership checks.

    Build one with ``Range(text)`` or :meth:`Range.parse`. Immutable and hashable; equal when the
    normalised forms and ``include_prerelease`` are equal.
    """

    __slots__ = ("_compiled", "_text", "include_prerelease", "raw", "sets")

    raw: str
    include_prerelease: bool
    sets: tuple[tuple[Comparator, ...], ...]
    _text: str
    _compiled: tuple[_Compiled, ...]

    def __init__(
        self, text: str, *, include_prerelease: bool = False, location: Location | None = None
    ) -> None:
        """Parse ``text``; see :meth:`parse`."""
        if not isinstance(text, str):
            raise TypeError(f"Range() takes a str, not {type(text).__name__}")
        raw, parsed = _parse_cached(text, include_prerelease, location)
        sets = tuple(tuple(_to_comparator(c) for c in s) for s in parsed)
        setattr_ = object.__setattr__
        setattr_(self, "raw", raw)
        setattr_(self, "include_prerelease", include_prerelease)
        setattr_(self, "sets", sets)
        setattr_(self, "_text", format_sets(parsed) or "*")
        setattr_(self, "_compiled", tuple(_compile(s, include_prerelease) for s in sets))

    @classmethod
    def parse(
        cls, text: str, *, include_prerelease: bool = False, location: Location | None = None
    ) -> Self:
        """Parse a node-semver range.

        :param text: the range, e.g. ``'>=1.2.3 <2 || ^3.1'``.
        :param include_prerelease: let prereleases match any comparator set they fall in,
            as node-semver's ``includePrerelease`` option.
        :param location: where ``text`` came from, for the error.
        :raises InvalidRange: naming the bad comparator, with a ``~~~^`` marker under it.

        >>> str(Range.parse("~1.2"))
        '>=1.2.0 <1.3.0-0'
        """
        return cls(text, include_prerelease=include_prerelease, location=location)

    # -- immutability and value protocol -------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"Range is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"Range is immutable; cannot delete {name!r}")

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        extra = ", include_prerelease=True" if self.include_prerelease else ""
        return f"Range({self._text!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Range):
            return NotImplemented
        return (self._text, self.include_prerelease) == (other._text, other.include_prerelease)

    def __hash__(self) -> int:
        return hash((self._text, self.include_prerelease))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.raw, self.include_prerelease))

    # -- membership ----------------------------------------------------------------------------

    def contains(self, version: Version | str) -> bool:
        """Whether ``version`` satisfies the range (node-semver's ``satisfies``).

        A prerelease satisfies a comparator set only if some comparator in that set names a
        prerelease of the same ``major.minor.patch``, unless ``include_prerelease`` is set.

        :raises InvalidVersion: when ``version`` is a string that is not strict SemVer.
        """
        v = (version if type(version) is Version else _as_version(version)).sort_key
        # Each set is an interval [lower, upper] of precedence keys; see _compile.
        restricted = v[3] is not _RELEASE and not self.include_prerelease
        for lower, lower_strict, upper, upper_strict, cores in self._compiled:
            if lower is not None and (v <= lower if lower_strict else v < lower):
                continue
            if upper is not None and (v >= upper if upper_strict else v > upper):
                continue
            if restricted and (cores is None or v[:3] not in cores):
                continue
            return True
        return False

    __contains__ = contains

    def max_satisfying(self, versions: Iterable[Version | str]) -> Version | None:
        """The highest version in ``versions`` that satisfies the range, or ``None``.

        Of versions with equal precedence (differing in build metadata) the first wins.
        """
        best: Version | None = None
        for item in versions:
            v = item if type(item) is Version else _as_version(item)
            if (best is None or v > best) and self.contains(v):
                best = v
        return best

    def min_satisfying(self, versions: Iterable[Version | str]) -> Version | None:
        """The lowest version in ``versions`` that satisfies the range, or ``None``."""
        best: Version | None = None
        for item in versions:
            v = item if type(item) is Version else _as_version(item)
            if (best is None or v < best) and self.contains(v):
                best = v
        return best

    def filter(self, versions: Iterable[Version | str]) -> list[Version]:
        """The versions that satisfy the range, in the order given."""
        out: list[Version] = []
        for item in versions:
            v = item if type(item) is Version else _as_version(item)
            if self.contains(v):
                out.append(v)
        return out

    # -- relations ----------------------------------------------------------------------------

    def intersects(self, other: Range | str) -> bool:
        """Whether some version could satisfy both ranges (node-semver's ``intersects``).

        A string is parsed with this range's ``include_prerelease``, which also governs the check.

        >>> Range("^1.2").intersects(">=1.9.0 <3")
        True
        >>> Range("1.x").intersects("2.x")
        False
        """
        if isinstance(other, str):
            other = Range(other, include_prerelease=self.include_prerelease)
        incpr = self.include_prerelease
        return any(
            _satisfiable(mine, incpr)
            and any(
                _satisfiable(theirs, incpr)
                and all(_comparators_intersect(a, b, incpr) for a in mine for b in theirs)
                for theirs in other.sets
            )
            for mine in self.sets
        )


def _rebuild(raw: str, include_prerelease: bool) -> Range:
    return Range(raw, include_prerelease=include_prerelease)


@lru_cache(maxsize=1024)
def _parse_cached(
    text: str, include_prerelease: bool, location: Location | None
) -> tuple[str, list[list[ParsedComparator]]]:
    return parse_range_sets(text, include_prerelease, location)


def _as_version(value: object) -> Version:
    if isinstance(value, Version):
        return value
    if isinstance(value, str):
        return Version.parse(value)
    raise TypeError(f"expected a Version or str, not {type(value).__name__}")


def _to_comparator(parsed: ParsedComparator) -> Comparator:
    version = None if parsed.version is None else Version.parse(parsed.version)
    return Comparator(parsed.operator, version)


def _compile(comparators: tuple[Comparator, ...], include_prerelease: bool) -> _Compiled:
    """Intersect a comparator set into one interval of precedence keys.

    An AND of half-lines is an interval: the greatest lower bound (strict wins a tie) and the
    least upper bound. Membership is then at most two C-level tuple comparisons.
    """
    lower: tuple[Any, ...] | None = None
    upper: tuple[Any, ...] | None = None
    lower_strict = upper_strict = False
    cores: set[tuple[int, int, int]] = set()
    for comp in comparators:
        if comp.version is None:
            continue
        v = comp.version
        key = v.sort_key
        if v.is_prerelease:
            cores.add(v.core)
        op = comp.operator
        if op in ("", ">", ">="):
            strict = op == ">"
            if lower is None or key[:4] > lower[:4] or (key[:4] == lower[:4] and strict):
                lower, lower_strict = key, strict
        if op in ("", "<", "<="):
            strict = op == "<"
            if upper is None or key[:4] < upper[:4] or (key[:4] == upper[:4] and strict):
                upper, upper_strict = key, strict
    allowed = None if include_prerelease else frozenset(cores)
    return (lower, lower_strict, upper, upper_strict, allowed)


def _satisfiable(comparators: tuple[Comparator, ...], incpr: bool) -> bool:
    """node-semver's ``isSatisfiable``: every pair of comparators in the set intersects."""
    remaining = list(comparators)
    test = remaining.pop()
    result = True
    while result and remaining:
        result = all(_comparators_intersect(test, other, incpr) for other in remaining)
        test = remaining.pop()
    return result


def _comparators_intersect(a: Comparator, b: Comparator, incpr: bool) -> bool:
    """node-semver's ``Comparator.intersects``, rule for rule."""
    if a.operator == "":
        if a.version is None:
            return True
        return Range(str(b), include_prerelease=incpr).contains(a.version)
    if b.operator == "":
        if b.version is None:
            return True
        return Range(str(a), include_prerelease=incpr).contains(b.version)
    a_text, b_text = str(a), str(b)
    if incpr and "<0.0.0-0" in (a_text, b_text):
        return False
    if not incpr and (a_text.startswith("<0.0.0") or b_text.startswith("<0.0.0")):
        return False
    if a.operator[0] == b.operator[0]:
        return True  # both bounded below, or both above
    if a.version is None or b.version is None:  # pragma: no cover - ANY has operator ''
        return True
    ak, bk = a.version.sort_key, b.version.sort_key
    if ak == bk and "=" in a.operator and "=" in b.operator:
        return True
    if ak < bk and a.operator[0] == ">" and b.operator[0] == "<":
        return True
    return ak > bk and a.operator[0] == "<" and b.operator[0] == ">"
