"""An independent reference for range membership, for the property tests of ``Range``.

It reads the range *text* itself (no Polaris parser, comparator or version ordering): the
desugaring follows node-semver's ``replaceCaret``/``replaceTilde``/``replaceXRange``/
``hyphenReplace`` (semver 7) for the grammar the property tests generate, and versions are
compared with the ``semver`` package from PyPI. Range rewriting is then checked against a second
implementation, not only against the committed node-semver answers.
"""

from __future__ import annotations

import re

import semver

__all__ = ["reference_contains"]

_Bound = tuple[str, semver.Version]  # (operator, version)
_PARTIAL = re.compile(
    r"^(?P<maj>\d+|[xX*])(?:\.(?P<m>\d+|[xX*])(?:\.(?P<p>\d+|[xX*])(?:-(?P<pre>[0-9A-Za-z.-]+))?)?)?$"
)


def _v(text: str) -> semver.Version:
    return semver.Version.parse(text)


def _parts(text: str) -> tuple[int | None, int | None, int | None, str | None]:
    m = _PARTIAL.match(text)
    assert m is not None, text

    def num(x: str | None) -> int | None:
        return None if x is None or x in "xX*" else int(x)

    major, minor, patch = num(m["maj"]), num(m["m"]), num(m["p"])
    if major is None:
        minor = patch = None
    elif minor is None:
        patch = None
    return major, minor, patch, m["pre"]


_NOTHING: list[_Bound] = [("<", _v("0.0.0-0"))]


def _simple(op: str, text: str, incpr: bool) -> list[_Bound]:
    z = "-0" if incpr else ""
    maj, m, p, pre = _parts(text)
    if op == "^":
        if maj is None:
            return []
        if m is None:
            return [(">=", _v(f"{maj}.0.0{z}")), ("<", _v(f"{maj + 1}.0.0-0"))]
        if p is None:
            upper = f"0.{m + 1}.0-0" if maj == 0 else f"{maj + 1}.0.0-0"
            return [(">=", _v(f"{maj}.{m}.0{z}")), ("<", _v(upper))]
        low = _v(f"{maj}.{m}.{p}" + (f"-{pre}" if pre else ""))
        if maj > 0:
            return [(">=", low), ("<", _v(f"{maj + 1}.0.0-0"))]
        if m > 0:
            return [(">=", low), ("<", _v(f"0.{m + 1}.0-0"))]
        return [(">=", low), ("<", _v(f"0.0.{p + 1}-0"))]
    if op == "~":
        if maj is None:
            return []
        if m is None:
            return [(">=", _v(f"{maj}.0.0{z}")), ("<", _v(f"{maj + 1}.0.0-0"))]
        if p is None:
            return [(">=", _v(f"{maj}.{m}.0{z}")), ("<", _v(f"{maj}.{m + 1}.0-0"))]
        low = _v(f"{maj}.{m}.{p}" + (f"-{pre}" if pre else ""))
        return [(">=", low), ("<", _v(f"{maj}.{m + 1}.0-0"))]
    any_x = p is None
    if op == "=" and any_x:
        op = ""
    if maj is None:
        return _NOTHING if op in (">", "<") else []
    if op and any_x:
        minor, patch = (m if m is not None else 0), 0
        major = maj
        if op == ">":
            op = ">="
            if m is None:
                major, minor = maj + 1, 0
            else:
                minor = m + 1
        elif op == "<=":
            op = "<"
            if m is None:
                major = maj + 1
            else:
                minor = m + 1
        suffix = "-0" if op == "<" else z
        return [(op, _v(f"{major}.{minor}.{patch}{suffix}"))]
    if m is None:
        return [(">=", _v(f"{maj}.0.0{z}")), ("<", _v(f"{maj + 1}.0.0-0"))]
    if p is None:
        return [(">=", _v(f"{maj}.{m}.0{z}")), ("<", _v(f"{maj}.{m + 1}.0-0"))]
    return [(op or "=", _v(text))]


def _hyphen(low: str, high: str, incpr: bool) -> list[_Bound]:
    z = "-0" if incpr else ""
    out: list[_Bound] = []
    maj, m, p, pre = _parts(low)
    if maj is not None:
        if m is None:
            out.append((">=", _v(f"{maj}.0.0{z}")))
        elif p is None:
            out.append((">=", _v(f"{maj}.{m}.0{z}")))
        else:
            out.append((">=", _v(low if pre else f"{low}{z}")))
    maj, m, p, pre = _parts(high)
    if maj is not None:
        if m is None:
            out.append(("<", _v(f"{maj + 1}.0.0-0")))
        elif p is None:
            out.append(("<", _v(f"{maj}.{m + 1}.0-0")))
        elif pre:
            out.append(("<=", _v(high)))
        elif incpr:
            out.append(("<", _v(f"{maj}.{m}.{p + 1}-0")))
        else:
            out.append(("<=", _v(high)))
    return out


def _test(op: str, bound: semver.Version, v: semver.Version) -> bool:
    c = v.compare(bound)
    return {"=": c == 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]


def _set_bounds(text: str, incpr: bool) -> list[_Bound]:
    if " - " in text:
        low, high = text.split(" - ")
        return _hyphen(low, high, incpr)
    out: list[_Bound] = []
    for word in text.split():
        op = re.match(r"^(<=|>=|<|>|=|\^|~)?", word)
        assert op is not None
        out += _simple(op.group(0), word[op.end() :], incpr)
    return out


def _drop_gte0(bounds: list[_Bound], incpr: bool) -> list[_Bound]:
    """node's ``replaceGTE0``: ``>=0.0.0`` (``>=0.0.0-0`` with prereleases) bounds nothing."""
    zero = _v("0.0.0-0" if incpr else "0.0.0")
    return [
        (op, b)
        for op, b in bounds
        if not (op == ">=" and b.compare(zero) == 0 and str(b) == str(zero))
    ]


def reference_contains(text: str, version: str, *, include_prerelease: bool) -> bool:
    """Whether ``version`` satisfies the range ``text``, in node-semver's terms."""
    v = _v(version)
    sets = [
        _drop_gte0(_set_bounds(part.strip(), include_prerelease), include_prerelease)
        for part in text.split(" || ")
    ]
    if len(sets) > 1 and any(not bounds for bounds in sets):
        sets = [[]]  # node: a range with a `*` set is just `*`
    for bounds in sets:
        if not all(_test(op, b, v) for op, b in bounds):
            continue
        if not v.prerelease or include_prerelease:
            return True
        if any(
            b.prerelease and (b.major, b.minor, b.patch) == (v.major, v.minor, v.patch)
            for _op, b in bounds
        ):
            return True
    return False
