"""Registry credentials and the token dance, never stored by Polaris.

Credentials come, per registry host, from ``POLARIS_REGISTRY_TOKEN`` (a bearer token) or
``POLARIS_REGISTRY_USERNAME``/``POLARIS_REGISTRY_PASSWORD``, else from the docker config file
(``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``, its ``auths`` entry). A ``401`` with
``WWW-Authenticate: Bearer realm=...`` fetches a token from the realm (with the basic credentials
when there are any) and retries; ``Basic`` retries with the basic credentials.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Credentials", "RegistryAuth", "credentials_for"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """Username and password, or a ready bearer token. ``repr`` hides the secrets."""

    username: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***, token=***)"

    @property
    def basic(self) -> str | None:
        """The ``Authorization: Basic`` value, if there are a username and password."""
        if self.username is None or self.password is None:
            return None
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()


def credentials_for(host: str) -> Credentials | None:
    """The credentials for ``host`` from the environment, else the docker config file."""
    env = os.environ
    if env.get("POLARIS_REGISTRY_TOKEN"):
        return Credentials(token=env["POLARIS_REGISTRY_TOKEN"])
    if env.get("POLARIS_REGISTRY_USERNAME"):
        return Credentials(
            env["POLARIS_REGISTRY_USERNAME"], env.get("POLARIS_REGISTRY_PASSWORD", "")
        )
    folder = Path(env["DOCKER_CONFIG"]) if env.get("DOCKER_CONFIG") else Path.home() / ".docker"
    try:
        doc = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = doc.get("auths") if isinstance(doc, dict) else None
    if not isinstance(auths, dict):
        return None
    for key in (host, f"https://{host}", f"http://{host}", f"https://{host}/v2/"):
        entry = auths.get(key)
        if isinstance(entry, dict):
            if entry.get("registrytoken"):
                return Credentials(token=str(entry["registrytoken"]))
            if entry.get("auth"):
                try:
                    user, _, pw = base64.b64decode(entry["auth"]).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    return None
                return Credentials(user, pw)
    return None


def _params(challenge: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', challenge))


class RegistryAuth(httpx.Auth):
    """httpx auth flow for registries: basic, or bearer tokens fetched from the realm."""

    requires_response_body = True

    def __init__(self, creds: Credentials | None) -> None:
        self._creds = creds
        self._tokens: dict[str, str] = {}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Try as we are; on a 401 answer the challenge once."""
        scope_key = request.url.path.split("/manifests/")[0].split("/blobs/")[0].split("/tags/")[0]
        if self._creds is not None and self._creds.token:
            request.headers["Authorization"] = f"Bearer {self._creds.token}"
        elif scope_key in self._tokens:
            request.headers["Authorization"] = f"Bearer {self._tokens[scope_key]}"
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "")
        scheme = challenge.split(" ", 1)[0].lower()
        if scheme == "basic" and self._creds is not None and self._creds.basic:
            request.headers["Authorization"] = self._creds.basic
            yield request
            return
        if scheme != "bearer":
            return
        params = _params(challenge)
        realm = params.pop("realm", None)
        if not realm:
            return
        token_request = httpx.Request("GET", realm, params=params)
        if self._creds is not None and self._creds.basic:
            token_request.headers["Authorization"] = self._creds.basic
        token_response = yield token_request
        if token_response.status_code >= 400:
            return
        try:
            body = token_response.json()
        except ValueError:
            return
        token = body.get("token") or body.get("access_token")
        if not token:
            return
        self._tokens[scope_key] = str(token)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request
