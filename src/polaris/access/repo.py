"""API token records (digests, never tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from polaris.core.errors import Location, NotFound
from polaris.store.tables import ApiTokenRow

__all__ = ["StoredToken", "add_token", "find_token", "list_tokens", "revoke_token"]


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token record (never the token itself)."""

    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


def _token(row: ApiTokenRow) -> StoredToken:
    return StoredToken(
        row.id, row.name, row.role, row.prefix, row.created_at, row.created_by, row.revoked_at
    )


def add_token(
    s: Session, *, name: str, role: str, token_hash: str, prefix: str, now: datetime, actor: str
) -> StoredToken:
    """Store a token hash."""
    row = ApiTokenRow(
        name=name, role=role, token_hash=token_hash, prefix=prefix, created_at=now, created_by=actor
    )
    s.add(row)
    s.flush()
    return _token(row)


_TOKENS = cast(Table, ApiTokenRow.__table__)
# Built once, Core columns rather than ORM entities: it runs on every request the verification
# cache misses, and the first one of a worker would otherwise pay for the ORM loader's set-up.
_FIND = select(
    _TOKENS.c.id,
    _TOKENS.c.name,
    _TOKENS.c.role,
    _TOKENS.c.prefix,
    _TOKENS.c.created_at,
    _TOKENS.c.created_by,
    _TOKENS.c.revoked_at,
).where(_TOKENS.c.token_hash == bindparam("digest"), _TOKENS.c.revoked_at.is_(None))


def find_token(s: Session, token_hash: str) -> StoredToken | None:
    """The live token with this hash, if any."""
    row = s.execute(_FIND, {"digest": token_hash}).first()
    return None if row is None else StoredToken(*row)


def list_tokens(s: Session) -> list[StoredToken]:
    """Every token record."""
    return [_token(r) for r in s.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))]


def revoke_token(s: Session, token_id: int, now: datetime) -> tuple[StoredToken, StoredToken]:
    """Revoke a token: its record (before, after); :class:`NotFound` if absent."""
    row = s.get(ApiTokenRow, token_id)
    if row is None:
        raise NotFound(f"token {token_id} not found", location=Location(field="id"))
    before = _token(row)
    row.revoked_at = now
    s.flush()
    return before, _token(row)
