"""The port every backup tool implements, and the errors it raises.

A tool backs one kind of store (``postgresql``, ``mysql``, ``sqlite``, ``redis``, ``neo4j``,
``weaviate``) up into one file and restores that file into a database given by URL. Tools are
found by kind in :mod:`polaris.recovery.tools.registry`: the built-in ones, plus any a company
adds through the ``polaris.backup_tools`` entry-point group (a class with the same methods).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from polaris.core.errors import CheckFailed, InvalidInput, Location

__all__ = [
    "BackupFailed",
    "BackupTool",
    "ToolMissing",
    "require_program",
    "run_tool",
]


class ToolMissing(InvalidInput):
    """A program a backup tool needs is not installed (or not on ``PATH``)."""

    slug = "backup-tool-missing"


class BackupFailed(CheckFailed):
    """A backup or restore command ran and failed."""

    slug = "backup-failed"


@runtime_checkable
class BackupTool(Protocol):
    """Backs a store up into one file, restores it, and makes throwaway databases for checks."""

    #: The store kind this tool handles (``[recovery.stores.X] kind`` / a database's dialect).
    kind: ClassVar[str]
    #: Whether Polaris's tests run it against a real server (``False``: documented, untested).
    tested: ClassVar[bool]

    def check(self) -> None:
        """Raise :class:`ToolMissing` (one line) when a program it runs is not installed."""

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """Write a backup of the store at ``url`` to ``dest``; return details for the manifest.

        The details may hold ``"tables"`` (sorted names the dump contains), which the
        ``"tables"`` of :meth:`summary` on a restored copy must match.
        """

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """Restore ``dump`` into the store at ``url`` (emptied first when ``replace``).

        ``details`` are what :meth:`backup` returned for this dump.
        """

    def is_empty(self, url: str) -> bool:
        """Whether the store at ``url`` holds no data (a fresh restore target)."""

    def scratch(self, url: str) -> AbstractContextManager[str]:
        """A throwaway store of this kind near ``url``: its URL inside ``with``, then gone."""

    def summary(self, url: str) -> dict[str, Any]:
        """What the store at ``url`` holds: ``{"tables": [...]}`` (SQL), ``{"keys": n}`` (Redis)."""


def require_program(kind: str, *names: str) -> str:
    """The path of the first of ``names`` on ``PATH``.

    :raises ToolMissing: none is installed.
    """
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    wanted = " or ".join(names)
    raise ToolMissing(
        f"{wanted} is not on PATH: cannot back up or restore {kind} stores",
        location=Location(field=f"backup_tools.{kind}"),
        hint=f"install the {kind} client tools (e.g. apt-get install {_PACKAGES.get(kind, kind)})",
    )


_PACKAGES: Mapping[str, str] = {
    "postgresql": "postgresql-client",
    "mysql": "mariadb-client",
    "redis": "redis-tools redis-server",
    "neo4j": "neo4j",
}


def run_tool(
    args: Sequence[str],
    *,
    what: str,
    env: Mapping[str, str] | None = None,
    stdin: Path | None = None,
    timeout: float = 3600,
) -> str:
    """Run a backup program; return its stdout.

    :raises BackupFailed: it exited non-zero (its last stderr line is in the message).
    """
    import os

    full_env = {**os.environ, **(env or {})}
    with stdin.open("rb") if stdin is not None else open(os.devnull, "rb") as fh:
        proc = subprocess.run(
            list(args), stdin=fh, capture_output=True, env=full_env, timeout=timeout, check=False
        )
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.decode(errors="replace").splitlines() if ln.strip()]
        last = lines[-1].strip() if lines else f"exit status {proc.returncode}"
        raise BackupFailed(f"{what} failed: {last}")
    return proc.stdout.decode(errors="replace")
