"""Fast JSON responses: routes return already-plain data, so it is dumped once, not validated."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import Response

__all__ = ["dumps", "ok"]


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON of plain data (orjson; the standard library for what it refuses).

    orjson is ~10x faster on a page of versions; it refuses integers beyond 64 bits, which a
    hyperparameter may hold, so those documents go through :mod:`json` unchanged.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def ok(data: Any, status_code: int = 200) -> Response:
    """``data`` (plain JSON values) as an ``application/json`` response.

    The core records' ``to_dict`` forms are already plain; skipping FastAPI's response-model
    validation and ``jsonable_encoder`` walk halves the cost of a large page.
    """
    return Response(dumps(data), status_code=status_code, media_type="application/json")
