"""What a platform repository declares about itself: components and the files carrying versions.

Pure data. ``polaris.project.load`` finds, parses and validates ``polaris.toml`` (or
``[tool.polaris]`` in ``pyproject.toml``) into these records; services act on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = [
    "COMPONENT_KINDS",
    "FILE_FORMATS",
    "Component",
    "ComponentKind",
    "FileFormat",
    "FileSpec",
    "Project",
    "canonical_name",
]

ComponentKind = Literal["service", "model", "api", "schema", "config", "infra", "library"]
COMPONENT_KINDS: Final[tuple[ComponentKind, ...]] = (
    "service",
    "model",
    "api",
    "schema",
    "config",
    "infra",
    "library",
)

FileFormat = Literal[
    "version-file",  # the seed's KEY=VALUE VERSION file (MAJOR_VERSION=..., PRERELEASE=, ...)
    "plain",  # a file holding only the version
    "toml",  # a TOML key, default ``project.version`` (pyproject.toml)
    "python",  # ``__version__ = "..."`` (or another variable) in a Python file
    "yaml",  # a YAML key by dotted path: Chart.yaml ``appVersion``, values.yaml ``image.tag``
    "json",  # a JSON key by dotted path, default ``version`` (package.json)
    "image",  # image references ``registry/name:TAG`` of one configured image, in any text file
    "pattern",  # a search/replace pattern with a ``{version}`` placeholder
    "dockerfile",  # ``LABEL version=`` (seed 9.2.1) and ``org.opencontainers.image.version``
]
FILE_FORMATS: Final[tuple[FileFormat, ...]] = (
    "version-file",
    "plain",
    "toml",
    "python",
    "yaml",
    "json",
    "image",
    "pattern",
    "dockerfile",
)


@dataclass(frozen=True, slots=True)
class FileSpec:
    """One place a component's version is written.

    ``key`` is the dotted path for ``toml``/``yaml``/``json`` and the variable name for ``python``;
    ``image`` is the image name without tag (``registry.example.com/aiops/api``) for ``image``;
    ``pattern`` holds ``{version}`` for ``pattern``. ``count`` is how many places must match: the
    default (``None``) means exactly one, except for ``image`` where it means one or more.
    """

    path: str
    format: FileFormat
    key: str | None = None
    image: str | None = None
    pattern: str | None = None
    count: int | None = None

    def describe(self) -> str:
        """Short human label: ``Chart.yaml (yaml appVersion)``."""
        detail = self.key or self.image or self.pattern
        return f"{self.path} ({self.format}{' ' + detail if detail else ''})"


@dataclass(frozen=True, slots=True)
class Component:
    """A versioned part of the platform (seed 2.1)."""

    name: str
    kind: ComponentKind
    #: Where the component's own version is read from: the first of ``files`` unless named.
    source: FileSpec | None
    files: tuple[FileSpec, ...] = ()
    #: Repository paths whose commits belong to this component (monorepo history, changelog).
    paths: tuple[str, ...] = ()
    description: str = ""
    #: A component grouping for the status tree ("Application Services", "AI/ML Models", ...).
    group: str = ""
    #: Version as declared in the config when no file carries it (e.g. an external schema).
    declared_version: str | None = None
    #: The component carries the platform version (seed 2.1: API Service v2.1.0 = platform
    #: v2.1.0): its files are synced from the platform's source, and it has no source of its own.
    follows_platform: bool = False

    @property
    def version_source(self) -> FileSpec | None:
        """The file the component's version is read from, if any."""
        if self.source is not None:
            return self.source
        return self.files[0] if self.files else None


@dataclass(frozen=True, slots=True)
class Project:
    """A platform repository as described by its configuration."""

    #: Absolute path of the repository root (the directory holding the config file).
    root: str
    #: Path of the config file the project was loaded from.
    config_path: str
    name: str
    #: The platform version's own source (e.g. the seed's VERSION file); may be None.
    platform_source: FileSpec | None
    #: Further files that carry the platform version (besides the source).
    platform_files: tuple[FileSpec, ...] = ()
    components: tuple[Component, ...] = field(default=())
    tag_format: str = "v{version}"
    #: Tag format for per-component tags in a monorepo.
    component_tag_format: str = "{component}-v{version}"

    def component(self, name: str) -> Component | None:
        """The component called ``name``, if declared."""
        return next((c for c in self.components if c.name == name), None)


def canonical_name(name: str) -> str:
    """The name used to match components across sources: ``rag_search`` = ``RAG-Search``.

    >>> canonical_name("RAG_Search.v2")
    'rag-search-v2'
    """
    return re.sub(r"[-_.]+", "-", name).lower()
