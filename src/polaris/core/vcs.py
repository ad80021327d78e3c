"""What version control hands the rest of Polaris: commits as git reports them (pure records)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RawCommit"]


@dataclass(frozen=True, slots=True)
class RawCommit:
    """A commit as git reports it; ``message`` is the full raw message (``%B``)."""

    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    #: Author date, ISO 8601 strict (``2026-01-02T10:00:00+01:00``).
    date: str
    message: str
