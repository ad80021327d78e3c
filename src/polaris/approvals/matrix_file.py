"""Find the approval matrix of a platform: ``approval-matrix.yml``, else ``[governance]`` of
``polaris.toml``, else the document's matrix (seed 12.1.1).

The file is re-read when it changes (mtime), so a running server picks up policy edits.
"""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path
from typing import Any, Final

from polaris.approvals.policy import (
    DEFAULT_MATRIX,
    DOCUMENT_ROLES,
    ApprovalMatrix,
    matrix_from_values,
    parse_matrix,
)
from polaris.core.errors import ConfigError, Location

__all__ = ["MATRIX_NAME", "MatrixSource"]

MATRIX_NAME: Final = "approval-matrix.yml"


class MatrixSource:
    """The matrix and the roles of one platform directory (or the defaults without one)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._cache: tuple[tuple[float, float], ApprovalMatrix, frozenset[str]] | None = None

    def _files(self) -> tuple[Path | None, Path | None]:
        if self.directory is None:
            return None, None
        return self.directory / MATRIX_NAME, self.directory / "polaris.toml"

    def _stamp(self) -> tuple[float, float]:
        yml, toml = self._files()
        return tuple(  # type: ignore[return-value]
            p.stat().st_mtime if p is not None and p.is_file() else 0.0 for p in (yml, toml)
        )

    def _load(self) -> tuple[ApprovalMatrix, frozenset[str]]:
        yml, toml = self._files()
        governance: dict[str, Any] = {}
        if toml is not None and toml.is_file():
            try:
                governance = tomllib.loads(toml.read_text(encoding="utf-8")).get("governance", {})
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(str(exc), location=Location(file=str(toml))) from None
        extra = governance.pop("roles", [])
        if not isinstance(extra, list) or not all(isinstance(r, str) for r in extra):
            raise ConfigError(
                "expected a list of role names",
                location=Location(file=str(toml), field="governance.roles"),
            )
        if yml is not None and yml.is_file():
            matrix = parse_matrix(yml.read_text(encoding="utf-8"), str(yml))
        elif governance:
            matrix = matrix_from_values(governance, str(toml))
        else:
            matrix = DEFAULT_MATRIX
        return matrix, frozenset(DOCUMENT_ROLES) | matrix.roles() | frozenset(extra)

    def _get(self) -> tuple[ApprovalMatrix, frozenset[str]]:
        stamp = self._stamp()
        with self._lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1], self._cache[2]
        matrix, roles = self._load()
        with self._lock:
            self._cache = (stamp, matrix, roles)
        return matrix, roles

    def matrix(self) -> ApprovalMatrix:
        """The policy in force."""
        return self._get()[0]

    def roles(self) -> frozenset[str]:
        """Every role users may hold: the document's, the matrix's and those declared."""
        return self._get()[1]
