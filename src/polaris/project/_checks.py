"""The checks behind config validation: typed getters, paths, tag formats and file specs.

:class:`Checker` collects a :class:`Problem` for everything wrong (it never stops at the first)
and returns None for a value it rejected, so callers build records from what is right. Each
problem names the field by its dotted path (``components.api.files[2].format``) and the line
where that key, or its nearest parent, is written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from polaris.core.errors import Location
from polaris.core.project import (
    FILE_FORMATS,
    FileFormat,
    FileSpec,
)
from polaris.project._toml_lines import KeyPath

__all__ = ["Checker", "Problem", "shown"]

_FILE_KEYS: Final = ("path", "format", "key", "image", "pattern", "count")
_FORMATS: Final[dict[str, FileFormat]] = {f: f for f in FILE_FORMATS}
#: Formats that take ``key``, with the default used when it is left out (None: required).
_KEY_DEFAULTS: Final[dict[str, str | None]] = {
    "toml": "project.version",
    "python": "__version__",
    "json": "version",
    "yaml": None,
    "dockerfile": None,  # a label name; both version labels when none
}
_PLACEHOLDER: Final = re.compile(r"\{([^{}]*)\}")
_DOTTED_KEY: Final = re.compile(r"[^.\s]+(?:\.[^.\s]+)*")
#: Characters git refuses in a tag name (git-check-ref-format), plus whitespace.
_BAD_TAG_CHARS: Final = frozenset(" \t\n~^:?*[\\")
_VERSION: Final = "{version}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the configuration."""

    location: Location
    message: str
    hint: str | None = None

    def one_line(self) -> str:
        """``file:line: field: message (hint: ...)``."""
        text = f"{self.location}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


def _field(path: KeyPath) -> str | None:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or None


def shown(value: object) -> str:
    """A TOML value as an error message shows it: ``'servce'``, ``true``, ``an array``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class Checker:
    """Collects problems while reading values out of parsed TOML."""

    def __init__(
        self,
        *,
        file: str,
        root: Path,
        prefix: KeyPath,
        locate: Callable[[KeyPath], int | None],
    ) -> None:
        self.file = file
        self.root = root
        self.prefix = prefix
        self.locate = locate
        self._problems: list[Problem] = []

    @property
    def problems(self) -> list[Problem]:
        """Every problem found, in file order (line, then discovery order)."""
        return sorted(self._problems, key=lambda p: p.location.line or 0)

    def report(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        """Record a problem at ``path`` (relative to the Polaris table)."""
        full = (*self.prefix, *path)
        location = Location(file=self.file, line=self.locate(full), field=_field(full))
        self._problems.append(Problem(location, message, hint))

    # -- generic checks -------------------------------------------------------------------------

    def table(self, value: object, path: KeyPath, what: str) -> dict[str, object] | None:
        if isinstance(value, dict):
            return value
        self.report(path, f"expected a table ({what}), got {shown(value)}")
        return None

    def known_keys(
        self,
        table: dict[str, object],
        path: KeyPath,
        allowed: tuple[str, ...],
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        """Report each key not in ``allowed``, suggesting the closest one (or where it belongs)."""
        for key in table:
            if key not in allowed:
                hint = _did_you_mean(key, allowed)
                if elsewhere and key in elsewhere:
                    hint = f"{key} belongs under {elsewhere[key]}"
                self.report(
                    (*path, key), f"unknown key {key!r}; expected one of {', '.join(allowed)}", hint
                )

    def string(
        self, table: dict[str, object], path: KeyPath, key: str, *, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.report((*path, key), "required key missing: expected a string")
            return None
        if not isinstance(value, str):
            self.report((*path, key), f"expected a string, got {shown(value)}")
            return None
        return value

    def choice(
        self, table: dict[str, object], path: KeyPath, key: str, choices: tuple[str, ...]
    ) -> str | None:
        value = self.string(table, path, key, required=True)
        if value is None:
            return None
        if value not in choices:
            self.report(
                (*path, key),
                f"expected one of {', '.join(choices)}, got {value!r}",
                _did_you_mean(value, choices),
            )
            return None
        return value

    def tag_format(self, value: str, path: KeyPath, placeholders: tuple[str, ...]) -> str | None:
        names = _PLACEHOLDER.findall(value)
        wanted = " and ".join("{" + p + "}" for p in placeholders)
        for name in names:
            if name not in placeholders:
                self.report(path, f"unknown placeholder {{{name}}}; expected only {wanted}")
                return None
        for name in placeholders:
            if names.count(name) != 1:
                self.report(path, f"expected {{{name}}} exactly once, got {value!r}")
                return None
        literal = _PLACEHOLDER.sub("", value)
        bad = sorted(set(literal) & _BAD_TAG_CHARS) or sorted(set(literal) & set("{}"))
        if bad:
            self.report(path, f"{bad[0]!r} is not allowed in a git tag name, got {value!r}")
            return None
        return value

    def rel_path(self, value: object, path: KeyPath, *, allow_root: bool = False) -> str | None:
        """A path relative to the repo root that stays inside it, normalised (``./a`` -> ``a``)."""
        if not isinstance(value, str) or not value:
            self.report(path, f"expected a non-empty path string, got {shown(value)}")
            return None
        if "\\" in value or "\0" in value:
            self.report(path, f"expected a path with forward slashes, got {value!r}")
            return None
        if PurePosixPath(value).is_absolute() or re.match(r"[A-Za-z]:(/|$)", value):
            self.report(
                path,
                f"expected a path relative to the repository root, got the absolute path {value!r}",
            )
            return None
        parts: list[str] = []
        for part in PurePosixPath(value).parts:
            if part == "..":
                if not parts:
                    self.report(path, f"expected a path inside the repository, {value!r} leaves it")
                    return None
                parts.pop()
            elif part != ".":
                parts.append(part)
        if not parts and not allow_root:
            self.report(path, f"expected a file path, got the repository root {value!r}")
            return None
        normal = "/".join(parts) or "."
        if not (self.root / normal).resolve().is_relative_to(self.root.resolve()):
            self.report(path, f"expected a path inside the repository, {value!r} links outside it")
            return None
        return normal

    # -- file specs -----------------------------------------------------------------------------

    def file_spec(self, value: object, path: KeyPath) -> FileSpec | None:
        spec = self.table(value, path, "a file spec: { path = ..., format = ... }")
        if spec is None:
            return None
        self.known_keys(spec, path, _FILE_KEYS)
        ok = True
        rel: str | None = None
        if "path" not in spec:
            self.report((*path, "path"), "required key missing: expected the file's path")
            ok = False
        else:
            rel = self.rel_path(spec["path"], (*path, "path"))
        fmt = self.choice(spec, path, "format", FILE_FORMATS)
        key = self.string(spec, path, "key")
        image = self.string(spec, path, "image")
        pattern = self.string(spec, path, "pattern")
        count = spec.get("count")
        if count is not None and (type(count) is not int or count < 1):
            self.report((*path, "count"), f"expected an integer >= 1, got {shown(count)}")
            ok = False
        if fmt is None or rel is None:
            return None
        if "key" in spec:
            if fmt not in _KEY_DEFAULTS:
                self.report(
                    (*path, "key"),
                    f"format {fmt!r} takes no key; key is only for {', '.join(_KEY_DEFAULTS)}",
                )
                ok = False
            elif key is not None and not self._key_ok(fmt, key):
                self.report(
                    (*path, "key"),
                    "expected a Python variable name"
                    if fmt == "python"
                    else f"expected a dotted key path like 'image.tag', got {key!r}",
                )
                ok = False
        elif fmt == "yaml":
            self.report((*path, "key"), "format 'yaml' needs key: a dotted path like 'image.tag'")
            ok = False
        ok &= self._format_option(spec, path, fmt, "image", image, self._image_ok)
        ok &= self._format_option(spec, path, fmt, "pattern", pattern, self._pattern_ok)
        if not ok:
            return None
        return FileSpec(
            path=rel,
            format=_FORMATS[fmt],
            key=key if key is not None else _KEY_DEFAULTS.get(fmt),
            image=image,
            pattern=pattern,
            count=count if type(count) is int else None,
        )

    @staticmethod
    def _key_ok(fmt: str, key: str) -> bool:
        if fmt == "python":
            return key.isidentifier()
        return _DOTTED_KEY.fullmatch(key) is not None

    def _format_option(
        self,
        spec: dict[str, object],
        path: KeyPath,
        fmt: str,
        option: str,
        value: str | None,
        check: Callable[[str, KeyPath], bool],
    ) -> bool:
        """``image`` belongs to format image, ``pattern`` to pattern: required there, else not."""
        if fmt == option:
            if option not in spec:
                self.report(
                    (*path, option), f"format {fmt!r} needs {option!r}: required key missing"
                )
                return False
            return value is not None and check(value, (*path, option))
        if option in spec:
            self.report((*path, option), f"{option!r} is only for format {option!r}, not {fmt!r}")
            return False
        return True

    def _image_ok(self, image: str, path: KeyPath) -> bool:
        if not image or any(c.isspace() for c in image):
            self.report(path, f"expected an image name like 'aiops/api', got {image!r}")
            return False
        bare = image.split("@", maxsplit=1)[0]
        if ":" in bare.rsplit("/", 1)[-1]:
            bare = bare.rsplit(":", 1)[0]
        if bare != image:
            self.report(
                path,
                f"expected an image name without tag or digest, got {image!r}",
                f"use {bare!r}; Polaris writes the tag" if bare else None,
            )
            return False
        return True

    def _pattern_ok(self, pattern: str, path: KeyPath) -> bool:
        if pattern.count(_VERSION) != 1:
            self.report(
                path,
                f"expected the placeholder {_VERSION} exactly once, got "
                f"{pattern.count(_VERSION)} in {pattern!r}",
            )
            return False
        return True

    def file_list(self, table: dict[str, object], path: KeyPath) -> tuple[FileSpec, ...]:
        value = table.get("files")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report((*path, "files"), f"expected an array of file specs, got {shown(value)}")
            return ()
        seen: dict[FileSpec, int] = {}
        for i, item in enumerate(value):
            spec = self.file_spec(item, (*path, "files", i))
            if spec is None:
                continue
            if spec in seen:
                self.report(
                    (*path, "files", i),
                    f"duplicate file spec: {spec.describe()} is listed at files[{seen[spec]}]",
                )
                continue
            seen[spec] = i
        return tuple(seen)
