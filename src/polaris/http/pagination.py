"""Opaque keyset cursors: ``next_cursor`` of one page is the ``cursor`` of the next."""

from __future__ import annotations

import base64
import json

from polaris.core.errors import InvalidInput, Location

__all__ = ["decode_cursor", "encode_cursor"]


def encode_cursor(after: int | None) -> str | None:
    """The cursor for a keyset position (``None`` at the end)."""
    if after is None:
        return None
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The keyset position of a cursor; :class:`InvalidInput` if it was not made by us."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValueError(after)
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"invalid cursor {cursor!r}",
            location=Location(field="cursor"),
            hint="pass the next_cursor of a previous page unchanged",
        ) from None
    return after
