"""Image references ``[registry/]name:TAG`` of one configured image, in any text file.

Compose files, Kubernetes manifests, Dockerfile ``FROM`` lines, Helm templates: the format does not
parse the file, it finds references to exactly the configured image. ``aiops/api`` matches
``aiops/api:2.1.0`` and ``docker.io/aiops/api:2.1.0`` but not ``aiops/api-gw:2.1.0``,
``registry.example.com/aiops/api:2.1.0`` or ``myaiops/api:2.1.0``. A reference pinned by digest
(``aiops/api:2.1.0@sha256:...``) is reported and never rewritten.

Docker tags cannot hold ``+``, so build metadata is written with ``_`` (``2.1.0_build.7``) and read
back as ``+``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from polaris.versions.files._common import (
    SEMVERISH,
    check_count,
    error,
    line_col,
    new_version,
    splice,
)
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["ImageReferences"]

_TAG: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_SEMVERISH: Final = re.compile(SEMVERISH)
#: What is read as a tag: wider than a valid tag (``2.1.0+b``, ``${API_TAG}``) so that a tag
#: Polaris cannot rewrite is reported instead of being taken for "no reference here".
_TAG_TEXT: Final = r"(?:[\w.+-]|\$\{[^}\s]*\}|\$\w+)*"
_DIGEST: Final = r"[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"


@dataclass(frozen=True, slots=True)
class _Ref:
    tag: str | None
    tag_start: int
    tag_end: int
    digest: str | None
    line: int
    column: int


def _name_pattern(image: str) -> str:
    """Regex for the image name, with Docker Hub's implicit prefixes where they apply."""
    first = image.split("/", 1)[0]
    has_registry = "/" in image and ("." in first or ":" in first or first == "localhost")
    name = re.escape(image)
    if has_registry:
        return name
    prefixes = [r"docker\.io/", r"index\.docker\.io/"]
    if "/" not in image:
        prefixes = [r"library/", *(p + r"library/" for p in prefixes), *prefixes]
    return f"(?:{'|'.join(prefixes)})?{name}"


class ImageReferences(VersionFormat):
    """``format = "image"``: every reference to ``image`` with a tag; count None = one or more."""

    @property
    def image(self) -> str:
        """The configured image name, without tag."""
        if not self.spec.image:
            raise error(self.spec, "no image configured", field="image")
        return self.spec.image

    @property
    def where(self) -> str:
        """``image aiops/api``."""
        return f"image {self.image}"

    def _refs(self, text: str) -> list[_Ref]:
        pattern = re.compile(
            rf"(?<![\w./-]){_name_pattern(self.image)}(?=[:@])"
            rf"(?::(?P<tag>{_TAG_TEXT}))?(?:@(?P<digest>{_DIGEST}))?"
        )
        refs: list[_Ref] = []
        for m in pattern.finditer(text):
            if not m["tag"] and not m["digest"]:
                continue  # `aiops/api:` as a mapping key or in prose: no reference
            tag_start = m.start("tag") if m["tag"] is not None else m.end()
            line, column = line_col(text, tag_start)
            refs.append(
                _Ref(
                    tag=m["tag"] or None,
                    tag_start=tag_start,
                    tag_end=m.end("tag") if m["tag"] is not None else m.end(),
                    digest=m["digest"],
                    line=line,
                    column=column,
                )
            )
        check_count(
            self.spec,
            [r.line for r in refs],
            what=f"a tagged reference to image {self.image}",
            field="image",
            at_least_one=True,
        )
        return refs

    def find(self, text: str) -> list[Found]:
        """Each reference's tag, ``_`` read as ``+``; a digest-pinned one says so."""
        out: list[Found] = []
        for r in self._refs(text):
            if r.tag is None:
                value = f"@{r.digest}"
            elif _TAG.fullmatch(r.tag):
                value = r.tag.replace("_", "+")
            else:
                value = r.tag
            where = f"{self.where} (pinned by digest)" if r.digest else self.where
            out.append(Found(self.spec.path, r.line, r.column, value, where))
        return out

    def replace(self, text: str, version: str) -> str:
        """Each reference's tag replaced (``+`` written as ``_``).

        :raises VersionFileError: a reference is pinned by digest to another version, or has a tag
            that is not a literal Docker tag (``${API_TAG}``).
        """
        v = new_version(self.spec, version, field="image")
        tag = str(v).replace("+", "_")
        edits: list[tuple[int, int, str]] = []
        for r in self._refs(text):
            if r.digest is not None:
                if r.tag == tag:
                    continue
                raise error(
                    self.spec,
                    f"{self.image} is pinned by digest @{r.digest[:19]}...; Polaris never "
                    f"rewrites a digest, so it cannot set tag {tag}",
                    line=r.line,
                    field="image",
                    hint="drop the digest, or leave this file out of the component's files",
                )
            current = r.tag or ""
            if not (_TAG.fullmatch(current) or _SEMVERISH.fullmatch(current)):
                raise error(
                    self.spec,
                    f"{self.image} has tag {current!r}, which is not a literal Docker tag",
                    line=r.line,
                    field="image",
                    hint="Polaris rewrites literal tags only, not variables",
                )
            if current != tag:
                edits.append((r.tag_start, r.tag_end, tag))
        return splice(text, edits)
