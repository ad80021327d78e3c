"""A YAML configuration file read into plain values, with the line of every key.

Governance files (``approval-matrix.yml``, ``release_schedule.yml``) are validated field by field;
each problem names ``file:line: field``. ruamel.yaml's round-trip loader keeps the positions,
which are copied into :attr:`YamlDoc.lines` keyed by the dotted path of each key.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from polaris.core.errors import ConfigError, Location

__all__ = ["YamlDoc", "parse_yaml"]


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Plain values of a YAML file and the 1-based line of each key path (``a.b.0.c``)."""

    file: str
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def where(self, path: str) -> Location:
        """The location of ``path``, or of its nearest ancestor that has a line."""
        probe = path
        while probe:
            if probe in self.lines:
                return Location(file=self.file, line=self.lines[probe], field=path)
            probe = probe.rpartition(".")[0]
        return Location(file=self.file, field=path)

    def error(self, path: str, message: str, hint: str | None = None) -> ConfigError:
        """A one-line :class:`ConfigError` at ``path``."""
        return ConfigError(message, location=self.where(path), hint=hint)


def _plain(node: Any, prefix: str, lines: dict[str, int]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            with contextlib.suppress(KeyError, TypeError):  # merged keys have no position
                lines[path] = int(node.lc.key(key)[0]) + 1
            out[str(key)] = _plain(value, path, lines)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for i, value in enumerate(node):
            path = f"{prefix}.{i}"
            with contextlib.suppress(KeyError, TypeError):
                lines[path] = int(node.lc.item(i)[0]) + 1
            items.append(_plain(value, path, lines))
        return items
    return node


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse ``text`` (the content of ``file``); bad syntax is a one-line :class:`ConfigError`."""
    yaml = YAML(typ="rt")
    try:
        raw = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1
        raise ConfigError(
            f"not valid YAML: {exc.problem}", location=Location(file=file, line=line)
        ) from None
    except YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", location=Location(file=file)) from None
    lines: dict[str, int] = {}
    return YamlDoc(file=file, data=_plain(raw, "", lines), lines=lines)
