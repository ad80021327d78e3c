"""Conventional Commits 1.0.0: parse commit messages into typed records, and lint them.

A message is ``type(scope)!: description``, an optional body and optional footers
(``token: value`` or ``token #value``; ``BREAKING CHANGE`` is the one token with a space, and
``BREAKING-CHANGE`` is its synonym). ``!`` and a breaking-change footer mean the same thing.

Messages that do not follow the convention are kept, with ``type`` ``None``: they go under "Other"
in release notes (seed 3.2.2) and never decide a version bump. Merge commits, reverts (git's
``Revert "..."`` and ``revert: ...``) and squash-merge subjects ending in ``(#123)`` are recognised.

Pure: the git adapter produces :class:`RawCommit` records, this module turns them into
:class:`Commit` records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from polaris.core.errors import InvalidInput, Location
from polaris.core.vcs import RawCommit

__all__ = [
    "BREAKING_TOKENS",
    "DEFAULT_SECTIONS",
    "Commit",
    "CommitLintError",
    "CommitRules",
    "Footer",
    "LintProblem",
    "RawCommit",
    "clean_message",
    "lint_message",
    "parse_commit",
    "parse_commit_general",
    "parse_commits",
    "select_commits",
]

#: Footer tokens that announce a breaking change (spec items 12 and 16).
BREAKING_TOKENS: Final = ("BREAKING CHANGE", "BREAKING-CHANGE")

#: Commit type -> changelog section (seed 3.2.2, plus perf, build, ci, security, remove, config
#: and revert).
DEFAULT_SECTIONS: Final[Mapping[str, str]] = {
    "feat": "Added",
    "fix": "Fixed",
    "perf": "Changed",
    "refactor": "Changed",
    "security": "Security",
    "deprecate": "Deprecated",
    "remove": "Removed",
    "config": "Changed",
    "revert": "Reverted",
    "docs": "Documentation",
    "style": "Style",
    "test": "Tests",
    "build": "Maintenance",
    "ci": "Maintenance",
    "chore": "Maintenance",
}

MergePolicy = Literal["skip", "parse"]

# type(scope)!: description -- type is a noun (letters, digits, '-', '_'); scope anything but ')'.
_HEADER = re.compile(
    r"""
    (?P<type>[A-Za-z][\w-]*)          # type
    (?:\((?P<scope>[^()\r\n]*)\))?    # optional (scope)
    (?P<bang>!)?                      # optional breaking marker
    :[ ](?P<desc>.*)                  # ': ' then the description
    """,
    re.VERBOSE,
)
# ``token: value`` or ``token #value``; for the second the value keeps its ``#`` (``Closes #12``).
_FOOTER = re.compile(r"(?P<token>BREAKING[ -]CHANGE|[A-Za-z][\w-]*)(?::[ ]|[ ](?=#))(?P<value>.*)")
_SQUASH_PR = re.compile(r"\s*\(#(?P<pr>\d+)\)$")
_GIT_REVERT = re.compile(r'Revert "(?P<subject>.*)"$')
_REVERTS_SHA = re.compile(r"This reverts commit (?P<sha>[0-9a-f]{7,40})")
_MERGE_SUBJECT = re.compile(r"Merge (?:branch|pull request|remote-tracking branch|tag|commit) ")
_SCISSORS = "# ------------------------ >8 ------------------------"


@dataclass(frozen=True, slots=True)
class Footer:
    """One footer or git trailer: ``Refs: #12`` -> token ``Refs``, value ``#12``."""

    token: str
    value: str


@dataclass(frozen=True, slots=True)
class Commit:
    """A parsed commit. ``type`` is ``None`` for messages that are not Conventional Commits.

    The header is parsed eagerly; the body and footers on access (:attr:`body`,
    :attr:`footers`), since release notes of thousands of commits rarely need them. Whatever
    decides a version (``breaking``, reverts) is computed at parse time.
    """

    raw: RawCommit
    #: The first line of the message, as written.
    subject: str
    type: str | None
    scope: str | None
    #: The description, without the ``(#123)`` of a squash merge.
    description: str
    #: ``!`` in the header or a ``BREAKING CHANGE``/``BREAKING-CHANGE`` footer.
    breaking: bool = False
    #: What the breaking-change footers say (the migration notes); the description if only ``!``.
    breaking_notes: tuple[str, ...] = ()
    is_merge: bool = False
    is_revert: bool = False
    #: The sha a revert undoes, when the message names it.
    reverts: str | None = None
    #: Pull-request number of a squash merge (``feat: x (#123)``).
    pr: int | None = None

    @property
    def sha(self) -> str:
        """The full sha."""
        return self.raw.sha

    @property
    def parents(self) -> tuple[str, ...]:
        """Parent shas (two or more for a merge)."""
        return self.raw.parents

    @property
    def author(self) -> str:
        """Author name."""
        return self.raw.author

    @property
    def email(self) -> str:
        """Author email."""
        return self.raw.email

    @property
    def date(self) -> str:
        """Author date, ISO 8601."""
        return self.raw.date

    @property
    def body(self) -> str:
        """The text between the header and the footers."""
        return _body_and_footers(self.raw.message)[0]

    @property
    def footers(self) -> tuple[Footer, ...]:
        """Footers and git trailers, in order."""
        return _body_and_footers(self.raw.message)[1]

    @property
    def conventional(self) -> bool:
        """Whether the header follows Conventional Commits."""
        return self.type is not None

    @property
    def short_sha(self) -> str:
        """The first 7 characters of the sha."""
        return self.raw.sha[:7]

    def footer(self, token: str) -> list[str]:
        """Values of every footer named ``token`` (case-insensitive, ``-`` and space alike)."""
        want = token.lower().replace(" ", "-")
        return [f.value for f in self.footers if f.token.lower().replace(" ", "-") == want]


@dataclass(frozen=True, slots=True)
class CommitRules:
    """How commits are read: known types and their changelog sections, merge handling."""

    #: Commit type -> changelog section title; order gives the section order in notes.
    sections: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SECTIONS))
    #: ``skip`` leaves merge commits out of notes (their parents' commits count);
    #: ``parse`` reads their subjects like any other commit.
    merges: MergePolicy = "skip"
    #: Longest header the linter accepts.
    max_header_length: int = 100
    #: Whether the linter refuses types not in ``sections``.
    strict_types: bool = True
    #: Commits left out of notes and decisions, as ``type`` or ``type(scope)``: release commits
    #: describe no change.
    exclude: tuple[str, ...] = ("chore(release)",)

    @property
    def types(self) -> tuple[str, ...]:
        """Known commit types."""
        return tuple(self.sections)


def _split_footers(lines: list[str]) -> tuple[list[str], list[Footer]]:
    """Split the lines after the header into body lines and footers.

    Footers are the last paragraph when its first line is a footer, or everything from the first
    paragraph that opens with a breaking-change footer. A footer's value runs until the next
    footer token (spec item 10: values may span lines).
    """
    start: int | None = None
    paragraph_start = True
    last_para: int | None = None
    for i, line in enumerate(lines):
        if not line.strip():
            paragraph_start = True
            continue
        if paragraph_start:
            if line.startswith(BREAKING_TOKENS) and _FOOTER.match(line):
                start = i
                break
            last_para = i
        paragraph_start = False
    if start is None and last_para is not None and _FOOTER.match(lines[last_para]):
        start = last_para
    if start is None:
        return lines, []
    footers: list[list[str]] = []
    for line in lines[start:]:
        m = _FOOTER.match(line)
        if m is not None:
            footers.append([m["token"], m["value"]])
        elif footers:
            footers[-1][1] += "\n" + line
    out = [Footer(token, value.strip()) for token, value in footers]
    return lines[:start], out


def _body_and_footers(message: str) -> tuple[str, tuple[Footer, ...]]:
    rest = message.partition("\n")[2].strip("\n")
    if not rest:
        return "", ()
    body_lines, footers = _split_footers(rest.split("\n"))
    return "\n".join(body_lines).strip(), tuple(footers)


def parse_commit(raw: RawCommit) -> Commit:
    """Parse one commit.

    >>> c = parse_commit(RawCommit("a1", (), "A", "a@x", "", "feat(api)!: drop v1 (#12)"))
    >>> (c.type, c.scope, c.breaking, c.description, c.pr)
    ('feat', 'api', True, 'drop v1', 12)

    The common shape (one parent, no ``(#123)``, no footer or revert line that can matter)
    takes a fast path: one regex match, then the record; everything else, and any doubt, goes
    through :func:`parse_commit_general`, which gives the same answer for the common shape too
    (a property test holds the two together).
    """
    message = raw.message
    subject, _, rest = message.partition("\n")
    subject = subject.strip()
    if (
        len(raw.parents) < 2
        and subject[-1:] != ")"
        and not subject.startswith("Merge ")
        and "BREAKING" not in rest
        and "This reverts commit" not in rest
    ):
        match = _HEADER.fullmatch(subject)
        if match is None:  # not a Conventional Commit: "Other", or a git revert
            git_revert = _GIT_REVERT.match(subject) if subject.startswith("Revert") else None
            return Commit(
                raw,
                subject,
                None,
                None,
                git_revert["subject"] if git_revert else subject,
                False,
                (),
                False,
                git_revert is not None,
                None,
                None,
            )
        ctype, scope, bang, desc = match.groups()
        ctype = ctype.lower()
        if ctype != "revert":
            desc = desc.strip()
            return Commit(
                raw,
                subject,
                ctype,
                scope.strip() if scope else None,
                desc,
                bang is not None,
                (desc,) if bang is not None else (),
                False,
                False,
                None,
                None,
            )
    return parse_commit_general(raw)


def parse_commit_general(raw: RawCommit) -> Commit:
    """Parse one commit through every rule (:func:`parse_commit` is the same, faster)."""
    message = raw.message
    subject, _, rest = message.partition("\n")
    subject = subject.strip()
    is_merge = len(raw.parents) > 1 or (
        subject.startswith("Merge ") and _MERGE_SUBJECT.match(subject) is not None
    )
    reverts: str | None = None
    if "This reverts commit" in rest:
        m = _REVERTS_SHA.search(rest)
        reverts = m["sha"] if m else None
    description = subject
    pr: int | None = None
    if subject.endswith(")"):
        m = _SQUASH_PR.search(subject)
        if m is not None:
            pr = int(m["pr"])
            description = subject[: m.start()]
    match = _HEADER.fullmatch(description)
    if match is None:
        git_revert = _GIT_REVERT.match(description) if description.startswith("Revert") else None
        return Commit(
            raw,
            subject,
            None,
            None,
            git_revert["subject"] if git_revert else description,
            False,
            (),
            is_merge,
            git_revert is not None,
            reverts,
            pr,
        )
    ctype = match["type"].lower()
    desc = match["desc"].strip()
    notes: list[str] = []
    footers: tuple[Footer, ...] = ()
    if "BREAKING" in rest or (ctype == "revert" and reverts is None):
        footers = _body_and_footers(message)[1]
        notes = [f.value for f in footers if f.token in BREAKING_TOKENS]
    if match["bang"] is not None and not notes:
        notes = [desc]
    if ctype == "revert" and reverts is None:
        refs = [f.value for f in footers if f.token.lower() == "refs"]
        if refs and re.fullmatch(r"[0-9a-f]{7,40}", refs[0].split(",")[0].strip()):
            reverts = refs[0].split(",")[0].strip()
    scope = match["scope"]
    return Commit(
        raw,
        subject,
        ctype,
        scope.strip() if scope else None,
        desc,
        bool(notes),
        tuple(notes),
        is_merge,
        ctype == "revert",
        reverts,
        pr,
    )


def parse_commits(raws: Iterable[RawCommit], rules: CommitRules | None = None) -> list[Commit]:
    """Parse commits, dropping merge commits when ``rules.merges`` is ``skip``.

    A revert and the commit it reverts cancel out when both are in ``raws``: neither counts.
    """
    return select_commits([parse_commit(r) for r in raws], rules)


def select_commits(parsed: Iterable[Commit], rules: CommitRules | None = None) -> list[Commit]:
    """The commits that count: merges dropped (``merges = "skip"``), excluded types and scopes
    (``chore(release)``) dropped, reverted pairs cancelled."""
    rules = rules or CommitRules()
    parsed = list(parsed)
    if rules.merges == "skip":
        parsed = [c for c in parsed if not c.is_merge]
    if rules.exclude:
        excluded = set(rules.exclude)
        parsed = [
            c
            for c in parsed
            if c.type is None
            or (c.type not in excluded and f"{c.type}({c.scope or ''})" not in excluded)
        ]
    reverted = {c.reverts for c in parsed if c.is_revert and c.reverts}
    if not reverted:
        return parsed
    present = {c.sha for c in parsed if any(c.sha.startswith(r) for r in reverted)}
    if not present:
        return parsed
    cancelled = set(present)
    cancelled |= {
        c.sha for c in parsed if c.reverts and any(s.startswith(c.reverts) for s in present)
    }
    return [c for c in parsed if c.sha not in cancelled]


# -- linting ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LintProblem:
    """One thing wrong with a message: a sentence, its line, and the span ``[start, end)`` it
    points at (0-based columns; shown as tildes ending in a caret under the last column)."""

    message: str
    line: int
    start: int
    end: int


class CommitLintError(InvalidInput):
    """A commit message that is not a Conventional Commit, shown with a ``~~~^`` marker.

    >>> err = CommitLintError("fix stuff", [LintProblem("missing ': ' after the type", 1, 0, 4)])
    >>> print(err.explain())
    missing ': ' after the type
        fix stuff
        ~~~^
    """

    slug = "invalid-commit-message"

    def __init__(self, message_text: str, problems: list[LintProblem], *, file: str | None = None):
        self.source = message_text
        self.problems = problems
        first = problems[0]
        super().__init__(
            first.message,
            location=Location(file=file, line=first.line),
            hint="expected 'type(scope)!: description', e.g. 'feat(api): add search'",
        )

    def explain(self) -> str:
        """Every problem, each with its line and a ``~~~^`` marker under the span."""
        lines = self.source.split("\n")
        out: list[str] = []
        for p in self.problems:
            out.append(p.message)
            text = lines[p.line - 1] if 0 < p.line <= len(lines) else ""
            out.append("    " + text)
            width = max(p.end - p.start, 1)
            out.append("    " + " " * p.start + "~" * (width - 1) + "^")
        return "\n".join(out)


def clean_message(text: str) -> str:
    """The message git would record: ``#`` comment lines and the scissors part removed."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line == _SCISSORS:
            break
        if line.startswith("#"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip("\n")


def lint_message(text: str, rules: CommitRules | None = None) -> list[LintProblem]:
    """Problems with a commit message; empty when it is a valid Conventional Commit.

    Merge, ``fixup!``/``squash!`` and git revert messages pass: git writes them itself.
    """
    rules = rules or CommitRules()
    message = clean_message(text)
    if not message.strip():
        return [LintProblem("the commit message is empty", 1, 0, 1)]
    lines = message.split("\n")
    header = lines[0]
    if header.startswith(("fixup! ", "squash! ", "amend! ")) or _MERGE_SUBJECT.match(header):
        return []
    if _GIT_REVERT.match(header):
        return []
    problems: list[LintProblem] = []
    match = _HEADER.fullmatch(header)
    if match is None:
        problems.append(_explain_header(header))
    else:
        ctype = match["type"]
        if rules.strict_types and ctype.lower() not in rules.sections:
            known = ", ".join(rules.types)
            problems.append(
                LintProblem(f"unknown type {ctype!r} (known: {known})", 1, 0, len(ctype))
            )
        if match["scope"] is not None and not match["scope"].strip():
            start = match.start("scope") - 1
            problems.append(LintProblem("empty scope '()'", 1, start, start + 2))
        if not match["desc"].strip():
            problems.append(
                LintProblem("the description after ': ' is empty", 1, len(header), len(header) + 1)
            )
        elif match["desc"] != match["desc"].lstrip():
            start = match.start("desc")
            problems.append(LintProblem("extra space before the description", 1, start, start + 1))
    if len(header) > rules.max_header_length:
        problems.append(
            LintProblem(
                f"the header is {len(header)} characters, more than {rules.max_header_length}",
                1,
                rules.max_header_length,
                len(header),
            )
        )
    if len(lines) > 1 and lines[1].strip():
        problems.append(
            LintProblem("the body must be separated from the header by a blank line", 2, 0, 1)
        )
    for number, line in enumerate(lines[1:], start=2):
        if re.match(r"breaking[ -]change\s*:", line, re.IGNORECASE) and not line.startswith(
            BREAKING_TOKENS
        ):
            token_len = len("BREAKING CHANGE")
            problems.append(
                LintProblem(
                    "write the footer token in capitals: 'BREAKING CHANGE:'", number, 0, token_len
                )
            )
    return problems


def _explain_header(header: str) -> LintProblem:
    """The first thing that keeps ``header`` from matching ``type(scope)!: description``."""
    m = re.match(r"[A-Za-z][\w-]*", header)
    if m is None:
        return LintProblem("the header must start with a type such as 'feat' or 'fix'", 1, 0, 1)
    pos = m.end()
    if header[pos : pos + 1] == "(":
        close = header.find(")", pos)
        if close == -1:
            return LintProblem("the scope is not closed with ')'", 1, pos, len(header))
        pos = close + 1
    if header[pos : pos + 1] == "!":
        pos += 1
    # Spans cover what was read (tildes) up to where the problem is (the caret).
    if header[pos : pos + 1] != ":":
        return LintProblem("expected ':' after the type (and scope)", 1, 0, pos + 1)
    if pos + 1 >= len(header.rstrip()):
        return LintProblem("the description after ': ' is empty", 1, pos + 1, pos + 2)
    return LintProblem("expected a space after ':'", 1, 0, pos + 2)
