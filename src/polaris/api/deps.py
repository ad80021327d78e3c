"""Annotated dependencies: the services, and the acting identity at each required role.

They are ``async``: FastAPI runs sync dependencies in the thread pool, one hop each, which cost
more than the work they do (a token is checked against a short-lived in-memory cache first; a
cache miss is one indexed lookup).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from polaris.core.policy import AuthenticationRequired, Role, require_role
from polaris.services.registry import Actor
from polaris.services.wiring import Services

__all__ = ["AdminActor", "ReadActor", "ServicesDep", "WriteActor", "get_services"]

_ANONYMOUS = Actor(name="anonymous", role=Role.VIEWER)


async def get_services(request: Request) -> Services:
    """The services built at startup."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired(
            "the Authorization header must be 'Bearer <token>'",
            hint="send 'Authorization: Bearer <token>'",
        )
    return token.strip()


async def read_actor(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """Reads need a viewer token, unless the server allows anonymous reads."""
    token = _bearer(authorization)
    if token is None and services.settings.anonymous_read:
        return _ANONYMOUS
    return services.tokens.authenticate(token)


async def write_actor(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """Every mutation needs a valid token of at least the developer role."""
    actor = services.tokens.authenticate(_bearer(authorization))
    require_role(actor.role, Role.DEVELOPER, "changing the registry")
    return actor


async def admin_actor(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """Token management, gc and the audit log need an admin token."""
    actor = services.tokens.authenticate(_bearer(authorization))
    require_role(actor.role, Role.ADMIN, "this operation")
    return actor


ReadActor = Annotated[Actor, Depends(read_actor)]
WriteActor = Annotated[Actor, Depends(write_actor)]
AdminActor = Annotated[Actor, Depends(admin_actor)]
