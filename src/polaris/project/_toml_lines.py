"""Line numbers of the keys in a TOML document, for error messages.

``tomllib`` (and ``tomlkit``) give values, not positions. Config errors must name the line a user
can jump to, so this module scans the *already validated* source text once and maps every key path
to the 1-based line where it is first written: table headers (``[components.api]``), keys
(``kind = ...``), dotted keys, keys inside inline tables, array elements (by index) and arrays of
tables (``[[components.api.files]]``, by index).

It is a locator, not a parser: it trusts that ``tomllib`` accepted the text, and if anything still
surprises it, it stops and returns what it has found so far (errors then fall back to a parent's
line). It never raises.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Mapping

__all__ = ["KeyPath", "key_lines", "line_of"]

#: A path into the document: table keys (str) and array indices (int).
KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}\n\r#")


class _Stop(Exception):
    """The text does not look as expected: give up quietly."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        #: How many ``[[x]]`` tables each array-of-tables path has seen so far.
        self.aot: dict[KeyPath, int] = {}

    # -- low level ------------------------------------------------------------------------------

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def advance(self, n: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + n]
        self.line += chunk.count("\n")
        self.pos += n

    def expect(self, s: str) -> None:
        if not self.text.startswith(s, self.pos):
            raise _Stop
        self.advance(len(s))

    def skip_ws(self, *, newlines: bool) -> None:
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.advance()
            elif c == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def record(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line)

    # -- strings and keys -----------------------------------------------------------------------

    def string(self) -> str:
        """Consume a string of any of the four kinds and return its raw source."""
        start = self.pos
        for quote in ('"""', "'''"):
            if self.text.startswith(quote, self.pos):
                self.advance(3)
                while True:
                    end = self.text.find(quote, self.pos)
                    if end < 0:
                        raise _Stop
                    if quote == '"""' and _escaped(self.text, end):
                        self.advance(end + 1 - self.pos)
                        continue
                    self.advance(end + 3 - self.pos)
                    # Up to two quotes may end the content right before the delimiter.
                    while self.peek() == quote[0] and self.pos - end < 5:
                        self.advance()
                    return self.text[start : self.pos]
        quote = self.peek()
        self.advance()
        while True:
            end = self.text.find(quote, self.pos)
            if end < 0 or "\n" in self.text[self.pos : end]:
                raise _Stop
            if quote == '"' and _escaped(self.text, end):
                self.advance(end + 1 - self.pos)
                continue
            self.advance(end + 1 - self.pos)
            return self.text[start : self.pos]

    def key(self) -> tuple[str, ...]:
        """A simple or dotted key."""
        parts: list[str] = []
        while True:
            self.skip_ws(newlines=False)
            c = self.peek()
            if c in ('"', "'"):
                raw = self.string()
                try:
                    parts.append(str(tomllib.loads(f"k = {raw}")["k"]))
                except tomllib.TOMLDecodeError as exc:
                    raise _Stop from exc
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE:
                    self.pos += 1
                if self.pos == start:
                    raise _Stop
                parts.append(self.text[start : self.pos])
            self.skip_ws(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.advance()

    # -- values ---------------------------------------------------------------------------------

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.advance()
            index = 0
            while True:
                self.skip_ws(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                self.record((*path, index))
                self.value((*path, index))
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.advance()
                index += 1
        elif c == "{":
            self.advance()
            while True:
                self.skip_ws(newlines=True)
                if self.peek() == "}":
                    self.advance()
                    return
                self.pair(path)
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.advance()
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == start:
                raise _Stop

    def pair(self, table: KeyPath) -> None:
        """``key = value`` inside ``table``."""
        keys = self.key()
        for i in range(1, len(keys) + 1):
            self.record((*table, *keys[:i]))
        self.expect("=")
        self.skip_ws(newlines=False)
        self.value((*table, *keys))

    # -- document -------------------------------------------------------------------------------

    def header_path(self, keys: tuple[str, ...], *, array: bool) -> KeyPath:
        """Resolve a header's keys, stepping into the latest element of arrays of tables."""
        out: KeyPath = ()
        for i, k in enumerate(keys):
            out = (*out, k)
            last = i == len(keys) - 1
            if out in self.aot and not (last and array):
                out = (*out, self.aot[out] - 1)
        if array:
            n = self.aot.get(out, 0)
            self.aot[out] = n + 1
            self.record(out)
            out = (*out, n)
        return out

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_ws(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.advance(2)
                table = self.header_path(self.key(), array=True)
                self.expect("]]")
                self.record(table)
            elif self.peek() == "[":
                self.advance()
                table = self.header_path(self.key(), array=False)
                self.expect("]")
                self.record(table)
            else:
                self.pair(table)


def _escaped(text: str, quote_at: int) -> bool:
    """Whether the quote at ``quote_at`` is preceded by an odd number of backslashes."""
    n = 0
    i = quote_at - 1
    while i >= 0 and text[i] == "\\":
        n += 1
        i -= 1
    return n % 2 == 1


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each key path of the TOML ``text`` to the 1-based line where it first appears.

    >>> lines = key_lines('[a]\\nb = 1\\nc = [\\n  {d = 2},\\n]\\n')
    >>> lines[("a",)], lines[("a", "b")], lines[("a", "c", 0)], lines[("a", "c", 0, "d")]
    (1, 2, 4, 4)
    """
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, IndexError):
        scanner.document()
    return scanner.lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, else of its nearest recorded parent, else None."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None
