"""Fast paths for the commands run in hooks and CI loops, without Typer or Rich.

``polaris --version``, ``polaris commit-lint [FILE] [-C DIR]`` and
``polaris version next [--json] [--pre CH] [-c NAME] [-C DIR]`` (when the output is not a
terminal, or with ``--json``) are answered here: they import only what they compute with, so a
commit-msg hook or a CI step starts about as fast as a bare click program. Any other argument
(``--help``, an unknown option) returns ``None`` and the full Typer app answers, with the same
output and exit codes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run_fast"]


def run_fast(args: Sequence[str]) -> int | None:
    """The exit code of a command answered here, or ``None`` to hand it to the Typer app."""
    if list(args) == ["--version"]:
        from polaris.__about__ import __version__

        sys.stdout.write(f"polaris {__version__}\n")
        return 0
    if args[:1] == ["commit-lint"]:
        return _commit_lint(args[1:])
    if args[:2] == ["version", "next"]:
        return _version_next(args[2:])
    return None


def _options(
    args: Sequence[str], names: dict[str, str], flags: dict[str, str], positional: int
) -> dict[str, str] | None:
    """Parse ``args`` for the options ``names`` (taking a value) and ``flags``; ``None`` when
    anything else appears (the Typer app then answers, help and errors included)."""
    out: dict[str, str] = {}
    rest = list(args)
    found = 0
    while rest:
        arg = rest.pop(0)
        key, eq, value = arg.partition("=")
        if key in names and arg.startswith("-"):
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            out[names[key]] = value
        elif arg in flags:
            out[flags[arg]] = "1"
        elif not arg.startswith("-") and found < positional:
            out[f"arg{found}"] = arg
            found += 1
        else:
            return None
    return out


def _error(exc: Exception) -> int:
    from polaris.core.errors import PolarisError

    if not isinstance(exc, PolarisError):
        raise exc
    sys.stderr.write(f"error: {exc.one_line()}\n")
    return exc.exit_code


def _config_near(start: Path) -> Path | None:
    """The nearest ``polaris.toml`` (or ``pyproject.toml`` with ``[tool.polaris]``) upwards."""
    start = start if start.is_dir() else start.parent
    for directory in (start, *start.parents):
        candidate = directory / "polaris.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "tool.polaris" in pyproject.read_text(errors="replace"):
            return pyproject
    return None


def _commit_lint(args: Sequence[str]) -> int | None:
    opts = _options(args, {"-C": "project", "--project": "project"}, {}, 1)
    if opts is None:
        return None
    from polaris.commits.rules import CommitLintError
    from polaris.core.errors import PolarisError
    from polaris.releases.service import lint_file

    file = Path(opts.get("arg0", ".git/COMMIT_EDITMSG"))
    try:
        config = _config_near(Path(opts.get("project", ".")).resolve())
        project = None
        if config is not None:
            from polaris.core.project import Project

            # Only the [release] table matters to the linter: no need to load the whole project.
            project = Project(str(config.parent), str(config), config.parent.name, None)
        lint_file(file, project=project)
    except CommitLintError as exc:
        sys.stderr.write(f"commit message rejected ({file}):\n{exc.explain()}\nhint: {exc.hint}\n")
        return exc.exit_code
    except PolarisError as exc:
        return _error(exc)
    return 0


def _version_next(args: Sequence[str]) -> int | None:
    opts = _options(
        args,
        {
            "-C": "project",
            "--project": "project",
            "--pre": "pre",
            "-c": "component",
            "--component": "component",
        },
        {"--json": "json"},
        0,
    )
    if opts is None or ("json" not in opts and sys.stdout.isatty()):
        return None  # a terminal gets Rich's colours through the Typer app
    from polaris.core.errors import PolarisError
    from polaris.releases import service as releases
    from polaris.releases.render import next_json, next_lines

    try:
        path = Path(opts["project"]) if "project" in opts else None
        project, from_tags = releases.open_project_or_tags(path)
        if from_tags:
            sys.stderr.write(f"note: {releases.TAGS_ONLY_NOTE}\n")
        report = releases.compute_next(
            project, component=opts.get("component"), pre=opts.get("pre")
        )
    except PolarisError as exc:
        return _error(exc)
    if "json" in opts:
        sys.stdout.write(json.dumps(next_json(report), indent=2) + "\n")
        return 0
    for warning in report.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    sys.stdout.write("".join(text + "\n" for _style, text in next_lines(report)))
    return 0
