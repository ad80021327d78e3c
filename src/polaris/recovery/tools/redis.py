"""Redis through an RDB snapshot (``redis-cli --rdb``), restored key by key.

Backup asks the server for a snapshot the way a replica does (``redis-cli --rdb FILE``): a
point-in-time copy of every database of the instance, taken without stopping it.

Restore starts a throwaway ``redis-server`` on a free loopback port with that RDB file, then copies
every key of the backed-up database number into the target with ``DUMP``/``RESTORE ... REPLACE``,
keeping each key's remaining TTL. This works into any reachable Redis (one Polaris does not run,
a managed one) without replacing its files or restarting it; replacing first empties the target
database (``FLUSHDB``). It needs ``redis-server`` on the machine running Polaris.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final

from polaris.recovery.tools._urls import ServerUrl
from polaris.recovery.tools.interface import BackupFailed, require_program, run_tool

__all__ = ["RedisTool"]

_EXAMPLE: Final = "redis://[:password@]host:6379/0"
_BATCH: Final = 500


def _parse(url: str) -> ServerUrl:
    return ServerUrl.parse(url, kind="Redis", schemes=("redis", "rediss"), example=_EXAMPLE)


def _db(server: ServerUrl) -> int:
    text = server.database or "0"
    if not text.isdigit():
        raise BackupFailed(f"the Redis URL names database {text!r}; expected a number like /0")
    return int(text)


def _client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _scratch_server(rdb: Path | None) -> Iterator[int]:
    """A ``redis-server`` on a free loopback port loaded from ``rdb``; stopped afterwards."""
    import redis

    program = require_program("redis", "redis-server")
    with tempfile.TemporaryDirectory(prefix="polaris-redis-") as tmp:
        if rdb is not None:
            shutil.copyfile(rdb, Path(tmp) / "dump.rdb")
        port = _free_port()
        log = Path(tmp) / "redis.log"
        proc = subprocess.Popen(
            [
                program,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                tmp,
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(log),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    text = log.read_text(errors="replace") if log.exists() else ""
                    lines = [ln for ln in text.splitlines() if ln.strip()]
                    raise BackupFailed(
                        "a scratch redis-server could not load the RDB file: "
                        + (lines[-1] if lines else f"exit status {proc.returncode}")
                    )
                try:
                    if redis.Redis(port=port, socket_connect_timeout=1).ping():
                        break
                except redis.exceptions.BusyLoadingError:
                    pass
                except redis.exceptions.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise BackupFailed("a scratch redis-server did not start within 30 s")
                time.sleep(0.02)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
                proc.kill()
                proc.wait()


class RedisTool:
    """``redis-cli --rdb`` / a scratch ``redis-server`` and ``DUMP``/``RESTORE``."""

    kind: ClassVar[str] = "redis"
    tested: ClassVar[bool] = True

    def check(self) -> None:
        """``redis-cli`` (backup) and ``redis-server`` (restore, verify) must be on PATH."""
        require_program(self.kind, "redis-cli")
        require_program(self.kind, "redis-server")

    def backup(self, url: str, dest: Path) -> dict[str, Any]:
        """An RDB snapshot of the instance; the details name the database number of ``url``."""
        server = _parse(url)
        cli = require_program(self.kind, "redis-cli")
        args = [cli, "-h", server.host, "-p", str(server.port or 6379)]
        if server.user:
            args += ["--user", server.user]
        if server.scheme == "rediss":
            args.append("--tls")
        run_tool(
            [*args, "--rdb", str(dest)],
            what=f"redis-cli --rdb from {server.without_password()}",
            env={"REDISCLI_AUTH": server.password} if server.password else {},
        )
        keys = int(_client(url).dbsize())
        return {"format": "rdb", "db": _db(server), "keys_at_backup": keys}

    def restore(self, dump: Path, url: str, *, replace: bool, details: Mapping[str, Any]) -> None:
        """Copy every key of the backed-up database into ``url``'s database, TTLs kept."""
        import redis

        source_db = int(details.get("db", 0))
        target = _client(url)
        with _scratch_server(dump) as port:
            source = redis.Redis(port=port, db=source_db, socket_timeout=30)
            if replace:
                target.flushdb()
            batch: list[bytes] = []
            for key in source.scan_iter(count=_BATCH):
                batch.append(key)
                if len(batch) >= _BATCH:
                    _copy(source, target, batch)
                    batch = []
            if batch:
                _copy(source, target, batch)

    def is_empty(self, url: str) -> bool:
        """``DBSIZE`` is 0."""
        return int(_client(url).dbsize()) == 0

    @contextmanager
    def scratch(self, url: str) -> Iterator[str]:
        """An empty throwaway ``redis-server`` on a free loopback port (same database number)."""
        db = _db(_parse(url))
        with _scratch_server(None) as port:
            yield f"redis://127.0.0.1:{port}/{db}"

    def summary(self, url: str) -> dict[str, Any]:
        """``{"keys": n}`` in the URL's database."""
        return {"keys": int(_client(url).dbsize())}


def _copy(source: Any, target: Any, keys: list[bytes]) -> None:
    read = source.pipeline(transaction=False)
    for key in keys:
        read.dump(key)
        read.pttl(key)
    values = read.execute()
    write = target.pipeline(transaction=False)
    for i, key in enumerate(keys):
        data, ttl = values[2 * i], values[2 * i + 1]
        if data is None:  # expired between SCAN and DUMP
            continue
        write.restore(key, max(int(ttl), 0), data, replace=True)
    try:
        write.execute()
    except Exception as exc:
        raise BackupFailed(f"Redis restore failed: {exc}") from None
