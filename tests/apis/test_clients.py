"""Client compatibility matrix (seed 11.2) with SemVer ranges."""

from __future__ import annotations

import pytest

from polaris.apis.clients import (
    ClientDeclaration,
    ClientMatrix,
    CompatibilityLevel,
)
from polaris.core.errors import InvalidInput

L = CompatibilityLevel


def _seed_matrix() -> ClientMatrix:
    """The seed's example, with ranges."""
    return ClientMatrix.of(
        [
            ClientDeclaration("web_ui", "2.1.x", "v2.1.0", L.FULLY),
            ClientDeclaration(
                "web_ui",
                "2.0.x",
                "v2.1.0",
                L.MOSTLY,
                issues=("New incident fields may not display", "Enhanced search unavailable"),
                workarounds=("Upgrade to 2.1",),
            ),
            ClientDeclaration("web_ui", "1.x", "v2.1.0", L.NOT),
            ClientDeclaration("mobile_app", "^2", "v2.1.0", L.FULLY),
            ClientDeclaration(
                "mobile_app", "1.x", "v2.1.0", L.LIMITED, issues=("Authentication changed",)
            ),
            ClientDeclaration("cli_tool", ">=2.0.0 <3.0.0", "v2", L.FULLY),
            ClientDeclaration("cli_tool", "1.x", "v2", L.NOT, migration_required=False),
        ]
    )


@pytest.mark.parametrize(
    ("client", "version", "api", "level", "migrate"),
    [
        ("web_ui", "2.1.4", "v2.1.0", L.FULLY, False),
        ("web_ui", "2.0.9", "2.1.0", L.MOSTLY, False),
        ("web_ui", "1.9.0", "api_v2.1.0", L.NOT, True),
        ("mobile_app", "2.7.1", "v2.1.0", L.FULLY, False),
        ("mobile_app", "1.0.0", "v2.1.0", L.LIMITED, True),
        ("cli_tool", "2.3.0", "v2.1.0", L.FULLY, False),  # a v2 declaration covers v2.1.0
        ("cli_tool", "1.2.0", "v2", L.NOT, False),  # explicit migration_required wins
    ],
)
def test_levels(
    client: str, version: str, api: str, level: CompatibilityLevel, migrate: bool
) -> None:
    """Each declared combination answers with its level and migration flag."""
    result = _seed_matrix().check(client, version, api)
    assert result.declared
    assert result.level is level
    assert result.migration_required is migrate


def test_issues_and_workarounds() -> None:
    """Known issues and workarounds come with the answer."""
    result = _seed_matrix().check("web_ui", "2.0.3", "v2.1.0")
    assert result.issues == ("New incident fields may not display", "Enhanced search unavailable")
    assert result.workarounds == ("Upgrade to 2.1",)
    assert result.matched == "2.0.x"


def test_undeclared_is_not_compatible() -> None:
    """No declaration: not compatible, migration required, and said so."""
    result = _seed_matrix().check("web_ui", "3.0.0", "v2.1.0")
    assert not result.declared
    assert result.level is L.NOT
    assert result.migration_required
    assert "no declaration covers web_ui 3.0.0" in result.issues[0]


def test_prerelease_client_is_outside_plain_ranges() -> None:
    """SemVer ranges exclude prereleases unless they name one: 2.1.0-rc.1 is undeclared."""
    assert not _seed_matrix().check("web_ui", "2.1.0-rc.1", "v2.1.0").declared


def test_contradiction_is_reported_on_load() -> None:
    """Two ranges covering 2.0.5 with different verdicts are an error naming both."""
    with pytest.raises(InvalidInput, match=r"contradiction: web_ui '2.0.x' .* and '\^2' .*"):
        ClientMatrix.of(
            [
                ClientDeclaration("web_ui", "2.0.x", "v2", L.MOSTLY, where="a.yml:3"),
                ClientDeclaration("web_ui", "^2", "v2", L.FULLY, where="a.yml:9"),
            ]
        )


def test_agreeing_overlap_is_a_warning() -> None:
    """Overlapping ranges with the same verdict load, with a warning."""
    matrix = ClientMatrix.of(
        [
            ClientDeclaration("web_ui", "2.x", "v2", L.FULLY),
            ClientDeclaration("web_ui", ">=2.5.0", "v2", L.FULLY),
        ]
    )
    assert len(matrix.warnings) == 1
    assert "both cover 2.5.0" in matrix.warnings[0]


def test_disjoint_ranges_and_other_apis_do_not_clash() -> None:
    """Same client, disjoint ranges or different API versions: fine."""
    matrix = ClientMatrix.of(
        [
            ClientDeclaration("web_ui", "2.0.x", "v2", L.MOSTLY),
            ClientDeclaration("web_ui", "2.1.x", "v2", L.FULLY),
            ClientDeclaration("web_ui", "2.0.x", "v3", L.NOT),
        ]
    )
    assert matrix.warnings == ()


def test_bad_range_is_reported() -> None:
    """An unparsable range is an error naming where it was declared."""
    with pytest.raises(InvalidInput, match=r"m.yml:4"):
        ClientMatrix.of([ClientDeclaration("web_ui", ">=>2", "v2", L.FULLY, where="m.yml:4")])


@pytest.mark.parametrize(
    ("text", "level"),
    [("fully", L.FULLY), ("Mostly_Compatible", L.MOSTLY), ("limited", L.LIMITED), ("not", L.NOT)],
)
def test_level_spellings(text: str, level: CompatibilityLevel) -> None:
    """Levels accept short and long spellings."""
    assert CompatibilityLevel.parse(text) is level
