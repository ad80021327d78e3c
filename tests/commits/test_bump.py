"""Commits -> next version: levels, the major-0 rule, prerelease channels, branch versions."""

from __future__ import annotations

import pytest

from polaris.commits.bump import (
    BumpDecision,
    BumpRules,
    branch_build_version,
    decide,
    next_version,
    tag_name,
    tag_version_text,
)
from polaris.commits.rules import RawCommit, parse_commit
from polaris.core.errors import InvalidInput, InvalidVersion
from polaris.core.semver import Version

V = Version.parse


def commits(*messages: str) -> list:  # type: ignore[type-arg]
    return [
        parse_commit(RawCommit(f"{i:040d}", (), "A", "a@x", "", m)) for i, m in enumerate(messages)
    ]


class TestDecide:
    @pytest.mark.parametrize(
        ("messages", "level"),
        [
            (("test: x", "chore: y", "Update things"), None),
            (("fix: x", "docs: y"), "patch"),
            (("docs: x",), "patch"),
            (("security: patch CVE",), "patch"),
            (("config: raise the pool size",), "patch"),
            (("perf: faster",), "minor"),
            (("deprecate: the v1 search",), "minor"),
            (("remove: the v1 search",), "major"),
            (("fix: x", "feat: y"), "minor"),
            (("feat: y", "fix!: z"), "major"),
            (("feat: y\n\nBREAKING CHANGE: z",), "major"),
            (("feat: y\n\nBREAKING-CHANGE: z",), "major"),
            (("docs!: rewrite the guide",), "major"),
        ],
    )
    def test_levels(self, messages: tuple[str, ...], level: str | None) -> None:
        assert decide(commits(*messages)).level == level

    def test_reasons_are_the_commits_at_the_decisive_level(self) -> None:
        d = decide(commits("fix: a", "feat: b", "feat(x): c", "docs: d"))
        assert [r.subject for r in d.reasons] == ["feat: b", "feat(x): c"]
        assert d.considered == 4
        assert d.reasons[0].why == "feat -> minor"

    def test_breaking_reason_names_the_marker(self) -> None:
        d = decide(commits("feat!: a", "fix: b\n\nBREAKING CHANGE: c"))
        assert [r.why for r in d.reasons] == [
            "breaking change ('!')",
            "breaking change (BREAKING CHANGE)",
        ]

    def test_custom_mapping(self) -> None:
        rules = BumpRules(levels={"model": "minor", "fix": "patch"})
        assert decide(commits("model: retrain", "feat: ignored"), rules).level == "minor"
        assert decide(commits("feat: ignored"), rules).level is None


def nxt(level: str | None, last: str | None, **kw: object) -> str | None:
    result = next_version(
        BumpDecision(level),  # type: ignore[arg-type]
        last_release=V(last) if last else None,
        **kw,  # type: ignore[arg-type]
    ).next
    return str(result) if result is not None else None


class TestNextVersion:
    @pytest.mark.parametrize(
        ("level", "last", "expected"),
        [
            ("major", "2.1.0", "3.0.0"),
            ("minor", "2.1.3", "2.2.0"),
            ("patch", "2.1.3", "2.1.4"),
            (None, "2.1.3", None),
            ("major", "0.4.2", "0.5.0"),  # major-0 rule
            ("minor", "0.4.2", "0.5.0"),
            ("patch", "0.4.2", "0.4.3"),
        ],
    )
    def test_release_bumps(self, level: str | None, last: str, expected: str | None) -> None:
        assert nxt(level, last) == expected

    def test_major_zero_rule_is_configurable(self) -> None:
        assert nxt("major", "0.4.2", rules=BumpRules(major_zero_breaking="major")) == "1.0.0"

    def test_no_tag_starts_from_the_current_version(self) -> None:
        assert nxt("minor", None, current=V("1.3.0")) == "1.4.0"

    def test_major_zero_rule_applies_before_the_first_tag(self) -> None:
        # A 0.x project with no release tag yet: the files' version is the base, and a breaking
        # change still bumps minor (issue 18, planted bug 1).
        assert nxt("major", None, current=V("0.3.0")) == "0.4.0"
        assert nxt("major", None, current=V("0.3.0"), pre="rc") == "0.4.0-rc.1"
        assert nxt("major", None, current=V("1.3.0")) == "2.0.0"
        rules = BumpRules(major_zero_breaking="major")
        assert nxt("major", None, current=V("0.3.0"), rules=rules) == "1.0.0"
        result = next_version(BumpDecision("major"), last_release=None, current=V("0.3.0"))
        assert result.level == "minor"

    def test_no_tag_and_no_version_gives_the_initial(self) -> None:
        assert nxt("patch", None) == "0.1.0"
        assert nxt(None, None) is None

    def test_prerelease_channel_starts_then_counts(self) -> None:
        assert nxt("minor", "2.1.0", pre="rc") == "2.2.0-rc.1"
        assert nxt("minor", "2.1.0", last_tag=V("2.2.0-rc.1"), pre="rc") == "2.2.0-rc.2"

    def test_prerelease_moves_to_a_later_channel(self) -> None:
        assert nxt("minor", "2.1.0", last_tag=V("2.2.0-alpha.3"), pre="beta") == "2.2.0-beta.1"

    def test_prerelease_cannot_move_back(self) -> None:
        with pytest.raises(InvalidVersion, match="move forward"):
            nxt("minor", "2.1.0", last_tag=V("2.2.0-rc.1"), pre="alpha")

    def test_finalise_a_prerelease(self) -> None:
        assert nxt("minor", "2.1.0", last_tag=V("2.2.0-rc.2")) == "2.2.0"
        assert nxt(None, "2.1.0", last_tag=V("2.2.0-rc.2")) == "2.2.0"

    def test_bigger_change_than_the_prerelease_moves_on(self) -> None:
        assert nxt("major", "2.1.0", last_tag=V("2.2.0-rc.2")) == "3.0.0"
        assert nxt("major", "2.1.0", last_tag=V("2.2.0-rc.2"), pre="rc") == "3.0.0-rc.1"

    def test_stale_prerelease_below_the_release_is_ignored(self) -> None:
        assert nxt("patch", "2.2.0", last_tag=V("2.2.0-rc.2")) == "2.2.1"

    def test_files_carrying_a_prerelease_before_any_tag(self) -> None:
        assert nxt("patch", None, current=V("1.0.0-rc.1")) == "1.0.0"


class TestBranchAndTags:
    @pytest.mark.parametrize(
        ("branch", "number", "expected"),
        [
            ("main", 7, "2.1.0"),
            ("develop", 123, "2.1.0-dev.123"),
            ("feature/auth", 45, "2.1.0-feature.auth.45"),
            ("release/2.1.0", 1, "2.1.0-rc.1"),
            ("hotfix/security", 12, "2.1.0-hotfix.security.12"),
        ],
    )
    def test_branch_versions_of_seed_2_3(self, branch: str, number: int, expected: str) -> None:
        assert str(branch_build_version(V("2.1.0"), branch, number)) == expected

    def test_detached_head_has_no_branch(self) -> None:
        with pytest.raises(InvalidInput, match="detached"):
            branch_build_version(V("2.1.0"), "", 1)

    def test_tag_format_round_trip(self) -> None:
        assert tag_name("v{version}", V("2.1.0")) == "v2.1.0"
        assert tag_name("{component}-v{version}", V("1.0.0"), "api") == "api-v1.0.0"
        assert tag_version_text("v{version}", "v2.1.0-rc.1") == "2.1.0-rc.1"
        assert tag_version_text("v{version}", "api-v1.0.0") is None
        assert tag_version_text("{component}-v{version}", "web-v1.0.0", "api") is None
        assert tag_version_text("v{version}", "vnext") == "next"  # caller warns: not SemVer

    def test_tag_format_without_placeholder(self) -> None:
        with pytest.raises(InvalidInput, match="no \\{version\\}"):
            tag_version_text("release", "release")


class TestSurvivingMutants:
    """Cases added for mutants that survived `make mutation` (docs/testing.md)."""

    def test_bang_marker_is_read_before_the_first_colon(self) -> None:
        d = decide(commits("feat!: split on a: colon", "fix: a: b\n\nBREAKING CHANGE: c"))
        assert [r.why for r in d.reasons] == [
            "breaking change ('!')",
            "breaking change (BREAKING CHANGE)",
        ]

    def test_commits_after_ignored_ones_still_count(self) -> None:
        d = decide(commits("Update things", "docs: x", "feat: y"))
        assert d.level == "minor"
        assert d.considered == 3
        (reason,) = d.reasons
        assert (reason.sha, reason.level, reason.subject) == ("2".zfill(40), "minor", "feat: y")

    def test_the_answer_carries_its_inputs(self) -> None:
        d = decide(commits("fix: a", "feat: b"))
        result = next_version(d, last_release=V("2.1.0"), last_tag=V("2.2.0-rc.1"), pre="rc")
        assert str(result.next) == "2.2.0-rc.2"
        assert result.last_release == V("2.1.0")
        assert result.last_prerelease == V("2.2.0-rc.1")
        assert result.reasons == d.reasons and result.considered == 2
        assert result.level == "minor"

    def test_only_a_prerelease_tag_is_pending(self) -> None:
        assert nxt("patch", "2.1.0", last_tag=V("3.0.0")) == "2.1.1"

    def test_pending_prerelease_before_any_release(self) -> None:
        assert nxt("patch", None, last_tag=V("0.1.0-rc.1"), pre="rc") == "0.1.0-rc.2"
        assert nxt(None, None, last_tag=V("0.1.0-rc.1"), pre="rc") is None

    def test_no_change_with_a_channel_is_no_version(self) -> None:
        assert nxt(None, "2.1.0", last_tag=V("2.2.0-rc.2"), pre="rc") is None

    def test_branch_without_a_name_says_what_to_do(self) -> None:
        with pytest.raises(InvalidInput, match=r"^no branch name \(detached HEAD\?\)") as exc:
            branch_build_version(V("2.1.0"), "", 1)
        assert exc.value.hint == "pass the branch name explicitly"

    def test_tag_text_with_a_suffix_and_a_component(self) -> None:
        assert tag_version_text("v{version}-final", "v1.2.0-final") == "1.2.0"
        assert tag_version_text("{component}-v{version}", "api-v1.2.0", "api") == "1.2.0"
        assert tag_version_text("{component}-v{version}", "web-v1.2.0", "api") is None
        with pytest.raises(InvalidInput, match="has no") as exc:
            tag_version_text("release", "release")
        assert exc.value.hint == "e.g. v{version}"
