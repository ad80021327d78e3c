"""The demo platform of seed 2.1, loaded by ``polaris serve --demo`` so a newcomer sees data.

Three models with a few versions each (one in production, one in staging, some in development),
and platform release 2.1.0 pinning every component of the seed's hierarchy. Idempotent: nothing is
loaded when the store already has models.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

from polaris.core.actors import Actor, Role
from polaris.core.semver import Version
from polaris.models.gates import parse_threshold
from polaris.models.rules import Stage
from polaris.models.service import Registration
from polaris.platform.rules import ReleasePin

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["load_demo"]

_ACTOR: Final = Actor(name="demo", role=Role.ADMIN)

# (model, version, accuracy, p95 latency ms, final stage)
_MODELS: Final = (
    ("rag-search", "1.3.0", 0.91, 180.0, Stage.ARCHIVED),
    ("rag-search", "1.3.1", 0.93, 170.0, Stage.ARCHIVED),
    ("rag-search", "1.3.2", 0.94, 160.0, Stage.PRODUCTION),
    ("rag-search", "1.4.0-candidate.1", 0.95, 150.0, Stage.STAGING),
    ("classification", "1.2.0", 0.90, 40.0, Stage.ARCHIVED),
    ("classification", "1.2.1", 0.92, 38.0, Stage.PRODUCTION),
    ("classification", "1.3.0", 0.89, 35.0, Stage.DEVELOPMENT),
    ("ner", "1.0.0", 0.86, 25.0, Stage.ARCHIVED),
    ("ner", "1.1.0", 0.88, 22.0, Stage.PRODUCTION),
)

_COMPONENTS: Final = (
    ("api-service", "service", "2.1.0"),
    ("agent-services", "service", "2.1.0"),
    ("web-ui", "service", "2.1.0"),
    ("kubernetes-manifests", "infra", "2.1.0"),
    ("docker-images", "infra", "2.1.0"),
    ("terraform-modules", "infra", "1.4.0"),
    ("mysql-schema", "schema", "2.1.0"),
    ("neo4j-schema", "schema", "1.2.0"),
    ("weaviate-schema", "schema", "1.1.0"),
)


def load_demo(services: Services) -> bool:
    """Load the demo platform; return ``False`` if the store already had models."""
    reg = services.registry
    if reg.models():
        return False
    previous: dict[str, str] = {}
    production: dict[str, str] = {}
    for name, version, acc, p95, stage in _MODELS:
        blob = reg.upload_blob(
            io.BytesIO(f"demo weights of {name} {version}\n".encode()), actor=_ACTOR
        )
        reg.register(
            Registration(
                name=name,
                version=version,
                metrics={"accuracy": acc, "p95_latency_ms": p95},
                hyperparameters={"learning_rate": 0.001, "epochs": 10},
                training_data_hash=f"sha256:{name}-{version}-data",
                dependencies=["torch==2.4.1", "transformers==4.44.2"],
                description=f"{name} model, demo version {version}",
                tags=["demo", name.split("-")[0]],
                parent_version=previous.get(name),
                files={"model.pkl": blob["sha256"]},
            ),
            actor=_ACTOR,
        )
        previous[name] = version
        if stage == Stage.DEVELOPMENT:
            continue
        gate = [parse_threshold("accuracy>=0.85")]
        reg.promote(name, version, Stage.STAGING, actor=_ACTOR, criteria=gate, reason="demo")
        if stage == Stage.STAGING:
            continue
        reg.promote(
            name,
            version,
            Stage.PRODUCTION,
            actor=_ACTOR,
            reason="demo release",
            rollback_to=production.get(name),
        )
        production[name] = version  # the next production version archives this one
    pins = [ReleasePin(n, k, Version.parse(v)) for n, k, v in _COMPONENTS]
    pins += [ReleasePin(n, "model", Version.parse(v)) for n, v in production.items()]
    services.releases.release("2.1.0", pins, actor=_ACTOR, notes="demo platform (seed 2.1)")
    return True
