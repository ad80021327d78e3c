"""One renderer: Rich for people, JSON for scripts, from the same data."""

from __future__ import annotations

import dataclasses
import enum
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Final

from rich.console import Console
from rich.table import Table

from polaris.core.semver import Version

__all__ = [
    "console",
    "emit",
    "err_console",
    "is_key_column",
    "print_json",
    "set_wide",
    "table",
    "to_jsonable",
]

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


#: Words of a column header that mark an identifier or a date: never cut, never wrapped.
_KEY_WORDS: Final = frozenset(
    {
        "id",
        "rule",
        "date",
        "created",
        "at",
        "when",
        "version",
        "from",
        "to",
        "name",
        "component",
        "schema",
        "tag",
        "sha",
        "commit",
        "migration",
        "model",
        "stage",
        "current",
        "previous",
        "target",
        "source",
        "file",
    }
)
_WIDE_WIDTH: Final = 10_000


def set_wide() -> None:
    """``--wide``: tables take the width they need (lines may run past the terminal)."""
    console.width = _WIDE_WIDTH


def is_key_column(header: str) -> bool:
    """Whether a column holds identifiers or dates (by the words of its header)."""
    return any(word in _KEY_WORDS for word in re.split(r"[^a-z]+", header.lower()))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A Rich table that never cuts a cell: identifiers and dates (see :func:`is_key_column`)
    keep their full width on one line and other text wraps; when that does not fit, the trailing
    other columns are left out, with a caption saying ``--wide`` (or ``--json``) shows them.
    When the identifiers alone are wider than the terminal, every column folds onto more lines
    instead: still nothing is cut."""
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [
        max([len(col), *(len(line) for r in cells for line in r[i].splitlines() or [""])])
        for i, col in enumerate(columns)
    ]
    keys = [is_key_column(col) for col in columns]
    shown = list(range(len(columns)))
    available = console.width

    def needed(cols: list[int]) -> int:
        # Each column costs its padding and separator (3); other columns need 8 to wrap in.
        return sum(widths[i] + 3 if keys[i] else min(widths[i], 8) + 3 for i in cols)

    fold_keys = needed([i for i in shown if keys[i]]) > available
    if not fold_keys:
        while needed(shown) > available:
            drop = next((i for i in reversed(shown) if not keys[i]), None)
            if drop is None:
                break
            shown.remove(drop)
    hidden = len(columns) - len(shown)
    caption = f"{hidden} column{'s' if hidden != 1 else ''} left out: --wide or --json shows all"
    t = Table(
        title=title,
        title_justify="left",
        show_edge=False,
        header_style="bold",
        caption=caption if hidden else None,
        caption_justify="left",
    )
    for i in shown:
        if keys[i] and not fold_keys:
            t.add_column(columns[i], no_wrap=True, min_width=widths[i], overflow="fold")
        else:
            t.add_column(columns[i], overflow="fold")
    for row in cells:
        t.add_row(*(row[i] for i in shown))
    return t
