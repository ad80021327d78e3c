"""Database migrations as files: naming, parsing, checksums, ordering and plans (seed 6.1).

A migration is ``NNN_name.sql`` in the seed's format (6.1.2)::

    -- Migration: 003
    -- Description: Create incidents table with enhanced fields
    -- Dependencies: 002_add_user_roles.sql
    -- Up Migration:
    CREATE TABLE incidents (...);
    -- Down Migration (Rollback):
    DROP TABLE incidents;

Pure: callers read the files and the tracking table; this module decides what is pending, what was
edited since it was applied, and what ``up``/``down`` would run, in which order.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from polaris.core.errors import CheckFailed, Conflict, InvalidInput, Location, NotFound
from polaris.migrations.sql_split import split_sql

__all__ = [
    "CHECKSUM_PREFIX",
    "NOOP_DOWN",
    "AppliedRecord",
    "Chunk",
    "DownPlan",
    "EntryState",
    "Migration",
    "RecordState",
    "StatusEntry",
    "UpPlan",
    "UpStep",
    "checksum",
    "is_noop",
    "is_repeatable",
    "migration_filename",
    "next_number",
    "order_migrations",
    "parse_filename",
    "parse_migration",
    "plan_down",
    "plan_up",
    "same_checksum",
    "skeleton",
    "status",
    "validation_problems",
]

#: Prefix of the checksum algorithm's version: a future algorithm gets ``sha256v2:`` and old rows
#: are recomputed with v1, so changing it never reports every applied file as edited.
CHECKSUM_PREFIX: Final = "sha256v1:"

_FILENAME: Final = re.compile(r"^(?P<number>\d+)_(?P<name>[A-Za-z0-9][A-Za-z0-9_.\-]*)\.sql$")
_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_HEADER: Final = re.compile(r"^--\s*(?P<key>[A-Za-z][A-Za-z ()]*?)\s*:\s*(?P<value>.*?)\s*$")
_UP_MARKER: Final = re.compile(r"^--\s*up\s+migration\b.*:\s*$", re.IGNORECASE)
_DOWN_MARKER: Final = re.compile(r"^--\s*down\s+migration\b.*:\s*$", re.IGNORECASE)

#: The rollback text recorded for an explicit down section holding no statement, so a row whose
#: file is gone still tells "does nothing" from "cannot be rolled back" (no text at all).
NOOP_DOWN: Final = "-- no-op: nothing to undo"

#: States a tracking-table row can be in. ``running`` is a MySQL migration whose runner died
#: mid-way; ``partial`` is a failed one a human repaired, resumed at its failed statement.
RecordState = Literal["applied", "failed", "running", "partial", "baseline"]
#: What ``status`` says about one migration.
EntryState = Literal["applied", "pending", "failed", "partial", "modified", "missing", "baseline"]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a section as its layout cut it (goose ``StatementBegin``/``StatementEnd``).

    ``whole`` chunks are one statement as written; the others are split by the SQL splitter.
    """

    text: str
    #: 1-based line of the chunk's first line in the file.
    line: int
    whole: bool = False


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration, parsed from its file(s) in any supported layout."""

    #: The number as an integer (ordering) and as written (``"003"``, the tracking key).
    number: int
    version: str
    name: str
    filename: str
    description: str
    #: Versions (``"002"``) this migration needs applied first.
    dependencies: tuple[str, ...]
    up_sql: str
    down_sql: str
    checksum: str
    #: 1-based line of the first line of the up and down sections in the file.
    up_line: int = 1
    down_line: int = 1
    path: str = ""
    #: Whether a down section exists (possibly a no-op); without one it cannot be rolled back.
    has_down: bool = True
    #: Flyway ``R__`` migrations: re-run after the versioned ones whenever their checksum changes.
    repeatable: bool = False
    #: False for goose ``NO TRANSACTION`` / dbmate ``transaction:false``: run outside a transaction.
    transaction: bool = True
    #: How the layout cut the sections, when it did (else the splitter cuts the SQL).
    up_chunks: tuple[Chunk, ...] = ()
    down_chunks: tuple[Chunk, ...] = ()
    #: Path of the down file where the layout keeps it apart (golang-migrate, Flyway ``U``).
    down_path: str = ""

    @property
    def up_noop(self) -> bool:
        """The up section holds no statement: applying it only records it."""
        return is_noop(self.up_sql) and not any(c.whole for c in self.up_chunks)

    @property
    def down_noop(self) -> bool:
        """An explicit down section holding no statement: rolling back only forgets it."""
        return (
            self.has_down and is_noop(self.down_sql) and not any(c.whole for c in self.down_chunks)
        )

    @property
    def recorded_down(self) -> str:
        """The rollback text kept in the tracking row (``NOOP_DOWN`` for an empty down section)."""
        if not self.has_down:
            return ""
        return self.down_sql if self.down_sql.strip() else NOOP_DOWN


@dataclass(frozen=True, slots=True)
class AppliedRecord:
    """One row of the tracking table ``schema_migrations``."""

    version: str
    name: str
    description: str
    checksum: str
    state: RecordState
    statements_applied: int
    statements_total: int
    down_sql: str
    applied_at: datetime | None = None
    applied_by: str = ""
    execution_ms: int = 0
    #: Order of application, 1 for the first migration ever applied.
    rank: int = 0
    failed_statement: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """What is known about one migration: its file, its row, or both."""

    version: str
    name: str
    state: EntryState
    description: str = ""
    applied_at: datetime | None = None
    applied_by: str = ""
    statements_applied: int = 0
    statements_total: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class UpStep:
    """Run ``migration`` from statement ``start`` (0-based; > 0 only when resuming)."""

    migration: Migration
    start: int = 0


@dataclass(frozen=True, slots=True)
class UpPlan:
    """The migrations ``up`` runs, in order."""

    steps: tuple[UpStep, ...]


@dataclass(frozen=True, slots=True)
class DownPlan:
    """The rows ``down`` reverts, newest first, with the down SQL each one runs."""

    records: tuple[AppliedRecord, ...]
    down_sql: tuple[str, ...] = field(default=())


def checksum(up_sql: str) -> str:
    """``sha256v1:<hex>`` of the up SQL with line endings normalised to ``\\n``.

    >>> checksum("SELECT 1;\\r\\n") == checksum("SELECT 1;\\n")
    True
    """
    text = up_sql.replace("\r\n", "\n").replace("\r", "\n")
    return CHECKSUM_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_noop(sql: str) -> bool:
    """Whether ``sql`` holds nothing but blank lines and comments.

    >>> is_noop("-- nothing to undo\\n/* really */"), is_noop("SELECT 1")
    (True, False)
    """
    try:
        return not split_sql(sql, "sqlite")
    except InvalidInput:
        return False


def is_repeatable(version: str) -> bool:
    """Whether a tracking key names a repeatable migration (``R__name``)."""
    return version.startswith("R__")


def parse_filename(filename: str) -> tuple[int, str, str]:
    """``(number, version, name)`` of ``NNN_name.sql``.

    :raises InvalidInput: the name does not have that form.
    """
    m = _FILENAME.match(filename)
    if m is None:
        raise InvalidInput(
            "a migration file name must be NNN_name.sql",
            location=Location(file=filename),
            hint="for example 005_add_incident_tags.sql",
        )
    return int(m.group("number")), m.group("number"), m.group("name")


def _dependency_version(text: str, where: Location) -> str:
    """``"002"`` from ``002_add_user_roles.sql``, ``002_add_user_roles`` or ``002``."""
    token = text.strip()
    m = re.match(r"^(\d+)(?:_[A-Za-z0-9_.\-]+)?$", token)
    if m is None:
        raise InvalidInput(
            f"dependency {token!r} is not a migration number or file name",
            location=where,
            hint="list migrations as 002_add_user_roles.sql or 002, separated by commas",
        )
    return m.group(1)


def parse_migration(text: str, filename: str, *, path: str | None = None) -> Migration:
    """Parse one migration file's text.

    :param filename: the file's base name, ``NNN_name.sql``.
    :param path: the path to name in errors (default: ``filename``).
    :raises InvalidInput: naming the file and line of the first problem.
    """
    source = path or filename
    number, version, name = parse_filename(filename)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    description = ""
    dependencies: list[str] = []
    up_at = down_at = -1
    for i, raw in enumerate(lines):
        line = raw.strip()
        if _UP_MARKER.match(line):
            if up_at >= 0:
                raise InvalidInput(
                    "a second '-- Up Migration:' marker",
                    location=Location(file=source, line=i + 1),
                )
            if down_at >= 0:
                raise InvalidInput(
                    "'-- Up Migration:' must come before '-- Down Migration (Rollback):'",
                    location=Location(file=source, line=i + 1),
                )
            up_at = i
            continue
        if _DOWN_MARKER.match(line):
            if down_at >= 0:
                raise InvalidInput(
                    "a second '-- Down Migration (Rollback):' marker",
                    location=Location(file=source, line=i + 1),
                )
            if up_at < 0:
                raise InvalidInput(
                    "'-- Down Migration (Rollback):' before '-- Up Migration:'",
                    location=Location(file=source, line=i + 1),
                )
            down_at = i
            continue
        if up_at >= 0:
            continue
        # Header: comment lines only; known keys are read, other comments are notes.
        if not line:
            continue
        where = Location(file=source, line=i + 1)
        if not line.startswith("--"):
            raise InvalidInput(
                "SQL before the '-- Up Migration:' marker",
                location=where,
                hint="put the header first, then '-- Up Migration:' and the SQL",
            )
        m = _HEADER.match(line)
        if m is None:
            continue
        key = m.group("key").lower()
        value = m.group("value")
        if key == "migration":
            if not value.isdigit() or int(value) != number:
                raise InvalidInput(
                    f"'-- Migration: {value}' does not match the file number {version}",
                    location=Location(file=source, line=i + 1, field="Migration"),
                )
        elif key == "description":
            description = value
        elif key == "dependencies" and value.lower() not in ("", "none", "-"):
            dependencies.extend(
                _dependency_version(part, Location(source, i + 1, "Dependencies"))
                for part in value.split(",")
                if part.strip()
            )
    if up_at < 0:
        raise InvalidInput(
            "no '-- Up Migration:' marker",
            location=Location(file=source, line=1),
            hint="a migration has a header, '-- Up Migration:' and '-- Down Migration (Rollback):'",
        )
    up_end = down_at if down_at >= 0 else len(lines)
    up_sql = "\n".join(lines[up_at + 1 : up_end]).strip()
    down_sql = "\n".join(lines[down_at + 1 :]).strip() if down_at >= 0 else ""
    return Migration(
        number=number,
        version=version,
        name=name,
        filename=filename,
        description=description or name.replace("_", " "),
        dependencies=tuple(dict.fromkeys(dependencies)),
        up_sql=up_sql,
        down_sql=down_sql,
        checksum=checksum(up_sql),
        up_line=up_at + 2,
        down_line=down_at + 2 if down_at >= 0 else len(lines) + 1,
        path=source,
        has_down=down_at >= 0,
    )


def order_migrations(migrations: Iterable[Migration]) -> tuple[Migration, ...]:
    """The execution order: by number, each after the migrations it depends on.

    :raises InvalidInput: two files share a number, a dependency names no migration, or
        dependencies form a cycle (the message names the cycle).
    """
    by_number: dict[int, Migration] = {}
    for m in migrations:
        other = by_number.get(m.number)
        if other is not None:
            raise InvalidInput(
                f"migrations {other.filename} and {m.filename} share the number {m.number}",
                location=Location(file=m.path or m.filename),
                hint="renumber one of them",
            )
        by_number[m.number] = m
    children: dict[int, list[int]] = {n: [] for n in by_number}
    indegree = dict.fromkeys(by_number, 0)
    for m in by_number.values():
        for dep in m.dependencies:
            d = int(dep)
            if d not in by_number:
                raise InvalidInput(
                    f"migration {m.filename} depends on {dep}, which is not a migration here",
                    location=Location(file=m.path or m.filename, field="Dependencies"),
                )
            if d == m.number:
                raise InvalidInput(
                    f"migration {m.filename} depends on itself",
                    location=Location(file=m.path or m.filename, field="Dependencies"),
                )
            children[d].append(m.number)
            indegree[m.number] += 1
    ready = [n for n, k in indegree.items() if k == 0]
    heapq.heapify(ready)
    out: list[Migration] = []
    while ready:
        n = heapq.heappop(ready)
        out.append(by_number[n])
        for c in children[n]:
            indegree[c] -= 1
            if indegree[c] == 0:
                heapq.heappush(ready, c)
    if len(out) != len(by_number):
        cycle = _find_cycle(by_number, {n for n, k in indegree.items() if k > 0})
        names = " -> ".join(by_number[n].filename for n in cycle)
        first = by_number[cycle[0]]
        raise InvalidInput(
            f"migration dependencies form a cycle: {names}",
            location=Location(file=first.path or first.filename, field="Dependencies"),
            hint="remove one of these dependencies",
        )
    return tuple(out)


def _find_cycle(by_number: Mapping[int, Migration], stuck: set[int]) -> list[int]:
    """One dependency cycle among ``stuck`` migrations, closed (first == last)."""
    start = min(stuck)
    path: list[int] = []
    seen: dict[int, int] = {}
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(int(d) for d in by_number[node].dependencies if int(d) in stuck)
    cycle = path[seen[node] :]
    cycle.reverse()  # dependency order: each one needs the next applied first, reversed
    return [*cycle, cycle[0]]


def next_number(existing: Iterable[Migration | str]) -> tuple[int, int]:
    """The number after the highest one, and the digit width to write it with (at least 3)."""
    numbers: list[tuple[int, int]] = []
    for item in existing:
        version = item.version if isinstance(item, Migration) else item
        numbers.append((int(version), len(version)))
    if not numbers:
        return 1, 3
    return max(n for n, _ in numbers) + 1, max(3, *(w for _, w in numbers))


def migration_filename(number: int, width: int, name: str) -> str:
    """``NNN_name.sql``; ``name`` is slugged (spaces and dashes become ``_``).

    :raises InvalidInput: nothing usable is left of ``name``.
    """
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name.strip()).strip("_").lower()
    if not slug or not _NAME.match(slug):
        raise InvalidInput(
            f"{name!r} is not a usable migration name", hint="use letters, digits and '_'"
        )
    return f"{number:0{width}d}_{slug}.sql"


def skeleton(
    filename: str, *, description: str, dependencies: Sequence[str] = (), database: str = ""
) -> str:
    """The text of a new migration file in the seed's format."""
    _, version, _ = parse_filename(filename)
    where = f"migrations/{database}/{filename}" if database else filename
    deps = ", ".join(dependencies) if dependencies else "none"
    return (
        f"-- {where}\n"
        f"-- Migration: {version}\n"
        f"-- Description: {description}\n"
        f"-- Dependencies: {deps}\n"
        "-- Up Migration:\n"
        "\n"
        "-- Down Migration (Rollback):\n"
        "\n"
    )


def same_checksum(recorded: str, current: str) -> bool:
    """Whether a recorded checksum matches the file's.

    A row without a checksum (written by the seed's manager, before Polaris) or with another
    algorithm version cannot be compared, so it is taken as matching, never as an edit.
    """
    if not recorded or recorded.split(":", 1)[0] != current.split(":", 1)[0]:
        return True
    return recorded == current


def _is_applied(state: str) -> bool:
    return state in ("applied", "baseline")


def status(
    migrations: Sequence[Migration], records: Sequence[AppliedRecord]
) -> tuple[StatusEntry, ...]:
    """One entry per migration file or tracking row, in execution order (rows without a file last).

    ``modified`` is an applied migration whose file's checksum differs from the recorded one;
    ``missing`` is a row whose file is gone.
    """
    by_version = {r.version: r for r in records}
    out: list[StatusEntry] = []
    for m in migrations:
        r = by_version.pop(m.version, None)
        if r is None:
            out.append(StatusEntry(m.version, m.name, "pending", m.description, detail=_note(m)))
            continue
        state: EntryState
        detail = _note(m)
        if m.repeatable and r.state == "applied" and not same_checksum(r.checksum, m.checksum):
            state = "pending"
            detail = "repeatable, changed since it last ran"
        elif r.state == "running":
            state = "failed"
            n = r.statements_applied + 1
            detail = (
                f"interrupted at statement {n} of {r.statements_total}: the runner died; "
                f"statement {n} may have completed (MySQL/MariaDB commit each statement); "
                f"'polaris schema repair {r.version}' checks what it can"
            )
        elif r.state == "failed":
            state = "failed"
            detail = r.error or "interrupted"
            if r.failed_statement:
                detail = f"{detail} (statement {r.statements_applied + 1}: {r.failed_statement})"
        elif r.state == "partial":
            state = "partial"
            detail = f"repaired; resumes at statement {r.statements_applied + 1}"
        elif not same_checksum(r.checksum, m.checksum):
            state = "modified"
            detail = f"file {m.checksum[:21]}... != applied {r.checksum[:21]}..."
        else:
            state = "baseline" if r.state == "baseline" else "applied"
        out.append(
            StatusEntry(
                m.version,
                m.name,
                state,
                m.description,
                r.applied_at,
                r.applied_by,
                r.statements_applied,
                r.statements_total,
                detail,
            )
        )
    for r in sorted(by_version.values(), key=lambda r: r.rank):
        out.append(
            StatusEntry(
                r.version,
                r.name,
                "missing",
                r.description,
                r.applied_at,
                r.applied_by,
                r.statements_applied,
                r.statements_total,
                "applied but its file is gone",
            )
        )
    return tuple(out)


def _note(m: Migration) -> str:
    """What ``status`` says about a migration's sections: no-ops, no rollback, repeatable."""
    notes = []
    if m.repeatable:
        notes.append("repeatable")
    if m.up_noop:
        notes.append("up is a no-op")
    if not m.has_down and not m.repeatable:
        notes.append("no down section: cannot be rolled back")
    elif m.down_noop and not m.repeatable:
        notes.append("down is a no-op")
    if not m.transaction:
        notes.append("runs outside a transaction")
    return "; ".join(notes)


def validation_problems(entries: Iterable[StatusEntry]) -> tuple[StatusEntry, ...]:
    """The entries ``validate`` reports: modified, failed, partial or missing."""
    return tuple(e for e in entries if e.state in ("modified", "failed", "partial", "missing"))


def _find(ordered: Sequence[Migration], target: str) -> int:
    for i, m in enumerate(ordered):
        if m.version == target:
            return i
    for i, m in enumerate(ordered):
        if target.isdigit() and m.version.isdigit() and int(m.version) == int(target):
            return i
    raise NotFound(f"no migration numbered {target}", location=Location(field="--to"))


def plan_up(
    ordered: Sequence[Migration], records: Sequence[AppliedRecord], *, to: str | None = None
) -> UpPlan:
    """What ``up`` runs: pending (and repaired ``partial``) migrations in order, up to ``to``.

    :raises CheckFailed: an applied file was edited (run ``validate``, then ``repair N``).
    :raises Conflict: a migration is in the failed state (fix the database, then ``repair``).
    :raises NotFound: ``to`` names no migration.
    """
    by_version = {r.version: r for r in records}
    failed = [r for r in records if r.state in ("failed", "running")]
    if failed:
        f = failed[0]
        raise Conflict(
            f"migration {f.version} ({f.name}) failed at statement "
            f"{f.statements_applied + 1} of {f.statements_total}: {f.error or 'interrupted'}",
            hint=f"fix the database by hand, then run 'polaris schema repair {f.version}'",
        )
    modified = [
        m.version
        for m in ordered
        if (rec := by_version.get(m.version)) is not None
        and _is_applied(rec.state)
        and not m.repeatable
        and not same_checksum(rec.checksum, m.checksum)
    ]
    if modified:
        raise CheckFailed(
            f"applied migration(s) {', '.join(modified)} were edited since they were applied",
            hint="restore the files, or accept the edit with 'polaris schema repair N'",
        )
    versioned = [m for m in ordered if not m.repeatable]
    limit = len(versioned) if to is None else _find(versioned, to) + 1
    steps: list[UpStep] = []
    for m in versioned[:limit]:
        r = by_version.get(m.version)
        if r is None:
            steps.append(UpStep(m))
        elif r.state == "partial":
            steps.append(UpStep(m, r.statements_applied))
    if to is None:  # Flyway: repeatables run after the versioned ones, when new or changed
        for m in ordered:
            r = by_version.get(m.version)
            if m.repeatable and (r is None or not same_checksum(r.checksum, m.checksum)):
                steps.append(UpStep(m, r.statements_applied if r and r.state == "partial" else 0))
    return UpPlan(tuple(steps))


def plan_down(
    ordered: Sequence[Migration],
    records: Sequence[AppliedRecord],
    *,
    to: str | None = None,
    steps: int | None = None,
) -> DownPlan:
    """What ``down`` reverts, newest first: ``steps`` migrations (default 1), or all after ``to``.

    The down SQL is the file's when the file is present, else the one recorded at apply time.

    :raises InvalidInput: both ``to`` and ``steps`` given, or ``steps`` < 1.
    :raises Conflict: a failed migration exists, a migration to revert has no down SQL, or a
        migration staying applied depends on one to revert.
    :raises NotFound: ``to`` is not an applied migration (``0`` means "revert everything").
    """
    if to is not None and steps is not None:
        raise InvalidInput("give either --to or --steps, not both", location=Location("--to"))
    if steps is not None and steps < 1:
        raise InvalidInput("--steps must be 1 or more", location=Location(field="--steps"))
    failed = [r for r in records if r.state in ("failed", "running", "partial")]
    if failed:
        raise Conflict(
            f"migration {failed[0].version} is {failed[0].state}; repair it before rolling back",
            hint=f"polaris schema repair {failed[0].version}",
        )
    # Repeatable migrations have no undo (Flyway): down leaves them, and their rows, alone.
    applied = sorted(
        (r for r in records if _is_applied(r.state) and not is_repeatable(r.version)),
        key=lambda r: -r.rank,
    )
    if to is not None:
        if to.strip("0") == "":
            chosen = applied
        else:
            idx = next(
                (
                    i
                    for i, r in enumerate(applied)
                    if r.version == to
                    or (to.isdigit() and r.version.isdigit() and int(r.version) == int(to))
                ),
                None,
            )
            if idx is None:
                raise NotFound(f"migration {to} is not applied", location=Location(field="--to"))
            chosen = applied[:idx]
    else:
        chosen = applied[: steps or 1]
    files = {m.version: m for m in ordered}
    leaving = {r.version for r in chosen}
    staying = [r for r in applied if r.version not in leaving]
    for r in staying:
        m = files.get(r.version)
        needs = set(m.dependencies) if m is not None else set()
        blocked = sorted(needs & leaving)
        if blocked:
            raise Conflict(
                f"migration {r.version} stays applied but depends on {', '.join(blocked)}",
                hint="roll back further, or roll back that migration first",
            )
    down: list[str] = []
    for r in chosen:
        m = files.get(r.version)
        sql = m.recorded_down if m is not None else r.down_sql
        if not sql.strip():
            raise Conflict(
                f"migration {r.version} ({r.name}) has no down section: it cannot be rolled back",
                location=Location(file=m.path if m is not None else None),
                hint="with nothing to undo, write the down marker (or an empty down file)",
            )
        down.append(sql)
    return DownPlan(tuple(chosen), tuple(down))
