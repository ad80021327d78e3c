"""Start and stop the deployment watcher inside ``polaris serve``."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from polaris.deployments.open import deployment_service
from polaris.deployments.watcher import Watcher

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["start_watcher", "stop_watcher"]

log = logging.getLogger("polaris.deployments")


async def start_watcher(app: Any, services: Services) -> tuple[Watcher, asyncio.Task[None]] | None:
    """Build the deployment service on ``app.state`` and, if enabled, start the watcher task."""
    svc = await asyncio.to_thread(deployment_service, services.settings, services.db)
    app.state.deployments = svc
    if not services.settings.watcher:
        return None
    watcher = Watcher(svc)
    app.state.watcher = watcher
    return watcher, asyncio.create_task(watcher.run(), name="polaris-deployment-watcher")


async def stop_watcher(started: tuple[Watcher, asyncio.Task[None]] | None) -> None:
    """Stop the watcher and wait for it (its leases are given up for the next one)."""
    if started is None:
        return
    watcher, task = started
    watcher.stop()
    try:
        await asyncio.wait_for(task, 10)
    except (TimeoutError, Exception):
        log.exception("the deployment watcher did not stop cleanly")
