"""``polaris recovery``: take, list, show, verify, restore and prune recovery points (seed 10.2.1).

With ``POLARIS_URL`` set, commands go to that server (``POLARIS_TOKEN``), which runs the backup
tools. Otherwise they run on this machine against Polaris's store (``POLARIS_DATABASE_URL``/
``POLARIS_HOME``) and artifact store, with the backup tools on ``PATH``, the OS user acting as
admin. Stores come from ``[databases]`` and ``[recovery]`` in ``polaris.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._render import emit, table
from polaris.core.errors import CheckFailed

if TYPE_CHECKING:
    from polaris.recovery import _backend as backends
    from polaris.recovery._backend import Backend
else:
    # The local store pulls in SQLAlchemy and Alembic: load it only when a command runs.
    backends = lazy_import("polaris.recovery._backend")

__all__ = ["app"]

app = typer.Typer(
    name="recovery",
    help="Recovery points: backups of every store with a manifest (create, verify, restore).",
    no_args_is_help=True,
)

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment (its stores' URLs).")]
NameArg = Annotated[str, typer.Argument(help="Recovery point: recovery-YYYYMMDD-HHMMSS.")]


def _backend(project: Path | None = None) -> Backend:
    return backends.open_backend(project)


def _e(value: Any) -> str:
    return escape("-" if value is None or value == "" else str(value))


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _print_point(c: Console, data: dict[str, Any]) -> None:
    m = data.get("manifest", data)
    dry = " (dry run: nothing backed up)" if data.get("dry_run") else ""
    c.print(f"[bold]{_e(m.get('recovery_point_id', data.get('name')))}[/]{dry}")
    c.print(f"  environment: {_e(m.get('environment'))}   release: {_e(m.get('release'))}")
    c.print(f"  created: {_e(m.get('created_at'))} by {_e(m.get('created_by'))}")
    if m.get("reason"):
        c.print(f"  reason: {_e(m['reason'])}")
    comps = m.get("component_versions") or {}
    if comps:
        c.print("  components: " + _e(", ".join(f"{k} {v}" for k, v in sorted(comps.items()))))
    for model, stages in sorted((m.get("models") or {}).items()):
        c.print(f"  model {_e(model)}: " + _e(", ".join(f"{s}={v}" for s, v in stages.items())))
    hashes = m.get("config_hashes")
    c.print(f"  config hashes: {'not recorded' if hashes is None else _e(len(hashes))}")
    if "stores" in data and data.get("dry_run"):
        planned = [
            (_e(s["store"]), s["kind"], _e(s["source"]), _e(s["tool"])) for s in data["stores"]
        ]
        c.print(table(None, ["store", "kind", "source", "tool"], planned))
        return
    rows = [
        (
            _e(store),
            p["kind"],
            _e(p.get("schema_version")),
            _size(int(p["size"])),
            p["sha256"][:16],
            _e(p.get("source")),
        )
        for store, p in (m.get("parts") or {}).items()
    ]
    c.print(table(None, ["store", "kind", "schema", "size", "sha256", "source"], rows))


@app.command("create")
def create(
    env: EnvOption,
    release: Annotated[
        str | None, typer.Option("--release", help="Platform release (default: the newest).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", "-m", help="Why it is taken.")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Back up every store of an environment and record a recovery point."""
    data = _backend(project).create(env, release, reason, dry_run)
    emit(data, as_json=as_json, human=lambda c: _print_point(c, data))


@app.command("list")
def list_points(
    env: Annotated[str | None, typer.Option("--env", "-e", help="Only this environment.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Recovery points, newest first."""
    points = _backend().points(env)
    rows = [
        (
            p["name"],
            _e(p["environment"]),
            _e(p["release"]),
            _size(p["size"]),
            ", ".join(x["store"] for x in p["parts"]),
            _e(p["created_by"]),
            _e(p["reason"]),
        )
        for p in points
    ]

    def human(c: Console) -> None:
        if not rows:
            c.print("no recovery points")
            return
        t = table(None, ["name", "env", "release", "size", "stores", "by", "reason"], rows)
        t.columns[0].no_wrap = True  # the name is what the other commands take
        c.print(t)

    emit(points, as_json=as_json, human=human)


@app.command("show")
def show(name: NameArg, as_json: JsonOption = False) -> None:
    """One recovery point and its manifest (re-hashed on read)."""
    data = _backend().show(name)
    emit(data, as_json=as_json, human=lambda c: _print_point(c, data))


@app.command("verify")
def verify(
    name: NameArg,
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="Where scratch copies go (default: its own).")
    ] = None,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Re-hash every part, then restore each into a scratch database and check it."""
    report = _backend(project).verify(name, env)

    def human(c: Console) -> None:
        rows = [
            (
                _e(p["store"]),
                p["kind"],
                "ok" if p["ok"] else "FAILED",
                _e(_summary(p.get("summary"))),
                _e(p.get("schema_version")),
                _e(p.get("problem")),
            )
            for p in report["parts"]
        ]
        if rows:
            c.print(
                table(f"{name}", ["store", "kind", "restore", "holds", "schema", "problem"], rows)
            )
        c.print(f"{name}: {'verified' if report['ok'] else 'NOT restorable'}")

    emit(report, as_json=as_json, human=human)
    if not report["ok"]:
        raise CheckFailed(
            f"recovery point {name} failed verification: " + "; ".join(report["problems"])
        )


def _summary(summary: dict[str, Any] | None) -> str:
    if not summary:
        return ""
    if "tables" in summary:
        return f"{len(summary['tables'])} tables"
    if "keys" in summary:
        return f"{summary['keys']} keys"
    return ", ".join(f"{k}={v}" for k, v in summary.items())


@app.command("restore")
def restore(
    name: NameArg,
    env: EnvOption,
    store: Annotated[
        list[str] | None, typer.Option("--store", "-s", help="Only this store (repeatable).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite non-empty targets (default: refuse).")
    ] = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Restore a recovery point into an environment's stores, schema versions included."""
    data = _backend(project).restore(name, env, store or [], replace, dry_run)

    def human(c: Console) -> None:
        verb = "would restore" if data.get("dry_run") else "restored"
        for s in data["stores"]:
            holds = _summary(s.get("summary"))
            c.print(
                f"{verb} {_e(s['store'])} ({s['kind']}) into {_e(s['target'])}"
                f"  schema {_e(s.get('schema_version'))}{'  ' + holds if holds else ''}"
            )

    emit(data, as_json=as_json, human=human)


@app.command("prune")
def prune(
    keep: Annotated[
        int | None, typer.Option("--keep", help="Points kept per environment ([recovery] keep).")
    ] = None,
    max_age_days: Annotated[
        float | None, typer.Option("--max-age-days", help="Delete older points (0: no limit).")
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Apply retention: keep the newest N per environment, drop points past the maximum age."""
    data = _backend(project).prune(keep, max_age_days, dry_run)

    def human(c: Console) -> None:
        verb = "would delete" if data.get("dry_run") else "deleted"
        for d in data["deleted"]:
            c.print(f"{verb} {d['name']} ({_e(d['environment'])}): {_e(d['reason'])}")
        if not data["deleted"]:
            c.print("nothing to prune")

    emit(data, as_json=as_json, human=human)
