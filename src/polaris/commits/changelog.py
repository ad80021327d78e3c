"""Release notes: the model behind the changelog and the release text, and incremental insertion.

:func:`split_history` assigns each commit of one ``git log`` stream to the release whose tag first
contains it (exactly ``git log older-tags..tag``, computed in memory from the parents);
:func:`build_notes` groups a release's commits into Keep a Changelog 1.1.0 sections; the text is
rendered by Jinja2 templates in the services layer. :func:`insert_release` puts a new release
section into an existing ``CHANGELOG.md`` at an explicit marker and never touches a byte of the
older sections below it: hand edits there survive every release.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from polaris.commits.rules import Commit, CommitRules, RawCommit
from polaris.core.semver import Version

__all__ = [
    "BREAKING_SECTION",
    "CHANGELOG_HEADER",
    "MARKER",
    "OTHER_SECTION",
    "BreakingChange",
    "Entry",
    "HistorySlice",
    "ReleaseNotes",
    "Remote",
    "Section",
    "build_notes",
    "insert_release",
    "render_changelog",
    "render_release",
    "section_order",
    "split_history",
]

#: The line after which new release sections are inserted (incremental mode).
MARKER: Final = "<!-- polaris:changelog-insert -->"
BREAKING_SECTION: Final = "Breaking Changes"
OTHER_SECTION: Final = "Other"
#: Keep a Changelog 1.1.0 sections first, in its order; the rest follow the rules' order.
_KAC_ORDER: Final = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
#: The text above the marker of the default ``changelog.md.j2``.
CHANGELOG_HEADER: Final = (
    "# Changelog\n\n"
    "All notable changes to this project will be documented in this file.\n\n"
    "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\n"
    "and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n\n"
)
_UNRELEASED = re.compile(r"^## \[?unreleased\]?", re.IGNORECASE | re.MULTILINE)
_H2 = re.compile(r"^## ", re.MULTILINE)
_H3 = re.compile(r"^### +(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Remote:
    """A hosted repository: builds commit, compare and pull-request links (GitHub/GitLab)."""

    base: str
    style: str = "github"

    @classmethod
    def from_url(cls, url: str) -> Remote | None:
        """Read ``git@host:owner/repo.git`` or ``https://host/owner/repo(.git)``; None if neither.

        >>> Remote.from_url("git@github.com:acme/aiops.git").base
        'https://github.com/acme/aiops'
        """
        url = url.strip()
        m = re.fullmatch(r"(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?", url)
        if m is None:
            m = re.fullmatch(r"https?://(?:[^@/]+@)?([^/]+)/(.+?)(?:\.git)?/?", url)
        if m is None:
            return None
        host, path = m.group(1), m.group(2)
        style = "gitlab" if "gitlab" in host else "github"
        return cls(f"https://{host}/{path}", style)

    def commit_url(self, sha: str) -> str:
        """Link to a commit."""
        sep = "/-/" if self.style == "gitlab" else "/"
        return f"{self.base}{sep}commit/{sha}"

    def compare_url(self, old: str, new: str) -> str:
        """Link to the diff between two refs."""
        sep = "/-/" if self.style == "gitlab" else "/"
        return f"{self.base}{sep}compare/{old}...{new}"

    def pr_url(self, number: int) -> str:
        """Link to a pull (merge) request."""
        if self.style == "gitlab":
            return f"{self.base}/-/merge_requests/{number}"
        return f"{self.base}/pull/{number}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a changelog section."""

    description: str
    scope: str | None
    sha: str
    type: str | None
    pr: int | None = None
    breaking: bool = False
    author: str = ""
    commit_url: str | None = None
    pr_url: str | None = None

    @property
    def short_sha(self) -> str:
        """The first 7 characters of the sha."""
        return self.sha[:7]

    @property
    def markdown(self) -> str:
        """The Keep a Changelog line: ``- **api:** add search ([#12](...)) ([abc1234](...))``."""
        return _line(self, with_pr=True)


def _line(e: Entry, *, with_pr: bool) -> str:
    text = f"- **{e.scope}:** {e.description}" if e.scope else f"- {e.description}"
    if with_pr and e.pr is not None:
        text += f" ([#{e.pr}]({e.pr_url}))" if e.pr_url else f" (#{e.pr})"
    sha = e.sha[:7]
    return text + (f" ([{sha}]({e.commit_url}))" if e.commit_url else f" ({sha})")


@dataclass(frozen=True, slots=True)
class BreakingChange:
    """A breaking change and its migration notes (the ``BREAKING CHANGE`` footer text)."""

    entry: Entry
    notes: tuple[str, ...]

    @property
    def markdown(self) -> str:
        """The entry's line, then each note that says more than the description, indented."""
        out = [_line(self.entry, with_pr=False)]
        out.extend(
            "  " + note.replace("\n", "\n  ")
            for note in self.notes
            if note != self.entry.description
        )
        return "\n".join(out)


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list of entries: ``### Added``."""

    title: str
    entries: tuple[Entry, ...]

    @property
    def markdown(self) -> str:
        """The section's entries as Markdown list lines (without the ``###`` heading).

        Computed in Python, not in the template, because a changelog of 20,000 commits spends
        most of its rendering time here; templates may still loop over ``entries`` themselves.
        """
        return "\n".join([_line(e, with_pr=True) for e in self.entries])


@dataclass(frozen=True, slots=True)
class ReleaseNotes:
    """Everything known about one release (or the unreleased changes, ``version`` None)."""

    version: str | None
    tag: str | None
    previous_tag: str | None
    date: str | None
    sections: tuple[Section, ...]
    breaking: tuple[BreakingChange, ...]
    #: Dependency updates: commits scoped ``deps`` (``build(deps): bump x``, ``chore(deps): ...``).
    dependencies: tuple[Entry, ...]
    contributors: tuple[str, ...]
    commit_count: int
    compare_url: str | None = None
    #: ``Major``, ``Minor``, ``Patch``, ``Prerelease``, ``Initial`` (nothing before it) or
    #: ``Unreleased`` (seed 14.2.1).
    release_type: str = "Unreleased"

    def section(self, title: str) -> Section | None:
        """The section called ``title``, if it has entries."""
        return next((s for s in self.sections if s.title == title), None)


@dataclass(frozen=True, slots=True)
class HistorySlice:
    """The commits of one release: those its tag reaches and no older release tag reaches."""

    tag: str | None
    version: Version | None
    #: Commits in ``git log`` order (newest first).
    commits: tuple[RawCommit, ...]


def split_history(
    commits: Sequence[RawCommit], releases: Mapping[str, tuple[str, Version]]
) -> list[HistorySlice]:
    """Split one ``git log`` of HEAD into releases, newest first; the first slice is unreleased.

    ``releases`` maps a commit sha to the (tag, version) released at it. Releases are taken in
    version order: each claims every commit it reaches that no older release claimed, following
    every merge parent, so a commit merged from a side branch lands in the first release that
    contains it. Commits a release tag cannot reach (a tag off the current history) are ignored.
    """
    index = {c.sha: i for i, c in enumerate(commits)}
    owner: list[int] = [-1] * len(commits)
    ordered = sorted(
        ((version, tag, sha) for sha, (tag, version) in releases.items() if sha in index),
        key=lambda item: item[0],
    )
    for number, (_version, _tag, sha) in enumerate(ordered):
        stack = [index[sha]]
        while stack:
            i = stack.pop()
            if owner[i] != -1:
                continue
            owner[i] = number
            for parent in commits[i].parents:
                j = index.get(parent)
                if j is not None and owner[j] == -1:
                    stack.append(j)
    buckets: list[list[RawCommit]] = [[] for _ in range(len(ordered) + 1)]
    for i, commit in enumerate(commits):
        buckets[owner[i] + 1 if owner[i] != -1 else 0].append(commit)
    out = [HistorySlice(None, None, tuple(buckets[0]))]
    for number in range(len(ordered) - 1, -1, -1):
        version, tag, _sha = ordered[number]
        out.append(HistorySlice(tag, version, tuple(buckets[number + 1])))
    return out


def section_order(rules: CommitRules) -> list[str]:
    """Section titles in display order: Keep a Changelog's first, "Other" last."""
    titles = list(dict.fromkeys(rules.sections.values()))
    known = [t for t in _KAC_ORDER if t in titles]
    rest = [t for t in titles if t not in known]
    return [*known, *rest, OTHER_SECTION]


def _entry(commit: Commit, remote: Remote | None) -> Entry:
    raw = commit.raw  # one attribute read instead of four property calls: this runs per commit
    sha = raw.sha
    pr = commit.pr
    if remote is None:
        return Entry(
            commit.description, commit.scope, sha, commit.type, pr, commit.breaking, raw.author
        )
    return Entry(
        commit.description,
        commit.scope,
        sha,
        commit.type,
        pr,
        commit.breaking,
        raw.author,
        remote.commit_url(sha),
        remote.pr_url(pr) if pr is not None else None,
    )


def _release_type(version: Version | None, previous: Version | None) -> str:
    if version is None:
        return "Unreleased"
    if version.is_prerelease:
        return "Prerelease"
    if previous is None:
        return "Initial"
    if version.major != previous.major:
        return "Major"
    if version.minor != previous.minor:
        return "Minor"
    return "Patch"


def build_notes(
    commits: Iterable[Commit],
    rules: CommitRules,
    *,
    version: Version | None = None,
    tag: str | None = None,
    previous: tuple[str, Version] | None = None,
    date: str | None = None,
    remote: Remote | None = None,
    base: Version | None = None,
) -> ReleaseNotes:
    """Group a release's commits into sections (commits in ``git log`` order, newest first).

    ``base`` is the version the release starts from when no earlier release is tagged (the
    version the files carried): the release type compares with it.

    Types without a section go to "Other", as do commits that are not Conventional Commits.
    """
    order = section_order(rules)
    buckets: dict[str, list[Entry]] = {title: [] for title in order}
    breaking: list[BreakingChange] = []
    deps: list[Entry] = []
    authors: dict[str, None] = {}
    count = 0
    sections = rules.sections
    for commit in commits:
        count += 1
        entry = _entry(commit, remote)
        authors[entry.author] = None
        ctype = commit.type
        title = sections.get(ctype, OTHER_SECTION) if ctype else OTHER_SECTION
        if ctype is not None and title == OTHER_SECTION:
            # A type without a section: keep it visible, it is all that says what the commit is.
            entry = replace(entry, description=f"{commit.type}: {commit.description}")
        buckets[title].append(entry)
        if commit.breaking:
            breaking.append(BreakingChange(entry, commit.breaking_notes))
        if commit.scope == "deps":
            deps.append(entry)
    compare: str | None = None
    if remote is not None and previous is not None:
        compare = remote.compare_url(previous[0], tag or "HEAD")
    return ReleaseNotes(
        version=str(version) if version is not None else None,
        tag=tag,
        previous_tag=previous[0] if previous else None,
        date=date,
        sections=tuple(Section(t, tuple(buckets[t])) for t in order if buckets[t]),
        breaking=tuple(breaking),
        dependencies=tuple(deps),
        contributors=tuple(sorted((a for a in authors if a), key=lambda a: (a.lower(), a))),
        commit_count=count,
        compare_url=compare,
        release_type=_release_type(version, previous[1] if previous else base),
    )


# -- the built-in renderer ---------------------------------------------------------------------


def render_release(
    commits: Iterable[Commit],
    rules: CommitRules,
    *,
    version: Version | None = None,
    tag: str | None = None,
    previous: tuple[str, Version] | None = None,
    date: str | None = None,
    remote: Remote | None = None,
) -> str:
    """One release section, byte for byte what the default ``release.md.j2`` renders for
    :func:`build_notes` of the same arguments, without building the notes.

    The fast path of a full changelog (no ``Entry``, ``Section`` or Jinja2 per release); used
    only when the repository overrides neither ``release.md.j2`` nor ``changelog.md.j2``.
    """
    order = section_order(rules)
    buckets: dict[str, list[str]] = {title: [] for title in order}
    breaking: list[str] = []
    sections = rules.sections
    if remote is not None:
        sep = "/-/" if remote.style == "gitlab" else "/"
        commit_base = f"{remote.base}{sep}commit/"
    for commit in commits:
        ctype = commit.type
        title = sections.get(ctype, OTHER_SECTION) if ctype else OTHER_SECTION
        description = commit.description
        if ctype is not None and title == OTHER_SECTION:
            description = f"{ctype}: {description}"
        scope = commit.scope
        text = f"- **{scope}:** {description}" if scope else f"- {description}"
        sha = commit.raw.sha
        link = f" ({sha[:7]})" if remote is None else f" ([{sha[:7]}]({commit_base}{sha}))"
        pr = commit.pr
        if pr is None:
            buckets[title].append(text + link)
        elif remote is None:
            buckets[title].append(f"{text} (#{pr}){link}")
        else:
            buckets[title].append(f"{text} ([#{pr}]({remote.pr_url(pr)})){link}")
        if commit.breaking:
            notes = [
                "  " + note.replace("\n", "\n  ")
                for note in commit.breaking_notes
                if note != description
            ]
            breaking.append("\n".join([text + link, *notes]))
    heading = f"## [{version or 'Unreleased'}]"
    if remote is not None and previous is not None:
        heading += f"({remote.compare_url(previous[0], tag or 'HEAD')})"
    if date and version is not None:
        heading += f" - {date}"
    out = [heading, "\n"]
    if breaking:
        out.append(f"\n### {BREAKING_SECTION}\n\n")
        for change in breaking:
            out.append(change)
            out.append("\n")
    for title in order:
        lines = buckets[title]
        if lines:
            out.append(f"\n### {title}\n\n")
            out.append("\n".join(lines))
            out.append("\n")
    return "".join(out)


def render_changelog(releases: Iterable[str], marker: str = MARKER) -> str:
    """The whole file, as the default ``changelog.md.j2`` renders it: rendered sections in."""
    return "".join([CHANGELOG_HEADER, marker, "\n", *("\n" + text for text in releases)])


# -- incremental insertion ----------------------------------------------------------------------


def _marker_position(text: str, marker: str) -> tuple[str, int]:
    """The text with a marker line, and the offset just after that line.

    Without a marker, one is placed before ``## [Unreleased]``, else before the first ``## ``
    heading, else at the end: a fixed rule, never a guess about which heading is which release.
    """
    at = text.find(marker)
    if at != -1:
        end = text.find("\n", at)
        return text, len(text) if end == -1 else end + 1
    m = _UNRELEASED.search(text) or _H2.search(text)
    pos = m.start() if m else len(text)
    head = text[:pos]
    if head and not head.endswith("\n"):
        head += "\n"
    if head and not head.endswith("\n\n"):
        head += "\n"
    new = head + marker + "\n" + text[pos:]
    return new, len(head) + len(marker) + 1


def _merge_sections(generated: str, manual: str) -> str:
    """Append the hand-written ``### Title`` blocks of ``manual`` to ``generated``'s blocks."""
    manual = manual.strip("\n")
    if not manual.strip():
        return generated
    heads = list(_H3.finditer(manual))
    preamble = manual[: heads[0].start()].strip("\n") if heads else manual
    blocks: list[tuple[str, str]] = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(manual)
        blocks.append((h.group(1), manual[h.end() : end].strip("\n")))
    lines = generated.rstrip("\n").split("\n")
    # The generated text is: a heading line, then ### blocks.
    heading, body = lines[0], "\n".join(lines[1:]).strip("\n")
    gen_heads = list(_H3.finditer(body))
    gen_blocks: dict[str, str] = {}
    for i, h in enumerate(gen_heads):
        end = gen_heads[i + 1].start() if i + 1 < len(gen_heads) else len(body)
        gen_blocks[h.group(1)] = body[h.end() : end].strip("\n")
    for title, content in blocks:
        if not content.strip():
            continue
        if title in gen_blocks:
            gen_blocks[title] = gen_blocks[title] + "\n" + content
        else:
            gen_blocks[title] = content
    parts = [heading]
    if preamble.strip():
        parts.append(preamble)
    parts.extend(f"### {title}\n\n{content}" for title, content in gen_blocks.items())
    return "\n\n".join(parts) + "\n"


def insert_release(
    text: str, section: str, *, marker: str = MARKER, unreleased: str = "## [Unreleased]"
) -> str:
    """Insert a rendered release ``section`` (``## [X] ...`` and its blocks) after the marker.

    The ``[Unreleased]`` section right below the marker is emptied into the new release (its
    hand-written ``### Title`` blocks are appended to the same blocks of the release) and left as
    an empty heading. Everything from the next ``## `` heading on is kept byte for byte.
    """
    text, after = _marker_position(text, marker)
    rest = text[after:]
    manual = ""
    m = _UNRELEASED.match(rest.lstrip("\n"))
    if m is not None:
        offset = len(rest) - len(rest.lstrip("\n"))
        body_start = rest.find("\n", offset + m.end())
        body_start = len(rest) if body_start == -1 else body_start + 1
        nxt = _H2.search(rest, body_start)
        end = nxt.start() if nxt else len(rest)
        manual = rest[body_start:end]
        tail = rest[end:]
    else:
        tail = rest.lstrip("\n")
    merged = _merge_sections(section, manual)
    out = text[:after] + "\n" + unreleased + "\n\n" + merged.rstrip("\n") + "\n"
    if tail:
        out += "\n" + tail
    return out
