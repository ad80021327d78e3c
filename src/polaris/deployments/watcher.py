"""The health watcher: analyses every deployment in analysis, rolls back on a breach.

It runs in ``polaris serve``'s lifespan (or ``polaris deployments watch``). Every deployment it
holds the lease of gets one asyncio task that measures every ``interval`` (HTTP and Prometheus
sources concurrently, one shared client), records the round, and on a breach starts the rollback
at once, so a breach is acted on within one interval plus the time of one round. Leases make it
safe to run in several replicas and to restart: a restarted watcher resumes every analysis whose
lease it can take, and first marks deployments whose process died before analysis interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import httpx

from polaris.core.actors import utc_now
from polaris.deployments.health import measure
from polaris.deployments.queries import WatchItem
from polaris.deployments.rules import State
from polaris.deployments.service import SYSTEM, DeploymentService

__all__ = ["Watcher"]

log = logging.getLogger("polaris.deployments.watcher")


class Watcher:
    """Analyses deployments until stopped; :meth:`run` is the task to start."""

    def __init__(
        self,
        service: DeploymentService,
        *,
        claim_every: float = 1.0,
        lease_s: float = 15.0,
        only: Callable[[int], bool] | None = None,
    ) -> None:
        self.service = service
        self.claim_every = claim_every
        self.lease_s = lease_s
        self.only = only
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.rounds = 0
        #: Deployment id -> seconds from the breaching round's end to the rollback's start.
        self.reaction: dict[int, float] = {}
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Recover, then claim and analyse until :meth:`stop`."""
        await asyncio.to_thread(self.service.recover)
        async with httpx.AsyncClient(timeout=5) as client:
            self._client = client
            try:
                while not self._stop.is_set():
                    try:
                        await self._tick()
                    except Exception:  # a bad round must not stop the watcher
                        log.exception("watcher tick failed")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), self.claim_every)
            finally:
                for task in self.tasks.values():
                    task.cancel()
                await asyncio.gather(*self.tasks.values(), return_exceptions=True)
                await asyncio.to_thread(self.service.release_leases, self.service.holder)

    def stop(self) -> None:
        """Ask :meth:`run` to finish (leases are given up)."""
        self._stop.set()

    async def _tick(self) -> None:
        items = await asyncio.to_thread(self.service.claim, self.service.holder, self.lease_s)
        for item in items:
            if item.id in self.tasks or (self.only is not None and not self.only(item.id)):
                continue
            self.tasks[item.id] = asyncio.create_task(self._watch(item))
        for dep_id in [i for i, t in self.tasks.items() if t.done()]:
            del self.tasks[dep_id]
        await asyncio.to_thread(self.service.scale_down_due)

    async def _watch(self, item: WatchItem) -> None:
        env = item.env
        component = next(
            (str(h.options["component"]) for h in env.health if "component" in h.options), "api"
        )
        version = item.versions.get(component, item.release)
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not self._stop.is_set():
            await asyncio.sleep(max(0.0, due - loop.time()))
            due += env.interval
            m = await measure(
                self._client,
                env.health,
                env.thresholds,
                url=item.url,
                env=item.environment,
                version=version,
                now=utc_now(),
            )
            result = await asyncio.to_thread(self.service.record_round, item.id, m)
            self.rounds += 1
            if result is None or result.state != State.ANALYSING:
                return
            if result.analysis.verdict == "breach":
                measured = time.monotonic()
                trigger = result.analysis.trigger or "manual"
                reason = "; ".join(result.analysis.reasons)
                self.reaction[item.id] = time.monotonic() - measured
                try:
                    await asyncio.to_thread(
                        self.service.rollback,
                        item.environment,
                        actor=SYSTEM,
                        trigger=trigger,
                        reason=f"automatic: {reason}",
                    )
                except Exception:
                    log.exception("automatic rollback of deployment #%s failed", item.id)
                return
