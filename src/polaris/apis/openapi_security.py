"""Which security change an operation's ``security`` edit is (pure, for :mod:`openapi_diff`).

A ``security`` value lists alternatives; each names schemes, each with the scopes it needs. A client
authenticates through one old alternative, so it keeps working when some new alternative asks for
no more schemes and no more scopes than that one: fewer required scopes or an added alternative
are safe, a new required scope or scheme is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from polaris.apis.openapi_schemas import as_map

__all__ = ["classify_security"]

_Alternative = dict[str, tuple[str, ...]]


def _security_alternatives(reqs: Any) -> list[_Alternative]:
    """A security value as its alternatives, each scheme name -> sorted scopes (deduplicated)."""
    out: list[_Alternative] = []
    for req in reqs or ():
        alt = {str(k): tuple(sorted(str(x) for x in v or ())) for k, v in as_map(req).items()}
        if alt not in out:
            out.append(alt)
    return sorted(out, key=lambda a: sorted(a.items()))


def _asks_no_more(new: _Alternative, old: _Alternative) -> bool:
    """True when credentials that satisfy ``old`` satisfy ``new`` too."""
    return all(k in old and set(v) <= set(old[k]) for k, v in new.items())


def classify_security(old: Any, new: Any, op: str) -> tuple[str, str] | None:
    """``(rule id, message)`` for the change from ``old`` to ``new`` security, None if none."""
    o, n = _security_alternatives(old), _security_alternatives(new)
    if o == n:
        return None
    open_old, open_new = (not o or {} in o), (not n or {} in n)
    if open_old:
        return None if open_new else ("api-security-added", f"{op} now requires authentication")
    if open_new:
        return ("api-security-removed", f"{op} no longer requires authentication")
    stranded = [a for a in o if not any(_asks_no_more(b, a) for b in n)]
    if not stranded:
        fewer = _scope_diffs(o, n, lambda a, b: b < a, lambda a, b: a - b)
        if fewer:
            return ("api-security-scope-removed", f"{op} requires fewer scopes ({fewer})")
        return ("api-security-relaxed", f"{op} accepts a new way to authenticate")
    more = _scope_diffs(stranded, n, lambda a, b: not b <= a, lambda a, b: b - a)
    if more:
        return ("api-security-scope-added", f"{op} requires more scopes ({more})")
    return ("api-security-changed", f"{op} security requirements changed")


def _scope_diffs(
    olds: list[_Alternative],
    news: list[_Alternative],
    when: Callable[[set[str], set[str]], bool],
    diff: Callable[[set[str], set[str]], set[str]],
) -> str:
    """``scheme: [scopes]`` between alternatives with the same schemes, where ``when`` holds."""
    found = {
        f"{k}: {sorted(diff(set(a[k]), set(b[k])))}"
        for a in olds
        for b in news
        if a.keys() == b.keys()
        for k in a
        if when(set(a[k]), set(b[k]))
    }
    return ", ".join(sorted(found))
