"""The migration folders of other tools, read in place: golang-migrate, Flyway, goose and dbmate.

Each layout turns a directory's files (name -> text) into
:class:`~polaris.migrations.rules.Migration` values, so ``up``/``down``/``status`` work on them
unchanged:

- ``seed``: ``NNN_name.sql`` with ``-- Up Migration:`` / ``-- Down Migration (Rollback):``;
- ``golang-migrate``: ``NNN_name.up.sql`` + ``NNN_name.down.sql`` (no down file: no rollback);
- ``flyway``: ``V<version>__<description>.sql``, undo ``U<version>__<description>.sql``,
  repeatable ``R__<description>.sql`` (re-run after the versioned ones when its checksum changes);
- ``goose``: ``NNN_name.sql`` with ``-- +goose Up`` / ``-- +goose Down``, ``StatementBegin`` /
  ``StatementEnd`` around statements kept whole, and ``-- +goose NO TRANSACTION``;
- ``dbmate``: ``NNN_name.sql`` with ``-- migrate:up`` / ``-- migrate:down`` (``transaction:false``).

An empty or comment-only section is a no-op; only a missing down section (or down file) means the
migration cannot be rolled back. Pure: text in, migrations out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from polaris.core.dialects import MIGRATION_FORMATS, MigrationFormat
from polaris.core.errors import InvalidInput, Location
from polaris.migrations.rules import Chunk, Migration, checksum, order_migrations, parse_migration

__all__ = ["FORMATS", "Format", "parse_layout", "render_seed"]

# The layout names are configuration (``format`` in ``[databases]``): defined in the kernel.
Format = MigrationFormat
FORMATS: Final[tuple[Format, ...]] = MIGRATION_FORMATS

_GOLANG: Final = re.compile(r"^(?P<v>\d+)_(?P<name>.+)\.(?P<dir>up|down)\.sql$")
_FLYWAY: Final = re.compile(r"^(?P<kind>[VUR])(?P<v>[0-9][0-9._]*)?__(?P<name>.+)\.sql$")
_NUMBERED: Final = re.compile(r"^(?P<v>\d+)_(?P<name>.+)\.sql$")
_GOOSE: Final = re.compile(r"^--\s*\+goose\s+(?P<what>.+?)\s*$", re.IGNORECASE)
_DBMATE: Final = re.compile(r"^--\s*migrate:(?P<dir>up|down)\b(?P<opts>.*)$", re.IGNORECASE)


def _name(raw: str) -> str:
    """A tracking name from a file's description part (``add users`` -> ``add_users``)."""
    return re.sub(r"[^A-Za-z0-9_\-]+", "_", raw).strip("_") or "migration"


def _migration(
    version: str, name: str, filename: str, path: str, up: str, down: str | None, **extra: object
) -> Migration:
    base = Migration(
        number=int(version) if version.isdigit() else 0,
        version=version,
        name=name,
        filename=filename,
        description=name.replace("_", " "),
        dependencies=(),
        up_sql=up.strip(),
        down_sql=(down or "").strip(),
        checksum=checksum(up.strip()),
        path=path,
        has_down=down is not None,
    )
    return replace(base, **extra)  # type: ignore[arg-type]  # keyword fields of Migration


def _golang(files: Mapping[str, str], root: str) -> list[Migration]:
    ups: dict[str, tuple[str, str]] = {}
    downs: dict[str, tuple[str, str]] = {}
    for fn in files:
        m = _GOLANG.match(fn)
        if m is None:
            if fn.endswith(".sql"):
                raise InvalidInput(
                    "a golang-migrate file name must be NNN_name.up.sql or NNN_name.down.sql",
                    location=Location(file=f"{root}/{fn}"),
                )
            continue
        (ups if m.group("dir") == "up" else downs)[m.group("v")] = (m.group("name"), fn)
    for v, (_, fn) in downs.items():
        if v not in ups:
            raise InvalidInput(
                f"{fn} has no matching up file", location=Location(file=f"{root}/{fn}")
            )
    out = []
    for v, (name, fn) in ups.items():
        down = downs.get(v)
        out.append(
            _migration(
                v,
                _name(name),
                fn,
                f"{root}/{fn}",
                files[fn],
                files[down[1]] if down else None,
                down_path=f"{root}/{down[1]}" if down else "",
            )
        )
    return out


def _flyway_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[._]", version) if p)


def _flyway(files: Mapping[str, str], root: str) -> list[Migration]:
    versioned: dict[tuple[int, ...], tuple[str, str, str]] = {}
    undo: dict[tuple[int, ...], str] = {}
    out: list[Migration] = []
    for fn in files:
        m = _FLYWAY.match(fn)
        if m is None:
            if fn.endswith(".sql"):
                raise InvalidInput(
                    "a Flyway file name must be V<version>__<description>.sql, "
                    "U<version>__<description>.sql or R__<description>.sql",
                    location=Location(file=f"{root}/{fn}"),
                )
            continue
        kind, v = m.group("kind"), (m.group("v") or "").rstrip("._")
        if kind == "R":
            if v:
                raise InvalidInput(
                    "a repeatable migration has no version: R__<description>.sql",
                    location=Location(file=f"{root}/{fn}"),
                )
            name = _name(m.group("name"))
            out.append(
                _migration(f"R__{name}", name, fn, f"{root}/{fn}", files[fn], "", repeatable=True)
            )
            continue
        if not v:
            raise InvalidInput(
                f"{fn}: a versioned migration needs a version after {kind}",
                location=Location(file=f"{root}/{fn}"),
            )
        key = _flyway_key(v)
        if kind == "U":
            undo[key] = fn
            continue
        if key in versioned:
            raise InvalidInput(
                f"{versioned[key][2]} and {fn} share the version {v}",
                location=Location(file=f"{root}/{fn}"),
            )
        versioned[key] = (v.replace("_", "."), m.group("name"), fn)
    for key, fn in undo.items():
        if key not in versioned:
            raise InvalidInput(
                f"{fn} undoes no versioned migration", location=Location(file=f"{root}/{fn}")
            )
    # Flyway orders by version; numbers here are positions, so dotted versions order too.
    for number, key in enumerate(sorted(versioned), start=1):
        v, name, fn = versioned[key]
        u = undo.get(key)
        mig = _migration(
            v,
            _name(name),
            fn,
            f"{root}/{fn}",
            files[fn],
            files[u] if u else None,
            down_path=f"{root}/{u}" if u else "",
        )
        out.append(replace(mig, number=number))
    return out


def _goose_sections(text: str, path: str) -> tuple[list[Chunk], list[Chunk] | None, bool]:
    """The up and down chunks of a goose file, and whether it runs in a transaction."""
    up: list[Chunk] | None = None
    down: list[Chunk] | None = None
    current: list[Chunk] | None = None
    transaction = True
    block: list[str] | None = None  # lines of an open StatementBegin block
    plain: list[str] = []
    start = 0

    def flush(whole: bool, lines: list[str], at: int) -> None:
        body = "\n".join(lines).strip()
        if current is not None and body:
            current.append(Chunk(body, at, whole))

    for i, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        m = _GOOSE.match(raw.strip())
        what = m.group("what").upper() if m else ""
        if what in ("UP", "DOWN"):
            if block is not None:
                raise InvalidInput(
                    "StatementBegin without StatementEnd", location=Location(path, line=i)
                )
            flush(False, plain, start)
            plain, start = [], i + 1
            current = []
            if what == "UP":
                up = current
            else:
                down = current
        elif what == "STATEMENTBEGIN":
            flush(False, plain, start)
            plain, block, start = [], [], i + 1
        elif what == "STATEMENTEND":
            if block is None:
                raise InvalidInput(
                    "StatementEnd without StatementBegin", location=Location(path, line=i)
                )
            flush(True, block, start)
            block, start = None, i + 1
        elif what == "NO TRANSACTION":
            transaction = False
        elif m is not None and what not in ("ENVSUB ON", "ENVSUB OFF"):
            raise InvalidInput(
                f"unknown goose annotation {m.group('what')!r}", location=Location(path, line=i)
            )
        elif block is not None:
            block.append(raw)
        else:
            if not plain:
                start = i
            plain.append(raw)
    if block is not None:
        raise InvalidInput("StatementBegin without StatementEnd", location=Location(path))
    flush(False, plain, start)
    if up is None:
        raise InvalidInput(
            "no '-- +goose Up' annotation",
            location=Location(path, line=1),
            hint="a goose migration starts its SQL with '-- +goose Up'",
        )
    return up, down, transaction


def _goose(files: Mapping[str, str], root: str) -> list[Migration]:
    out = []
    for fn, text in files.items():
        m = _NUMBERED.match(fn)
        if m is None:
            continue  # goose's .go migrations and other files are not SQL migrations
        path = f"{root}/{fn}"
        up, down, transaction = _goose_sections(text, path)
        up_sql = "\n".join(c.text for c in up)
        down_sql = "\n".join(c.text for c in down) if down is not None else None
        out.append(
            _migration(
                m.group("v"),
                _name(m.group("name")),
                fn,
                path,
                up_sql,
                down_sql,
                up_chunks=tuple(up),
                down_chunks=tuple(down or ()),
                transaction=transaction,
                up_line=up[0].line if up else 1,
                down_line=down[0].line if down else 1,
            )
        )
    return out


def _dbmate(files: Mapping[str, str], root: str) -> list[Migration]:
    out = []
    for fn, text in files.items():
        m = _NUMBERED.match(fn)
        if m is None:
            continue
        path = f"{root}/{fn}"
        lines = text.replace("\r\n", "\n").split("\n")
        marks = [(i, _DBMATE.match(line.strip())) for i, line in enumerate(lines)]
        found = [(i, mm) for i, mm in marks if mm is not None]
        ups = [i for i, mm in found if mm.group("dir").lower() == "up"]
        downs = [i for i, mm in found if mm.group("dir").lower() == "down"]
        if len(ups) != 1 or len(downs) > 1 or (downs and downs[0] < ups[0]):
            raise InvalidInput(
                "a dbmate migration has one '-- migrate:up' and at most one '-- migrate:down' "
                "after it",
                location=Location(path, line=(ups or downs or [0])[0] + 1),
            )
        u, d = ups[0], (downs[0] if downs else len(lines))
        transaction = all(
            "transaction:false" not in mm.group("opts").replace(" ", "").lower() for _, mm in found
        )
        out.append(
            _migration(
                m.group("v"),
                _name(m.group("name")),
                fn,
                path,
                "\n".join(lines[u + 1 : d]),
                "\n".join(lines[d + 1 :]) if downs else None,
                transaction=transaction,
                up_line=u + 2,
                down_line=d + 2,
            )
        )
    return out


def parse_layout(
    fmt: Format, files: Mapping[str, str], *, root: str = "."
) -> tuple[Migration, ...]:
    """The ordered migrations of a directory holding ``files`` (base name -> text) in ``fmt``.

    :param root: the directory, for the paths named in errors and reports.
    :raises InvalidInput: a file does not fit the layout, naming it (and the line).
    """
    if fmt == "seed":
        found = [
            parse_migration(text, fn, path=f"{root}/{fn}")
            for fn, text in sorted(files.items())
            if fn.endswith(".sql")
        ]
        return order_migrations(found)
    readers = {"golang-migrate": _golang, "flyway": _flyway, "goose": _goose, "dbmate": _dbmate}
    if fmt not in readers:
        raise InvalidInput(
            f"unknown migration format {fmt!r}; expected one of {', '.join(FORMATS)}",
            location=Location(field="format"),
        )
    found = readers[fmt](files, root)
    versioned = [m for m in found if not m.repeatable]
    repeatable = sorted((m for m in found if m.repeatable), key=lambda m: m.version)
    if fmt == "flyway":
        ordered = sorted(versioned, key=lambda m: m.number)
    else:
        ordered = list(order_migrations(versioned))
    return (*ordered, *repeatable)


def render_seed(m: Migration, number: int, width: int) -> tuple[str, str]:
    """``(file name, text)`` of ``m`` in the seed's format, numbered ``number``."""
    version = f"{number:0{width}d}"
    filename = f"{version}_{m.name}.sql"
    notes = []
    if m.version != version:
        notes.append(f"-- Imported from: {m.filename} (version {m.version})\n")
    if not m.transaction:
        notes.append("-- Note: the original ran outside a transaction\n")
    up = m.up_sql or "-- nothing to do"
    text = (
        f"-- Migration: {version}\n-- Description: {m.description}\n-- Dependencies: none\n"
        + "".join(notes)
        + f"-- Up Migration:\n{up}\n"
    )
    if m.has_down:
        text += f"-- Down Migration (Rollback):\n{m.down_sql or '-- nothing to undo'}\n"
    return filename, text
