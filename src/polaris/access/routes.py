"""Blobs, tokens, gc, audit log and ``whoami``.

Uploads and token writes take ``?dry_run=true``: the same checks and response shape, plus
``"dry_run": true``, with nothing stored (a dry-run upload only hashes and verifies the bytes; a
dry-run token creation shows no token).
"""

from __future__ import annotations

import tempfile
from typing import BinaryIO, cast

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from polaris.access.wire import TokenIn
from polaris.http.deps import AdminActor, ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok

__all__ = ["router"]

router = APIRouter(tags=["admin"])


@router.put("/blobs/{sha256}", status_code=201)
async def upload_blob(
    sha256: str, request: Request, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Upload one artifact blob; its bytes must hash to ``sha256``. Idempotent.

    The body is spooled to a temp file, then stored under a temp name and renamed into place
    only once verified: a dropped connection or a killed server leaves no blob behind.
    """
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as tmp:
        async for chunk in request.stream():
            tmp.write(chunk)
        tmp.seek(0)
        result = await run_in_threadpool(
            services.registry.upload_blob,
            cast(BinaryIO, tmp),
            actor=actor,
            expected_sha256=sha256,
            dry_run=dry_run,
        )
    return ok(result, 200 if dry_run else 201)


@router.get("/whoami")
def whoami(actor: ReadActor) -> Response:
    """The identity and role of the presented token."""
    return ok({"name": actor.name, "role": str(actor.role)})


@router.post("/tokens", status_code=201)
def create_token(
    body: TokenIn, services: ServicesDep, actor: AdminActor, dry_run: bool = False
) -> Response:
    """Create a token; the response is the only time it is shown (a dry run shows none)."""
    token, rec = services.tokens.create(body.name, body.role, actor=actor, dry_run=dry_run)
    if dry_run:
        return ok({**rec.to_dict(), "token": None, "dry_run": True})
    return ok({**rec.to_dict(), "token": token}, 201)


@router.get("/tokens")
def list_tokens(services: ServicesDep, actor: AdminActor) -> Response:
    """Every token record (never the tokens)."""
    return ok({"items": [t.to_dict() for t in services.tokens.list(actor=actor)]})


@router.delete("/tokens/{token_id}")
def revoke_token(
    token_id: int, services: ServicesDep, actor: AdminActor, dry_run: bool = False
) -> Response:
    """Revoke a token."""
    rec = services.tokens.revoke(token_id, actor=actor, dry_run=dry_run)
    return ok({**rec.to_dict(), "dry_run": True} if dry_run else rec.to_dict())


@router.post("/gc")
def gc(services: ServicesDep, actor: AdminActor, dry_run: bool = True) -> Response:
    """Apply retention (dev 30 days, archived 2 years); a dry run unless ``dry_run=false``."""
    return ok(services.registry.gc(actor=actor, dry_run=dry_run).to_dict())


@router.get("/audit")
def audit(
    services: ServicesDep, actor: AdminActor, key: str | None = None, limit: int = 100
) -> Response:
    """The newest audit events."""
    return ok({"items": services.audit.list(actor=actor, key=key, limit=min(limit, 1000))})
