"""The offline advisory database: an OSV export indexed once into its own SQLite file.

The export is what osv-scanner's offline mode and the OSV bucket ship: a zip of one JSON record
per advisory (``PyPI/all.zip``, ``npm/all.zip``), or a directory of such files. Import parses every
record once, keeps its JSON and indexes its ``(ecosystem, package)`` pairs, so an audit reads only
the records of the packages it asks about. The file lives at ``$POLARIS_HOME/osv.sqlite`` unless
told otherwise; it is Polaris's cache, not part of the store.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from polaris.core.errors import InvalidInput, Location
from polaris.dependencies.osv_rules import Advisory, is_affected, parse_record
from polaris.dependencies.rules import Dependency

__all__ = ["DbStatus", "ImportResult", "OsvDatabase"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisory (
  id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL,
  severity TEXT NOT NULL, score REAL, doc BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS affected (ecosystem TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_id ON affected (id);
"""
_CHUNK = 500
_MATCH_SQL = (
    "SELECT f.name, a.id, a.doc, a.severity, a.score FROM affected f "
    "JOIN advisory a ON a.id = f.id WHERE a.withdrawn = 0 AND f.ecosystem = ? AND f.name IN "
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import read, kept and skipped."""

    path: str
    records: int
    imported: int
    skipped: list[str]


@dataclass(frozen=True, slots=True)
class DbStatus:
    """The database's size and provenance."""

    path: str
    exists: bool
    advisories: int
    packages: int
    ecosystems: dict[str, int]
    imported_at: str | None
    sources: list[str]


def _records(source: Path) -> Iterator[tuple[str, bytes]]:
    """``(name, bytes)`` of every ``*.json`` in a zip or (recursively) a directory."""
    if source.is_dir():
        for p in sorted(source.rglob("*.json")):
            yield str(p.relative_to(source)), p.read_bytes()
        return
    try:
        with zipfile.ZipFile(source) as z:
            for info in z.infolist():
                if info.filename.endswith(".json") and not info.is_dir():
                    yield info.filename, z.read(info)
    except zipfile.BadZipFile:
        raise InvalidInput(
            "not a zip file or directory of OSV records", location=Location(file=str(source))
        ) from None


class OsvDatabase:
    """The SQLite index file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        """Whether an import has created the file."""
        return self.path.is_file()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(_SCHEMA)
        return con

    def import_export(self, source: Path, *, now: datetime) -> ImportResult:
        """Index every record of ``source`` in one transaction; newer ``modified`` wins.

        A record that does not parse is skipped and named in the result.
        """
        if not source.exists():
            raise InvalidInput("no such file or directory", location=Location(file=str(source)))
        skipped: list[str] = []
        count = kept = 0
        con = self._connect()
        try:
            with con:
                for name, data in _records(source):
                    count += 1
                    try:
                        doc = orjson.loads(data)
                        adv = parse_record(doc, source=name)
                    except (orjson.JSONDecodeError, InvalidInput) as exc:
                        msg = exc.message if isinstance(exc, InvalidInput) else "not JSON"
                        skipped.append(f"{name}: {msg}")
                        continue
                    row = con.execute(
                        "SELECT modified FROM advisory WHERE id = ?", (adv.id,)
                    ).fetchone()
                    if row is not None and row[0] > adv.modified:
                        continue
                    con.execute("DELETE FROM affected WHERE id = ?", (adv.id,))
                    con.execute(
                        "INSERT OR REPLACE INTO advisory VALUES (?, ?, ?, ?, ?, ?)",
                        (adv.id, adv.modified, int(adv.withdrawn), adv.severity, adv.score, data),
                    )
                    con.executemany(
                        "INSERT INTO affected VALUES (?, ?, ?)",
                        {(a.ecosystem, a.key, adv.id) for a in adv.affected},
                    )
                    kept += 1
                sources = self._meta(con, "sources")
                listed = json.loads(sources) if sources else []
                if str(source) not in listed:
                    listed.append(str(source))
                con.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('sources', ?)", (json.dumps(listed),)
                )
                con.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('imported_at', ?)", (now.isoformat(),)
                )
        finally:
            con.close()
        return ImportResult(str(source), count, kept, skipped)

    @staticmethod
    def _meta(con: sqlite3.Connection, key: str) -> str | None:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def status(self) -> DbStatus:
        """Counts and provenance (zeros when nothing was imported)."""
        if not self.exists():
            return DbStatus(str(self.path), False, 0, 0, {}, None, [])
        con = self._connect()
        try:
            advisories = con.execute("SELECT count(*) FROM advisory").fetchone()[0]
            per_eco = dict(
                con.execute(
                    "SELECT ecosystem, count(DISTINCT id) FROM affected "
                    "GROUP BY ecosystem ORDER BY 1"
                ).fetchall()
            )
            packages = con.execute(
                "SELECT count(*) FROM (SELECT DISTINCT ecosystem, name FROM affected)"
            ).fetchone()[0]
            sources = self._meta(con, "sources")
            return DbStatus(
                str(self.path),
                True,
                int(advisories),
                int(packages),
                {str(k): int(v) for k, v in per_eco.items()},
                self._meta(con, "imported_at"),
                json.loads(sources) if sources else [],
            )
        finally:
            con.close()

    def matches(
        self, deps: Sequence[Dependency], warnings: list[str]
    ) -> dict[Dependency, list[Advisory]]:
        """The advisories affecting each pinned dependency, decided locally."""
        wanted: dict[tuple[str, str], list[Dependency]] = {}
        for d in deps:
            if d.version is not None:
                wanted.setdefault((d.ecosystem.value, d.key), []).append(d)
        parsed: dict[str, Advisory | None] = {}
        out: dict[Dependency, list[Advisory]] = {}
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            by_eco: dict[str, list[str]] = {}
            for eco, key in wanted:
                by_eco.setdefault(eco, []).append(key)
            for eco, names in by_eco.items():
                for i in range(0, len(names), _CHUNK):
                    chunk = names[i : i + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    sql = _MATCH_SQL + f"({marks})"
                    rows = con.execute(sql, (eco, *chunk)).fetchall()
                    for name, aid, doc, severity, score in rows:
                        if aid not in parsed:
                            parsed[aid] = _parse(aid, doc, (severity, score), warnings)
                        adv = parsed[aid]
                        if adv is None or adv.withdrawn:
                            continue
                        entries = [a for a in adv.affected if a.ecosystem == eco and a.key == name]
                        for dep in wanted[(eco, name)]:
                            if any(is_affected(e, dep.version or "") for e in entries):
                                out.setdefault(dep, []).append(adv)
        finally:
            con.close()
        return out


def _parse(
    aid: str, doc: bytes, rating: tuple[str, float | None], warnings: list[str]
) -> Advisory | None:
    try:
        return parse_record(orjson.loads(doc), source=aid, rating=rating)
    except (orjson.JSONDecodeError, InvalidInput) as exc:  # pragma: no cover - checked at import
        warnings.append(f"skipped {aid}: {exc}")
        return None
