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

import httpx

from polaris.core.actors import utc_now
from polaris.deployments.health import measure
from polaris.deployments.queries import Round, WatchItem
from polaris.deployments.rules import Measurement, State
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
        batch_delay: float = 0.1,
    ) -> None:
        self.service = service
        self.claim_every = claim_every
        self.lease_s = lease_s
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.rounds = 0
        #: Deployment id -> seconds from the breaching round's end to the rollback's start.
        self.reaction: dict[int, float] = {}
        self._stop = asyncio.Event()
        self._renew_at = 0.0
        self._pending: list[tuple[int, Measurement, asyncio.Future[Round | None]]] = []
        self._wake = asyncio.Event()
        #: Seconds a round waits for others to share its transaction.
        self.batch_delay = batch_delay

    async def run(self) -> None:
        """Recover, then claim and analyse until :meth:`stop`."""
        await asyncio.to_thread(self.service.recover)
        flusher = asyncio.create_task(self._flush())
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
                for task in [*self.tasks.values(), flusher]:
                    task.cancel()
                await asyncio.gather(*self.tasks.values(), flusher, return_exceptions=True)
                await asyncio.to_thread(self.service.renew_leases, self.service.holder, None)

    async def _record(self, dep_id: int, m: Measurement) -> Round | None:
        """Queue a round for the next batch write and wait for its outcome."""
        fut: asyncio.Future[Round | None] = asyncio.get_running_loop().create_future()
        self._pending.append((dep_id, m, fut))
        self._wake.set()
        return await fut

    async def _flush(self) -> None:
        """Write queued rounds, all in one transaction, as they come (a batch per wake-up)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(self.batch_delay)
            batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                results = await asyncio.to_thread(
                    self.service.record_rounds, [(i, m) for i, m, _ in batch]
                )
            except Exception as exc:
                for *_, fut in batch:
                    fut.set_exception(exc)
                continue
            for (*_, fut), result in zip(batch, results, strict=True):
                fut.set_result(result)

    def stop(self) -> None:
        """Ask :meth:`run` to finish (leases are given up)."""
        self._stop.set()

    async def _tick(self) -> None:
        now = time.monotonic()
        if now >= self._renew_at:  # a third of the lease: two renewals may fail before expiry
            self._renew_at = now + self.lease_s / 3
            await asyncio.to_thread(self.service.renew_leases, self.service.holder, self.lease_s)
        items = await asyncio.to_thread(self.service.claim, self.service.holder, self.lease_s)
        for item in items:
            if item.id not in self.tasks:
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
            try:
                m = await measure(
                    self._client,
                    env.health,
                    env.thresholds,
                    url=item.url,
                    env=item.environment,
                    version=version,
                    now=utc_now(),
                )
                result = await self._record(item.id, m)
            except Exception:  # the store or a source failed this round: try the next one
                log.exception("analysis round of deployment #%s failed", item.id)
                continue
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
