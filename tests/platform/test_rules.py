"""Bills of materials, their differences, the platform bump rule and registry constraints."""

from __future__ import annotations

import pytest

from polaris.compat.constraints import (
    RegistryConstraint,
    constraint_rules,
    model_constraints,
    spec_to_range,
)
from polaris.core.errors import InvalidInput, InvalidRange
from polaris.core.semver import Version
from polaris.platform.rules import (
    BumpType,
    PlatformBumpTooSmall,
    bump_type,
    canonical_name,
    check_platform_bump,
    diff_boms,
    minimum_platform_version,
)


def v(text: str) -> Version:
    return Version.parse(text)


BUMPS: list[tuple[str, str, BumpType]] = [
    ("1.0.0", "1.0.0", "none"),
    ("1.0.0", "1.0.0+build.7", "none"),
    ("1.0.0-rc.1", "1.0.0-rc.2", "prerelease"),
    ("1.0.0-rc.1", "1.0.0", "prerelease"),
    ("1.0.0", "1.0.1", "patch"),
    ("1.3.2", "1.4.0-rc.1", "minor"),
    ("1.3.2", "1.4.0", "minor"),
    ("1.4.0", "1.3.9", "minor"),
    ("1.9.9", "2.0.0", "major"),
    ("2.0.0", "1.9.9", "major"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BUMPS)
def test_bump_type_is_the_most_significant_differing_part(
    old: str, new: str, expected: BumpType
) -> None:
    assert bump_type(v(old), v(new)) == expected


# (old, new, change, bump, breaking, required platform bump)
CHANGES: list[tuple[str | None, str | None, str, str, bool, BumpType]] = [
    ("1.0.0", "1.0.0", "unchanged", "none", False, "none"),
    ("1.0.0-rc.1", "1.0.0", "changed", "prerelease", False, "prerelease"),
    ("1.0.0", "1.0.1", "changed", "patch", False, "patch"),
    ("1.0.1", "1.0.0", "changed", "patch", False, "patch"),
    ("1.3.2", "1.4.0", "changed", "minor", False, "minor"),
    ("1.4.0", "1.3.2", "changed", "minor", True, "major"),
    ("0.1.0", "0.2.0", "changed", "minor", True, "major"),
    ("1.3.2", "2.0.0", "changed", "major", True, "major"),
    (None, "1.0.0", "added", "minor", False, "minor"),
    ("1.0.0", None, "removed", "major", True, "major"),
]


@pytest.mark.parametrize(("old", "new", "change", "bump", "breaking", "required"), CHANGES)
def test_diff_classifies_each_component(
    old: str | None,
    new: str | None,
    change: str,
    bump: str,
    breaking: bool,
    required: BumpType,
) -> None:
    before = {} if old is None else {"rag_search": v(old)}
    after = {} if new is None else {"rag_search": v(new)}
    (c,) = diff_boms(before, after).changes
    assert (c.name, c.change, c.bump, c.breaking, c.required) == (
        "rag_search",
        change,
        bump,
        breaking,
        required,
    )


def test_diff_matches_names_across_spellings_and_takes_the_largest_change() -> None:
    old = {"rag-search": v("1.3.2"), "api": v("2.1.0"), "web": v("2.1.0")}
    new = {"rag_search": v("1.3.2"), "api": v("2.2.0"), "web": v("2.1.1")}
    d = diff_boms(old, new)
    assert [c.name for c in d.changes] == ["api", "rag_search", "web"]
    assert [c.name for c in d.changed] == ["api", "web"]
    assert d.required == "minor"
    assert d.largest is not None and d.largest.describe() == "api 2.1.0 -> 2.2.0 (minor)"
    assert diff_boms(old, old).required == "none"
    assert diff_boms(old, old).largest is None


# (previous, proposed, component bump required, accepted)
RULE: list[tuple[str, str, BumpType, bool]] = [
    ("2.1.0", "2.1.1", "patch", True),
    ("2.1.0", "2.1.1", "minor", False),
    ("2.1.0", "2.2.0", "minor", True),
    ("2.1.0", "2.2.0", "major", False),
    ("2.1.0", "3.0.0", "major", True),
    ("2.1.0", "3.0.0-rc.1", "major", True),
    ("3.0.0-rc.1", "3.0.0-rc.2", "major", True),
    ("3.0.0-rc.1", "3.0.0", "major", True),
    ("2.1.0", "2.1.1-rc.1", "prerelease", True),
    ("2.1.1-rc.1", "2.1.1-rc.2", "prerelease", True),
    ("2.1.0", "2.1.0", "none", False),
    ("2.1.0", "2.0.9", "none", False),
    ("2.1.0", "2.1.1", "none", True),
]

_CHANGE_FOR: dict[BumpType, tuple[str, str]] = {
    "none": ("1.0.0", "1.0.0"),
    "prerelease": ("1.0.0-rc.1", "1.0.0-rc.2"),
    "patch": ("1.0.0", "1.0.1"),
    "minor": ("1.0.0", "1.1.0"),
    "major": ("1.0.0", "2.0.0"),
}


@pytest.mark.parametrize(("previous", "proposed", "required", "accepted"), RULE)
def test_platform_bump_is_at_least_the_largest_component_bump(
    previous: str, proposed: str, required: BumpType, accepted: bool
) -> None:
    a, b = _CHANGE_FOR[required]
    d = diff_boms({"c": v(a)}, {"c": v(b)})
    assert d.required == required
    if accepted:
        verdict = check_platform_bump(v(previous), v(proposed), d)
        assert verdict.required == required
        assert verdict.bump == bump_type(v(previous), v(proposed))
    else:
        with pytest.raises(PlatformBumpTooSmall) as info:
            check_platform_bump(v(previous), v(proposed), d)
        assert info.value.exit_code == 1
        assert info.value.location.field == "version"
        assert info.value.hint is not None and info.value.hint.startswith("use ")


def test_a_too_small_bump_names_the_breaking_change_and_the_minimum() -> None:
    d = diff_boms({"rag_search": v("1.3.2")}, {"rag_search": v("2.0.0")})
    with pytest.raises(PlatformBumpTooSmall) as info:
        check_platform_bump(v("2.1.0"), v("2.2.0"), d)
    assert info.value.one_line() == (
        "version: platform 2.1.0 -> 2.2.0 is a minor bump, but the components need a major bump; "
        "rag_search 1.3.2 -> 2.0.0 (major, breaking) (hint: use 3.0.0 or higher)"
    )


def test_the_first_release_has_no_bump_to_check() -> None:
    verdict = check_platform_bump(None, v("0.1.0"), diff_boms({}, {"a": v("1.0.0")}))
    assert (verdict.bump, verdict.minimum, verdict.required) == (None, None, "minor")


@pytest.mark.parametrize(
    ("previous", "required", "minimum"),
    [
        ("2.1.0", "major", "3.0.0"),
        ("2.1.0", "minor", "2.2.0"),
        ("2.1.0", "patch", "2.1.1"),
        ("2.1.0", "prerelease", "2.1.1"),
        ("2.1.0", "none", "2.1.1"),
        ("3.0.0-rc.1", "major", "3.0.0-rc.2"),
        ("2.2.0-rc.1", "major", "3.0.0"),
        ("2.2.0-rc.1", "minor", "2.2.0-rc.2"),
    ],
)
def test_minimum_platform_version(previous: str, required: BumpType, minimum: str) -> None:
    assert str(minimum_platform_version(v(previous), required)) == minimum


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        ("^1.3", ["1.3.0", "1.9.9"], ["1.2.9", "2.0.0"]),
        ("2.x", ["2.0.0", "2.9.0"], ["3.0.0"]),
        (">=2.0,<3", ["2.0.0", "2.5.1"], ["1.9.9", "3.0.0"]),
        ("==2.1.*", ["2.1.0", "2.1.7"], ["2.2.0"]),
        ("==2.1.0", ["2.1.0"], ["2.1.1"]),
        ("~=1.2", ["1.2.0", "1.9.0"], ["2.0.0", "1.1.0"]),
        ("~=1.2.3", ["1.2.3", "1.2.9"], ["1.3.0"]),
        (">=2.0,!=2.0.1", ["2.0.0", "2.0.2"], ["2.0.1", "1.0.0"]),
        ("", ["0.0.1", "9.9.9"], []),
    ],
)
def test_spec_to_range_reads_semver_and_pep440(
    spec: str, inside: list[str], outside: list[str]
) -> None:
    r = spec_to_range(spec)
    assert all(r.contains(v(x)) for x in inside)
    assert not any(r.contains(v(x)) for x in outside)


def test_spec_to_range_refuses_nonsense() -> None:
    with pytest.raises(InvalidRange):
        spec_to_range("==banana,<")
    with pytest.raises(InvalidRange):
        spec_to_range("bogus!!")


def test_model_dependencies_name_components_and_skip_python_packages() -> None:
    found, problems = model_constraints(
        "rag-search",
        v("1.3.2"),
        ["torch==2.4.1", "API>=2.0,<3", "python ~3.11", "web bogus!!", "rag_search ^1"],
        ["api", "python", "web", "rag_search"],
    )
    assert found == [
        RegistryConstraint(
            "rag_search",
            v("1.3.2"),
            "api",
            ">=2.0,<3",
            "registry: model rag-search 1.3.2 dependencies[1]",
        ),
        RegistryConstraint(
            "rag_search",
            v("1.3.2"),
            "python",
            "~3.11",
            "registry: model rag-search 1.3.2 dependencies[2]",
        ),
    ]
    assert len(problems) == 1
    assert problems[0].startswith("registry: model rag-search 1.3.2 dependencies[3]: 'web bogus!!'")
    (rule, _) = constraint_rules(found)
    assert rule.describe() == (
        "rag_search =1.3.2 requires api >=2.0 <3 (registry: model rag-search 1.3.2 dependencies[1])"
    )
    assert rule.when.contains(v("1.3.2")) and not rule.when.contains(v("1.3.3"))
    assert rule.allowed.contains(v("2.9.0")) and not rule.allowed.contains(v("3.0.0"))


def test_constraint_rules_name_the_record_of_a_bad_range() -> None:
    bad = RegistryConstraint("api", v("2.1.0"), "web", "2.x.y.z", "registry: api 2.1.0 clients")
    with pytest.raises(InvalidInput) as info:
        constraint_rules([bad])
    assert info.value.message.startswith("registry: api 2.1.0 clients: '2.x.y.z': ")


def test_canonical_name() -> None:
    assert canonical_name("RAG_search") == canonical_name("rag-search") == "rag-search"
    assert canonical_name("a.b__c") == "a-b-c"
