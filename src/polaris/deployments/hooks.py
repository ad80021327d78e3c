"""Hook points of the deployment flow, where other capabilities plug in.

Recovery points (section 10.2.1) register a ``before_production_deploy`` hook: it runs after the
deployment is recorded and before the deployer touches production; what it returns is kept in
the deployment's timeline, and an exception fails the deployment before anything changed::

    from polaris.deployments.hooks import HOOKS
    HOOKS.before_production_deploy.append(take_recovery_point)

"Production" is the environment of the highest ``order`` in ``polaris.toml``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from polaris.core.actors import Actor
from polaris.deployments.config import Environment

__all__ = ["HOOKS", "DeploymentHook", "DeploymentHooks", "HookContext"]


@dataclass(frozen=True, slots=True)
class HookContext:
    """What a hook is told about the deployment about to happen."""

    deployment_id: int
    environment: Environment
    release: str
    #: Component name -> version of every pin (services, models, schemas).
    versions: Mapping[str, str]
    #: Component name -> kind.
    kinds: Mapping[str, str]
    actor: Actor
    #: ``deploy`` or ``rollback``.
    kind: str


class DeploymentHook(Protocol):
    """A callable run at a hook point; returns facts for the timeline, or None."""

    def __call__(self, ctx: HookContext) -> Mapping[str, Any] | None:
        """Run before the deployer acts; raise to stop the deployment."""
        ...


@dataclass(slots=True)
class DeploymentHooks:
    """The registered hooks, by point."""

    before_deploy: list[DeploymentHook | Callable[[HookContext], Any]] = field(default_factory=list)
    before_production_deploy: list[DeploymentHook | Callable[[HookContext], Any]] = field(
        default_factory=list
    )


#: The process-wide registry the service uses by default.
HOOKS = DeploymentHooks()
