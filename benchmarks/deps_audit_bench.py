"""Offline vulnerability audit: 1,000 pinned packages against 30,000 OSV advisories.

Writes a fixed-seed OSV export (a zip of JSON records, as osv-scanner's offline database is laid
out: PyPI and npm, CVSS vectors, aliases, introduced/fixed/last_affected ranges, some withdrawn),
times ``polaris deps db import`` (indexing once), then the audit of a 1,000-line requirements file,
in-process and as the ``polaris`` command. Beside it, pip-audit on the same requirements: it needs
the OSV or PyPI online service, so where that is unreachable the run records pip-audit's answer and
the comparison is Polaris online (an OSV API on loopback serving the same records) vs offline.

    python benchmarks/deps_audit_bench.py [--advisories 30000] [--packages 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from polaris.dependencies.audit import audit
from polaris.dependencies.manifests import read_file
from polaris.dependencies.osv import OfflineOSV
from polaris.dependencies.osvdb import OsvDatabase

VECTORS = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
    "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
]


def make_export(path: Path, advisories: int, names: list[str], rng: random.Random) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(advisories):
            eco = "npm" if i % 5 == 0 else "PyPI"
            name = rng.choice(names) if eco == "PyPI" else f"js-{rng.randrange(3000)}"
            major = rng.randrange(1, 6)
            events: list[dict[str, str]] = [
                {"introduced": "0" if rng.random() < 0.4 else f"{major}.0.0"}
            ]
            if rng.random() < 0.85:
                events.append({"fixed": f"{major}.{rng.randrange(10)}.{rng.randrange(10)}"})
            else:
                events.append({"last_affected": f"{major}.{rng.randrange(10)}.0"})
            doc = {
                "id": f"PYSEC-2099-{i}" if eco == "PyPI" else f"GHSA-bench-{i:06d}",
                "modified": "2026-01-01T00:00:00Z",
                "aliases": [f"CVE-2099-{i}"],
                "affected": [
                    {
                        "package": {"ecosystem": eco, "name": name},
                        "ranges": [{"type": "ECOSYSTEM", "events": events}],
                    }
                ],
                "severity": [
                    {
                        "type": "CVSS_V4" if "4.0" in (v := rng.choice(VECTORS)) else "CVSS_V3",
                        "score": v,
                    }
                ],
            }
            if rng.random() < 0.01:
                doc["withdrawn"] = "2026-02-01T00:00:00Z"
            z.writestr(f"{doc['id']}.json", json.dumps(doc))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--advisories", type=int, default=30_000)
    ap.add_argument("--packages", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = [f"pkg-{i:05d}" for i in range(6_000)]
    work = Path(tempfile.mkdtemp(prefix="polaris-audit-bench-"))
    try:
        export = work / "all.zip"
        make_export(export, args.advisories, names, rng)
        pins = rng.sample(names, args.packages)
        req = work / "requirements.txt"
        req.write_text(
            "".join(
                f"{n}=={rng.randrange(1, 6)}.{rng.randrange(10)}.{rng.randrange(10)}\n"
                for n in pins
            )
        )
        db = OsvDatabase(work / "osv.sqlite")
        t0 = time.perf_counter()
        imported = db.import_export(export, now=datetime.now(UTC))
        t_import = time.perf_counter() - t0
        deps = read_file(req, display="requirements.txt").dependencies
        times, cpus = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            report = audit(deps, OfflineOSV(db), source_name="offline", threshold="medium")
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        best = min(times)
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "polaris",
                "deps",
                "audit",
                str(req),
                "--offline",
                "--db",
                str(db.path),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        t_cli = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_cli = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        print(f"advisories: {args.advisories} ({imported.imported} imported), pins: {len(deps)}")
        print(f"import (index once): {t_import:.2f} s")
        print(
            f"audit in-process: best {best * 1000:.0f} ms of 5 (CPU {min(cpus) * 1000:.0f} ms), "
            f"findings {len(report.findings)}, failing {len(report.failing)}"
        )
        print(
            f"audit as a command (start-up included): {t_cli:.2f} s (CPU {cpu_cli:.2f} s), "
            f"exit {cli.returncode}; load average {os.getloadavg()[0]:.1f}"
        )
        print(f"goal < 2 s after import: {'met' if t_cli < 2 else 'NOT met'}")
        pip_audit = shutil.which("pip-audit") or str(Path(sys.executable).parent / "pip-audit")
        t0 = time.perf_counter()
        try:
            pa = subprocess.run(
                [
                    pip_audit,
                    "-r",
                    str(req),
                    "--no-deps",
                    "--disable-pip",
                    "-s",
                    "osv",
                    "-f",
                    "json",
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            t_pa = time.perf_counter() - t0
            tail = (pa.stderr.strip().splitlines() or [""])[-1][:160]
            print(f"pip-audit: exit {pa.returncode} after {t_pa:.1f} s: {tail}")
            if pa.returncode in (0, 1) and pa.stdout.strip().startswith("{"):
                print(f"ratio pip-audit / polaris command: {t_pa / t_cli:.1f}x")
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"pip-audit could not run: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
