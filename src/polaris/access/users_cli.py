"""``polaris users add|list|show|roles``: people and the governance roles whose approval counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from polaris.cli._lazy import lazy_import
from polaris.cli._options import DryRunOption, JsonOption
from polaris.cli._render import emit, table

if TYPE_CHECKING:
    from polaris import governance_client as client
else:
    client = lazy_import("polaris.governance_client")

__all__ = ["users_app"]

users_app = typer.Typer(
    help="People and their roles (whose approval counts).", no_args_is_help=True
)

RoleOption = Annotated[
    list[str] | None, typer.Option("--role", "-r", help="A role (repeatable), e.g. tech_lead.")
]


def _rows(items: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [u["name"], ", ".join(u["roles"]), u["email"], "yes" if u["active"] else "no"]
        for u in items
    ]


def _show(data: dict[str, Any]) -> Callable[[Console], None]:
    def human(c: Console) -> None:
        c.print(table(None, ["name", "roles", "e-mail", "active"], _rows([data])))
        if data.get("dry_run"):
            c.print("[yellow]dry run: nothing was written[/]")

    return human


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The user's name (their token is named the same).")],
    role: RoleOption = None,
    email: Annotated[str, typer.Option(help="Where e-mail notifications go.")] = "",
    display_name: Annotated[str, typer.Option(help="Full name.")] = "",
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a user with roles (admin)."""
    body = {"name": name, "roles": role or [], "email": email, "display_name": display_name}
    data = client.open_governance().call("POST", "/users", body, dry_run=dry_run)
    emit(data, as_json=as_json, human=_show(data))


@users_app.command("list")
def list_users(as_json: JsonOption = False) -> None:
    """Every user and their roles."""
    data = client.open_governance().call("GET", "/users")
    emit(
        data,
        as_json=as_json,
        human=lambda c: c.print(
            table(None, ["name", "roles", "e-mail", "active"], _rows(data["items"]))
        ),
    )


@users_app.command("show")
def show(name: str, as_json: JsonOption = False) -> None:
    """One user."""
    data = client.open_governance().call("GET", f"/users/{name}")
    emit(data, as_json=as_json, human=_show(data))


@users_app.command("roles")
def roles(
    name: Annotated[str | None, typer.Argument(help="Set this user's roles (with --role).")] = None,
    role: RoleOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """List the roles users may hold, or replace one user's roles."""
    gov = client.open_governance()
    if name is None:
        data = gov.call("GET", "/users/roles")
        emit(
            data,
            as_json=as_json,
            human=lambda c: c.print("\n".join(escape(r) for r in data["items"])),
        )
        return
    data = gov.call("PUT", f"/users/{name}/roles", {"roles": role or []}, dry_run=dry_run)
    emit(data, as_json=as_json, human=_show(data))
