"""The deployer port: a Protocol, its context, and loading by entry point (``polaris.deployers``).

A company adds its own (Kubernetes, Helm, Argo, Nomad) by shipping a package with::

    [project.entry-points."polaris.deployers"]
    nomad = "acme_polaris.nomad:NomadDeployer"

The class is called with the environment's ``deployer_options`` table. Polaris ships ``command``,
``webhook`` and ``process``. State a deployer returns is stored with the deployment and handed
back on later calls (promote, switch back, scale down), so a deployer keeps no memory of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

from polaris.core.errors import CheckFailed, InvalidInput, Location

__all__ = ["BUILTIN", "GROUP", "DeployContext", "Deployer", "DeployerError", "load_deployer"]

#: The entry-point group deployers register under.
GROUP: Final = "polaris.deployers"
#: The shipped deployers, found even when the package's entry points are not installed.
BUILTIN: Final = {
    "command": "polaris.deployments.deployers.command:CommandDeployer",
    "webhook": "polaris.deployments.deployers.webhook:WebhookDeployer",
    "process": "polaris.deployments.deployers.process:ProcessDeployer",
}


class DeployerError(CheckFailed):
    """A deployer could not do what was asked (the deployment fails with this message)."""

    slug = "deployer-failed"


@dataclass(frozen=True, slots=True)
class DeployContext:
    """What a deployer is asked to roll out."""

    environment: str
    release: str
    #: Component name -> version, every pin of the release (services, models, schemas).
    versions: Mapping[str, str]
    deployment_id: int
    #: ``recreate`` or ``blue-green``.
    strategy: str = "recreate"
    #: The state the deployer returned for what runs in the environment now (may be empty).
    current: Mapping[str, Any] = field(default_factory=dict)
    #: Directory relative paths in the options are resolved against (the project root).
    root: Path = field(default_factory=Path.cwd)


@runtime_checkable
class Deployer(Protocol):
    """Rolls a release out to one environment.

    ``deploy`` returns a state with ``url`` (where the released services answer) and, for
    blue-green, ``preview_url`` (the new version beside the old, before the switch).
    """

    def deploy(self, ctx: DeployContext) -> dict[str, Any]:
        """Start the release (blue-green: beside the current one, without traffic)."""
        ...

    def promote(self, ctx: DeployContext, state: Mapping[str, Any]) -> dict[str, Any]:
        """Blue-green: switch traffic to the new version; recreate: nothing more to do."""
        ...

    def switch_back(self, state: Mapping[str, Any]) -> bool:
        """Send traffic back to the previous version if it still runs; whether it did."""
        ...

    def scale_down(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Stop the previous version kept for ``scale_down_delay``."""
        ...

    def stop(self, state: Mapping[str, Any]) -> None:
        """Stop what this deployment started (a preview that failed its analysis)."""
        ...


@functools.cache
def _installed() -> dict[str, EntryPoint]:
    """The installed deployer entry points (scanned once per process)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_deployer(name: str, options: Mapping[str, Any]) -> Deployer:
    """The deployer registered as ``name``, built with ``options``.

    :raises InvalidInput: no deployer of that name is installed.
    """
    eps = _installed()
    if name in eps:
        factory = eps[name].load()
    elif name in BUILTIN:
        module, _, attr = BUILTIN[name].partition(":")
        factory = getattr(__import__(module, fromlist=[attr]), attr)
    else:
        known = sorted({*eps, *BUILTIN})
        raise InvalidInput(
            f"no deployer named {name!r} is installed",
            location=Location(field="deployer"),
            hint=f"installed: {', '.join(known)}; a plug-in registers under the entry-point "
            f"group {GROUP}",
        )
    deployer = factory(dict(options))
    if not isinstance(deployer, Deployer):
        raise InvalidInput(f"deployer {name!r} does not implement the Deployer protocol")
    return deployer
