"""Adopting a database another tool migrated: read its history table, decide what to baseline.

Each tool keeps its own record of what it applied:

- Flyway: ``flyway_schema_history`` (one row per run, ``success`` false for a failed one,
  ``UNDO_SQL`` rows undoing a version, ``version`` NULL for a repeatable migration);
- golang-migrate: ``schema_migrations (version, dirty)``, one row: everything up to ``version`` is
  applied, and ``dirty`` means the last run failed half-way;
- goose: ``goose_db_version (id, version_id, is_applied, tstamp)``, the latest row of a version
  says whether it is applied (version 0 is goose's own first row);
- dbmate: ``schema_migrations (version)``, one row per applied migration.

A dirty or failed state is refused with the tool's own words for it: the database must be fixed
with that tool (or by hand) before Polaris takes over. Pure: rows in, a decision out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from polaris.core.errors import Conflict, InvalidInput, Location
from polaris.migrations.rules import Migration

__all__ = ["TOOLS", "TOOL_TABLES", "ForeignHistory", "Tool", "adopted", "read_history"]

Tool = Literal["flyway", "golang-migrate", "goose", "dbmate"]
TOOLS: Final[tuple[Tool, ...]] = ("flyway", "golang-migrate", "goose", "dbmate")
#: The history table each tool writes (by default).
TOOL_TABLES: Final[dict[Tool, str]] = {
    "flyway": "flyway_schema_history",
    "golang-migrate": "schema_migrations",
    "goose": "goose_db_version",
    "dbmate": "schema_migrations",
}

Row = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ForeignHistory:
    """What another tool says it applied."""

    tool: Tool
    table: str
    #: Applied versions as the tool writes them, in the order applied.
    applied: tuple[str, ...]
    #: golang-migrate only: everything at or below this version is applied.
    up_to: str | None = None
    #: Flyway repeatable migrations that ran (their descriptions).
    repeatables: tuple[str, ...] = ()


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "y", "yes")
    return bool(value)


def _flyway(rows: Sequence[Row]) -> ForeignHistory:
    applied: dict[str, None] = {}
    repeatables: dict[str, None] = {}
    for r in sorted(rows, key=lambda r: int(str(r.get("installed_rank") or 0))):
        kind = str(r.get("type") or "SQL").upper()
        version = r.get("version")
        description = str(r.get("description") or "")
        if kind in ("SCHEMA", "TABLE", "DELETE"):
            continue
        if not _truthy(r.get("success")):
            if version is None:
                raise Conflict(
                    f"Detected failed repeatable migration: {description}",
                    hint="fix it with 'flyway repair' (or by hand) before adopting",
                )
            raise Conflict(
                f"Detected failed migration to version {version} ({description})",
                hint="Please remove any half-completed changes then run repair to fix the "
                "schema history ('flyway repair'), then adopt",
            )
        if version is None:
            repeatables[description] = None
        elif kind.startswith("UNDO"):
            applied.pop(str(version), None)
        else:
            applied[str(version)] = None
    return ForeignHistory(
        "flyway", TOOL_TABLES["flyway"], tuple(applied), repeatables=tuple(repeatables)
    )


def _golang(rows: Sequence[Row]) -> ForeignHistory:
    if not rows:
        return ForeignHistory("golang-migrate", TOOL_TABLES["golang-migrate"], ())
    row = rows[0]
    version = str(row.get("version"))
    if _truthy(row.get("dirty")):
        raise Conflict(
            f"Dirty database version {version}. Fix and force version.",
            hint=f"fix the database by hand, then 'migrate force {version}' (or the version "
            "before it), then adopt",
        )
    if int(version) < 0:  # golang-migrate's "no version"
        return ForeignHistory("golang-migrate", TOOL_TABLES["golang-migrate"], ())
    return ForeignHistory("golang-migrate", TOOL_TABLES["golang-migrate"], (), up_to=version)


def _goose(rows: Sequence[Row]) -> ForeignHistory:
    latest: dict[int, bool] = {}
    for r in sorted(rows, key=lambda r: int(str(r.get("id") or 0))):
        latest[int(str(r.get("version_id")))] = _truthy(r.get("is_applied"))
    applied = tuple(str(v) for v, on in latest.items() if on and v != 0)
    return ForeignHistory("goose", TOOL_TABLES["goose"], applied)


def _dbmate(rows: Sequence[Row]) -> ForeignHistory:
    versions = sorted(str(r.get("version")) for r in rows)
    return ForeignHistory("dbmate", TOOL_TABLES["dbmate"], tuple(versions))


def read_history(tool: Tool, rows: Sequence[Row], columns: set[str]) -> ForeignHistory:
    """What ``tool``'s history rows (column -> value) say is applied.

    :raises Conflict: the tool's own state is dirty or failed (in its words).
    :raises InvalidInput: the table is not the one ``tool`` writes.
    """
    needed: dict[Tool, set[str]] = {
        "flyway": {"installed_rank", "version", "type", "success"},
        "golang-migrate": {"version", "dirty"},
        "goose": {"version_id", "is_applied"},
        "dbmate": {"version"},
    }
    lowered = {c.lower() for c in columns}
    extra_dirty = tool == "dbmate" and "dirty" in lowered
    if not needed[tool] <= lowered or extra_dirty:
        raise InvalidInput(
            f"table {TOOL_TABLES[tool]} does not have {tool}'s columns "
            f"({', '.join(sorted(needed[tool]))}); found {', '.join(sorted(lowered))}",
            location=Location(field="--from"),
            hint="name the tool that migrated this database",
        )
    rows = [{k.lower(): v for k, v in r.items()} for r in rows]
    readers = {"flyway": _flyway, "golang-migrate": _golang, "goose": _goose, "dbmate": _dbmate}
    return readers[tool](rows)


def _key(version: str) -> tuple[int, ...] | str:
    """A version compared as numbers where it is numbers (``003`` == ``3``, ``1_1`` == ``1.1``)."""
    parts = re.split(r"[._]", version)
    if all(p.isdigit() for p in parts if p):
        return tuple(int(p) for p in parts if p)
    return version


def adopted(history: ForeignHistory, ordered: Sequence[Migration]) -> tuple[Migration, ...]:
    """The migrations (of ``ordered``) to record as already applied, in execution order.

    :raises Conflict: the tool recorded a version that has no migration file here.
    """
    by_key = {_key(m.version): m for m in ordered if not m.repeatable}
    if history.up_to is not None:
        top = _key(history.up_to)
        if top not in by_key:
            raise Conflict(
                f"{history.tool} is at version {history.up_to}, which has no migration file here",
                hint="point the database's directory at the files that migrated it",
            )
        chosen = {k for k in by_key if type(k) is type(top) and k <= top}  # type: ignore[operator]
    else:
        missing = [v for v in history.applied if _key(v) not in by_key]
        if missing:
            raise Conflict(
                f"{history.tool} applied version(s) {', '.join(missing)}, which have no "
                "migration file here",
                hint="point the database's directory at the files that migrated it",
            )
        chosen = {_key(v) for v in history.applied}
    out = [m for m in ordered if not m.repeatable and _key(m.version) in chosen]
    ran = {d.replace(" ", "_").lower() for d in history.repeatables}
    out += [m for m in ordered if m.repeatable and m.name.lower() in ran]
    return tuple(out)
