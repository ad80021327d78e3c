"""``polaris config ...``: configuration versions per environment (seed 7.1).

File commands (validate, lint, render, flags, flag-set) read the working tree through the
repository's ``[configs]`` layout; record commands (snapshot, list, show, history, promote,
rollback, drift) use the local store as the OS user. ``diff`` compares any two of: a recorded
hash, an environment's newest record, a file.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._options import DryRunOption, JsonOption, ProjectOption
from polaris.cli._render import console, emit, err_console, table
from polaris.cli._resources import on_close
from polaris.configs import records
from polaris.configs.layout import ConfigLayout, find_layout
from polaris.configs.lint import Severity, flags_of
from polaris.configs.rules import classify, diff, redact
from polaris.configs.service import ConfigService, PromotionOutcome, SnapshotInput
from polaris.configs.workspace import Workspace
from polaris.configs.writer import render_text, set_flag, write_private
from polaris.core.actors import Actor, Role
from polaris.core.errors import CheckFailed, InvalidInput
from polaris.settings import Settings
from polaris.store.migrate import upgrade
from polaris.store.session import Database

__all__ = ["app"]

app = typer.Typer(
    help="Configuration versions per environment: snapshot, diff, lint, promote, roll back.",
    no_args_is_help=True,
)

EnvOption = Annotated[str | None, typer.Option("--env", "-e", help="One environment only.")]
VersionOption = Annotated[
    str | None,
    typer.Option("--version", help="Platform version directory (default: the newest)."),
]


def _layout(project: Path | None) -> ConfigLayout:
    return find_layout(project)


def _service(layout: ConfigLayout | None = None) -> ConfigService:
    """The config service over the local store, closed when the command returns."""
    settings = Settings()
    db = Database(settings.resolved_database_url, pool_size=0)
    on_close(db.dispose)
    if settings.auto_migrate:
        upgrade(db)
    return ConfigService(db, max_bytes=layout.max_bytes if layout else 8 * 1024 * 1024)


def _actor() -> Actor:
    return Actor(name=getpass.getuser(), role=Role.ADMIN)


@app.command("snapshot")
def snapshot(
    env: EnvOption = None,
    version: VersionOption = None,
    message: Annotated[str, typer.Option("--message", "-m", help="Why.")] = "",
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Validate the configuration files and record a version per environment (idempotent)."""
    layout = _layout(project)
    configs = Workspace(layout).read(version, env)
    items = [
        SnapshotInput(c.environment, c.version, c.doc.path, c.doc.format, c.doc.text)
        for c in configs
    ]
    outcomes = _service(layout).snapshot(items, actor=_actor(), message=message, dry_run=dry_run)
    data = [
        {**records.version_to_dict(o.version), "created": o.created, "written": not dry_run}
        for o in outcomes
    ]

    def human(c: Console) -> None:
        for o in outcomes:
            v = o.version
            what = "new" if o.created else "unchanged"
            verb = "would record" if dry_run and o.created else "recorded"
            c.print(f"{verb} {escape(v.environment)} {v.hash} ({what}) {escape(v.source)}")

    emit(data, as_json=as_json, human=human)


def _versions_table(versions: list[records.ConfigVersion]) -> Any:
    rows = [
        (
            v.hash,
            v.environment,
            v.platform_version,
            v.author,
            v.created_at.isoformat(timespec="seconds"),
            escape(v.message),
        )
        for v in versions
    ]
    return table(None, ["hash", "env", "version", "author", "at", "message"], rows)


@app.command("list")
def list_(env: EnvOption = None, as_json: JsonOption = False) -> None:
    """Recorded versions (newest first) and what each environment expects."""
    svc = _service()
    versions = svc.versions(env)
    expected = svc.expected()
    data = {
        "versions": [records.version_to_dict(v) for v in versions],
        "expected": {e: records.deployment_to_dict(d) for e, d in expected.items()},
    }

    def human(c: Console) -> None:
        c.print(_versions_table(versions))
        for e, d in expected.items():
            c.print(f"{escape(e)} expects {d.version.hash} ({d.action} by {escape(d.actor)})")

    emit(data, as_json=as_json, human=human)


@app.command("history")
def history(env: Annotated[str, typer.Option("--env", "-e")], as_json: JsonOption = False) -> None:
    """One environment's recorded versions and its promotions and rollbacks."""
    svc = _service()
    versions, deps = svc.versions(env), svc.deployments(env)
    data = {
        "versions": [records.version_to_dict(v) for v in versions],
        "deployments": [records.deployment_to_dict(d) for d in deps],
    }

    def human(c: Console) -> None:
        c.print(_versions_table(versions))
        rows = [
            (
                d.at.isoformat(timespec="seconds"),
                d.action,
                d.version.hash,
                d.from_environment or "",
                escape(d.actor),
                escape(d.reason),
            )
            for d in deps
        ]
        c.print(table("deployments", ["at", "action", "hash", "from", "actor", "reason"], rows))

    emit(data, as_json=as_json, human=human)


def _redacted(data: Any, path: tuple[str | int, ...] = ()) -> Any:
    if isinstance(data, dict):
        return {k: _redacted(v, (*path, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [_redacted(v, (*path, i)) for i, v in enumerate(data)]
    return redact(path, data)


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="A hash (6+ hex digits).")],
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """One recorded version: metadata and content (references as written, secrets masked)."""
    v = _service().get(ref, env)
    data = {**records.version_to_dict(v), "content": _redacted(v.content)}

    def human(c: Console) -> None:
        c.print(f"{v.hash} {escape(v.environment)} {escape(v.platform_version)} {escape(v.source)}")
        c.print(escape(json.dumps(data["content"], indent=2)))

    emit(data, as_json=as_json, human=human)


def _side(
    spec: str, layout: ConfigLayout | None, svc: ConfigService | None
) -> tuple[str, str, Any]:
    """``(label, environment, content)`` of a diff side: a file, an environment, or a hash."""
    path = Path(spec)
    if path.is_file():
        lay = layout or find_layout(path.parent)
        env = next((e for e in lay.environments if path.stem == e), path.stem)
        doc = Workspace(lay).load_path(path, env)
        return f"{spec} ({doc.hash.short})", env, doc.doc.data
    service = svc or _service()
    if layout is not None and spec in layout.environments:
        v = service.latest(spec)
    else:
        try:
            v = service.get(spec)
        except InvalidInput:
            v = service.latest(spec)
    return f"{v.environment}@{v.hash}", v.environment, v.content


@app.command("diff")
def diff_cmd(
    a: Annotated[
        str, typer.Argument(help="A hash, an environment (its newest record), or a file.")
    ],
    b: Annotated[str, typer.Argument(help="The same, compared against A.")],
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Structural diff with key paths, and the bump the change needs (patch; major if breaking)."""
    layout: ConfigLayout | None
    try:
        layout = _layout(project)
    except InvalidInput:
        layout = None
    la, _, da = _side(a, layout, None)
    lb, env_b, db = _side(b, layout, None)
    changes = diff(da, db)
    schema = Workspace(layout).schema(env_b) if layout is not None else None
    bump, breaking = classify(changes, None if schema is None else schema.schema)
    data = {
        "a": la,
        "b": lb,
        "bump": bump.value,
        "changes": [records.change_to_dict(c) for c in changes],
        "breaking": [c.where for c in breaking],
    }

    def human(c: Console) -> None:
        c.print(f"--- {escape(la)}\n+++ {escape(lb)}")
        for ch in changes:
            c.print(escape(ch.describe()))
        c.print(f"{len(changes)} change(s); bump: {bump.value}")

    emit(data, as_json=as_json, human=human)


@app.command("validate")
def validate(
    env: EnvOption = None,
    version: VersionOption = None,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the files against their JSON Schema (draft 2020-12): file, line and key path."""
    ws = Workspace(_layout(project))
    configs = ws.read(version, env, validate=False)
    problems = ws.problems(configs)
    data = {
        "files": [c.doc.path for c in configs],
        "problems": [
            {"file": p.file, "line": p.line, "path": p.path, "message": p.message} for p in problems
        ],
    }

    def human(c: Console) -> None:
        for p in problems:
            c.print(escape(p.one_line()))

    emit(data, as_json=as_json, human=human)
    if problems:
        raise CheckFailed(f"{len(problems)} schema problem(s) in {len(configs)} file(s)")
    if not as_json:
        console.print(f"{len(configs)} file(s) valid")


@app.command("lint")
def lint_cmd(
    version: VersionOption = None,
    check_refs: Annotated[
        bool, typer.Option("--check-refs", help="Also check every reference has a value here.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    project: ProjectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plaintext secrets, random-looking literals, references, must-match values, flag types."""
    findings = Workspace(_layout(project)).lint(version, check_references=check_refs)
    data = [records.finding_to_dict(f) for f in findings]

    def human(c: Console) -> None:
        for f in findings:
            where = f"{f.environment}: {f.path}" if f.path else f.environment
            c.print(escape(f"{f.severity.value}: {where}: {f.message} [{f.rule}]"))

    emit(data, as_json=as_json, human=human)
    failing = [f for f in findings if strict or f.severity is Severity.ERROR]
    if failing:
        raise CheckFailed(f"{len(failing)} lint problem(s)", hint="see above; secrets go in ${...}")
    if not as_json:
        console.print("no lint problems")


@app.command("render")
def render(
    env: Annotated[str, typer.Option("--env", "-e")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write (mode 0600), or - for stdout.")
    ],
    version: VersionOption = None,
    fmt: Annotated[str, typer.Option("--format", help="json or yaml.")] = "json",
    project: ProjectOption = None,
) -> None:
    """Resolve the references of one environment for a deployment (values never recorded)."""
    layout = _layout(project)
    config, resolved = Workspace(layout).render(layout.check_environment(env), version)
    text = render_text(resolved, fmt)
    if output == "-":
        typer.echo(text, nl=False)
        return
    write_private(Path(output), text)
    err_console.print(f"rendered {escape(env)} {config.hash.short} to {escape(output)}")


def _outcome(o: PromotionOutcome, as_json: bool) -> None:
    d = o.deployment
    data = {
        **records.deployment_to_dict(d),
        "previous": None if o.previous is None else o.previous.hash,
        "written": o.written,
    }

    def human(c: Console) -> None:
        before = o.previous.hash if o.previous else "nothing"
        verb = "now expects" if o.written else "would expect"
        c.print(f"{escape(d.environment)} {verb} {d.version.hash} (was {before}; {d.action})")

    emit(data, as_json=as_json, human=human)


@app.command("promote")
def promote(
    to: Annotated[str, typer.Option("--to", help="Environment to promote into.")],
    from_: Annotated[str | None, typer.Option("--from", help="Environment promoted from.")] = None,
    version: VersionOption = None,
    reason: Annotated[str, typer.Option("--reason")] = "",
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Make an environment expect its recorded config at the version the source runs."""
    layout = _layout(project)
    layout.check_environment(to)
    out = _service(layout).promote(
        to,
        actor=_actor(),
        from_environment=from_,
        platform_version=version,
        order=layout.environments,
        must_match=layout.must_match,
        reason=reason,
        dry_run=dry_run,
    )
    _outcome(out, as_json)


@app.command("rollback")
def rollback(
    env: Annotated[str, typer.Option("--env", "-e")],
    to: Annotated[str, typer.Option("--to", help="Hash of an earlier recorded config of env.")],
    reason: Annotated[str, typer.Option("--reason")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Make an environment expect an earlier recorded configuration again."""
    _outcome(_service().rollback(env, to, actor=_actor(), reason=reason, dry_run=dry_run), as_json)


@app.command("drift")
def drift(
    env: Annotated[str, typer.Option("--env", "-e")],
    url: Annotated[str, typer.Option("--url", help="The service's readiness URL (JSON body).")],
    field: Annotated[
        str, typer.Option("--field", help="Body field with the hash.")
    ] = "config_hash",
    as_json: JsonOption = False,
) -> None:
    """Compare the hash a running service reports with the one its environment expects."""
    from polaris.configs.probe import reported_hash

    result = _service().drift(env, reported_hash(url, field))
    emit(
        records.drift_to_dict(result),
        as_json=as_json,
        human=lambda c: c.print(escape(f"{env}: {result.reason}")),
    )
    if result.drifted:
        raise CheckFailed(f"{env} drifted: {result.reason}")


@app.command("flags")
def flags(
    version: VersionOption = None, project: ProjectOption = None, as_json: JsonOption = False
) -> None:
    """Feature flags (``feature_flags:``) across environments, with their types."""
    layout = _layout(project)
    configs = Workspace(layout).read(version, validate=False)
    per_env = {c.environment: flags_of(c.doc.data) for c in configs}
    names = sorted({n for f in per_env.values() for n in f})
    data = {n: {e: f.get(n) for e, f in per_env.items() if n in f} for n in names}

    def human(c: Console) -> None:
        rows = [
            (n, *(json.dumps(per_env[e][n]) if n in per_env[e] else "-" for e in per_env))
            for n in names
        ]
        c.print(table(None, ["flag", *per_env], rows))

    emit(data, as_json=as_json, human=human)


@app.command("flag-set")
def flag_set(
    name: Annotated[str, typer.Argument()],
    value: Annotated[str, typer.Argument(help="A YAML scalar: true, 3, 0.5, text.")],
    env: Annotated[str, typer.Option("--env", "-e")],
    version: VersionOption = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Set one flag in one environment's file, keeping comments and key order."""
    layout = _layout(project)
    (file,) = layout.select(version, layout.check_environment(env))
    before, after = set_flag(file.path, layout.root, name, value, dry_run=dry_run)
    verb = "would set" if dry_run else "set"
    console.print(
        escape(f"{verb} {env} feature_flags.{name}: {json.dumps(before)} -> {json.dumps(after)}")
    )
