"""A configurable search/replace pattern with one ``{version}`` placeholder.

``version = "{version}"`` finds ``version = "2.1.0"`` in a Terraform module. Everything but the
placeholder is literal text (a newline in the pattern also matches CRLF); the placeholder matches a
version-looking token. A pattern that starts or ends with a word character only matches at a word
boundary, so ``version = "{version}"`` never edits ``required_version = "..."``. ``count`` None
means exactly one match.
"""

from __future__ import annotations

import re

from polaris.versions.files._common import (
    SEMVERISH,
    check_count,
    error,
    line_col,
    new_version,
    splice,
)
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["PatternVersionFile", "compile_pattern"]

PLACEHOLDER = "{version}"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regex for ``pattern``; group ``version`` is the placeholder.

    >>> compile_pattern('v{version}').search('image v2.1.0-rc.1 here')['version']
    '2.1.0-rc.1'

    :raises ValueError: ``pattern`` does not hold ``{version}`` exactly once.
    """
    if pattern.count(PLACEHOLDER) != 1:
        raise ValueError(f"pattern {pattern!r} must contain {PLACEHOLDER} exactly once")
    before, after = pattern.split(PLACEHOLDER)

    def literal(s: str) -> str:
        return r"\r?\n".join(re.escape(part) for part in s.split("\n"))

    # A boundary where the literal text ends in a word character, or where the token itself is
    # at the pattern's edge (so `{version}` alone does not match inside `12.1.0.5`).
    head = r"(?<![\w.+-])" if not before else (r"(?<!\w)" if _is_word(before[0]) else "")
    tail = r"(?![\w.+-])" if not after else (r"(?!\w)" if _is_word(after[-1]) else "")
    return re.compile(f"{head}{literal(before)}(?P<version>{SEMVERISH}){literal(after)}{tail}")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class PatternVersionFile(VersionFormat):
    """``format = "pattern"``: every match of ``pattern``; count None = exactly one."""

    def _regex(self) -> re.Pattern[str]:
        try:
            return compile_pattern(self.spec.pattern or "")
        except ValueError as exc:
            raise error(self.spec, str(exc), field="pattern") from None

    @property
    def where(self) -> str:
        """``pattern 'version = "{version}"'``."""
        return f"pattern {self.spec.pattern!r}"

    def _matches(self, text: str) -> list[re.Match[str]]:
        matches = list(self._regex().finditer(text))
        check_count(
            self.spec,
            [line_col(text, m.start("version"))[0] for m in matches],
            what=f"pattern {self.spec.pattern!r}",
            field="pattern",
        )
        return matches

    def find(self, text: str) -> list[Found]:
        """The token at the placeholder of each match."""
        out: list[Found] = []
        for m in self._matches(text):
            line, column = line_col(text, m.start("version"))
            out.append(Found(self.spec.path, line, column, m["version"], self.where))
        return out

    def replace(self, text: str, version: str) -> str:
        """The token of each match replaced; the rest of the match kept."""
        v = str(new_version(self.spec, version, field="pattern"))
        edits = [(m.start("version"), m.end("version"), v) for m in self._matches(text)]
        return splice(text, edits)
