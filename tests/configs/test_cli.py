"""``polaris config ...`` end to end on a copy of the sample platform and a SQLite store:
the walk-through of docs/config.md, exit codes, and drift against a real HTTP service."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import typer

from polaris.configs.cli import app as config_app
from polaris.core.errors import PolarisError
from polaris.main import main


@pytest.fixture
def cli(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> object:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("POLARIS_DATABASE_URL", f"sqlite+pysqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("POLARIS_HOME", str(tmp_path / "home"))

    command = typer.main.get_command(config_app)  # built once: Typer's build costs ~0.15 s

    def run(*args: str, code: int = 0) -> tuple[str, str]:
        try:
            result = command.main(list(args), prog_name="polaris config", standalone_mode=False)
            rc = result if isinstance(result, int) else 0
        except PolarisError as exc:  # as polaris.main.main maps them
            sys.stderr.write(f"error: {exc.one_line()}\n")
            rc = exc.exit_code
        out, err = capsys.readouterr()
        assert rc == code, (args, out, err)
        return out, err

    return run


def js(out: str) -> object:
    return json.loads(out)


PROD = Path("config/version-2.1.0/production.yml")
STAGING = Path("config/version-2.1.0/staging.yml")


def test_the_group_is_registered_in_polaris(
    cli: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "lint"]) == 0
    assert "no lint problems" in capsys.readouterr().out
    assert main(["config", "rollback", "--env", "production", "--to", "nothex"]) == 2


def test_walk_through(cli, repo: Path) -> None:  # type: ignore[no-untyped-def]
    out, _ = cli("snapshot", "-m", "2.1.0 as shipped", "--json")
    shots = js(out)
    assert [(s["environment"], s["created"]) for s in shots] == [
        ("development", True),
        ("staging", True),
        ("production", True),
    ]
    prod_v1 = shots[2]["hash"]
    out, _ = cli("snapshot")
    assert out.count("(unchanged)") == 3
    out, _ = cli("validate")
    assert "3 file(s) valid" in out
    out, _ = cli("lint")
    assert "no lint problems" in out

    for args in (("--to", "development"), ("--from", "development", "--to", "staging")):
        cli("promote", *args)
    out, _ = cli("promote", "--from", "staging", "--to", "production", "--json")
    assert js(out)["hash"] == prod_v1

    PROD.write_text(
        PROD.read_text().replace("connection_pool_size: 20", "connection_pool_size: 30")
    )
    out, _ = cli("diff", "production", str(PROD))
    assert "database.mysql.connection_pool_size: 20 -> 30" in out
    assert "bump: patch" in out
    out, _ = cli("snapshot", "--env", "production", "-m", "pool 30", "--json")
    (shot,) = js(out)
    prod_v2 = shot["hash"]
    out, _ = cli("diff", prod_v1, prod_v2, "--json")
    assert js(out)["changes"][0]["path"] == "database.mysql.connection_pool_size"

    out, _ = cli("promote", "--from", "staging", "--to", "production", "--dry-run")
    assert f"production would expect {prod_v2} (was {prod_v1}" in out
    cli("promote", "--from", "staging", "--to", "production")
    out, _ = cli("rollback", "--env", "production", "--to", prod_v1, "--reason", "pool")
    assert f"production now expects {prod_v1} (was {prod_v2}; rollback)" in out
    out, _ = cli("history", "--env", "production", "--json")
    assert [d["action"] for d in js(out)["deployments"]] == ["rollback", "promote", "promote"]
    out, _ = cli("list", "--json")
    assert js(out)["expected"]["production"]["hash"] == prod_v1

    # A pasted secret: lint fails (exit 1) and never prints the value.
    STAGING.write_text(STAGING.read_text().replace('"${NEO4J_PASSWORD}"', '"hunter2-prod"'))
    out, err = cli("lint", code=1)
    assert "plaintext-secret" in out
    assert "hunter2" not in out + err
    _, err = cli("snapshot", "--env", "staging", code=1)
    assert "database.neo4j.password: '***' does not match" in err
    assert "hunter2" not in err
    # One the schema lets through (a string flag) is recorded, and masked when shown or diffed.
    STAGING.write_text(
        STAGING.read_text().replace('"hunter2-prod"', '"${NEO4J_PASSWORD}"')
        + "  webhook_token: hunter2-prod\n"
    )
    out, _ = cli("snapshot", "--env", "staging", "--json")
    out, _ = cli("show", js(out)[0]["hash"], "--json")
    assert js(out)["content"]["feature_flags"]["webhook_token"] == "***"  # noqa: S105
    out, err = cli("diff", "staging", str(STAGING))
    out, _ = cli("diff", "development", "staging")
    assert 'feature_flags.webhook_token: added "***"' in out
    assert "hunter2" not in out


def test_render_flags_and_bad_input(cli, repo: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("NEO4J_USER", "NEO4J_URI", "WEAVIATE_URL", "VLLM_ENDPOINT", "MYSQL_HOST"):
        monkeypatch.setenv(name, f"{name.lower()}-value")
    _, err = cli("render", "--env", "production", "-o", "-", code=1)
    assert "${NEO4J_PASSWORD}" in err
    assert "neo4j_user-value" not in err
    for name in ("NEO4J_PASSWORD", "WEAVIATE_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.setenv(name, f"{name.lower()}-value")
    target = tmp_path / "out.json"
    cli("render", "--env", "production", "-o", str(target))
    rendered = json.loads(target.read_text())
    assert rendered["database"]["neo4j"]["password"] == "neo4j_password-value"  # noqa: S105
    assert target.stat().st_mode & 0o777 == 0o600
    assert "${NEO4J_PASSWORD}" in PROD.read_text()

    out, _ = cli("flags", "--json")
    assert js(out)["max_parallel_agents"] == {"development": 2, "staging": 4, "production": 8}
    cli("flag-set", "rag_rerank", "true", "--env", "production")
    out, _ = cli("flags", "--json")
    assert js(out)["rag_rerank"]["production"] is True
    _, err = cli("flag-set", "rag_rerank", "3", "--env", "production", code=2)
    assert "is of type boolean" in err

    _, err = cli("snapshot", "--env", "qa", code=2)
    assert "unknown environment 'qa'" in err
    PROD.write_text(PROD.read_text().replace("port: 3306", 'port: "3306"'))
    _, err = cli("validate", code=1)
    assert f"{repo / PROD}:13: database.mysql.port: '3306' is not of type 'integer'" in err + _
    _, err = cli("snapshot", code=1)
    assert "database.mysql.port" in err
    PROD.write_text(PROD.read_text() + "application:\n  name: dup\n")
    _, err = cli("snapshot", code=2)
    assert "production.yml:" in err
    assert "duplicate key 'application'" in err
    _, err = cli("rollback", "--env", "production", "--to", "xyz", code=2)
    assert "not a configuration hash" in err


class _Ready(BaseHTTPRequestHandler):
    body: ClassVar[dict[str, object]] = {}

    def do_GET(self) -> None:
        data = json.dumps(self.body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def service() -> Iterator[tuple[str, type[_Ready]]]:
    handler = type("Handler", (_Ready,), {"body": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ready", handler
    server.shutdown()
    server.server_close()


def test_drift_reads_the_hash_a_running_service_reports(cli, service) -> None:  # type: ignore[no-untyped-def]
    url, handler = service
    out, _ = cli("snapshot", "--json")
    dev = js(out)[0]["hash"]
    cli("promote", "--to", "development")
    handler.body = {"status": "ready", "config_hash": dev}
    out, _ = cli("drift", "--env", "development", "--url", url, "--json")
    assert js(out) == {
        "environment": "development",
        "expected": dev,
        "reported": dev,
        "drifted": False,
        "reason": "matches",
    }
    handler.body = {"status": "ready", "config_hash": "0123456789ab"}
    out, err = cli("drift", "--env", "development", "--url", url, code=1)
    assert f"reports 0123456789ab, expected {dev}" in out
    handler.body = {"status": "ready"}
    _, err = cli("drift", "--env", "development", "--url", url, code=1)
    assert "reports no config hash" in err
    _, err = cli("drift", "--env", "development", "--url", "http://127.0.0.1:9/ready", code=1)
    assert "cannot reach the service" in err
