"""Backup tools by store kind: the built-in ones and the ``polaris.backup_tools`` entry points.

A company adds a tool without touching Polaris::

    [project.entry-points."polaris.backup_tools"]
    cassandra = "acme_backup.cassandra:CassandraTool"

The entry point's name is the store kind; its object is a class (instantiated without arguments)
with the methods of :class:`~polaris.recovery.tools.interface.BackupTool`. An entry point may
replace a built-in kind (an Enterprise Neo4j online backup, say).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Final

from polaris.core.errors import InvalidInput, Location
from polaris.recovery.tools.interface import BackupTool

__all__ = ["ENTRY_POINT_GROUP", "builtin_tools", "load_tools", "tool_for"]

ENTRY_POINT_GROUP: Final = "polaris.backup_tools"


def builtin_tools() -> dict[str, Callable[[], BackupTool]]:
    """The tools Polaris ships, by kind (imported lazily)."""

    def _sqlite() -> BackupTool:
        from polaris.recovery.tools.sqlite import SqliteTool

        return SqliteTool()

    def _postgres() -> BackupTool:
        from polaris.recovery.tools.postgres import PostgresTool

        return PostgresTool()

    def _mysql() -> BackupTool:
        from polaris.recovery.tools.mysql import MysqlTool

        return MysqlTool()

    def _redis() -> BackupTool:
        from polaris.recovery.tools.redis import RedisTool

        return RedisTool()

    def _neo4j() -> BackupTool:
        from polaris.recovery.tools.neo4j import Neo4jTool

        return Neo4jTool()

    def _weaviate() -> BackupTool:
        from polaris.recovery.tools.weaviate import WeaviateTool

        return WeaviateTool()

    return {
        "sqlite": _sqlite,
        "postgresql": _postgres,
        "mysql": _mysql,
        "redis": _redis,
        "neo4j": _neo4j,
        "weaviate": _weaviate,
    }


def load_tools() -> dict[str, Callable[[], BackupTool]]:
    """Built-in tools, overridden or extended by the installed entry points."""
    tools = builtin_tools()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        tools[ep.name] = ep.load()
    return tools


def tool_for(kind: str, tools: Mapping[str, Callable[[], BackupTool]] | None = None) -> BackupTool:
    """The tool for ``kind``.

    :raises InvalidInput: no tool handles that kind.
    """
    found = (tools if tools is not None else load_tools()).get(kind)
    if found is None:
        known = ", ".join(sorted(tools if tools is not None else load_tools()))
        raise InvalidInput(
            f"no backup tool for store kind {kind!r}; known kinds: {known}",
            location=Location(field="kind"),
            hint=f"install a package with a {ENTRY_POINT_GROUP!r} entry point named {kind!r}",
        )
    return found()
