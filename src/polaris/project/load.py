"""Find, parse and validate ``polaris.toml`` (or ``[tool.polaris]`` in ``pyproject.toml``).

Three separate steps: :func:`find_config` walks up to the config file, ``tomllib`` parses it, and
:func:`load_project` validates every field into :class:`~polaris.core.project.Project` records.
Validation reports every problem at once, each as ``file:line: field: what was expected``, so one
run of ``polaris version check`` shows a user all of their typos. The schema is documented in
``docs/configuration.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from polaris.core.errors import ConfigError, Location
from polaris.core.project import Project
from polaris.project._checks import Problem
from polaris.project._toml_lines import KeyPath, key_lines, line_of
from polaris.project._validate import Validator

if TYPE_CHECKING:
    from polaris.settings import Settings

__all__ = [
    "CONFIG_NAME",
    "PYPROJECT_NAME",
    "ConfigProblems",
    "find_config",
    "governance_dir",
    "load_project",
]

#: The config file Polaris looks for first in each directory.
CONFIG_NAME = "polaris.toml"
#: The fallback: a ``pyproject.toml`` with a ``[tool.polaris]`` table.
PYPROJECT_NAME = "pyproject.toml"

_HINT = f"create {CONFIG_NAME} at the repository root (see docs/configuration.md)"
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


class ConfigProblems(ConfigError):
    """A configuration with one or more problems, all of them in :attr:`problems`.

    ``location`` and ``hint`` are those of the first problem. With one problem the error reads
    like any other (``polaris.toml:7: components.api.kind: ...``); with several, :meth:`one_line`
    gives a count followed by one line per problem.
    """

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            message = first.message
        else:
            message = "\n".join(p.one_line() for p in self.problems)
        super().__init__(message, location=first.location, hint=first.hint)

    def one_line(self) -> str:
        """One line per problem, after a count when there are several."""
        if len(self.problems) == 1:
            return self.problems[0].one_line()
        lines = "\n".join(f"  {p.one_line()}" for p in self.problems)
        return f"{self.file}: {len(self.problems)} problems in the configuration:\n{lines}"


def _dirs_up(start: Path) -> Iterator[Path]:
    current = start.resolve()
    yield current
    yield from current.parents


def _read_toml(path: Path) -> tuple[str, dict[str, object]]:
    """The text and parsed content of ``path``; ConfigError with the line on bad TOML."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", location=Location(file=str(path))
        ) from None
    except FileNotFoundError:
        raise ConfigError("no such file", location=Location(file=str(path)), hint=_HINT) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(file=str(path))
        ) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        reason = _TOML_POSITION.sub("", str(exc)).strip()
        raise ConfigError(
            f"invalid TOML: {reason}",
            location=Location(file=str(path), line=int(match.group(1)) if match else None),
        ) from None


def _has_tool_polaris(path: Path) -> bool:
    _, data = _read_toml(path)
    tool = data.get("tool")
    return isinstance(tool, dict) and "polaris" in tool


def find_config(start: Path) -> Path:
    """The config file for ``start``: the file itself, or the nearest one found walking up.

    In each directory from ``start`` (or a file's directory) up to the filesystem root,
    ``polaris.toml`` wins, then a ``pyproject.toml`` that has a ``[tool.polaris]`` table; the
    nearest directory holding either wins.

    :param start: a directory to search from, or a config file given directly.
    :raises ConfigError: when ``start`` does not exist or no config file is found.
    """
    if start.is_file():
        return start
    if not start.exists():
        raise ConfigError(
            "no such file or directory", location=Location(file=str(start)), hint=_HINT
        )
    for directory in _dirs_up(start):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        candidate = directory / PYPROJECT_NAME
        if candidate.is_file() and _has_tool_polaris(candidate):
            return candidate
    raise ConfigError(
        f"no {CONFIG_NAME} (nor {PYPROJECT_NAME} with [tool.polaris]) in this directory or any "
        "parent",
        location=Location(file=str(start)),
        hint=_HINT,
    )


def load_project(path: Path) -> Project:
    """Load and validate the project configured by ``path``.

    :param path: ``polaris.toml``, a ``pyproject.toml`` with ``[tool.polaris]``, or a directory
        (then :func:`find_config` picks the file).
    :returns: the project, rooted at the config file's directory, with default keys filled in
        (``python`` -> ``__version__``, ``toml`` -> ``project.version``, ``json`` -> ``version``).
    :raises ConfigError: the file cannot be read or is not TOML (with its line).
    :raises ConfigProblems: (a ConfigError) listing every schema problem, each with file, line
        and field.
    """
    if path.is_dir():
        path = find_config(path)
    text, data = _read_toml(path)
    file = str(path)
    prefix: KeyPath = ()
    body: object = data
    if path.name == PYPROJECT_NAME:
        tool = data.get("tool")
        body = tool.get("polaris") if isinstance(tool, dict) else None
        if body is None:
            raise ConfigError(
                f"no [tool.polaris] table in {PYPROJECT_NAME}",
                location=Location(file=file),
                hint=f"add [tool.polaris.platform] or use {CONFIG_NAME}",
            )
        prefix = ("tool", "polaris")
    root = path.resolve().parent
    lines = key_lines(text)
    validator = Validator(file=file, root=root, prefix=prefix, locate=lambda p: line_of(lines, p))
    project = validator.project(body, config_path=str(path.resolve()))
    if validator.problems:
        raise ConfigProblems(file, validator.problems)
    assert project is not None  # noqa: S101 - no problems means a project was built
    return project


def governance_dir(settings: Settings) -> Path | None:
    """``POLARIS_GOVERNANCE_DIR``, else the platform repository around the working directory."""
    if settings.governance_dir is not None:
        return settings.governance_dir
    try:
        return find_config(Path.cwd()).parent
    except ConfigError:  # no platform here: the document's defaults apply
        return None
