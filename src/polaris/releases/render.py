"""What ``polaris version next`` prints, as data and as plain lines: shared by the Typer command
and the fast path, which must not import Rich."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from polaris.configs.impact import ConfigImpact
    from polaris.releases.service import NextReport

__all__ = ["next_json", "next_lines"]


def next_json(report: NextReport) -> dict[str, object]:
    """The ``--json`` form of a next-version report."""
    nv = report.next
    return {
        "next": str(nv.next) if nv.next is not None else None,
        "tag": report.tag,
        "level": nv.level,
        "last_release": str(nv.last_release) if nv.last_release is not None else None,
        "last_tag": report.last_tag,
        "component": report.component,
        "branch": report.branch,
        "commits_considered": nv.considered,
        "reasons": [
            {"sha": r.sha or None, "subject": r.subject, "level": r.level, "why": r.why}
            for r in nv.reasons
        ],
        "warnings": list(report.warnings),
        "base_note": report.base_note,
        **({"config": _config_json(report.config)} if report.config is not None else {}),
    }


def _config_json(impact: ConfigImpact) -> dict[str, object]:
    """The configuration changes since the last release and the bump they call for."""
    return {
        "base": impact.base,
        "bump": str(impact.bump),
        "environments": [
            {
                "environment": e.environment,
                "old_file": e.old_file,
                "new_file": e.new_file,
                "bump": str(e.bump),
                "changes": e.changes,
                "examples": list(e.examples),
                "breaking": list(e.breaking),
                "why": e.why(),
            }
            for e in impact.environments
        ],
    }


def next_lines(report: NextReport) -> list[tuple[str, str]]:
    """The human form as ``(style, text)`` lines; style is ``""``, ``"bold"`` (the version,
    the first word of its line) or ``"dim"`` (notes and the why of each reason)."""
    nv = report.next
    since = f" since {report.last_tag}" if report.last_tag else " (no release tag yet)"
    lines: list[tuple[str, str]] = []
    if report.base_note:
        lines.append(("dim", f"note: {report.base_note}"))
    if nv.next is None:
        lines.append(("", f"No release: {nv.considered} commit(s){since}, none calls for one."))
        return lines
    lines.append(("bold", f"{nv.next} ({nv.level or 'finalise'}){since}"))
    if nv.reasons:
        lines.append(("", "Because of:"))
    for r in nv.reasons:
        lines.append(("dim", f"  {r.sha[:7] or '-------'} {r.subject}  {r.why}"))
    impact = report.config
    if impact is not None and impact.environments and not any(not r.sha for r in nv.reasons):
        lines.append(
            (
                "dim",
                f"note: configuration changed since {impact.base} ({impact.bump}); "
                "the commits already call for more",
            )
        )
    return lines
