"""Use cases from git history: the next version, the changelog, and the release itself.

A release is a sequence of steps (version files, ``CHANGELOG.md``, commit, tag, optional push);
when any step fails, every earlier one is undone, so the repository, its index and its files are
left exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from polaris.commits.bump import (
    LEVEL_ORDER,
    BumpDecision,
    Level,
    NextVersion,
    Reason,
    branch_build_version,
    decide,
    next_version,
    tag_name,
)
from polaris.commits.changelog import (
    ReleaseNotes,
    Remote,
    build_notes,
    insert_release,
    render_changelog,
    render_release,
    split_history,
)
from polaris.commits.rules import (
    Commit,
    CommitLintError,
    RawCommit,
    clean_message,
    lint_message,
    parse_commit,
    parse_commits,
    select_commits,
)
from polaris.core.errors import (
    ConfigError,
    Conflict,
    InvalidInput,
    Location,
    NotFound,
    PolarisError,
)
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.releases.config import ReleaseConfig, load_release_config
from polaris.releases.tags import (
    TagIndex,
    ancestry,
    read_tags,
    tag_candidates,
    tag_format,
    tag_index,
)
from polaris.scm.git import Git, GitError, Tag

if TYPE_CHECKING:
    import jinja2

    from polaris.configs.impact import ConfigImpact
    from polaris.versions import service as versioning

__all__ = [
    "ChangelogPlan",
    "NextReport",
    "ReleaseResult",
    "branch_version",
    "build_changelog",
    "compute_next",
    "history",
    "lint_file",
    "open_project_or_tags",
    "plan_auto_bump",
    "plan_changelog",
    "release",
    "release_notes",
    "render_notes",
    "tags_only_project",
    "write_changelog",
]


# -- next version ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NextReport:
    """``polaris version next``: the next version, why, and from where."""

    next: NextVersion
    tag: str | None
    last_tag: str | None
    component: str | None
    branch: str | None
    head: str | None
    commits: tuple[Commit, ...] = ()
    warnings: tuple[str, ...] = ()
    #: Why the base is not the last release tag on HEAD's history, when it is not.
    base_note: str | None = None
    #: The version the files carry, read when no release tag exists yet.
    current: Version | None = None
    #: The configuration changes since the last release (projects with ``[configs]``).
    config: ConfigImpact | None = None

    @property
    def version(self) -> Version | None:
        """The next version, or ``None`` when nothing calls for a release."""
        return self.next.next


#: The one-line note printed when a command runs from the tags alone.
TAGS_ONLY_NOTE = (
    "no polaris.toml: using the tag history (v{version} tags) with the default rules; "
    "`polaris init` or a polaris.toml configures more"
)


def tags_only_project(start: Path) -> Project | None:
    """A project read from git alone (tags ``v{version}``, no version files), or ``None`` when
    ``start`` is not inside a git working tree. Zero configuration, as git-cliff and
    semantic-release work from tags alone."""
    git = Git(start if start.is_dir() else start.parent)
    if not git.is_repo():
        return None
    root = git.toplevel()
    return Project(
        root=str(root),
        config_path=str(root / "polaris.toml"),  # absent: every optional table is empty
        name=root.name,
        platform_source=None,
    )


def open_project_or_tags(path: Path | None) -> tuple[Project, bool]:
    """The project at ``path`` (default: here), or without any config file one read from the git
    tags alone; the flag says which (the caller prints :data:`TAGS_ONLY_NOTE`)."""
    from polaris.project.load import find_config, load_project

    start = path if path is not None else Path.cwd()
    try:
        config = find_config(start)
    except ConfigError:
        proj = tags_only_project(start) if start.exists() else None
        if proj is None:
            raise
        return proj, True
    return load_project(config), False


def _git_for(project: Project) -> Git:
    git = Git(project.root)
    _require_repo(git, project)
    return git


def _require_repo(git: Git, project: Project) -> None:
    if not git.is_repo():
        raise NotFound(
            "not a git repository",
            location=Location(file=project.root),
            hint="run `git init` and commit, or point --project at a git working tree",
        )


def _paths(project: Project, component: str | None) -> tuple[str, ...]:
    if component is None:
        return ()
    comp = project.component(component)
    if comp is None:
        raise NotFound(
            f"no component named {component!r}",
            location=Location(file=project.config_path, field="components"),
        )
    return comp.paths


def _tags_and_head(
    git: Git, project: Project
) -> tuple[dict[str, list[Tag]], str | None, str | None]:
    """The tags, HEAD and the branch: one for-each-ref, which in a plain repository also tells
    HEAD and the branch; otherwise the rev-parse probe runs while it works."""
    learn = git.can_learn_head()
    tags_later = git.start_tags(learn_head=learn)
    try:
        if not learn:
            _require_repo(git, project)
    except BaseException:
        tags_later(check=False)
        raise
    try:
        tags = tags_later()
    except GitError:
        _require_repo(git, project)  # not a repository after all: say so
        raise
    _require_repo(git, project)  # known by now, or (detached or unborn HEAD) probed here
    head, branch = git.head_state()
    return tags, head, branch


def _since_last_release(
    git: Git,
    head: str | None,
    found: list[tuple[Version, str, str]],
    dates: dict[str, str],
    warnings: list[str],
    paths: tuple[str, ...],
) -> tuple[TagIndex, list[RawCommit]]:
    """The tag index and the commits since the last release reachable from HEAD."""
    top = next(((n, s, v) for v, n, s in found if not v.is_prerelease), None)
    if head is not None and top is not None and not paths:
        # Read ``HEAD ^top`` first and check afterwards that ``top`` is on HEAD's history: it is
        # exactly when it is HEAD or a parent of a commit read (the boundary of the walk). That
        # saves a ``merge-base --is-ancestor`` call in the usual case.
        raws = list(git.log(["HEAD", f"^{top[1]}"]))
        sha = top[1]
        if sha == head or any(sha in r.parents for r in raws):
            is_ancestor = ancestry(git)
            seen = {r.sha for r in raws}
            seen.add(head)

            def on_history(candidate: str) -> bool:
                return candidate == sha or candidate in seen or is_ancestor(candidate)

            return tag_index(found, dates, warnings, on_history), raws
    index = tag_index(found, dates, warnings, ancestry(git))
    if head is None:
        return index, []
    revs = ["HEAD"]
    if index.last_release is not None:
        revs.append(f"^{index.last_release[1]}")
    return index, list(git.log(revs, paths))


def compute_next(
    project: Project,
    *,
    component: str | None = None,
    pre: str | None = None,
    config: ReleaseConfig | None = None,
    git: Git | None = None,
) -> NextReport:
    """The next version from the commits since the last release tag, and the commits that decided.

    Before the first release tag, the base is the version the files carry (``0.1.0`` when none).
    """
    config = config or load_release_config(project)
    git = git or Git(project.root)
    tags, head, branch = _tags_and_head(git, project)
    paths = _paths(project, component)
    found, dates, warnings = tag_candidates(tags, project, component, None)
    index, raws = _since_last_release(git, head, found, dates, warnings, paths)
    index, raws, base_note = _base_from_source(git, project, component, found, index, raws, paths)
    commits = parse_commits(raws, config.rules)
    decision = decide(commits, config.bump)
    impact = _config_impact(project, component, index)
    if impact is not None:
        decision = _with_config(decision, impact)
    current: Version | None = None
    has_source = component is not None or project.platform_source is not None
    if index.last_release is None and has_source:
        from polaris.versions import (
            service as versioning,  # lazy: the file-format adapters load slowly
        )

        try:
            current = versioning.current_version(project, component)
        except PolarisError:
            current = None
    nv = next_version(
        decision,
        last_release=index.last_release[2] if index.last_release else None,
        last_tag=index.last_tag[2] if index.last_tag else None,
        current=current,
        pre=pre,
        rules=config.bump,
    )
    fmt = tag_format(project, component)
    return NextReport(
        next=nv,
        tag=tag_name(fmt, nv.next, component) if nv.next is not None else None,
        last_tag=index.last_tag[0] if index.last_tag else None,
        component=component,
        branch=branch,
        head=head,
        commits=tuple(commits),
        warnings=index.warnings,
        base_note=base_note,
        current=current,
        config=impact,
    )


def _config_impact(project: Project, component: str | None, index: TagIndex) -> ConfigImpact | None:
    """The configuration changes since the last release, for a platform release of a project
    with a ``[configs]`` table (the configs capability loads only then)."""
    if component is not None or index.last_release is None:
        return None
    from polaris.configs.declared import has_configs  # tomllib only

    if not has_configs(project.config_path):
        return None
    from polaris.configs import impact as configs_impact  # lazy: only with a [configs] table

    name, sha, _version = index.last_release
    return configs_impact.config_impact(Path(project.root), sha, name)


_CONFIG_LEVEL: dict[str, Level] = {"patch": "patch", "major": "major"}


def _with_config(decision: BumpDecision, impact: ConfigImpact) -> BumpDecision:
    """``decision`` raised to at least what the configuration changes call for, their reasons
    added at the decisive level (a config reason has no sha)."""
    level = _CONFIG_LEVEL.get(str(impact.bump))
    if level is None:
        return decision
    rank = LEVEL_ORDER[level]
    current = LEVEL_ORDER[decision.level] if decision.level is not None else 0
    if rank < current:
        return decision
    reasons = tuple(
        Reason("", f"config {e.environment} ({e.new_file or e.old_file})", level, e.why())
        for e in impact.environments
        if LEVEL_ORDER[_CONFIG_LEVEL[str(e.bump)]] == rank
    )
    kept = decision.reasons if rank == current else ()
    return replace(decision, level=level, reasons=(*kept, *reasons))


def _base_from_source(
    git: Git,
    project: Project,
    component: str | None,
    found: list[tuple[Version, str, str]],
    index: TagIndex,
    raws: list[RawCommit],
    paths: tuple[str, ...],
) -> tuple[TagIndex, list[RawCommit], str | None]:
    """Use the tag of the version the files name when it is newer than the last reachable one.

    A release commit tagged on a branch that was then merged or squashed is not an ancestor of
    HEAD, so the last reachable tag is older than the release: counting from it would replay
    released commits. The version source is read only when such a newer tag exists.
    """
    last = index.last_release[2] if index.last_release else None
    if not any(not v.is_prerelease and (last is None or v > last) for v, _n, _s in found):
        return index, raws, None
    from polaris.versions import service as versioning  # lazy: the file-format adapters load slowly

    try:
        named = versioning.current_version(project, component)
    except PolarisError:
        return index, raws, None
    hit = next(((n, s) for v, n, s in found if v == named and not v.is_prerelease), None)
    if hit is None or (last is not None and named <= last):
        return index, raws, None
    name, sha = hit
    base = (name, sha, named)
    last_tag = index.last_tag if index.last_tag and index.last_tag[2] > named else base
    index = replace(index, last_release=base, last_tag=last_tag)
    revs = ["HEAD", f"^{sha}"]
    source = versioning.target_for(project, component).source
    # On HEAD's history, the commit that wrote the released version into the version source is
    # the release (the squashed or rebased release commit): what precedes it was released.
    touched = git.last_touching(source.path) if source is not None else None
    if touched is not None:
        revs.append(f"^{touched}")
    raws = list(git.log(revs, paths))
    note = (
        f"base {name}: the version source names {named} and its tag is not an ancestor of HEAD "
        f"(merged or squashed), so the commits counted are {name}..HEAD"
    )
    if touched is not None:
        note += f" after {touched[:7]}, which set {named} in {source.path if source else ''}"
    return index, raws, note


def branch_version(report: NextReport, build_number: int) -> Version | None:
    """The build version of the current branch (seed 2.3), heading for the next version."""
    if report.version is None or report.branch is None:
        return None
    return branch_build_version(report.version, report.branch, build_number)


def plan_auto_bump(
    project: Project, *, component: str | None = None, pre: str | None = None
) -> versioning.FilePlan:
    """``polaris version bump --auto``: plan writing the next version into every version file.

    :raises Conflict: no commit since the last release calls for a new version.
    """
    from polaris.versions import service as versioning  # lazy: the file-format adapters load slowly

    report = compute_next(project, component=component, pre=pre)
    if report.version is None:
        since = f" since {report.last_tag}" if report.last_tag else ""
        raise Conflict(
            f"no commit{since} calls for a new version ({report.next.considered} considered)",
            hint="see the bump rules in docs/release.md; or bump a part by name",
        )
    return versioning.plan_set(project, report.version, component=component)


# -- changelog ------------------------------------------------------------------------------------


def _environment(project: Project, config: ReleaseConfig) -> jinja2.Environment:
    from importlib.resources import files  # lazy, like Jinja2: ~5 ms the built-in renderer spares

    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    override = Path(project.root) / config.templates
    if override.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(files("polaris") / "templates" / "changelog")))
    # Markdown output: HTML escaping would corrupt commit text.
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _render(env: jinja2.Environment, template: str, **context: object) -> str:
    import jinja2  # lazy: only rendering needs it

    name = template
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        raise InvalidInput(
            f"template error: {exc}",
            location=Location(file=str(where), line=getattr(exc, "lineno", None)),
        ) from None


def _remote(git: Git, config: ReleaseConfig) -> Remote | None:
    url = git.remote_url(config.remote)
    return Remote.from_url(url) if url else None


_Piece = tuple[str | None, Version | None, tuple[str, Version] | None, str | None, list[Commit]]


def _history_pieces(
    project: Project,
    git: Git,
    config: ReleaseConfig,
    component: str | None,
) -> tuple[list[_Piece], TagIndex, Remote | None]:
    """Every release reachable from HEAD, newest first (unreleased first, if it has commits):
    (tag, version, previous release, date, commits)."""
    raws: list[RawCommit] = []
    parsed: dict[str, Commit] = {}
    log = git.log(["HEAD"])
    first = next(log, None)  # git is started: ask for the remote while it writes
    remote = _remote(git, config)
    if first is not None:
        raws.append(first)
        parsed[first.sha] = parse_commit(first)
    for raw in log:  # parse while git is still writing: the two overlap
        raws.append(raw)
        parsed[raw.sha] = parse_commit(raw)
    index = read_tags(git, project, component, reachable=parsed)
    slices = split_history(raws, index.releases(include_prereleases=config.include_prereleases))
    paths = _paths(project, component)
    keep = git.shas_touching(paths) if paths else None
    pieces: list[_Piece] = []
    rules = config.rules
    for i, piece in enumerate(slices):
        older = next((s for s in slices[i + 1 :] if s.tag is not None), None)
        previous = (older.tag, older.version) if older and older.tag and older.version else None
        commits = select_commits(
            (parsed[c.sha] for c in piece.commits if keep is None or c.sha in keep), rules
        )
        if piece.tag is None and not commits:
            continue
        date = index.dates.get(piece.tag) if piece.tag else None
        pieces.append((piece.tag, piece.version, previous, date, commits))
    return pieces, index, remote


def _history_notes(
    project: Project,
    git: Git,
    config: ReleaseConfig,
    component: str | None,
) -> tuple[list[ReleaseNotes], TagIndex]:
    """Notes of every release reachable from HEAD, newest first (unreleased first)."""
    pieces, index, remote = _history_pieces(project, git, config, component)
    notes = [
        build_notes(
            commits,
            config.rules,
            version=version,
            tag=tag,
            previous=previous,
            date=date,
            remote=remote,
        )
        for tag, version, previous, date, commits in pieces
    ]
    return notes, index


def history(project: Project, *, component: str | None = None) -> list[ReleaseNotes]:
    """Notes of every release reachable from HEAD, newest first (unreleased first, if any)."""
    config = load_release_config(project)
    return _history_notes(project, _git_for(project), config, component)[0]


def _overridden(project: Project, config: ReleaseConfig, *names: str) -> bool:
    """Whether the repository overrides any of the templates ``names``."""
    override = Path(project.root) / config.templates
    return any((override / name).is_file() for name in names)


def build_changelog(
    project: Project, *, component: str | None = None, builtin: bool | None = None
) -> str:
    """The whole ``CHANGELOG.md`` regenerated from history (full mode).

    Without template overrides the built-in renderer writes it (the same bytes as the default
    templates, without Jinja2); ``builtin=False`` forces the templates, ``True`` the built-in.
    """
    config = load_release_config(project)
    git = _git_for(project)
    if builtin is None:
        builtin = not _overridden(project, config, "changelog.md.j2", "release.md.j2")
    if builtin:
        pieces, _index, remote = _history_pieces(project, git, config, component)
        rules = config.rules
        return render_changelog(
            (
                render_release(
                    commits,
                    rules,
                    version=version,
                    tag=tag,
                    previous=previous,
                    date=date,
                    remote=remote,
                )
                for tag, version, previous, date, commits in pieces
            ),
            config.marker,
        )
    notes, _index = _history_notes(project, git, config, component)
    env = _environment(project, config)
    return _render(env, "changelog.md.j2", releases=notes, marker=config.marker)


def release_notes(
    project: Project,
    *,
    version: Version | None = None,
    component: str | None = None,
) -> ReleaseNotes:
    """Notes of one release (``version``) or of the unreleased commits (``None``)."""
    config = load_release_config(project)
    git = _git_for(project)
    history, index = _history_notes(project, git, config, component)
    if version is not None and index.find(version) is None:
        raise NotFound(
            f"no release tag for {version}",
            hint=f"tags follow {tag_format(project, component)!r}; see `git tag`",
        )
    for notes in history:
        if (notes.version is None and version is None) or (
            version is not None and notes.version == str(version)
        ):
            return notes
    return build_notes((), config.rules)


def render_notes(
    project: Project, notes: ReleaseNotes, *, kind: Literal["section", "notes"] = "section"
) -> str:
    """A release as a changelog section, or as the seed's release notes (14.2.1)."""
    config = load_release_config(project)
    env = _environment(project, config)
    if kind == "section":
        return _render(env, "release.md.j2", release=notes)
    return _render(env, "notes.md.j2", release=notes, name=project.name)


@dataclass(frozen=True, slots=True)
class ChangelogPlan:
    """A changelog file write, not yet done."""

    path: Path
    old: str | None
    new: str

    def diff(self, root: Path) -> str:
        """Unified diff of the change."""
        from polaris.versions import (
            service as versioning,  # lazy: the file-format adapters load slowly
        )

        plan = versioning.FilePlan(root=root)
        plan.originals[self.path] = self.old or ""
        plan.changes[self.path] = self.new
        return plan.diff()


def plan_changelog(project: Project, text: str, output: Path) -> ChangelogPlan:
    """Plan writing ``text`` to ``output`` (a path relative to the project root, or absolute)."""
    path = output if output.is_absolute() else Path(project.root) / output
    try:
        old: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = None
    return ChangelogPlan(path, old, text)


def write_changelog(plan: ChangelogPlan) -> None:
    """Write a planned changelog (temp file + rename)."""
    tmp = plan.path.with_name(f".{plan.path.name}.polaris-tmp")
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(plan.new, encoding="utf-8")
    tmp.replace(plan.path)


# -- release --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    """What a release did (or, on a dry run, would do)."""

    version: Version
    tag: str
    previous_tag: str | None
    commit_message: str
    notes: ReleaseNotes
    notes_text: str
    files: tuple[str, ...]
    diff: str
    dry_run: bool
    commit: str | None = None
    pushed: bool = False
    signed: bool = False
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: The annotated tag's message (``[release] tag_message``); the notes when empty.
    tag_message: str = ""


@dataclass(slots=True)
class _Rollback:
    """The undo log of a release in progress."""

    git: Git
    snapshot: dict[Path, bytes | None] = field(default_factory=dict)
    staged: list[str] = field(default_factory=list)
    head_before: str | None = None
    committed: bool = False
    tag: str | None = None

    def undo(self) -> None:
        if self.tag is not None:
            self.git.delete_tag(self.tag)
        if self.committed and self.head_before is not None:
            self.git.move_head_back(self.head_before)
        if self.staged:
            self.git.unstage(self.staged)
        for path, data in self.snapshot.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)


def _target(report: NextReport, version: Version | None, pre: str | None) -> Version:
    if version is not None:
        if pre is not None:
            raise InvalidInput(
                "give either a version or --pre, not both",
                hint="--pre picks the next prerelease of the version computed from commits",
            )
        return version
    if report.version is None:
        raise Conflict(
            "no commit since the last release calls for a new version",
            hint="see the bump rules in docs/release.md; or give the version",
        )
    return report.version


def _check_release(
    git: Git, project: Project, report: NextReport, target: Version, tag: str, *, dry_run: bool
) -> list[str]:
    """Refuse what a release must not do; the warnings a dry run reports instead."""
    warnings = list(report.warnings)
    last = report.next.last_release
    pending = report.next.last_prerelease
    highest = max((v for v in (last, pending) if v is not None), default=None)
    if git.head() is None:
        raise Conflict("the repository has no commits yet", hint="commit something first")
    if git.tag_exists(tag):
        raise Conflict(f"tag {tag} already exists", hint="choose another version")
    if highest is not None and target <= highest:
        raise Conflict(
            f"{target} is not greater than the last release {highest}",
            hint="give a higher version, or use --auto",
        )
    dirty = git.dirty_files()
    if dirty:
        if not dry_run:
            raise Conflict(
                f"the working tree has uncommitted changes: {', '.join(dirty[:5])}",
                location=Location(file=project.root),
                hint="commit or stash them first",
            )
        warnings.append(f"uncommitted changes would stop the release: {', '.join(dirty[:5])}")
    return warnings


def _plan_changelog_insert(
    project: Project,
    config: ReleaseConfig,
    env: jinja2.Environment,
    section: str,
    unreleased_heading: str,
    plan: versioning.FilePlan,
) -> None:
    """Add the incremental CHANGELOG.md update to ``plan``."""
    path = Path(project.root) / config.changelog
    try:
        old: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = None
    except OSError:
        old = ""  # not a readable file: the all-or-nothing write reports it, changing nothing
    base = old if old else _render(env, "changelog.md.j2", releases=[], marker=config.marker)
    new = insert_release(base, section, marker=config.marker, unreleased=unreleased_heading)
    plan.originals.setdefault(path, old or "")
    plan.changes[path] = new


def _execute(
    git: Git,
    plan: versioning.FilePlan,
    result: ReleaseResult,
    *,
    remote: str,
    push: bool,
) -> str:
    """Write, commit, tag and push; on any failure undo every step done. Returns the commit."""
    from polaris.versions import service as versioning  # lazy: the file-format adapters load slowly

    branch = git.branch()
    if push and branch is None:
        raise Conflict("cannot push from a detached HEAD", hint="check out a branch first")
    undo = _Rollback(git, head_before=git.head())
    for rel in result.files:
        path = plan.root / rel
        if path.is_file():
            undo.snapshot[path] = path.read_bytes()
        elif not path.exists():
            undo.snapshot[path] = None  # created by the release: removed on undo
    try:
        versioning.apply(plan)
        undo.staged = list(result.files)
        git.add(result.files)
        sha = git.commit(result.commit_message)
        undo.committed = True
        git.create_tag(result.tag, result.tag_message or result.notes_text, sign=result.signed)
        undo.tag = result.tag
        if push:
            git.push(remote, [f"HEAD:refs/heads/{branch}", f"refs/tags/{result.tag}"])
    except BaseException as exc:
        try:
            undo.undo()
        except (GitError, OSError) as again:
            raise GitError(
                f"release failed ({exc}) and undoing it failed too: {again}",
                hint="check `git status`, `git log -1` and `git tag` by hand",
            ) from exc
        raise
    return sha


def _fill(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` replaced (other braces are left as they are)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def release(
    project: Project,
    *,
    version: Version | None = None,
    pre: str | None = None,
    component: str | None = None,
    today: str,
    dry_run: bool = False,
    sign: bool = False,
    push: bool = False,
) -> ReleaseResult:
    """Bump every version file, update the changelog, commit, tag, and push when asked.

    ``version`` ``None`` means ``--auto``: the version the commits call for. Refuses a dirty
    tree, an existing tag, and a version not greater than the last release. On any failure every
    step already done is undone. ``today`` is the release date, ``YYYY-MM-DD``.
    """
    from polaris.versions import service as versioning  # lazy: the file-format adapters load slowly

    config = load_release_config(project)
    git = _git_for(project)
    report = compute_next(project, component=component, pre=pre, config=config, git=git)
    target = _target(report, version, pre)
    fmt = tag_format(project, component)
    tag = tag_name(fmt, target, component)
    warnings = _check_release(git, project, report, target, tag, dry_run=dry_run)
    last = report.next.last_release
    previous = (tag_name(fmt, last, component), last) if last is not None else None
    remote = _remote(git, config)
    notes = build_notes(
        report.commits,
        config.rules,
        version=target,
        tag=tag,
        previous=previous,
        date=today,
        remote=remote,
        base=report.current,
    )
    env = _environment(project, config)
    section = _render(env, "release.md.j2", release=notes)
    plan = versioning.plan_set(project, target, component=component)
    heading = "## [Unreleased]"
    if remote is not None:
        heading += f"({remote.compare_url(tag, 'HEAD')})"
    _plan_changelog_insert(project, config, env, section, heading, plan)
    notes_text = _render(env, "notes.md.j2", release=notes, name=project.name)
    result = ReleaseResult(
        version=target,
        tag=tag,
        previous_tag=previous[0] if previous else None,
        commit_message=config.commit_message.format(tag=tag, version=target),
        notes=notes,
        notes_text=notes_text,
        files=tuple(plan.changed_files),
        diff=plan.diff(),
        dry_run=dry_run,
        signed=sign,
        reasons=tuple(r.subject for r in report.next.reasons),
        warnings=tuple(warnings),
        tag_message=_fill(config.tag_message, tag=tag, version=str(target), notes=notes_text),
    )
    if dry_run:
        return result
    sha = _execute(git, plan, result, remote=config.remote, push=push)
    return replace(result, commit=sha, pushed=push)


# -- commit-lint ----------------------------------------------------------------------------------


def lint_file(path: Path, *, project: Project | None = None) -> None:
    """Check a commit message file (the ``commit-msg`` hook argument).

    :raises CommitLintError: with every problem, each marked ``~~~^`` under its line.
    """
    config = load_release_config(project) if project is not None else ReleaseConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NotFound(
            f"cannot read the commit message: {exc.strerror or exc}",
            location=Location(file=str(path)),
        ) from None
    problems = lint_message(text, config.rules)
    if problems:
        raise CommitLintError(clean_message(text), problems, file=str(path))
