"""Dependency use cases: read the files, ask the index, apply the policies.

The CLI and the HTTP routes call these; the index and advisory sources are handed in (adapters
behind :class:`~polaris.dependencies.index.PackageIndex` and
:class:`~polaris.dependencies.osv.VulnerabilitySource`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from polaris.atomic import read_text, write_all
from polaris.core.errors import InvalidInput, Location
from polaris.dependencies.index import PackageIndex, ProjectPage
from polaris.dependencies.lock_rules import LockProblem, check_hashes, check_manifest
from polaris.dependencies.manifests import Manifest, discover, read_file
from polaris.dependencies.policy import load_policy
from polaris.dependencies.rules import Dependency, Ecosystem, PolicyBook, StatusRow, status_row
from polaris.dependencies.updates import Proposal, propose, rewrite, unified

__all__ = [
    "LockReport",
    "UpdatePlan",
    "Workspace",
    "fetch_pages",
    "lock_check",
    "open_workspace",
    "pinned",
    "plan_update",
    "status",
]

POLICY_FILE = "dependencies.yml"


@dataclass(slots=True)
class Workspace:
    """The dependency files of one directory (a platform repo), read, with its policy book."""

    root: Path
    manifests: list[Manifest]
    book: PolicyBook

    @property
    def dependencies(self) -> list[Dependency]:
        """Every dependency of every file, in file order."""
        return [d for m in self.manifests for d in m.dependencies]


def open_workspace(
    root: Path, files: Sequence[Path] = (), *, policy: Path | None = None
) -> Workspace:
    """Read ``files`` (default: those :func:`discover` finds in ``root``) and the policy file."""
    paths = list(files) or discover(root)
    if not paths:
        raise InvalidInput(
            "no dependency files found",
            location=Location(file=str(root)),
            hint="name files (requirements.txt, uv.lock, ...) or run in a project that has them",
        )
    manifests = []
    for p in paths:
        full = p if p.is_absolute() else root / p
        try:
            shown = full.relative_to(root).as_posix()
        except ValueError:
            shown = str(full)
        manifests.append(read_file(full, display=shown))
    policy_path = policy if policy is not None else root / POLICY_FILE
    if policy is not None and not policy.exists():
        raise InvalidInput("policy file not found", location=Location(file=str(policy)))
    return Workspace(root, manifests, load_policy(policy_path, display=policy_path.name))


def pinned(deps: Iterable[Dependency]) -> list[Dependency]:
    """The pinned dependencies, each (ecosystem, name, version) once, first occurrence kept."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for d in deps:
        if d.version is None:
            continue
        key = (d.ecosystem.value, d.key, d.version)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def fetch_pages(index: PackageIndex, names: Iterable[str]) -> dict[str, ProjectPage | None]:
    """Each project's index page, fetched a few at a time; keyed by the name as given."""
    unique = list(dict.fromkeys(names))
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(index.project, unique))
    return dict(zip(unique, pages, strict=True))


def status(ws: Workspace, index: PackageIndex) -> list[StatusRow]:
    """Per PyPI package: pin, newest on the index, update type, category and what policy allows."""
    deps = [d for d in ws.dependencies if d.ecosystem == Ecosystem.PYPI]
    first: dict[str, Dependency] = {}
    for d in deps:
        if d.key not in first or (first[d.key].version is None and d.version is not None):
            first[d.key] = d
    pages = fetch_pages(index, first)
    return [
        status_row(dep, ws.book, None if pages[key] is None else pages[key].versions)  # type: ignore[union-attr]
        for key, dep in sorted(first.items())
    ]


@dataclass(slots=True)
class LockReport:
    """What ``polaris deps lock check`` found."""

    files: list[str]
    pins_checked: int
    problems: list[LockProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def lock_check(ws: Workspace, index: PackageIndex | None) -> LockReport:
    """Hashes of every lock pin against the index; locks against their manifests.

    Lock files are those that pin with hashes (a hashed requirements file, uv/poetry/Pipfile
    locks, package-lock.json). ``index=None`` skips the comparison with the index.
    """
    locks = [m for m in ws.manifests if m.is_lock or "lock" in m.path.rsplit("/", 1)[-1]]
    if not locks:
        raise InvalidInput(
            "no lock file among the files read",
            location=Location(file=str(ws.root)),
            hint="a requirements file with --hash on every pin, uv.lock, poetry.lock, "
            "Pipfile.lock or package-lock.json",
        )
    manifests = [m for m in ws.manifests if m not in locks]
    lock_deps = [d for m in locks for d in m.dependencies]
    pins = pinned(lock_deps)
    problems: list[LockProblem] = []
    if index is not None:
        py = [d for d in pins if d.ecosystem == Ecosystem.PYPI]
        pages = fetch_pages(index, (d.key for d in py))
        hashes: dict[str, dict[str, set[str]] | None] = {}
        for key, page in pages.items():
            if page is None:
                hashes[key] = None
                continue
            by_version: dict[str, set[str]] = {}
            for f in page.files:
                if f.version is not None:
                    by_version.setdefault(f.version, set()).update(
                        f"{a}:{h}" for a, h in f.hashes.items()
                    )
            hashes[key] = by_version
        problems += check_hashes(pins, hashes)
    else:
        problems += check_hashes(pins, {d.key: {d.version or "": set(d.hashes)} for d in pins})
    for m in manifests:
        eco = {d.ecosystem for d in m.dependencies}
        same_eco = [d for d in lock_deps if d.ecosystem in eco]
        if same_eco:
            problems += check_manifest(m.dependencies, same_eco)
    return LockReport(files=[m.path for m in locks], pins_checked=len(pins), problems=problems)


@dataclass(slots=True)
class UpdatePlan:
    """Proposals, the new text of each requirement file the automatic ones change, the diff."""

    root: Path
    proposals: list[Proposal]
    changes: dict[Path, str]
    diff: str

    def apply(self) -> list[str]:
        """Write every changed file, all or none."""
        return [p.as_posix() for p in write_all(self.changes, root=self.root)]

    def pinned_text(self, ws: Workspace) -> str:
        """Every pin after the update, one ``name==version`` per line, for pip's resolver."""
        target = {(p.name, p.current): p.target for p in self.proposals if p.action == "auto"}
        lines = []
        for d in pinned(x for x in ws.dependencies if x.ecosystem == Ecosystem.PYPI):
            if d.group == "constraint":
                continue
            extras = f"[{','.join(d.extras)}]" if d.extras else ""
            marker = f" ; {d.marker}" if d.marker else ""
            version = target.get((d.name, d.version or ""), d.version)
            lines.append(f"{d.name}{extras}=={version}{marker}")
        return "\n".join(dict.fromkeys(lines)) + "\n"


def plan_update(ws: Workspace, index: PackageIndex) -> UpdatePlan:
    """Proposals per policy for pins in requirement files; rewrites for the automatic ones."""
    req_files = {m.path for m in ws.manifests if m.kind == "requirements"}
    deps = [d for d in ws.dependencies if d.ecosystem == Ecosystem.PYPI and d.source]
    deps = [d for d in deps if d.source in req_files or d.source.endswith((".txt", ".in"))]
    pages = fetch_pages(index, {d.key for d in deps if d.version is not None})
    versions = {k: (None if p is None else p.versions) for k, p in pages.items()}
    proposals = propose(deps, ws.book, versions)
    by_file: dict[str, dict[int, tuple[str, str, str]]] = {}
    hashes: dict[tuple[str, str], list[str]] = {}
    hashed = {(d.source, d.line) for d in deps if d.hashes}
    for p in proposals:
        if p.action != "auto":
            continue
        by_file.setdefault(p.source, {})[p.line] = (p.name, p.current, p.target)
        page = pages.get(next(d.key for d in deps if d.name == p.name))
        if (p.source, p.line) in hashed and page is not None:
            hashes[(p.name, p.target)] = sorted(
                f"sha256:{f.hashes['sha256']}"
                for f in page.files
                if f.version == p.target and "sha256" in f.hashes
            )
    changes: dict[Path, str] = {}
    diff = []
    for source, edits in sorted(by_file.items()):
        path = ws.root / source
        old = read_text(path, display=source)
        new = rewrite(old, edits, hashes)
        if new != old:
            changes[path] = new
            diff.append(unified(source, old, new))
    return UpdatePlan(ws.root, proposals, changes, "".join(diff))
