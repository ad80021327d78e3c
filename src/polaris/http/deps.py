"""Annotated dependencies: the services, and the acting identity at each required role.

They are ``async``: FastAPI runs sync dependencies in the thread pool, one hop each, which cost
more than the work they do (a token is checked against a short-lived in-memory cache first; a
cache miss is one indexed lookup). The actor dependencies take the bare :class:`Request` and read
the ``Authorization`` header themselves: declared parameters (a ``Header()``, a sub-dependency)
are resolved by FastAPI on every request and cost a third of a cached read. Being security
schemes, they still put the bearer scheme in OpenAPI, on every route that needs a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from polaris.core.actors import Actor, AuthenticationRequired, Role, require_role

if TYPE_CHECKING:
    # The composition root's type, for the type checker only: at run time the services are
    # whatever ``polaris.app`` put on ``app.state`` (the kernel does not import capabilities).
    from polaris.wiring import Services
else:
    Services = Any

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


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


class _TokenAuth(HTTPBearer):
    """The acting identity, at ``minimum`` role; OpenAPI shows it as the bearer scheme.

    One callable per role that FastAPI calls with the bare request: as a security scheme it is
    documented (``components.securitySchemes``) without a declared ``Header()`` parameter, which
    FastAPI would resolve on every request.
    """

    def __init__(self, minimum: Role | None, what: str) -> None:
        super().__init__(
            scheme_name="bearer",
            description="An API token: polaris token create --role viewer|developer|approver|admin",
            auto_error=False,
        )
        self.minimum = minimum
        self.what = what

    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]
        services = _services(request)
        token = _bearer(request.headers.get("authorization"))
        if token is None and request.app.state.local_actor is not None:
            # The in-process application of the CLI's local mode: its own user acts.
            actor: Actor = request.app.state.local_actor
            if self.minimum is not None:
                require_role(actor.role, self.minimum, self.what)
            return actor
        if self.minimum is None:  # reads
            if token is None and services.settings.anonymous_read:
                return _ANONYMOUS
            return services.tokens.authenticate(token)
        actor = services.tokens.authenticate(token)
        require_role(actor.role, self.minimum, self.what)
        return actor


#: Reads need a viewer token, unless the server allows anonymous reads.
read_actor = _TokenAuth(None, "reading")
#: Every mutation needs a valid token of at least the developer role.
write_actor = _TokenAuth(Role.DEVELOPER, "changing the registry")
#: Token management, gc and the audit log need an admin token.
admin_actor = _TokenAuth(Role.ADMIN, "this operation")


ReadActor = Annotated[Actor, Depends(read_actor)]
WriteActor = Annotated[Actor, Depends(write_actor)]
AdminActor = Annotated[Actor, Depends(admin_actor)]
