"""CycloneDX SBOMs: export the pinned dependencies, import the components of any CycloneDX JSON.

Export builds the document with ``cyclonedx-python-lib`` (spec 1.6): one ``library`` component
per pin, identified by its package URL (``pkg:pypi/fastapi@0.104.1``, ``pkg:npm/lodash@4.17.21``),
with the lock's SHA-256 hashes. Import reads ``components`` (nested ones too) by their ``purl``,
so an SBOM made by another tool can be audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from polaris.core.errors import InvalidInput, Location
from polaris.dependencies.rules import Dependency, Ecosystem

__all__ = ["export_cyclonedx", "import_cyclonedx"]

_PURL_TYPES = {Ecosystem.PYPI: "pypi", Ecosystem.NPM: "npm"}


def export_cyclonedx(deps: Sequence[Dependency]) -> str:
    """A CycloneDX 1.6 JSON document of the pinned ``deps``."""
    from cyclonedx.model import HashAlgorithm, HashType
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    bom = Bom()
    seen: set[str] = set()
    for d in deps:
        if d.version is None:
            continue
        namespace, _, name = d.name.rpartition("/") if d.name.startswith("@") else ("", "", d.name)
        purl = PackageURL(_PURL_TYPES[d.ecosystem], namespace or None, name, d.version)
        ref = purl.to_string()
        if ref in seen:
            continue
        seen.add(ref)
        hashes = [
            HashType(alg=HashAlgorithm.SHA_256, content=h.split(":", 1)[1])
            for h in d.hashes
            if h.startswith("sha256:")
        ]
        bom.components.add(
            Component(
                name=d.name,
                version=d.version,
                type=ComponentType.LIBRARY,
                purl=purl,
                bom_ref=ref,
                hashes=hashes,
            )
        )
    return str(JsonV1Dot6(bom).output_as_string(indent=2))


def _components(items: Any) -> Iterator[dict[str, Any]]:
    for c in items or ():
        if isinstance(c, dict):
            yield c
            yield from _components(c.get("components"))


def import_cyclonedx(text: str, *, source: str) -> list[Dependency]:
    """The PyPI and npm components of a CycloneDX JSON document (others are skipped).

    :raises InvalidInput: not JSON, or not a CycloneDX BOM.
    """
    from packageurl import PackageURL

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not JSON: {exc.msg}", location=Location(file=source, line=exc.lineno)
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("bomFormat") not in ("CycloneDX", None)
        or "components" not in doc
    ):
        raise InvalidInput("not a CycloneDX BOM (no components)", location=Location(file=source))
    out: list[Dependency] = []
    for i, c in enumerate(_components(doc["components"])):
        purl_text = c.get("purl")
        if not isinstance(purl_text, str):
            continue
        try:
            purl = PackageURL.from_string(purl_text)
        except ValueError as exc:
            raise InvalidInput(
                f"bad purl {purl_text!r}: {exc}",
                location=Location(file=source, field=f"components[{i}]"),
            ) from None
        eco = {"pypi": Ecosystem.PYPI, "npm": Ecosystem.NPM}.get(purl.type)
        if eco is None or not purl.version:
            continue
        name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
        hashes = tuple(
            f"sha256:{h['content']}" for h in c.get("hashes") or () if h.get("alg") == "SHA-256"
        )
        out.append(
            Dependency(name, eco, purl.version, f"=={purl.version}", source=source, hashes=hashes)
        )
    return out
