"""Who acts: permission levels (roles of a token), the acting user, and the checks on both.

Shared by every capability's service: the API takes the actor from a token, the CLI uses the
local user. Roles here are *permission levels* (what a call may do); whose approval counts is
the governance capability's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from polaris.core.errors import InvalidInput, Location, PolarisError

__all__ = [
    "Actor",
    "AuthenticationRequired",
    "PermissionDenied",
    "Role",
    "require_role",
    "utc_now",
]


def utc_now() -> datetime:
    """The current time, UTC, timezone-aware."""
    return datetime.now(UTC)


class Role(IntEnum):
    """Token roles, ordered by power."""

    VIEWER = 1
    DEVELOPER = 2
    APPROVER = 3
    ADMIN = 4

    @classmethod
    def parse(cls, text: str) -> Role:
        """``"developer"`` -> ``Role.DEVELOPER``; anything else is :class:`InvalidInput`."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise InvalidInput(
                f"unknown role {text!r}",
                location=Location(field="role"),
                hint="one of viewer, developer, approver, admin",
            ) from None

    def __str__(self) -> str:
        return self.name.lower()


class AuthenticationRequired(PolarisError):
    """No valid token was presented."""

    slug = "authentication-required"
    http_status = 401
    exit_code = 2


class PermissionDenied(PolarisError):
    """The token's role is below what the operation needs."""

    slug = "permission-denied"
    http_status = 403
    exit_code = 2


def require_role(have: Role, need: Role, action: str) -> None:
    """Raise :class:`PermissionDenied` unless ``have`` is at least ``need``."""
    if have < need:
        raise PermissionDenied(
            f"{action} needs the {need} role; this token has {have}",
            hint=f"ask an admin for a token with --role {need}",
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, and with which role (from a token, or the local user as admin)."""

    name: str
    role: Role
