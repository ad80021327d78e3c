"""Schema comparison for :mod:`polaris.apis.openapi_diff`.

Compares two resolved JSON-schema objects in the direction of a request (what clients send) or a
response (what they receive), recursively through ``properties`` (``allOf`` merged), ``items``,
``additionalProperties`` and ``oneOf``/``anyOf`` (alternatives matched by identity: component
name, title, then shape). The checks on a schema's own keywords live in
:mod:`polaris.apis.openapi_checks`. Each pair is compared once (memoised by identity); each change
is kept once per entry point, at its shortest path, since through shared schemas the number of
paths to one change can grow exponentially; cycles are cut where a pair recurs on the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from polaris.apis.openapi_checks import Direction, is_null_schema, local_changes, schema_types

__all__ = ["Direction", "Rel", "SchemaDiffer", "Subject", "as_map"]

Subject = Literal["parameter", "property", "header"]
#: A change found in a schema itself: (rule id, pointer segments below the schema, message).
_Local = tuple[str, tuple[str, ...], str]
#: Where a change originates: (id of old node, id of new node, rule, segments below that node).
_Origin = tuple[int, int, str, str]
#: A change found in or below a schema: (origin, rule, segments below the schema, message).
Rel = tuple[_Origin, str, tuple[str, ...], str]


#: Keywords that do not change what a schema accepts.
_PROSE = frozenset({"title", "description", "example", "examples", "externalDocs", "$comment"})


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (specs in the wild are sloppy)."""
    return value if isinstance(value, Mapping) else {}


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


class SchemaDiffer:
    """Compares schema pairs; one instance per document pair (its memo keys are object ids)."""

    def __init__(
        self, old_names: Mapping[int, str] | None = None, new_names: Mapping[int, str] | None = None
    ) -> None:
        # Component names by object id, one map per document: how `$ref` targets are recognised
        # once references have been resolved into shared objects.
        self._old_names: Mapping[int, str] = old_names or {}
        self._new_names: Mapping[int, str] = new_names or {}
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
        nested: list[Rel] = []
        prefix = f"request-{subject}" if direction == "request" else f"response-{subject}"
        if prefix == "response-parameter":
            prefix = "response-property"
        out: list[_Local] = local_changes(old, new, direction, prefix)
        for key in ("items", "additionalProperties"):
            oi, ni = old.get(key), new.get(key)
            if isinstance(oi, Mapping) and isinstance(ni, Mapping):
                for origin, rule, sub, msg in self.schema(oi, ni, direction, "property"):
                    nested.append((origin, rule, (key, *sub), msg))
        for comb, slug in (("oneOf", "one-of"), ("anyOf", "any-of")):
            ol, nl = old.get(comb), new.get(comb)
            if isinstance(ol, list) and isinstance(nl, list):
                pairs, removed, added = self._match(ol, nl)
                for i, j in pairs:
                    for origin, rule, sub, msg in self.schema(ol[i], nl[j], direction, "property"):
                        nested.append((origin, rule, (comb, str(j), *sub), f"{comb}[{j}] {msg}"))
                for i in removed:
                    msg = f"{comb} alternative {self._label(ol[i], self._old_names)} removed"
                    out.append((f"{prefix}-{slug}-removed", (comb, str(i)), msg))
                for j in added:
                    msg = f"{comb} alternative {self._label(nl[j], self._new_names)} added"
                    out.append((f"{prefix}-{slug}-added", (comb, str(j)), msg))
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

    # -- oneOf / anyOf alternatives ---------------------------------------------------------
    def _match(
        self, olds: list[Any], news: list[Any]
    ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Pair alternatives by identity: ``(pairs, removed old indexes, added new indexes)``.

        Passes, each over what is still unpaired: same component (``$ref`` target), same
        ``title``, same shape; then an inline schema left alone with its type on both sides is
        taken as edited rather than replaced. ``{type: "null"}`` alternatives are nullability.
        """
        left_old = [
            i for i, a in enumerate(olds) if isinstance(a, Mapping) and not is_null_schema(a)
        ]
        left_new = [
            j for j, b in enumerate(news) if isinstance(b, Mapping) and not is_null_schema(b)
        ]
        pairs: list[tuple[int, int]] = []
        keys: tuple[Callable[[Mapping[str, Any], Mapping[int, str]], Any], ...] = (
            lambda s, names: names.get(id(s)),
            lambda s, names: s.get("title") if isinstance(s.get("title"), str) else None,
            lambda s, names: self._shape(s, names, 0),
        )
        for key in keys:
            by_key: dict[Any, list[int]] = {}
            for j in left_new:
                k = key(news[j], self._new_names)
                if k is not None:
                    by_key.setdefault(k, []).append(j)
            still: list[int] = []
            for i in left_old:
                k = key(olds[i], self._old_names)
                bucket = by_key.get(k) if k is not None else None
                if bucket:
                    pairs.append((i, bucket.pop(0)))
                else:
                    still.append(i)
            paired = {j for _, j in pairs}
            left_old, left_new = still, [j for j in left_new if j not in paired]
        by_type: dict[Any, tuple[list[int], list[int]]] = {}
        for i in left_old:
            if id(olds[i]) not in self._old_names:
                by_type.setdefault(schema_types(olds[i]), ([], []))[0].append(i)
        for j in left_new:
            if id(news[j]) not in self._new_names:
                by_type.setdefault(schema_types(news[j]), ([], []))[1].append(j)
        for o, n in by_type.values():
            if len(o) == 1 and len(n) == 1:
                pairs.append((o[0], n[0]))
                left_old.remove(o[0])
                left_new.remove(n[0])
        return pairs, left_old, left_new

    def _shape(self, node: Any, names: Mapping[int, str], depth: int) -> Any:
        """A hashable form of ``node``: named components by name, prose left out, depth-capped."""
        if isinstance(node, Mapping):
            name = names.get(id(node))
            if name is not None and depth:
                return ("$ref", name)
            if depth > 6:
                return "..."
            return tuple(
                sorted(
                    (str(k), self._shape(v, names, depth + 1))
                    for k, v in node.items()
                    if k not in _PROSE
                )
            )
        if isinstance(node, list):
            return tuple(self._shape(v, names, depth + 1) for v in node)
        return node if isinstance(node, str | int | float | bool | None) else repr(node)

    @staticmethod
    def _label(schema: Any, names: Mapping[int, str]) -> str:
        name = names.get(id(schema))
        if name is not None:
            return name
        m = as_map(schema)
        title = m.get("title")
        if isinstance(title, str):
            return repr(title)
        types = schema_types(m)
        return f"<{'|'.join(types) if types else 'schema'}>"

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
