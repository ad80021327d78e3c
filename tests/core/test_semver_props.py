"""Property tests of ``polaris.core.semver``, with python-semver 3 as the oracle.

Each property runs twice: a quick default run (300 examples) and a ``property_slow`` run with many
more (``pytest -m property_slow``). Generated strings are valid SemVer, near misses made by
mutating valid strings (leading zeros, empty identifiers, odd characters, a second '+'), and
free text over the characters versions are made of.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest
import semver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polaris.core.errors import InvalidVersion
from polaris.core.semver import Version, coerce, naming_problems

FAST = settings(max_examples=300, deadline=None, database=None)
SLOW = settings(
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

IDENT_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"
# Characters that make near-valid strings invalid (or, placed well, still valid).
ODD_CHARS = ".-+0_ /év١\n\tA9~"  # noqa: RUF001 - non-ASCII digits and letters on purpose

# -- strategies -------------------------------------------------------------------------------

numbers = st.one_of(st.integers(0, 3), st.integers(0, 10**25))
alnum_idents = st.text(IDENT_CHARS, min_size=1, max_size=8).filter(lambda s: not s.isdigit())
pre_idents = st.one_of(
    numbers.map(str),
    alnum_idents,
    st.sampled_from(["alpha", "beta", "rc", "dev", "a", "A", "-", "0a", "x-y", "--"]),
)
build_idents = st.text(IDENT_CHARS, min_size=1, max_size=8)


def _text(major: int, minor: int, patch: int, pre: list[str], build: list[str]) -> str:
    text = f"{major}.{minor}.{patch}"
    if pre:
        text += "-" + ".".join(pre)
    if build:
        text += "+" + ".".join(build)
    return text


valid_texts = st.builds(
    _text,
    numbers,
    numbers,
    numbers,
    st.lists(pre_idents, max_size=4),
    st.lists(build_idents, max_size=3),
)

# Small pools, so that equal and adjacent versions come up often.
close_texts = st.builds(
    _text,
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 2),
    st.lists(st.sampled_from(["0", "1", "2", "10", "a", "b", "rc", "-", "A"]), max_size=3),
    st.lists(st.sampled_from(["x", "001", "b-7"]), max_size=2),
)


@st.composite
def near_valid_texts(draw: st.DrawFn) -> str:
    """A valid version with one to three characters inserted, deleted or replaced."""
    text = draw(valid_texts)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "zero"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(ODD_CHARS)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + 1 :]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(ODD_CHARS)) + text[pos + 1 :]
        else:  # a leading zero after a separator (or at the start)
            seps = [i + 1 for i, ch in enumerate(text) if ch in ".-+"] + [0]
            at = draw(st.sampled_from(seps))
            text = text[:at] + "0" + text[at:]
    return text


def _raw_text(
    major: str, minor: str, patch: str, pre: list[str] | None, build: list[str] | None
) -> str:
    text = f"{major}.{minor}.{patch}"
    if pre is not None:
        text += "-" + ".".join(pre)
    if build is not None:
        text += "+" + ".".join(build)
    return text


# Classic mistakes, one of which is put into an otherwise valid version.
BAD_NUMBERS = ["01", "00", "007", "", "-1", "1a", "\u0661", " 1", "v1", "1.0"]
BAD_PRE_IDENTS = ["01", "00", "0123", "", "a_b", "\u00e9", "a b", "+", "rc/1"]
BAD_BUILD_IDENTS = ["", "a_b", "\u00e9", "+x", "b~1"]


@st.composite
def broken_texts(draw: st.DrawFn) -> str:
    """A version with (usually) exactly one classic mistake in one of its parts."""
    nums = [str(draw(numbers)) for _ in range(3)]
    pre = draw(st.one_of(st.none(), st.lists(pre_idents, min_size=1, max_size=3)))
    build = draw(st.one_of(st.none(), st.lists(build_idents, min_size=1, max_size=3)))
    where = draw(st.sampled_from(["major", "minor", "patch", "pre", "build"]))
    if where == "pre":
        pre = pre or []
        pre.insert(draw(st.integers(0, len(pre))), draw(st.sampled_from(BAD_PRE_IDENTS)))
    elif where == "build":
        build = build or []
        build.insert(draw(st.integers(0, len(build))), draw(st.sampled_from(BAD_BUILD_IDENTS)))
    else:
        nums[["major", "minor", "patch"].index(where)] = draw(st.sampled_from(BAD_NUMBERS))
    return _raw_text(nums[0], nums[1], nums[2], pre, build)


candidate_texts = st.one_of(
    valid_texts,
    broken_texts(),
    broken_texts(),
    near_valid_texts(),
    st.text("0123456789.-+ab_ ", max_size=16),
    st.text(max_size=12),
)


# -- oracle -----------------------------------------------------------------------------------


def oracle(text: str) -> semver.Version | None:
    """python-semver's reading of ``text``, or None when it refuses it."""
    try:
        return semver.Version.parse(text)
    except (ValueError, TypeError):
        return None


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


def ours(text: str) -> Version | None:
    try:
        return Version.parse(text)
    except InvalidVersion:
        return None


# -- properties -------------------------------------------------------------------------------


def _agrees_with_python_semver_on_validity(text: str) -> None:
    """Polaris and python-semver accept and refuse the same strings and read the same parts."""
    mine, theirs = ours(text), oracle(text)
    assert (mine is None) == (theirs is None), (text, mine, theirs)
    assert Version.is_valid(text) is (mine is not None)
    if mine is None or theirs is None:
        with pytest.raises(InvalidVersion) as info:
            Version.parse(text)
        # Every refusal names a concrete problem, never the generic fallback.
        assert "not a valid SemVer" not in info.value.message
        assert info.value.message.startswith(repr(text) + ": ")
        return
    assert (mine.major, mine.minor, mine.patch) == (theirs.major, theirs.minor, theirs.patch)
    assert ".".join(mine.prerelease) == (theirs.prerelease or "")
    assert ".".join(mine.build) == (theirs.build or "")
    assert str(mine) == str(theirs) == text


def _round_trips(text: str) -> None:
    """str(parse(s)) == s; parse, construct from parts, coerce and pickle all agree."""
    v = Version.parse(text)
    assert str(v) == text
    assert Version.parse(str(v)) == v
    rebuilt = Version(v.major, v.minor, v.patch, v.prerelease, v.build)
    assert str(rebuilt) == text
    assert rebuilt == v
    assert hash(rebuilt) == hash(v)
    assert str(coerce(text)) == text
    assert str(coerce(f" v{text} ")) == text
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(v, protocol=protocol))  # noqa: S301 - our own data
        assert str(back) == text
        assert back.is_prerelease is v.is_prerelease


def _precedence_matches_python_semver(a: str, b: str) -> None:
    """The sign of every comparison is python-semver's Version.compare (build ignored)."""
    va, vb = Version.parse(a), Version.parse(b)
    expected = _sign(semver.Version.parse(a).compare(b))
    assert (va > vb) - (va < vb) == expected, (a, b)
    assert (va == vb) is (expected == 0)
    assert (va != vb) is (expected != 0)
    assert (va <= vb) is (expected <= 0)
    assert (va >= vb) is (expected >= 0)
    assert (va.sort_key == vb.sort_key) is (expected == 0)


def _ordering_is_total_and_consistent(a: str, b: str, c: str) -> None:
    """Exactly one of <, ==, > holds; <= is antisymmetric and transitive; == agrees with hash."""
    va, vb, vc = Version.parse(a), Version.parse(b), Version.parse(c)
    for x, y in ((va, vb), (vb, vc), (va, vc)):
        assert [x < y, x == y, x > y].count(True) == 1
        assert (x <= y) is (x < y or x == y)
        assert (x >= y) is (x > y or x == y)
        assert (x < y) is (y > x)
        if x <= y <= x:
            assert x == y
        if x == y:
            assert hash(x) == hash(y)
            assert x.core == y.core
            assert x.prerelease == y.prerelease
    for x, y, z in (
        (va, vb, vc),
        (va, vc, vb),
        (vb, va, vc),
        (vb, vc, va),
        (vc, va, vb),
        (vc, vb, va),
    ):
        if x <= y <= z:
            assert x <= z
        if x < y <= z:
            assert x < z
    ordered = sorted([va, vb, vc])
    assert ordered[0] <= ordered[1] <= ordered[2]
    assert sorted([va, vb, vc], key=lambda v: v.sort_key) == ordered
    assert len({va, vb, vc}) == len({v.sort_key for v in (va, vb, vc)})


def _bumps_always_go_up(text: str, pre: str | None) -> None:
    """Every bump that succeeds gives a greater version; a refused channel move would not have."""
    v = Version.parse(text)
    for part in ("major", "minor", "patch"):
        new = v.bump(part, pre=pre)
        assert new > v
        assert new.build == ()
    try:
        new = v.bump("prerelease", pre=pre)
    except InvalidVersion:
        if v.is_prerelease:
            assert pre is not None
            assert Version(*v.core, (pre, "1")) <= v
        else:
            assert pre is None
    else:
        assert new > v
        assert new.is_prerelease
    if v.is_prerelease:
        final = v.bump("release")
        assert final > v
        assert final.core == v.core
        assert naming_problems(final) == [] or len(str(final)) > 50


def _coerce_never_crashes(text: str) -> None:
    """coerce() either returns a valid version or raises InvalidVersion."""
    try:
        v = coerce(text)
    except InvalidVersion:
        return
    assert Version.is_valid(str(v))


def _variants(
    *strategies: st.SearchStrategy[Any],
) -> Callable[[Callable[..., None]], tuple[Callable[..., None], Callable[..., None]]]:
    """The fast and the property_slow test for one property."""

    def make(body: Callable[..., None]) -> tuple[Callable[..., None], Callable[..., None]]:
        fast = FAST(given(*strategies)(body))
        slow = pytest.mark.property_slow(SLOW(given(*strategies)(body)))
        return fast, slow

    return make


test_validity_matches_python_semver, test_validity_matches_python_semver_slow = _variants(
    candidate_texts
)(_agrees_with_python_semver_on_validity)

test_round_trip, test_round_trip_slow = _variants(valid_texts)(_round_trips)

test_precedence_matches_python_semver, test_precedence_matches_python_semver_slow = _variants(
    st.one_of(valid_texts, close_texts), st.one_of(valid_texts, close_texts)
)(_precedence_matches_python_semver)

test_close_precedence_matches_python_semver, test_close_precedence_matches_python_semver_slow = (
    _variants(close_texts, close_texts)(_precedence_matches_python_semver)
)

test_ordering_total_and_consistent, test_ordering_total_and_consistent_slow = _variants(
    close_texts, close_texts, close_texts
)(_ordering_is_total_and_consistent)

test_bumps_go_up, test_bumps_go_up_slow = _variants(
    st.one_of(valid_texts, close_texts), st.sampled_from([None, "alpha", "beta", "rc", "dev"])
)(_bumps_always_go_up)

test_coerce_never_crashes, test_coerce_never_crashes_slow = _variants(candidate_texts)(
    _coerce_never_crashes
)


@pytest.mark.parametrize(
    "text",
    ["1.0.0\n", "1.0.0-rc.1\n", "1١.0.0", "1.0.0-١", "1.0.0+١", "１.0.0"],  # noqa: RUF001
)
def test_oracle_agrees_on_known_pitfalls(text: str) -> None:
    """Trailing newlines and non-ASCII digits, which regexes without re.ASCII and \\Z let in."""
    assert oracle(text) is None
    assert ours(text) is None
