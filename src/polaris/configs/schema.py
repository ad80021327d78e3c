"""JSON Schema (draft 2020-12) validation of configuration documents, with file, line and key path.

A schema is checked once when loaded (a schema that is not valid JSON Schema is refused, naming
its file and the offending keyword's path); documents are validated by a compiled
``Draft202012Validator``. Lines are looked up only for documents that fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

from polaris.configs.loaders import LoadedConfig, line_of_path, load_config
from polaris.configs.rules import format_path, redact
from polaris.core.errors import CheckFailed, InvalidInput, Location

__all__ = ["ConfigSchema", "SchemaProblem", "SchemaViolations", "load_schema"]


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One place where a document breaks its schema."""

    file: str
    line: int | None
    path: str
    message: str

    def one_line(self) -> str:
        """``config/version-2.1.0/production.yml:9: database.mysql.port: ...``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}"


class SchemaViolations(CheckFailed):
    """A document (or several) that does not satisfy its schema; every problem is listed."""

    slug = "config-schema"
    http_status = 422

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        super().__init__(
            first.message
            if len(problems) == 1
            else f"{len(problems)} schema problems; first: {first.one_line()}",
            location=Location(file=first.file, line=first.line, field=first.path),
            hint="fix the values, or the schema if it is the one that is wrong",
        )

    def one_line(self) -> str:
        """Every problem, one per line after the first."""
        if len(self.problems) == 1:
            return self.problems[0].one_line()
        rest = "\n".join(f"  {p.one_line()}" for p in self.problems)
        return f"{len(self.problems)} schema problems:\n{rest}"


class ConfigSchema:
    """A checked draft 2020-12 schema, compiled once, from ``source``."""

    def __init__(self, schema: Mapping[str, Any], source: str) -> None:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            path = format_path(tuple(exc.path)) if exc.path else "(top)"
            raise InvalidInput(
                f"not a valid JSON Schema (draft 2020-12): {exc.message}",
                location=Location(file=source, field=path),
            ) from None
        self.schema = schema
        self.source = source
        self._validator = Draft202012Validator(schema)

    def problems(self, doc: LoadedConfig, file: str | None = None) -> list[SchemaProblem]:
        """Every violation in ``doc`` (empty when valid), in document order of their paths."""
        if self._is_valid(doc.data):
            return []
        name = file or doc.path
        out = []
        try:
            errors = sorted(
                self._validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))
            )
        except Unresolvable as exc:
            raise InvalidInput(
                f"the schema refers to {exc.ref!r}, which cannot be resolved here",
                location=Location(file=self.source),
                hint="bundle referenced schemas into one file; nothing is fetched over the network",
            ) from None
        for err in errors:
            path = tuple(err.absolute_path)
            message = err.message
            if redact(path, err.instance) != err.instance:  # a pasted secret is never echoed
                message = message.replace(repr(err.instance), "'***'")
            out.append(
                SchemaProblem(
                    name,
                    line_of_path(doc.text, doc.format, path) if path else None,
                    format_path(path),
                    message,
                )
            )
        return out

    def _is_valid(self, data: Any) -> bool:
        try:
            return bool(self._validator.is_valid(data))
        except Unresolvable:
            return False  # problems() reports it

    def check(self, doc: LoadedConfig, file: str | None = None) -> None:
        """Raise :class:`SchemaViolations` unless ``doc`` is valid."""
        problems = self.problems(doc, file)
        if problems:
            raise SchemaViolations(problems)


def load_schema(path: Path, root: Path) -> ConfigSchema:
    """Read and check the schema at ``path`` (JSON or YAML) under ``root``."""
    loaded = load_config(path, root)
    return ConfigSchema(loaded.data, str(path))
