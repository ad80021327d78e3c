"""Registry credentials: bearer-token challenge and basic auth, from env or a docker config.

docker-registry's token auth needs a signing certificate and an auth server; the challenge flow
is checked against a small loopback server that speaks it (``WWW-Authenticate: Bearer realm=``).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from polaris.images.auth import Credentials, credentials_for
from polaris.images.registry import DistributionRegistry

BASIC = "Basic " + base64.b64encode(b"ada:s3cret").decode()


@pytest.fixture
def token_registry() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            auth = self.headers.get("Authorization", "")
            seen.append(f"{self.path.split('?')[0]} {auth.split(' ')[0]}")
            port = self.server.server_address[1]
            if self.path.startswith("/token"):
                if auth != BASIC or "scope=repository%3Aapp%2Fx%3Apull" not in self.path:
                    self.send_response(401)
                    self.end_headers()
                    return
                self._json({"token": "tok-123"})
                return
            if auth != "Bearer tok-123":
                self.send_response(401)
                self.send_header(
                    "WWW-Authenticate",
                    f'Bearer realm="http://127.0.0.1:{port}/token",service="reg",'
                    'scope="repository:app/x:pull"',
                )
                self.end_headers()
                return
            self._json({"name": "app/x", "tags": ["v1", "v2"]})

        def _json(self, doc: Any) -> None:
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_bearer_challenge_with_basic_credentials_from_env(
    token_registry: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = token_registry
    monkeypatch.setenv("POLARIS_REGISTRY_USERNAME", "ada")
    monkeypatch.setenv("POLARIS_REGISTRY_PASSWORD", "s3cret")
    reg = DistributionRegistry(url)
    try:
        assert reg.tags("app/x") == ["v1", "v2"]
        assert reg.tags("app/x") == ["v1", "v2"]  # the token is reused, no new challenge
    finally:
        reg.close()
    assert seen == [
        "/v2/app/x/tags/list ",
        "/token Basic",
        "/v2/app/x/tags/list Bearer",
        "/v2/app/x/tags/list Bearer",
    ]


def test_docker_config_credentials_and_no_secret_in_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    auth = base64.b64encode(b"ada:s3cret").decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {"reg.example:5000": {"auth": auth}}})
    )
    creds = credentials_for("reg.example:5000")
    assert creds == Credentials("ada", "s3cret")
    assert creds is not None and creds.basic == BASIC
    assert "s3cret" not in repr(creds)
    assert credentials_for("other.example") is None
    monkeypatch.setenv("POLARIS_REGISTRY_TOKEN", "tok")
    assert credentials_for("reg.example:5000") == Credentials(token="tok")  # noqa: S106
