"""Neo4j 5 through ``neo4j-admin database dump``/``load``. UNTESTED: no Neo4j runs here.

``neo4j-admin`` works on the files of the server it runs beside, so Polaris must run on (or in a
sidecar of) the Neo4j host. Community Edition dumps a *stopped* database only; Enterprise can use
``neo4j-admin database backup`` online instead (a company registers its own tool for that through
the ``polaris.backup_tools`` entry points). The URL names the database:
``neo4j://host:7687/neo4j``; the scratch database of ``verify`` is a new database name on the
same server, which needs Enterprise (Community has one user database).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final

from polaris.recovery.tools._urls import ServerUrl, with_database
from polaris.recovery.tools.interface import BackupFailed, require_program, run_tool

__all__ = ["Neo4jTool"]

_EXAMPLE: Final = "neo4j://user:password@host:7687/neo4j"


def _database(url: str) -> str:
    server = ServerUrl.parse(url, kind="Neo4j", schemes=("neo4j", "bolt"), example=_EXAMPLE)
    return server.database or "neo4j"


class Neo4jTool:
    """``neo4j-admin database dump`` / ``neo4j-admin database load --overwrite-destination``."""

    kind: ClassVar[str] = "neo4j"
    tested: ClassVar[bool] = False

    def check(self) -> None:
        """``neo4j-admin`` must be on PATH."""
        require_program(self.kind, "neo4j-admin")

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """``neo4j-admin database dump DB --to-path DIR``; the ``DB.dump`` file becomes ``dest``."""
        admin = require_program(self.kind, "neo4j-admin")
        db = _database(url)
        with tempfile.TemporaryDirectory(prefix="polaris-neo4j-") as tmp:
            run_tool(
                [admin, "database", "dump", db, f"--to-path={tmp}"], what=f"neo4j dump of {db}"
            )
            produced = Path(tmp) / f"{db}.dump"
            if not produced.is_file():
                raise BackupFailed(f"neo4j-admin wrote no {produced.name}")
            produced.replace(dest)
        return {"format": "neo4j-dump", "database": db}

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """``neo4j-admin database load DB --from-path DIR [--overwrite-destination=true]``."""
        del details
        admin = require_program(self.kind, "neo4j-admin")
        db = _database(url)
        with tempfile.TemporaryDirectory(prefix="polaris-neo4j-") as tmp:
            (Path(tmp) / f"{db}.dump").write_bytes(dump.read_bytes())
            args = [admin, "database", "load", db, f"--from-path={tmp}"]
            if replace:
                args.append("--overwrite-destination=true")
            run_tool(args, what=f"neo4j load into {db}")

    def is_empty(self, url: str) -> bool:
        """Unknown without a running query client: a load without replace fails on a non-empty
        database anyway (``neo4j-admin`` refuses to overwrite), so report empty."""
        del url
        return True

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        """A new database name on the same server (Enterprise); not dropped automatically."""
        yield with_database(url, f"verify{uuid.uuid4().hex[:8]}")

    def summary(self, url: str) -> dict[str, Any]:
        """The database name (counting nodes needs a Bolt client Polaris does not ship)."""
        return {"database": _database(url)}
