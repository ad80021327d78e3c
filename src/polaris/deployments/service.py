"""Deployments: deploy a release to an environment, analyse it, roll it back.

The deployment service: :class:`~polaris.deployments.deploy.DeployFlow` (deploying) plus the
rollback and the background work the watcher calls (recovery after a restart, blue-green
scale-down). Each use case owns its transactions, authorization and audit rows.
"""

from __future__ import annotations

from typing import Any

from polaris.audit.repo import add_audit
from polaris.core.actors import Actor, Role, utc_now
from polaris.core.errors import CheckFailed, InvalidInput, Location, NotFound
from polaris.core.semver import Version
from polaris.deployments import repo
from polaris.deployments.config import Environment, get_environment
from polaris.deployments.deploy import DeployFlow, Plan
from polaris.deployments.notify import notify_all
from polaris.deployments.rules import TRIGGERS, State
from polaris.platform.repo import get_release

__all__ = ["SYSTEM", "DeploymentService"]

#: Who acts when the watcher rolls back on its own.
SYSTEM = Actor("polaris-watcher", Role.ADMIN)


class DeploymentService(DeployFlow):
    """Deployments over one store and the environments of one platform."""

    # -- rollback -------------------------------------------------------------------------------

    def rollback(
        self,
        env: str,
        *,
        actor: Actor,
        to: str | None = None,
        reason: str | None = None,
        trigger: str = "manual",
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Take ``env`` back to ``to`` (default: its last healthy release); mark the bad one.

        Blue-green switches traffic back when the previous version still runs; otherwise the
        target release is deployed again. The notify webhooks are told either way.
        """
        if trigger not in TRIGGERS:
            raise InvalidInput(
                f"unknown trigger {trigger!r}",
                location=Location(field="trigger"),
                hint=", ".join(TRIGGERS),
            )
        started = utc_now()
        with self.db.read() as s:
            current = repo.current_in(s, env)
            if current is None:
                raise NotFound(f"nothing is deployed in {env}", location=Location(field="env"))
            target_row = (
                None if to is not None else repo.last_healthy(s, env, exclude=current.release)
            )
            s.expunge_all()  # read once, used after the session (a read session expires them)
        env_cfg = Environment.from_dict(current.env_config)
        if actor is not SYSTEM:
            self._authorize(
                get_environment(dict(self.environments), env)
                if env in self.environments
                else env_cfg,
                actor,
            )
        target = (
            to.removeprefix("v")
            if to is not None
            else (None if target_row is None else target_row.release)
        )
        if target is None:
            raise CheckFailed(
                f"no healthy release to roll back to in {env} "
                f"(only {current.release} was deployed)",
                hint="name one with --to RELEASE",
            )
        with self.db.read() as s:
            rel = get_release(s, Version.parse(target))
        plan = Plan(
            env_cfg,
            target,
            {p.name: str(p.version) for p in rel.pins},
            {p.name: p.kind for p in rel.pins},
            [],
            None,
        )
        why = reason or trigger.replace("_", " ")
        if dry_run:
            return {
                "dry_run": True,
                "environment": env,
                "from": current.release,
                "to": target,
                "trigger": trigger,
                "reason": why,
            }
        with self.db.write() as s:
            row = repo.get_deployment(s, current.id)
            repo.add_event(
                s,
                row.id,
                at=started,
                kind="rollback",
                message=f"rollback started ({trigger}): {why}",
                data={"trigger": trigger, "to": target},
            )
            self._transition(s, row, State.ROLLED_BACK, f"rolled back to {target}: {why}")
            repo.mark_bad(s, row.release, at=started, by=actor.name, reason=why)
            add_audit(
                s,
                at=started,
                actor=actor.name,
                action="deployment.rollback_of",
                entity="deployment",
                key=str(row.id),
                before={"release": row.release},
                after={"to": target, "trigger": trigger, "reason": why},
            )
            old_state = dict(row.deployer_state)
        dep_id = self._record(plan, actor, kind="rollback", rollback_of=current.id)
        deployer = self._deployer(env_cfg)
        switched = False
        if old_state.get("previous_slot") and deployer.switch_back(old_state):
            switched = True
            with self.db.write() as s:
                row = repo.get_deployment(s, dep_id)
                self._transition(s, row, State.PROGRESSING, "switching traffic back")
                row.deployer_state = {
                    **old_state,
                    "slot": old_state["previous_slot"],
                    "previous_slot": None,
                }
                self._transition(s, row, State.ANALYSING, f"traffic back on {target}")
            result = self.show(dep_id)
        else:
            result = self._execute(dep_id, plan, actor, kind="rollback")
        healthy = self.probe_once(env_cfg, result.get("url"), target)
        if healthy is not None:
            self._event(
                dep_id,
                "health",
                f"health check after the rollback: {'passed' if healthy else 'FAILED'}",
                ok=healthy,
            )
        result["rollback_of"] = current.id
        result["switched_back"] = switched
        result["rollback_started_at"] = started.isoformat()
        payload = {
            "event": "rollback",
            "environment": env,
            "from": current.release,
            "to": target,
            "trigger": trigger,
            "reason": why,
            "deployment": dep_id,
            "rolled_back": current.id,
            "started_at": started.isoformat(),
        }
        for url, status in notify_all(env_cfg.notify, payload):
            self._event(dep_id, "notify", f"notified {url}: {status}", url=url)
        return result

    # -- background work (the watcher) ----------------------------------------------------------

    def recover(self) -> list[int]:
        """Mark deployments whose process died before analysis as interrupted."""
        now = utc_now()
        done: list[int] = []
        with self.db.write() as s:
            for row in repo.stale_in_flight(s, now):
                known = (
                    f"deployer state: {row.deployer_state}"
                    if row.deployer_state
                    else ("the deployer had reported nothing")
                )
                self._transition(
                    s,
                    row,
                    State.INTERRUPTED,
                    f"Polaris stopped while this deployment was {row.state}; {known}",
                )
                done.append(row.id)
        return done

    def scale_down_due(self) -> list[int]:
        """Blue-green: stop previous versions whose delay has passed."""
        now = utc_now()
        done: list[int] = []
        with self.db.read() as s:
            rows = repo.scale_down_due(s, now)
            s.expunge_all()
        for r in rows:
            state = self._deployer(Environment.from_dict(r.env_config)).scale_down(r.deployer_state)
            with self.db.write() as s:
                row = repo.get_deployment(s, r.id)
                row.deployer_state = state
                row.scale_down_at = None
                repo.add_event(
                    s, r.id, at=utc_now(), kind="scale_down", message="previous version scaled down"
                )
            done.append(r.id)
        return done
