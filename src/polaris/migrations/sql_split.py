"""Split a migration's SQL into the statements a driver executes one at a time.

Drivers run one statement per call (PyMySQL, psycopg with parameters, ``sqlite3.execute``), so a
migration section is cut at its delimiters, but never inside what a delimiter cannot end:

- string literals ``'it''s'`` (and backslash escapes in MySQL strings and PostgreSQL ``E'..'``),
- quoted identifiers ``"a;b"`` (a string in MySQL), ```a;b``` (MySQL, SQLite),
- comments ``-- ...`` (MySQL: ``--`` must be followed by a space), ``# ...`` (MySQL) and
  ``/* ... */`` (nested in PostgreSQL),
- PostgreSQL dollar-quoted bodies ``$$ ... $$`` and ``$tag$ ... $tag$``,
- SQLite ``CREATE TRIGGER ... BEGIN ... END;`` bodies,
- MySQL/MariaDB compound statements without ``DELIMITER``: ``CREATE PROCEDURE``, ``FUNCTION``,
  ``TRIGGER`` and ``EVENT`` whose body is ``BEGIN ... END`` (with nested ``IF``, ``CASE``, ``LOOP``,
  ``WHILE``, ``REPEAT`` blocks and labels), and MariaDB's anonymous ``BEGIN NOT ATOMIC ... END``,
  kept whole as the server parses them (as drivers with multi-statement support send such files),
- MySQL client ``DELIMITER //`` lines, which change the delimiter and are not sent to the server.

Comments before a statement are dropped; comments inside it are kept. Pure: text in, statements out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Final

from polaris.core.dialects import DIALECTS, Dialect
from polaris.core.errors import InvalidInput, Location

__all__ = ["DIALECTS", "Dialect", "Statement", "split_sql"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a SQL text, without its delimiter."""

    text: str
    #: 1-based line of the statement's first character in the text that was split.
    line: int


# One token at a time; every alternative consumes at least one character.
_TOKEN: Final = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_DELIMITER_LINE: Final = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\n|$)", re.IGNORECASE)
_SQUOTE_PLAIN: Final = re.compile(r"'(?:[^']|'')*'")
_SQUOTE_BACKSLASH: Final = re.compile(r"'(?:[^'\\]|\\.|'')*'", re.DOTALL)
_DQUOTE_PLAIN: Final = re.compile(r'"(?:[^"]|"")*"')
_DQUOTE_BACKSLASH: Final = re.compile(r'"(?:[^"\\]|\\.|"")*"', re.DOTALL)
_BACKTICK: Final = re.compile(r"`(?:[^`]|``)*`")
_BLOCK_OPEN_CLOSE: Final = re.compile(r"/\*|\*/")
#: Words after ``CREATE`` that name a stored program (its body may hold ``;``) ...
_ROUTINES: Final = frozenset({"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"})
#: ... and words that settle that the statement is something else.
_NOT_ROUTINES: Final = frozenset(
    {
        "TABLE",
        "VIEW",
        "INDEX",
        "UNIQUE",
        "FULLTEXT",
        "SPATIAL",
        "DATABASE",
        "SCHEMA",
        "USER",
        "ROLE",
        "SEQUENCE",
        "SERVER",
        "TABLESPACE",
        "TEMPORARY",
        "ONLINE",
        "OFFLINE",
        "LOGFILE",
    }
)
#: ``END IF`` / ``END LOOP`` ... close blocks that were not counted (only BEGIN and CASE are).
_END_OF_UNCOUNTED: Final = frozenset({"IF", "LOOP", "WHILE", "REPEAT"})


class _Lines:
    """Maps a character offset to its 1-based line number."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        self._starts = [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) + 1


def _error(what: str, lines: _Lines, offset: int, source: str | None) -> InvalidInput:
    return InvalidInput(
        f"unterminated {what}",
        location=Location(file=source, line=lines.at(offset)),
        hint="close it, or check the quotes and comments before this line",
    )


def _block_comment_end(sql: str, pos: int, nested: bool) -> int:
    """Offset just past the ``*/`` closing the comment opened at ``pos``; -1 if unterminated."""
    if not nested:
        end = sql.find("*/", pos + 2)
        return -1 if end < 0 else end + 2
    depth = 0
    for m in _BLOCK_OPEN_CLOSE.finditer(sql, pos):
        depth += 1 if m.group() == "/*" else -1
        if depth == 0:
            return m.end()
    return -1


def split_sql(  # noqa: PLR0915 - one scanner loop reads best in one place
    sql: str, dialect: Dialect, *, source: str | None = None
) -> tuple[Statement, ...]:
    """The statements of ``sql`` in order, each stripped and without its delimiter.

    >>> [s.text for s in split_sql("SELECT ';'; -- done\\nSELECT 2;", "sqlite")]
    ["SELECT ';'", 'SELECT 2']

    :param source: a file name for error messages.
    :raises InvalidInput: a string, quoted identifier, comment or dollar-quoted body is not closed.
    """
    sql = sql.replace("\r\n", "\n").replace("\r", "\n")
    lines = _Lines(sql)
    mysql = dialect == "mysql"
    postgres = dialect == "postgresql"
    sqlite = dialect == "sqlite"
    delimiter = ";"
    out: list[Statement] = []
    n = len(sql)
    pos = 0
    code_start = -1  # offset of the current statement's first code token, -1 if none yet
    words: list[str] = []  # the statement's first words, upper-cased (trigger detection)
    trigger = False  # a body whose ';' do not end the statement (SQLite trigger, MySQL routine)
    routine_open = False  # MySQL: CREATE seen, the object kind not yet
    after_end = False  # MySQL: the previous word was END (END IF does not close a BEGIN)
    depth = 0  # BEGIN/CASE ... END nesting inside such a body

    def finish(end: int) -> None:
        nonlocal code_start, trigger, depth, routine_open, after_end
        if code_start >= 0:
            text = sql[code_start:end].rstrip()
            if text:
                out.append(Statement(text, lines.at(code_start)))
        code_start = -1
        words.clear()
        trigger = False
        routine_open = False
        after_end = False
        depth = 0

    while pos < n:
        ch = sql[pos]
        if mysql and code_start < 0 and (pos == 0 or sql[pos - 1] == "\n"):
            m = _DELIMITER_LINE.match(sql, pos)
            if m:
                delimiter = m.group(1)
                pos = m.end()
                continue
        if sql.startswith(delimiter, pos) and not (trigger and depth > 0):
            finish(pos)
            pos += len(delimiter)
            continue
        # Comments: never the start of a statement.
        if (
            ch == "-"
            and sql.startswith("--", pos)
            and (not mysql or pos + 2 >= n or sql[pos + 2] in " \t\n")
        ):
            end = sql.find("\n", pos)
            pos = n if end < 0 else end
            continue
        if ch == "#" and mysql:
            end = sql.find("\n", pos)
            pos = n if end < 0 else end
            continue
        if ch == "/" and sql.startswith("/*", pos):
            end = _block_comment_end(sql, pos, nested=postgres)
            if end < 0:
                raise _error("comment '/*'", lines, pos, source)
            pos = end
            continue
        # Quoted text: skipped whole so a delimiter inside it does not count.
        quoted: re.Pattern[str] | None = None
        what = ""
        if ch == "'":
            backslash = mysql or (
                postgres and pos > 0 and sql[pos - 1] in "eE" and not _is_ident(sql, pos - 2)
            )
            quoted, what = (_SQUOTE_BACKSLASH if backslash else _SQUOTE_PLAIN), "string literal"
        elif ch == '"':
            quoted, what = (_DQUOTE_BACKSLASH if mysql else _DQUOTE_PLAIN), 'quoted name (")'
        elif ch == "`" and not postgres:
            quoted, what = _BACKTICK, "quoted name (`)"
        if quoted is not None:
            m = quoted.match(sql, pos)
            if m is None:
                raise _error(what, lines, pos, source)
            if code_start < 0:
                code_start = pos
            pos = m.end()
            continue
        tok = _TOKEN.match(sql, pos)
        if tok is None:  # pragma: no cover - the last alternative matches any character
            raise AssertionError(pos)
        kind = tok.lastgroup
        if kind == "ws":
            pos = tok.end()
            continue
        if code_start < 0:
            code_start = pos
        if kind == "dollar" and postgres:
            tag = tok.group()
            end = sql.find(tag, tok.end())
            if end < 0:
                raise _error(f"dollar-quoted body {tag}", lines, pos, source)
            pos = end + len(tag)
            continue
        if kind == "word" and sqlite:
            word = tok.group().upper()
            if len(words) < 4:
                words.append(word)
                if word == "TRIGGER" and words[0] == "CREATE":
                    trigger = True
            if trigger:
                if word in ("BEGIN", "CASE"):
                    depth += 1
                elif word == "END":
                    depth -= 1
        elif kind == "word" and mysql:
            word = tok.group().upper()
            if not words:
                routine_open = word == "CREATE"
                # MariaDB's anonymous block: BEGIN NOT ATOMIC ... END
                if word == "BEGIN" and re.match(r"\s+NOT\s+ATOMIC\b", sql[tok.end() :], re.I):
                    trigger = True
            if len(words) < 16:
                words.append(word)
            if routine_open:
                if word in _ROUTINES:
                    trigger, routine_open = True, False
                elif word in _NOT_ROUTINES or len(words) >= 16:
                    routine_open = False
            if trigger:
                closing = after_end
                after_end = word == "END"
                if closing and word in _END_OF_UNCOUNTED:
                    depth += 1  # undo: this END closed an IF/LOOP/WHILE/REPEAT
                elif closing and word == "CASE":
                    pass  # END CASE: the END closed it already
                elif word in ("BEGIN", "CASE"):
                    depth += 1
                elif word == "END":
                    depth -= 1
        elif trigger and mysql:
            after_end = False
        pos = tok.end() if kind != "dollar" else pos + 1
    finish(n)
    return tuple(out)


def _is_ident(sql: str, pos: int) -> bool:
    """Whether the character at ``pos`` can be part of an identifier (False before the start)."""
    return pos >= 0 and (sql[pos].isalnum() or sql[pos] == "_")
