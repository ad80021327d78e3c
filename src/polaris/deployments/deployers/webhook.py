"""The ``webhook`` deployer: POST the release to a URL and follow its status URL.

Options: ``url`` (POST target), ``status_url`` (optional; polled until ``{"status": "succeeded"}``
or ``"failed"``; ``{id}`` is replaced by the ``id`` the POST answered), ``app_url`` (where the
deployed services answer), ``headers``, ``timeout`` (seconds, default 600), ``poll`` (seconds,
default 2). The body is ``{"release", "environment", "deployment", "strategy", "versions"}``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any

import httpx

from polaris.core.errors import InvalidInput, Location
from polaris.deployments.deployers.interface import DeployContext, DeployerError

__all__ = ["WebhookDeployer"]


class WebhookDeployer:
    """Hands the deployment to another system over HTTP."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        url = options.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidInput(
                "the webhook deployer needs deployer_options.url (http:// or https://)",
                location=Location(field="deployer_options.url"),
            )
        self.url = url
        self.status_url = options.get("status_url")
        self.app_url = options.get("app_url")
        self.headers = {str(k): str(v) for k, v in dict(options.get("headers", {})).items()}
        self.timeout = float(options.get("timeout", 600))
        self.poll = float(options.get("poll", 2))

    def deploy(self, ctx: DeployContext) -> dict[str, Any]:
        """POST, then poll the status URL until it succeeds, fails or times out."""
        body = {
            "release": ctx.release,
            "environment": ctx.environment,
            "deployment": ctx.deployment_id,
            "strategy": ctx.strategy,
            "versions": dict(ctx.versions),
        }
        try:
            r = httpx.post(self.url, json=body, headers=self.headers, timeout=30)
        except httpx.HTTPError as exc:
            raise DeployerError(f"webhook {self.url} unreachable: {exc}") from None
        if r.status_code >= 400:
            raise DeployerError(f"webhook {self.url} answered {r.status_code}")
        ident = ""
        with contextlib.suppress(ValueError, AttributeError):
            ident = str(r.json().get("id", ""))
        if self.status_url:
            self._follow(str(self.status_url).replace("{id}", ident))
        return {"url": self.app_url, "webhook_id": ident}

    def _follow(self, url: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                status = httpx.get(url, headers=self.headers, timeout=30).json().get("status")
            except (httpx.HTTPError, ValueError, AttributeError) as exc:
                raise DeployerError(f"status {url} unreadable: {exc}") from None
            if status == "succeeded":
                return
            if status == "failed":
                raise DeployerError(f"the deployment system reports failure at {url}")
            time.sleep(self.poll)
        raise DeployerError(f"{url} did not report success within {self.timeout:g} s")

    def promote(self, ctx: DeployContext, state: Mapping[str, Any]) -> dict[str, Any]:
        """The remote system switches traffic itself."""
        return dict(state)

    def switch_back(self, state: Mapping[str, Any]) -> bool:
        """A rollback redeploys the last healthy release through the webhook."""
        return False

    def scale_down(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The remote system scales down itself."""
        return dict(state)

    def stop(self, state: Mapping[str, Any]) -> None:
        """Nothing of ours runs."""
