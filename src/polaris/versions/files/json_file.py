"""A string value in a JSON file by dotted key, default ``version`` (package.json).

The file is validated with :mod:`json`, then walked once more with the standard library's
decoder to find the exact span of the value, which is spliced: indentation, key order and every
other byte stay as they were.
"""

from __future__ import annotations

import json
import re
from typing import Final

from polaris.versions.files._common import BOM, error, line_col, new_version, splice
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["JsonVersionFile"]

DEFAULT_KEY: Final = "version"
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonVersionFile(VersionFormat):
    """``format = "json"``: ``key`` is a dotted path (numeric parts index arrays)."""

    @property
    def key(self) -> str:
        """The dotted key, ``version`` by default."""
        return self.spec.key or DEFAULT_KEY

    def _locate(self, text: str) -> tuple[int, int, str]:
        """``(start, end, value)`` of the string value, quotes included."""
        skip = 1 if text.startswith(BOM) else 0
        try:
            json.loads(text[skip:])
        except json.JSONDecodeError as exc:
            raise error(self.spec, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
        pos = _WS.match(text, skip).end()  # type: ignore[union-attr]
        parts = self.key.split(".")
        for depth, part in enumerate(parts):
            found = _member(text, pos, part)
            if found is None:
                where = ".".join(parts[:depth]) or "the top level"
                raise error(
                    self.spec,
                    f"key {'.'.join(parts[: depth + 1])} is missing (no {part!r} in {where})",
                    field=self.key,
                    hint="set `key` in the file spec to the dotted key holding the version",
                )
            if isinstance(found, list):
                raise error(
                    self.spec,
                    f"key {part!r} appears {len(found)} times in one object",
                    line=line_col(text, found[1])[0],
                    field=self.key,
                )
            pos = found
        if text[pos] != '"':
            value, _ = _DECODER.raw_decode(text, pos)
            raise error(
                self.spec,
                f"{self.key} is {json.dumps(value)[:40]}, expected a string",
                line=line_col(text, pos)[0],
                field=self.key,
            )
        value, end = _DECODER.raw_decode(text, pos)
        return pos, end, value

    def find(self, text: str) -> list[Found]:
        """The string at ``key``."""
        start, _, value = self._locate(text)
        line, column = line_col(text, start + 1)
        return [Found(self.spec.path, line, column, value, self.key)]

    def replace(self, text: str, version: str) -> str:
        """The string's characters replaced."""
        v = new_version(self.spec, version, field=self.key)
        start, end, value = self._locate(text)
        if text[start + 1 : end - 1] == value:
            return splice(text, [(start + 1, end - 1, str(v))])
        return splice(text, [(start, end, f'"{v}"')])  # escapes: write the whole string afresh


def _member(text: str, pos: int, part: str) -> int | list[int] | None:
    """Offset of the value of ``part`` in the object or array at ``pos``.

    None when absent (or ``pos`` holds neither), a list of the offsets when a key repeats.
    """
    opener = text[pos]
    if opener == "[":
        if not part.isdigit():
            return None
        index = int(part)
    elif opener != "{":
        return None
    hits: list[int] = []
    i = _ws(text, pos + 1)
    n = 0
    while text[i] not in "]}":
        if opener == "{":
            key, i = _DECODER.raw_decode(text, i)
            i = _ws(text, _ws(text, i) + 1)  # past ':'
            if key == part:
                hits.append(i)
        elif n == index:
            return i
        _, i = _DECODER.raw_decode(text, i)
        n += 1
        i = _ws(text, i)
        if text[i] == ",":
            i = _ws(text, i + 1)
    if not hits:
        return None
    return hits[0] if len(hits) == 1 else hits


def _ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]
