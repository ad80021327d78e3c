"""``polaris images list|retention|promote|pin`` against the real local registry."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tests._services import service_unavailable
from tests.images._registry import REGISTRY, push_image, registry_url, unique_repo

from polaris.main import main

__all__ = ["registry_url"]  # the fixture, re-exported for pytest

NOW = datetime.now(UTC).replace(microsecond=0)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_digests_and_config_creation_times(
    registry_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = unique_repo()
    created = NOW - timedelta(days=3)
    digest = push_image(registry_url, repo, ["v1.0.0", "latest"], created=created)
    code, out, _ = run(capsys, "images", "list", f"{REGISTRY}/{repo}", "--json")
    assert code == 0
    tags = {t["tag"]: t for t in json.loads(out)["tags"]}
    assert set(tags) == {"v1.0.0", "latest"}
    assert tags["latest"]["digest"] == digest
    assert tags["latest"]["created"] == created.isoformat()


def test_retention_plan_then_apply_keeps_protected_and_production(
    registry_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = unique_repo()
    image = f"{REGISTRY}/{repo}"
    prod = push_image(registry_url, repo, ["v2.0.0"], created=NOW - timedelta(days=400))
    feat_old = push_image(registry_url, repo, ["feature-a"], created=NOW - timedelta(days=8))
    feat_new = push_image(registry_url, repo, ["feature-b"], created=NOW - timedelta(days=2))
    dev_old = push_image(registry_url, repo, ["develop"], created=NOW - timedelta(days=31))
    pinned = push_image(registry_url, repo, ["feature-c"], created=NOW - timedelta(days=60))
    proj = tmp_path / "proj"
    (proj / "k8s").mkdir(parents=True)
    (proj / "k8s" / "api.yaml").write_text(f"spec:\n  image: {image}:feature-c@{pinned}\n")
    code, out, _ = run(capsys, "images", "retention", image, "--plan", "-C", str(proj), "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["applied"] is False
    assert {d["digest"] for d in plan["delete"]} == {feat_old, dev_old}
    keep = {d["digest"]: d["reason"] for d in plan["keep"]}
    assert keep[pinned] == "protected: pinned in k8s/api.yaml:2"
    assert set(keep) == {prod, feat_new, pinned}
    code, out, _ = run(
        capsys, "images", "retention", image, "--apply", "--dry-run", "-C", str(proj)
    )
    assert code == 0 and "would delete 2 digests" in out
    oci = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
    assert (
        httpx.head(f"{registry_url}/v2/{repo}/manifests/{feat_old}", headers=oci).status_code == 200
    )
    code, out, _ = run(capsys, "images", "retention", image, "--apply", "-C", str(proj))
    assert code == 0 and "deleted 2 digests" in out
    head = {
        d: httpx.head(
            f"{registry_url}/v2/{repo}/manifests/{d}",
            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
        ).status_code
        for d in (prod, feat_old, feat_new, dev_old, pinned)
    }
    assert head == {prod: 200, feat_old: 404, feat_new: 200, dev_old: 404, pinned: 200}


def test_promote_copies_the_manifest_and_production_needs_approval(
    registry_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = unique_repo()
    digest = push_image(registry_url, repo, ["abc123f"], created=NOW)
    src = f"{REGISTRY}/{repo}:abc123f"
    code, _, err = run(capsys, "images", "promote", src, "v2.1.0", "-e", "production")
    assert code == 1
    assert "promotion to production needs approval" in err
    code, out, _ = run(
        capsys, "images", "promote", src, "staging", "-e", "staging", "--dry-run", "--json"
    )
    assert code == 0 and json.loads(out)["dry_run"] is True
    oci = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
    assert httpx.head(f"{registry_url}/v2/{repo}/manifests/staging", headers=oci).status_code == 404
    assert httpx.head(f"{registry_url}/v2/{repo}/manifests/abc123f", headers=oci).status_code == 200
    code, out, _ = run(
        capsys,
        "images",
        "promote",
        src,
        "v2.1.0",
        "-e",
        "production",
        "--approved-by",
        "ada",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["digest"] == digest
    if shutil.which("skopeo"):
        inspected = subprocess.run(
            [
                "skopeo",
                "inspect",
                "--tls-verify=false",
                "--raw",
                f"docker://{REGISTRY}/{repo}:v2.1.0",
            ],
            capture_output=True,
            check=True,
        )
        import hashlib

        assert "sha256:" + hashlib.sha256(inspected.stdout).hexdigest() == digest
    code, _, err = run(capsys, "images", "promote", f"{REGISTRY}/{repo}:nope", "x")
    assert code == 2
    assert "not found" in err


def test_pin_by_digest_in_compose_and_k8s_files(
    registry_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = unique_repo()
    digest = push_image(registry_url, repo, ["2.1.0"], created=NOW)
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        f"services:\n  api:\n    image: {repo}:2.1.0  # the api\n"
        f"  gw:\n    image: {repo}-gw:2.1.0\n"
    )
    k8s = tmp_path / "api.yaml"
    k8s.write_text(f"image: {REGISTRY}/{repo}:2.1.0\n")
    ref = f"{REGISTRY}/{repo}:2.1.0"
    code, out, _ = run(
        capsys,
        "images",
        "pin",
        ref,
        "docker-compose.yml",
        "api.yaml",
        "-C",
        str(tmp_path),
        "--dry-run",
    )
    assert code == 0
    assert f"+    image: {repo}:2.1.0@{digest}  # the api" in out
    assert "@" not in compose.read_text()
    code, out, _ = run(
        capsys, "images", "pin", ref, "docker-compose.yml", "api.yaml", "-C", str(tmp_path)
    )
    assert code == 0
    assert compose.read_text().splitlines()[2] == f"    image: {repo}:2.1.0@{digest}  # the api"
    assert compose.read_text().splitlines()[4] == f"    image: {repo}-gw:2.1.0"
    assert k8s.read_text() == f"image: {REGISTRY}/{repo}:2.1.0@{digest}\n"


def test_a_registry_that_refuses_deletes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = shutil.which("docker-registry")
    if binary is None:  # skips on a user's machine, fails in CI (POLARIS_REQUIRE_SERVICES=1)
        service_unavailable("docker-registry", FileNotFoundError("not installed"))
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "config.yml"
    config.write_text(
        "version: 0.1\nlog: {level: error}\n"
        f"storage:\n  filesystem: {{rootdirectory: {tmp_path}/data}}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    proc = subprocess.Popen(
        [binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                httpx.get(f"{base}/v2/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        push_image(base, "app/x", ["feature-a"], created=NOW - timedelta(days=30))
        code, _, err = run(capsys, "images", "retention", f"127.0.0.1:{port}/app/x", "--apply")
        assert code == 1
        assert f"registry {base} refuses deletes" in err
    finally:
        proc.terminate()
        proc.wait(timeout=10)
