"""``__version__ = "..."`` (or another variable) assigned once at module level of a Python file.

The module is parsed with :mod:`ast` (so a ``__version__`` inside a docstring, a function or an
``if`` block never counts); the string literal's characters are then replaced in the text.
"""

from __future__ import annotations

import ast
import re
from typing import Final

from polaris.versions.files._common import (
    BOM,
    error,
    line_starts,
    lines_label,
    new_version,
    splice,
)
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["PythonVersionFile"]

DEFAULT_KEY: Final = "__version__"
_LITERAL = re.compile(r"(?P<prefix>[rRuU]?)(?P<q>'''|\"\"\"|'|\")(?P<inner>.*)(?P=q)", re.DOTALL)


class PythonVersionFile(VersionFormat):
    """``format = "python"``: ``key`` names the variable, ``__version__`` by default."""

    @property
    def key(self) -> str:
        """The variable name."""
        return self.spec.key or DEFAULT_KEY

    def _locate(self, text: str) -> tuple[int, int, str, int, int]:
        """``(start, end, value, line, column)`` of the string literal's inner characters."""
        skip = 1 if text.startswith(BOM) else 0
        try:
            module = ast.parse(text[skip:], filename=self.spec.path)
        except SyntaxError as exc:
            raise error(
                self.spec, f"not valid Python: {exc.msg}", line=exc.lineno, field=self.key
            ) from None
        values: list[ast.expr] = []
        for stmt in module.body:
            if isinstance(stmt, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == self.key for t in stmt.targets):
                    values.append(stmt.value)
            elif (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == self.key
                and stmt.value is not None
            ):
                values.append(stmt.value)
        if not values:
            raise error(
                self.spec,
                f'no module-level assignment `{self.key} = "..."`',
                field=self.key,
                hint="add one, or set `key` in the file spec to the variable holding the version",
            )
        if len(values) > 1:
            lines = [v.lineno for v in values]
            raise error(
                self.spec,
                f"{self.key} is assigned {len(values)} times at module level, on "
                f"{lines_label(lines)}; expected exactly 1",
                line=lines[0],
                field=self.key,
            )
        node = values[0]
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            raise error(
                self.spec,
                f"{self.key} is assigned `{ast.unparse(node)}`, expected a string literal",
                line=node.lineno,
                field=self.key,
                hint='Polaris can only rewrite a literal `__version__ = "X.Y.Z"`',
            )
        starts = line_starts(text[skip:])
        start = skip + _offset(text[skip:], starts, node.lineno, node.col_offset)
        end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
        end = skip + _offset(text[skip:], starts, end_line, end_col)
        m = _LITERAL.fullmatch(text, start, end)
        if m is None or m["inner"] != node.value:
            raise error(
                self.spec,
                f"{self.key} is written as {text[start:end]!r}; expected one plain string literal "
                "without escapes",
                line=node.lineno,
                field=self.key,
            )
        column = m.start("inner") - text.rfind("\n", 0, m.start("inner"))
        return m.start("inner"), m.end("inner"), node.value, node.lineno, column

    def find(self, text: str) -> list[Found]:
        """The string assigned to the variable."""
        _, _, value, line, column = self._locate(text)
        return [Found(self.spec.path, line, column, value, self.key)]

    def replace(self, text: str, version: str) -> str:
        """The literal's characters replaced; its quotes and everything else kept."""
        v = new_version(self.spec, version, field=self.key)
        start, end, _, _, _ = self._locate(text)
        return splice(text, [(start, end, str(v))])


def _offset(text: str, starts: list[int], lineno: int, col_offset: int) -> int:
    """Character offset of an AST position (``col_offset`` counts UTF-8 bytes)."""
    line_start = starts[lineno - 1]
    line = text[line_start : starts[lineno] if lineno < len(starts) else len(text)]
    return line_start + len(line.encode("utf-8")[:col_offset].decode("utf-8"))
