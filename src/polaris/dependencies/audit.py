"""The audit use case: pinned dependencies in, merged findings and the gate's verdict out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from polaris.core.errors import InvalidInput
from polaris.dependencies.osv import VulnerabilitySource
from polaris.dependencies.osv_rules import SEVERITIES, Finding, at_least, merge_findings
from polaris.dependencies.osvdb import OsvDatabase
from polaris.dependencies.rules import Dependency
from polaris.dependencies.service import pinned

__all__ = ["DEFAULT_THRESHOLD", "AuditReport", "audit", "default_db_path"]

#: The document's scanning threshold (seed 9.2.2 ``vulnerability_threshold: "medium"``).
DEFAULT_THRESHOLD = "medium"


def default_db_path() -> Path:
    """``$POLARIS_HOME/osv.sqlite`` (or the platform's data directory)."""
    from polaris.settings import Settings

    return Settings().data_dir / "osv.sqlite"


def open_db(path: Path | None) -> OsvDatabase:
    """The offline database at ``path`` or the default place."""
    return OsvDatabase(path or default_db_path())


@dataclass(slots=True)
class AuditReport:
    """Findings, which of them fail the gate, and what the audit skipped."""

    source: str
    packages: int
    threshold: str
    findings: list[Finding]
    failing: list[Finding]
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No finding reaches the threshold."""
        return not self.failing


def audit(
    deps: Sequence[Dependency],
    source: VulnerabilitySource,
    *,
    source_name: str,
    threshold: str = DEFAULT_THRESHOLD,
    ignore: Sequence[str] = (),
) -> AuditReport:
    """Audit the pinned ``deps``; findings at or above ``threshold`` fail.

    :param ignore: advisory ids (or any of their aliases) accepted as known.
    :raises InvalidInput: ``threshold`` is not a severity.
    :raises CouldNotCheck: the source could not answer.
    """
    if threshold not in SEVERITIES:
        raise InvalidInput(f"--fail-on must be one of {', '.join(SEVERITIES)}, got {threshold!r}")
    pins = pinned(deps)
    findings = merge_findings(source.advisories(pins))
    skip = set(ignore)
    ignored = [f.id for f in findings if skip & {f.id, *f.aliases}]
    findings = [f for f in findings if not skip & {f.id, *f.aliases}]
    return AuditReport(
        source=source_name,
        packages=len(pins),
        threshold=threshold,
        findings=findings,
        failing=[f for f in findings if at_least(f.severity, threshold)],
        ignored=ignored,
        warnings=list(source.warnings),
    )
