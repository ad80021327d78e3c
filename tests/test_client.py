"""polaris.client: one code path, in-process and over HTTP; errors come back as their class."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import httpx
import pytest
from tests._live import LiveApi
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.client import Client, error_from_problem
from polaris.core.actors import AuthenticationRequired, PermissionDenied
from polaris.core.errors import Conflict, InvalidInput, NotFound, Unavailable
from polaris.models.rules import PromotionGateFailed, StageRuleViolation
from polaris.settings import Settings


def test_problems_come_back_as_the_class_the_server_raised() -> None:
    gate = error_from_problem(
        409,
        {
            "type": "https://polaris.dev/problems/promotion-gate-failed",
            "detail": "accuracy is 0.93",
            "message": "accuracy is 0.93",
            "field": "criteria",
            "hint": "improve it",
        },
    )
    assert type(gate) is PromotionGateFailed
    assert gate.one_line() == "criteria: accuracy is 0.93 (hint: improve it)"
    assert gate.exit_code == 1
    rule = error_from_problem(409, {"type": "x/stage-rule", "detail": "no"})
    assert type(rule) is StageRuleViolation
    where = error_from_problem(
        422,
        {"type": "x/invalid-input", "message": "bad", "file": "m.yml", "line": 9, "field": "v"},
    )
    assert type(where) is InvalidInput and where.one_line() == "m.yml:9: v: bad"
    # Unknown slugs fall back on the status.
    assert type(error_from_problem(404, {"type": "x/whatever"})) is NotFound
    assert type(error_from_problem(401, {})) is AuthenticationRequired
    assert type(error_from_problem(403, {})) is PermissionDenied
    assert type(error_from_problem(409, {})) is Conflict
    assert type(error_from_problem(502, {})) is Unavailable
    assert type(error_from_problem(418, {})) is InvalidInput


def test_an_unreachable_server_is_unavailable_exit_3() -> None:
    with (
        Client.remote("http://127.0.0.1:9", timeout=2.0) as client,
        pytest.raises(Unavailable, match="cannot reach") as info,
    ):
        client.platform()
    assert info.value.exit_code == 3


def _register_big(client: Client, tmp_path: Path, size: int) -> tuple[Path, str]:
    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(size))
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    client.register("big", {"version": "1.0.0"}, [weights])
    return weights, sha


def test_local_client_streams_uploads_downloads_and_exports(tmp_path: Path) -> None:
    # 20 MiB: many more chunks than the transport's queue holds, so the stream must flow.
    with Client.local(Settings(home=tmp_path / "home"), user="alice") as client:
        _weights, sha = _register_big(client, tmp_path, 20 << 20)
        v = client.version("big", "1.0.0")
        assert v["created_by"] == "alice"
        assert v["files"] == [{"name": "weights.bin", "sha256": sha, "size": 20 << 20}]
        out = io.BytesIO()
        client.download("big", "1.0.0", "weights.bin", out)
        assert hashlib.sha256(out.getvalue()).hexdigest() == sha
        package = io.BytesIO()
        client.export("big", "1.0.0", package)
        package.seek(0)
        with tarfile.open(fileobj=package, mode="r:gz") as tar:
            names = sorted(tar.getnames())
            data = tar.extractfile("big-1.0.0/weights.bin")
            assert data is not None and hashlib.sha256(data.read()).hexdigest() == sha
        assert names == [
            "big-1.0.0/MODEL_CARD.md",
            "big-1.0.0/metadata.json",
            "big-1.0.0/requirements.txt",
            "big-1.0.0/weights.bin",
        ]
        with pytest.raises(NotFound):
            client.version("big", "9.9.9")


def test_the_local_actor_exists_only_in_process(api: LiveApi, tmp_path: Path) -> None:
    # The served application never acts for a caller without a token.
    with httpx.Client(base_url=api.url) as anon:
        r = anon.post("/api/v1/gc", params={"dry_run": "true"})
        assert r.status_code == 401
    with Client.remote(api.url, api.tokens["admin"]) as client:
        assert client.gc(dry_run=True)["dry_run"] is True
