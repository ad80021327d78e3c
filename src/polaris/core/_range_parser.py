"""Tokenizer and parser for node-semver range expressions (private to :mod:`polaris.core.ranges`).

Why this module exists: node-semver, the reference for ranges, does not define its language by a
grammar but by a pipeline of rewrites (``classes/range.js``): collapse whitespace, split on ``||``,
strip build metadata, rewrite a hyphen range, glue operators to their versions, then desugar each
word (caret, tilde, x-range, star) into primitive comparators and validate those. Odd inputs follow
from the order of those steps (``1.2.3 ||`` is ``*``; ``=1.2.3 - 2`` is invalid while
``v1.2.3 - 2`` is not). To give the same answer on every input we run the same steps, with the same
(length-bounded) patterns, on a :class:`_Src`: a string that remembers, for each character, the span
of the source it came from. An invalid comparator is therefore reported at its place in the text
the user wrote, with a ``~~~^`` marker under it.

The output is plain data, ``(operator, version text or None)`` per comparator, which
:mod:`polaris.core.ranges` compiles into fast precedence checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from polaris.core.errors import InvalidRange, Location

__all__ = ["ParsedComparator", "parse_range_sets"]

#: Characters JavaScript's ``\s`` and ``String.prototype.trim`` treat as whitespace.
_WS_CHARS: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS: Final = "[" + "".join(f"\\u{ord(c):04x}" for c in _WS_CHARS) + "]"

# node-semver's limits (internal/constants.js) and its "safe" regex bounds (internal/re.js).
MAX_LENGTH: Final = 256
MAX_SAFE_INTEGER: Final = 2**53 - 1
_MAX_SAFE_BUILD_LENGTH: Final = MAX_LENGTH - 6

# The patterns of node-semver's internal/re.js, in their length-bounded ("safe") form.
_NUM = r"0|[1-9][0-9]{0,256}"
_NONNUM = r"[0-9]{0,256}[a-zA-Z-][a-zA-Z0-9-]{0,250}"
_PRE_ID = f"(?:{_NONNUM}|{_NUM})"
_PRERELEASE = rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))"
_BUILD_ID = "[a-zA-Z0-9-]{1,250}"
_BUILD = rf"(?:\+({_BUILD_ID}(?:\.{_BUILD_ID})*))"
_FULL_PLAIN = rf"v?({_NUM})\.({_NUM})\.({_NUM}){_PRERELEASE}?{_BUILD}?"
_GTLT = "((?:<|>)?=?)"
_XR_ID = rf"{_NUM}|x|X|\*"
_XRANGE_PLAIN = (
    rf"[v={_WS[1:-1]}]*({_XR_ID})(?:\.({_XR_ID})(?:\.({_XR_ID})(?:{_PRERELEASE})?{_BUILD}?)?)?"
)

#: Build metadata is deleted anywhere in a range before anything else happens (unbounded, global).
_BUILD_STRIP = re.compile(r"\+([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)")
_BUILD_ONE = re.compile(_BUILD)
_HYPHEN = re.compile(rf"^{_WS}?({_XRANGE_PLAIN}){_WS}-{_WS}({_XRANGE_PLAIN}){_WS}?\Z")
_TILDE_TRIM = re.compile(rf"({_WS}?)~>?{_WS}")
_CARET_TRIM = re.compile(rf"({_WS}?)\^{_WS}")
_TILDE = re.compile(rf"^(?:~>?){_XRANGE_PLAIN}\Z")
_CARET = re.compile(rf"^\^{_XRANGE_PLAIN}\Z")
_XRANGE = re.compile(rf"^{_GTLT}{_WS}?{_XRANGE_PLAIN}\Z")
_STAR = re.compile(rf"(<|>)?=?{_WS}?\*")
_GTE0 = re.compile(rf"^{_WS}?>={_WS}?0\.0\.0{_WS}?\Z")
_GTE0_PRE = re.compile(rf"^{_WS}?>={_WS}?0\.0\.0-0{_WS}?\Z")
_COMPARATOR = re.compile(rf"^{_GTLT}{_WS}?({_FULL_PLAIN})\Z|^\Z")
_WS_RUN = re.compile(f"{_WS}+")

#: The comparator node-semver uses for "nothing matches".
NULL_SET: Final = "<0.0.0-0"


@dataclass(frozen=True, slots=True)
class ParsedComparator:
    """One primitive comparator: ``operator`` is ``''`` (equal), ``<``, ``<=``, ``>`` or ``>=``.

    ``version`` is the normalised version text (no ``v``, no build metadata), or ``None`` for the
    comparator that matches anything (node-semver's ``ANY``).
    """

    operator: str
    version: str | None

    @property
    def value(self) -> str:
        """node-semver's ``comparator.value``: ``'>=1.2.3'``, or ``''`` for any version."""
        return "" if self.version is None else self.operator + self.version


_ANY: Final = ParsedComparator("", None)


class _Src:
    """Text plus, for each character, the ``(start, end)`` span of source it came from."""

    __slots__ = ("spans", "text")

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text = text
        self.spans = spans

    def span(self, fallback: tuple[int, int]) -> tuple[int, int]:
        if not self.spans:
            return fallback
        return (min(s for s, _ in self.spans), max(e for _, e in self.spans))

    def slice(self, start: int, end: int) -> _Src:
        return _Src(self.text[start:end], self.spans[start:end])

    def trim(self) -> _Src:
        start, end = 0, len(self.text)
        while start < end and self.text[start] in _WS_CHARS:
            start += 1
        while end > start and self.text[end - 1] in _WS_CHARS:
            end -= 1
        return self.slice(start, end)

    def sub(
        self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], count: int = 0
    ) -> _Src:
        """``pattern.sub`` that keeps spans: replacement text inherits the span of its match."""
        text: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for n, match in enumerate(pattern.finditer(self.text)):
            if count and n >= count:
                break
            start, end = match.span()
            text.append(self.text[pos:start])
            spans.extend(self.spans[pos:start])
            new = repl(match)
            if start < end:
                where = (self.spans[start][0], self.spans[end - 1][1])
            elif self.spans:
                edge = self.spans[min(start, len(self.spans) - 1)]
                where = (edge[0], edge[0])
            else:
                where = (0, 0)
            text.append(new)
            spans.extend([where] * len(new))
            pos = end
        text.append(self.text[pos:])
        spans.extend(self.spans[pos:])
        return _Src("".join(text), spans)

    def split(self, pattern: re.Pattern[str] | str) -> list[_Src]:
        """Split like JavaScript's ``String.prototype.split`` with a string or a regex."""
        bounds = (
            [m.span() for m in re.finditer(re.escape(pattern), self.text)]
            if isinstance(pattern, str)
            else [m.span() for m in pattern.finditer(self.text)]
        )
        out: list[_Src] = []
        pos = 0
        for start, end in bounds:
            out.append(self.slice(pos, start))
            pos = end
        out.append(self.slice(pos, len(self.text)))
        return out

    def delete(self, indices: list[int]) -> _Src:
        drop = set(indices)
        keep = [i for i in range(len(self.text)) if i not in drop]
        return _Src("".join(self.text[i] for i in keep), [self.spans[i] for i in keep])

    @staticmethod
    def join(parts: list[_Src], sep: str, sep_span: tuple[int, int]) -> _Src:
        text: list[str] = []
        spans: list[tuple[int, int]] = []
        for i, part in enumerate(parts):
            if i:
                text.append(sep)
                spans.extend([sep_span] * len(sep))
            text.append(part.text)
            spans.extend(part.spans)
        return _Src("".join(text), spans)


# -- node-semver's desugaring steps, one function each -------------------------------------------


def _is_x(ident: str | None) -> bool:
    return not ident or ident.lower() == "x" or ident == "*"


def _caret(incpr: bool) -> Callable[[re.Match[str]], str]:
    z = "-0" if incpr else ""

    def repl(match: re.Match[str]) -> str:
        major, minor, patch, pre = match.group(1, 2, 3, 4)
        if _is_x(major):
            return ""
        if _is_x(minor):
            return f">={major}.0.0{z} <{int(major) + 1}.0.0-0"
        if _is_x(patch):
            if major == "0":
                return f">={major}.{minor}.0{z} <{major}.{int(minor) + 1}.0-0"
            return f">={major}.{minor}.0{z} <{int(major) + 1}.0.0-0"
        low = f">={major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
        if major == "0":
            if minor == "0":
                return f"{low} <{major}.{minor}.{int(patch) + 1}-0"
            return f"{low} <{major}.{int(minor) + 1}.0-0"
        return f"{low} <{int(major) + 1}.0.0-0"

    return repl


def _tilde(incpr: bool) -> Callable[[re.Match[str]], str]:
    z = "-0" if incpr else ""

    def repl(match: re.Match[str]) -> str:
        major, minor, patch, pre = match.group(1, 2, 3, 4)
        if _is_x(major):
            return ""
        if _is_x(minor):
            return f">={major}.0.0{z} <{int(major) + 1}.0.0-0"
        if _is_x(patch):
            return f">={major}.{minor}.0{z} <{major}.{int(minor) + 1}.0-0"
        low = f">={major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
        return f"{low} <{major}.{int(minor) + 1}.0-0"

    return repl


def _xrange(incpr: bool, comp: str) -> Callable[[re.Match[str]], str]:
    def repl(match: re.Match[str]) -> str:
        gtlt, major, minor, patch = match.group(1, 2, 3, 4)
        if (_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)):
            return comp  # x before a number (x.1, 1.x.2): left for the comparator check to reject
        x_major = _is_x(major)
        x_minor = x_major or _is_x(minor)
        any_x = x_minor or _is_x(patch)
        if gtlt == "=" and any_x:
            gtlt = ""
        pr = "-0" if incpr else ""
        if x_major:
            return NULL_SET if gtlt in (">", "<") else "*"
        if gtlt and any_x:
            n_major, n_minor = int(major), 0 if x_minor else int(minor)
            if gtlt == ">":
                gtlt = ">="
                if x_minor:
                    n_major, n_minor = n_major + 1, 0
                else:
                    n_minor += 1
            elif gtlt == "<=":
                gtlt = "<"
                if x_minor:
                    n_major += 1
                else:
                    n_minor += 1
            if gtlt == "<":
                pr = "-0"
            return f"{gtlt}{n_major}.{n_minor}.0{pr}"
        if x_minor:
            return f">={major}.0.0{pr} <{int(major) + 1}.0.0-0"
        if any_x:
            return f">={major}.{minor}.0{pr} <{major}.{int(minor) + 1}.0-0"
        return match.group(0)

    return repl


def _hyphen(part: _Src, incpr: bool) -> _Src:
    """``1.2 - 2.3.4`` -> ``>=1.2.0 <=2.3.4``; each side keeps the span it was written at."""
    match = _HYPHEN.match(part.text)
    if match is None:
        return part
    frm, f_major, f_minor, f_patch, f_pre = match.group(1, 2, 3, 4, 5)
    to, t_major, t_minor, t_patch, t_pre = match.group(7, 8, 9, 10, 11)
    z = "-0" if incpr else ""
    if _is_x(f_major):
        low = ""
    elif _is_x(f_minor):
        low = f">={f_major}.0.0{z}"
    elif _is_x(f_patch):
        low = f">={f_major}.{f_minor}.0{z}"
    elif f_pre:
        low = f">={frm}"
    else:
        low = f">={frm}{z}"
    if _is_x(t_major):
        high = ""
    elif _is_x(t_minor):
        high = f"<{int(t_major) + 1}.0.0-0"
    elif _is_x(t_patch):
        high = f"<{t_major}.{int(t_minor) + 1}.0-0"
    elif t_pre:
        high = f"<={t_major}.{t_minor}.{t_patch}-{t_pre}"
    elif incpr:
        high = f"<{t_major}.{t_minor}.{int(t_patch) + 1}-0"
    else:
        high = f"<={to}"
    sides = []
    for text, group in ((low, 1), (high, 7)):
        where = part.slice(*match.span(group)).span(part.span((0, 0)))
        sides.append(_Src(text, [where] * len(text)))
    return _Src.join(sides, " ", part.span((0, 0))).trim()


# -- internal/trim-comparator-whitespace.js: `> 1.2.3` -> `>1.2.3` --------------------------------


def _at(text: str, i: int) -> str:
    return text[i] if 0 <= i < len(text) else ""


def _digit(c: str) -> bool:
    return c != "" and "0" <= c <= "9"


def _letter(c: str) -> bool:
    return c != "" and ("a" <= c <= "z" or "A" <= c <= "Z")


def _ident_char(c: str) -> bool:
    return _digit(c) or _letter(c) or c == "-"


def _space(c: str) -> bool:
    return c != "" and c in _WS_CHARS


def _prefix(c: str) -> bool:
    return c in ("v", "=") or _space(c)


def _version_start(c: str) -> bool:
    return _digit(c) or c in ("x", "X", "*")


def _digits_end(s: str, start: int, limit: int) -> int:
    if not _digit(_at(s, start)):
        return start
    end = start + 1
    while _digit(_at(s, end)):
        end += 1
    return min(start + limit, end)


def _number_end(s: str, start: int, loose: bool) -> int:
    if not loose and _at(s, start) == "0":
        return start + 1
    return _digits_end(s, start, MAX_LENGTH if loose else MAX_LENGTH + 1)


def _pre_ident_end(s: str, start: int, loose: bool) -> int:
    digits_end = _digits_end(s, start, MAX_LENGTH)
    if _letter(_at(s, digits_end)) or _at(s, digits_end) == "-":
        end = digits_end + 1
        limit = end + _MAX_SAFE_BUILD_LENGTH
        while end < limit and _ident_char(_at(s, end)):
            end += 1
        return end
    return _number_end(s, start, loose)


def _pre_end(s: str, start: int, loose: bool) -> int:
    hyphen = _at(s, start) == "-"
    if not loose and not hyphen:
        return start
    ident_start = start + (1 if hyphen else 0)
    end = _pre_ident_end(s, ident_start, loose)
    if end == ident_start:
        if not loose or not hyphen:
            return start
        end = _pre_ident_end(s, start, loose)
    while _at(s, end) == ".":
        nxt = _pre_ident_end(s, end + 1, loose)
        if nxt == end + 1:
            break
        end = nxt
    return end


def _build_ident_end(s: str, start: int) -> int:
    end = start
    while end - start < _MAX_SAFE_BUILD_LENGTH and _ident_char(_at(s, end)):
        end += 1
    return end


def _build_end(s: str, start: int) -> int:
    if _at(s, start) != "+":
        return start
    end = _build_ident_end(s, start + 1)
    if end == start + 1:
        return start
    while _at(s, end) == ".":
        nxt = _build_ident_end(s, end + 1)
        if nxt == end + 1:
            break
        end = nxt
    return end


def _loose_full_end(s: str, start: int) -> int:
    end = start
    for component in range(3):
        nxt = _number_end(s, end, True)
        if nxt == end:
            return start
        end = nxt
        if component < 2:
            if _at(s, end) != ".":
                return start
            end += 1
    return _build_end(s, _pre_end(s, end, True))


def _partial_component_end(s: str, start: int) -> int:
    if _digit(_at(s, start)):
        return _number_end(s, start, False)
    return start + 1 if _version_start(_at(s, start)) else start


def _partial_end(s: str, start: int) -> int:
    end = _partial_component_end(s, start)
    for _ in range(2):
        if _at(s, end) != ".":
            return end
        nxt = _partial_component_end(s, end + 1)
        if nxt == end + 1:
            return end
        end = nxt
    return _build_end(s, _pre_end(s, end, False))


def _removable_ws(s: str, match_start: int) -> int:
    pos = match_start
    if _space(_at(s, pos)):
        pos += 1
    if _at(s, pos) in ("<", ">"):
        pos += 1
    if _at(s, pos) == "=":
        pos += 1
    return pos if _space(_at(s, pos)) else -1


def _trim_comparator_whitespace(src: _Src) -> _Src:
    s = src.text
    removed: list[int] = []
    cursor = 0
    while cursor < len(s):
        match_start = cursor
        if s[cursor] in ("<", ">"):
            cursor += 1
        elif not _prefix(s[cursor]) and not _version_start(s[cursor]):
            cursor += 1
            continue
        while cursor < len(s) and _prefix(s[cursor]):
            cursor += 1
        if not _version_start(_at(s, cursor)):
            continue
        ws = _removable_ws(s, match_start)
        if ws != -1:
            removed.append(ws)
        full = _loose_full_end(s, cursor)
        cursor = full if full != cursor else _partial_end(s, cursor)
    return src.delete(removed)


# -- the pipeline --------------------------------------------------------------------------------


def _desugar_word(word: _Src, incpr: bool) -> _Src:
    """node-semver's ``parseComparator``: caret, tilde, x-range and star rewrites of one word."""
    word = word.sub(_BUILD_ONE, lambda _m: "", count=1)
    span = word.span((0, 0))
    word = _Src.join([w.sub(_CARET, _caret(incpr)) for w in word.trim().split(_WS_RUN)], " ", span)
    word = _Src.join([w.sub(_TILDE, _tilde(incpr)) for w in word.trim().split(_WS_RUN)], " ", span)
    parts = []
    for piece in word.split(_WS_RUN):
        w = piece.trim()
        parts.append(w.sub(_XRANGE, _xrange(incpr, w.text)))
    word = _Src.join(parts, " ", span)
    return word.trim().sub(_STAR, lambda _m: "", count=1)


def _comparator(word: _Src, source: str, location: Location | None) -> ParsedComparator:
    match = _COMPARATOR.match(word.text)
    if match is None:
        span = word.span((0, len(source)))
        written = source[span[0] : span[1]]
        if word.text.startswith((">==", "<==")) and written.lstrip().startswith("="):
            reason = f"{written!r}: the sides of a hyphen range 'A - B' take no '=' prefix"
        else:
            reason = _explain(word.text)
        raise _syntax_error(source, span, reason, location)
    if match.group(2) is None:
        return _ANY
    operator = match.group(1) or ""
    operator = "" if operator == "=" else operator
    if len(match.group(2)) > MAX_LENGTH:
        raise _syntax_error(
            source,
            word.span((0, len(source))),
            f"version is longer than {MAX_LENGTH} characters",
            location,
        )
    major, minor, patch, pre = match.group(3, 4, 5, 6)
    for name, number in (("major", major), ("minor", minor), ("patch", patch)):
        if int(number) > MAX_SAFE_INTEGER:
            raise _syntax_error(
                source,
                word.span((0, len(source))),
                f"{name} version {number} is larger than {MAX_SAFE_INTEGER}",
                location,
            )
    text = f"{int(major)}.{int(minor)}.{int(patch)}" + (f"-{pre}" if pre else "")
    return ParsedComparator(operator, text)


def _parse_set(
    part: _Src, incpr: bool, source: str, location: Location | None
) -> list[ParsedComparator]:
    part = part.sub(_BUILD_STRIP, lambda _m: "")
    part = _hyphen(part, incpr)
    part = _trim_comparator_whitespace(part)
    part = part.sub(_TILDE_TRIM, lambda m: m.group(1) + "~")
    part = part.sub(_CARET_TRIM, lambda m: m.group(1) + "^")
    span = part.span((0, 0))
    words = [_desugar_word(word, incpr) for word in part.split(" ")]
    gte0 = _GTE0_PRE if incpr else _GTE0
    comps = [
        _comparator(word.trim().sub(gte0, lambda _m: ""), source, location)
        for word in _Src.join(words, " ", span).split(_WS_RUN)
    ]
    found: dict[str, ParsedComparator] = {}
    for comp in comps:
        if comp.value == NULL_SET:
            return [comp]
        found[comp.value] = comp
    if len(found) > 1:
        found.pop("", None)
    return list(found.values())


def parse_range_sets(
    source: str, include_prerelease: bool, location: Location | None = None
) -> tuple[str, list[list[ParsedComparator]]]:
    """Parse ``source`` as node-semver does: ``(raw, comparator sets)``.

    ``raw`` is node's ``range.raw``: trimmed, each run of whitespace made one space.

    :raises InvalidRange: at the first invalid comparator, with a ``~~~^`` marker under it.
    """
    # Trim and collapse whitespace, remembering where each character came from.
    start, end = 0, len(source)
    while start < end and source[start] in _WS_CHARS:
        start += 1
    while end > start and source[end - 1] in _WS_CHARS:
        end -= 1
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    i = start
    while i < end:
        if source[i] in _WS_CHARS:
            j = i
            while j < end and source[j] in _WS_CHARS:
                j += 1
            text.append(" ")
            spans.append((i, j))
            i = j
        else:
            text.append(source[i])
            spans.append((i, i + 1))
            i += 1
    raw = _Src("".join(text), spans)
    sets = [
        _parse_set(part.trim(), include_prerelease, source, location) for part in raw.split("||")
    ]
    sets = [s for s in sets if s]
    if not sets:  # pragma: no cover - node's strict mode always yields a comparator per part
        raise _syntax_error(source, (0, len(source)), "no comparators", location)
    if len(sets) > 1:
        first = sets[0]
        sets = [s for s in sets if s[0].value != NULL_SET] or [first]
        for s in sets:
            if len(s) == 1 and s[0].version is None:
                sets = [s]
                break
    return raw.text, sets


def format_sets(sets: list[list[ParsedComparator]]) -> str:
    """node-semver's ``range.range``: comparators joined by spaces, sets by ``||``."""
    return "||".join(" ".join(c.value for c in s) for s in sets)


def _explain(word: str) -> str:
    """Why ``word`` (a desugared comparator) is not valid, in words."""
    stripped = word.lstrip("<>=")
    if not stripped:
        return f"operator {word!r} is not followed by a version"
    if word.startswith(("<<", ">>", "<>", "><", "=<", "=>", "==")):
        return f"{word!r} is not a comparator: operators are < <= > >= ="
    if word in ("-", "|"):
        return f"unexpected {word!r}: a hyphen range is 'A - B', a union is 'A || B'"
    if re.search(r"(^|[.<>=~^v])0[0-9]", word):
        return f"{word!r}: numeric identifiers must not have leading zeros"
    return (
        f"{word!r} is not a comparator: expected a version (1.2.3), a partial or x-range "
        "(1, 1.2, 1.x, *), optionally after <, <=, >, >=, =, ~ or ^"
    )


def _syntax_error(
    source: str, span: tuple[int, int], reason: str, location: Location | None
) -> InvalidRange:
    start, end = span
    marker = " " * start + "~" * max(end - start - 1, 0) + "^"
    message = f"invalid range {source!r}: {reason}\n    {source}\n    {marker}"
    return InvalidRange(message, location=location)
