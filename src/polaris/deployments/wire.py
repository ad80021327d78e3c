"""The one JSON form of deployments, their events and samples (CLI ``--json`` and the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from polaris.deployments.tables import DeploymentEventRow, DeploymentRow, DeploymentSampleRow

__all__ = ["deployment_to_dict", "event_to_dict", "sample_to_dict"]


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def event_to_dict(e: DeploymentEventRow) -> dict[str, Any]:
    """One timeline entry."""
    return {
        "at": _iso(e.at),
        "kind": e.kind,
        "state": e.state,
        "message": e.message,
        **({"data": e.data} if e.data else {}),
    }


def sample_to_dict(x: DeploymentSampleRow) -> dict[str, Any]:
    """One analysis round."""
    return {
        "at": _iso(x.at),
        "error_rate": x.error_rate,
        "latency_ms": x.latency_ms,
        "probe_ok": x.probe_ok,
        "verdict": x.verdict,
    }


def deployment_to_dict(
    row: DeploymentRow,
    events: list[DeploymentEventRow] | None = None,
    samples: list[DeploymentSampleRow] | None = None,
) -> dict[str, Any]:
    """A deployment; with its timeline and samples when given."""
    out: dict[str, Any] = {
        "id": row.id,
        "environment": row.environment,
        "release": row.release,
        "kind": row.kind,
        "state": row.state,
        "requested_by": row.requested_by,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "analysing_since": _iso(row.analysing_since),
        "finished_at": _iso(row.finished_at),
        "rollback_of": row.rollback_of,
        "override_reason": row.override_reason,
        "components": row.components,
        "url": row.deployer_state.get("url"),
        "thresholds": row.env_config.get("thresholds", {}),
        "analysis": row.analysis,
        "config_hash": row.config_hash,
    }
    if events is not None:
        out["events"] = [event_to_dict(e) for e in events]
    if samples is not None:
        out["samples"] = [sample_to_dict(x) for x in samples]
    return out
