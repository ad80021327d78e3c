"""Deployers: loading plug-ins by entry point, the command and webhook deployers."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from polaris.core.errors import CheckFailed, InvalidInput
from polaris.deployments.deployers import interface
from polaris.deployments.deployers.interface import DeployContext, load_deployer

CTX = DeployContext("staging", "2.1.0", {"api": "2.1.0", "web": "2.0.1"}, 7)


def test_a_company_plugin_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_deployer.py").write_text(
        "class Nomad:\n"
        "    def __init__(self, options): self.options = options\n"
        "    def deploy(self, ctx): return {'url': self.options['url'], 'job': ctx.release}\n"
        "    def promote(self, ctx, state): return dict(state)\n"
        "    def switch_back(self, state): return False\n"
        "    def scale_down(self, state): return dict(state)\n"
        "    def stop(self, state): pass\n"
    )
    dist = tmp_path / "acme_deployer-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-deployer\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[polaris.deployers]\nnomad = acme_deployer:Nomad\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    interface._installed.cache_clear()
    try:
        d = load_deployer("nomad", {"url": "http://nomad.example"})
        assert d.deploy(CTX) == {"url": "http://nomad.example", "job": "2.1.0"}
    finally:
        interface._installed.cache_clear()


def test_a_missing_deployer_names_the_installed_ones() -> None:
    with pytest.raises(InvalidInput, match=r"no deployer named 'helm'.*command, .*process"):
        load_deployer("helm", {})


def test_command_deployer_passes_versions_without_a_shell(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    script = tmp_path / "deploy.py"
    script.write_text(
        "import json, os, sys\n"
        "json.dump({'argv': sys.argv[1:], 'env': os.environ['POLARIS_VERSION_WEB']},"
        " open(sys.argv[1], 'w'))\n"
    )
    d = load_deployer("command", {"command": [sys.executable, str(script), str(out), "{api};rm"]})
    d.deploy(DeployContext("staging", "2.1.0", {"api": "2.1.0", "web": "2.0.1"}, 1, root=tmp_path))
    got = json.loads(out.read_text())
    assert got == {"argv": [str(out), "2.1.0;rm"], "env": "2.0.1"}
    bad = load_deployer("command", {"command": "helm upgrade x --set tag={nope}"})
    with pytest.raises(CheckFailed, match=r"names \{nope\}"):
        bad.deploy(CTX)
    missing = load_deployer("command", {"command": ["/nonexistent/helm"]})
    with pytest.raises(CheckFailed, match="command not found"):
        missing.deploy(CTX)


class _System:
    """A deployment system's API on loopback: POST /deploy, GET /status/<id>."""

    def __init__(self, final: str) -> None:
        self.final = final
        self.bodies: list[dict[str, Any]] = []
        self.polls = 0
        outer = self

        class H(BaseHTTPRequestHandler):
            def _json(self, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                n = int(self.headers["content-length"])
                outer.bodies.append(json.loads(self.rfile.read(n)))
                self._json({"id": "42"})

            def do_GET(self) -> None:
                outer.polls += 1
                status = "running" if outer.polls < 2 else final
                self._json({"status": status, "path": self.path})

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(params=["succeeded", "failed"])
def system(request: pytest.FixtureRequest) -> Iterator[_System]:
    s = _System(request.param)
    yield s
    s.server.shutdown()
    s.server.server_close()


def test_webhook_deployer_posts_and_follows_the_status(system: _System) -> None:
    d = load_deployer(
        "webhook",
        {"url": f"{system.url}/deploy", "status_url": f"{system.url}/status/{{id}}", "poll": 0.05},
    )
    if system.final == "succeeded":
        assert d.deploy(CTX)["webhook_id"] == "42"
    else:
        with pytest.raises(CheckFailed, match="reports failure"):
            d.deploy(CTX)
    assert system.bodies[0]["versions"] == {"api": "2.1.0", "web": "2.0.1"}
    assert system.polls == 2
