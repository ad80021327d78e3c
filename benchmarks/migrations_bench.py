"""Apply and roll back 500 migrations: Polaris vs yoyo-migrations vs Alembic vs the raw SQL floor.

Each migration is a CREATE TABLE plus an INSERT; its rollback a DROP TABLE. Every tool runs the same
SQL on a fresh SQLite file and a fresh PostgreSQL schema:

- floor:   the SQL run directly through the driver, one transaction per migration, no bookkeeping;
- polaris: ``SchemaService.up()`` then ``down(to="0")``, from 500 files in the seed's format,
           tracking table, checksums and the session lock included;
- yoyo:    ``apply_migrations`` / ``rollback_migrations`` over 500 ``.sql`` + ``.rollback.sql``;
- alembic: ``command.upgrade(head)`` / ``downgrade(base)`` over 500 ``op.execute`` revisions,
           ``transaction_per_migration=True``.

On SQLite, Polaris holds the database's write lock for the whole run (``BEGIN IMMEDIATE``) and runs
each migration in a SAVEPOINT: per-migration atomicity with a single commit. The floor commits once
per migration; ``floor-1tx`` (all in one transaction) is printed beside it for a like-for-like view.

Polaris also runs the same 500 migrations laid out as golang-migrate, Flyway, goose and dbmate
projects lay them out (read in place, ``format = ...``): ``polaris-<format>`` rows.

Usage: python benchmarks/migrations_bench.py [--count 500] [--repeat 1] [--only sqlite|postgresql]
       [--skip-peers]
PostgreSQL: BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test); skipped if absent.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from polaris.migrations.service import SchemaService
from polaris.project.databases import DatabaseSpec

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def up_sql(i: int) -> list[str]:
    return [
        f"CREATE TABLE bench_{i} (id INTEGER PRIMARY KEY, name VARCHAR(50))",
        f"INSERT INTO bench_{i} (id, name) VALUES (1, 'row {i}')",  # noqa: S608 - fixed text
    ]


def down_sql(i: int) -> list[str]:
    return [f"DROP TABLE bench_{i}"]


# -- writing each tool's migrations ---------------------------------------------------------------
def write_polaris(d: Path, n: int) -> None:
    d.mkdir(parents=True)
    for i in range(1, n + 1):
        (d / f"{i:04d}_bench_{i}.sql").write_text(
            f"-- Migration: {i:04d}\n-- Description: bench {i}\n-- Dependencies: none\n"
            "-- Up Migration:\n"
            + ";\n".join(up_sql(i))
            + ";\n-- Down Migration (Rollback):\n"
            + ";\n".join(down_sql(i))
            + ";\n",
            encoding="utf-8",
        )


def write_layout(fmt: str, d: Path, n: int) -> None:
    """The same migrations in another tool's layout."""
    d.mkdir(parents=True)
    for i in range(1, n + 1):
        up = "".join(f"{s};\n" for s in up_sql(i))
        down = "".join(f"{s};\n" for s in down_sql(i))
        if fmt == "golang-migrate":
            (d / f"{i:06d}_bench_{i}.up.sql").write_text(up)
            (d / f"{i:06d}_bench_{i}.down.sql").write_text(down)
        elif fmt == "flyway":
            (d / f"V1_{i}__bench_{i}.sql").write_text(up)
            (d / f"U1_{i}__bench_{i}.sql").write_text(down)
        elif fmt == "goose":
            (d / f"{i:05d}_bench_{i}.sql").write_text(f"-- +goose Up\n{up}-- +goose Down\n{down}")
        elif fmt == "dbmate":
            (d / f"{20260000000000 + i}_bench_{i}.sql").write_text(
                f"-- migrate:up\n{up}\n-- migrate:down\n{down}"
            )


FORMATS = ("golang-migrate", "flyway", "goose", "dbmate")


def write_yoyo(d: Path, n: int) -> None:
    d.mkdir(parents=True)
    for i in range(1, n + 1):
        dep = f"-- depends: {i - 1:04d}_bench\n" if i > 1 else ""
        (d / f"{i:04d}_bench.sql").write_text(dep + ";\n".join(up_sql(i)) + ";\n")
        (d / f"{i:04d}_bench.rollback.sql").write_text(";\n".join(down_sql(i)) + ";\n")


_ENV_PY = """
from alembic import context
from sqlalchemy import create_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
schema = config.get_main_option("bench_schema")
args = {"options": f"-csearch_path={schema}"} if schema else {}
engine = create_engine(url, connect_args=args)
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
"""


def write_alembic(d: Path, n: int) -> None:
    (d / "versions").mkdir(parents=True)
    (d / "env.py").write_text(_ENV_PY)
    for i in range(1, n + 1):
        down_rev = f'"r{i - 1:04d}"' if i > 1 else "None"
        ups = "\n".join(f"    op.execute({s!r})" for s in up_sql(i))
        downs = "\n".join(f"    op.execute({s!r})" for s in down_sql(i))
        (d / "versions" / f"r{i:04d}.py").write_text(
            f'from alembic import op\n\nrevision = "r{i:04d}"\ndown_revision = {down_rev}\n'
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{ups}\n\n\ndef downgrade():\n{downs}\n"
        )


# -- runners: each returns (apply seconds, rollback seconds) ---------------------------------------
def floor_sqlite(path: Path, n: int, one_tx: bool = False) -> tuple[float, float]:
    conn = sqlite3.connect(path, isolation_level=None)

    def run(batches: list[list[str]]) -> float:
        t0 = time.perf_counter()
        if one_tx:
            conn.execute("BEGIN")
        for stmts in batches:
            if not one_tx:
                conn.execute("BEGIN")
            for s in stmts:
                conn.execute(s)
            if not one_tx:
                conn.execute("COMMIT")
        if one_tx:
            conn.execute("COMMIT")
        return time.perf_counter() - t0

    up = run([up_sql(i) for i in range(1, n + 1)])
    down = run([down_sql(i) for i in range(n, 0, -1)])
    conn.close()
    return up, down


def floor_pg(url: str, schema: str, n: int) -> tuple[float, float]:
    with psycopg.connect(url, autocommit=True, options=f"-csearch_path={schema}") as conn:

        def run(batches: list[list[str]]) -> float:
            t0 = time.perf_counter()
            for stmts in batches:
                with conn.transaction():
                    for s in stmts:
                        conn.execute(s.encode())
            return time.perf_counter() - t0

        up = run([up_sql(i) for i in range(1, n + 1)])
        down = run([down_sql(i) for i in range(n, 0, -1)])
    return up, down


def polaris(dialect: str, url: str, work: Path, n: int, fmt: str = "seed") -> tuple[float, float]:
    d = work / f"polaris-{fmt}"
    if fmt == "seed":
        write_polaris(d, n)
    else:
        write_layout(fmt, d, n)
    spec = DatabaseSpec("bench", dialect, "BENCH_URL", str(d), format=fmt)  # type: ignore[arg-type]
    service = SchemaService([spec], environ={"BENCH_URL": url}, actor="bench")
    t0 = time.perf_counter()
    report = service.up()
    up = time.perf_counter() - t0
    assert report.ok, report.error
    assert len(report.steps) == n
    t0 = time.perf_counter()
    back = service.down(to="0")
    down = time.perf_counter() - t0
    assert back.ok, back.error
    assert len(back.steps) == n
    return up, down


def yoyo(url: str, work: Path, n: int) -> tuple[float, float]:
    from yoyo import get_backend, read_migrations

    d = work / "yoyo"
    write_yoyo(d, n)
    t0 = time.perf_counter()
    backend = get_backend(url)
    migrations = read_migrations(str(d))
    with backend.lock():
        backend.apply_migrations(backend.to_apply(migrations))
    up = time.perf_counter() - t0
    t0 = time.perf_counter()
    with backend.lock():
        backend.rollback_migrations(backend.to_rollback(migrations))
    down = time.perf_counter() - t0
    backend.connection.close()
    return up, down


def alembic(url: str, schema: str | None, work: Path, n: int) -> tuple[float, float]:
    from alembic import command
    from alembic.config import Config

    d = work / "alembic"
    write_alembic(d, n)
    cfg = Config()
    cfg.set_main_option("script_location", str(d))
    cfg.set_main_option("sqlalchemy.url", url)
    if schema:
        cfg.set_main_option("bench_schema", schema)
    t0 = time.perf_counter()
    command.upgrade(cfg, "head")
    up = time.perf_counter() - t0
    t0 = time.perf_counter()
    command.downgrade(cfg, "base")
    down = time.perf_counter() - t0
    return up, down


# -- driver ----------------------------------------------------------------------------------------
PEERS = True


def bench_sqlite(n: int) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        out["floor"] = floor_sqlite(root / "floor.db", n)
        out["floor-1tx"] = floor_sqlite(root / "floor1.db", n, one_tx=True)
        out["polaris"] = polaris("sqlite", f"sqlite:///{root / 'polaris.db'}", root, n)
        for fmt in FORMATS:
            url = f"sqlite:///{root / f'polaris-{fmt}.db'}"
            out[f"polaris-{fmt}"] = polaris("sqlite", url, root, n, fmt)
        if PEERS:
            out["yoyo"] = yoyo(f"sqlite:///{root / 'yoyo.db'}", root, n)
            out["alembic"] = alembic(f"sqlite:///{root / 'alembic.db'}", None, root, n)
    return out


def bench_pg(n: int) -> dict[str, tuple[float, float]] | None:
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        print(f"PostgreSQL skipped: {exc}")
        return None
    keys = ("floor", "polaris", "yoyo", "alem", *(f.replace("-", "_") for f in FORMATS))
    schemas = {k: f"bench_{k}_{uuid.uuid4().hex[:8]}" for k in keys}
    for s in schemas.values():
        admin.execute(f"CREATE SCHEMA {s}".encode())
    sep = "&" if "?" in PG_URL else "?"
    out: dict[str, tuple[float, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            out["floor"] = floor_pg(PG_URL, schemas["floor"], n)
            pol_url = f"{PG_URL}{sep}options=-csearch_path%3D{schemas['polaris']}"
            out["polaris"] = polaris("postgresql", pol_url, root, n)
            for fmt in FORMATS:
                schema = schemas[fmt.replace("-", "_")]
                fmt_url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
                out[f"polaris-{fmt}"] = polaris("postgresql", fmt_url, root, n, fmt)
            if not PEERS:
                return out
            yoyo_url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
            out["yoyo"] = yoyo(f"{yoyo_url}{sep}schema={schemas['yoyo']}", root, n)
            alembic_url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
            out["alembic"] = alembic(alembic_url, schemas["alem"], root, n)
    finally:
        for s in schemas.values():
            admin.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE".encode())
        admin.close()
    return out


def best(runs: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    return {k: (min(r[k][0] for r in runs), min(r[k][1] for r in runs)) for k in runs[0]}


def report(title: str, results: dict[str, tuple[float, float]], n: int) -> None:
    floor = sum(results["floor"])
    print(f"\n{title}: {n} migrations applied then rolled back (seconds, best of runs)")
    print(f"{'tool':<22} {'apply':>8} {'rollback':>9} {'total':>8} {'x floor':>8}")
    for tool, (up, down) in results.items():
        total = up + down
        print(f"{tool:<22} {up:8.2f} {down:9.2f} {total:8.2f} {total / floor:8.2f}")
    pol = sum(results["polaris"])
    peers = {k: sum(results[k]) / pol for k in ("yoyo", "alembic") if k in results}
    if peers:
        print("polaris speed-up: " + ", ".join(f"{v:.1f}x vs {k}" for k, v in peers.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--skip-peers", action="store_true", help="Polaris and the floor only.")
    args = parser.parse_args()
    global PEERS  # noqa: PLW0603 - a flag of this script
    PEERS = not args.skip_peers
    benches: list[tuple[str, Callable[[int], dict[str, tuple[float, float]] | None]]] = [
        ("SQLite", bench_sqlite),
        ("PostgreSQL", bench_pg),
    ]
    for title, fn in benches:
        if args.only and title.lower() != args.only:
            continue
        runs = [r for r in (fn(args.count) for _ in range(args.repeat)) if r is not None]
        if runs:
            report(title, best(runs), args.count)


if __name__ == "__main__":
    main()
