"""``polaris api diff|rules``, ``polaris api versions ...`` and ``polaris api clients check``."""

from __future__ import annotations

import enum
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.apis.clients import CompatibilityLevel
from polaris.apis.lifecycle import APIVersion
from polaris.apis.openapi_diff import Change, Impact
from polaris.apis.openapi_rules import RULES
from polaris.apis.versions_file import APIVersionsFile
from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption
from polaris.cli._render import console, emit, err_console, print_json, table, to_jsonable
from polaris.core.errors import InvalidInput, Location

if TYPE_CHECKING:
    from polaris.apis import lifecycle_client
    from polaris.apis import service as apis
    from polaris.apis.service import APIDiff, LifecycleOutcome
else:
    apis = lazy_import("polaris.apis.service")
    lifecycle_client = lazy_import("polaris.apis.lifecycle_client")

__all__ = ["app"]

app = typer.Typer(
    help="API versions: breaking-change detection, lifecycle, client compatibility.",
    no_args_is_help=True,
)
versions_app = typer.Typer(
    help="The API version lifecycle: in the registry, or in a file with --file.",
    no_args_is_help=True,
)
clients_app = typer.Typer(help="Client compatibility (seed 11.2).", no_args_is_help=True)
app.add_typer(versions_app, name="versions")
app.add_typer(clients_app, name="clients")

_STYLE = {"breaking": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


class Format(enum.StrEnum):
    """Output formats of ``api diff``."""

    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"


class FailOn(enum.StrEnum):
    """Thresholds for ``--fail-on``."""

    BREAKING = "breaking"
    HIGH = "high"
    MEDIUM = "medium"


FileOption = Annotated[
    Path,
    typer.Option(
        "--file",
        "-f",
        help="The API versions file (seed 5.1.3 shape).",
        envvar="POLARIS_API_VERSIONS",
    ),
]
_DEFAULT_FILE = Path("api-versions.yml")
VersionsFileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="Use this API versions file (seed 5.1.3 shape) instead of the registry.",
        envvar="POLARIS_API_VERSIONS",
    ),
]
APINameOption = Annotated[
    str,
    typer.Option(
        "--api-name", help="The API whose versions these are (registry).", envvar="POLARIS_API_NAME"
    ),
]
_API = "default"


def _change_json(c: Change) -> dict[str, Any]:
    return {
        "rule": c.rule,
        "change_type": c.change_type.value,
        "impact": c.impact.value,
        "bump": c.bump,
        "operation": c.operation,
        "pointer": c.pointer,
        "message": c.message,
    }


def _diff_json(d: APIDiff) -> dict[str, Any]:
    return {
        "old": d.old,
        "new": d.new,
        "bump": d.report.bump,
        "current": str(d.current) if d.current else None,
        "next": str(d.next) if d.next else None,
        "counts": dict(d.report.counts),
        "changes": [_change_json(c) for c in d.report.changes],
    }


def _summary(d: APIDiff) -> str:
    counts = ", ".join(f"{n} {k}" for k, n in reversed(list(d.report.counts.items())) if n)
    nxt = f" ({d.current} -> {d.next})" if d.current is not None else ""
    return f"required bump: {d.report.bump}{nxt}; {counts or 'no changes'}"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(d: APIDiff) -> str:
    """The diff as a Markdown section, for a pull-request comment."""
    lines = [f"### API changes: `{d.old}` → `{d.new}`", "", f"**{_summary(d)}**", ""]
    if d.report.changes:
        lines += ["| Impact | Rule | Operation | Change | Where |", "|---|---|---|---|---|"]
        for c in d.report.changes:
            mark = "**breaking**" if c.impact is Impact.BREAKING else c.impact.value
            lines.append(
                f"| {mark} | `{c.rule}` | {_cell(c.operation)} | {_cell(c.message)} "
                f"| `{_cell(c.pointer)}` |"
            )
    return "\n".join(lines) + "\n"


def _render_table(d: APIDiff, out: Console) -> None:
    rows = [
        (
            f"[{_STYLE[c.impact.value]}]{c.impact.value}[/]",
            c.rule,
            escape(c.operation or ""),
            escape(c.message),
        )
        for c in d.report.changes
    ]
    if rows:
        out.print(table(None, ("Impact", "Rule", "Operation", "Change"), rows))
    out.print(f"[bold]{_summary(d)}[/]")


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="The old spec or SDL: a file or an http(s) URL.")],
    new: Annotated[str, typer.Argument(help="The new spec or SDL: a file or an http(s) URL.")],
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    as_json: JsonOption = False,
    current: Annotated[
        str | None, typer.Option("--current", help="Current version: print the next one.")
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 1 when a change is at least this severe."),
    ] = None,
    levels: Annotated[
        Path | None,
        typer.Option("--levels", help="Severity overrides: YAML `rule-id: level` (or oasdiff's)."),
    ] = None,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="Validate both specs first.")
    ] = True,
) -> None:
    """Classify every change between two OpenAPI 3.0/3.1 specs (or two GraphQL SDL schemas,
    `.graphql`/`.gql`); say which SemVer bump it needs."""
    result = apis.diff_apis(old, new, levels=levels, current=current, validate=validate)
    if as_json or fmt is Format.JSON:
        print_json(_diff_json(result))
    elif fmt is Format.MARKDOWN:
        typer.echo(render_markdown(result), nl=False)
    else:
        _render_table(result, console)
    if fail_on is not None and result.report.meets(Impact(fail_on.value)):
        raise typer.Exit(1)


@app.command("rules")
def rules(as_json: JsonOption = False) -> None:
    """List every rule id with its change type, default impact and bump."""
    data = [to_jsonable(r) for r in RULES.values()]
    rows = [(r.id, r.change_type.value, r.impact.value, r.bump, r.summary) for r in RULES.values()]
    emit(
        data,
        as_json=as_json,
        human=lambda out: out.print(table(None, ("Rule", "Type", "Impact", "Bump", "Means"), rows)),
    )


# -- lifecycle ---------------------------------------------------------------------------------


def _service(path: Path | None, api_name: str) -> lifecycle_client.Lifecycle:
    """The file with ``--file``, else the registry (``POLARIS_URL`` or the local store)."""
    if path is not None:
        return apis.APIVersionsService(APIVersionsFile(path))
    return lifecycle_client.open_lifecycle(api_name)


def _record_row(v: APIVersion) -> tuple[Any, ...]:
    return (
        v.version,
        v.state.value,
        v.introduced or v.planned_release,
        v.deprecated_on,
        v.retires_on,
        v.replacement,
        v.migration_guide,
    )


def _show_outcomes(outcomes: list[LifecycleOutcome], *, as_json: bool, dry_run: bool) -> None:
    def human(out: Console) -> None:
        verb = "would" if dry_run else "did"
        for o in outcomes:
            out.print(f"[bold]{o.action} {o.version}[/] ({verb} change):")
            for name, before, after in o.changes:
                out.print(f"  {name}: {to_jsonable(before)} -> {to_jsonable(after)}")
            if not o.changes:
                out.print("  nothing")
        if dry_run:
            out.print("[dim]dry run: nothing written[/]")

    data = [to_jsonable(o) for o in outcomes]
    emit(data[0] if len(data) == 1 else data, as_json=as_json, human=human)


@versions_app.command("list")
def versions_list(
    file: VersionsFileOption = None, api_name: APINameOption = _API, as_json: JsonOption = False
) -> None:
    """List API versions and their lifecycle dates."""
    records = _service(file, api_name).versions()
    cols = ("Version", "State", "Introduced", "Deprecated", "Retires", "Use instead", "Guide")
    emit(
        [to_jsonable(v) for v in records],
        as_json=as_json,
        human=lambda out: out.print(table(None, cols, [_record_row(v) for v in records])),
    )


def _date_opt(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        loc = Location(field=name)
        raise InvalidInput(f"{text!r} is not a date", location=loc, hint="YYYY-MM-DD") from None


@versions_app.command("register")
def versions_register(
    version: Annotated[str, typer.Argument(help="The new API version, e.g. v3.")],
    breaking: Annotated[
        list[str] | None, typer.Option("--breaking", help="A breaking change (repeatable).")
    ] = None,
    planned: Annotated[
        str | None, typer.Option("--planned", help="Planned release date (YYYY-MM-DD).")
    ] = None,
    guide: Annotated[str | None, typer.Option("--guide", help="Migration guide URL.")] = None,
    file: VersionsFileOption = None,
    api_name: APINameOption = _API,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Register a new API version (state: development)."""
    outcome = _service(file, api_name).register(
        version,
        breaking_changes=breaking or (),
        planned_release=_date_opt(planned, "--planned"),
        migration_guide=guide,
        dry_run=dry_run,
    )
    _show_outcomes([outcome], as_json=as_json, dry_run=dry_run)


@versions_app.command("activate")
def versions_activate(
    version: Annotated[str, typer.Argument(help="The API version.")],
    file: VersionsFileOption = None,
    api_name: APINameOption = _API,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Make a version in development available (state: active)."""
    outcome = _service(file, api_name).activate(version, dry_run=dry_run)
    _show_outcomes([outcome], as_json=as_json, dry_run=dry_run)


@versions_app.command("deprecate")
def versions_deprecate(
    version: Annotated[str, typer.Argument(help="The API version.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Deprecation date (default: today).")
    ] = None,
    sunset: Annotated[
        str | None, typer.Option("--sunset", help="Retirement date (default: +180 days).")
    ] = None,
    guide: Annotated[str | None, typer.Option("--guide", help="Migration guide URL.")] = None,
    replacement: Annotated[
        str | None, typer.Option("--replacement", help="Version to move to (default: newest).")
    ] = None,
    file: VersionsFileOption = None,
    api_name: APINameOption = _API,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Deprecate an active version; schedules its retirement."""
    outcome = _service(file, api_name).deprecate(
        version,
        on=_date_opt(on, "--on"),
        sunset=_date_opt(sunset, "--sunset"),
        migration_guide=guide,
        replacement=replacement,
        dry_run=dry_run,
    )
    _show_outcomes([outcome], as_json=as_json, dry_run=dry_run)


@versions_app.command("retire")
def versions_retire(
    version: Annotated[str, typer.Argument(help="The API version.")],
    force: Annotated[
        bool, typer.Option("--force", help="Retire before the notice period has run out.")
    ] = False,
    file: VersionsFileOption = None,
    api_name: APINameOption = _API,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Retire a deprecated version (its requests then get 410 Gone)."""
    outcome = _service(file, api_name).retire(version, force=force, dry_run=dry_run)
    _show_outcomes([outcome], as_json=as_json, dry_run=dry_run)


@versions_app.command("policy")
def versions_policy(
    notice_days: Annotated[
        int | None, typer.Option("--notice-days", min=0, help="Least notice before retiring.")
    ] = None,
    retirement_days: Annotated[
        int | None,
        typer.Option("--retirement-days", min=0, help="Default deprecation-to-sunset period."),
    ] = None,
    file: VersionsFileOption = None,
    api_name: APINameOption = _API,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show or change the lifecycle periods (seed 5.1.2 defaults: 90 and 180 days)."""
    out = lifecycle_client.set_policy(
        file, api_name, notice_days=notice_days, retirement_days=retirement_days, dry_run=dry_run
    )

    def human(con: Console) -> None:
        for label, old, new in (
            ("notice", out.before.notice.days, out.after.notice.days),
            ("retirement", out.before.retirement_after.days, out.after.retirement_after.days),
        ):
            con.print(f"{label}: {old} days" + (f" -> {new} days" if new != old else ""))
        if dry_run:
            con.print("[dim]dry run: nothing written[/]")

    emit(out.to_dict(), as_json=as_json, human=human)


@versions_app.command("import")
def versions_import(
    source: Annotated[Path, typer.Argument(help="A YAML file with an api_compatibility_matrix.")],
    file: VersionsFileOption = None,
    api_name: APINameOption = _API,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Import the seed's api_compatibility_matrix YAML into the store."""
    outcomes = _service(file, api_name).import_matrix(source, dry_run=dry_run)
    _show_outcomes(outcomes, as_json=as_json, dry_run=dry_run)


# -- clients -----------------------------------------------------------------------------------

_LEVEL_STYLE = {
    CompatibilityLevel.FULLY: "green",
    CompatibilityLevel.MOSTLY: "yellow",
    CompatibilityLevel.LIMITED: "red",
    CompatibilityLevel.NOT: "bold red",
}


@clients_app.command("check")
def clients_check(
    client: Annotated[str, typer.Argument(help="Client name, e.g. web_ui.")],
    version: Annotated[str, typer.Argument(help="Client version (SemVer).")],
    api: Annotated[str, typer.Option("--api", help="API version, e.g. v2 or 2.1.0.")],
    file: FileOption = _DEFAULT_FILE,
    as_json: JsonOption = False,
) -> None:
    """How well a client version works with an API version."""
    matrix = APIVersionsFile(file).load_clients()
    for warning in matrix.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    result = apis.check_client(matrix, client, version, api)

    def human(out: Console) -> None:
        style = _LEVEL_STYLE[result.level]
        out.print(f"{client} {result.client_version} with API {result.api_version}: "
                  f"[{style}]{result.level.value}[/]")  # fmt: skip
        for issue in result.issues:
            out.print(f"  issue: {issue}")
        for fix in result.workarounds:
            out.print(f"  workaround: {fix}")
        out.print(f"  migration required: {'yes' if result.migration_required else 'no'}")

    emit(result, as_json=as_json, human=human)
