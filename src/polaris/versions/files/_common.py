"""Helpers shared by the version-file formats: positions, errors, splicing, counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from polaris.core.errors import InvalidVersion, Location, VersionFileError
from polaris.core.project import FileSpec
from polaris.core.semver import Version

__all__ = [
    "BOM",
    "SEMVERISH",
    "check_count",
    "error",
    "line_col",
    "line_of",
    "lines_label",
    "new_version",
    "splice",
]

BOM: Final = "\ufeff"

#: A version-looking token: what a ``{version}`` placeholder and a lenient reader accept. It is
#: wider than SemVer (``1.2``, ``01.2.3`` match) so that a wrong value is found and reported
#: rather than silently skipped; :meth:`Version.parse` decides whether it is valid.
SEMVERISH: Final = r"[0-9]+(?:\.[0-9]+)*(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"

_NEWLINE = re.compile(r"\r\n|\r|\n")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of ``offset`` in ``text`` (CRLF counts as one line break)."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def line_of(text: str, offset: int) -> int:
    """1-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts (index 0 is line 1), splitting like Python's tokenizer."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def error(
    spec: FileSpec,
    message: str,
    *,
    line: int | None = None,
    field: str | None = None,
    hint: str | None = None,
) -> VersionFileError:
    """A :class:`VersionFileError` located in ``spec``'s file."""
    return VersionFileError(
        message, location=Location(file=spec.path, line=line, field=field), hint=hint
    )


def new_version(spec: FileSpec, version: str, *, field: str | None = None) -> Version:
    """``version`` parsed strictly: only valid SemVer is ever written into a file."""
    try:
        return Version.parse(version)
    except InvalidVersion as exc:
        raise error(
            spec,
            f"cannot write {version!r}: {exc.message}",
            field=field,
            hint="only a SemVer 2.0.0 version can be written",
        ) from None


def splice(text: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` span replaced; spans must not overlap."""
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(edits):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def lines_label(lines: Sequence[int]) -> str:
    """``line 3`` or ``lines 3, 7 and 9``."""
    if len(lines) == 1:
        return f"line {lines[0]}"
    head = ", ".join(str(n) for n in lines[:-1])
    return f"lines {head} and {lines[-1]}"


def check_count(
    spec: FileSpec,
    lines: Sequence[int],
    *,
    what: str,
    field: str,
    at_least_one: bool = False,
) -> None:
    """Raise unless ``lines`` (one per match) is as many matches as ``spec.count`` requires.

    ``spec.count`` is an exact number; ``None`` means exactly one, or one or more when
    ``at_least_one`` (image references).
    """
    n = len(lines)
    if n == 0:
        raise error(
            spec,
            f"{what} found nowhere",
            field=field,
            hint="check the file spec in polaris.toml against the file's content",
        )
    if spec.count is None:
        if at_least_one or n == 1:
            return
        expected = "exactly 1"
    elif n == spec.count:
        return
    else:
        expected = f"exactly {spec.count}"
    raise error(
        spec,
        f"{what} found {n} times, on {lines_label(lines)}; expected {expected}",
        line=lines[0],
        field=field,
        hint="make the match unique or set `count` in the file spec",
    )
