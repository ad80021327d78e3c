"""User records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from polaris.access.tables import UserRow
from polaris.core.errors import Conflict, Location, NotFound

__all__ = ["StoredUser", "add_user", "find_user", "get_user", "list_users", "set_roles"]


class StoredUser:
    """A user as stored."""

    __slots__ = ("active", "created_at", "created_by", "display_name", "email", "name", "roles")

    def __init__(self, row: UserRow) -> None:
        self.name = row.name
        self.display_name = row.display_name
        self.email = row.email
        self.roles: tuple[str, ...] = tuple(row.roles)
        self.active = row.active
        self.created_at: datetime = row.created_at
        self.created_by = row.created_by

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "email": self.email,
            "roles": list(self.roles),
            "active": self.active,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


def add_user(
    s: Session,
    *,
    name: str,
    display_name: str,
    email: str,
    roles: list[str],
    now: datetime,
    actor: str,
) -> StoredUser:
    """Insert a user; :class:`Conflict` if the name is taken."""
    if s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise Conflict(f"user {name!r} exists already", location=Location(field="name"))
    row = UserRow(
        name=name,
        display_name=display_name,
        email=email,
        roles=roles,
        active=True,
        created_at=now,
        created_by=actor,
    )
    s.add(row)
    s.flush()
    return StoredUser(row)


def find_user(s: Session, name: str) -> StoredUser | None:
    """The user called ``name``, if any."""
    row = s.scalar(select(UserRow).where(UserRow.name == name))
    return None if row is None else StoredUser(row)


def get_user(s: Session, name: str) -> StoredUser:
    """The user called ``name``; :class:`NotFound` otherwise."""
    found = find_user(s, name)
    if found is None:
        raise NotFound(
            f"unknown user {name!r}",
            location=Location(field="user"),
            hint="polaris users add NAME --role ROLE",
        )
    return found


def list_users(s: Session) -> list[StoredUser]:
    """Every user, by name."""
    return [StoredUser(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]


def set_roles(s: Session, name: str, roles: list[str]) -> tuple[StoredUser, StoredUser]:
    """Replace a user's roles: (before, after)."""
    row = s.scalar(select(UserRow).where(UserRow.name == name).with_for_update())
    if row is None:
        raise NotFound(f"unknown user {name!r}", location=Location(field="user"))
    before = StoredUser(row)
    row.roles = roles
    s.flush()
    return before, StoredUser(row)
