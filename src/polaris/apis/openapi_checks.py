"""The checks on one schema's own keywords, with direction, for :mod:`polaris.apis.openapi_schemas`.

A request schema says what the server accepts: widening it (``integer`` -> ``number``, a larger
``maxLength``, an enum value added, ``nullable`` set) cannot break a sender, narrowing it can. A
response schema says what clients receive: the reverse. Each check classifies the change as wider,
narrower or neither and picks the rule of :mod:`polaris.apis.openapi_rules` accordingly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from polaris.apis.ecma_regex import compile_ecma, ecma_error, matches_everything

__all__ = ["Direction", "Local", "local_changes", "nullable", "schema_types"]

Direction = Literal["request", "response"]
#: A change found in a schema itself: (rule id, pointer segments below the schema, message).
Local = tuple[str, tuple[str, ...], str]
_Rel = Literal["same", "wider", "narrower", "other"]

#: Keywords that give an untyped schema a shape; without any, it accepts every value.
_SHAPED: Final = frozenset(
    {"properties", "items", "allOf", "oneOf", "anyOf", "not", "enum", "const", "$ref",
     "additionalProperties", "prefixItems", "discriminator"}
)  # fmt: skip
#: Format widenings: the key's values are all values of the mapped format.
_FORMAT_WIDER: Final = {("int32", "int64"), ("float", "double")}
_COMBINERS: Final = frozenset({"oneOf", "anyOf"})
# (keyword, slug when tightened, slug when loosened, True when a larger value tightens).
_LIMITS: Final = (
    ("maxLength", "max-length-decreased", "max-length-increased", False),
    ("minLength", "min-length-increased", "min-length-decreased", True),
    ("maximum", "max-decreased", "max-increased", False),
    ("minimum", "min-increased", "min-decreased", True),
    ("maxItems", "max-items-decreased", "max-items-increased", False),
    ("minItems", "min-items-increased", "min-items-decreased", True),
    # 3.1: exclusive bounds are numbers (3.0's boolean flags are _FLAGS below)
    ("exclusiveMaximum", "max-decreased", "max-increased", False),
    ("exclusiveMinimum", "min-increased", "min-decreased", True),
)
# 3.0: (flag, the bound it makes exclusive, slug when set, slug when cleared).
_FLAGS: Final = (
    ("exclusiveMaximum", "maximum", "max-decreased", "max-increased"),
    ("exclusiveMinimum", "minimum", "min-increased", "min-decreased"),
)
#: Every keyword :func:`local_changes` reads, besides ``oneOf``/``anyOf`` (null alternatives).
_LOCAL_KEYS: Final = ("type", "format", "nullable", "enum", "pattern", *(k[0] for k in _LIMITS))


def schema_types(schema: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Sorted non-null types; None when untyped and unshaped (the schema accepts anything)."""
    t = schema.get("type")
    types = (t,) if isinstance(t, str) else tuple(x for x in (t or ()) if isinstance(x, str))
    out = tuple(sorted(x for x in types if x != "null"))
    if not out and not _SHAPED.intersection(schema) and not any(x == "null" for x in types):
        return None
    return out


def nullable(schema: Mapping[str, Any]) -> bool:
    """True when null is allowed: 3.0 ``nullable: true``, 3.1 ``"null"`` in ``type`` or a
    ``{type: "null"}`` alternative of ``oneOf``/``anyOf``."""
    if schema.get("nullable") is True:
        return True
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    for comb in ("oneOf", "anyOf"):
        for alt in schema.get(comb) or ():
            if is_null_schema(alt):
                return True
    return False


def is_null_schema(schema: Any) -> bool:
    """True for ``{type: "null"}`` (or ``["null"]``), the 3.1 spelling of "or null"."""
    if not isinstance(schema, Mapping):
        return False
    t = schema.get("type")
    return t in ("null", ["null"])


def _covered(t: str, others: tuple[str, ...]) -> bool:
    return t in others or (t == "integer" and "number" in others)


def _type_rel(old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> _Rel:
    if old == new:
        return "same"
    # An untyped schema gaining or losing shape (properties, items...) is reported by the
    # checks of that shape, so only "accepts anything" against a typed schema counts here.
    if old is None:
        return "narrower" if new else "same"
    if new is None:
        return "wider" if old else "same"
    if not old or not new:  # shaped but untyped (allOf...): not comparable here
        return "same"
    wider = all(_covered(t, new) for t in old)
    narrower = all(_covered(t, old) for t in new)
    if wider and narrower:
        return "same"
    return "wider" if wider else "narrower" if narrower else "other"


def _format_rel(old: Any, new: Any) -> _Rel:
    if old == new:
        return "same"
    if new is None:
        return "wider"
    if old is None:
        return "narrower"
    if (old, new) in _FORMAT_WIDER:
        return "wider"
    if (new, old) in _FORMAT_WIDER:
        return "narrower"
    return "other"


def _combine(a: _Rel, b: _Rel) -> _Rel:
    if a == "same":
        return b
    if b in ("same", a):
        return a
    return "other"


def _fmt(types: tuple[str, ...] | None, fmt: Any) -> str:
    text = "|".join(types or ()) or "any"
    return f"{text}({fmt})" if fmt else text


def local_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], direction: Direction, prefix: str
) -> list[Local]:
    """The changes to ``old``'s own keywords (not its sub-schemas), as rules under ``prefix``."""
    if all(old.get(k) == new.get(k) for k in _LOCAL_KEYS) and not (
        _COMBINERS.intersection(old) or _COMBINERS.intersection(new)
    ):
        return []  # the common case, kept cheap: nothing this function reads differs
    out: list[Local] = []
    request = direction == "request"
    ot, nt = schema_types(old), schema_types(new)
    of, nf = old.get("format"), new.get("format")
    rel = _combine(_type_rel(ot, nt), _format_rel(of, nf))
    if rel != "same":
        msg = f"type {_fmt(ot, of)} -> {_fmt(nt, nf)}"
        if rel == "wider" and request:
            out.append((f"{prefix}-type-generalized", ("type",), msg + " (widened)"))
        elif rel == "narrower" and not request:
            out.append((f"{prefix}-type-specialized", ("type",), msg + " (narrowed)"))
        else:
            out.append((f"{prefix}-type-changed", ("type",), msg))
        if rel == "other":
            return out  # limits, enums and patterns of another type say nothing more
    on, nn = nullable(old), nullable(new)
    if on and not nn:
        out.append((f"{prefix}-became-not-nullable", ("nullable",), "null no longer allowed"))
    elif nn and not on:
        out.append((f"{prefix}-became-nullable", ("nullable",), "null now allowed"))
    _enum(old, new, prefix, out)
    for kw, tight, loose, larger_tightens in _LIMITS:
        ov, nv = old.get(kw), new.get(kw)
        if ov == nv or not _number(ov, nv):
            continue
        if ov is None or (nv is not None and (nv > ov) == larger_tightens):
            out.append((f"{prefix}-{tight}", (kw,), f"{kw} {ov} -> {nv}"))
        else:
            out.append((f"{prefix}-{loose}", (kw,), f"{kw} {ov} -> {nv}"))
    for kw, bound, tight, loose in _FLAGS:
        ov, nv = old.get(kw), new.get(kw)
        flags = all(v is None or isinstance(v, bool) for v in (ov, nv))
        # with the bound itself changed, that change is the one reported
        if flags and bool(ov) != bool(nv) and old.get(bound) == new.get(bound) is not None:
            msg = f"{bound} {new.get(bound)} {'now' if nv else 'no longer'} exclusive"
            out.append((f"{prefix}-{tight if nv else loose}", (kw,), msg))
    _pattern(old, new, request, prefix, out)
    return out


def _number(*values: Any) -> bool:
    return all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values
    )


def _enum(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str, out: list[Local]) -> None:
    oe, ne = old.get("enum"), new.get("enum")
    if isinstance(oe, list) and isinstance(ne, list):
        # null in an enum is nullability, reported by its own rule
        removed = [v for v in oe if v not in ne and v is not None]
        added = [v for v in ne if v not in oe and v is not None]
        if removed:
            out.append((f"{prefix}-enum-value-removed", ("enum",), f"enum lost {removed!r}"))
        if added:
            out.append((f"{prefix}-enum-value-added", ("enum",), f"enum gained {added!r}"))
    elif isinstance(ne, list) and oe is None:
        out.append((f"{prefix}-enum-value-removed", ("enum",), "values now limited to an enum"))
    elif isinstance(oe, list) and ne is None:
        msg = "values no longer limited to an enum"
        out.append((f"{prefix}-enum-value-added", ("enum",), msg))


def _pattern(
    old: Mapping[str, Any], new: Mapping[str, Any], request: bool, prefix: str, out: list[Local]
) -> None:
    op, np_ = old.get("pattern"), new.get("pattern")
    op = None if not isinstance(op, str) or matches_everything(op) else op
    np_ = None if not isinstance(np_, str) or matches_everything(np_) else np_
    if op == np_:
        return
    msg = f"pattern {op!r} -> {np_!r}"
    bad = [f"{p!r} is not ECMA-262 ({err})" for p in (op, np_) if p and (err := ecma_error(p))]
    if bad:
        msg += "; compared as text: " + "; ".join(bad)
    elif op is not None and np_ is not None:
        msg += _witnesses(op, np_, (old, new))
    if np_ is None:
        out.append((f"{prefix}-pattern-removed", ("pattern",), msg))
    elif op is None and not request:
        out.append((f"{prefix}-pattern-added", ("pattern",), msg))
    else:
        out.append((f"{prefix}-pattern-changed", ("pattern",), msg))


def _samples(schemas: tuple[Mapping[str, Any], ...]) -> list[str]:
    """The strings the schemas give as examples, defaults or enum values."""
    found: list[str] = []
    for schema in schemas:
        examples = schema.get("examples")
        values = [schema.get("example"), schema.get("default"), *(schema.get("enum") or ())]
        values += examples if isinstance(examples, list) else []
        found += [v for v in values if isinstance(v, str) and v not in found]
    return found


def _witnesses(op: str, np_: str, schemas: tuple[Mapping[str, Any], ...]) -> str:
    """Evidence from the schemas' own sample values: which one the change refuses or admits.

    Which pattern accepts more is not decided in general; a sample only shows one direction.
    """
    old_re, new_re = compile_ecma(op), compile_ecma(np_)
    if old_re is None or new_re is None:
        return ""
    notes = []
    for value in _samples(schemas):
        was, now = old_re.search(value), new_re.search(value)
        if was and not now:
            notes.append(f"{value!r} matched before, not now")
        elif now and not was:
            notes.append(f"{value!r} matches now, not before")
    return ("; e.g. " + ", ".join(notes[:3])) if notes else ""
