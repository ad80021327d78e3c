"""Release-notes model, history splitting and incremental insertion."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polaris.commits.changelog import (
    MARKER,
    Remote,
    build_notes,
    insert_release,
    render_changelog,
    render_release,
    section_order,
    split_history,
)
from polaris.commits.rules import CommitRules, RawCommit, parse_commits
from polaris.core.semver import Version


def rc(sha: str, parents: str, message: str, author: str = "Ada") -> RawCommit:
    return RawCommit(sha * 40, tuple(p * 40 for p in parents), author, "", "", message)


class TestSplitHistory:
    def test_linear_history(self) -> None:
        log = [
            rc("e", "d", "e"),
            rc("d", "c", "d"),
            rc("c", "b", "c"),
            rc("b", "a", "b"),
            rc("a", "", "a"),
        ]
        tags = {
            "b" * 40: ("v1.0.0", Version.parse("1.0.0")),
            "d" * 40: ("v1.1.0", Version.parse("1.1.0")),
        }
        slices = split_history(log, tags)
        assert [(s.tag, [c.message for c in s.commits]) for s in slices] == [
            (None, ["e"]),
            ("v1.1.0", ["d", "c"]),
            ("v1.0.0", ["b", "a"]),
        ]

    def test_side_branch_commits_land_in_the_release_that_merges_them(self) -> None:
        # a - b(v1.0.0) - m(v1.1.0), with x branching from a and merged in m.
        log = [rc("m", "bx", "merge"), rc("x", "a", "x"), rc("b", "a", "b"), rc("a", "", "a")]
        tags = {
            "b" * 40: ("v1.0.0", Version.parse("1.0.0")),
            "m" * 40: ("v1.1.0", Version.parse("1.1.0")),
        }
        slices = split_history(log, tags)
        assert [c.message for c in slices[1].commits] == ["merge", "x"]
        assert [c.message for c in slices[2].commits] == ["b", "a"]

    def test_tag_off_history_is_ignored(self) -> None:
        log = [rc("b", "a", "b"), rc("a", "", "a")]
        slices = split_history(log, {"z" * 40: ("v9.0.0", Version.parse("9.0.0"))})
        assert len(slices) == 1
        assert len(slices[0].commits) == 2


class TestNotes:
    def test_sections_follow_keep_a_changelog_then_rules_then_other(self) -> None:
        order = section_order(CommitRules())
        assert order[:7] == [
            "Added",
            "Changed",
            "Deprecated",
            "Removed",
            "Fixed",
            "Security",
            "Reverted",
        ]
        assert order[-1] == "Other"

    def test_grouping_breaking_deps_and_contributors(self) -> None:
        raws = [
            rc("a", "", "feat(api): search (#4)", "Bob"),
            rc("b", "", "fix: crash", "ada"),
            rc("c", "", "refactor!: new layout\n\nBREAKING CHANGE: move files", "Bob"),
            rc("d", "", "build(deps): bump fastapi 0.110 -> 0.111"),
            rc("e", "", "Tweak things"),
            rc("f", "", "model: retrain"),
        ]
        remote = Remote.from_url("https://github.com/acme/aiops.git")
        notes = build_notes(
            parse_commits(raws),
            CommitRules(),
            version=Version.parse("2.0.0"),
            tag="v2.0.0",
            previous=("v1.4.0", Version.parse("1.4.0")),
            date="2026-01-02",
            remote=remote,
        )
        assert [s.title for s in notes.sections] == [
            "Added",
            "Changed",
            "Fixed",
            "Maintenance",
            "Other",
        ]
        other = notes.section("Other")
        assert other is not None
        assert [e.description for e in other.entries] == ["Tweak things", "model: retrain"]
        assert [b.notes for b in notes.breaking] == [("move files",)]
        assert [d.description for d in notes.dependencies] == ["bump fastapi 0.110 -> 0.111"]
        assert notes.contributors == ("Ada", "ada", "Bob")
        assert notes.release_type == "Major"
        assert notes.compare_url == "https://github.com/acme/aiops/compare/v1.4.0...v2.0.0"
        added = notes.section("Added")
        assert added is not None
        assert added.entries[0].pr_url == "https://github.com/acme/aiops/pull/4"
        assert notes.commit_count == 6

    @pytest.mark.parametrize(
        ("url", "base", "style"),
        [
            ("git@github.com:acme/aiops.git", "https://github.com/acme/aiops", "github"),
            ("https://github.com/acme/aiops", "https://github.com/acme/aiops", "github"),
            ("ssh://git@gitlab.com/g/sub/p.git", "https://gitlab.com/g/sub/p", "gitlab"),
            ("https://user@gitlab.example.com/g/p.git", "https://gitlab.example.com/g/p", "gitlab"),
        ],
    )
    def test_remote_urls(self, url: str, base: str, style: str) -> None:
        remote = Remote.from_url(url)
        assert remote is not None
        assert (remote.base, remote.style) == (base, style)

    def test_gitlab_links(self) -> None:
        remote = Remote("https://gitlab.com/g/p", "gitlab")
        assert remote.compare_url("v1", "v2") == "https://gitlab.com/g/p/-/compare/v1...v2"
        assert remote.pr_url(3) == "https://gitlab.com/g/p/-/merge_requests/3"
        assert remote.commit_url("abc") == "https://gitlab.com/g/p/-/commit/abc"

    def test_unknown_remote(self) -> None:
        assert Remote.from_url("/srv/git/repo") is None


OLDER = """\
## [1.1.0] - 2025-09-01

### Added

- Multi-agent orchestration   <- hand-edited, odd spacing kept
- Real-time streaming

## [1.0.0] - 2025-08-01

Initial release.\t\n"""

SECTION = """\
## [1.2.0] - 2026-01-02

### Added

- **api:** search (abc1234)

### Fixed

- crash (def5678)
"""


class TestInsertRelease:
    def test_unreleased_content_moves_into_the_release_and_older_bytes_stay(self) -> None:
        text = (
            "# Changelog\n\nIntro.\n\n" + MARKER + "\n\n## [Unreleased]\n\n"
            "Some words first.\n\n### Added\n\n- hand-written entry\n\n"
            "### Security\n\n- patched CVE-2026-1\n\n" + OLDER
        )
        out = insert_release(text, SECTION)
        assert out.endswith(OLDER)
        assert out.startswith("# Changelog\n\nIntro.\n\n" + MARKER + "\n\n## [Unreleased]\n\n")
        new = out[len("# Changelog\n\nIntro.\n\n" + MARKER + "\n\n## [Unreleased]\n\n") :]
        new = new[: -len(OLDER)]
        assert new == (
            "## [1.2.0] - 2026-01-02\n\nSome words first.\n\n### Added\n\n"
            "- **api:** search (abc1234)\n- hand-written entry\n\n"
            "### Fixed\n\n- crash (def5678)\n\n"
            "### Security\n\n- patched CVE-2026-1\n\n"
        )

    def test_second_insert_keeps_the_first_byte_for_byte(self) -> None:
        first = insert_release(MARKER + "\n", SECTION)
        second = insert_release(first, SECTION.replace("1.2.0", "1.3.0"))
        assert second.endswith(first[first.index("## [1.2.0]") :])

    def test_without_marker_it_goes_before_unreleased(self) -> None:
        text = "# Changelog\n\n## [Unreleased]\n\n" + OLDER
        out = insert_release(text, SECTION)
        assert MARKER in out
        assert out.index(MARKER) < out.index("## [Unreleased]") < out.index("## [1.2.0]")
        assert out.endswith(OLDER)

    def test_without_marker_or_unreleased_it_goes_before_the_first_release(self) -> None:
        text = "# Changelog\n\nIntro.\n\n" + OLDER
        out = insert_release(text, SECTION)
        assert out.startswith("# Changelog\n\nIntro.\n\n" + MARKER)
        assert out.endswith(OLDER)

    def test_empty_file(self) -> None:
        out = insert_release("", SECTION)
        assert out.startswith(MARKER + "\n\n## [Unreleased]\n\n## [1.2.0]")

    def test_custom_unreleased_heading(self) -> None:
        out = insert_release(MARKER + "\n", SECTION, unreleased="## [Unreleased](link)")
        assert "## [Unreleased](link)\n\n## [1.2.0]" in out


# -- the built-in renderer is byte for byte the default templates ---------------------------------

_TEMPLATES = Path(__file__).parents[2] / "src" / "polaris" / "templates" / "changelog"


def _jinja() -> jinja2.Environment:
    # The settings of polaris.releases.service._environment (tests/releases/test_service.py checks
    # that pairing on real repositories too).
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=False,  # noqa: S701 - Markdown
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


_MESSAGES = st.sampled_from(
    [
        "feat(api): add search",
        "feat: plain feature (#12)",
        "fix(db)!: drop the column",
        "fix: x\n\nBREAKING CHANGE: call v2\nwith the same body\n\nRefs: #3",
        "perf: faster",
        "refactor(ui): tidy",
        "docs: readme",
        "model(rag): new embedder",
        "chore(deps): bump x (#44)",
        "security: patch CVE",
        "Update README 12",
        "WIP",
        "feat!: same as description",
        "feat(a): same\n\nBREAKING CHANGE: same",
        "wip(x)!: unknown type breaking",
        "feat: *markdown* {{ not a template }} {% raw %}",
    ]
)
_REMOTES = st.sampled_from(
    [
        None,
        Remote("https://github.com/acme/aiops"),
        Remote("https://gitlab.com/acme/aiops", "gitlab"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_MESSAGES, st.sampled_from(["Ada", "Bob", ""])), max_size=12),
    _REMOTES,
    st.sampled_from([None, Version.parse("2.0.0"), Version.parse("1.1.0-rc.1")]),
    st.sampled_from([None, ("v1.0.0", Version.parse("1.0.0"))]),
    st.sampled_from([None, "", "2026-01-02"]),
)
def test_render_release_is_the_default_template(
    messages: list[tuple[str, str]],
    remote: Remote | None,
    version: Version | None,
    previous: tuple[str, Version] | None,
    date: str | None,
) -> None:
    rules = CommitRules(sections={**CommitRules().sections, "model": "Models"})
    commits = parse_commits(
        [rc(f"{i:x}"[-1], "", m, author) for i, (m, author) in enumerate(messages)], rules
    )
    tag = f"v{version}" if version is not None else None
    kwargs = {"version": version, "tag": tag, "previous": previous, "date": date, "remote": remote}
    notes = build_notes(commits, rules, **kwargs)  # type: ignore[arg-type]
    env = _jinja()
    expected = env.get_template("release.md.j2").render(release=notes)
    fast = render_release(commits, rules, **kwargs)  # type: ignore[arg-type]
    assert fast == expected
    whole = env.get_template("changelog.md.j2").render(releases=[notes, notes], marker=MARKER)
    assert render_changelog([fast, fast], MARKER) == whole
    assert render_changelog([], "<!-- m -->") == env.get_template("changelog.md.j2").render(
        releases=[], marker="<!-- m -->"
    )
