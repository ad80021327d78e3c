"""The optional ``[release]`` table of ``polaris.toml``: commit types, bump rules, changelog."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

from polaris.commits.bump import BUMP_PRESETS, BumpRules, Level
from polaris.commits.changelog import MARKER
from polaris.commits.rules import DEFAULT_SECTIONS, CommitRules
from polaris.core.errors import ConfigError, Location
from polaris.core.project import Project

__all__ = ["ReleaseConfig", "load_release_config"]


@dataclass(frozen=True, slots=True)
class ReleaseConfig:
    """The ``[release]`` table of ``polaris.toml`` (``[tool.polaris.release]``); all optional."""

    rules: CommitRules = field(default_factory=CommitRules)
    bump: BumpRules = field(default_factory=BumpRules)
    changelog: str = "CHANGELOG.md"
    marker: str = MARKER
    #: Prerelease tags start their own changelog sections (default: folded into the release).
    include_prereleases: bool = False
    remote: str = "origin"
    commit_message: str = "chore(release): {tag}"
    templates: str = ".polaris/templates"
    #: The annotated tag's message: ``{notes}`` is the release notes.
    tag_message: str = "{notes}"


#: The document's release commit and tag (seed 3.1.3), the default where the platform version
#: lives in the document's VERSION file.
DOCUMENT_COMMIT_MESSAGE: Final = "Bump version to {tag}"
DOCUMENT_TAG_MESSAGE: Final = "Release {tag}\n\n{notes}"


def _has_document_version_file(project: Project) -> bool:
    source = project.platform_source
    return source is not None and source.format == "version-file"


def _release_table(project: Project) -> tuple[Mapping[str, Any], str]:
    path = Path(project.config_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}, ""
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("polaris", {})
        prefix = "tool.polaris.release"
    else:
        prefix = "release"
    table = data.get("release", {})
    if not isinstance(table, dict):
        raise ConfigError("expected a table", location=Location(file=path.name, field=prefix))
    return table, prefix


def load_release_config(project: Project) -> ReleaseConfig:
    """Read the optional ``[release]`` table; unknown keys and wrong types are errors.

    Keys: ``types`` (type -> section, added to the defaults), ``bump`` (type -> major|minor|patch,
    replacing the preset's mapping), ``major_zero_breaking`` (minor|major), ``merges`` (skip|parse),
    ``strict_types``, ``changelog``, ``include_prereleases``, ``remote``, ``commit_message``,
    ``tag_message``, ``bump_preset`` (``document``, the default: seed 2.2.2; or
    ``conventional``), ``exclude`` (commits left out, ``type`` or ``type(scope)``; default
    ``["chore(release)"]``).
    """
    table, prefix = _release_table(project)
    file = Path(project.config_path).name

    def bad(key: str, expected: str) -> ConfigError:
        return ConfigError(
            f"expected {expected}, got {table[key]!r}",
            location=Location(file=file, field=f"{prefix}.{key}"),
        )

    known = {
        "types",
        "bump",
        "major_zero_breaking",
        "merges",
        "strict_types",
        "changelog",
        "include_prereleases",
        "remote",
        "commit_message",
        "tag_message",
        "bump_preset",
        "exclude",
    }
    for key in table:
        if key not in known:
            raise ConfigError(
                f"unknown key {key!r}",
                location=Location(file=file, field=f"{prefix}.{key}"),
                hint=f"known keys: {', '.join(sorted(known))}",
            )
    sections = dict(DEFAULT_SECTIONS)
    if "types" in table:
        types = table["types"]
        if not isinstance(types, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in types.items()
        ):
            raise bad("types", 'a table of type = "Section title"')
        sections.update({k.lower(): v for k, v in types.items()})
    preset = table.get("bump_preset", "document")
    if preset not in BUMP_PRESETS:
        raise bad("bump_preset", " or ".join(f'"{name}"' for name in BUMP_PRESETS))
    levels: dict[str, Level] = dict(BUMP_PRESETS[preset])
    if "bump" in table:
        bump = table["bump"]
        if not isinstance(bump, dict) or not all(
            v in ("major", "minor", "patch") for v in bump.values()
        ):
            raise bad("bump", 'a table of type = "major" | "minor" | "patch"')
        levels = {k.lower(): cast("Level", v) for k, v in bump.items()}
    mzb = table.get("major_zero_breaking", "minor")
    if mzb not in ("minor", "major"):
        raise bad("major_zero_breaking", '"minor" or "major"')
    merges = table.get("merges", "skip")
    if merges not in ("skip", "parse"):
        raise bad("merges", '"skip" or "parse"')
    for key in ("strict_types", "include_prereleases"):
        if key in table and not isinstance(table[key], bool):
            raise bad(key, "true or false")
    exclude = table.get("exclude", ["chore(release)"])
    if not isinstance(exclude, list) or not all(isinstance(e, str) and e for e in exclude):
        raise bad("exclude", 'a list of "type" or "type(scope)"')
    for key in ("changelog", "remote", "commit_message", "tag_message"):
        if key in table and (not isinstance(table[key], str) or not table[key]):
            raise bad(key, "a non-empty string")
    if "{tag}" not in table.get("commit_message", "{tag}") and "{version}" not in table.get(
        "commit_message", "{version}"
    ):
        raise bad("commit_message", "a message holding {tag} or {version}")
    rules = CommitRules(
        sections=sections,
        merges=cast("Literal['skip', 'parse']", merges),
        strict_types=table.get("strict_types", True),
        exclude=tuple(e.lower() for e in exclude),
    )
    document = _has_document_version_file(project)
    return ReleaseConfig(
        rules=rules,
        bump=BumpRules(levels=levels, major_zero_breaking=cast("Level", mzb)),
        changelog=table.get("changelog", "CHANGELOG.md"),
        include_prereleases=table.get("include_prereleases", False),
        remote=table.get("remote", "origin"),
        commit_message=table.get(
            "commit_message", DOCUMENT_COMMIT_MESSAGE if document else "chore(release): {tag}"
        ),
        tag_message=table.get("tag_message", DOCUMENT_TAG_MESSAGE if document else "{notes}"),
    )
