"""Push small real images to the local registry through the Distribution API (and read them)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import uuid
from datetime import datetime

import httpx
import pytest
from tests._services import service_unavailable

__all__ = ["REGISTRY", "push_image", "registry_url", "unique_repo"]

REGISTRY = "127.0.0.1:5000"


@pytest.fixture
def registry_url() -> str:
    """The local registry's base URL, or skip (fail under POLARIS_REQUIRE_SERVICES=1)."""
    try:
        httpx.get(f"http://{REGISTRY}/v2/", timeout=2).raise_for_status()
    except httpx.HTTPError as exc:
        service_unavailable("docker-registry (scripts/ensure-services)", exc)
    return f"http://{REGISTRY}"


def unique_repo(prefix: str = "polaris-test") -> str:
    return f"{prefix}/{uuid.uuid4().hex[:12]}"


def _blob(client: httpx.Client, base: str, repo: str, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    start = client.post(f"{base}/v2/{repo}/blobs/uploads/")
    start.raise_for_status()
    location = start.headers["location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    put = client.put(
        f"{location}{sep}digest={digest}",
        content=data,
        headers={"Content-Type": "application/octet-stream"},
    )
    put.raise_for_status()
    return digest


def push_image(
    base: str, repo: str, tags: list[str], *, created: datetime, payload: str = ""
) -> str:
    """Push a one-layer OCI image (a file holding ``payload``) under ``tags``; its digest."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
        data = (payload or uuid.uuid4().hex).encode()
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    raw = tar_bytes.getvalue()
    layer = gzip.compress(raw, mtime=0)
    config = json.dumps(
        {
            "created": created.isoformat().replace("+00:00", "Z"),
            "architecture": "amd64",
            "os": "linux",
            "config": {"Labels": {"version": "test"}},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        }
    ).encode()
    with httpx.Client(timeout=10) as client:
        layer_digest = _blob(client, base, repo, layer)
        config_digest = _blob(client, base, repo, config)
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": config_digest,
                    "size": len(config),
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": layer_digest,
                        "size": len(layer),
                    }
                ],
            }
        ).encode()
        digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
        for tag in tags:
            r = client.put(
                f"{base}/v2/{repo}/manifests/{tag}",
                content=manifest,
                headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
            )
            r.raise_for_status()
            assert r.headers["docker-content-digest"] == digest
    return digest
