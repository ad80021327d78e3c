"""JSON bodies: orjson where it can, the standard library for what orjson refuses."""

from __future__ import annotations

import json

from polaris.http.responses import dumps, ok


def test_dumps_is_compact_utf8_json() -> None:
    data = {"name": "ünï", "metrics": {"accuracy": 0.9, "n": 1.0}, "tags": [], "none": None}
    body = dumps(data)
    assert json.loads(body) == data
    assert b" " not in body.replace("ünï".encode(), b"")
    assert "ünï".encode() in body


def test_integers_beyond_64_bits_fall_back_to_the_standard_library() -> None:
    data = {"hyperparameters": {"seed": 2**70, "lr": 0.001}}
    assert json.loads(dumps(data)) == data


def test_ok_is_an_application_json_response() -> None:
    r = ok({"a": 1}, 201)
    assert r.status_code == 201
    assert r.media_type == "application/json"
    assert json.loads(r.body) == {"a": 1}
