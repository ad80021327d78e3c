"""``/api/v1/users``: people and their governance roles (admins write)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from polaris.access.users_wire import RolesIn, UserIn
from polaris.http.deps import AdminActor, ReadActor, ServicesDep
from polaris.http.responses import ok

__all__ = ["router"]

router = APIRouter(tags=["governance"])


@router.get("/users")
def list_users(services: ServicesDep, actor: ReadActor) -> Response:
    """Every user with their roles."""
    return ok({"items": [u.to_dict() for u in services.governance.users.list()]})


@router.get("/users/roles")
def roles(services: ServicesDep, actor: ReadActor) -> Response:
    """The roles users may hold."""
    return ok({"items": services.governance.users.roles()})


@router.get("/users/{name}")
def show(name: str, services: ServicesDep, actor: ReadActor) -> Response:
    """One user."""
    return ok(services.governance.users.get(name).to_dict())


@router.post("/users", status_code=201)
def add(body: UserIn, services: ServicesDep, actor: AdminActor, dry_run: bool = False) -> Response:
    """Add a user."""
    user = services.governance.users.add(
        body.name,
        body.roles,
        actor=actor,
        email=body.email,
        display_name=body.display_name,
        dry_run=dry_run,
    )
    return ok(
        {**user.to_dict(), "dry_run": True} if dry_run else user.to_dict(), 200 if dry_run else 201
    )


@router.put("/users/{name}/roles")
def set_roles(
    name: str, body: RolesIn, services: ServicesDep, actor: AdminActor, dry_run: bool = False
) -> Response:
    """Replace a user's roles."""
    user = services.governance.users.set_roles(name, body.roles, actor=actor, dry_run=dry_run)
    return ok({**user.to_dict(), "dry_run": True} if dry_run else user.to_dict())
