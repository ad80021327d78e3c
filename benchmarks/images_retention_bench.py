"""Retention planning over 10,000 tags on the local registry (scripts/ensure-services).

Pushes N images (one small layer each, creation times spread over 90 days) under 5 tags each
(a version or a prerelease, a branch, a feature branch, a commit, a build number) into a fresh
repository, then times ``polaris images retention --plan`` (tags list, manifests, configs, plan)
in-process and as the ``polaris`` command. The baseline is what a typical clean-up script does:
one sequential manifest GET and one config GET per tag.

    python benchmarks/images_retention_bench.py [--images 2000] [--registry 127.0.0.1:5000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from polaris.images.policy import RegistryPolicy
from polaris.images.registry import DistributionRegistry
from polaris.images.service import retention_plan

OCI = "application/vnd.oci.image.manifest.v1+json"


async def push_all(base: str, repo: str, images: int, rng: random.Random) -> int:
    now = datetime.now(UTC)
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def blob(data: bytes) -> str:
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            async with sem:
                start = await client.post(f"/v2/{repo}/blobs/uploads/")
                loc = start.headers["location"]
                loc = loc if loc.startswith("http") else base + loc
                sep = "&" if "?" in loc else "?"
                (await client.put(f"{loc}{sep}digest={digest}", content=data)).raise_for_status()
            return digest

        layer = b"polaris-bench-layer"
        layer_digest = await blob(layer)

        async def one(i: int) -> int:
            created = now - timedelta(days=rng.random() * 90)
            config = json.dumps({"created": created.isoformat(), "os": "linux", "n": i}).encode()
            cfg = await blob(config)
            manifest = json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI,
                    "config": {
                        "mediaType": "application/vnd.oci.image.config.v1+json",
                        "digest": cfg,
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
            version = f"1.{i // 100}.{i % 100}" + ("-rc.1" if i % 3 == 0 else "")
            tags = [version, f"branch-{i % 7}-{i}", f"feature-{i}", f"{i:07x}", f"build-{i}"]
            for t in tags:
                async with sem:
                    r = await client.put(
                        f"/v2/{repo}/manifests/{t}", content=manifest, headers={"Content-Type": OCI}
                    )
                    r.raise_for_status()
            return len(tags)

        counts = await asyncio.gather(*(one(i) for i in range(images)))
    return sum(counts)


def baseline(base: str, repo: str, tags: list[str]) -> float:
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=60) as client:
        for t in tags:
            m = client.get(f"/v2/{repo}/manifests/{t}", headers={"Accept": OCI}).json()
            client.get(f"/v2/{repo}/blobs/{m['config']['digest']}").json()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--registry", default="127.0.0.1:5000")
    ap.add_argument("--repo", help="Reuse a repository an earlier run pushed (skips the push).")
    args = ap.parse_args()
    base = f"http://{args.registry}"
    repo = args.repo or f"bench/retention-{uuid.uuid4().hex[:8]}"
    if not args.repo:
        t0 = time.perf_counter()
        total = asyncio.run(push_all(base, repo, args.images, random.Random(3)))
        print(f"pushed {args.images} images under {total} tags in {time.perf_counter() - t0:.1f} s")
        print(f"(reuse with --repo {repo})")
    reg = DistributionRegistry(base)
    t0, c0 = time.perf_counter(), time.process_time()
    plan, read = retention_plan(
        reg, repo, now=datetime.now(UTC), policy=RegistryPolicy(), protected={}
    )
    t_plan = time.perf_counter() - t0
    cpu_plan = time.process_time() - c0
    tags = reg.tags(repo)
    reg.close()
    print(
        f"plan in-process: {t_plan:.2f} s (Polaris CPU {cpu_plan:.2f} s) for {read} tags: delete {len(plan.delete)} digests "
        f"({plan.tags_deleted} tags), keep {len(plan.keep)}"
    )
    t0 = time.perf_counter()
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "polaris",
            "images",
            "retention",
            f"{args.registry}/{repo}",
            "--plan",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    t_cli = time.perf_counter() - t0
    print(f"plan as a command: {t_cli:.2f} s (exit {cli.returncode})")
    t_base = baseline(base, repo, tags[: len(tags) // 5]) * 5  # a fifth, scaled
    print(
        f"baseline (sequential manifest + config GET per tag, 1/5 of the tags x5): {t_base:.2f} s"
    )
    print(f"ratio baseline / polaris in-process: {t_base / t_plan:.1f}x")
    print(f"goal < 10 s: {'met' if t_cli < 10 else 'NOT met'}; load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
