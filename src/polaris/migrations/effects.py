"""What a DDL statement leaves behind, so an interrupted MySQL run can be checked before resuming.

MySQL and MariaDB commit each DDL statement as it runs. A runner killed between a statement and
the update of its tracking row leaves the row one statement behind: resuming would run that
statement again ("table already exists"). For the statements whose effect the catalogue shows
(a table, column or index created or dropped), :func:`statement_effect` says what to look for;
for the others nothing can be known, and ``repair`` says so plainly. Pure: text in, effect out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["Effect", "statement_effect"]

_NAME: Final = r"(?:[`\"]?\w+[`\"]?\.)?[`\"]?(\w+)[`\"]?"
_F: Final = re.IGNORECASE | re.DOTALL
_CREATE_TABLE: Final = re.compile(
    rf"^CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", _F
)
_DROP_TABLE: Final = re.compile(rf"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}\s*$", _F)
_CREATE_INDEX: Final = re.compile(
    rf"^CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}"
    rf"\s+ON\s+{_NAME}",
    _F,
)
_DROP_INDEX: Final = re.compile(
    rf"^DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?{_NAME}\s+ON\s+{_NAME}\s*$", _F
)
_ALTER: Final = re.compile(rf"^ALTER\s+TABLE\s+{_NAME}\s+(?P<action>.*)$", _F)
_MULTI: Final = re.compile(r",\s*(?:ADD|DROP|MODIFY|CHANGE|ALTER|RENAME)\b", re.IGNORECASE)
_NOT_COLUMN: Final = r"(?!(?:INDEX|KEY|CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|FULLTEXT|SPATIAL|CHECK)\b)"
_ADD_COLUMN: Final = re.compile(
    rf"^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_NOT_COLUMN}{_NAME}", _F
)
_DROP_COLUMN: Final = re.compile(
    rf"^DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{_NOT_COLUMN}{_NAME}\s*$", _F
)
_ADD_INDEX: Final = re.compile(rf"^ADD\s+(?:UNIQUE\s+)?(?:INDEX|KEY)\s+{_NAME}", _F)


@dataclass(frozen=True, slots=True)
class Effect:
    """A catalogue fact a statement establishes: ``kind`` ``name`` (of ``table``) exists or not."""

    kind: Literal["table", "column", "index"]
    table: str
    name: str
    #: True when the statement creates it, False when it drops it.
    exists: bool

    def describe(self) -> str:
        """``table users exists``, ``column users.email is gone``..."""
        what = self.table if self.kind == "table" else f"{self.table}.{self.name}"
        return f"{self.kind} {what} {'exists' if self.exists else 'is gone'}"


def statement_effect(sql: str) -> Effect | None:
    """The effect of one statement where the catalogue can show it; None otherwise.

    >>> statement_effect("CREATE TABLE IF NOT EXISTS `app`.`users` (id INT)")
    Effect(kind='table', table='users', name='users', exists=True)
    >>> statement_effect("ALTER TABLE t ADD COLUMN a INT, ADD COLUMN b INT") is None
    True
    """
    text = sql.strip().rstrip(";").strip()
    if m := _CREATE_TABLE.match(text):
        return Effect("table", m.group(1), m.group(1), True)
    if m := _DROP_TABLE.match(text):
        return Effect("table", m.group(1), m.group(1), False)
    if m := _CREATE_INDEX.match(text):
        return Effect("index", m.group(2), m.group(1), True)
    if m := _DROP_INDEX.match(text):
        return Effect("index", m.group(2), m.group(1), False)
    m = _ALTER.match(text)
    if m is None or _MULTI.search(m.group("action")):
        return None
    table, action = m.group(1), m.group("action").strip()
    if a := _ADD_INDEX.match(action):
        return Effect("index", table, a.group(1), True)
    if a := _ADD_COLUMN.match(action):
        return Effect("column", table, a.group(1), True)
    if a := _DROP_COLUMN.match(action):
        return Effect("column", table, a.group(1), False)
    return None
