"""Registry commands through Typer's CliRunner: the local store, and the same output over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner, Result

from polaris.models.cli import gc, models_app, platform_app, store_app, token_app
from polaris.models.rules import PromotionGateFailed

runner = CliRunner()
app = typer.Typer()
app.add_typer(models_app, name="models")
app.add_typer(token_app, name="token")
app.add_typer(store_app, name="store")
app.add_typer(platform_app, name="platform")
app.command("gc")(gc)


def run(env: dict[str, str], *args: str, ok: bool = True) -> Result:
    result = runner.invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(run(env, *args, "--json").stdout)


@pytest.fixture
def local(tmp_path: Path) -> dict[str, str]:
    return {"POLARIS_HOME": str(tmp_path / "home")}


def test_store_upgrade_is_idempotent(local: dict[str, str]) -> None:
    before = as_json(local, "store", "status")
    assert before["current"] is None
    assert before["database"].endswith("home/polaris.db")
    first = as_json(local, "store", "upgrade")
    assert first["before"] is None
    assert first["after"]
    assert "already at" in run(local, "store", "upgrade").stdout
    assert as_json(local, "store", "status")["current"] == first["after"]


def test_local_model_lifecycle(local: dict[str, str], tmp_path: Path) -> None:
    model = tmp_path / "model.pkl"
    model.write_bytes(b"weights")
    reg = as_json(
        local,
        "models",
        "register",
        "rag-search",
        "--version",
        "1.0.0",
        "--file",
        str(model),
        "--metric",
        "accuracy=0.93",
        "--param",
        "lr=0.001",
        "--tag",
        "rag",
        "--dep",
        "torch==2.4.1",
        "--data-hash",
        "d1",
        "-m",
        "first",
    )
    assert (reg["version"], reg["stage"], reg["hyperparameters"]) == (
        "1.0.0",
        "development",
        {"lr": 0.001},
    )
    assert reg["files"][0]["sha256"] == hashlib.sha256(b"weights").hexdigest()
    again = run(
        local,
        "models",
        "register",
        "rag-search",
        "--version",
        "1.0.0",
        "--model-path",
        "s3://m",
        ok=False,
    )
    assert again.exit_code != 0
    assert "already registered" in str(again.exception)

    child = as_json(
        local,
        "models",
        "register",
        "rag-search",
        "--bump",
        "minor",
        "--file",
        str(model),
        "--parent",
        "1.0.0",
        "--data-hash",
        "d2",
        "--metric",
        "accuracy=0.95",
    )
    assert child["version"] == "1.1.0"

    failed = run(
        local,
        "models",
        "promote",
        "rag-search",
        "1.0.0",
        "--to",
        "staging",
        "--require",
        "accuracy>=0.99",
        ok=False,
    )
    assert isinstance(failed.exception, PromotionGateFailed)
    assert "short by 0.06" in str(failed.exception)
    out = run(
        local,
        "models",
        "promote",
        "rag-search",
        "1.0.0",
        "--to",
        "staging",
        "--require",
        "accuracy>=0.9",
    ).stdout
    assert "development -> staging" in out
    assert "gate accuracy>=0.9" in out
    run(local, "models", "promote", "rag-search", "1.0.0", "--to", "production")

    listed = as_json(local, "models", "list")
    assert listed == [
        {
            "name": "rag-search",
            "versions": 2,
            "latest": "1.1.0",
            "stages": {"development": "1.1.0", "production": "1.0.0"},
        }
    ]
    page = as_json(local, "models", "list", "rag-search", "--metric", "accuracy>=0.94")
    assert [v["version"] for v in page["items"]] == ["1.1.0"]
    table = run(local, "models", "list").stdout
    assert "rag-search" in table
    assert "production" in table

    lineage = as_json(local, "models", "lineage", "rag-search", "1.1.0")
    assert [(v["version"], v["training_data_hash"]) for v in lineage] == [
        ("1.1.0", "d2"),
        ("1.0.0", "d1"),
    ]
    shown = as_json(local, "models", "show", "rag-search", "1.0.0", "--history")
    assert [h["to_stage"] for h in shown["history"]] == ["development", "staging", "production"]
    at = as_json(local, "models", "history", "rag-search", "--at", shown["history"][-1]["at"])
    assert at["version"] == "1.0.0"

    out_dir = tmp_path / "dl"
    run(local, "models", "download", "rag-search", "1.0.0", "-o", str(out_dir))
    assert (out_dir / "model.pkl").read_bytes() == b"weights"
    pkg = tmp_path / "pkg.tar.gz"
    run(local, "models", "export", "rag-search", "1.0.0", "-o", str(pkg))
    with tarfile.open(pkg) as tar:
        assert sorted(n.split("/", 1)[1] for n in tar.getnames()) == [
            "MODEL_CARD.md",
            "metadata.json",
            "model.pkl",
            "requirements.txt",
        ]

    run(local, "models", "archive", "rag-search", "1.1.0")
    dev = as_json(
        local, "models", "register", "rag-search", "--bump", "patch", "--model-path", "s3://x"
    )
    assert as_json(local, "models", "delete", "rag-search", dev["version"])["version"] == "1.1.1"
    gc_report = as_json(local, "gc", "--dry-run")
    assert gc_report == {"dry_run": True, "versions": [], "blobs": []}


def test_bad_input_is_one_clear_error(local: dict[str, str], tmp_path: Path) -> None:
    r = run(
        local, "models", "register", "x", "--version", "1.0.0", "--metric", "acc=high", ok=False
    )
    assert "'acc=high': 'high' is not a number" in str(r.exception)
    r = run(
        local,
        "models",
        "register",
        "x",
        "--version",
        "1.0.0",
        "--file",
        str(tmp_path / "nope"),
        ok=False,
    )
    assert "no such file" in str(r.exception)
    r = run(local, "models", "promote", "x", "1.0.0", "--to", "prod", ok=False)
    assert "unknown stage 'prod'" in str(r.exception)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``polaris serve --demo`` in a subprocess (the serve command itself)."""
    home = tmp_path / "served"
    port = _free_port()
    code = "import typer; from polaris.server import serve; typer.run(serve)"
    env = {**os.environ, "POLARIS_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--demo", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("polaris serve --demo did not start")
            time.sleep(0.1)
        yield url, home
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_gives_the_same_output_locally_and_over_http(demo_server: tuple[str, Path]) -> None:
    url, home = demo_server
    local = {"POLARIS_HOME": str(home)}
    token = as_json(local, "token", "create", "--role", "admin", "--name", "cli")["token"]
    remote = {"POLARIS_URL": url, "POLARIS_TOKEN": token}
    commands = [
        ("models", "list"),
        ("models", "list", "rag-search"),
        ("models", "list", "--stage", "production"),
        ("models", "list", "--metric", "accuracy>=0.92"),
        ("models", "show", "rag-search", "1.3.2", "--history"),
        ("models", "lineage", "rag-search", "1.4.0-candidate.1"),
        ("models", "history", "ner"),
        ("platform", "show"),
        ("token", "list"),
    ]
    for cmd in commands:
        for extra in ((), ("--json",)):
            here = run(local, *cmd, *extra).stdout
            there = run(remote, *cmd, *extra).stdout
            assert here == there, cmd
    tree = as_json(remote, "platform", "show")
    assert tree["release"]["version"] == "2.1.0"
    assert {m["name"]: m["stages"].get("production") for m in tree["models"]} == {
        "classification": "1.2.1",
        "ner": "1.1.0",
        "rag-search": "1.3.2",
    }
    # Writes over HTTP land in the same store the local CLI reads.
    rel = as_json(
        remote,
        "platform",
        "release",
        "2.2.0",
        "-c",
        "service/api-service=2.2.0",
        "-c",
        "model/ner=1.1.0",
    )
    assert rel["components"][0] == {"name": "ner", "kind": "model", "version": "1.1.0"}
    assert as_json(local, "platform", "show")["release"]["version"] == "2.2.0"
    denied = run({**remote, "POLARIS_TOKEN": "pol_bad"}, "models", "list", ok=False)
    assert "unknown or revoked" in str(denied.exception)


def test_store_status_never_prints_a_database_password() -> None:
    from polaris.store.admin import redact_url as _redact

    assert (
        _redact("postgresql+psycopg://app:s3cret@db:5432/p")
        == "postgresql+psycopg://app:***@db:5432/p"
    )
    assert _redact("postgresql+psycopg://app@db/p") == "postgresql+psycopg://app@db/p"
