"""Find and load ``compatibility.yml`` into a :class:`~polaris.compat.rules.CompatMatrix`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from polaris.compat.file import parse_matrix
from polaris.compat.rules import CompatMatrix
from polaris.core.errors import ConfigError, Location, NotFound

__all__ = ["DEFAULT_NAME", "load_matrix"]

DEFAULT_NAME = "compatibility.yml"


def _line_finder(doc: Any) -> Any:
    def line_of(path: Sequence[str]) -> int | None:
        node = doc
        line: int | None = None
        for key in path:
            if isinstance(node, dict) and hasattr(node, "lc"):
                match = next((k for k in node if str(k) == key), None)
                if match is None:
                    return line
                try:
                    line = int(node.lc.key(match)[0]) + 1
                except (KeyError, TypeError):
                    return line
                node = node[match]
            elif isinstance(node, list) and hasattr(node, "lc") and key.isdigit():
                index = int(key)
                if index >= len(node):
                    return line
                try:
                    line = int(node.lc.item(index)[0]) + 1
                except (KeyError, TypeError):
                    return line
                node = node[index]
            else:
                return line
        return line

    return line_of


def load_matrix(path: Path, *, display: str | None = None) -> CompatMatrix:
    """Load and validate a compatibility file; errors name the file, line and key path."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(
            "compatibility file not found",
            location=Location(file=name),
            hint=f"create {DEFAULT_NAME} (see docs/compat.md) or pass --file",
        ) from None
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(
            f"invalid YAML: {exc.problem}",
            location=Location(file=name, line=(mark.line + 1) if mark else None),
        ) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError("expected a mapping at the top level", location=Location(file=name))
    return parse_matrix(doc, source=name, line_of=_line_finder(doc))
