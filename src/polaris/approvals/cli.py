"""``polaris approvals``, ``polaris checklist``, ``polaris pipeline`` and ``polaris ci init``.

Each command makes one call through :mod:`polaris.governance_client` (the server at
``POLARIS_URL``, else the local store as ``POLARIS_USER``) and renders the JSON it gets back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.approvals.ci import write_workflow
from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption
from polaris.cli._render import emit, table

if TYPE_CHECKING:
    from polaris import governance_client as client
else:
    client = lazy_import("polaris.governance_client")

__all__ = ["approvals_app", "checklist_app", "ci_app", "pipeline_app"]

approvals_app = typer.Typer(
    help="Approval requests (seed 12.1): review, decide, override.", no_args_is_help=True
)
checklist_app = typer.Typer(help="Release checklists (seed 8.1.2).", no_args_is_help=True)
pipeline_app = typer.Typer(
    help="Release pipeline stages reported by CI (seed 8.1.1).", no_args_is_help=True
)
ci_app = typer.Typer(help="CI workflows that drive the release pipeline.", no_args_is_help=True)

CommentOption = Annotated[str, typer.Option("--comment", "-m", help="Why.")]


def _request_view(data: dict[str, Any]) -> Callable[[Console], None]:
    def human(c: Console) -> None:
        subj = data["subject"]
        c.print(
            f"[bold]{escape(data['id'])}[/]  {escape(subj['kind'])} {escape(subj['name'])} "
            f"{escape(subj['version'])}  [bold]{data['state']}[/]"
        )
        c.print(f"level: {data['level']} ({escape(data['level_reason'])})")
        c.print(f"state: {escape(data['state_reason'])}")
        if data.get("overridden_by"):
            c.print(
                f"[red]overridden by {escape(data['overridden_by'])}[/]: "
                f"{escape(data['override_reason'] or '')} (flagged for review)"
            )
        rows = [
            [
                r["reviewer"],
                ", ".join(r["roles"]),
                r["decision"],
                r["revision"],
                "yes" if r["dismissed"] else "",
                escape(r["comment"]),
            ]
            for r in data["reviews"]
        ]
        if rows:
            c.print(
                table(
                    "Reviews",
                    ["reviewer", "roles", "decision", "rev", "dismissed", "comment"],
                    rows,
                )
            )
        if data.get("dry_run"):
            c.print("[yellow]dry run: nothing was written[/]")

    return human


@approvals_app.command("list")
def list_requests(
    state: Annotated[
        str | None, typer.Option(help="pending, needs_changes, approved, rejected.")
    ] = None,
    waiting_for: Annotated[
        str | None, typer.Option("--waiting-for", help="Only what USER may still decide.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Approval requests, newest first."""
    data = client.open_governance().call(
        "GET", "/approvals", params={"state": state, "waiting_for": waiting_for}
    )
    rows = [
        [
            r["id"],
            r["subject"]["kind"],
            r["subject"]["name"],
            r["subject"]["version"],
            r["level"],
            r["state"],
            escape(r["state_reason"]),
        ]
        for r in data["items"]
    ]
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            table(None, ["id", "kind", "name", "version", "level", "state", "why"], rows)
        ),
    )


@approvals_app.command("show")
def show(request_id: str, as_json: JsonOption = False) -> None:
    """One request with each reviewer's decision."""
    data = client.open_governance().call("GET", f"/approvals/{request_id}")
    emit(data, as_json=as_json, human=_request_view(data))


@approvals_app.command("request")
def request(
    kind: Annotated[
        str, typer.Argument(help="platform_release, component_release, model_promotion...")
    ],
    name: str,
    version: str,
    level: Annotated[
        str, typer.Option(help="The declared level: patch, minor, major, hotfix.")
    ] = "minor",
    commit_bump: Annotated[str | None, typer.Option(help="The bump the commits call for.")] = None,
    api_breaking: Annotated[
        bool, typer.Option(help="The API diff found breaking changes.")
    ] = False,
    schema_breaking: Annotated[
        bool, typer.Option(help="The schema lint found breaking steps.")
    ] = False,
    change_kind: Annotated[
        list[str] | None, typer.Option(help="bug_fix, security_patch, documentation_update...")
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Open an approval request; the measured impact may raise its level."""
    body = {
        "kind": kind,
        "name": name,
        "version": version,
        "level": level,
        "impact": {
            "commit_bump": commit_bump,
            "api_breaking": api_breaking,
            "schema_breaking": schema_breaking,
            "change_kinds": change_kind or [],
        },
    }
    data = client.open_governance().call("POST", "/approvals", body, dry_run=dry_run)
    emit(data, as_json=as_json, human=_request_view(data))


def _decide(verb: str) -> Callable[..., None]:
    def command(
        request_id: str,
        comment: CommentOption = "",
        dry_run: DryRunOption = False,
        as_json: JsonOption = False,
    ) -> None:
        data = client.open_governance().call(
            "POST", f"/approvals/{request_id}/{verb}", {"comment": comment}, dry_run=dry_run
        )
        emit(data, as_json=as_json, human=_request_view(data))

    command.__doc__ = {
        "approve": "Approve a request as yourself.",
        "reject": "Reject a request (any rejection rejects it).",
        "request-changes": "Send a request back for changes.",
    }[verb]
    return command


for _verb in ("approve", "reject", "request-changes"):
    approvals_app.command(_verb)(_decide(_verb))


@approvals_app.command("override")
def override(
    request_id: str,
    reason: Annotated[str, typer.Option("--reason", help="Why the emergency override (required).")],
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """The emergency override of a hotfix (the override role, e.g. cto)."""
    data = client.open_governance().call(
        "POST", f"/approvals/{request_id}/override", {"reason": reason}, dry_run=dry_run
    )
    emit(data, as_json=as_json, human=_request_view(data))


@approvals_app.command("revise")
def revise(request_id: str, dry_run: DryRunOption = False, as_json: JsonOption = False) -> None:
    """A new revision of the subject: earlier reviews are dismissed."""
    data = client.open_governance().call("POST", f"/approvals/{request_id}/revise", dry_run=dry_run)
    emit(data, as_json=as_json, human=_request_view(data))


@approvals_app.command("matrix")
def matrix(as_json: JsonOption = False) -> None:
    """The approval matrix in force."""
    data = client.open_governance().call("GET", "/approvals/matrix")
    rows = [
        [
            lvl,
            p["required_approvals"],
            ", ".join(p["approvers"]),
            ", ".join(p["additional_reviews"]),
            p["emergency_override"] or "",
        ]
        for lvl, p in data["levels"].items()
    ]
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            table(
                escape(data["source"]),
                ["level", "quorum", "approvers", "reviews", "override"],
                rows,
            )
        ),
    )


# -- checklists --------------------------------------------------------------------------------


def _checklist_view(data: dict[str, Any]) -> Callable[[Console], None]:
    def human(c: Console) -> None:
        rows = [
            [
                i["phase"],
                "[x]" if i["done"] else "[ ]",
                i["key"],
                "required" if i["required"] else "",
                i["ticked_by"] or "",
                escape(i["evidence"] or ""),
            ]
            for i in data["items"]
        ]
        c.print(
            table(
                f"Checklist of {escape(data['release'])}",
                ["phase", "", "item", "", "by", "evidence"],
                [[escape(str(x)) for x in r] for r in rows],
            )
        )
        if data["open_required"]:
            c.print(f"[red]{len(data['open_required'])} required item(s) open[/]")

    return human


@checklist_app.command("show")
def checklist_show(release: str, as_json: JsonOption = False) -> None:
    """A release's checklist; items Polaris can prove are ticked."""
    data = client.open_governance().call("GET", f"/releases/{release}/checklist")
    emit(data, as_json=as_json, human=_checklist_view(data))


@checklist_app.command("tick")
def tick(
    release: str,
    item: str,
    evidence: Annotated[str | None, typer.Option(help="A link to the proof.")] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Tick an item as yourself."""
    data = client.open_governance().call(
        "POST", f"/releases/{release}/checklist/{item}", {"evidence": evidence}, dry_run=dry_run
    )
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(f"ticked {escape(item)} of {escape(release)}"),
    )


@checklist_app.command("untick")
def untick(
    release: str, item: str, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Clear an item."""
    data = client.open_governance().call(
        "DELETE", f"/releases/{release}/checklist/{item}", dry_run=dry_run
    )
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(f"cleared {escape(item)} of {escape(release)}"),
    )


# -- pipeline ----------------------------------------------------------------------------------


@pipeline_app.command("report")
def report(
    release: str,
    stage: Annotated[
        str, typer.Argument(help="prepared, built, images, staging, production, published.")
    ],
    status: Annotated[str, typer.Argument(help="started, passed or failed.")],
    url: Annotated[str | None, typer.Option(help="The CI run's URL.")] = None,
    fact: Annotated[
        list[str] | None,
        typer.Option(help="A fact CI proved (schema_validated, security_scan...)."),
    ] = None,
    override_reason: Annotated[
        str | None, typer.Option(help="Publish with open checklist items (audited).")
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Report a pipeline stage of a release (production needs its approval)."""
    body = {
        "stage": stage,
        "status": status,
        "url": url,
        "facts": fact or [],
        "override_reason": override_reason,
    }
    data = client.open_governance().call(
        "POST", f"/releases/{release}/stages", body, dry_run=dry_run
    )
    emit(data, as_json=as_json, human=lambda c: c.print(f"{escape(release)}: {stage} {status}"))


@pipeline_app.command("show")
def pipeline_show(release: str, as_json: JsonOption = False) -> None:
    """The stages reported for a release."""
    data = client.open_governance().call("GET", f"/releases/{release}/stages")
    rows = [
        [s["stage"], s["status"], s["actor"], s["at"][:19], escape(s["url"] or "")]
        for s in data["items"]
    ]
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            table(f"Pipeline of {escape(release)}", ["stage", "status", "by", "at", "run"], rows)
        ),
    )


@ci_app.command("init")
def ci_init(
    provider: Annotated[str, typer.Argument(help="github or gitlab.")],
    directory: Annotated[Path, typer.Option("--dir", help="The repository root.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing workflow.")] = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write a workflow that drives the release pipeline with polaris commands."""
    path, text = write_workflow(provider, directory, force=force, dry_run=dry_run)
    data = {"path": str(path), "dry_run": dry_run, "content": text}
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(("would write " if dry_run else "wrote ") + escape(str(path))),
    )
