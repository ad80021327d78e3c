"""``--dry-run`` on every registry command that writes: the local store and HTTP, same output.

A dry run prints what the real run then does, fails where it fails, and leaves the store as it
was (every row of every table, every artifact file).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import create_engine
from tests._pg import LiveServer
from typer.testing import CliRunner, Result

from polaris.app import create_app
from polaris.models.cli import models_app, platform_app, store_app, token_app
from polaris.settings import Settings
from polaris.store.tables import Base

runner = CliRunner()
app = typer.Typer()
app.add_typer(models_app, name="models")
app.add_typer(token_app, name="token")
app.add_typer(store_app, name="store")
app.add_typer(platform_app, name="platform")

_CLOCK_FIELDS = {"at", "created_at", "stage_changed_at", "revoked_at", "dry_run"}


def run(env: dict[str, str], *args: str, ok: bool = True) -> Result:
    result = runner.invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def as_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(run(env, *args, "--json").stdout)


def timeless(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: timeless(v) for k, v in data.items() if k not in _CLOCK_FIELDS}
    if isinstance(data, list):
        return [timeless(v) for v in data]
    return data


class Store:
    """One POLARIS_HOME, its local env, a server on it, and the remote env."""

    def __init__(self, home: Path, url: str, token: str) -> None:
        self.settings = Settings(home=home)
        self.local = {"POLARIS_HOME": str(home)}
        self.remote = {"POLARIS_URL": url, "POLARIS_TOKEN": token, "POLARIS_HOME": str(home)}

    def snapshot(self) -> dict[str, Any]:
        engine = create_engine(self.settings.resolved_database_url)
        try:
            with engine.connect() as conn:
                rows = {
                    t.name: sorted(repr(tuple(r)) for r in conn.execute(t.select()))
                    for t in Base.metadata.sorted_tables
                }
        finally:
            engine.dispose()
        root = Path(self.settings.resolved_artifact_location)
        files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        return {"rows": rows, "files": files}

    def dry(self, *args: str) -> Any:
        """Run a dry run locally and over HTTP: the same output both ways, nothing written."""
        before = self.snapshot()
        here = run(self.local, *args, "--dry-run").stdout
        there = run(self.remote, *args, "--dry-run").stdout
        assert here == there, args
        here_json = as_json(self.local, *args, "--dry-run")
        there_json = as_json(self.remote, *args, "--dry-run")
        assert here_json["dry_run"] is True
        assert timeless(here_json) == timeless(there_json), args
        assert self.snapshot() == before, args
        return here_json

    def dry_fails(self, *args: str) -> str:
        """A dry run fails as the real run does, locally and over HTTP; nothing written."""
        before = self.snapshot()
        codes: set[int] = set()
        messages: list[str] = []
        for env in (self.local, self.remote):
            dry = run(env, *args, "--dry-run", ok=False)
            real = run(env, *args, ok=False)
            assert dry.exit_code == real.exit_code != 0, (args, dry.output, real.output)
            assert str(dry.exception) == str(real.exception), args
            codes.add(dry.exit_code)
            messages.append(str(dry.exception))
        assert len(codes) == 1, (args, codes)
        assert self.snapshot() == before, args
        return " | ".join(messages)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    home = tmp_path / "home"
    local = {"POLARIS_HOME": str(home)}
    run(local, "store", "upgrade")
    # Named after the OS user, who is the actor of local commands: the records then match.
    me = getpass.getuser()
    token = as_json(local, "token", "create", "--role", "admin", "--name", me)["token"]
    with LiveServer(create_app(Settings(home=home))) as server:
        yield Store(home, server.url, token)


def test_store_upgrade_dry_run_lists_pending_revisions(tmp_path: Path) -> None:
    env = {"POLARIS_HOME": str(tmp_path / "home")}
    plan = as_json(env, "store", "upgrade", "--dry-run")
    assert plan["dry_run"] is True
    assert plan["before"] is None
    revisions = [r["revision"] for r in plan["pending"]]
    assert revisions[0] == "0001"
    assert revisions[-1] == plan["after"]
    assert plan["pending"][0]["message"] == "initial schema"
    human = run(env, "store", "upgrade", "--dry-run").stdout
    assert f"empty -> {plan['after']} would apply:" in human
    assert as_json(env, "store", "status")["current"] is None  # nothing applied
    done = as_json(env, "store", "upgrade")
    assert (done["before"], done["after"]) == (None, plan["after"])
    again = as_json(env, "store", "upgrade", "--dry-run")
    assert (again["before"], again["pending"]) == (plan["after"], [])
    assert "nothing to apply" in run(env, "store", "upgrade", "--dry-run").stdout


def test_register_promote_archive_delete(store: Store, tmp_path: Path) -> None:
    model = tmp_path / "model.pkl"
    model.write_bytes(b"weights" * 100)
    reg = ("models", "register", "rag", "--version", "1.0.0", "--file", str(model))
    reg += ("--metric", "accuracy=0.93", "--dep", "torch==2.4.1", "-m", "first")
    dry = store.dry(*reg)
    assert "would register rag 1.0.0 (development)" in run(store.local, *reg, "--dry-run").stdout
    assert dry["files"][0]["size"] == 700
    real = as_json(store.local, *reg)
    assert timeless(dry) == timeless(real)
    assert "already registered" in store.dry_fails(*reg)

    bump = ("models", "register", "rag", "--bump", "minor", "--model-path", "s3://m")
    bump += ("--parent", "1.0.0", "--metric", "accuracy=0.95")
    dry = store.dry(*bump)
    assert dry["version"] == "1.1.0"
    assert timeless(as_json(store.remote, *bump)) == timeless(dry)

    # The gate fails a dry run as it fails the real run.
    gate = ("models", "promote", "rag", "1.0.0", "--to", "staging", "--require", "accuracy>=0.95")
    assert "short by 0.02" in store.dry_fails(*gate)
    promote = ("models", "promote", "rag", "1.0.0", "--to", "staging", "--require", "accuracy>=0.9")
    dry = store.dry(*promote)
    assert (
        "would move rag 1.0.0: development -> staging"
        in run(store.local, *promote, "--dry-run").stdout
    )
    assert timeless(as_json(store.local, *promote)) == timeless(dry)
    prod = ("models", "promote", "rag", "1.0.0", "--to", "production", "--reason", "go")
    assert timeless(store.dry(*prod)) == timeless(as_json(store.remote, *prod))

    # 1.1.0 to production: the dry run shows 1.0.0 archived in the same move.
    run(
        store.local,
        "models",
        "promote",
        "rag",
        "1.1.0",
        "--to",
        "staging",
        "--validation",
        "e2e=ok",
    )
    assert "rollback plan" in store.dry_fails(
        "models", "promote", "rag", "1.1.0", "--to", "production"
    )
    prod2 = ("models", "promote", "rag", "1.1.0", "--to", "production", "--rollback-to", "1.0.0")
    dry = store.dry(*prod2)
    moves = [(c["version"], c["from_stage"], c["to_stage"]) for c in dry["changes"]]
    assert moves == [("1.0.0", "production", "archived"), ("1.1.0", "staging", "production")]
    assert timeless(as_json(store.local, *prod2)) == timeless(dry)

    dev = as_json(store.local, "models", "register", "rag", "--bump", "patch", "--model-path", "x")
    archive = ("models", "archive", "rag", dev["version"], "--reason", "unused")
    dry = store.dry(*archive)
    assert dry["version"]["stage"] == "archived"
    assert timeless(as_json(store.remote, *archive)) == timeless(dry)

    dev = as_json(store.local, "models", "register", "rag", "--bump", "patch", "--model-path", "x")
    delete = ("models", "delete", "rag", dev["version"])
    dry = store.dry(*delete)
    assert timeless(dry) == timeless(dev)
    assert f"would delete rag {dev['version']}" in run(store.local, *delete, "--dry-run").stdout
    assert timeless(as_json(store.local, *delete)) == timeless(dry)
    assert "not found" in store.dry_fails(*delete)
    assert "cannot delete" in store.dry_fails("models", "delete", "rag", "1.1.0")

    # Over HTTP the real registration still uploads its files (the dry run uploaded none).
    other = tmp_path / "other.pkl"
    other.write_bytes(b"other weights")
    reg2 = ("models", "register", "rag", "--version", "2.0.0", "--file", str(other))
    dry = store.dry(*reg2)
    real = as_json(store.remote, *reg2)
    assert timeless(real) == timeless(dry)
    assert any(f.endswith(real["files"][0]["sha256"]) for f in store.snapshot()["files"])


def test_platform_release_and_tokens(store: Store) -> None:
    run(store.local, "models", "register", "ner", "--version", "1.1.0", "--model-path", "s3://n")
    release = ("platform", "release", "2.2.0", "-c", "service/api=2.2.0", "-c", "model/ner=1.1.0")
    dry = store.dry(*release)
    assert (
        "would record platform release 2.2.0: 2 components"
        in run(store.local, *release, "--dry-run").stdout
    )
    assert timeless(as_json(store.remote, *release)) == timeless(dry)
    assert "not found" in store.dry_fails("platform", "release", "2.3.0", "-c", "model/ner=9.0.0")

    create = ("token", "create", "--role", "viewer", "--name", "ci")
    dry = store.dry(*create)
    assert (dry["token"], dry["prefix"], dry["role"], dry["name"]) == (None, "pol_", "viewer", "ci")
    assert "would create a viewer token for ci" in run(store.local, *create, "--dry-run").stdout
    assert store.dry_fails("token", "create", "--role", "boss")
    real = as_json(store.local, *create)
    assert real["token"].startswith("pol_")

    revoke = ("token", "revoke", str(real["id"]))
    dry = store.dry(*revoke)
    assert dry["revoked_at"] is not None
    assert "not found" in store.dry_fails("token", "revoke", "9999")
    assert timeless(as_json(store.local, *revoke)) == timeless(dry)
