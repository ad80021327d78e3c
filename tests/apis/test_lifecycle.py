"""API version lifecycle: states, dates, refused transitions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from polaris.apis.lifecycle import (
    APIVersion,
    APIVersionState,
    Catalog,
    LifecyclePolicy,
    normalize_api_version,
)
from polaris.core.errors import Conflict, InvalidInput, NotFound

D0 = date(2026, 1, 1)


def _active(*names: str) -> Catalog:
    cat = Catalog()
    for n in names:
        cat = cat.register(n, D0).activate(n, D0)
    return cat


@pytest.mark.parametrize(
    ("text", "name"), [("2", "v2"), ("v2", "v2"), ("V2.1", "v2.1"), ("api_v2.1.0", "v2.1.0")]
)
def test_names_normalise(text: str, name: str) -> None:
    """Every spelling of a version becomes v<n>."""
    assert normalize_api_version(text) == name


def test_bad_name() -> None:
    """Names that are not versions are refused with a hint."""
    with pytest.raises(InvalidInput, match="not an API version name"):
        normalize_api_version("latest")


class TestHappyPath:
    """development -> active -> deprecated -> retired."""

    def test_full_life(self) -> None:
        """Each step sets its state and dates; the defaults are 180 days to sunset."""
        cat = Catalog().register("v1", D0, breaking_changes=["JWT"])
        assert cat.get("v1").state is APIVersionState.DEVELOPMENT
        cat = cat.activate("1", D0 + timedelta(days=1))
        assert cat.get("v1").introduced == D0 + timedelta(days=1)
        cat = cat.register("v2", D0).activate("v2", D0)
        cat = cat.deprecate("v1", D0 + timedelta(days=10), migration_guide="https://x/m")
        v1 = cat.get("v1")
        assert v1.state is APIVersionState.DEPRECATED
        assert v1.deprecated_on == D0 + timedelta(days=10)
        assert v1.retires_on == D0 + timedelta(days=190)
        assert v1.replacement == "v2"  # the newest other version by default
        cat = cat.retire("v1", D0 + timedelta(days=190))
        assert cat.get("v1").state is APIVersionState.RETIRED
        assert cat.get("v1").retires_on == D0 + timedelta(days=190)

    def test_configurable_policy(self) -> None:
        """Notice and retirement periods come from the policy."""
        policy = LifecyclePolicy(notice=timedelta(days=30), retirement_after=timedelta(days=60))
        cat = Catalog(policy=policy).register("v1", D0).activate("v1", D0)
        cat = cat.deprecate("v1", D0)
        assert cat.get("v1").retires_on == D0 + timedelta(days=60)
        assert cat.retire("v1", D0 + timedelta(days=30)).get("v1").state is APIVersionState.RETIRED

    def test_policy_must_be_coherent(self) -> None:
        """Retirement sooner than the notice period makes no sense."""
        with pytest.raises(InvalidInput, match="no sooner than the notice"):
            LifecyclePolicy(notice=timedelta(days=90), retirement_after=timedelta(days=30))

    def test_past_sunset_counts_as_retired(self) -> None:
        """A deprecated version past its sunset date is retired in effect."""
        v = _active("v1").deprecate("v1", D0).get("v1")
        assert v.retires_on is not None
        assert v.state_on(v.retires_on - timedelta(days=1)) is APIVersionState.DEPRECATED
        assert v.state_on(v.retires_on) is APIVersionState.RETIRED

    def test_served_and_default(self) -> None:
        """Served: active and deprecated, newest first; the default is the newest active."""
        cat = _active("v1", "v2").register("v3", D0).deprecate("v1", D0)
        assert [v.version for v in cat.served(D0)] == ["v2", "v1"]
        assert [v.version for v in cat.served(D0, include_development=True)] == ["v3", "v2", "v1"]
        latest = cat.latest_active(D0)
        assert latest is not None
        assert latest.version == "v2"


class TestRefused:
    """Illegal transitions and dates."""

    def test_retire_active_without_deprecation(self) -> None:
        """Retiring straight from active is refused: clients are owed notice."""
        with pytest.raises(Conflict, match="from active to retired") as info:
            _active("v1").retire("v1", D0)
        assert info.value.hint is not None
        assert "deprecate it first" in info.value.hint

    def test_reactivate_retired(self) -> None:
        """A retired version stays retired."""
        cat = _active("v1").deprecate("v1", D0).retire("v1", D0, force=True)
        with pytest.raises(Conflict, match="from retired to active"):
            cat.activate("v1", D0)

    @pytest.mark.parametrize(
        ("state_steps", "action"),
        [
            ((), "deprecate"),  # development -> deprecated
            ((), "retire"),  # development -> retired
            (("activate",), "activate"),  # active -> active
            (("activate", "deprecate"), "deprecate"),  # deprecated -> deprecated
            (("activate", "deprecate"), "activate"),  # deprecated -> active
        ],
    )
    def test_other_illegal_moves(self, state_steps: tuple[str, ...], action: str) -> None:
        """Only the forward chain is allowed."""
        cat = Catalog().register("v1", D0)
        for step in state_steps:
            cat = getattr(cat, step)("v1", D0)
        with pytest.raises(Conflict, match="cannot move API version v1"):
            getattr(cat, action)("v1", D0)

    def test_retire_before_notice(self) -> None:
        """Retiring 89 days after deprecation is refused, allowed at 90, or with force."""
        cat = _active("v1").deprecate("v1", D0)
        with pytest.raises(Conflict, match="owed 90 days' notice"):
            cat.retire("v1", D0 + timedelta(days=89))
        assert cat.retire("v1", D0 + timedelta(days=90)).get("v1").state is APIVersionState.RETIRED
        assert cat.retire("v1", D0, force=True).get("v1").state is APIVersionState.RETIRED

    def test_sunset_with_too_little_notice(self) -> None:
        """An explicit sunset closer than the notice period is refused with the earliest date."""
        with pytest.raises(Conflict, match="less than 90 days") as info:
            _active("v1").deprecate("v1", D0, sunset=D0 + timedelta(days=30))
        assert info.value.hint == f"choose {D0 + timedelta(days=90)} or later"

    def test_deprecation_in_the_past(self) -> None:
        """Deprecating retroactively would make the headers lie."""
        with pytest.raises(InvalidInput, match="in the past"):
            _active("v1").deprecate("v1", D0, on=D0 - timedelta(days=1))

    def test_register_twice(self) -> None:
        """A name is registered once."""
        with pytest.raises(Conflict, match="already registered"):
            _active("v1").register("1", D0)

    def test_unknown_version(self) -> None:
        """Acting on an unknown version lists the known ones."""
        with pytest.raises(NotFound, match=r"known: v1"):
            _active("v1").activate("v9", D0)


class TestRecords:
    """Consistency checks on stored records."""

    def test_sunset_before_deprecation(self) -> None:
        """A sunset before the deprecation is refused on load."""
        bad = APIVersion(
            "v1", APIVersionState.DEPRECATED, deprecated_on=D0, retires_on=D0 - timedelta(days=1)
        )
        with pytest.raises(InvalidInput, match="earlier than deprecation_date"):
            Catalog.of([bad])

    def test_deprecated_without_dates(self) -> None:
        """A deprecated record needs both dates."""
        with pytest.raises(InvalidInput, match="needs a deprecation_date"):
            Catalog.of([APIVersion("v1", APIVersionState.DEPRECATED)])

    def test_unknown_replacement(self) -> None:
        """The replacement must be declared."""
        with pytest.raises(InvalidInput, match="replacement v3 is not declared"):
            Catalog.of([APIVersion("v1", replacement="v3")])

    def test_sorted_by_number(self) -> None:
        """v10 sorts after v9."""
        cat = Catalog.of([APIVersion("v10"), APIVersion("v9"), APIVersion("v9.1")])
        assert list(cat.versions) == ["v9", "v9.1", "v10"]


def test_retiring_past_the_sunset_keeps_the_planned_date() -> None:
    """Retired late, a version keeps the sunset date it stopped being served on."""
    cat = _active("v1").deprecate("v1", D0)
    sunset = cat.get("v1").retires_on
    assert sunset is not None
    retired = cat.retire("v1", sunset + timedelta(days=40)).get("v1")
    assert retired.retires_on == sunset
