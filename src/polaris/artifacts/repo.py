"""Content-addressed blob records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polaris.store.tables import BlobRow, VersionFileRow

__all__ = ["add_blob", "blob_exists", "delete_blob_rows", "unreferenced_blobs"]


def add_blob(s: Session, sha256: str, size: int, now: datetime) -> None:
    """Record a verified blob (idempotent)."""
    if s.get(BlobRow, sha256) is None:
        try:
            with s.begin_nested():
                s.add(BlobRow(sha256=sha256, size=size, created_at=now))
        except IntegrityError:
            pass  # recorded concurrently: same content, same row


def blob_exists(s: Session, sha256: str) -> int | None:
    """The size of a recorded blob, or ``None``."""
    row = s.get(BlobRow, sha256)
    return None if row is None else row.size


def unreferenced_blobs(s: Session, *, created_before: datetime) -> list[str]:
    """Blobs no version points at, older than ``created_before`` (uploads in flight are kept)."""
    return list(
        s.scalars(
            select(BlobRow.sha256).where(
                BlobRow.created_at < created_before,
                ~exists().where(VersionFileRow.sha256 == BlobRow.sha256),
            )
        )
    )


def delete_blob_rows(s: Session, digests: Sequence[str]) -> None:
    """Forget blobs."""
    if digests:
        s.execute(delete(BlobRow).where(BlobRow.sha256.in_(digests)))
