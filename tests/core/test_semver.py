"""Table-driven tests of ``polaris.core.semver`` against SemVer 2.0.0 and the seed's rules."""

from __future__ import annotations

import copy
import itertools
import pickle
import random

import pytest

from polaris.core.errors import InvalidInput, InvalidVersion, PolarisError
from polaris.core.semver import (
    MAX_NAME_LENGTH,
    Version,
    ci_build_metadata,
    coerce,
    naming_problems,
)

# Strictly increasing SemVer precedence; build metadata never changes a position, so it is
# exercised separately (BUILD_EQUAL). Starts with the example list of semver.org section 11.
VERSIONS = [
    "0.0.0-0",
    "0.0.0-0.0",
    "0.0.0-1",
    "0.0.0-9",
    "0.0.0-10",
    "0.0.0--",
    "0.0.0--a",
    "0.0.0-0a",
    "0.0.0-A",
    "0.0.0-Z",
    "0.0.0-a",
    "0.0.0",
    "0.0.1",
    "0.0.9",
    "0.0.10",
    "0.1.0",
    "0.9.0",
    "0.10.0",
    "1.0.0-0.3.7",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0-x.7.z.92",
    "1.0.0-x-y-z.--",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
    "2.0.1-hotfix.security.12",
    "2.1.0-alpha.1",
    "2.1.0-beta.2",
    "2.1.0-dev.123",
    "2.1.0-feature.auth.45",
    "2.1.0-rc.1",
    "2.1.0-rc.2",
    "2.1.0",
    "2.1.1",
    "2.10.0",
    "10.0.0",
    "10.20.30",
    "1000000000000000000000.0.0",
]

# (a, b): same precedence, different text.
BUILD_EQUAL = [
    ("1.0.0", "1.0.0+build.1"),
    ("1.0.0+build.1", "1.0.0+build.2"),
    ("1.0.0-alpha+001", "1.0.0-alpha"),
    ("1.0.0+20130313144700", "1.0.0+exp.sha.5114f85"),
    ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta+other"),
    ("2.1.0+build.123", "2.1.0+20250901.abc123f"),
]

# Valid strings from semver.org's test suite and the seed, with their parts.
PARTS = [
    # text, major, minor, patch, prerelease, build
    ("0.0.4", 0, 0, 4, (), ()),
    ("1.2.3", 1, 2, 3, (), ()),
    ("10.20.30", 10, 20, 30, (), ()),
    ("1.1.2-prerelease+meta", 1, 1, 2, ("prerelease",), ("meta",)),
    ("1.1.2+meta", 1, 1, 2, (), ("meta",)),
    ("1.1.2+meta-valid", 1, 1, 2, (), ("meta-valid",)),
    ("1.0.0-alpha", 1, 0, 0, ("alpha",), ()),
    ("1.0.0-alpha.beta.1", 1, 0, 0, ("alpha", "beta", "1"), ()),
    ("1.0.0-alpha0.valid", 1, 0, 0, ("alpha0", "valid"), ()),
    ("1.0.0-alpha.0valid", 1, 0, 0, ("alpha", "0valid"), ()),
    (
        "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
        1,
        0,
        0,
        ("alpha-a", "b-c-somethinglong"),
        ("build", "1-aef", "1-its-okay"),
    ),
    ("1.0.0-rc.1+build.1", 1, 0, 0, ("rc", "1"), ("build", "1")),
    ("2.0.0-rc.1+build.123", 2, 0, 0, ("rc", "1"), ("build", "123")),
    ("1.2.3-beta", 1, 2, 3, ("beta",), ()),
    ("10.2.3-DEV-SNAPSHOT", 10, 2, 3, ("DEV-SNAPSHOT",), ()),
    ("1.2.3-SNAPSHOT-123", 1, 2, 3, ("SNAPSHOT-123",), ()),
    ("2.0.0+build.1848", 2, 0, 0, (), ("build", "1848")),
    ("2.0.1-alpha.1227", 2, 0, 1, ("alpha", "1227"), ()),
    ("1.0.0-alpha+beta", 1, 0, 0, ("alpha",), ("beta",)),
    (
        "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
        1,
        2,
        3,
        ("---RC-SNAPSHOT", "12", "9", "1--", "12"),
        ("788",),
    ),
    ("1.2.3----R-S.12.9.1--.12+meta", 1, 2, 3, ("---R-S", "12", "9", "1--", "12"), ("meta",)),
    (
        "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
        1,
        0,
        0,
        (),
        ("0", "build", "1-rc", "10000aaa-kk-0", "1"),
    ),
    ("1.0.0-0A.is.legal", 1, 0, 0, ("0A", "is", "legal"), ()),
    ("1.0.0+001", 1, 0, 0, (), ("001",)),
    ("2.1.0-alpha.1", 2, 1, 0, ("alpha", "1"), ()),
    ("2.1.0+build.123", 2, 1, 0, (), ("build", "123")),
    ("2.1.0+20250901.abc123f", 2, 1, 0, (), ("20250901", "abc123f")),
    (
        "99999999999999999999999.999999999999999999.99999999999999999",
        99999999999999999999999,
        999999999999999999,
        99999999999999999,
        (),
        (),
    ),
]

# Strings that are not SemVer 2.0.0, each with the exact reason Version.parse gives.
INVALID = [
    ("", "empty string"),
    ("1", "minor and patch are missing (expected MAJOR.MINOR.PATCH)"),
    ("1.2", "patch is missing (expected MAJOR.MINOR.PATCH)"),
    ("1.2-rc.1", "patch is missing (expected MAJOR.MINOR.PATCH)"),
    ("1.2.3.4", "expected MAJOR.MINOR.PATCH, found 4 dot-separated numbers"),
    ("1.2.3.DEV", "expected MAJOR.MINOR.PATCH, found 4 dot-separated numbers"),
    ("1.2.3.-0.1", "expected MAJOR.MINOR.PATCH, found 5 dot-separated numbers"),
    ("1..3", "minor is missing"),
    (".1.2", "major is missing"),
    ("1.2.", "patch is missing"),
    ("1.02.3", "numeric identifier '02' has a leading zero"),
    ("01.2.3", "numeric identifier '01' has a leading zero"),
    ("1.2.03", "numeric identifier '03' has a leading zero"),
    ("00.0.0", "numeric identifier '00' has a leading zero"),
    ("1.2.3-rc.01", "numeric identifier '01' has a leading zero"),
    ("1.2.3-0123", "numeric identifier '0123' has a leading zero"),
    ("1.2.3-0123.0123", "numeric identifier '0123' has a leading zero"),
    ("1.0.0-alpha.01+build", "numeric identifier '01' has a leading zero"),
    ("v1.2.3", "major 'v1' is not a number"),
    ("a.b.c", "major 'a' is not a number"),
    ("1.2.x", "patch 'x' is not a number"),
    ("1.2.3 +b", "patch '3 ' is not a number"),
    ("-1.2.3", "major '-1' is not a number"),
    ("1.-2.3", "minor '-2' is not a number"),
    ("1.2.-3", "patch '-3' is not a number"),
    ("+1.2.3", "expected MAJOR.MINOR.PATCH at the start, found '+'"),
    ("1.2.3-", "empty prerelease after '-'"),
    ("1.2.3-+b", "empty prerelease after '-'"),
    ("1.2.3-alpha..1", "empty prerelease identifier"),
    ("1.2.3-alpha.", "empty prerelease identifier"),
    ("1.2.3-.alpha", "empty prerelease identifier"),
    ("1.2.3+", "empty build metadata after '+'"),
    ("1.2.3-rc.1+", "empty build metadata after '+'"),
    ("1.2.3+build..1", "empty build metadata identifier"),
    ("1.2.3+build.", "empty build metadata identifier"),
    ("1.2.3+a+b", "'+' may appear only once, before the build metadata"),
    ("1.2.3-rc.1+b+c", "'+' may appear only once, before the build metadata"),
    ("1.2.3++", "'+' may appear only once, before the build metadata"),
    ("1.2.3-alpha_beta", "prerelease identifier 'alpha_beta' has characters outside [0-9A-Za-z-]"),
    ("1.2.3-rc 1", "prerelease identifier 'rc 1' has characters outside [0-9A-Za-z-]"),
    ("1.2.3-rc/1", "prerelease identifier 'rc/1' has characters outside [0-9A-Za-z-]"),
    ("1.2.3+build_1", "build identifier 'build_1' has characters outside [0-9A-Za-z-]"),
    ("1.2.3-é", "non-ASCII character 'é' at position 7"),
    ("1.2.3+bü", "non-ASCII character 'ü' at position 8"),
    ("１.2.3", "non-ASCII character '１' at position 1"),  # noqa: RUF001 - full-width digit on purpose
    ("1.2.٣", "non-ASCII character '٣' at position 5"),  # Arabic-Indic digit: isdigit() is True
    (" 1.0.0", "leading or trailing whitespace"),
    ("1.0.0 ", "leading or trailing whitespace"),
    ("1.0.0\n", "leading or trailing whitespace"),
    ("1.0.0-rc.1\t", "leading or trailing whitespace"),
    ("9" * 5000 + ".0.0", "major has 5000 digits, too many to convert to an integer"),
    ("1." + "9" * 5000 + ".0-rc+b", "minor has 5000 digits, too many to convert to an integer"),
    ("1.0." + "9" * 5000 + "+b", "patch has 5000 digits, too many to convert to an integer"),
    ("v" * 5000 + "1.0.0", "major '" + "v" * 5000 + "1' is not a number"),
    (
        "1.0.0-" + "9" * 5000,
        "prerelease identifier has 5000 digits, too many to convert to an integer",
    ),
]


def _v(text: str) -> Version:
    return Version.parse(text)


class TestParse:
    """Strict parsing: what is accepted, what it holds, and why the rest is refused."""

    @pytest.mark.parametrize("text", VERSIONS)
    def test_round_trip(self, text: str) -> None:
        """str(parse(s)) gives s back, character for character."""
        assert str(_v(text)) == text
        assert Version.is_valid(text)

    @pytest.mark.parametrize(("text", "major", "minor", "patch", "pre", "build"), PARTS)
    def test_parts(
        self,
        text: str,
        major: int,
        minor: int,
        patch: int,
        pre: tuple[str, ...],
        build: tuple[str, ...],
    ) -> None:
        """Each part is read as written; build metadata is kept."""
        v = _v(text)
        assert (v.major, v.minor, v.patch) == (major, minor, patch)
        assert v.core == (major, minor, patch)
        assert v.prerelease == pre
        assert v.build == build
        assert v.is_prerelease is bool(pre)
        assert str(v) == text

    @pytest.mark.parametrize(("text", "reason"), INVALID)
    def test_invalid_says_what_and_where(self, text: str, reason: str) -> None:
        """Every refusal names the input and the first thing wrong with it."""
        with pytest.raises(InvalidVersion) as info:
            _v(text)
        assert info.value.message == f"{text!r}: {reason}"
        assert not Version.is_valid(text)

    def test_issue_example_message(self) -> None:
        """The exact message the issue asks for, as the user sees it."""
        with pytest.raises(InvalidVersion) as info:
            _v("1.02.3")
        assert str(info.value) == "'1.02.3': numeric identifier '02' has a leading zero"

    def test_error_is_a_value_error_and_polaris_error(self) -> None:
        """Callers catching ValueError or InvalidInput both see the failure."""
        with pytest.raises(InvalidVersion) as info:
            _v("1.2")
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, InvalidInput)
        assert isinstance(info.value, PolarisError)
        assert info.value.exit_code == 2

    def test_leading_v_gets_a_hint(self) -> None:
        """A 'v' prefix is refused, with a hint to drop it or use coerce()."""
        with pytest.raises(InvalidVersion) as info:
            _v("v1.2.3")
        assert info.value.hint is not None
        assert "drop the leading 'v'" in info.value.hint
        assert "coerce()" in info.value.hint

    def test_other_errors_have_no_hint(self) -> None:
        """The 'v' hint appears only when dropping the 'v' would make it valid."""
        with pytest.raises(InvalidVersion) as info:
            _v("v1.02.3")
        assert info.value.hint is None

    @pytest.mark.parametrize("value", [None, 1, 1.0, b"1.0.0", ["1.0.0"]])
    def test_non_string_is_a_type_error(self, value: object) -> None:
        """parse() is typed to str; anything else is a programming error, not bad input."""
        with pytest.raises(TypeError, match="takes a str"):
            Version.parse(value)  # type: ignore[arg-type]
        assert not Version.is_valid(value)  # type: ignore[arg-type]

    def test_str_subclass_is_accepted_and_normalised(self) -> None:
        """A str subclass parses; the version keeps a plain str."""

        class Text(str):
            __slots__ = ()

        v = Version.parse(Text("1.2.3-rc.1"))
        assert v == _v("1.2.3-rc.1")
        assert type(str(v)) is str

    def test_prerelease_cache_does_not_leak_between_versions(self) -> None:
        """Cached prerelease keys give the same answer on every parse."""
        for _ in range(3):
            assert _v("1.0.0-rc.1") < _v("1.0.0-rc.2") < _v("1.0.0")
            assert _v("1.0.0-rc.1").prerelease == ("rc", "1")

    def test_very_long_numeric_identifiers_sort_numerically(self) -> None:
        """Big numbers are compared as numbers, not as text."""
        assert _v("1.0.0-99999999999999999999") > _v("1.0.0-9")
        assert _v("99999999999999999999.0.0") > _v("9.0.0")


class TestPrecedence:
    """Ordering per SemVer 2.0.0 section 11."""

    def test_semver_org_example_list(self) -> None:
        """The example chain from section 11 of the spec."""
        chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ]
        versions = [_v(t) for t in chain]
        for low, high in itertools.pairwise(versions):
            assert low < high
            assert high > low
            assert low != high

    def test_every_pair_of_the_table(self) -> None:
        """VERSIONS is in strictly increasing order, for every pair and every operator."""
        versions = [_v(t) for t in VERSIONS]
        for (i, a), (j, b) in itertools.product(enumerate(versions), repeat=2):
            assert (a < b) is (i < j), (a, b)
            assert (a <= b) is (i <= j), (a, b)
            assert (a > b) is (i > j), (a, b)
            assert (a >= b) is (i >= j), (a, b)
            assert (a == b) is (i == j), (a, b)
            assert (a != b) is (i != j), (a, b)

    def test_sorting_a_shuffle_gives_the_table(self) -> None:
        """sorted() uses the same order."""
        shuffled = VERSIONS[:]
        random.Random(1234).shuffle(shuffled)  # noqa: S311 - a fixed shuffle, not a secret
        assert [str(v) for v in sorted(_v(t) for t in shuffled)] == VERSIONS
        assert str(max(_v(t) for t in shuffled)) == VERSIONS[-1]
        assert str(min(_v(t) for t in shuffled)) == VERSIONS[0]

    @pytest.mark.parametrize(
        ("low", "high"),
        [
            ("1.0.0-1", "1.0.0-a"),  # numeric lower than alphanumeric
            ("1.0.0-999", "1.0.0--"),
            ("1.0.0-2", "1.0.0-10"),  # numeric identifiers compare as numbers
            ("1.0.0-a.2", "1.0.0-a.10"),
            ("1.0.0-a10", "1.0.0-a2"),  # alphanumeric compare as ASCII text
            ("1.0.0-B", "1.0.0-a"),  # ASCII: upper case before lower case
            ("1.0.0-alpha", "1.0.0-alpha.0"),  # shorter list lower when the prefix is equal
            ("1.0.0-rc.1", "1.0.0-rc.1.1"),
            ("1.0.0-rc.99", "1.0.0"),  # a prerelease is lower than its release
            ("1.0.0", "1.0.1-0"),
            ("1.9.0", "1.10.0"),
            ("9.0.0", "10.0.0"),
        ],
    )
    def test_rules(self, low: str, high: str) -> None:
        """Each precedence rule of section 11, one pair each."""
        assert _v(low) < _v(high)
        assert not _v(high) < _v(low)
        assert _v(low).sort_key < _v(high).sort_key

    @pytest.mark.parametrize(("a", "b"), BUILD_EQUAL)
    def test_build_metadata_is_ignored(self, a: str, b: str) -> None:
        """Build metadata plays no part in precedence, equality or hashing; it is kept."""
        va, vb = _v(a), _v(b)
        assert va == vb
        assert not va != vb  # noqa: SIM202 - __ne__ is what is tested
        assert not va < vb
        assert not vb < va
        assert va <= vb
        assert va >= vb
        assert hash(va) == hash(vb)
        assert va.sort_key == vb.sort_key
        assert len({va, vb}) == 1
        assert (str(va), str(vb)) == (a, b)

    def test_build_metadata_keeps_its_place_in_a_sort(self) -> None:
        """Versions equal but for build metadata keep their input order (sort is stable)."""
        texts = ["1.0.0+b", "1.0.0-rc.1", "1.0.0+a", "1.0.0", "0.9.0+z"]
        assert [str(v) for v in sorted(_v(t) for t in texts)] == [
            "0.9.0+z",
            "1.0.0-rc.1",
            "1.0.0+b",
            "1.0.0+a",
            "1.0.0",
        ]

    def test_dict_lookup_ignores_build(self) -> None:
        """A dict keyed by versions finds 1.0.0 under 1.0.0+anything."""
        table = {_v("1.0.0+ci.7"): "x"}
        assert table[_v("1.0.0")] == "x"
        assert _v("1.0.0-rc.1") not in table

    def test_hash_matches_equality_on_the_table(self) -> None:
        """Distinct versions of the table hash to a set of the same size."""
        assert len({_v(t) for t in VERSIONS}) == len(VERSIONS)
        assert len(
            {_v(t) for t in VERSIONS} | {_v(t + "+x") for t in VERSIONS if "+" not in t}
        ) == len(VERSIONS)

    def test_comparing_with_a_string_is_a_type_error(self) -> None:
        """Ordering a Version against a str is an error, and they are never equal."""
        with pytest.raises(TypeError):
            _ = _v("1.0.0") < "2.0.0"  # type: ignore[operator]
        assert _v("1.0.0") != "1.0.0"  # type: ignore[comparison-overlap]


class TestObject:
    """Construction from parts, copies, pickling and the small protocol methods."""

    @pytest.mark.parametrize(
        ("args", "text"),
        [
            ((1, 2, 3), "1.2.3"),
            ((1, 2, 3, ("rc", 1)), "1.2.3-rc.1"),
            ((1, 2, 3, ["rc", "1"], ["build", 7]), "1.2.3-rc.1+build.7"),
            ((1, 2, 3, "rc.1", "build.7"), "1.2.3-rc.1+build.7"),
            ((1, 2, 3, "", ""), "1.2.3"),
            ((1, 2, 3, (), "001"), "1.2.3+001"),
            ((0, 0, 0, [0]), "0.0.0-0"),
        ],
    )
    def test_from_parts(self, args: tuple[object, ...], text: str) -> None:
        """Version(major, minor, patch, prerelease, build) equals the parsed string."""
        v = Version(*args)  # type: ignore[arg-type]
        assert str(v) == text
        assert v == _v(text)
        assert type(v) is Version

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ((1, 2, 3, ["rc", "01"]), "'1.2.3-rc.01': numeric identifier '01' has a leading zero"),
            ((1, 2, 3, [""]), "'1.2.3-': empty prerelease after '-'"),
            ((1, 2, 3, ["rc", ""]), "'1.2.3-rc.': empty prerelease identifier"),
            ((1, 2, 3, (), [""]), "'1.2.3+': empty build metadata after '+'"),
            (
                (1, 2, 3, ["RC_1"]),
                "'1.2.3-RC_1': prerelease identifier 'RC_1' has characters outside [0-9A-Za-z-]",
            ),
            ((-1, 0, 0), "'-1.0.0': major, minor and patch must not be negative"),
            ((1, -2, 0), "'1.-2.0': major, minor and patch must not be negative"),
            ((1.5, 0, 0), "'1.5.0.0': major, minor and patch must be integers"),
            ((True, 0, 0), "'True.0.0': major, minor and patch must be integers"),
            (("1", 0, 0), "'1.0.0': major, minor and patch must be integers"),
        ],
    )
    def test_from_bad_parts(self, args: tuple[object, ...], message: str) -> None:
        """Parts are validated as parse() would, with the same messages."""
        with pytest.raises(InvalidVersion) as info:
            Version(*args)  # type: ignore[arg-type]
        assert info.value.message == message

    @pytest.mark.parametrize(
        "text", ["1.0.0", "1.0.0-rc.1", "1.0.0+b.1", "1.0.0-0.a+001.x", "0.0.0"]
    )
    @pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
    def test_pickle_every_protocol(self, text: str, protocol: int) -> None:
        """A pickled version comes back whole, releases included (protocols 0 and 1 too)."""
        back = pickle.loads(pickle.dumps(_v(text), protocol=protocol))  # noqa: S301 - our own data
        assert type(back) is Version
        assert str(back) == text
        assert back == _v(text)
        assert back.is_prerelease is _v(text).is_prerelease
        assert back.prerelease == _v(text).prerelease
        assert back.build == _v(text).build
        assert hash(back) == hash(_v(text))

    @pytest.mark.parametrize("text", ["1.0.0", "2.1.0-rc.2+build.7"])
    def test_copy_and_deepcopy(self, text: str) -> None:
        """copy and deepcopy keep text, parts and precedence."""
        for dup in (copy.copy(_v(text)), copy.deepcopy(_v(text))):
            assert str(dup) == text
            assert dup == _v(text)
            assert dup.is_prerelease is _v(text).is_prerelease

    def test_repr_and_format(self) -> None:
        """repr shows the text; format() pads like a string."""
        v = _v("1.2.3-rc.1+b")
        assert repr(v) == "Version('1.2.3-rc.1+b')"
        assert f"{v}" == "1.2.3-rc.1+b"
        assert f"[{_v('1.2.3'):>7}]" == "[  1.2.3]"
        assert f"{_v('1.2.3'):<7}|" == "1.2.3  |"

    def test_immutable(self) -> None:
        """Versions cannot be changed in place."""
        v = _v("1.2.3")
        with pytest.raises(AttributeError):
            v.major = 2  # type: ignore[misc]
        with pytest.raises(AttributeError):
            v.extra = 1  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("text", "channel"),
        [("1.0.0", None), ("1.0.0-rc.2", "rc"), ("1.0.0-0.3", None), ("1.0.0-alpha", "alpha")],
    )
    def test_channel(self, text: str, channel: str | None) -> None:
        """The channel is the first prerelease identifier when it is not a number."""
        assert _v(text).channel == channel

    def test_replace(self) -> None:
        """replace() changes the named parts only, validated."""
        v = _v("1.2.3-rc.1+b.7")
        assert str(v.replace(major=4)) == "4.2.3-rc.1+b.7"
        assert str(v.replace(prerelease=())) == "1.2.3+b.7"
        assert str(v.replace(prerelease="beta.2", build=())) == "1.2.3-beta.2"
        assert str(v.replace(minor=0, patch=0, build=["ci", 9])) == "1.0.0-rc.1+ci.9"
        with pytest.raises(InvalidVersion, match="leading zero"):
            v.replace(prerelease=["01"])

    def test_with_build(self) -> None:
        """with_build() swaps build metadata and leaves precedence alone."""
        v = _v("2.1.0-rc.1")
        w = v.with_build(("build", "123", "abcdef12"))
        assert str(w) == "2.1.0-rc.1+build.123.abcdef12"
        assert w == v
        assert str(w.with_build(())) == "2.1.0-rc.1"

    def test_sort_key_excludes_build(self) -> None:
        """sort_key is a plain tuple that orders like the version."""
        assert type(_v("1.0.0+x").sort_key) is tuple
        assert _v("1.0.0+x").sort_key == _v("1.0.0").sort_key


COERCE = [
    ("1.2.3", "1.2.3"),
    ("v1.2", "1.2.0"),
    ("V1", "1.0.0"),
    (" 1.2.3 ", "1.2.3"),
    ("\t v1.2.3\n", "1.2.3"),
    ("=1.2.3", "1.2.3"),
    ("v 1.2", "1.2.0"),
    ("01.02.03", "1.2.3"),
    ("1.2.3-rc.01", "1.2.3-rc.1"),
    ("1.2.3rc1", "1.2.3-rc1"),
    ("1.2-rc.1", "1.2.0-rc.1"),
    ("1.2.3--x", "1.2.3--x"),
    ("1.2.3+b.01", "1.2.3+b.01"),
    ("v2.1.0-RC.1+Build", "2.1.0-RC.1+Build"),
]

COERCE_INVALID = [
    "",
    "   ",
    "abc",
    "1.2.3.4",
    "1.2.3-",
    "1.2.3-alpha..1",
    "1.2.3+",
    "vv1",
    "1.2.3 4",
    "1.x",
]


class TestCoerce:
    """coerce(): lenient reading of what people type."""

    @pytest.mark.parametrize(("text", "expected"), COERCE)
    def test_coerce(self, text: str, expected: str) -> None:
        """v prefix, spaces, missing parts and leading zeros are forgiven."""
        assert str(coerce(text)) == expected

    @pytest.mark.parametrize("text", VERSIONS + [t for t, *_ in PARTS])
    def test_strict_versions_coerce_to_themselves(self, text: str) -> None:
        """Leniency never changes a version that is already strict."""
        assert str(coerce(text)) == text

    @pytest.mark.parametrize("text", COERCE_INVALID)
    def test_coerce_refuses(self, text: str) -> None:
        """What cannot be read as a version is still an error, naming the input."""
        with pytest.raises(InvalidVersion) as info:
            coerce(text)
        assert info.value.message == f"{text!r}: cannot read a version here"

    def test_coerce_huge_number(self) -> None:
        """A number too long for int() is an InvalidVersion, not a bare ValueError."""
        with pytest.raises(InvalidVersion, match="too many digits"):
            coerce("9" * 5000)

    def test_strict_parse_stays_strict(self) -> None:
        """What coerce forgives, parse refuses."""
        for text, _ in COERCE:
            if text not in VERSIONS and text not in ("1.2.3", "1.2.3--x", "1.2.3+b.01"):
                assert not Version.is_valid(text), text

    def test_non_string_is_a_type_error(self) -> None:
        """coerce() is typed to str."""
        with pytest.raises(TypeError, match="takes a str"):
            coerce(1.2)  # type: ignore[arg-type]


BUMPS = [
    # start, part, pre, expected
    ("2.1.0", "major", None, "3.0.0"),
    ("2.1.0", "minor", None, "2.2.0"),
    ("2.1.0", "patch", None, "2.1.1"),
    ("2.1.7+build.9", "patch", None, "2.1.8"),  # build metadata is dropped
    ("0.0.0", "major", None, "1.0.0"),
    ("2.1.0", "minor", "alpha", "2.2.0-alpha.1"),  # the issue's example
    ("2.1.0", "major", "rc", "3.0.0-rc.1"),
    ("2.1.0", "patch", "beta", "2.1.1-beta.1"),
    ("2.2.0-alpha.1", "prerelease", None, "2.2.0-alpha.2"),
    ("2.2.0-alpha.3", "prerelease", "beta", "2.2.0-beta.1"),
    ("2.2.0-beta.1", "prerelease", "rc", "2.2.0-rc.1"),
    ("2.2.0-rc.1", "prerelease", "rc", "2.2.0-rc.2"),
    ("2.2.0-rc.1", "prerelease", None, "2.2.0-rc.2"),
    ("2.2.0-alpha.3", "prerelease", "rc", "2.2.0-rc.1"),  # channels may be skipped
    ("2.2.0-rc.9", "prerelease", None, "2.2.0-rc.10"),
    ("2.2.0-alpha", "prerelease", None, "2.2.0-alpha.1"),
    ("2.2.0-alpha.beta", "prerelease", None, "2.2.0-alpha.beta.1"),
    ("2.2.0-0", "prerelease", None, "2.2.0-1"),
    ("2.2.0-0.3.7", "prerelease", "alpha", "2.2.0-alpha.1"),
    ("2.1.0-dev.123", "prerelease", None, "2.1.0-dev.124"),
    ("2.1.0-feature.auth.45", "prerelease", None, "2.1.0-feature.auth.46"),
    ("2.1.0-dev.123", "prerelease", "rc", "2.1.0-rc.1"),
    ("2.1.0", "prerelease", "alpha", "2.1.1-alpha.1"),
    ("2.1.0-rc.2+build.5", "prerelease", None, "2.1.0-rc.3"),
    ("2.2.0-rc.2", "release", None, "2.2.0"),  # finalize
    ("2.2.0-rc.2+build.5", "release", None, "2.2.0"),
    # A bump without a channel finalises a prerelease that already is the target (node-semver).
    ("1.0.0-rc.1", "major", None, "1.0.0"),
    ("1.2.0-rc.1", "major", None, "2.0.0"),
    ("1.2.0-rc.1", "minor", None, "1.2.0"),
    ("1.2.3-rc.1", "minor", None, "1.3.0"),
    ("1.2.3-rc.1", "patch", None, "1.2.3"),
    # With a channel, the target moves on.
    ("1.0.0-rc.1", "major", "alpha", "2.0.0-alpha.1"),
    ("1.2.0-rc.1", "minor", "beta", "1.3.0-beta.1"),
    ("1.2.3-rc.1", "patch", "rc", "1.2.4-rc.1"),
]


class TestBump:
    """bump(): major / minor / patch, prerelease channels and finalising."""

    @pytest.mark.parametrize(("start", "part", "pre", "expected"), BUMPS)
    def test_bump(self, start: str, part: str, pre: str | None, expected: str) -> None:
        """Each bump gives the version the issue and node-semver give, always greater."""
        new = _v(start).bump(part, pre=pre)  # type: ignore[arg-type]
        assert str(new) == expected
        assert new > _v(start)
        assert new.build == ()

    def test_release_train(self) -> None:
        """2.1.0 -> 2.2.0-alpha.1 ... -alpha.3 -> -beta.1 -> -rc.1 -> -rc.2 -> 2.2.0."""
        v = _v("2.1.0")
        steps: list[tuple[str, str | None]] = [
            ("minor", "alpha"),
            ("prerelease", None),
            ("prerelease", None),
            ("prerelease", "beta"),
            ("prerelease", "rc"),
            ("prerelease", None),
            ("release", None),
        ]
        seen = [str(v)]
        for part, pre in steps:
            v = v.bump(part, pre=pre)  # type: ignore[arg-type]
            seen.append(str(v))
        assert seen == [
            "2.1.0",
            "2.2.0-alpha.1",
            "2.2.0-alpha.2",
            "2.2.0-alpha.3",
            "2.2.0-beta.1",
            "2.2.0-rc.1",
            "2.2.0-rc.2",
            "2.2.0",
        ]
        assert [_v(s) for s in seen] == sorted(_v(s) for s in seen)

    def test_finalize(self) -> None:
        """finalize() is the release a prerelease leads to."""
        assert str(_v("2.2.0-rc.2").finalize()) == "2.2.0"
        assert str(_v("2.2.0-rc.2+b").finalize()) == "2.2.0"

    @pytest.mark.parametrize(
        ("start", "pre"),
        [
            ("2.2.0-beta.1", "alpha"),
            ("2.2.0-rc.1", "beta"),
            ("2.2.0-rc.1", "alpha"),
            ("2.1.0-dev.5", "alpha"),  # 'alpha' sorts before 'dev'
            ("2.2.0-rc.1.1", "rc"),  # same channel, but rc.1.1 -> rc.1.2 is how it moves
        ],
    )
    def test_channel_never_moves_backwards(self, start: str, pre: str) -> None:
        """A channel change that would not give a greater version is refused."""
        v = _v(start)
        if pre == v.channel:
            assert str(v.bump("prerelease", pre=pre)) == "2.2.0-rc.1.2"
            return
        with pytest.raises(InvalidVersion) as info:
            v.bump("prerelease", pre=pre)
        assert info.value.message == (
            f"cannot move {start} back to channel {pre!r}: "
            f"{v.core[0]}.{v.core[1]}.{v.core[2]}-{pre}.1 would not be greater"
        )
        assert info.value.hint == "prerelease channels only move forward: alpha -> beta -> rc"

    def test_prerelease_of_a_release_needs_a_channel(self) -> None:
        """Bumping the prerelease of a release, with no channel, is refused with a hint."""
        with pytest.raises(InvalidVersion) as info:
            _v("2.1.0").bump("prerelease")
        assert info.value.message == "2.1.0 is not a prerelease, so it has no prerelease to bump"
        assert info.value.hint is not None
        assert "--pre" in info.value.hint

    def test_release_of_a_release(self) -> None:
        """A release cannot be finalised again."""
        with pytest.raises(InvalidVersion) as info:
            _v("2.2.0").bump("release")
        assert info.value.message == "2.2.0 is already a release"
        with pytest.raises(InvalidVersion, match="already a release"):
            _v("2.2.0+b").finalize()

    def test_release_takes_no_channel(self) -> None:
        """'release' with a channel is a contradiction."""
        with pytest.raises(InvalidVersion, match="takes no channel"):
            _v("2.2.0-rc.1").bump("release", pre="rc")

    def test_unknown_part(self) -> None:
        """An unknown part names itself and the choices."""
        with pytest.raises(InvalidVersion) as info:
            _v("1.0.0").bump("micro")  # type: ignore[arg-type]
        assert info.value.message == "unknown bump part 'micro'"
        assert info.value.hint == "expected major, minor, patch, prerelease or release"

    @pytest.mark.parametrize(
        ("pre", "message"),
        [
            ("", "prerelease channel '' is not a valid identifier"),
            ("12", "prerelease channel '12' is not a valid identifier"),
            ("rc.1", "prerelease channel 'rc.1' is not a valid identifier"),
            ("r c", "prerelease channel 'r c' is not a valid identifier"),
            ("bêta", "prerelease channel 'bêta' is not a valid identifier"),
            ("RC", "prerelease channel 'RC' must be lowercase (seed naming rule 14.1.2)"),
            ("Beta", "prerelease channel 'Beta' must be lowercase (seed naming rule 14.1.2)"),
        ],
    )
    def test_bad_channel(self, pre: str, message: str) -> None:
        """Channels are single lowercase alphanumeric identifiers."""
        with pytest.raises(InvalidVersion) as info:
            _v("1.0.0").bump("minor", pre=pre)
        assert info.value.message == message


BRANCHES = [
    # heading for, branch, build number, expected
    ("2.1.0", "main", 7, "2.1.0"),
    ("2.1.0", "master", 7, "2.1.0"),
    ("2.1.0", "develop", 123, "2.1.0-dev.123"),
    ("2.1.0", "feature/auth", 45, "2.1.0-feature.auth.45"),
    ("2.1.0", "release/2.1.0", 1, "2.1.0-rc.1"),
    ("2.1.0", "release/2.1.0", 2, "2.1.0-rc.2"),
    ("2.0.1", "hotfix/security", 12, "2.0.1-hotfix.security.12"),
    ("2.0.1", "hotfix/1234", 3, "2.0.1-hotfix.1234.3"),
    ("2.1.0", "bugfix/login-loop", 4, "2.1.0-bugfix.login-loop.4"),
    ("2.1.0", "Feature/OAuth_2", 45, "2.1.0-feature.oauth-2.45"),
    ("2.1.0", "feature/auth/sso", 5, "2.1.0-feature.auth.sso.5"),
    ("2.1.0", "feature/v1.2", 5, "2.1.0-feature.v1.2.5"),
    ("2.1.0", "feature/007", 5, "2.1.0-feature.7.5"),  # no leading zeros in numeric identifiers
    ("2.1.0", "feature/___", 5, "2.1.0-feature.5"),
    ("2.1.0", "chore/deps", 9, "2.1.0-branch.chore.deps.9"),
    ("2.1.0", "wip", 0, "2.1.0-branch.wip.0"),
    ("2.1.0-rc.3+b", "develop", 8, "2.1.0-dev.8"),  # only major.minor.patch of the target count
]


class TestBranchVersion:
    """The branch mapping of seed 2.3 and the branch versions of 14.1.2."""

    @pytest.mark.parametrize(("base", "branch", "number", "expected"), BRANCHES)
    def test_branch_version(self, base: str, branch: str, number: int, expected: str) -> None:
        """Each branch kind gives the seed's shape, lowercase and valid."""
        v = _v(base).branch_version(branch, number)
        assert str(v) == expected
        assert naming_problems(v) == []
        assert Version.is_valid(str(v))

    def test_later_builds_sort_later(self) -> None:
        """Build numbers are numeric identifiers, so build 10 sorts after build 9."""
        base = _v("2.1.0")
        assert base.branch_version("develop", 9) < base.branch_version("develop", 10)
        assert base.branch_version("release/2.1.0", 9) < base.branch_version("release/2.1.0", 10)
        assert base.branch_version("release/2.1.0", 99) < base.branch_version("main", 0)

    def test_negative_build_number(self) -> None:
        """Build numbers count up from zero."""
        with pytest.raises(InvalidVersion, match="build number must not be negative, got -1"):
            _v("2.1.0").branch_version("develop", -1)

    def test_too_long_branch_name(self) -> None:
        """A branch name that would break the 50-character rule is refused, saying so."""
        branch = "feature/" + "a" * 40
        with pytest.raises(InvalidVersion) as info:
            _v("2.1.0").branch_version(branch, 45)
        version = "2.1.0-feature." + "a" * 40 + ".45"
        assert info.value.message == (
            f"branch {branch!r} gives {version}: "
            f"{len(version)} characters, more than the {MAX_NAME_LENGTH} allowed"
        )
        assert info.value.hint == "use a shorter branch name"


class TestCiBuildMetadata:
    """Build metadata from the CI environment (seed 3.1.2)."""

    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({}, None),
            ({"CI": ""}, None),
            ({"BUILD_NUMBER": "5", "GIT_COMMIT": "abc"}, None),
            (
                {"CI": "true", "BUILD_NUMBER": "123", "GIT_COMMIT": "abcdef1234567890"},
                ("build", "123", "abcdef12"),
            ),
            ({"CI": "1", "BUILD_NUMBER": "7", "GIT_COMMIT": "abc"}, ("build", "7", "abc")),
            ({"CI": "true"}, ("build", "0", "unknown")),
            ({"CI": "true", "BUILD_NUMBER": "", "GIT_COMMIT": ""}, ("build", "0", "unknown")),
            (
                {"CI": "true", "BUILD_NUMBER": "pr_12", "GIT_COMMIT": "ab/cd"},
                ("build", "pr-12", "ab-cd"),
            ),
            ({"CI": "true", "BUILD_NUMBER": "007"}, ("build", "007", "unknown")),
        ],
    )
    def test_metadata(self, env: dict[str, str], expected: tuple[str, ...] | None) -> None:
        """+build.<BUILD_NUMBER>.<GIT_COMMIT[:8]> when CI is set, nothing otherwise."""
        assert ci_build_metadata(env) == expected

    def test_metadata_makes_a_valid_version(self) -> None:
        """The metadata attaches to any version and keeps precedence."""
        build = ci_build_metadata({"CI": "true", "BUILD_NUMBER": "123", "GIT_COMMIT": "0123456789"})
        assert build is not None
        v = _v("2.1.0").with_build(build)
        assert str(v) == "2.1.0+build.123.01234567"
        assert v == _v("2.1.0")


class TestNamingRules:
    """The naming rules of seed 14.1.2: lowercase prerelease, at most 50 characters."""

    @pytest.mark.parametrize(
        "text",
        [
            "2.1.0",
            "2.1.0-alpha.1",
            "2.1.0-rc.1+Build.ABC",
            "2.1.0-" + "a" * 44,
            "2.1.0+" + "b" * 44,
        ],
    )
    def test_compliant(self, text: str) -> None:
        """Lowercase prereleases (build metadata may be any case) up to 50 characters pass."""
        assert len(text) <= MAX_NAME_LENGTH
        assert naming_problems(_v(text)) == []

    @pytest.mark.parametrize(
        ("text", "problems"),
        [
            ("2.1.0-RC.1", ["prerelease identifier 'RC' must be lowercase"]),
            (
                "2.1.0-Alpha.Beta",
                [
                    "prerelease identifier 'Alpha' must be lowercase",
                    "prerelease identifier 'Beta' must be lowercase",
                ],
            ),
            ("2.1.0-" + "a" * 45, ["51 characters, more than the 50 allowed"]),
            ("2.1.0+" + "b" * 45, ["51 characters, more than the 50 allowed"]),
            (
                "2.1.0-X" + "a" * 44,
                [
                    "prerelease identifier '" + "X" + "a" * 44 + "' must be lowercase",
                    "51 characters, more than the 50 allowed",
                ],
            ),
        ],
    )
    def test_problems(self, text: str, problems: list[str]) -> None:
        """Every broken rule is reported, each in its own words."""
        assert naming_problems(_v(text)) == problems


def test_a_version_is_not_a_tuple_nor_equal_to_one() -> None:
    v = Version.parse("1.2.3")
    assert not isinstance(v, tuple)
    assert v != (1, 2, 3)
    assert v != (1, 2, 3, ((2,),))  # not even its own precedence key
    assert v != "1.2.3"
    with pytest.raises(TypeError):
        _ = v < (1, 2, 4)  # type: ignore[operator]


def test_a_version_is_immutable_and_copies_to_itself() -> None:
    import copy

    v = Version.parse("2.1.0-rc.1+build.7")
    with pytest.raises(AttributeError, match="immutable"):
        v._key = (9, 9, 9, ())  # type: ignore[misc]
    with pytest.raises(AttributeError):
        v.major = 3  # type: ignore[misc]
    assert copy.copy(v) is v
    assert copy.deepcopy(v) is v


def test_json_forms_write_a_version_as_its_text() -> None:
    import json

    from polaris.cli._render import to_jsonable

    data = {"v": Version.parse("1.0.0-rc.1+b.2"), "vs": [Version.parse("2.0.0")]}
    assert json.loads(json.dumps(to_jsonable(data))) == {"v": "1.0.0-rc.1+b.2", "vs": ["2.0.0"]}
    with pytest.raises(TypeError):
        json.dumps(Version.parse("1.0.0"))  # never silently a nested list
