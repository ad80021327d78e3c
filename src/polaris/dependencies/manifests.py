"""Read what projects really have: requirement files, ``pyproject.toml`` and lock files.

One entry point, :func:`read_file`, picks the reader by file name: ``requirements*.txt`` and
``*.in`` (pip), ``pyproject.toml`` (PEP 621 dependencies, optional dependencies and PEP 735
dependency groups), ``uv.lock``, ``poetry.lock``, ``Pipfile.lock``, ``package-lock.json`` (v1 to
v3) and ``package.json`` (npm ranges, checked with Polaris's range engine).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from polaris.core.errors import InvalidInput, Location
from polaris.core.semver import Version as SemVer
from polaris.dependencies.requirements_txt import parse_requirements, pin_of
from polaris.dependencies.rules import Dependency, Ecosystem

__all__ = ["MANIFEST_GLOBS", "Manifest", "discover", "read_file"]

#: What ``discover`` looks for in a directory, in this order.
MANIFEST_GLOBS = (
    "requirements*.txt",
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "package-lock.json",
)


class Manifest:
    """The dependencies one file declares, and whether it is a lock file."""

    __slots__ = ("dependencies", "is_lock", "kind", "path", "ranges")

    def __init__(
        self,
        path: str,
        kind: str,
        dependencies: list[Dependency],
        *,
        is_lock: bool,
        ranges: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.kind = kind
        self.dependencies = dependencies
        self.is_lock = is_lock
        #: For a manifest of ranges (package.json, pyproject): name -> range as written.
        self.ranges = ranges or {}


def discover(root: Path) -> list[Path]:
    """The dependency files directly in ``root``, in :data:`MANIFEST_GLOBS` order."""
    found: list[Path] = []
    for pattern in MANIFEST_GLOBS:
        found.extend(sorted(p for p in root.glob(pattern) if p.is_file()))
    return found


def read_file(path: Path, *, display: str | None = None) -> Manifest:
    """Read ``path`` by its name; ``display`` is how errors name it.

    :raises InvalidInput: the file is malformed (naming file, line or field), or of no known kind.
    """
    shown = display or str(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read: {exc}", location=Location(file=shown)) from None
    if name.endswith((".txt", ".in")):
        return _requirements(path, text, shown)
    if name == "pyproject.toml":
        return _pyproject(_toml(text, shown), shown, text)
    if name in ("uv.lock", "poetry.lock"):
        return _toml_lock(_toml(text, shown), shown, name)
    if name == "Pipfile.lock":
        return _pipfile_lock(_json(text, shown), shown)
    if name == "package-lock.json":
        return _npm_lock(_json(text, shown), shown)
    if name == "package.json":
        return _package_json(_json(text, shown), shown)
    raise InvalidInput(
        "not a dependency file Polaris reads",
        location=Location(file=shown),
        hint="requirements*.txt, pyproject.toml, uv.lock, poetry.lock, Pipfile.lock, "
        "package-lock.json or package.json",
    )


def _toml(text: str, shown: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"not TOML: {exc}", location=Location(file=shown)) from None


def _json(text: str, shown: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not JSON: {exc.msg}", location=Location(file=shown, line=exc.lineno)
        ) from None


def _requirements(path: Path, text: str, shown: str) -> Manifest:
    base = path.parent
    shown_base = shown.rsplit("/", 1)[0] + "/" if "/" in shown else ""

    def load(ref: str, from_source: str) -> tuple[str, str]:
        rel = Path(from_source).parent if from_source != shown else Path()
        target = base / rel / ref if not Path(ref).is_absolute() else Path(ref)
        try:
            return target.read_text(encoding="utf-8"), f"{shown_base}{(rel / ref).as_posix()}"
        except OSError as exc:
            raise InvalidInput(
                f"cannot read included file {ref}: {exc.strerror}",
                location=Location(file=from_source),
            ) from None

    parsed = parse_requirements(text, source=shown, load=load)
    is_lock = bool(parsed.dependencies) and all(
        d.version is not None and d.hashes for d in parsed.dependencies
    )
    return Manifest(shown, "requirements", parsed.dependencies, is_lock=is_lock)


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return 0 if at < 0 else text.count("\n", 0, at) + 1


def _pep508(items: Any, shown: str, field: str, group: str | None, text: str) -> list[Dependency]:
    if not isinstance(items, list):
        raise InvalidInput(
            "expected a list of requirements", location=Location(file=shown, field=field)
        )
    out: list[Dependency] = []
    for i, item in enumerate(items):
        if isinstance(item, dict):  # a PEP 735 {include-group = "..."}: resolved by the caller
            continue
        where = Location(file=shown, line=_line_of(text, str(item)) or None, field=f"{field}[{i}]")
        if not isinstance(item, str):
            raise InvalidInput("expected a requirement string", location=where)
        try:
            req = Requirement(item)
        except InvalidRequirement as exc:
            raise InvalidInput(f"not a requirement: {exc}", location=where) from None
        out.append(
            Dependency(
                name=req.name,
                ecosystem=Ecosystem.PYPI,
                version=pin_of(req),
                specifier=str(req.specifier),
                source=shown,
                line=where.line or 0,
                extras=tuple(sorted(req.extras)),
                marker=None if req.marker is None else str(req.marker),
                group=group,
            )
        )
    return out


def _pyproject(doc: dict[str, Any], shown: str, text: str) -> Manifest:
    project = doc.get("project", {})
    deps = _pep508(project.get("dependencies", []), shown, "project.dependencies", None, text)
    for extra, items in (project.get("optional-dependencies") or {}).items():
        deps += _pep508(items, shown, f"project.optional-dependencies.{extra}", extra, text)
    groups = doc.get("dependency-groups") or {}
    for name in groups:
        for item in _expand_group(groups, name, shown, ()):
            deps += _pep508([item], shown, f"dependency-groups.{name}", name, text)
    ranges = {d.key: d.specifier for d in deps}
    return Manifest(shown, "pyproject", deps, is_lock=False, ranges=ranges)


def _expand_group(
    groups: dict[str, Any], name: str, shown: str, stack: tuple[str, ...]
) -> list[str]:
    if name in stack:
        raise InvalidInput(
            f"dependency group cycle: {' -> '.join((*stack, name))}",
            location=Location(file=shown, field=f"dependency-groups.{name}"),
        )
    if name not in groups:
        raise InvalidInput(
            f"include-group names an unknown group {name!r}",
            location=Location(file=shown, field="dependency-groups"),
        )
    out: list[str] = []
    for item in groups[name]:
        if isinstance(item, dict) and "include-group" in item:
            out += _expand_group(groups, str(item["include-group"]), shown, (*stack, name))
        elif isinstance(item, str):
            out.append(item)
    return out


def _hashes(values: Iterable[Any]) -> tuple[str, ...]:
    out = []
    for v in values:
        text = v.get("hash") if isinstance(v, dict) else v
        if isinstance(text, str) and ":" in text:
            out.append(text.lower())
    return tuple(dict.fromkeys(out))


def _toml_lock(doc: dict[str, Any], shown: str, name: str) -> Manifest:
    packages = doc.get("package", [])
    if not isinstance(packages, list):
        raise InvalidInput(
            "expected [[package]] tables", location=Location(file=shown, field="package")
        )
    meta_files = (doc.get("metadata") or {}).get("files") or {}
    deps: list[Dependency] = []
    for i, pkg in enumerate(packages):
        where = Location(file=shown, field=f"package[{i}]")
        if not isinstance(pkg, dict) or "name" not in pkg or "version" not in pkg:
            raise InvalidInput("a package needs a name and a version", location=where)
        source = pkg.get("source") or {}
        if (
            name == "uv.lock"
            and isinstance(source, dict)
            and ("editable" in source or "virtual" in source)
        ):
            continue  # the project itself
        files: list[Any] = []
        if name == "uv.lock":
            if isinstance(pkg.get("sdist"), dict):
                files.append(pkg["sdist"])
            files += pkg.get("wheels", [])
        else:
            files += pkg.get("files", []) or meta_files.get(pkg["name"], [])
        category = pkg.get("category")
        deps.append(
            Dependency(
                name=str(pkg["name"]),
                ecosystem=Ecosystem.PYPI,
                version=str(pkg["version"]),
                specifier=f"=={pkg['version']}",
                source=shown,
                hashes=_hashes(files),
                group="dev" if category == "dev" else None,
            )
        )
    return Manifest(shown, name, deps, is_lock=True)


def _pipfile_lock(doc: Any, shown: str) -> Manifest:
    if not isinstance(doc, dict):
        raise InvalidInput("expected a JSON object", location=Location(file=shown))
    deps: list[Dependency] = []
    for section, group in (("default", None), ("develop", "dev")):
        for pkg, info in (doc.get(section) or {}).items():
            where = Location(file=shown, field=f"{section}.{pkg}")
            if not isinstance(info, dict):
                raise InvalidInput("expected an object", location=where)
            version = str(info.get("version", ""))
            if not version.startswith("=="):
                continue  # a VCS or path entry: not from an index
            deps.append(
                Dependency(
                    name=pkg,
                    ecosystem=Ecosystem.PYPI,
                    version=version[2:],
                    specifier=version,
                    source=shown,
                    hashes=_hashes(info.get("hashes", [])),
                    marker=info.get("markers"),
                    group=group,
                )
            )
    return Manifest(shown, "Pipfile.lock", deps, is_lock=True)


def _npm_version(version: Any, where: Location) -> str:
    if not isinstance(version, str) or not SemVer.is_valid(version):
        raise InvalidInput(f"not a SemVer version: {version!r}", location=where)
    return version


def _npm_lock(doc: Any, shown: str) -> Manifest:
    if not isinstance(doc, dict):
        raise InvalidInput("expected a JSON object", location=Location(file=shown))
    deps: list[Dependency] = []
    packages = doc.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for path, info in packages.items():
            if not path or not isinstance(info, dict) or info.get("link"):
                continue
            name = info.get("name") or path.rsplit("node_modules/", 1)[-1]
            where = Location(file=shown, field=f"packages.{path}")
            deps.append(_npm_dep(name, info, where, shown))
    else:  # lockfileVersion 1: nested "dependencies"
        stack = [("", doc.get("dependencies") or {})]
        while stack:
            prefix, level = stack.pop()
            for name, info in level.items():
                where = Location(file=shown, field=f"dependencies.{prefix}{name}")
                deps.append(_npm_dep(name, info, where, shown))
                stack.append((f"{prefix}{name}.", info.get("dependencies") or {}))
    return Manifest(shown, "package-lock.json", deps, is_lock=True)


def _npm_dep(name: str, info: dict[str, Any], where: Location, shown: str) -> Dependency:
    version = _npm_version(info.get("version"), where)
    integrity = info.get("integrity")
    hashes = tuple(str(integrity).split()) if integrity else ()
    return Dependency(
        name=name,
        ecosystem=Ecosystem.NPM,
        version=version,
        specifier=version,
        source=shown,
        hashes=hashes,
        group="dev" if info.get("dev") else None,
    )


def _package_json(doc: Any, shown: str) -> Manifest:
    if not isinstance(doc, dict):
        raise InvalidInput("expected a JSON object", location=Location(file=shown))
    deps: list[Dependency] = []
    for section, group in (("dependencies", None), ("devDependencies", "dev")):
        for name, spec in (doc.get(section) or {}).items():
            deps.append(
                Dependency(
                    name=name,
                    ecosystem=Ecosystem.NPM,
                    version=spec if isinstance(spec, str) and SemVer.is_valid(spec) else None,
                    specifier=str(spec),
                    source=shown,
                    group=group,
                )
            )
    return Manifest(
        shown, "package.json", deps, is_lock=False, ranges={d.key: d.specifier for d in deps}
    )
