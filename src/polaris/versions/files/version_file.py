"""The seed's ``VERSION`` file (section 3.1.2): one ``KEY=VALUE`` line per version part.

::

    MAJOR_VERSION=2
    MINOR_VERSION=1
    PATCH_VERSION=0
    PRERELEASE=
    BUILD_METADATA=

The file is shell-sourceable, so lines may be in any order, carry ``export``, quotes and ``#``
comments; other keys are allowed and left alone. ``PRERELEASE`` and ``BUILD_METADATA`` may be
absent (read as empty); writing a version that needs one adds its line after the version keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from polaris.versions.files._common import error, line_starts, new_version, splice
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["KeyValueVersionFile"]

MAJOR: Final = "MAJOR_VERSION"
MINOR: Final = "MINOR_VERSION"
PATCH: Final = "PATCH_VERSION"
PRE: Final = "PRERELEASE"
BUILD: Final = "BUILD_METADATA"
KEYS: Final = (MAJOR, MINOR, PATCH, PRE, BUILD)
REQUIRED: Final = (MAJOR, MINOR, PATCH)
WHERE: Final = "MAJOR_VERSION..BUILD_METADATA"

_ASSIGN = re.compile(
    r"""
    (?P<prefix>[ \t]*(?:export[ \t]+)?)
    (?P<key>[A-Za-z_][A-Za-z0-9_]*)
    [ \t]*=[ \t]*
    (?: "(?P<dq>[^"]*)" | '(?P<sq>[^']*)' | (?P<bare>[^\s\#"']*) )
    [ \t]*(?:\#.*)?
    """,
    re.VERBOSE,
)
_SKIP = re.compile(r"[ \t]*(?:#.*)?")


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    value: str
    #: Offsets of the value's characters (inside any quotes) in the whole text.
    start: int
    end: int
    line: int
    #: Text of the line before the key (indentation, ``export``) and its end-of-content offset.
    prefix: str
    line_end: int
    newline: str


class KeyValueVersionFile(VersionFormat):
    """``format = "version-file"``: the composed ``MAJOR.MINOR.PATCH[-PRE][+BUILD]``."""

    def _entries(self, text: str) -> dict[str, _Entry]:
        entries: dict[str, _Entry] = {}
        starts = line_starts(text)
        for number, start in enumerate(starts, 1):
            stop = starts[number] if number < len(starts) else len(text)
            raw = text[start:stop]
            content = raw.rstrip("\r\n")
            newline = raw[len(content) :]
            if _SKIP.fullmatch(content):
                continue
            m = _ASSIGN.fullmatch(content)
            if m is None:
                raise error(
                    self.spec,
                    f"cannot parse {content.strip()!r}: expected KEY=VALUE, a comment or a "
                    "blank line",
                    line=number,
                )
            key = m["key"]
            if key not in KEYS:
                continue
            group = next(g for g in ("dq", "sq", "bare") if m[g] is not None)
            if key in entries:
                raise error(
                    self.spec,
                    f"{key} is set twice, on lines {entries[key].line} and {number}",
                    line=number,
                    field=key,
                )
            entries[key] = _Entry(
                key=key,
                value=m[group],
                start=start + m.start(group),
                end=start + m.end(group),
                line=number,
                prefix=m["prefix"],
                line_end=start + len(content),
                newline=newline,
            )
        for key in REQUIRED:
            if key not in entries:
                raise error(
                    self.spec,
                    f"{key} is missing",
                    field=key,
                    hint=f"a VERSION file needs {', '.join(REQUIRED)} (PRERELEASE and "
                    "BUILD_METADATA are optional)",
                )
        return entries

    def find(self, text: str) -> list[Found]:
        """The composed version, located at the ``MAJOR_VERSION`` value."""
        entries = self._entries(text)
        version = ".".join(entries[k].value for k in REQUIRED)
        if PRE in entries and entries[PRE].value:
            version += "-" + entries[PRE].value
        if BUILD in entries and entries[BUILD].value:
            version += "+" + entries[BUILD].value
        major = entries[MAJOR]
        column = major.start - text.rfind("\n", 0, major.start)
        return [Found(self.spec.path, major.line, column, version, WHERE)]

    def replace(self, text: str, version: str) -> str:
        """Each value rewritten; a missing PRERELEASE/BUILD_METADATA line added when needed."""
        v = new_version(self.spec, version)
        entries = self._entries(text)
        values = {
            MAJOR: str(v.major),
            MINOR: str(v.minor),
            PATCH: str(v.patch),
            PRE: ".".join(v.prerelease),
            BUILD: ".".join(v.build),
        }
        edits = [(e.start, e.end, values[k]) for k, e in entries.items() if e.value != values[k]]
        missing = [k for k in (PRE, BUILD) if k not in entries and values[k]]
        if missing:
            anchor = max(entries.values(), key=lambda e: e.line)
            newline = anchor.newline or _first_newline(text)
            added = "".join(f"{newline}{anchor.prefix}{k}={values[k]}" for k in missing)
            edits.append((anchor.line_end, anchor.line_end, added))
        return splice(text, edits)


def _first_newline(text: str) -> str:
    m = re.search(r"\r\n|\r|\n", text)
    return m.group() if m else "\n"
