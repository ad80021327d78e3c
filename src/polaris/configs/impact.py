"""What the configuration changes since the last release mean for the next version.

``polaris version next`` asks this module when the project has a ``[configs]`` table: the
working tree's configuration files (the newest version of the layout, as on disk, uncommitted
edits included) are compared with the files at the last release tag in git (the newest version
of the layout in that tree), environment by environment, and each change is classified by
:func:`polaris.configs.rules.classify` (seed 2.2.2): a change is a patch; a removed key or a
changed type that a schema marks required is breaking (major). The schema is read on both
sides (at the tag and in the working tree), so a requirement dropped together with its key is
still breaking.

The git tree is the baseline because it needs no store: it works in CI and in a fresh clone,
exactly where the commit-based answer works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from polaris.configs.layout import ConfigLayout, find_layout, version_key
from polaris.configs.loaders import FORMATS, load_config, parse_text
from polaris.configs.rules import Bump, Change, classify, diff
from polaris.core.errors import InvalidInput, Location
from polaris.scm.git import Git

__all__ = ["ConfigImpact", "EnvironmentImpact", "config_impact"]

#: Changes described per environment in the reasons (the count says how many more there are).
SHOWN = 3


@dataclass(frozen=True, slots=True)
class EnvironmentImpact:
    """One environment's file: what changed since the release and the bump it needs."""

    environment: str
    old_file: str | None
    new_file: str | None
    bump: Bump
    changes: int
    #: The first changes, described (``database.mysql.port: 3306 -> 3307``; secrets masked).
    examples: tuple[str, ...]
    #: The changes that make it breaking, described.
    breaking: tuple[str, ...]

    def why(self) -> str:
        """One line for the reasons: what changed and why it is this bump."""
        if self.breaking:
            shown = "; ".join(self.breaking[:SHOWN])
            more = len(self.breaking) - SHOWN
            extra = f" (+{more} more)" if more > 0 else ""
            return f"major: a key the schema requires removed or retyped: {shown}{extra}"
        if self.old_file is None:
            return "patch: a new environment file"
        if self.new_file is None:
            return "patch: the environment file was removed"
        shown = "; ".join(self.examples)
        more = self.changes - len(self.examples)
        extra = f" (+{more} more)" if more > 0 else ""
        return f"patch: configuration change {shown}{extra}"


@dataclass(frozen=True, slots=True)
class ConfigImpact:
    """The configuration changes since ``base`` (a tag) and the bump they call for."""

    base: str
    bump: Bump
    environments: tuple[EnvironmentImpact, ...]


def _newest(files: Mapping[tuple[str, str], Any]) -> dict[str, Any]:
    """The entries of the newest version, by environment."""
    if not files:
        return {}
    newest = max({v for _e, v in files}, key=version_key)
    return {e: item for (e, v), item in files.items() if v == newest}


def _at_ref(git: Git, layout: ConfigLayout, ref: str) -> dict[str, tuple[str, Any]]:
    """The newest version's documents in the tree of ``ref``: environment -> (path, data)."""
    rel_root = layout.root.resolve().relative_to(git.toplevel().resolve()).as_posix()
    listing = git.run("ls-tree", "-r", "-z", "--name-only", ref, "--", rel_root, check=False)
    named: dict[tuple[str, str], str] = {}
    for name in filter(None, listing.split("\0")):
        path = PurePosixPath(name)
        if path.suffix.lower() not in FORMATS:
            continue
        hit = layout.match(path.relative_to(rel_root).as_posix() if rel_root != "." else name)
        if hit is not None:
            named[hit] = name
    out: dict[str, tuple[str, Any]] = {}
    for env, name in _newest(named).items():
        text = git.run("show", f"{ref}:{name}")
        if len(text.encode()) > layout.max_bytes:
            raise InvalidInput(
                f"the file at {ref} is larger than max_bytes ({layout.max_bytes})",
                location=Location(file=name),
            )
        fmt = FORMATS[PurePosixPath(name).suffix.lower()]
        out[env] = (name, parse_text(text, fmt, f"{ref}:{name}"))
    return out


def _schema_at_ref(git: Git, layout: ConfigLayout, env: str, ref: str) -> Mapping[str, Any] | None:
    path = layout.schema_for(env)
    if path is None:
        return None
    rel = path.resolve().relative_to(git.toplevel().resolve()).as_posix()
    text = git.run("show", f"{ref}:{rel}", check=False)
    if not text:
        return None
    data = parse_text(text, FORMATS.get(PurePosixPath(rel).suffix.lower(), "json"), rel)
    return data if isinstance(data, Mapping) else None


def _schema_here(layout: ConfigLayout, env: str) -> Mapping[str, Any] | None:
    path = layout.schema_for(env)
    if path is None or not path.is_file():
        return None
    data = load_config(path, layout.project_dir, max_bytes=layout.max_bytes).data
    return data if isinstance(data, Mapping) else None


def _judge(
    changes: list[Change], schemas: list[Mapping[str, Any] | None]
) -> tuple[Bump, list[Change]]:
    breaking: dict[str, Change] = {}
    bump = Bump.NONE
    for schema in schemas or [None]:
        level, hits = classify(changes, schema)
        bump = Bump.MAJOR if Bump.MAJOR in (bump, level) else level
        breaking.update((c.where, c) for c in hits)
    return bump, list(breaking.values())


def config_impact(project_dir: Path, base_ref: str, base_name: str) -> ConfigImpact:
    """The configuration changes between the tree of ``base_ref`` (the last release, named
    ``base_name``) and the working tree, and the bump they call for.

    :raises InvalidInput: a file that cannot be parsed (file:line), on either side.
    """
    layout = find_layout(project_dir)
    git = Git(project_dir)
    old = _at_ref(git, layout, base_ref)
    here = {(f.environment, f.version): f for f in layout.files()}
    new = {
        env: (str(f.path.relative_to(layout.project_dir)), load_config(f.path, layout.root).data)
        for env, f in _newest(here).items()
    }
    impacts: list[EnvironmentImpact] = []
    for env in layout.environments:
        if env not in old and env not in new:
            continue
        old_name, old_data = old.get(env, (None, {}))
        new_name, new_data = new.get(env, (None, {}))
        changes = diff(old_data, new_data)
        if not changes:
            continue
        schemas = [_schema_at_ref(git, layout, env, base_ref), _schema_here(layout, env)]
        bump, breaking = _judge(changes, [s for s in schemas if s is not None])
        impacts.append(
            EnvironmentImpact(
                environment=env,
                old_file=old_name,
                new_file=new_name,
                bump=bump,
                changes=len(changes),
                examples=tuple(c.describe() for c in changes[:SHOWN]),
                breaking=tuple(c.describe() for c in breaking),
            )
        )
    overall = Bump.NONE
    for item in impacts:
        if item.bump is Bump.MAJOR:
            overall = Bump.MAJOR
        elif overall is Bump.NONE:
            overall = Bump.PATCH
    return ConfigImpact(base_name, overall, tuple(impacts))
