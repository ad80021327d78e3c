"""The dashboard page at ``/`` (seed 13.1.2), from local assets only (no CDN)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard() -> HTMLResponse:
    """The page shell; its script reads the API with the token kept in this browser."""
    html = resources.files("polaris.web").joinpath("index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
