"""The ``command`` deployer: run a command template with the release's versions.

Options: ``command`` (an argv list or a string split like a shell would, e.g.
``"helm upgrade aiops ./chart --set image.tag={api}"``), ``url`` (where the deployed services
answer, for the health probes), ``timeout`` (seconds, default 600), ``env`` (extra variables).
Placeholders: ``{release}``, ``{env}`` and every component name (``{api}``, ``{rag_search}``);
the command also gets ``POLARIS_RELEASE``, ``POLARIS_ENV`` and ``POLARIS_VERSION_<NAME>``. No
shell is involved, so versions cannot inject commands. Blue-green is the deployment system's
business here: ``promote``, ``switch_back`` and ``scale_down`` do nothing.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from typing import Any

from polaris.core.errors import InvalidInput, Location
from polaris.deployments.deployers.interface import DeployContext, DeployerError

__all__ = ["CommandDeployer"]


class CommandDeployer:
    """Runs one command per deployment; its exit code decides."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        cmd = options.get("command")
        if isinstance(cmd, str):
            cmd = shlex.split(cmd)
        if not isinstance(cmd, list) or not cmd:
            raise InvalidInput(
                "the command deployer needs deployer_options.command",
                location=Location(field="deployer_options.command"),
            )
        self.command = [str(c) for c in cmd]
        self.url = options.get("url")
        self.timeout = float(options.get("timeout", 600))
        self.extra_env = {str(k): str(v) for k, v in dict(options.get("env", {})).items()}

    def deploy(self, ctx: DeployContext) -> dict[str, Any]:
        """Run the command; a non-zero exit fails the deployment with its output's last line."""
        values = {**ctx.versions, "release": ctx.release, "env": ctx.environment}
        try:
            argv = [part.format(**values) for part in self.command]
        except KeyError as exc:
            raise DeployerError(
                f"the command names {{{exc.args[0]}}}, which release {ctx.release} does not pin",
                location=Location(field="deployer_options.command"),
            ) from None
        env = {
            **os.environ,
            **self.extra_env,
            "POLARIS_RELEASE": ctx.release,
            "POLARIS_ENV": ctx.environment,
            **{f"POLARIS_VERSION_{k.upper()}": v for k, v in ctx.versions.items()},
        }
        try:
            done = subprocess.run(
                argv,
                env=env,
                cwd=ctx.root,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise DeployerError(f"command not found: {argv[0]}") from None
        except subprocess.TimeoutExpired:
            raise DeployerError(f"{argv[0]} did not finish within {self.timeout:g} s") from None
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
            raise DeployerError(f"{argv[0]} exited with code {done.returncode}: {last[0]}")
        return {"url": self.url, "argv": argv, "output": done.stdout[-2000:]}

    def promote(self, ctx: DeployContext, state: Mapping[str, Any]) -> dict[str, Any]:
        """Nothing to switch: the command deployed the release in full."""
        return dict(state)

    def switch_back(self, state: Mapping[str, Any]) -> bool:
        """No previous version kept: a rollback redeploys the last healthy release."""
        return False

    def scale_down(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Nothing kept to scale down."""
        return dict(state)

    def stop(self, state: Mapping[str, Any]) -> None:
        """Nothing of ours runs."""
