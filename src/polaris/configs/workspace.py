"""The configuration files of a working tree: load, validate, hash, lint and render them.

This is the file side of ``polaris config``; :mod:`polaris.configs.service` records what it
produces. Each file is read once (bounded, inside the root), parsed, checked against its schema
and hashed; a problem in any file stops the whole set, so nothing is recorded half.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polaris.configs.layout import ConfigFile, ConfigLayout
from polaris.configs.lint import Finding, lint
from polaris.configs.loaders import LoadedConfig, load_config
from polaris.configs.rules import ConfigHash, config_hash
from polaris.configs.schema import ConfigSchema, SchemaProblem, SchemaViolations, load_schema
from polaris.configs.secrets import SecretResolver, default_resolvers, render, unresolved

__all__ = ["WorkingConfig", "Workspace"]


@dataclass(frozen=True, slots=True)
class WorkingConfig:
    """One environment's file as read from the working tree, hashed."""

    environment: str
    version: str
    doc: LoadedConfig
    hash: ConfigHash


class Workspace:
    """The configuration files of one repository, read through its :class:`ConfigLayout`."""

    def __init__(self, layout: ConfigLayout) -> None:
        self.layout = layout
        self._schemas: dict[Path, ConfigSchema] = {}

    def schema(self, env: str) -> ConfigSchema | None:
        """The checked schema for ``env`` (loaded once), or ``None`` when none is configured."""
        path = self.layout.schema_for(env)
        if path is None:
            return None
        if path not in self._schemas:
            self._schemas[path] = load_schema(path, self.layout.project_dir)
        return self._schemas[path]

    def load(self, file: ConfigFile) -> WorkingConfig:
        """Read and hash one file (not validated)."""
        doc = load_config(file.path, self.layout.root, max_bytes=self.layout.max_bytes)
        return WorkingConfig(file.environment, file.version, doc, config_hash(doc.data))

    def load_path(self, path: Path, env: str, version: str = "") -> WorkingConfig:
        """Read and hash a file named directly (it must still be inside the root)."""
        return self.load(ConfigFile(env, version, path))

    def problems(self, configs: list[WorkingConfig]) -> list[SchemaProblem]:
        """Every schema problem of ``configs``."""
        out: list[SchemaProblem] = []
        for c in configs:
            schema = self.schema(c.environment)
            if schema is not None:
                out.extend(schema.problems(c.doc, str(self.layout.root / c.doc.path)))
        return out

    def read(
        self, version: str | None = None, env: str | None = None, *, validate: bool = True
    ) -> list[WorkingConfig]:
        """The files of ``version`` (newest by default), read, hashed and (by default) valid.

        :raises SchemaViolations: listing every problem of every file.
        """
        configs = [self.load(f) for f in self.layout.select(version, env)]
        if validate:
            problems = self.problems(configs)
            if problems:
                raise SchemaViolations(problems)
        return configs

    def lint(
        self,
        version: str | None = None,
        *,
        check_references: bool = False,
        resolvers: Mapping[str, SecretResolver] | None = None,
    ) -> list[Finding]:
        """Lint every environment of ``version`` together (see :mod:`polaris.configs.lint`)."""
        configs = self.read(version, validate=False)
        docs = {c.environment: c.doc.data for c in configs}
        missing: dict[str, list[str]] | None = None
        if check_references:
            res = resolvers or default_resolvers(self.layout.project_dir)
            missing = {c.environment: unresolved(c.doc.data, res) for c in configs}
        return lint(
            docs,
            version=configs[0].version or None,
            must_match=self.layout.must_match,
            unresolved=missing,
        )

    def render(
        self,
        env: str,
        version: str | None = None,
        *,
        resolvers: Mapping[str, SecretResolver] | None = None,
    ) -> tuple[WorkingConfig, Any]:
        """``env``'s file with its references resolved (for a deployment; never stored)."""
        (config,) = self.read(version, env)
        res = resolvers or default_resolvers(self.layout.project_dir)
        return config, render(config.doc.data, res, file=config.doc.path)
