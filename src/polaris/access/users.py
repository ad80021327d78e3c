"""People and their governance roles: who they are and whose approval counts.

Permission levels (viewer ... admin, on the token) still say what an API call may do; a user's
*roles* (``tech_lead``, ``security_team``, ``cto``...) say whose approval counts. A token acts as
the user of the same name. Roles are checked against the roles the governance policy knows (the
document's, plus any the platform's matrix declares), so a typo is refused, not silently ignored.
"""

from __future__ import annotations

import builtins
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Final

from polaris.access import users_repo
from polaris.access.users_repo import StoredUser
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, PermissionDenied, Role, require_role, utc_now
from polaris.core.errors import InvalidInput, Location
from polaris.store.session import Database

__all__ = ["UserService", "check_roles"]

_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+$")
#: How long a user's roles are trusted without asking the database (a role change's delay).
_CACHE_SECONDS: Final = 2.0


def check_roles(roles: list[str], known: frozenset[str]) -> list[str]:
    """The roles, de-duplicated in order; :class:`InvalidInput` naming the first unknown one."""
    out: list[str] = []
    for r in roles:
        role = r.strip()
        if role not in known:
            raise InvalidInput(
                f"unknown role {role!r}",
                location=Location(field="roles"),
                hint="known roles: " + ", ".join(sorted(known)),
            )
        if role not in out:
            out.append(role)
    return out


class UserService:
    """Add, list, show users and change their roles; every write audited."""

    def __init__(
        self,
        db: Database,
        known_roles: Callable[[], frozenset[str]],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.known_roles = known_roles
        self.clock = clock
        self._roles: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def add(
        self,
        name: str,
        roles: list[str],
        *,
        actor: Actor,
        display_name: str = "",
        email: str = "",
        dry_run: bool = False,
    ) -> StoredUser:
        """Create a user (admin only)."""
        require_role(actor.role, Role.ADMIN, "adding users")
        if not _NAME_RE.match(name):
            raise InvalidInput(
                f"invalid user name {name!r}",
                location=Location(field="name"),
                hint="1-100 letters, digits, '.', '_', '@' or '-' (the name of their token)",
            )
        if email and not _EMAIL_RE.match(email):
            raise InvalidInput(f"invalid e-mail {email!r}", location=Location(field="email"))
        clean = check_roles(roles, self.known_roles())
        now = self.clock()
        with self.db.write() as s:
            user = users_repo.add_user(
                s,
                name=name,
                display_name=display_name or name,
                email=email,
                roles=clean,
                now=now,
                actor=actor.name,
            )
            audit_repo.add_audit(
                s,
                at=now,
                actor=actor.name,
                action="create",
                entity="user",
                key=name,
                before=None,
                after=user.to_dict(),
            )
            if dry_run:
                s.rollback()
        return user

    def set_roles(
        self, name: str, roles: list[str], *, actor: Actor, dry_run: bool = False
    ) -> StoredUser:
        """Replace a user's roles (admin only)."""
        require_role(actor.role, Role.ADMIN, "changing roles")
        clean = check_roles(roles, self.known_roles())
        now = self.clock()
        with self.db.write() as s:
            before, after = users_repo.set_roles(s, name, clean)
            with self._lock:
                self._roles.clear()
            audit_repo.add_audit(
                s,
                at=now,
                actor=actor.name,
                action="roles",
                entity="user",
                key=name,
                before=before.to_dict(),
                after=after.to_dict(),
            )
            if dry_run:
                s.rollback()
        return after

    def list(self) -> list[StoredUser]:
        """Every user."""
        with self.db.read() as s:
            return users_repo.list_users(s)

    def get(self, name: str) -> StoredUser:
        """One user; :class:`~polaris.core.errors.NotFound` if unknown."""
        with self.db.read() as s:
            return users_repo.get_user(s, name)

    def roles_of(self, name: str) -> frozenset[str]:
        """The roles of an active user (the approvals' directory); unknown users are NotFound."""
        now = time.monotonic()
        with self._lock:
            hit = self._roles.get(name)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        user = self.get(name)
        if not user.active:
            raise PermissionDenied(f"user {name!r} is deactivated")
        roles = frozenset(user.roles)
        with self._lock:
            if len(self._roles) > 10_000:
                self._roles.clear()
            self._roles[name] = (now, roles)
        return roles

    def roles(self) -> builtins.list[str]:
        """The roles users may hold."""
        return sorted(self.known_roles())
