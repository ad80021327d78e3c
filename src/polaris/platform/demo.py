"""The demo platform of seed 2.1, loaded by ``polaris serve --demo`` so a newcomer sees data.

One source: the bundled example ``examples/aiops-polaris`` (or ``POLARIS_DEMO_PROJECT``). Platform
release 2.1.0 pins every component of the example under the example's own names and versions, so
``polaris platform diff 2.1.0 current`` on the example shows no change; its three models get a
short history each (one version in production, the one the example carries; one in staging; some
in development). Idempotent: nothing is loaded when the store already has models.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from polaris.core.actors import Actor, Role
from polaris.core.errors import NotFound
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.models.gates import parse_threshold
from polaris.models.rules import Stage
from polaris.models.service import Registration
from polaris.platform.rules import ReleasePin

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["demo_project", "demo_project_path", "load_demo"]

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


def demo_project_path() -> Path:
    """Where the example platform is: ``POLARIS_DEMO_PROJECT``, else the checkout's example."""
    configured = os.environ.get("POLARIS_DEMO_PROJECT")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "examples" / "aiops-polaris"


def demo_project() -> Project:
    """The example platform the demo loads."""
    from polaris.project.load import find_config, load_project

    path = demo_project_path()
    if not (path / "polaris.toml").is_file():
        raise NotFound(
            f"the demo's example platform is not at {path}",
            hint="set POLARIS_DEMO_PROJECT to a copy of examples/aiops-polaris",
        )
    return load_project(find_config(path))


def _pins(project: Project, models: dict[str, str]) -> list[ReleasePin]:
    """The example's components at their versions; models at their production version."""
    from polaris.compat.service import current_set  # lazy: only the demo reads version files

    versions, _platform = current_set(project)
    pins: list[ReleasePin] = []
    for comp in project.components:
        if comp.kind == "model" or comp.name not in versions:
            continue
        pins.append(ReleasePin(comp.name, comp.kind, versions[comp.name]))
    pins += [ReleasePin(n, "model", Version.parse(v)) for n, v in models.items()]
    return pins


def load_demo(services: Services) -> bool:
    """Load the demo platform; return ``False`` if the store already had models."""
    reg = services.registry
    if reg.models():
        return False
    project = demo_project()
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
    services.releases.release(
        "2.1.0", _pins(project, production), actor=_ACTOR, notes="demo platform (seed 2.1)"
    )
    return True
