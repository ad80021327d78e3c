"""API tokens: created and shown once, stored as a sha256 digest, resolved to an :class:`Actor`.

Tokens are 256-bit random strings (``pol_`` + URL-safe base64), so a plain sha256 is a safe
digest for them (no salt or slow hash is needed against guessing). A token never reaches a log:
the server only ever sees it in the ``Authorization`` header and keeps only its digest and an
8-character prefix for people to recognise it by.

``create`` and ``revoke`` take ``dry_run``: the insert or revocation and its audit entry run in the
transaction, which is then rolled back; a dry-run ``create`` returns no token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Final

from polaris.access import repo as token_repo
from polaris.access.repo import StoredToken
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, AuthenticationRequired, Role, require_role, utc_now
from polaris.core.errors import InvalidInput, Location
from polaris.store.session import Database

__all__ = ["TokenService", "hash_token"]

_PREFIX: Final = "pol_"
_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
#: How long a verified token is trusted without asking the database again (revocation delay).
_CACHE_SECONDS: Final = 2.0


def hash_token(token: str) -> str:
    """The stored digest of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    """Create, list, revoke and authenticate API tokens."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock
        self._cache: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def create(
        self, name: str, role: str, *, actor: Actor, dry_run: bool = False
    ) -> tuple[str | None, StoredToken]:
        """A new token (returned once, never stored) and its record.

        A dry run returns ``None`` for the token and the record that would have been created.
        """
        require_role(actor.role, Role.ADMIN, "creating tokens")
        if not _NAME_RE.match(name):
            raise InvalidInput(
                f"invalid token name {name!r}",
                location=Location(field="name"),
                hint="1-100 letters, digits, '.', '_', '@' or '-'",
            )
        parsed = Role.parse(role)
        token = _PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.write() as s:
            rec = token_repo.add_token(
                s,
                name=name,
                role=str(parsed),
                token_hash=hash_token(token),
                prefix=token[:8],
                now=now,
                actor=actor.name,
            )
            audit_repo.add_audit(
                s,
                at=now,
                actor=actor.name,
                action="create",
                entity="api_token",
                key=str(rec.id),
                before=None,
                after=rec.to_dict(),
            )
            s.flush()
            if dry_run:
                s.rollback()
                # Not even the prefix: no part of a secret leaves a dry run.
                return None, replace(rec, prefix=_PREFIX)
        return token, rec

    def list(self, *, actor: Actor) -> list[StoredToken]:
        """Every token record (admin only)."""
        require_role(actor.role, Role.ADMIN, "listing tokens")
        with self.db.read() as s:
            return token_repo.list_tokens(s)

    def revoke(self, token_id: int, *, actor: Actor, dry_run: bool = False) -> StoredToken:
        """Revoke a token (admin only); effective within a couple of seconds everywhere."""
        require_role(actor.role, Role.ADMIN, "revoking tokens")
        now = self.clock()
        with self.db.write() as s:
            before, rec = token_repo.revoke_token(s, token_id, now)
            audit_repo.add_audit(
                s,
                at=now,
                actor=actor.name,
                action="revoke",
                entity="api_token",
                key=str(rec.id),
                before=before.to_dict(),
                after=rec.to_dict(),
            )
            s.flush()
            if dry_run:
                s.rollback()
                return rec
        with self._lock:
            self._cache.clear()
        return rec

    def authenticate(self, token: str | None) -> Actor:
        """The actor a bearer token stands for.

        :raises AuthenticationRequired: no token, or an unknown or revoked one.
        """
        if not token:
            raise AuthenticationRequired(
                "this request needs an API token",
                hint="send 'Authorization: Bearer <token>'; create one with polaris token create",
            )
        digest = hash_token(token)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        with self.db.read() as s:
            rec = token_repo.find_token(s, digest)
        if rec is None:
            raise AuthenticationRequired(
                "the API token is unknown or revoked", hint="ask an admin for a valid token"
            )
        actor = Actor(name=rec.name, role=Role.parse(rec.role))
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, actor)
        return actor
