"""Benchmark: a recovery point's overhead over running the backup tools by hand.

Peer/baseline: the same dump commands an operator would run (``pg_dump -Fc``,
``mariadb-dump --single-transaction``, ``redis-cli --rdb``, SQLite's backup API) followed by a
sha256 of the file, and ``pg_restore``/``mariadb``/the backup API to restore it. Polaris adds the
artifact store (hash + fsync + rename), the manifest, the store row and audit entry, and on
restore the re-hash of every part, the emptiness checks and the schema-version read-back.

Each store is filled with ``--rows`` rows (about 120 bytes each) or ``--rows`` Redis keys, one
kind at a time. Redis runs as a private ``redis-server`` with ``repl-diskless-sync-delay 0`` (the
default 5 s delay would dominate both sides equally).

Goal: Polaris within 1.5x of the hand-run tools, backup and restore.

Run: ``python benchmarks/recovery_bench.py [--rows 200000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from polaris.artifacts.store import LocalArtifactStore
from polaris.core.actors import Actor, Role
from polaris.models.service import RegistryService
from polaris.platform.recovery_facts import RegistryFacts
from polaris.recovery.config import load_recovery_config
from polaris.recovery.service import RecoveryService
from polaris.store.migrate import upgrade
from polaris.store.session import Database

ADMIN = Actor("bench", Role.ADMIN)
PG = "postgresql://postgres@127.0.0.1:5432"
MY = "mysql://root@127.0.0.1:3306"


def sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def best(fn: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(*args: str, stdin: Path | None = None) -> None:
    with stdin.open("rb") if stdin else open(os.devnull, "rb") as fh:
        subprocess.run(list(args), check=True, stdin=fh, capture_output=True)


class Kind:
    """One store kind: create source/target, fill, the by-hand commands."""

    def __init__(self, name: str, tmp: Path, rows: int) -> None:
        self.name, self.tmp, self.rows = name, tmp, rows
        self.cleanup: list[Callable[[], None]] = []

    def db(self) -> str:
        name = f"polaris_bench_{uuid.uuid4().hex[:10]}"
        if self.name == "postgresql":
            run("psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{name}"')
            self.cleanup.append(
                lambda: run("psql", f"{PG}/postgres", "-qc", f'DROP DATABASE "{name}" WITH (FORCE)')
            )
            return f"{PG}/{name}"
        if self.name == "mysql":
            run("mariadb", "-h127.0.0.1", "-uroot", "-e", f"CREATE DATABASE `{name}`")
            self.cleanup.append(
                lambda: run("mariadb", "-h127.0.0.1", "-uroot", "-e", f"DROP DATABASE `{name}`")
            )
            return f"{MY}/{name}"
        if self.name == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        return self.redis()

    def redis(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        d = tempfile.mkdtemp(dir=self.tmp)
        proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                d,
                "--save",
                "",
                "--appendonly",
                "no",
                "--repl-diskless-sync-delay",
                "0",
            ],
            stdout=subprocess.DEVNULL,
        )
        self.cleanup.append(proc.terminate)
        import redis

        for _ in range(200):
            try:
                redis.Redis(port=port).ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.02)
        return f"redis://127.0.0.1:{port}/0"

    def fill(self, url: str) -> None:
        n = int(self.rows)  # an int: the SQL below is built from it and nothing else
        if self.name == "postgresql":
            run(
                "psql",
                url,
                "-qc",
                "CREATE TABLE events (id int PRIMARY KEY, service text, message text, value float8);"  # noqa: S608
                f"INSERT INTO events SELECT i, 'svc-' || (i % 50), md5(i::text) || md5((i*7)::text),"
                f" i * 0.5 FROM generate_series(1, {n}) i",
            )
        elif self.name == "mysql":
            db = url.rsplit("/", 1)[1]
            run(
                "mariadb",
                "-h127.0.0.1",
                "-uroot",
                db,
                "-e",
                "CREATE TABLE events (id int PRIMARY KEY, service varchar(20), message varchar(80),"  # noqa: S608
                " value double) ENGINE=InnoDB;"
                f"INSERT INTO events SELECT seq, CONCAT('svc-', seq % 50), CONCAT(md5(seq),"
                f" md5(seq*7)), seq * 0.5 FROM seq_1_to_{n}",
            )
        elif self.name == "sqlite":
            with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as c, c:
                c.execute(
                    "CREATE TABLE events (id INTEGER PRIMARY KEY, service TEXT, message TEXT,"
                    " value REAL)"
                )
                c.executemany(
                    "INSERT INTO events VALUES (?, ?, ?, ?)",
                    (
                        (i, f"svc-{i % 50}", hashlib.sha256(str(i).encode()).hexdigest(), i * 0.5)
                        for i in range(n)
                    ),
                )
        else:
            import redis

            r = redis.Redis.from_url(url)
            pipe = r.pipeline(transaction=False)
            for i in range(n):
                pipe.set(f"event:{i}", hashlib.sha256(str(i).encode()).hexdigest())
                if i % 5000 == 4999:
                    pipe.execute()
            pipe.execute()

    def dump_by_hand(self, url: str, dest: Path) -> None:
        if self.name == "postgresql":
            run("pg_dump", "-Fc", "-f", str(dest), "--dbname", url)
        elif self.name == "mysql":
            run(
                "mariadb-dump",
                "-h127.0.0.1",
                "-uroot",
                "--single-transaction",
                f"--result-file={dest}",
                url.rsplit("/", 1)[1],
            )
        elif self.name == "sqlite":
            with (
                closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as s,
                closing(sqlite3.connect(dest)) as d,
            ):
                s.backup(d)
        else:
            port = url.split(":")[2].split("/", maxsplit=1)[0]
            run("redis-cli", "-p", port, "--rdb", str(dest))
        sha(dest)

    def restore_by_hand(self, dump: Path, url: str) -> None:
        if self.name == "postgresql":
            run("pg_restore", "--single-transaction", "--no-owner", "-d", url, str(dump))
        elif self.name == "mysql":
            run("mariadb", "-h127.0.0.1", "-uroot", url.rsplit("/", 1)[1], stdin=dump)
        elif self.name == "sqlite":
            with (
                closing(sqlite3.connect(dump)) as s,
                closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as d,
            ):
                s.backup(d)
        else:  # by hand: the same key-by-key copy Polaris does, via its tool
            from polaris.recovery.tools.redis import RedisTool

            RedisTool().restore(dump, url, replace=True, details={"db": 0})


def bench_kind(kind: str, rows: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="polaris-bench-") as t:
        tmp = Path(t)
        k = Kind(kind, tmp, rows)
        try:
            src, dst = k.db(), k.db()
            k.fill(src)
            toml = tmp / "polaris.toml"
            toml.write_text(
                f'[recovery]\n[recovery.stores.s]\nkind = "{kind}"\nurl_env = "SRC"\n'
                '[recovery.environments.production]\n[recovery.environments.target]\ns = "DST"\n',
                encoding="utf-8",
            )
            config = load_recovery_config(toml)
            db = Database(f"sqlite+pysqlite:///{tmp / 'polaris.db'}", pool_size=0)
            upgrade(db)
            artifacts = LocalArtifactStore(tmp / "artifacts")
            svc = RecoveryService(
                db,
                artifacts,
                RegistryFacts(RegistryService(db, artifacts)),
                environ={"SRC": src, "DST": dst},
            )
            hand_dump = tmp / "hand.dump"
            by_hand = best(lambda: k.dump_by_hand(src, hand_dump), repeat)
            names: list[str] = []

            def create() -> None:
                names.append(svc.create(config, environment="production", actor=ADMIN)["name"])
                time.sleep(0)  # names are per second; distinct clock seconds come from the runs

            polaris_backup = best(create, repeat, before=lambda: time.sleep(1.0))
            empty = _emptier(kind, dst)
            restore_hand = best(lambda: k.restore_by_hand(hand_dump, dst), repeat, before=empty)
            restore_polaris = best(
                lambda: svc.restore(config, names[-1], environment="target", actor=ADMIN),
                repeat,
                before=empty,
            )
            size = hand_dump.stat().st_size
            db.dispose()
        finally:
            for c in reversed(k.cleanup):
                c()
    return {
        "size": size,
        "hand": by_hand,
        "polaris": polaris_backup,
        "restore_hand": restore_hand,
        "restore_polaris": restore_polaris,
    }


def _emptier(kind: str, url: str) -> Callable[[], None]:
    def empty() -> None:
        if kind == "postgresql":
            run("psql", url, "-qc", "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        elif kind == "mysql":
            run(
                "mariadb",
                "-h127.0.0.1",
                "-uroot",
                url.rsplit("/", 1)[1],
                "-e",
                "DROP TABLE IF EXISTS events",
            )
        elif kind == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            import redis

            redis.Redis.from_url(url).flushdb()

    return empty


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kinds", default="postgresql,mysql,sqlite,redis")
    args = ap.parse_args()
    if not shutil.which("pg_dump"):
        raise SystemExit("pg_dump is not on PATH")
    print(f"{args.rows:,} rows/keys per store, best of {args.repeat}")
    print(
        f"{'kind':<11} {'dump MB':>8} {'by hand s':>10} {'polaris s':>10} {'ratio':>6}"
        f" {'restore hand s':>15} {'restore polaris s':>18} {'ratio':>6}"
    )
    for kind in args.kinds.split(","):
        r = bench_kind(kind, args.rows, args.repeat)
        print(
            f"{kind:<11} {r['size'] / 1e6:>8.1f} {r['hand']:>10.2f} {r['polaris']:>10.2f}"
            f" {r['polaris'] / r['hand']:>5.2f}x {r['restore_hand']:>15.2f}"
            f" {r['restore_polaris']:>18.2f} {r['restore_polaris'] / r['restore_hand']:>5.2f}x"
        )


if __name__ == "__main__":
    main()
