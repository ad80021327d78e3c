"""One renderer: Rich for people, JSON for scripts, from the same data."""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from rich.console import Console
from rich.table import Table

from polaris.core.semver import Version

__all__ = ["console", "emit", "err_console", "print_json", "table", "to_jsonable"]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def to_jsonable(value: Any) -> Any:
    """Turn dataclasses, enums, paths, dates and versions into plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Version):
        return str(value)
    if isinstance(value, Iterable):
        return [to_jsonable(v) for v in value]
    return str(value)


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(data), indent=2, sort_keys=False) + "\n")


def emit(data: Any, *, as_json: bool, human: Callable[[Console], None]) -> None:
    """Print ``data`` as JSON when asked, else let ``human`` draw it on the console."""
    if as_json:
        print_json(data)
    else:
        human(console)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A plain Rich table."""
    t = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*("" if cell is None else str(cell) for cell in row))
    return t
