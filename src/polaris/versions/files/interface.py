"""The port every version-file format implements: find the version, replace it in place."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from polaris.core.project import FileSpec

__all__ = ["Found", "VersionFormat"]


@dataclass(frozen=True, slots=True)
class Found:
    """A version found in a file: the text as written and where it stands (1-based line/column)."""

    path: str
    line: int
    column: int
    #: The version text as the format reads it (an image tag ``2.1.0_build.7`` reads as
    #: ``2.1.0+build.7``); may be something that is not SemVer at all (``latest``).
    text: str
    #: A label of the place: ``[project].version``, ``image aiops/api``, ``MAJOR_VERSION..``.
    where: str


class VersionFormat(ABC):
    """Reads and rewrites one :class:`~polaris.core.project.FileSpec` in a file's text.

    Implementations are pure text transforms: the caller reads and writes the files (atomically,
    see ``_atomic.py``). ``replace`` changes only the version's characters: every other byte —
    comments, order, quoting, line endings — is kept.
    """

    def __init__(self, spec: FileSpec) -> None:
        self.spec = spec

    @abstractmethod
    def find(self, text: str) -> list[Found]:
        """Every place the version stands, in file order.

        :raises VersionFileError: the file cannot be parsed, or the configured place is missing,
            or the number of matches is not what ``spec.count`` allows (naming the file and line).
        """

    @abstractmethod
    def replace(self, text: str, version: str) -> str:
        """``text`` with the version at every found place replaced by ``version``.

        :raises VersionFileError: as :meth:`find`, and when ``version`` cannot be written in this
            format.
        """
