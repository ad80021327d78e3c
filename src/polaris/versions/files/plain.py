"""A file holding only the version (``models/ner/VERSION``: ``1.3.0`` and a newline)."""

from __future__ import annotations

from polaris.versions.files._common import error, line_col, new_version, splice
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["PlainVersionFile"]

_WHITESPACE = " \t\r\n\ufeff"


class PlainVersionFile(VersionFormat):
    """``format = "plain"``: the whole file, surrounding whitespace and newline kept."""

    def _span(self, text: str) -> tuple[int, int]:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        end = len(text.rstrip(_WHITESPACE))
        if start >= end:
            raise error(self.spec, "the file is empty; expected a version", line=1)
        body = text[start:end]
        if any(c.isspace() for c in body):
            line = line_col(text, start + next(i for i, c in enumerate(body) if c.isspace()))[0]
            raise error(
                self.spec,
                f"expected only a version, found {body.split()[0]!r} followed by more text",
                line=line,
                hint="use format 'pattern' for a file that holds more than the version",
            )
        return start, end

    def find(self, text: str) -> list[Found]:
        """The file's stripped content."""
        start, end = self._span(text)
        line, column = line_col(text, start)
        return [Found(self.spec.path, line, column, text[start:end], "whole file")]

    def replace(self, text: str, version: str) -> str:
        """The content replaced, whitespace around it kept."""
        v = new_version(self.spec, version)
        start, end = self._span(text)
        return splice(text, [(start, end, str(v))])
