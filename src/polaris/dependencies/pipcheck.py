"""Ask pip's own resolver whether a set of requirements installs (``pip install --dry-run``).

Runs ``python -m pip install --dry-run --ignore-installed --report`` in a scratch directory, so
nothing is installed and the current environment's packages do not count. With an explicit index
URL pip's configuration files are ignored (``PIP_CONFIG_FILE=/dev/null``), so only that index is
asked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from polaris.core.errors import CouldNotCheck

__all__ = ["InstallCheck", "check_install"]


@dataclass(frozen=True, slots=True)
class InstallCheck:
    """What pip said: whether it resolved, what it would install, and the conflict lines."""

    ok: bool
    installs: dict[str, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


def check_install(
    requirements: str, *, index_url: str | None, timeout: float = 300
) -> InstallCheck:
    """Resolve ``requirements`` (requirements-file text) with pip; never installs anything.

    :raises CouldNotCheck: pip could not be run, or timed out.
    """
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="polaris-pip-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text(requirements, encoding="utf-8")
        report = Path(tmp) / "report.json"
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--quiet",
            "--report",
            str(report),
            "-r",
            str(req),
        ]
        if index_url:
            cmd += ["--index-url", index_url]
            env["PIP_CONFIG_FILE"] = os.devnull
            for var in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_INDEX_URL"):
                env.pop(var, None)
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CouldNotCheck(f"pip could not check the install: {type(exc).__name__}") from None
        if proc.returncode == 0 and report.exists():
            doc = json.loads(report.read_text(encoding="utf-8"))
            installs = {
                item["metadata"]["name"]: item["metadata"]["version"]
                for item in doc.get("install", [])
            }
            return InstallCheck(True, installs)
    lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
    keep = [
        ln
        for ln in lines
        if "conflict" in ln.lower()
        or "depends on" in ln.lower()
        or "requested" in ln.lower()
        or "could not find" in ln.lower()
    ]
    if not keep and any("connection" in ln.lower() or "network" in ln.lower() for ln in lines):
        raise CouldNotCheck("pip could not reach the index: " + lines[-1][:200])
    return InstallCheck(False, {}, keep or lines[-5:])
