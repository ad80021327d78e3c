"""Conventional Commits 1.0.0 parsing and linting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polaris.commits.rules import (
    CommitLintError,
    CommitRules,
    RawCommit,
    clean_message,
    lint_message,
    parse_commit,
    parse_commit_general,
    parse_commits,
)


def raw(message: str, sha: str = "a" * 40, parents: tuple[str, ...] = ("p",)) -> RawCommit:
    return RawCommit(sha, parents, "Ada", "ada@example.com", "2026-01-01T00:00:00+00:00", message)


class TestHeader:
    @pytest.mark.parametrize(
        ("message", "ctype", "scope", "breaking", "description"),
        [
            ("feat: add search", "feat", None, False, "add search"),
            ("fix(api): handle empty body", "fix", "api", False, "handle empty body"),
            ("feat(api)!: drop v1 endpoints", "feat", "api", True, "drop v1 endpoints"),
            ("refactor!: rename module", "refactor", None, True, "rename module"),
            ("FEAT: upper-case type", "feat", None, False, "upper-case type"),
            ("build(deps-dev): bump pytest", "build", "deps-dev", False, "bump pytest"),
            ("custom-type(x y): free scope", "custom-type", "x y", False, "free scope"),
        ],
    )
    def test_header_forms(
        self, message: str, ctype: str, scope: str | None, breaking: bool, description: str
    ) -> None:
        c = parse_commit(raw(message))
        assert (c.type, c.scope, c.breaking, c.description) == (
            ctype,
            scope,
            breaking,
            description,
        )
        assert c.conventional

    @pytest.mark.parametrize(
        "message",
        ["Update README", "feat:no space", "feat add thing", "(api): no type", "WIP", ""],
    )
    def test_non_conforming_messages_are_kept_with_no_type(self, message: str) -> None:
        c = parse_commit(raw(message))
        assert c.type is None
        assert not c.conventional
        assert c.description == message.strip()

    def test_squash_merge_subject_gives_the_pr_number(self) -> None:
        c = parse_commit(raw("feat(ui): dark mode (#123)"))
        assert (c.type, c.scope, c.description, c.pr) == ("feat", "ui", "dark mode", 123)

    def test_non_conventional_squash_subject_still_gives_the_pr(self) -> None:
        c = parse_commit(raw("Improve docs (#7)"))
        assert (c.type, c.description, c.pr) == (None, "Improve docs", 7)


class TestBodyAndFooters:
    def test_body_and_footers_are_split(self) -> None:
        c = parse_commit(
            raw(
                "fix: prevent racing of requests\n\n"
                "Introduce a request id and a reference to latest request.\n\n"
                "Remove timeouts which were used to mitigate the racing issue.\n\n"
                "Reviewed-by: Z\nRefs: #123\nCloses #12\n"
            )
        )
        assert c.body.startswith("Introduce a request id")
        assert c.body.endswith("mitigate the racing issue.")
        assert [(f.token, f.value) for f in c.footers] == [
            ("Reviewed-by", "Z"),
            ("Refs", "#123"),
            ("Closes", "#12"),
        ]
        assert c.footer("refs") == ["#123"]
        assert not c.breaking

    @pytest.mark.parametrize("token", ["BREAKING CHANGE", "BREAKING-CHANGE"])
    def test_breaking_change_footer_equals_bang(self, token: str) -> None:
        c = parse_commit(raw(f"feat: allow config to extend\n\n{token}: `extends` key changed"))
        assert c.breaking
        assert c.breaking_notes == ("`extends` key changed",)

    def test_bang_alone_uses_the_description_as_note(self) -> None:
        c = parse_commit(raw("chore!: drop Node 6"))
        assert c.breaking
        assert c.breaking_notes == ("drop Node 6",)

    def test_multi_line_footer_value_runs_until_the_next_token(self) -> None:
        c = parse_commit(
            raw(
                "feat: x\n\nbody\n\nBREAKING CHANGE: first line\nsecond line\n"
                "Signed-off-by: A <a@x>\n"
            )
        )
        assert c.breaking_notes == ("first line\nsecond line",)
        assert c.footer("Signed-off-by") == ["A <a@x>"]
        assert c.body == "body"

    def test_breaking_change_paragraph_in_the_middle_starts_the_footers(self) -> None:
        c = parse_commit(raw("feat: x\n\nBREAKING CHANGE: gone\n\nRefs: #1"))
        assert c.breaking
        assert c.body == ""

    def test_lower_case_breaking_change_is_not_breaking(self) -> None:
        c = parse_commit(raw("feat: x\n\nbreaking change: not the token"))
        assert not c.breaking

    def test_body_paragraph_looking_like_text_is_not_a_footer(self) -> None:
        c = parse_commit(raw("fix: y\n\nThis explains the fix.\nIt has two lines."))
        assert c.footers == ()
        assert c.body == "This explains the fix.\nIt has two lines."


class TestRevertsAndMerges:
    def test_git_revert_message(self) -> None:
        c = parse_commit(raw('Revert "feat: add search"\n\nThis reverts commit abcdef1234567.\n'))
        assert c.is_revert
        assert c.reverts == "abcdef1234567"
        assert c.type is None

    def test_conventional_revert_with_refs(self) -> None:
        c = parse_commit(
            raw("revert: let us never again speak of the noodle incident\n\nRefs: 676104e")
        )
        assert (c.type, c.is_revert, c.reverts) == ("revert", True, "676104e")

    def test_revert_and_reverted_commit_cancel_out(self) -> None:
        feat = raw("feat: add search", sha="1" * 40)
        rev = raw(f'Revert "feat: add search"\n\nThis reverts commit {"1" * 40}.', sha="2" * 40)
        fix = raw("fix: other", sha="3" * 40)
        assert [c.sha for c in parse_commits([rev, fix, feat])] == ["3" * 40]

    def test_revert_of_an_older_release_stays(self) -> None:
        rev = raw('Revert "feat: old"\n\nThis reverts commit 9999999.', sha="2" * 40)
        assert [c.sha for c in parse_commits([rev])] == ["2" * 40]

    def test_merge_commits_are_skipped_by_default_and_parsed_on_request(self) -> None:
        merge = raw("Merge branch 'feature/x'", sha="m" * 40, parents=("a", "b"))
        feat = raw("feat: x", sha="f" * 40)
        assert [c.sha for c in parse_commits([merge, feat])] == ["f" * 40]
        parsed = parse_commits([merge, feat], CommitRules(merges="parse"))
        assert [c.is_merge for c in parsed] == [True, False]

    def test_merge_subject_without_two_parents_is_a_merge(self) -> None:
        assert parse_commit(raw("Merge pull request #3 from x/y")).is_merge


class TestLint:
    def test_valid_message_has_no_problem(self) -> None:
        assert lint_message("feat(api): add search\n\nbody\n\nRefs: #1\n") == []

    @pytest.mark.parametrize(
        "message",
        [
            "Merge branch 'x'",
            'Revert "feat: y"\n\nThis reverts commit abc1234.',
            "fixup! feat: y",
            "squash! fix: z",
        ],
    )
    def test_git_generated_messages_pass(self, message: str) -> None:
        assert lint_message(message) == []

    @pytest.mark.parametrize(
        ("message", "expected", "start"),
        [
            ("fix stuff", "expected ':' after the type", 0),
            ("feat:no space", "expected a space after ':'", 0),
            ("feat(api: x", "the scope is not closed", 4),
            ("wip: x", "unknown type 'wip'", 0),
            ("feat: ", "description after ': ' is empty", 5),
            ("123: x", "must start with a type", 0),
            ("feat(): x", "empty scope", 4),
        ],
    )
    def test_problems_name_the_span(self, message: str, expected: str, start: int) -> None:
        problems = lint_message(message)
        assert problems, message
        assert expected in problems[0].message
        assert problems[0].start == start

    def test_body_must_follow_a_blank_line(self) -> None:
        problems = lint_message("feat: x\nbody right away")
        assert [p.line for p in problems] == [2]

    def test_lower_case_breaking_footer_is_flagged(self) -> None:
        problems = lint_message("feat: x\n\nbreaking change: y")
        assert "capitals" in problems[0].message

    def test_custom_types_are_accepted_when_configured(self) -> None:
        rules = CommitRules(sections={"feat": "Added", "model": "Models"})
        assert lint_message("model(ner): retrain on v3 data", rules) == []
        assert lint_message("fix: x", rules)

    def test_long_header_is_flagged(self) -> None:
        problems = lint_message("feat: " + "x" * 120)
        assert "more than 100" in problems[0].message

    def test_comments_and_scissors_are_ignored(self) -> None:
        scissors = "# ------------------------ >8 ------------------------"
        text = f"feat: x\n# Please enter the commit message\n{scissors}\ndiff --git a b\n"
        assert clean_message(text) == "feat: x"
        assert lint_message(text) == []

    def test_error_shows_a_marker_under_the_span(self) -> None:
        err = CommitLintError("feat(api) add x", lint_message("feat(api) add x"))
        assert err.explain().splitlines() == [
            "expected ':' after the type (and scope)",
            "    feat(api) add x",
            "    ~~~~~~~~~^",
        ]
        assert err.location.line == 1
        assert "type(scope)!: description" in (err.hint or "")

    def test_wide_span_gets_tildes(self) -> None:
        err = CommitLintError("wip: x", lint_message("wip: x"))
        assert err.explain().splitlines()[-1] == "    ~~^"

    def test_empty_message(self) -> None:
        assert lint_message("# only a comment\n")[0].message == "the commit message is empty"


# -- the fast path of parse_commit ----------------------------------------------------------------

_TYPES = st.sampled_from(
    ["feat", "fix", "Feat", "FIX", "perf", "docs", "revert", "Revert", "x-y_z", "model", "1bad"]
)
_WORDS = st.sampled_from(
    ["add", "the", "search", "(#12)", "(#7)", ")", "(", "!", ":", " ", "  ", "\t", "é", "#3", "x"]
)


@st.composite
def _subjects(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    words = " ".join(draw(st.lists(_WORDS, max_size=6)))
    if kind == 0:
        return draw(
            st.sampled_from(["Merge branch 'x'", "Merge pull request #4 from a/b", "Merge"])
        )
    if kind == 1:
        return f'Revert "{draw(_TYPES)}: {words}"'
    if kind == 2:
        return words  # free-form
    scope = draw(st.sampled_from(["", "(api)", "( api )", "()", "(a(b)", "(x"]))
    bang = draw(st.sampled_from(["", "!"]))
    sep = draw(st.sampled_from([": ", ":", " : ", ":  "]))
    pr = draw(st.sampled_from(["", " (#123)", "(#9)", " (#x)"]))
    lead = draw(st.sampled_from(["", " ", "\t"]))
    return f"{lead}{draw(_TYPES)}{scope}{bang}{sep}{words}{pr}"


_BODY_LINES = st.sampled_from(
    [
        "",
        "some body text",
        "BREAKING CHANGE: the api moved",
        "BREAKING-CHANGE: gone",
        "BREAKING change: lower case",
        "breaking change: not a footer",
        "This reverts commit abcdef1234567.",
        "Refs: abcdef1",
        "Refs: #12, #13",
        "Closes #12",
        "Signed-off-by: Ada <ada@example.com>",
        "  indented continuation",
    ]
)


@settings(max_examples=600, deadline=None)
@given(
    _subjects(),
    st.lists(_BODY_LINES, max_size=7),
    st.integers(0, 2),
    st.sampled_from(["", "\n", "\n\n", "\r\n"]),
)
def test_fast_path_and_general_path_agree(
    subject: str, body: list[str], parents: int, tail: str
) -> None:
    message = subject + ("\n\n" + "\n".join(body) if body else "") + tail
    commit = RawCommit(
        "f" * 40, tuple(str(i) * 40 for i in range(parents)), "A", "a@x", "", message
    )
    assert parse_commit(commit) == parse_commit_general(commit)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.integers(0, 2))
def test_fast_path_and_general_path_agree_on_any_text(message: str, parents: int) -> None:
    commit = RawCommit(
        "f" * 40, tuple(str(i) * 40 for i in range(parents)), "A", "a@x", "", message
    )
    assert parse_commit(commit) == parse_commit_general(commit)
