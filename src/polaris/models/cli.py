"""The ``polaris models``, ``token``, ``store``, ``platform`` and ``gc`` commands.

Each command parses its options, makes one backend call (the server at ``POLARIS_URL`` with
``POLARIS_TOKEN``, else the local store) and renders the JSON it gets back, so the output is the
same either way; ``--json`` prints that JSON as is. Every command that writes takes ``--dry-run``:
the same checks (the promotion gate too), the same answer marked ``"dry_run": true``, nothing
written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption
from polaris.cli._render import emit, table
from polaris.cli._resources import close_all, on_close
from polaris.core.errors import InvalidInput, InvalidVersion, Location
from polaris.core.semver import Version
from polaris.models.naming import ModelVersionName
from polaris.models.rules import Stage, check_artifact_name

if TYPE_CHECKING:
    from polaris import client as client_mod
    from polaris.client import Client
    from polaris.store import admin as store_admin
else:
    # The client (and, locally, the in-process server) pulls in httpx, FastAPI and SQLAlchemy:
    # load them only when a command needs them.
    client_mod = lazy_import("polaris.client")
    store_admin = lazy_import("polaris.store.admin")

__all__ = ["gc", "models_app", "platform_app", "store_app", "token_app"]

models_app = typer.Typer(help="Register, promote and fetch model versions.", no_args_is_help=True)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
store_app = typer.Typer(help="Manage Polaris's own database.", no_args_is_help=True)
platform_app = typer.Typer(help="Platform releases (seed 2.1).", no_args_is_help=True)

_STAGES = tuple(str(s) for s in Stage)


def _backend() -> Client:
    """The API client for this command: ``POLARIS_URL`` if set, else the local store in-process.

    Closed when the command returns (or when the next command in the same process starts).
    """
    close_all()
    client = client_mod.Client.from_settings()
    on_close(client.close)
    return client


def _pairs(items: list[str] | None, field: str, *, numeric: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(
                f"{item!r} is not KEY=VALUE", location=Location(field=field), hint=f"--{field} k=v"
            )
        if numeric:
            try:
                out[key.strip()] = float(value)
            except ValueError:
                raise InvalidInput(
                    f"{item!r}: {value!r} is not a number", location=Location(field=field)
                ) from None
        else:
            try:
                out[key.strip()] = json.loads(value)
            except ValueError:
                out[key.strip()] = value
    return out


def _target(name: str, version: str | None) -> tuple[str, str]:
    """``NAME VERSION``, or one seed 4.1.1 string ``NAME-vX.Y.Z[-STAGE][+METADATA]``."""
    if version is not None:
        return name, version
    mvn = ModelVersionName.parse(name, location=Location(field="MODEL_VERSION"))
    return mvn.name, str(mvn.version)


def _is_version(text: str) -> bool:
    try:
        Version.parse(text)
    except InvalidVersion:
        return False
    return True


_NAME_ARG = typer.Argument(help="Model name, or NAME-vX.Y.Z (e.g. rag-search-v1.3.2).")
_VERSION_ARG = typer.Argument(help="Version, e.g. 1.3.2; omitted with NAME-vX.Y.Z.")
NameArg = Annotated[str, _NAME_ARG]
VersionArg = Annotated[str | None, _VERSION_ARG]


def _version_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            v["model_version_name"],
            v["stage"],
            ", ".join(f"{k}={val:g}" for k, val in sorted(v["metrics"].items())),
            ", ".join(v["tags"]),
            v["created_at"][:19],
            v["created_by"],
        ]
        for v in items
    ]


_VERSION_COLUMNS = ("model version", "stage", "metrics", "tags", "created", "by")


def _show_version(con: Console, v: dict[str, Any]) -> None:
    con.print(f"[bold]{escape(v['model_version_name'])}[/]  ({v['stage']})  id {v['model_id']}")
    for key in ("created_at", "created_by", "model_path", "training_data_hash", "parent_version"):
        con.print(f"  {key}: {v[key] if v[key] not in (None, '') else '-'}")
    con.print(f"  description: {v['description'] or '-'}")
    con.print(f"  tags: {', '.join(v['tags']) or '-'}")
    con.print(f"  metrics: {json.dumps(v['metrics'], sort_keys=True)}")
    con.print(f"  hyperparameters: {json.dumps(v['hyperparameters'], sort_keys=True)}")
    con.print(f"  dependencies: {', '.join(v['dependencies']) or '-'}")
    for f in v["files"]:
        con.print(f"  file {f['name']}  {f['size']} bytes  sha256 {f['sha256']}")


# -- models -----------------------------------------------------------------------------------


@models_app.command("register")
def register(
    name: Annotated[str, typer.Argument(help="Model name, e.g. rag-search.")],
    version: Annotated[
        str | None, typer.Option("--version", "-v", help="Explicit version.")
    ] = None,
    bump: Annotated[
        str | None, typer.Option("--bump", help="Bump the latest: major|minor|patch|prerelease.")
    ] = None,
    pre: Annotated[str | None, typer.Option("--pre", help="Prerelease channel for --bump.")] = None,
    file: Annotated[list[Path] | None, typer.Option("--file", "-f", help="Model file.")] = None,
    model_path: Annotated[str | None, typer.Option("--model-path", help="Model URI.")] = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="NAME=NUMBER.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="Hyperparameter K=V.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
    dep: Annotated[list[str] | None, typer.Option("--dep", help="Requirement line.")] = None,
    description: Annotated[str, typer.Option("--description", "-m")] = "",
    parent: Annotated[str | None, typer.Option("--parent", help="Parent version.")] = None,
    data_hash: Annotated[str, typer.Option("--data-hash", help="Training data hash.")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Register a model version (uploading its files first); 409 if it exists."""
    if bump not in (None, "major", "minor", "patch", "prerelease", "release"):
        raise InvalidInput(f"unknown bump part {bump!r}", location=Location(field="bump"))
    paths = list(file or [])
    for p in paths:
        check_artifact_name(p.name)
        if not p.is_file():
            raise InvalidInput(f"{p}: no such file", location=Location(file=str(p), field="file"))
    payload: dict[str, Any] = {
        "version": version,
        "bump": bump,
        "pre": pre,
        "model_path": model_path,
        "metrics": _pairs(metric, "metric", numeric=True),
        "hyperparameters": _pairs(param, "param", numeric=False),
        "training_data_hash": data_hash,
        "dependencies": list(dep or []),
        "description": description,
        "tags": list(tag or []),
        "parent_version": parent,
    }
    result = _backend().register(name, payload, paths, dry_run=dry_run)
    verb = "would register" if dry_run else "registered"
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(
            f"{verb} {result['model_name']} {result['version']} ({result['stage']}), "
            f"id {result['model_id']}"
        ),
    )


@models_app.command("list")
def list_(
    name: Annotated[str | None, typer.Argument(help="Only this model's versions.")] = None,
    stage: Annotated[str | None, typer.Option("--stage")] = None,
    tag: Annotated[str | None, typer.Option("--tag")] = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="e.g. accuracy>=0.9")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    cursor: Annotated[str | None, typer.Option("--cursor", help="next_cursor of a page.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List models (no arguments) or a page of versions matching the filters."""
    backend = _backend()
    if name is None and stage is None and tag is None and not metric and cursor is None:
        models = backend.models()
        rows = [
            [m["name"], m["versions"], m["latest"] or "-"]
            + [m["stages"].get(s, "-") for s in _STAGES]
            for m in models
        ]
        emit(
            models,
            as_json=as_json,
            human=lambda c: c.print(
                table("Models", ("model", "versions", "latest", *_STAGES), rows)
            ),
        )
        return
    page = backend.versions(
        {
            "name": name,
            "stage": stage,
            "tag": tag,
            "metric": list(metric or []),
            "limit": limit,
            "cursor": cursor,
        }
    )

    def human(c: Console) -> None:
        c.print(table("Model versions", _VERSION_COLUMNS, _version_rows(page["items"])))
        if page["next_cursor"]:
            c.print(f"more: --cursor {page['next_cursor']}")

    emit(page, as_json=as_json, human=human)


@models_app.command("show")
def show(
    name: NameArg,
    version: VersionArg = None,
    history: Annotated[bool, typer.Option("--history", help="Add the stage history.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show one version (every seed 4.1.2 field): NAME VERSION or NAME-vX.Y.Z."""
    name, version = _target(name, version)
    backend = _backend()
    v = backend.version(name, version)
    data: dict[str, Any] = {**v, "history": backend.history(name, version)} if history else v

    def human(c: Console) -> None:
        _show_version(c, v)
        for h in data.get("history", []):
            c.print(
                f"  {h['at'][:19]}  {h['from_stage'] or '-'} -> {h['to_stage']}  by {h['actor']}"
                + (f"  ({h['reason']})" if h["reason"] else "")
            )

    emit(data, as_json=as_json, human=human)


def _stage(
    name: str,
    version: str,
    target: str,
    *,
    reason: str,
    criteria: list[str],
    validation: dict[str, Any],
    rollback_to: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    result = _backend().stage(
        name,
        version,
        {
            "stage": target,
            "reason": reason,
            "criteria": criteria,
            "validation": validation,
            "rollback_to": rollback_to,
        },
        dry_run=dry_run,
    )
    lead = "would move " if dry_run else ""

    def human(c: Console) -> None:
        for ch in result["changes"]:
            c.print(
                f"{lead}{ch['model_name']} {ch['version']}: {ch['from_stage']} -> {ch['to_stage']}"
            )
            for g in ch["gate_results"]:
                c.print(f"  gate {g['threshold']}: {g['actual']} passed")

    emit(result, as_json=as_json, human=human)


@models_app.command("promote")
def promote(
    name: NameArg,
    to: Annotated[str, typer.Option("--to", help="staging | production | archived")],
    version: VersionArg = None,
    require: Annotated[
        list[str] | None, typer.Option("--require", help="Gate, e.g. accuracy>=0.92.")
    ] = None,
    validation: Annotated[
        list[str] | None, typer.Option("--validation", help="Validation result K=V.")
    ] = None,
    rollback_to: Annotated[str | None, typer.Option("--rollback-to")] = None,
    reason: Annotated[str, typer.Option("--reason")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Move a version to another stage; the gate says which metric failed and by how much."""
    name, version = _target(name, version)
    if to not in _STAGES:
        raise InvalidInput(
            f"unknown stage {to!r}",
            location=Location(field="to"),
            hint="one of " + ", ".join(_STAGES),
        )
    _stage(
        name,
        version,
        to,
        reason=reason,
        criteria=list(require or []),
        validation=_pairs(validation, "validation", numeric=False),
        rollback_to=rollback_to,
        dry_run=dry_run,
        as_json=as_json,
    )


@models_app.command("archive")
def archive(
    name: NameArg,
    version: VersionArg = None,
    reason: Annotated[str, typer.Option("--reason")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Archive a version: NAME VERSION or NAME-vX.Y.Z."""
    name, version = _target(name, version)
    _stage(
        name,
        version,
        "archived",
        reason=reason,
        criteria=[],
        validation={},
        rollback_to=None,
        dry_run=dry_run,
        as_json=as_json,
    )


@models_app.command("delete")
def delete(
    name: NameArg,
    version: VersionArg = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a development version: NAME VERSION or NAME-vX.Y.Z."""
    name, version = _target(name, version)
    result = _backend().delete(name, version, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    emit(result, as_json=as_json, human=lambda c: c.print(f"{verb} {name} {result['version']}"))


@models_app.command("download")
def download(
    name: NameArg,
    version: VersionArg = None,
    filename: Annotated[str | None, typer.Argument(help="One file; default all.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory.")] = Path(),
    as_json: JsonOption = False,
) -> None:
    """Download a version's files, verified against their sha256.

    NAME VERSION [FILE] or NAME-vX.Y.Z [FILE].
    """
    if (
        version is not None
        and filename is None
        and not _is_version(version)
        and ModelVersionName.is_valid(name)
    ):
        version, filename = None, version
    name, version = _target(name, version)
    backend = _backend()
    v = backend.version(name, version)
    names = [f["name"] for f in v["files"]] if filename is None else [filename]
    written: list[str] = []
    for fname in names:
        check_artifact_name(fname)
        dest = output / fname
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        with tmp.open("wb") as fh:
            backend.download(name, version, fname, fh)
        tmp.replace(dest)
        written.append(str(dest))

    def human(c: Console) -> None:
        for w in written:
            c.print(f"wrote {w}")

    emit({"files": written}, as_json=as_json, human=human)


@models_app.command("export")
def export(
    name: NameArg,
    version: VersionArg = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="tar.gz path.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the tar.gz package: files, metadata.json, requirements.txt, MODEL_CARD.md."""
    name, version = _target(name, version)
    dest = output or Path(f"{name}-{version}.tar.gz")
    tmp = dest.with_name(dest.name + ".part")
    with tmp.open("wb") as fh:
        _backend().export(name, version, fh)
    tmp.replace(dest)
    emit({"path": str(dest)}, as_json=as_json, human=lambda c: c.print(f"wrote {dest}"))


@models_app.command("lineage")
def lineage(name: NameArg, version: VersionArg = None, as_json: JsonOption = False) -> None:
    """The chain of parent versions, with their training-data hashes."""
    name, version = _target(name, version)
    chain = _backend().lineage(name, version)
    rows = [
        [v["version"], v["stage"], v["training_data_hash"] or "-", v["created_at"][:19]]
        for v in chain
    ]
    emit(
        chain,
        as_json=as_json,
        human=lambda c: c.print(
            table(
                f"Lineage of {name} {version}",
                ("version", "stage", "training data", "created"),
                rows,
            )
        ),
    )


@models_app.command("history")
def history(
    name: Annotated[str, typer.Argument(help="Model name, or NAME-vX.Y.Z for one version.")],
    at: Annotated[
        str | None, typer.Option("--at", help="ISO date/time: what was in production then?")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Stage history of a model (or of one version, NAME-vX.Y.Z), or the production version at a
    date (``--at``)."""
    version: str | None = None
    if ModelVersionName.is_valid(name):
        name, version = _target(name, None)
    backend = _backend()
    if at is not None:
        result = backend.production(name, at)
        emit(
            result,
            as_json=as_json,
            human=lambda c: c.print(
                f"{name} in production at {result['at']}: {result['version'] or 'none'}"
            ),
        )
        return
    items = backend.history(name, version)
    rows = [
        [h["at"][:19], h["version"], h["from_stage"] or "-", h["to_stage"], h["actor"], h["reason"]]
        for h in items
    ]
    emit(
        items,
        as_json=as_json,
        human=lambda c: c.print(
            table(f"Stage history of {name}", ("at", "version", "from", "to", "by", "reason"), rows)
        ),
    )


# -- tokens -----------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="viewer | developer | approver | admin")],
    name: Annotated[str, typer.Option("--name", help="Who or what uses it.")] = "cli",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Create a token; it is printed this once and stored only as a hash."""
    result = _backend().token_create(name, role, dry_run=dry_run)
    if dry_run:
        emit(
            result,
            as_json=as_json,
            human=lambda c: c.print(
                f"would create a {result['role']} token for {result['name']} (none was created)"
            ),
        )
        return
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(
            f"token {result['id']} ({result['role']}) for {result['name']}:\n{result['token']}\n"
            "Store it now: it is not shown again."
        ),
    )


@token_app.command("list")
def token_list(as_json: JsonOption = False) -> None:
    """List token records (never the tokens)."""
    items = _backend().token_list()
    rows = [
        [
            t["id"],
            t["name"],
            t["role"],
            t["prefix"] + "...",
            t["created_at"][:19],
            t["revoked_at"] or "-",
        ]
        for t in items
    ]
    emit(
        items,
        as_json=as_json,
        human=lambda c: c.print(
            table("Tokens", ("id", "name", "role", "prefix", "created", "revoked"), rows)
        ),
    )


@token_app.command("revoke")
def token_revoke(token_id: int, dry_run: DryRunOption = False, as_json: JsonOption = False) -> None:
    """Revoke a token."""
    result = _backend().token_revoke(token_id, dry_run=dry_run)
    verb = "would revoke" if dry_run else "revoked"
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(f"{verb} token {token_id} ({result['role']}, {result['name']})"),
    )


# -- store, platform, gc ----------------------------------------------------------------------


@store_app.command("upgrade")
def store_upgrade(dry_run: DryRunOption = False, as_json: JsonOption = False) -> None:
    """Apply Polaris's schema migrations to the configured database (idempotent)."""
    if dry_run:
        plan = {**store_admin.pending(), "dry_run": True}

        def human(c: Console) -> None:
            if not plan["pending"]:
                c.print(f"store schema already at {plan['after']}; nothing to apply")
                return
            c.print(f"store schema: {plan['before'] or 'empty'} -> {plan['after']} would apply:")
            for r in plan["pending"]:
                c.print(f"  {r['revision']}  {r['message']}")

        emit(plan, as_json=as_json, human=human)
        return
    before, after = store_admin.upgrade_store()
    data = {"before": before, "after": after}
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            f"store schema: {before or 'empty'} -> {after}"
            if before != after
            else f"store schema already at {after}"
        ),
    )


@store_app.command("status")
def store_status_cmd(as_json: JsonOption = False) -> None:
    """Show the database, the artifact store and the schema revision (current and shipped)."""
    data = store_admin.status()
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            f"database: {data['database']}\nartifacts: {data['artifacts']}\n"
            f"schema: {data['current'] or 'empty'} (this Polaris ships {data['head']})"
        ),
    )


@platform_app.command("show")
def platform_show(as_json: JsonOption = False) -> None:
    """The platform tree: the latest release's components and every model's stages."""
    data = _backend().platform()

    def human(c: Console) -> None:
        rel = data["release"]
        if rel is None:
            c.print("no platform release yet")
        else:
            c.print(f"[bold]Platform v{rel['version']}[/]")
            for comp in rel["components"]:
                c.print(f"  {comp['kind']:<8} {comp['name']} v{comp['version']}")
        rows = [
            [m["name"], m["latest"] or "-"] + [m["stages"].get(s, "-") for s in _STAGES]
            for m in data["models"]
        ]
        c.print(table("Models", ("model", "latest", *_STAGES), rows))

    emit(data, as_json=as_json, human=human)


@platform_app.command("release")
def platform_release(
    version: str,
    component: Annotated[
        list[str],
        typer.Option("--component", "-c", help="[KIND/]NAME=VERSION, e.g. model/ner=1.1.0."),
    ],
    notes: Annotated[str, typer.Option("--notes")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a platform release pinning component and model versions."""
    pins = []
    for item in component:
        left, sep, ver = item.partition("=")
        if not sep:
            raise InvalidInput(
                f"{item!r} is not [KIND/]NAME=VERSION", location=Location(field="component")
            )
        kind, _, cname = left.rpartition("/")
        pins.append({"name": cname, "kind": kind or "service", "version": ver})
    result = _backend().release(
        {"version": version, "notes": notes, "components": pins}, dry_run=dry_run
    )
    lead = "would record " if dry_run else ""
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(
            f"{lead}platform release {result['version']}: {len(result['components'])} components"
        ),
    )


def gc(dry_run: DryRunOption = False, as_json: JsonOption = False) -> None:
    """Apply retention: development versions after 30 days, archived after 2 years."""
    report = _backend().gc(dry_run=dry_run)

    def human(c: Console) -> None:
        verb = "would remove" if report["dry_run"] else "removed"
        for v in report["versions"]:
            c.print(f"{verb} {v['name']} {v['version']} ({v['stage']})")
        c.print(f"{verb} {len(report['versions'])} versions, {len(report['blobs'])} blobs")

    emit(report, as_json=as_json, human=human)
