"""Audit findings as SARIF 2.1.0, the format code-scanning dashboards read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from polaris.__about__ import __version__
from polaris.dependencies.osv_rules import Finding

__all__ = ["to_sarif"]

_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "none": "note"}


def to_sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    """One run of tool ``polaris``: a rule per advisory, a result per affected package version."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in findings:
        if f.id not in rules:
            rules[f.id] = {
                "id": f.id,
                "shortDescription": {"text": f.summary or f.id},
                "helpUri": f"https://osv.dev/vulnerability/{f.id}",
                "properties": {
                    "aliases": f.aliases,
                    "security-severity": "" if f.score is None else f"{f.score:.1f}",
                    "severity": f.severity,
                },
            }
        file, _, line = (
            f.source.rpartition(":")
            if f.source.rpartition(":")[2].isdigit()
            else (f.source, "", "")
        )
        location: dict[str, Any] = {"artifactLocation": {"uri": file or "dependencies"}}
        if line:
            location["region"] = {"startLine": int(line)}
        fix = f" (fixed in {', '.join(f.fixed_in)})" if f.fixed_in else ""
        results.append(
            {
                "ruleId": f.id,
                "level": _LEVEL.get(f.severity, "warning"),
                "message": {"text": f"{f.package} {f.version} is affected by {f.id}{fix}"},
                "locations": [{"physicalLocation": location}],
            }
        )
    return {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "polaris",
                        "version": __version__,
                        "informationUri": "https://polaris.dev/docs/dependencies",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }
