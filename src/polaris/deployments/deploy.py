"""Deploying a release to an environment, up to the start of its analysis.

One use case per method; each owns its transactions, its authorization and its audit rows. The
deployer runs between transactions (it may take minutes); while it runs the deployment holds a
lease, so a restarted Polaris can tell a live deployment from one whose process died (which it
marks interrupted, never leaving it pending).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from polaris.audit.repo import add_audit
from polaris.core.actors import Actor, PermissionDenied, utc_now
from polaris.core.errors import CheckFailed, InvalidInput, Location, PolarisError
from polaris.core.semver import Version
from polaris.deployments import repo
from polaris.deployments.config import Environment, get_environment
from polaris.deployments.deployers.interface import DeployContext, Deployer, load_deployer
from polaris.deployments.health import measure
from polaris.deployments.hooks import HOOKS, DeploymentHooks, HookContext
from polaris.deployments.queries import DeploymentQueries
from polaris.deployments.rules import (
    State,
    check_exclusive,
    check_promotion,
    check_transition,
)
from polaris.deployments.tables import DeploymentRow
from polaris.models.approval_gate import PromotionGate
from polaris.platform.repo import get_release
from polaris.store.session import Database

__all__ = ["DEPLOY_LEASE", "DeployFlow", "Plan"]

_TERMINAL = (State.ROLLED_BACK, State.FAILED, State.INTERRUPTED)
#: How long a deployer may hold a deployment before a restarted Polaris calls it interrupted.
DEPLOY_LEASE = timedelta(minutes=15)


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Plan:
    env: Environment
    release: str
    versions: dict[str, str]
    kinds: dict[str, str]
    notes: list[str]
    baseline_id: int | None


class DeployFlow(DeploymentQueries):
    """Deploying: plan, record, run the deployer, hand over to analysis."""

    def __init__(
        self,
        db: Database,
        environments: Mapping[str, Environment],
        *,
        root: Path | None = None,
        hooks: DeploymentHooks | None = None,
        holder: str | None = None,
    ) -> None:
        super().__init__(db, environments)
        self.root = root or Path.cwd()
        self.hooks = hooks or HOOKS
        self.holder = holder or _holder()
        #: Set by the composition when ``POLARIS_GOVERNANCE_GATE`` is on: production deployments
        #: need an approved ``deployment`` request (name: the environment, version: the release).
        self.approval_gate: PromotionGate | None = None

    # -- helpers --------------------------------------------------------------------------------

    def _transition(
        self, s: Any, row: DeploymentRow, target: State, message: str, **data: Any
    ) -> None:
        check_transition(State(row.state), target)
        now = utc_now()
        row.state = target.value
        row.updated_at = now
        if target == State.ANALYSING:
            row.analysing_since = now
            row.lease_holder = None
            row.lease_until = None
        if target in _TERMINAL or target in (State.HEALTHY, State.DEGRADED):
            row.finished_at = now
            row.lease_holder = None
            row.lease_until = None
        repo.add_event(
            s, row.id, at=now, kind="state", state=target.value, message=message, data=data
        )

    def _deployer(self, env: Environment) -> Deployer:
        return load_deployer(env.deployer, env.deployer_options)

    @staticmethod
    def _authorize(env: Environment, actor: Actor) -> None:
        if actor.role < env.deploy_role or (env.users and actor.name not in env.users):
            who = f"the {env.deploy_role} role" + (
                f" and one of {', '.join(env.users)}" if env.users else ""
            )
            raise PermissionDenied(
                f"deploying to {env.name} needs {who}; {actor.name} has {actor.role}"
            )

    def _is_production(self, env: Environment) -> bool:
        return env.order == max(e.order for e in self.environments.values())

    # -- deploy ---------------------------------------------------------------------------------

    def _plan(self, release: str, env_name: str, actor: Actor, override: str | None) -> Plan:
        env = get_environment(dict(self.environments), env_name)
        self._authorize(env, actor)
        self._deployer(env)  # a missing deployer is bad input, before anything is recorded
        try:
            version = Version.parse(release.removeprefix("v"))
        except PolarisError:
            raise InvalidInput(
                f"{release!r} is not a release version", location=Location(field="release")
            ) from None
        with self.db.read() as s:
            rel = get_release(s, version)
            active = repo.active_in(s, env.name)
            check_exclusive(
                env.name,
                None
                if active is None
                else (active.id, active.release, active.state, active.requested_by),
            )
            healthy = env.requires is None or repo.was_healthy(s, env.requires, str(version))
            notes = check_promotion(
                env.name,
                str(version),
                requires=env.requires,
                healthy_in_required=healthy,
                is_bad=repo.bad_release(s, str(version)) is not None,
                override=override,
            )
            current = repo.current_in(s, env.name)
            baseline_id = None if current is None else current.id
        return Plan(
            env,
            str(version),
            {p.name: str(p.version) for p in rel.pins},
            {p.name: p.kind for p in rel.pins},
            notes,
            baseline_id,
        )

    def deploy(
        self,
        release: str,
        env: str,
        *,
        actor: Actor,
        override: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Deploy ``release`` to ``env`` and leave it in analysis (the watcher judges it).

        :raises CheckFailed: promotion order, a bad release, or the deployer failed.
        :raises Conflict: another deployment holds the environment.
        """
        plan = self._plan(release, env, actor, override)
        approval = self._approve(plan, actor, dry_run=dry_run)
        if dry_run:
            return {
                "dry_run": True,
                "environment": plan.env.name,
                "release": plan.release,
                "components": [
                    {"name": n, "kind": plan.kinds[n], "version": v}
                    for n, v in plan.versions.items()
                ],
                "strategy": plan.env.strategy,
                "deployer": plan.env.deployer,
                "notes": plan.notes,
                **({"approval": approval} if approval else {}),
            }
        self._preflight(plan.env)
        dep_id = self._record(plan, actor, kind="deploy", override=override)
        if approval:
            self._event(dep_id, "approval", f"approved by request {approval}", request=approval)
        return self._execute(dep_id, plan, actor, kind="deploy")

    def _approve(self, plan: Plan, actor: Actor, *, dry_run: bool) -> str | None:
        """The governance gate of a production deployment: its approved request's key.

        :raises CheckFailed: no approved request yet (one is opened, unless ``dry_run``).
        """
        if self.approval_gate is None or not self._is_production(plan.env):
            return None
        previous = None
        if plan.baseline_id is not None:
            with self.db.read() as s:
                previous = repo.get_deployment(s, plan.baseline_id).release
        req = self.approval_gate.require(
            kind="deployment",
            name=plan.env.name,
            version=plan.release,
            previous=previous,
            actor=actor,
            dry_run=dry_run,
        )
        key = getattr(req, "key", None)
        return None if key is None else str(key)

    @staticmethod
    def _preflight(env: Environment) -> None:
        """Refuse to deploy what could not be analysed: every Prometheus source must answer."""
        for h in env.health:
            if h.type != "prometheus":
                continue
            url = str(h.options.get("url", "http://127.0.0.1:9090")).rstrip("/")
            try:
                httpx.get(f"{url}/-/ready", timeout=3).raise_for_status()
            except httpx.HTTPError as exc:
                raise CheckFailed(
                    f"Prometheus at {url} is unreachable ({type(exc).__name__}): a deployment to "
                    f"{env.name} could not be analysed",
                    location=Location(field=f"environments.{env.name}.health"),
                    hint="start it (scripts/ensure-services) or fix its url",
                ) from None

    def probe_once(self, env: Environment, url: str | None, version: str) -> bool | None:
        """One round of the HTTP probes (after a rollback); None without probes or a URL."""
        probes = [h for h in env.health if h.type == "http"]
        if not probes or url is None:
            return None

        async def go() -> bool | None:
            async with httpx.AsyncClient(timeout=5) as client:
                m = await measure(
                    client,
                    probes,
                    env.thresholds,
                    url=url,
                    env=env.name,
                    version=version,
                    now=utc_now(),
                )
            return m.probe_ok

        return asyncio.run(go())

    def _record(
        self,
        plan: Plan,
        actor: Actor,
        *,
        kind: str,
        override: str | None = None,
        rollback_of: int | None = None,
    ) -> int:
        now = utc_now()
        with self.db.write() as s:
            repo.lock_environment(s, plan.env.name)
            active = repo.active_in(s, plan.env.name)
            check_exclusive(
                plan.env.name,
                None
                if active is None
                else (active.id, active.release, active.state, active.requested_by),
            )
            row = DeploymentRow(
                environment=plan.env.name,
                release=plan.release,
                kind=kind,
                state=State.PENDING.value,
                components=[
                    {"name": n, "kind": plan.kinds[n], "version": v}
                    for n, v in plan.versions.items()
                ],
                env_config=plan.env.to_dict(),
                requested_by=actor.name,
                created_at=now,
                updated_at=now,
                analysing_since=None,
                finished_at=None,
                rollback_of=rollback_of,
                override_reason=override if plan.notes else None,
                deployer_state={},
                analysis={"baseline_id": plan.baseline_id},
                lease_holder=self.holder,
                lease_until=now + DEPLOY_LEASE,
                scale_down_at=None,
                config_hash=None if self.config_hash is None else self.config_hash(plan.env.name),
            )
            s.add(row)
            s.flush()
            what = "rollback" if kind == "rollback" else "deployment"
            repo.add_event(
                s,
                row.id,
                at=now,
                kind="state",
                state="pending",
                message=f"{what} of {plan.release} to {plan.env.name} requested by {actor.name}",
                data={"notes": plan.notes} if plan.notes else None,
            )
            after = {"environment": plan.env.name, "release": plan.release, "kind": kind}
            add_audit(
                s,
                at=now,
                actor=actor.name,
                action=f"deployment.{kind}",
                entity="deployment",
                key=str(row.id),
                before=None,
                after=after,
            )
            if plan.notes:
                add_audit(
                    s,
                    at=now,
                    actor=actor.name,
                    action="deployment.override",
                    entity="deployment",
                    key=str(row.id),
                    before=None,
                    after={**after, "reason": override, "notes": plan.notes},
                )
            return row.id

    def _event(self, dep_id: int, kind: str, message: str, **data: Any) -> None:
        with self.db.write() as s:
            repo.add_event(s, dep_id, at=utc_now(), kind=kind, message=message, data=data)

    def _fail(self, dep_id: int, message: str, target: State = State.FAILED) -> None:
        with self.db.write() as s:
            row = repo.get_deployment(s, dep_id)
            if State(row.state) not in _TERMINAL:
                self._transition(s, row, target, message)

    def _execute(
        self,
        dep_id: int,
        plan: Plan,
        actor: Actor,
        *,
        kind: str,
        current_state: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        env = plan.env
        hook_ctx = HookContext(dep_id, env, plan.release, plan.versions, plan.kinds, actor, kind)
        hooks = list(self.hooks.before_deploy)
        if self._is_production(env):
            hooks += self.hooks.before_production_deploy
        try:
            for hook in hooks:
                result = hook(hook_ctx)
                name = getattr(hook, "__name__", type(hook).__name__)
                self._event(dep_id, "hook", f"hook {name} ran", **dict(result or {}))
            with self.db.write() as s:
                row = repo.get_deployment(s, dep_id)
                self._transition(
                    s, row, State.PROGRESSING, f"{env.deployer} deployer started ({env.strategy})"
                )
            deployer = self._deployer(env)
            ctx = DeployContext(
                environment=env.name,
                release=plan.release,
                versions=plan.versions,
                deployment_id=dep_id,
                strategy=env.strategy,
                current=current_state or {},
                root=self.root,
            )
            state = deployer.deploy(ctx)
            if env.strategy == "blue-green":
                self._pre_promotion(dep_id, env, plan, state, deployer)
                state = deployer.promote(ctx, state)
                self._event(
                    dep_id, "switch", f"traffic switched to {plan.release}", slot=state.get("slot")
                )
        except PolarisError as exc:
            self._fail(dep_id, f"{type(exc).__name__}: {exc.one_line()}")
            raise CheckFailed(
                f"deployment #{dep_id} of {plan.release} to {env.name} failed: {exc.message}",
                hint=exc.hint,
            ) from None
        except Exception as exc:  # a plug-in's own failure: recorded, never left in flight
            self._fail(dep_id, f"{type(exc).__name__}: {exc}")
            raise CheckFailed(f"deployment #{dep_id} failed: {type(exc).__name__}: {exc}") from None
        with self.db.write() as s:
            row = repo.get_deployment(s, dep_id)
            row.deployer_state = dict(state)
            if env.strategy == "blue-green" and state.get("previous_slot"):
                row.scale_down_at = utc_now() + timedelta(seconds=env.scale_down_delay)
            self._transition(
                s,
                row,
                State.ANALYSING,
                f"{plan.release} is live in {env.name}; analysing for "
                f"{env.watch_window:g} s every {env.interval:g} s",
            )
        return self.show(dep_id)

    def _pre_promotion(
        self,
        dep_id: int,
        env: Environment,
        plan: Plan,
        state: Mapping[str, Any],
        deployer: Deployer,
    ) -> None:
        """Blue-green: the preview must pass its probes before it gets traffic."""

        async def rounds() -> list[Any]:
            out = []
            async with httpx.AsyncClient(timeout=5) as client:
                for i in range(env.pre_promotion_rounds):
                    if i:
                        await asyncio.sleep(min(env.interval, 1.0))
                    out.append(
                        await measure(
                            client,
                            [h for h in env.health if h.type == "http"],
                            env.thresholds,
                            url=state.get("preview_url"),
                            env=env.name,
                            version=plan.release,
                            now=utc_now(),
                        )
                    )
            return out

        results = asyncio.run(rounds())
        failed = [m for m in results if m.probe_ok is False]
        self._event(
            dep_id,
            "analysis",
            f"pre-promotion analysis: {len(results) - len(failed)} of {len(results)} rounds passed",
            preview=state.get("preview_url"),
        )
        if failed:
            deployer.stop(state)
            raise CheckFailed(
                f"the preview of {plan.release} failed its pre-promotion analysis; "
                "traffic stays on the current version"
            )
