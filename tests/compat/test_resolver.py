"""The PubGrub resolver: newest sets, pins, preferences, upgrades, explanations."""

from __future__ import annotations

import pytest

from polaris.compat.resolver import Requirement, ResolutionProblem, Unsatisfiable, resolve
from polaris.core.errors import InvalidInput
from polaris.core.ranges import Range
from polaris.core.semver import Version


def vs(*texts: str) -> list[Version]:
    return [Version.parse(t) for t in texts]


def req(source: str, when: str, target: str, allowed: str) -> Requirement:
    w, a = Range.parse(when), Range.parse(allowed)
    return Requirement(source, target, w.contains, a.contains, when, allowed, "test.yml:1")


VERSIONS = {
    "api": vs("2.0.0", "2.1.0", "3.0.0"),
    "rag": vs("1.2.0", "1.3.0", "1.3.2", "2.0.0"),
    "web": vs("2.0.0", "2.1.0"),
}
RULES = [
    req("api", "3.x", "rag", "2.x"),
    req("api", "2.x", "rag", "~1.3"),
    req("rag", "2.x", "web", ">=3.0.0"),
]


def test_newest_set_skips_versions_that_lead_nowhere() -> None:
    """api 3.0.0 needs rag 2.x, which needs a web that does not exist: api 2.1.0 wins."""
    result = resolve(ResolutionProblem(VERSIONS, RULES, priority=["api"]))
    assert {k: str(v) for k, v in result.versions.items()} == {
        "api": "2.1.0",
        "rag": "1.3.2",
        "web": "2.1.0",
    }


def test_pin_is_kept() -> None:
    result = resolve(ResolutionProblem(VERSIONS, RULES, pins={"rag": Version.parse("1.3.0")}))
    assert str(result.versions["rag"]) == "1.3.0"
    assert result.versions["api"].major == 2


def test_preferences_hold_unless_upgraded() -> None:
    current = {"api": Version.parse("2.0.0"), "rag": Version.parse("1.3.0")}
    kept = resolve(ResolutionProblem(VERSIONS, RULES, prefer=current))
    assert str(kept.versions["api"]) == "2.0.0"
    assert str(kept.versions["rag"]) == "1.3.0"
    moved = resolve(ResolutionProblem(VERSIONS, RULES, prefer=current, upgrade=["rag"]))
    assert str(moved.versions["api"]) == "2.0.0"
    assert str(moved.versions["rag"]) == "1.3.2"


def test_conflicting_pin_is_explained_as_a_chain() -> None:
    with pytest.raises(Unsatisfiable) as info:
        resolve(ResolutionProblem(VERSIONS, RULES, pins={"rag": Version.parse("1.2.0")}))
    text = "\n".join(info.value.explanation)
    assert "api 3.x requires rag 2.x (test.yml:1)" in text
    assert "api 2.x requires rag ~1.3 (test.yml:1)" in text
    assert "rag is pinned to 1.2.0" in text
    assert info.value.exit_code == 1


def test_unsatisfiable_everywhere_names_every_link() -> None:
    rules = [*RULES, req("api", "2.x", "web", "1.x")]
    with pytest.raises(Unsatisfiable) as info:
        resolve(ResolutionProblem(VERSIONS, rules))
    text = "\n".join(info.value.explanation)
    assert "no known version of web matches 1.x" in text
    assert "rag 2.x requires web >=3.0.0" in text
    assert text.rstrip().endswith("no set of versions works.")


def test_unknown_pin_is_bad_input() -> None:
    with pytest.raises(InvalidInput, match=r"pinned version rag=9\.9\.9 is not a known version"):
        resolve(ResolutionProblem(VERSIONS, RULES, pins={"rag": Version.parse("9.9.9")}))
    with pytest.raises(InvalidInput, match="'nope'"):
        resolve(ResolutionProblem(VERSIONS, RULES, pins={"nope": Version.parse("1.0.0")}))


def test_priority_order_decides_who_gets_the_newest() -> None:
    versions = {"a": vs("1.0.0", "2.0.0"), "b": vs("1.0.0", "2.0.0")}
    rules = [req("a", "2.x", "b", "1.x"), req("b", "2.x", "a", "1.x")]
    first_a = resolve(ResolutionProblem(versions, rules, priority=["a"]))
    first_b = resolve(ResolutionProblem(versions, rules, priority=["b"]))
    assert (str(first_a.versions["a"]), str(first_a.versions["b"])) == ("2.0.0", "1.0.0")
    assert (str(first_b.versions["a"]), str(first_b.versions["b"])) == ("1.0.0", "2.0.0")
