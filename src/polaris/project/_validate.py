"""Schema validation of a parsed Polaris config into :mod:`polaris.core.project` records.

:class:`Validator` checks the ``[platform]`` and ``[components.<name>]`` tables and the rules that
join them (``follows_platform``, declared versions, places shared between components) on top of the
field checks of :class:`~polaris.project._checks.Checker`.
"""

from __future__ import annotations

import re
from typing import Final

from polaris.core.errors import InvalidVersion
from polaris.core.project import COMPONENT_KINDS, Component, ComponentKind, FileSpec, Project
from polaris.core.semver import Version
from polaris.project._checks import Checker, shown
from polaris.project._toml_lines import KeyPath

__all__ = ["Validator"]

#: ``databases`` (:mod:`polaris.project.databases`) and ``release`` (``services.releases``) are
#: validated where they are used (``configs``: polaris.configs.layout); only let through here.
_TOP_KEYS: Final = (
    "platform",
    "components",
    "databases",
    "release",
    "governance",
    "configs",
    "environments",
)
_PLATFORM_KEYS: Final = ("name", "version_source", "files", "tag_format", "component_tag_format")
_COMPONENT_KEYS: Final = (
    "kind",
    "group",
    "description",
    "follows_platform",
    "paths",
    "source",
    "files",
    "version",
)
_KINDS: Final[dict[str, ComponentKind]] = {k: k for k in COMPONENT_KINDS}
_NAME: Final = re.compile(r"[a-z0-9][a-z0-9_-]*")


class Validator(Checker):
    """Turns the parsed Polaris table into a :class:`Project`, collecting every problem."""

    # -- platform and components ----------------------------------------------------------------

    def project(self, body: object, *, config_path: str) -> Project | None:
        """The whole configuration; None when it has problems (see :attr:`problems`)."""
        top = self.table(body, (), "the Polaris configuration")
        if top is None:
            return None
        self.known_keys(top, (), _TOP_KEYS, dict.fromkeys(_PLATFORM_KEYS, "[platform]"))
        platform = top.get("platform")
        if platform is None:
            self.report(
                ("platform",),
                'required table missing: expected [platform] with at least name = "..."',
            )
        platform_table = (
            {} if platform is None else self.table(platform, ("platform",), "[platform]")
        )
        platform_table = platform_table if platform_table is not None else {}
        self.known_keys(platform_table, ("platform",), _PLATFORM_KEYS)
        required = isinstance(platform, dict)
        name = self.string(platform_table, ("platform",), "name", required=required)
        if name is not None and not name.strip():
            self.report(("platform", "name"), "expected a non-empty platform name")
        source = None
        if "version_source" in platform_table:
            source = self.file_spec(
                platform_table["version_source"], ("platform", "version_source")
            )
        platform_files = self.file_list(platform_table, ("platform",))
        tag_format = self._tag_option(platform_table, "tag_format", ("version",), "v{version}")
        component_tag_format = self._tag_option(
            platform_table,
            "component_tag_format",
            ("component", "version"),
            "{component}-v{version}",
        )
        has_source = "version_source" in platform_table
        components = self.components(top.get("components"), has_platform_source=has_source)
        self._check_shared_places(source, platform_files, components)
        if self._problems or name is None:
            return None
        return Project(
            root=str(self.root),
            config_path=config_path,
            name=name,
            platform_source=source,
            platform_files=platform_files,
            components=components,
            tag_format=tag_format,
            component_tag_format=component_tag_format,
        )

    def _tag_option(
        self, table: dict[str, object], key: str, placeholders: tuple[str, ...], default: str
    ) -> str:
        value = self.string(table, ("platform",), key)
        if value is None:
            return default
        return self.tag_format(value, ("platform", key), placeholders) or default

    def components(self, value: object, *, has_platform_source: bool) -> tuple[Component, ...]:
        if value is None:
            return ()
        table = self.table(value, ("components",), "[components.<name>] tables")
        if table is None:
            return ()
        out: list[Component] = []
        for name, body in table.items():
            path: KeyPath = ("components", name)
            if not _NAME.fullmatch(name):
                self.report(
                    path,
                    f"invalid component name {name!r}: expected lowercase letters, digits, '_' "
                    "and '-', starting with a letter or digit",
                )
            component = self.component(name, body, path, has_platform_source=has_platform_source)
            if component is not None:
                out.append(component)
        return tuple(out)

    def component(
        self, name: str, value: object, path: KeyPath, *, has_platform_source: bool
    ) -> Component | None:
        table = self.table(value, path, f"[components.{name}]")
        if table is None:
            return None
        before = len(self._problems)
        self.known_keys(table, path, _COMPONENT_KEYS)
        kind = self.choice(table, path, "kind", COMPONENT_KINDS)
        group = self.string(table, path, "group") or ""
        description = self.string(table, path, "description") or ""
        follows = table.get("follows_platform", False)
        if not isinstance(follows, bool):
            self.report(
                (*path, "follows_platform"),
                f"expected true or false, got {shown(follows)}",
            )
            follows = False
        paths = self._paths(table, path)
        source = self.file_spec(table["source"], (*path, "source")) if "source" in table else None
        files = self.file_list(table, path)
        version = self.string(table, path, "version")
        if version is not None:
            try:
                Version.parse(version)
            except InvalidVersion as exc:
                self.report((*path, "version"), f"expected a SemVer version: {exc.message}")
        if follows:
            for key in ("source", "version"):
                if key in table:
                    self.report(
                        (*path, key),
                        f"a component with follows_platform = true takes no {key}: "
                        "it carries the platform version",
                        f"remove {key} or set follows_platform = false",
                    )
            if not has_platform_source:
                self.report(
                    (*path, "follows_platform"),
                    "follows_platform = true needs [platform].version_source to read the "
                    "platform version from",
                )
        elif "version" in table and ("source" in table or "files" in table):
            self.report(
                (*path, "version"),
                "a declared version is only for components with no source or files "
                "(their files carry the version)",
                "remove version, or remove source and files",
            )
        elif not ({"source", "files", "version"} & table.keys()):
            self.report(
                path,
                "nothing gives this component a version: expected files, source, version or "
                "follows_platform = true",
            )
        if len(self._problems) > before or kind is None:
            return None
        return Component(
            name=name,
            kind=_KINDS[kind],
            source=source,
            files=files,
            paths=paths,
            description=description,
            group=group,
            declared_version=version,
            follows_platform=follows,
        )

    def _paths(self, table: dict[str, object], path: KeyPath) -> tuple[str, ...]:
        value = table.get("paths")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report((*path, "paths"), f"expected an array of paths, got {shown(value)}")
            return ()
        out = [self.rel_path(p, (*path, "paths", i), allow_root=True) for i, p in enumerate(value)]
        return tuple(p for p in out if p is not None)

    def _check_shared_places(
        self,
        source: FileSpec | None,
        platform_files: tuple[FileSpec, ...],
        components: tuple[Component, ...],
    ) -> None:
        """A place in a file can carry one version only: two owners with different versions clash.

        The platform and the components that follow it share the platform version, so they may
        name the same place; any other pair may not.
        """
        owner: dict[FileSpec, str] = {}
        for spec in (source, *platform_files):
            if spec is not None:
                owner.setdefault(spec, "platform")
        for comp in components:
            versioned_by = "platform" if comp.follows_platform else f"component {comp.name!r}"
            specs = dict.fromkeys(s for s in (comp.source, *comp.files) if s is not None)
            for spec in specs:
                other = owner.setdefault(spec, versioned_by)
                if other != versioned_by:
                    where: KeyPath = (
                        ("files", comp.files.index(spec)) if spec in comp.files else ("source",)
                    )
                    self.report(
                        ("components", comp.name, *where),
                        f"{spec.describe()} is also written by the {other}: one place can carry "
                        "only one version",
                    )
