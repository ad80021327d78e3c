"""Seed 4.1.1 model version strings (``rag-search-v1.3.2``) wherever a model version is named."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from tests._pg import (  # noqa: F401 - fixtures
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)
from typer.testing import CliRunner, Result

from polaris.artifacts.store import open_artifact_store
from polaris.client import Client
from polaris.core.actors import Actor, Role
from polaris.core.errors import InvalidInput, InvalidVersion, NotFound
from polaris.models.cli import models_app
from polaris.models.rules import VersionQuery, version_to_dict
from polaris.models.service import Registration, RegistryService
from polaris.settings import Settings
from polaris.store.session import Database

ROOT = Actor("root", Role.ADMIN)
FORMAT = "{MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}[-{STAGE}][+{METADATA}]"

runner = CliRunner()
app = typer.Typer()
app.add_typer(models_app, name="models")


# -- the JSON forms, on SQLite and PostgreSQL ---------------------------------------------------


@pytest.fixture
def registry(migrated_db_url: str, tmp_path: Path) -> Iterator[RegistryService]:  # noqa: F811
    db = Database(migrated_db_url, pool_size=2)
    yield RegistryService(db, open_artifact_store(str(tmp_path / "artifacts")))
    db.dispose()


def test_every_json_form_carries_the_model_version_name(registry: RegistryService) -> None:
    sha = registry.upload_blob(io.BytesIO(b"weights"), actor=ROOT)["sha256"]
    for version in ("1.3.2", "1.4.0-candidate"):
        registry.register(
            Registration(name="rag-search", version=version, files={"m.bin": sha}), actor=ROOT
        )
    core = version_to_dict(registry.get("rag-search", "1.3.2"))
    assert core["model_version_name"] == "rag-search-v1.3.2"
    fast = registry.get_json("rag-search", "1.3.2")  # the precompiled SQL path
    assert fast == core
    page, _ = registry.search_json(VersionQuery(name="rag-search", limit=10))
    assert sorted(v["model_version_name"] for v in page) == [
        "rag-search-v1.3.2",
        "rag-search-v1.4.0-candidate",
    ]


# -- HTTP -----------------------------------------------------------------------------------------


def test_get_a_version_by_its_model_version_name(tmp_path: Path) -> None:
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"weights")
    with Client.local(Settings(home=tmp_path / "home"), user="carol") as client:
        client.register("rag-search", {"version": "1.3.2"}, [weights])
        client.register("rag-search", {"version": "1.3.0-candidate", "model_path": "s3://m/c"})
        client.register("bert-v2-ner", {"version": "1.0.0", "model_path": "s3://m/b"})

        got = client.call("GET", "/model-versions/rag-search-v1.3.2")
        assert (got["model_name"], got["version"]) == ("rag-search", "1.3.2")
        assert got["model_version_name"] == "rag-search-v1.3.2"
        assert got["files"][0]["sha256"] == hashlib.sha256(b"weights").hexdigest()
        assert client.model_version("rag-search-v1.3.0-candidate")["version"] == "1.3.0-candidate"
        # metadata plays no part in which version is meant (SemVer build metadata)
        assert client.model_version("rag-search-v1.3.2+training.20250901")["version"] == "1.3.2"
        # a name that itself holds -v<digits>
        assert client.model_version("bert-v2-ner-v1.0.0")["model_name"] == "bert-v2-ner"

        listed = client.versions({"name": "rag-search"})["items"]
        assert {v["model_version_name"] for v in listed} == {
            "rag-search-v1.3.2",
            "rag-search-v1.3.0-candidate",
        }
        with pytest.raises(InvalidInput) as bad:
            client.model_version("rag-search")
        assert FORMAT in str(bad.value)
        assert "\n" not in str(bad.value)
        with pytest.raises(InvalidInput):
            client.model_version("Rag-Search-v1.0.0")
        with pytest.raises(NotFound):
            client.model_version("rag-search-v9.9.9")
        with pytest.raises(InvalidInput) as zero:
            client.call("GET", "/model-versions/rag-search-v1.02.0")
        assert "leading zero" in str(zero.value)
        spec = client.call("GET", "/openapi.json")
    op = spec["paths"]["/api/v1/model-versions/{model_version_name}"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/VersionOut"
    )


# -- the CLI --------------------------------------------------------------------------------------


def run(env: dict[str, str], *args: str) -> Result:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(run(env, *args, "--json").stdout)


def test_every_command_takes_the_model_version_name(tmp_path: Path) -> None:
    env = {"POLARIS_HOME": str(tmp_path / "home")}
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"the weights")
    run(env, "models", "register", "rag-search", "--version", "1.3.1", "-f", str(weights))
    run(
        env,
        "models",
        "register",
        "rag-search",
        "--version",
        "1.3.2",
        "--parent",
        "1.3.1",
        "--model-path",
        "s3://m/1.3.2",
    )
    run(env, "models", "register", "rag-search", "--version", "1.4.0", "-f", str(weights))

    shown = as_json(env, "models", "show", "rag-search-v1.3.2")
    assert (shown["model_name"], shown["version"]) == ("rag-search", "1.3.2")
    assert as_json(env, "models", "show", "rag-search", "1.3.2") == shown  # the pair still works
    human = run(env, "models", "show", "rag-search-v1.3.2").stdout
    assert "rag-search-v1.3.2" in human

    listing = run(env, "models", "list", "rag-search").stdout
    assert "rag-search-v1.3.2" in listing and "rag-search-v1.4.0" in listing

    lineage = as_json(env, "models", "lineage", "rag-search-v1.3.2")
    assert [v["model_version_name"] for v in lineage] == ["rag-search-v1.3.2", "rag-search-v1.3.1"]

    moved = as_json(
        env,
        "models",
        "promote",
        "rag-search-v1.3.1",
        "--to",
        "staging",
        "--validation",
        "smoke=passed",
    )
    assert moved["version"]["stage"] == "staging"
    history = as_json(env, "models", "history", "rag-search-v1.3.1")
    assert [(h["version"], h["to_stage"]) for h in history] == [
        ("1.3.1", "development"),
        ("1.3.1", "staging"),
    ]

    out = tmp_path / "out"
    files = as_json(env, "models", "download", "rag-search-v1.4.0", "model.bin", "-o", str(out))
    assert files["files"] == [str(out / "model.bin")]
    assert (out / "model.bin").read_bytes() == b"the weights"
    all_files = as_json(env, "models", "download", "rag-search-v1.3.1", "-o", str(out / "all"))
    assert (out / "all" / "model.bin").read_bytes() == b"the weights"
    assert len(all_files["files"]) == 1

    pkg = tmp_path / "pkg.tar.gz"
    as_json(env, "models", "export", "rag-search-v1.4.0", "-o", str(pkg))
    with tarfile.open(pkg) as tar:
        member = tar.extractfile(next(m for m in tar.getmembers() if m.name.endswith("model.bin")))
        assert member is not None and member.read() == b"the weights"

    archived = as_json(env, "models", "archive", "rag-search-v1.3.1", "--dry-run")
    assert archived["dry_run"] is True
    gone = as_json(env, "models", "delete", "rag-search-v1.4.0")
    assert gone["model_version_name"] == "rag-search-v1.4.0"
    missing = runner.invoke(app, ["models", "show", "rag-search-v1.4.0"], env=env)
    assert isinstance(missing.exception, NotFound)

    bad = runner.invoke(app, ["models", "show", "rag-search"], env=env)
    assert isinstance(bad.exception, InvalidVersion)
    assert FORMAT in str(bad.exception)


def test_a_bad_model_version_string_is_a_one_line_error(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "POLARIS_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "COLUMNS": "200",
    }
    env.pop("POLARIS_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "polaris", "models", "show", "rag-search-v1.3"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "rag-search-v1.3" in lines[0] and FORMAT in lines[0]
