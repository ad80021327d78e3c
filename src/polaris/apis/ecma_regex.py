"""ECMA-262 regular expressions, as OpenAPI's ``pattern`` keyword means them.

JSON Schema (and so OpenAPI) patterns are ECMA-262 expressions, which Python's :mod:`re` does not
read: ``[\\w-./:]`` is valid JavaScript (a class escape next to ``-`` is a literal ``-``) but a bad
range for Python. Patterns are compiled with ``regress`` (a Rust implementation of ECMA-262
regular expressions), first without and then with the ``u`` flag (``\\p{L}`` needs it; Annex B
leniency needs it off). A pattern neither accepts is not a reason to refuse a document: callers
compare such patterns as text and say so.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

import regress

__all__ = ["EcmaPattern", "compile_ecma", "ecma_error", "matches_everything"]

#: Patterns that accept every string (searched, not anchored, as JSON Schema does).
_MATCH_ALL: Final = frozenset(
    {"", ".*", "^.*", "^.*$", ".*$", "[\\s\\S]*", "^[\\s\\S]*$", "[^]*", "^[^]*$"}
)


class EcmaPattern:
    """A compiled ECMA-262 pattern; :meth:`search` is JSON Schema's ``pattern`` test."""

    __slots__ = ("_regex", "source")

    def __init__(self, source: str, regex: Any) -> None:
        self.source = source
        self._regex = regex

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in ``text`` (patterns are not anchored)."""
        return self._regex.find(text) is not None


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> EcmaPattern | str:
    error = ""
    for flags in (None, "u"):
        try:
            return EcmaPattern(pattern, regress.Regex(pattern, flags))
        except regress.RegressError as exc:
            error = error or str(exc)
        except (TypeError, ValueError) as exc:  # pragma: no cover - defensive: odd input
            error = error or str(exc)
    return error or "not a valid ECMA-262 regular expression"


def compile_ecma(pattern: str) -> EcmaPattern | None:
    """The compiled pattern, or None when it is not a valid ECMA-262 regular expression."""
    out = _compile(pattern)
    return out if isinstance(out, EcmaPattern) else None


def ecma_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid ECMA-262 regular expression, or None when it is."""
    out = _compile(pattern)
    return None if isinstance(out, EcmaPattern) else out


def matches_everything(pattern: str) -> bool:
    """True for the usual spellings of "any string" (``.*``, ``^[\\s\\S]*$``...)."""
    return pattern in _MATCH_ALL
