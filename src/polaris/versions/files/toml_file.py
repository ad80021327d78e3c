"""A string value in a TOML file by dotted key, default ``project.version`` (pyproject.toml).

tomlkit parses the file (and reports errors with their line); the value's position is found by
having tomlkit re-render the document with a sentinel in place of the value, and the original text
is then spliced there, so no byte outside the version's characters can change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import String, StringType

from polaris.versions.files._common import BOM, error, line_col, new_version, splice
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["TomlVersionFile"]

DEFAULT_KEY: Final = "project.version"
_SENTINEL: Final = "polaris-sentinel-5f0c2a"
_DELIMS: Final = {
    StringType.SLB: '"',
    StringType.SLL: "'",
    StringType.MLB: '"""',
    StringType.MLL: "'''",
}


class TomlVersionFile(VersionFormat):
    """``format = "toml"``: ``key`` is a dotted path to a string value."""

    @property
    def key(self) -> str:
        """The dotted key, ``project.version`` by default."""
        return self.spec.key or DEFAULT_KEY

    @property
    def where(self) -> str:
        """``[project].version`` for ``project.version``."""
        parts = self.key.split(".")
        return f"[{'.'.join(parts[:-1])}].{parts[-1]}" if len(parts) > 1 else parts[0]

    def _locate(self, text: str) -> tuple[int, int, str, str]:
        """``(start, end, value, delimiter)`` of the string value's raw text, quotes included."""
        skip = 1 if text.startswith(BOM) else 0
        body = text[skip:]
        try:
            doc = tomlkit.parse(body)
        except TOMLKitError as exc:
            raise error(
                self.spec, f"not valid TOML: {exc}", line=getattr(exc, "line", None)
            ) from None
        parts = self.key.split(".")
        node: object = doc
        for depth, part in enumerate(parts):
            here = ".".join(parts[: depth + 1])
            if not isinstance(node, Mapping):
                raise error(
                    self.spec,
                    f"{'.'.join(parts[:depth])} is not a table, cannot hold {self.key}",
                    field=self.key,
                )
            if part not in node:
                raise error(
                    self.spec,
                    f"key {here} is missing",
                    field=self.key,
                    hint="set `key` in the file spec to the dotted key holding the version",
                )
            parent, node = node, node[part]
        if not isinstance(node, String):
            raise error(
                self.spec,
                f"{self.key} is a {type(node).__name__.lower()}, expected a string",
                field=self.key,
            )
        raw = node.as_string()
        delim = _DELIMS[node.type]
        parent[parts[-1]] = _SENTINEL  # type: ignore[index]
        rendered = doc.as_string()
        hit = rendered.find(_SENTINEL) - 1
        if hit < 0 or rendered[:hit] != body[:hit] or body[hit : hit + len(raw)] != raw:
            raise error(  # pragma: no cover - tomlkit round-trips; this guards the splice
                self.spec, f"cannot locate {self.key} in the text", field=self.key
            )
        return skip + hit, skip + hit + len(raw), str(node), delim

    def find(self, text: str) -> list[Found]:
        """The value at ``key``, located at its first character."""
        start, _, value, delim = self._locate(text)
        line, column = line_col(text, start + len(delim))
        return [Found(self.spec.path, line, column, value, self.where)]

    def replace(self, text: str, version: str) -> str:
        """The string's characters replaced, its quoting kept."""
        v = new_version(self.spec, version, field=self.key)
        start, end, value, delim = self._locate(text)
        inner = text[start + len(delim) : end - len(delim)]
        if inner == value:
            return splice(text, [(start + len(delim), end - len(delim), str(v))])
        # Escapes or a multi-line string's leading newline: write the whole string afresh.
        return splice(text, [(start, end, f"{delim}{v}{delim}")])
