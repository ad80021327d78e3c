"""Range: node-semver's grammar, desugaring and prerelease rule, checked against node-semver.

``tests/data/node_semver_ranges.json`` holds cases answered by node-semver (the JavaScript
reference) through ``scripts/node_semver_oracle.mjs``; Polaris must give the same answer to
every one.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests._services import require_services
from tests.core._node_reference import reference_contains

from polaris.core.errors import InvalidInput, InvalidRange, InvalidVersion, Location
from polaris.core.ranges import Comparator, Range
from polaris.core.semver import Version

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "node_semver_ranges.json"
ORACLE = ROOT / "scripts" / "node_semver_oracle.mjs"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["cases"]


def _range(case: dict[str, Any], key: str = "range") -> Range | None:
    try:
        return Range(case[key], include_prerelease=case.get("includePrerelease", False))
    except InvalidRange:
        return None


def _answer(case: dict[str, Any]) -> object:
    """What Polaris answers to one oracle case, in node-semver's terms."""
    op = case["op"]
    r = _range(case)
    if op == "validRange":
        return None if r is None else str(r)
    if op == "invalid":
        return r is None
    if op == "satisfies":
        return r is not None and r.contains(case["version"])
    if op in ("maxSatisfying", "minSatisfying"):
        if r is None:
            return None
        found = r.max_satisfying if op == "maxSatisfying" else r.min_satisfying
        best = found(case["versions"])
        return None if best is None else str(best)
    if op == "intersects":
        other = _range(case, "other")
        return None if r is None or other is None else r.intersects(other)
    raise AssertionError(f"unknown op {op!r}")


@pytest.mark.parametrize(
    "op", ["validRange", "invalid", "satisfies", "maxSatisfying", "minSatisfying", "intersects"]
)
def test_polaris_agrees_with_node_semver(op: str) -> None:
    """Every committed node-semver answer for this operation is Polaris's answer too."""
    cases = [c for c in CASES if c["op"] == op]
    assert len(cases) >= 100
    wrong = []
    for case in cases:
        expected = case["expected"] is not None if op == "invalid" else case["expected"]
        got = _answer(case)
        if got != expected:
            wrong.append((case, got))
    assert wrong == [], f"{len(wrong)} disagreements, first: {wrong[:5]}"


def test_committed_cases_cover_every_grammar_form() -> None:
    """The oracle file exercises each construct of the grammar, valid and invalid."""
    ranges = {c["range"] for c in CASES}
    for needle in ("^0.0.", "~>", " - ", "||", ".x", ".*", "-rc", "+b", "\t", "<0.0.0-0", "<<"):
        assert any(needle in r for r in ranges), needle
    assert sum(c["op"] == "invalid" and c["expected"] is not None for c in CASES) >= 40


def _oracle_absent(reason: str) -> None:
    """Skip without node-semver, but fail under POLARIS_REQUIRE_SERVICES=1 (CI installs it)."""
    if require_services():
        pytest.fail(f"{reason} (POLARIS_REQUIRE_SERVICES=1 requires the node-semver oracle)")
    pytest.skip(reason)


def test_committed_cases_are_current_with_live_node_semver(tmp_path: Path) -> None:
    """Re-running scripts/node_semver_oracle.mjs reproduces the committed answers exactly."""
    modules = os.environ.get("POLARIS_NODE_SEMVER")
    if not modules or not (Path(modules) / "semver").is_dir():
        _oracle_absent(f"POLARIS_NODE_SEMVER={modules!r} is not a node_modules dir holding semver")
    node = shutil.which("node")
    if node is None:
        _oracle_absent("node is not on PATH")
    out = tmp_path / "answers.json"
    subprocess.run(
        [node, str(ORACLE), str(DATA), str(out)],
        check=True,
        env={**os.environ, "POLARIS_NODE_SEMVER": modules},
        timeout=120,
    )
    live = json.loads(out.read_text(encoding="utf-8"))
    stale = [(a, b) for a, b in zip(CASES, live["cases"], strict=True) if a != b]
    assert stale == [], (
        f"{len(stale)} answers differ under node-semver {live['node_semver']}; "
        f"regenerate {DATA.name}. First: {stale[:3]}"
    )


class TestDesugaring:
    @pytest.mark.parametrize(
        ("text", "normal"),
        [
            ("^0.0.3", ">=0.0.3 <0.0.4-0"),
            ("^0.1.2", ">=0.1.2 <0.2.0-0"),
            ("^1.2.x", ">=1.2.0 <2.0.0-0"),
            ("~1.2", ">=1.2.0 <1.3.0-0"),
            ("~>1.2.3", ">=1.2.3 <1.3.0-0"),
            ("<1.2", "<1.2.0-0"),
            (">1.2", ">=1.3.0"),
            ("<=1.2", "<1.3.0-0"),
            ("1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"),
            ("1.x || >=2.5.0 || 5.0.0 - 7.2.3", ">=1.0.0 <2.0.0-0||>=2.5.0||>=5.0.0 <=7.2.3"),
            ("  v1.2.3  ", "1.2.3"),
            ("*", "*"),
            ("", "*"),
            ("1.2.3 ||", "*"),
        ],
    )
    def test_normal_form_matches_node(self, text: str, normal: str) -> None:
        """str(range) is node's normalised range (validRange)."""
        assert str(Range(text)) == normal

    def test_include_prerelease_lowers_bounds_to_dash_zero(self) -> None:
        """With include_prerelease, x-ranges and carets start at the -0 prerelease."""
        r = Range.parse("^1.2", include_prerelease=True)
        assert str(r) == ">=1.2.0-0 <2.0.0-0"
        assert "1.2.0-alpha" in r
        assert "1.2.0-alpha" not in Range("^1.2")


class TestCaretSatisfies:
    """Membership at the edges of caret ranges below 1.0 (the upper bound moves left)."""

    @pytest.mark.parametrize(
        ("text", "inside", "outside"),
        [
            ("^0.1", ["0.1.0", "0.1.9", "0.1.99"], ["0.0.9", "0.2.0", "0.2.0-0", "1.0.0"]),
            ("^0.1.2", ["0.1.2", "0.1.3"], ["0.1.1", "0.2.0", "0.1.3-rc.1"]),
            ("^0.0.3", ["0.0.3"], ["0.0.2", "0.0.4", "0.1.0"]),
            ("^0.0", ["0.0.0", "0.0.9"], ["0.1.0"]),
            ("^0", ["0.0.0", "0.9.9"], ["1.0.0"]),
            ("^1.2", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0"]),
            ("~0.1", ["0.1.0", "0.1.5"], ["0.2.0", "0.0.9"]),
        ],
    )
    def test_bounds(self, text: str, inside: list[str], outside: list[str]) -> None:
        r = Range(text)
        for v in inside:
            assert r.contains(v), (text, v)
        for v in outside:
            assert not r.contains(v), (text, v)
        assert r.max_satisfying([*inside, *outside]) == Version.parse(inside[-1])


class TestPrereleaseRule:
    def test_prerelease_needs_a_comparator_on_the_same_core(self) -> None:
        """1.2.3-beta.3 satisfies >=1.2.3-beta.2 but 1.2.4-alpha does not."""
        r = Range("^1.2.3-beta.2")
        assert r.contains("1.2.3-beta.3")
        assert not r.contains("1.2.4-alpha")
        assert r.contains("1.2.4")

    def test_include_prerelease_admits_any_prerelease_in_bounds(self) -> None:
        """include_prerelease=True drops the same-core requirement."""
        assert Range("^1.2.3-beta.2", include_prerelease=True).contains("1.2.4-alpha")

    def test_rule_applies_per_comparator_set(self) -> None:
        """A prerelease allowed by one || side is not allowed by the other side's bounds."""
        r = Range(">=1.0.0 <2 || >=3.0.0-rc.1 <4")
        assert r.contains("3.0.0-rc.2")
        assert not r.contains("1.5.0-rc.1")


class TestApi:
    def test_constructor_and_parse_agree(self) -> None:
        """Range(text) and Range.parse(text) build equal, hashable values."""
        a, b = Range("^1.2.3"), Range.parse(" ^1.2.3 ")
        assert a == b
        assert hash(a) == hash(b)
        assert len({a, b}) == 1
        assert a != Range("^1.2.3", include_prerelease=True)
        assert a != "^1.2.3"

    def test_raw_is_the_trimmed_source(self) -> None:
        """raw is node's range.raw: trimmed, whitespace runs collapsed."""
        r = Range("  >=1.2.3 \t <2.0.0+build  ")
        assert r.raw == ">=1.2.3 <2.0.0+build"
        assert str(r) == ">=1.2.3 <2.0.0"
        assert repr(r) == "Range('>=1.2.3 <2.0.0')"

    def test_range_is_immutable_and_pickles(self) -> None:
        """Ranges are frozen values that survive pickling."""
        r = Range("~1.2", include_prerelease=True)
        with pytest.raises(AttributeError):
            r.raw = "x"
        with pytest.raises(AttributeError):
            del r.raw
        assert pickle.loads(pickle.dumps(r)) == r  # noqa: S301 - our own data

    def test_sets_expose_comparators(self) -> None:
        """sets holds the primitive comparators of each || alternative."""
        r = Range("^1.2.3 || *")
        assert r.sets == ((Comparator("", None),),)
        first = Range("^1.2.3").sets[0]
        assert [str(c) for c in first] == [">=1.2.3", "<2.0.0-0"]
        assert first[0].test(Version.parse("1.2.3"))
        assert not first[1].test(Version.parse("2.0.0-0"))

    def test_contains_accepts_version_or_str(self) -> None:
        """contains and `in` take a Version or a strict SemVer string."""
        r = Range(">=1.2.3")
        assert Version.parse("1.2.3") in r
        assert r.contains("1.2.3+build.1")
        with pytest.raises(InvalidVersion):
            r.contains("v1.2.3")
        with pytest.raises(TypeError):
            r.contains(123)  # type: ignore[arg-type]

    def test_max_and_min_satisfying_keep_the_first_of_equal_versions(self) -> None:
        """Among versions equal in precedence the first given wins, as in node."""
        r = Range("1.2.3")
        assert str(r.max_satisfying(["1.2.3+a", "1.2.3+b"])) == "1.2.3+a"
        assert str(r.min_satisfying(["1.2.3+b", "1.2.3+a"])) == "1.2.3+b"
        assert r.max_satisfying(["2.0.0"]) is None
        assert [str(v) for v in Range("1.x").filter(["0.9.0", "1.0.0", "1.5.0"])] == [
            "1.0.0",
            "1.5.0",
        ]

    def test_intersects_accepts_str_and_follows_node(self) -> None:
        """intersects has node's semantics, taking a Range or a string."""
        assert Range("^1.2.3").intersects("~1.5")
        assert not Range("1.x").intersects(Range("2.x"))
        assert not Range(">=1.0.0 <1.0.0").intersects("*")


class TestErrors:
    def test_marker_points_at_the_bad_comparator(self) -> None:
        """The message repeats the source and marks the bad comparator with ~~^."""
        with pytest.raises(InvalidRange) as info:
            Range(">=1.2.3 <<2")
        lines = str(info.value).splitlines()
        assert lines[0].startswith("invalid range '>=1.2.3 <<2': '<<2'")
        assert lines[1] == "    >=1.2.3 <<2"
        assert lines[2] == "            ~~^"

    def test_marker_keeps_source_columns_through_whitespace(self) -> None:
        """Spans refer to the text as written, tabs and repeated spaces included."""
        with pytest.raises(InvalidRange) as info:
            Range("^1.2.3 \t  || 1.02.3")
        source, marker = str(info.value).splitlines()[1:]
        assert source[marker.index("~") : marker.index("^") + 1] == "    1.02.3"[4:]
        assert "leading zeros" in str(info.value)

    def test_hyphen_error_marks_the_offending_side(self) -> None:
        """'=1.2.3 - 2' fails in node on its left side; so does Polaris."""
        with pytest.raises(InvalidRange) as info:
            Range("=1.2.3 - 2")
        marker = str(info.value).splitlines()[2]
        assert marker.strip() == "~~~~~^"
        assert marker.index("~") == 4

    @pytest.mark.parametrize("text", ["<", ">=", "1 | 2", "latest", "1.2.3 -", "x.1", "1.2.3+"])
    def test_invalid_ranges_raise_invalid_range(self, text: str) -> None:
        """Malformed ranges raise InvalidRange, an InvalidInput and a ValueError."""
        with pytest.raises(InvalidRange) as info:
            Range(text)
        assert isinstance(info.value, InvalidInput)
        assert isinstance(info.value, ValueError)

    def test_location_is_carried(self) -> None:
        """A location passed in names the file and field in the one-line form."""
        where = Location(file="polaris.toml", line=7, field="requires")
        with pytest.raises(InvalidRange) as info:
            Range.parse("<<1", location=where)
        assert info.value.one_line().startswith("polaris.toml:7: requires: invalid range")

    def test_non_string_is_a_type_error(self) -> None:
        """Only strings are parsed."""
        with pytest.raises(TypeError):
            Range(1.2)  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------------------

_num = st.sampled_from(["0", "1", "2", "3", "10"])
_part = st.sampled_from(["0", "1", "2", "x", "*"])
_pre = st.sampled_from(["", "-alpha", "-alpha.1", "-beta.2", "-rc.1", "-0"])
_full = st.builds(lambda a, b, c, p: f"{a}.{b}.{c}{p}", _num, _num, _num, _pre)
_partial = st.one_of(
    _full,
    st.builds(lambda a, b: f"{a}.{b}", _num, _part),
    _part,
)
_simple = st.builds(
    lambda op, v: op + v, st.sampled_from(["", "=", "<", "<=", ">", ">=", "^", "~"]), _partial
)
_set = st.one_of(
    st.lists(_simple, min_size=1, max_size=3).map(" ".join),
    st.builds(lambda a, b: f"{a} - {b}", _partial, _partial),
)
_ranges = st.lists(_set, min_size=1, max_size=3).map(" || ".join)
_versions = st.lists(
    st.builds(
        lambda a, b, c, p: Version.parse(f"{a}.{b}.{c}{p}"),
        _num,
        _num,
        _num,
        st.sampled_from(["", "-alpha", "-alpha.1", "-beta.2", "-rc.1", "-0", "-1"]),
    ),
    max_size=12,
)


def _naive_contains(r: Range, v: Version) -> bool:
    """Reference membership straight from the comparators and the prerelease rule."""
    for comps in r.sets:
        if not all(c.test(v) for c in comps):
            continue
        if not v.is_prerelease or r.include_prerelease:
            return True
        if any(
            c.version is not None and c.version.is_prerelease and c.version.core == v.core
            for c in comps
        ):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(_ranges, _versions, st.booleans())
def test_compiled_membership_equals_naive_evaluation(
    text: str, vs: list[Version], inc: bool
) -> None:
    """The interval-compiled check answers exactly as comparator-by-comparator evaluation."""
    r = Range(text, include_prerelease=inc)
    for v in vs:
        assert r.contains(v) == _naive_contains(r, v)


@settings(max_examples=200, deadline=None)
@given(_ranges, _versions, st.booleans())
def test_max_and_min_satisfying_agree_with_contains(
    text: str, vs: list[Version], inc: bool
) -> None:
    """max/min_satisfying pick the extreme of the versions that `contains` accepts."""
    r = Range(text, include_prerelease=inc)
    inside = [v for v in vs if v in r]
    assert r.max_satisfying(vs) == (max(inside) if inside else None)
    assert r.min_satisfying(vs) == (min(inside) if inside else None)
    assert r.filter(vs) == inside


@settings(max_examples=200, deadline=None)
@given(_ranges, _versions, st.booleans())
def test_normal_form_reparses_to_the_same_range(text: str, vs: list[Version], inc: bool) -> None:
    """str(range) is a fixed point: parsing it again gives an equal range with equal answers."""
    r = Range(text, include_prerelease=inc)
    again = Range(str(r), include_prerelease=inc)
    assert again == r
    assert [v in again for v in vs] == [v in r for v in vs]


@settings(max_examples=1500, deadline=None)
@given(_ranges, _versions, st.booleans())
@example("^0.1 || ~0.0", [Version.parse("0.2.0"), Version.parse("0.1.0-rc.1")], False)
@example(">1.2 <=2 || 1.2.3-alpha - 2.0", [Version.parse("1.3.0-rc.1")], True)
@example("0.0.0 || 0.0 - 0.0.0-alpha", [Version.parse("0.0.0-alpha")], False)
@example("x || 0.0 - 3.3.3-alpha", [Version.parse("3.3.3-alpha")], False)
def test_membership_equals_an_independent_node_semver_reference(
    text: str, vs: list[Version], inc: bool
) -> None:
    """Range membership equals a reference that desugars the text itself and compares with the
    ``semver`` package: neither Polaris's parser nor its comparator is the oracle."""
    r = Range(text, include_prerelease=inc)
    for v in vs:
        expected = reference_contains(text, str(v), include_prerelease=inc)
        assert r.contains(v) == expected, (text, str(v), str(r))
