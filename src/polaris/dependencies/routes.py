"""``/api/v1/dependencies``: audit pinned packages, and the offline advisory database's status."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from polaris.dependencies.audit import AuditReport, audit, open_db
from polaris.dependencies.osv import OfflineOSV, OnlineOSV, VulnerabilitySource
from polaris.dependencies.rules import Dependency, Ecosystem
from polaris.dependencies.wire import AuditIn
from polaris.http.deps import ReadActor, ServicesDep
from polaris.http.responses import ok

__all__ = ["router"]

router = APIRouter(tags=["dependencies"])


def _audit(body: AuditIn, home_db: str) -> AuditReport:
    from pathlib import Path

    deps = [
        Dependency(p.name, Ecosystem(p.ecosystem), p.version, source="request")
        for p in body.packages
    ]
    source: VulnerabilitySource
    if body.offline:
        source, name = OfflineOSV(open_db(Path(home_db))), "offline"
    else:
        online = OnlineOSV()
        source, name = online, online.url
    try:
        return audit(deps, source, source_name=name, threshold=body.fail_on, ignore=body.ignore)
    finally:
        if isinstance(source, OnlineOSV):
            source.close()


@router.post("/dependencies/audit")
async def audit_packages(body: AuditIn, services: ServicesDep, _actor: ReadActor) -> Response:
    """Findings for the given pinned packages (offline database by default); ``ok`` is the gate."""
    db = str(services.settings.data_dir / "osv.sqlite")
    report = await run_in_threadpool(_audit, body, db)
    return ok(
        {
            "ok": report.ok,
            "source": report.source,
            "packages": report.packages,
            "threshold": report.threshold,
            "findings": report.findings,
            "failing": len(report.failing),
            "ignored": report.ignored,
            "warnings": report.warnings,
        }
    )


@router.get("/dependencies/db")
async def db_status(services: ServicesDep, _actor: ReadActor) -> Response:
    """The offline advisory database: counts, ecosystems, provenance."""
    return ok(open_db(services.settings.data_dir / "osv.sqlite").status())
