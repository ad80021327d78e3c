"""The ``process`` deployer: the example platform's service as real local processes.

Each environment gets a proxy on ``port`` (its public address) and two slots, blue on
``port + 1`` and green on ``port + 2``. ``recreate`` stops what runs and starts the new version in
the blue slot; ``blue-green`` starts it in the idle slot (the preview), and ``promote`` switches the
proxy to it, keeping the old slot until ``scale_down``. Processes run in their own session, so
they outlive a restarted Polaris; their ids sit in ``state_dir``. With ``targets_file`` set, the
running slots are written there as Prometheus file-based service discovery.

Options: ``port`` (required), ``command`` (argv template with ``{python}``, ``{root}``,
``{port}``, ``{version}``, ``{env}``, ``{release}``), ``component`` (whose version runs; default
``api``), ``state_dir``, ``targets_file``, ``ready_path`` and ``start_timeout``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import httpx

from polaris.core.errors import InvalidInput, Location
from polaris.deployments.deployers.interface import DeployContext, DeployerError
from polaris.deployments.proxy import write_upstream

__all__ = ["ProcessDeployer", "teardown"]

_DEFAULT_COMMAND: Final = [
    "{python}",
    "{root}/service/app.py",
    "--port",
    "{port}",
    "--version",
    "{version}",
    "--env",
    "{env}",
]
_SLOTS: Final = ("blue", "green")
#: Children started by this process, kept so they are reaped (no zombies, no ResourceWarning).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.02)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


class ProcessDeployer:
    """Runs one component of the release as local processes behind a switching proxy."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        port = options.get("port")
        if not isinstance(port, int) or not 0 < port < 65533:
            raise InvalidInput(
                "the process deployer needs deployer_options.port (an integer)",
                location=Location(field="deployer_options.port"),
            )
        self.port = port
        self.command = list(options.get("command", _DEFAULT_COMMAND))
        self.component = str(options.get("component", "api"))
        self.ready_path = str(options.get("ready_path", "/ready"))
        self.start_timeout = float(options.get("start_timeout", 20))
        self._state_dir = options.get("state_dir")
        self._targets = options.get("targets_file")

    # -- paths and bookkeeping -------------------------------------------------------------------

    def _dir(self, root: Path, env: str) -> Path:
        d = Path(self._state_dir) if self._state_dir else Path(".polaris/run") / env
        d = d if d.is_absolute() else root / d
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _slot_port(self, slot: str) -> int:
        return self.port + 1 + _SLOTS.index(slot)

    @staticmethod
    def _read(d: Path, name: str) -> dict[str, Any]:
        try:
            data = json.loads((d / name).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _write(d: Path, name: str, data: Mapping[str, Any]) -> None:
        tmp = d / f".{name}.tmp"
        tmp.write_text(json.dumps(data))
        os.replace(tmp, d / name)

    def _running(self, d: Path, slot: str) -> dict[str, Any] | None:
        info = self._read(d, f"{slot}.json")
        pid = info.get("pid")
        return info if isinstance(pid, int) and _alive(pid) else None

    def _stop_slot(self, d: Path, slot: str) -> None:
        info = self._read(d, f"{slot}.json")
        if isinstance(info.get("pid"), int):
            _kill(info["pid"])
        with contextlib.suppress(FileNotFoundError):
            (d / f"{slot}.json").unlink()
        self._publish_targets(d)

    def _publish_targets(self, d: Path) -> None:
        if not self._targets:
            return
        path = Path(self._targets)
        groups = []
        for slot in _SLOTS:
            info = self._running(d, slot)
            if info is not None:
                groups.append({"targets": [f"127.0.0.1:{info['port']}"], "labels": {"slot": slot}})
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(groups))
        os.replace(tmp, path)

    def _ensure_proxy(self, d: Path) -> None:
        info = self._read(d, "proxy.json")
        if isinstance(info.get("pid"), int) and _alive(info["pid"]):
            return
        argv = [
            sys.executable,
            "-m",
            "polaris.deployments.proxy",
            "--listen",
            f"127.0.0.1:{self.port}",
            "--upstream-file",
            str(d / "upstream"),
        ]
        with (d / "proxy.log").open("ab") as log:
            proc = self._spawn(argv, log, d)
        self._write(d, "proxy.json", {"pid": proc.pid, "port": self.port})

    @staticmethod
    def _spawn(argv: list[str], log: Any, cwd: Path) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True, cwd=cwd)
        _CHILDREN[proc.pid] = proc
        return proc

    def _start(self, ctx: DeployContext, d: Path, slot: str) -> dict[str, Any]:
        version = ctx.versions.get(self.component)
        if version is None:
            raise DeployerError(
                f"release {ctx.release} pins no version of {self.component!r}",
                location=Location(field="deployer_options.component"),
            )
        port = self._slot_port(slot)
        values = {
            "python": sys.executable,
            "root": str(ctx.root),
            "port": str(port),
            "version": version,
            "env": ctx.environment,
            "release": ctx.release,
        }
        argv = [part.format(**values) for part in self.command]
        try:
            with (d / f"{slot}.log").open("ab") as log:
                proc = self._spawn(argv, log, ctx.root)
        except OSError as exc:
            raise DeployerError(f"cannot start {argv[0]}: {exc.strerror or exc}") from None
        info = {"pid": proc.pid, "port": port, "version": version, "slot": slot}
        self._write(d, f"{slot}.json", info)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _CHILDREN.pop(proc.pid, None)
                self._stop_slot(d, slot)
                raise DeployerError(
                    f"{self.component} {version} exited with code {proc.returncode} at start "
                    f"(log: {d / f'{slot}.log'})"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + self.ready_path, timeout=1).status_code == 200:
                    self._publish_targets(d)
                    return info
            time.sleep(0.05)
        self._stop_slot(d, slot)
        raise DeployerError(
            f"{self.component} {version} was not ready at {url}{self.ready_path} "
            f"within {self.start_timeout:g} s"
        )

    # -- the Deployer protocol -------------------------------------------------------------------

    def deploy(self, ctx: DeployContext) -> dict[str, Any]:
        """Recreate: replace what runs; blue-green: start the preview in the idle slot."""
        d = self._dir(ctx.root, ctx.environment)
        self._ensure_proxy(d)
        active = self._read(d, "active.json").get("slot")
        base = {"url": f"http://127.0.0.1:{self.port}", "state_dir": str(d)}
        if ctx.strategy == "blue-green":
            slot = "green" if active == "blue" else "blue"
            self._stop_slot(d, slot)
            info = self._start(ctx, d, slot)
            return {
                **base,
                "slot": slot,
                "previous_slot": active if active != slot else None,
                "preview_url": f"http://127.0.0.1:{info['port']}",
                "version": info["version"],
            }
        for slot in _SLOTS:
            self._stop_slot(d, slot)
        info = self._start(ctx, d, "blue")
        write_upstream(d / "upstream", info["port"])
        self._write(d, "active.json", {"slot": "blue", "previous": None})
        return {**base, "slot": "blue", "previous_slot": None, "version": info["version"]}

    def promote(self, ctx: DeployContext, state: Mapping[str, Any]) -> dict[str, Any]:
        """Switch the proxy to the new slot (recreate has switched already)."""
        d = Path(state["state_dir"])
        slot = state["slot"]
        write_upstream(d / "upstream", self._slot_port(slot))
        self._write(d, "active.json", {"slot": slot, "previous": state.get("previous_slot")})
        return {**state, "switched": True}

    def switch_back(self, state: Mapping[str, Any]) -> bool:
        """Blue-green rollback: traffic back to the previous slot if it still runs."""
        d = Path(state["state_dir"])
        prev = state.get("previous_slot")
        if not prev or self._running(d, prev) is None:
            return False
        write_upstream(d / "upstream", self._slot_port(prev))
        self._write(d, "active.json", {"slot": prev, "previous": None})
        self._stop_slot(d, state["slot"])
        return True

    def scale_down(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Stop the previous slot."""
        prev = state.get("previous_slot")
        if prev:
            self._stop_slot(Path(state["state_dir"]), prev)
        return {**state, "previous_slot": None}

    def stop(self, state: Mapping[str, Any]) -> None:
        """Stop this deployment's slot (a preview that failed its analysis)."""
        self._stop_slot(Path(state["state_dir"]), state["slot"])


def teardown(state_dir: Path) -> None:
    """Stop every process an environment's ``state_dir`` knows (tests, ``docs`` clean-up)."""
    for name in ("blue.json", "green.json", "proxy.json"):
        try:
            pid = json.loads((state_dir / name).read_text()).get("pid")
        except (OSError, ValueError):
            continue
        if isinstance(pid, int) and _alive(pid):
            _kill(pid)
