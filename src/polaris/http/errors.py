"""Errors as RFC 9457 problem documents (``application/problem+json``).

One handler on :class:`~polaris.core.errors.PolarisError` covers every subclass: the status is the
class's ``http_status`` and the ``type`` URI ends with its stable ``slug``. Routes never raise
``HTTPException`` for domain failures.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from polaris.core.errors import PolarisError

__all__ = ["PROBLEM_BASE", "install_error_handlers", "problem"]

PROBLEM_BASE = "https://polaris.dev/problems/"
_MEDIA = "application/problem+json"


def problem(
    status: int, slug: str, title: str, detail: str, *, instance: str, **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": 'Bearer realm="polaris"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=_MEDIA, headers=headers)


def _title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


async def _polaris_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PolarisError)  # noqa: S101 - registered for PolarisError only
    where = exc.location
    extra: dict[str, Any] = {
        "hint": exc.hint,
        "message": exc.message,
        "file": where.file,
        "line": where.line,
        "field": where.field,
    }
    results = getattr(exc, "results", None)
    if results:
        extra["gate_results"] = [r.to_dict() for r in results]
    return problem(
        exc.http_status,
        exc.slug,
        _title(exc.slug),
        exc.one_line() if where.file else exc.message,
        instance=request.url.path,
        **extra,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    errors = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
            "message": e.get("msg"),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    return problem(
        422,
        "invalid-input",
        "Invalid input",
        f"{first['field']}: {first['message']}" if first["field"] else str(first["message"]),
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem(exc.status_code, slug, _title(slug), str(exc.detail), instance=request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(PolarisError, _polaris_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
