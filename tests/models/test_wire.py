"""Every registry answer has exactly the fields its declared response model names (OpenAPI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from polaris.client import Client
from polaris.models import wire
from polaris.settings import Settings


def _exact(model: type[BaseModel], data: Any) -> None:
    model.model_validate(data)  # extra="forbid": no field the model does not declare
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert required <= set(data), (model.__name__, required - set(data))


def test_answers_match_their_declared_models(tmp_path: Path) -> None:
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"weights")
    with Client.local(Settings(home=tmp_path / "home"), user="carol") as client:
        registered = client.register(
            "ner", {"version": "1.0.0", "metrics": {"f1": 0.9}, "tags": ["a"]}, [weights]
        )
        _exact(wire.VersionOut, registered)
        _exact(wire.VersionOut, client.version("ner", "1.0.0"))  # the SQL fast path
        _exact(wire.VersionOut, client.model_version("ner-v1.0.0"))
        assert registered["model_version_name"] == "ner-v1.0.0"
        _exact(wire.VersionPage, client.versions({"name": "ner"}))
        _exact(wire.VersionPage, client.versions({"tag": "a", "metric": ["f1>=0.5"]}))
        moved = client.stage("ner", "1.0.0", {"stage": "staging", "criteria": ["f1>=0.5"]})
        _exact(wire.StageMoveOut, moved)
        assert moved["changes"][0]["gate_results"][0]["passed"] is True
        _exact(wire.ChangeList, {"items": client.history("ner")})
        _exact(wire.LineageOut, {"items": client.lineage("ner", "1.0.0")})
        _exact(wire.ProductionOut, client.production("ner"))
        _exact(wire.ModelList, client.call("GET", "/models"))
        _exact(wire.ModelSummaryOut, client.call("GET", "/models/ner"))
        dry = client.register("ner", {"version": "1.0.1", "model_path": "s3://m"}, dry_run=True)
        _exact(wire.VersionOut, dry)
        assert dry["dry_run"] is True
        spec = client.call("GET", "/openapi.json")
    op = spec["paths"]["/api/v1/models/{name}/versions/{version}"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/VersionOut")
    assert "StageChangeOut" in spec["components"]["schemas"]
