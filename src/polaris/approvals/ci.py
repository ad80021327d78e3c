"""``polaris ci init``: CI workflows in the shape of seed 8.1.1, driven by ``polaris`` commands.

Tag push -> prepare (version check, changelog, calendar freeze gate) -> build and test (schema
validate) -> images -> staging -> production (refused by Polaris without the release's approval)
-> release (refused while required checklist items are open). Each stage reports itself with
``polaris pipeline report`` and the CI run's URL; a failing job reports ``failed``.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Final

from polaris.core.errors import Conflict, InvalidInput, Location

__all__ = ["PROVIDERS", "render_workflow", "write_workflow"]

PROVIDERS: Final = {
    "github": Path(".github/workflows/polaris-release.yml"),
    "gitlab": Path(".gitlab-ci.yml"),
}


def render_workflow(provider: str) -> tuple[Path, str]:
    """The workflow file of ``provider`` (relative path, text)."""
    if provider not in PROVIDERS:
        raise InvalidInput(
            f"unknown CI provider {provider!r}",
            location=Location(field="provider"),
            hint="github or gitlab",
        )
    text = (
        resources.files("polaris.approvals")
        .joinpath(f"ci_templates/{provider}.yml")
        .read_text(encoding="utf-8")
    )
    return PROVIDERS[provider], text


def write_workflow(
    provider: str, root: Path, *, force: bool = False, dry_run: bool = False
) -> tuple[Path, str]:
    """Write the workflow under ``root`` (temp + rename); an existing one only with ``force``."""
    rel, text = render_workflow(provider)
    path = root / rel
    if path.exists() and not force:
        raise Conflict(
            f"{path} exists already", location=Location(file=str(path)), hint="--force to overwrite"
        )
    if dry_run:
        return path, text
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".polaris-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path, text
