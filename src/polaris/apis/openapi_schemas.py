"""Schema comparison for :mod:`polaris.apis.openapi_diff`.

Compares two resolved JSON-schema objects in the direction of a request (what clients send) or a
response (what they receive), recursively through ``properties`` (``allOf`` merged), ``items`` and
``oneOf``/``anyOf``. Each pair is compared once (memoised by identity); each change is kept once per
entry point, at its shortest path, since through shared schemas the number of paths to one change
can grow exponentially; cycles are cut where a pair recurs on the stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

__all__ = ["Direction", "Rel", "SchemaDiffer", "Subject", "as_map"]

Subject = Literal["parameter", "property"]
Direction = Literal["request", "response"]
#: A change found in a schema itself: (rule id, pointer segments below the schema, message).
_Local = tuple[str, tuple[str, ...], str]
#: Where a change originates: (id of old node, id of new node, rule, segments below that node).
_Origin = tuple[int, int, str, str]
#: A change found in or below a schema: (origin, rule, segments below the schema, message).
Rel = tuple[_Origin, str, tuple[str, ...], str]


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (specs in the wild are sloppy)."""
    return value if isinstance(value, Mapping) else {}


def _types(schema: Mapping[str, Any]) -> tuple[tuple[str, ...], Any]:
    """``(sorted non-null types, format)``; 3.0 ``nullable`` and 3.1 ``"null"`` are ignored here."""
    t = schema.get("type")
    types = (t,) if isinstance(t, str) else tuple(x for x in (t or ()) if isinstance(x, str))
    return tuple(sorted(x for x in types if x != "null")), schema.get("format")


def _flatten(schema: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names of ``schema``, merging ``allOf`` members into it."""
    props: dict[str, Any] = dict(as_map(schema.get("properties")))
    required = {r for r in schema.get("required") or () if isinstance(r, str)}
    stack = list(schema.get("allOf") or ())
    seen: set[int] = set()
    while stack:
        part = stack.pop()
        if not isinstance(part, Mapping) or id(part) in seen:
            continue
        seen.add(id(part))
        for name, sub in as_map(part.get("properties")).items():
            props.setdefault(name, sub)
        required.update(r for r in part.get("required") or () if isinstance(r, str))
        stack.extend(part.get("allOf") or ())
    return props, required


# Constraint checks: (keyword, rule slug, True when a larger new value tightens).
_LIMITS: Final = (
    ("maxLength", "max-length-decreased", False),
    ("minLength", "min-length-increased", True),
    ("maximum", "max-decreased", False),
    ("minimum", "min-increased", True),
    ("maxItems", "max-items-decreased", False),
    ("minItems", "min-items-increased", True),
)


class SchemaDiffer:
    """Compares schema pairs; one instance per document pair (its memo keys are object ids)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int, str, str], list[Rel]] = {}
        # A result computed under a cycle cut-off lacks what lies beyond the cut: it is valid only
        # while the cut-off ancestor (at stack depth `low`) is still being walked, because that
        # ancestor reports those changes itself at a shorter path. Kept apart, by `low`, and
        # dropped when that ancestor finishes.
        self._partial: dict[tuple[int, int, str, str], tuple[list[Rel], int]] = {}
        self._partial_by_low: list[list[tuple[int, int, str, str]]] = []
        self._active: dict[tuple[int, int, str, str], int] = {}
        self._low = 1 << 30

    def schema(
        self, old: Mapping[str, Any], new: Mapping[str, Any], direction: Direction, subject: Subject
    ) -> list[Rel]:
        key = (id(old), id(new), direction, subject)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        partial = self._partial.get(key)
        if partial is not None:
            self._low = min(self._low, partial[1])
            return partial[0]
        depth = self._active.get(key)
        if depth is not None:
            # A recursive schema: deeper levels repeat what this level reports.
            self._low = min(self._low, depth)
            return []
        depth = len(self._active)
        self._active[key] = depth
        outer_low, self._low = self._low, 1 << 30
        try:
            out = self._schema(old, new, direction, subject)
        finally:
            del self._active[key]
        low = self._low
        self._low = min(outer_low, low)
        while len(self._partial_by_low) > depth:  # they depended on this node or deeper
            for stale in self._partial_by_low.pop():
                self._partial.pop(stale, None)
        if low >= depth:
            self._memo[key] = out
        else:
            self._partial[key] = (out, low)
            while len(self._partial_by_low) <= low:
                self._partial_by_low.append([])
            self._partial_by_low[low].append(key)
        return out

    def _schema(
        self, old: Mapping[str, Any], new: Mapping[str, Any], direction: Direction, subject: Subject
    ) -> list[Rel]:
        out: list[_Local] = []
        nested: list[Rel] = []
        prefix = f"request-{subject}" if direction == "request" else "response-property"
        ot, nt = _types(old), _types(new)
        untyped = ((), None)
        if ot != nt and untyped not in (ot, nt):
            out.append((f"{prefix}-type-changed", ("type",), f"type {_fmt(ot)} -> {_fmt(nt)}"))
        oe, ne = old.get("enum"), new.get("enum")
        if isinstance(oe, list) and isinstance(ne, list):
            removed = [v for v in oe if v not in ne]
            added = [v for v in ne if v not in oe]
            if removed:
                out.append((f"{prefix}-enum-value-removed", ("enum",), f"enum lost {removed!r}"))
            if added:
                out.append((f"{prefix}-enum-value-added", ("enum",), f"enum gained {added!r}"))
        elif direction == "request" and ne is not None and oe is None:
            out.append((f"{prefix}-enum-value-removed", ("enum",), "values now limited to an enum"))
        if direction == "request":
            for kw, slug, larger_tightens in _LIMITS:
                ov, nv = old.get(kw), new.get(kw)
                if nv is None or ov == nv:
                    continue
                if ov is None or (nv > ov if larger_tightens else nv < ov):
                    out.append((f"{prefix}-{slug}", (kw,), f"{kw} {ov} -> {nv}"))
            if new.get("pattern") is not None and new.get("pattern") != old.get("pattern"):
                msg = f"pattern {old.get('pattern')!r} -> {new.get('pattern')!r}"
                out.append((f"{prefix}-pattern-changed", ("pattern",), msg))
        oi, ni = old.get("items"), new.get("items")
        if isinstance(oi, Mapping) and isinstance(ni, Mapping):
            for origin, rule, sub, msg in self.schema(oi, ni, direction, "property"):
                nested.append((origin, rule, ("items", *sub), msg))
        for comb in ("oneOf", "anyOf"):
            ol, nl = old.get(comb), new.get(comb)
            if isinstance(ol, list) and isinstance(nl, list):
                for i, (a, b) in enumerate(zip(ol, nl, strict=False)):
                    if isinstance(a, Mapping) and isinstance(b, Mapping):
                        for origin, rule, sub, msg in self.schema(a, b, direction, "property"):
                            nested.append((origin, rule, (comb, str(i), *sub), msg))
        self._properties(old, new, direction, out, nested)
        me = (id(old), id(new))
        found: list[Rel] = [((*me, r, "/".join(seg)), r, seg, m) for r, seg, m in out]
        # Keep each change once, at its shortest path: through a graph of shared schemas the
        # number of paths to one change can grow exponentially.
        best: dict[_Origin, Rel] = {}
        for rel in (*found, *nested):
            seen = best.get(rel[0])
            if seen is None or len(rel[2]) < len(seen[2]):
                best[rel[0]] = rel
        return list(best.values())

    def _properties(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        direction: Direction,
        out: list[_Local],
        nested: list[Rel],
    ) -> None:
        oprops, oreq = _flatten(old)
        nprops, nreq = _flatten(new)
        if not oprops and not nprops:
            return
        # Properties a direction never carries: readOnly ones are not sent, writeOnly not returned.
        skip = "readOnly" if direction == "request" else "writeOnly"
        for name, osub in oprops.items():
            sub = ("properties", name)
            om, nsub = as_map(osub), nprops.get(name)
            if om.get(skip):
                continue
            if nsub is None:
                rule = f"{direction}-property-removed"
                out.append((rule, sub, f"property {name!r} removed"))
                continue
            nm = as_map(nsub)
            if direction == "request":
                if name not in oreq and name in nreq:
                    out.append(("request-property-became-required", sub, f"{name!r} now required"))
                elif name in oreq and name not in nreq:
                    out.append(("request-property-became-optional", sub, f"{name!r} now optional"))
            elif name in oreq and name not in nreq:
                out.append(("response-property-became-optional", sub, f"{name!r} may be absent"))
            elif name not in oreq and name in nreq:
                out.append(("response-property-became-required", sub, f"{name!r} always sent"))
            for origin, rule, deeper, msg in self.schema(om, nm, direction, "property"):
                nested.append((origin, rule, (*sub, *deeper), f"{name}: {msg}"))
        for name, nsub in nprops.items():
            if name in oprops or as_map(nsub).get(skip):
                continue
            sub = ("properties", name)
            if direction == "response":
                out.append(("response-property-added", sub, f"property {name!r} added"))
            elif name in nreq:
                out.append(("new-required-request-property", sub, f"new required {name!r}"))
            else:
                out.append(("new-optional-request-property", sub, f"new optional {name!r}"))


def _fmt(t: tuple[tuple[str, ...], Any]) -> str:
    types, fmt = t
    text = "|".join(types) or "any"
    return f"{text}({fmt})" if fmt else text
