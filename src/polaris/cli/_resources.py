"""What a command opened and the CLI closes when it returns (clients, in-process servers)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["close_all", "on_close"]

_closers: list[Callable[[], None]] = []


def on_close(fn: Callable[[], None]) -> None:
    """Call ``fn`` when the current command returns (also after an error)."""
    _closers.append(fn)


def close_all() -> None:
    """Close everything registered, newest first."""
    while _closers:
        _closers.pop()()
