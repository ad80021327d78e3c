"""API version lifecycle (seed 5.1.2, 5.1.3): development -> active -> deprecated -> retired.

Pure: every function that needs "now" takes it. A :class:`Catalog` is an immutable set of
:class:`APIVersion` records; each transition returns a new catalog or raises
:class:`~polaris.core.errors.Conflict` when the state machine forbids it::

    development --activate--> active --deprecate--> deprecated --retire--> retired

Dates (the :class:`LifecyclePolicy`, configurable):

* deprecating sets the *deprecation date* (now, or a later date given) and schedules retirement
  (the *sunset*) ``retirement_after`` (180 days) later; an explicit sunset may not give clients less
  than ``notice`` (90 days) from now, nor fall before the deprecation date;
* retiring is refused before ``notice`` has passed since the deprecation date, unless forced.

Storage is someone else's job: :class:`LifecycleRepository` is the small interface a file
(``polaris.apis.versions_file``) or the registry implements.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final, Protocol

from polaris.core.errors import Conflict, InvalidInput, Location, NotFound

__all__ = [
    "APIVersion",
    "APIVersionState",
    "Catalog",
    "LifecyclePolicy",
    "LifecycleRepository",
    "normalize_api_version",
]

_NAME = re.compile(r"(?:api[_-]?)?v?(\d+(?:\.\d+){0,2})", re.IGNORECASE)


def normalize_api_version(text: str, *, field_name: str | None = None) -> str:
    """The canonical name of an API version: ``"2"``, ``"v2"``, ``"api_v2"`` -> ``"v2"``.

    >>> normalize_api_version("API_v2.1")
    'v2.1'
    """
    m = _NAME.fullmatch(text.strip())
    if m is None:
        raise InvalidInput(
            f"{text!r} is not an API version name",
            location=Location(field=field_name),
            hint="expected v<major>[.<minor>[.<patch>]], e.g. v2 or 2",
        )
    return "v" + ".".join(str(int(p)) for p in m.group(1).split("."))


def _sort_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name[1:].split("."))


class APIVersionState(enum.StrEnum):
    """Where an API version is in its life."""

    DEVELOPMENT = "development"
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


#: Allowed transitions: state -> states it may move to.
TRANSITIONS: Final[Mapping[APIVersionState, frozenset[APIVersionState]]] = {
    APIVersionState.DEVELOPMENT: frozenset({APIVersionState.ACTIVE}),
    APIVersionState.ACTIVE: frozenset({APIVersionState.DEPRECATED}),
    APIVersionState.DEPRECATED: frozenset({APIVersionState.RETIRED}),
    APIVersionState.RETIRED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """How much warning clients get (seed 5.1.2: 3 months' notice, retirement 6 months after)."""

    notice: timedelta = timedelta(days=90)
    """Least time between announcing a deprecation and retiring the version."""
    retirement_after: timedelta = timedelta(days=180)
    """Default time from deprecation to retirement (the sunset)."""

    def __post_init__(self) -> None:
        if self.notice < timedelta(0) or self.retirement_after < self.notice:
            raise InvalidInput(
                "retirement must come no sooner than the notice period",
                location=Location(field="lifecycle_policy"),
                hint=f"notice {self.notice.days}d, retirement {self.retirement_after.days}d",
            )


@dataclass(frozen=True, slots=True)
class APIVersion:
    """One version of an API and its lifecycle record (seed 5.1.3's matrix entry)."""

    version: str
    """Canonical name, ``v2`` (see :func:`normalize_api_version`)."""
    state: APIVersionState = APIVersionState.DEVELOPMENT
    introduced: date | None = None
    deprecated_on: date | None = None
    """Deprecation date (the ``Deprecation`` header)."""
    retires_on: date | None = None
    """Retirement date (the ``Sunset`` header); the actual date once retired."""
    planned_release: date | None = None
    breaking_changes: tuple[str, ...] = ()
    migration_guide: str | None = None
    """URL of the migration guide (``Link: <...>; rel="deprecation"``)."""
    sunset_link: str | None = None
    """URL of a page about the sunset (``Link: <...>; rel="sunset"``)."""
    replacement: str | None = None
    """The version clients should move to."""
    compatible_clients: tuple[str, ...] = ()
    backward_compatible_with: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """Inconsistencies in the record (dates out of order, missing dates for its state)."""
        out: list[str] = []
        if self.state in (APIVersionState.DEPRECATED, APIVersionState.RETIRED):
            if self.deprecated_on is None:
                out.append(f"{self.state} version needs a deprecation_date")
            if self.retires_on is None:
                out.append(f"{self.state} version needs a retirement_date")
        if self.deprecated_on and self.retires_on and self.retires_on < self.deprecated_on:
            out.append("retirement_date is earlier than deprecation_date")
        if self.introduced and self.deprecated_on and self.deprecated_on < self.introduced:
            out.append("deprecation_date is earlier than introduced_date")
        return out

    def state_on(self, today: date) -> APIVersionState:
        """The state on ``today``: a deprecated version past its sunset counts as retired."""
        if (
            self.state is APIVersionState.DEPRECATED
            and self.retires_on is not None
            and today >= self.retires_on
        ):
            return APIVersionState.RETIRED
        return self.state


class LifecycleRepository(Protocol):
    """Where a catalog lives: a file today, the registry later."""

    def load(self) -> Catalog:
        """The stored catalog (empty when nothing is stored yet)."""
        ...

    def save(self, catalog: Catalog) -> None:
        """Replace the stored catalog, all or nothing."""
        ...


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every version of one API, with the policy its dates follow."""

    versions: Mapping[str, APIVersion] = field(default_factory=dict)
    policy: LifecyclePolicy = field(default_factory=LifecyclePolicy)

    @classmethod
    def of(cls, versions: Iterable[APIVersion], policy: LifecyclePolicy | None = None) -> Catalog:
        """Build a catalog, checking every record (all problems reported at once)."""
        by_name: dict[str, APIVersion] = {}
        errors: list[str] = []
        for v in versions:
            if v.version in by_name:
                errors.append(f"{v.version}: declared twice")
            by_name[v.version] = v
            errors.extend(f"{v.version}: {p}" for p in v.problems())
        for v in by_name.values():
            if v.replacement is not None and v.replacement not in by_name:
                errors.append(f"{v.version}: replacement {v.replacement} is not declared")
        if errors:
            raise InvalidInput("; ".join(errors), location=Location(field="api versions"))
        ordered = dict(sorted(by_name.items(), key=lambda kv: _sort_key(kv[0])))
        return cls(ordered, policy or LifecyclePolicy())

    def __iter__(self) -> Iterator[APIVersion]:
        return iter(self.versions.values())

    def __len__(self) -> int:
        return len(self.versions)

    def get(self, version: str) -> APIVersion:
        """The record for ``version`` (any spelling normalize_api_version accepts)."""
        name = normalize_api_version(version)
        try:
            return self.versions[name]
        except KeyError:
            known = ", ".join(self.versions) or "none"
            raise NotFound(f"API version {name} is not registered (known: {known})") from None

    def find(self, version: str) -> APIVersion | None:
        """The record for ``version`` or None."""
        return self.versions.get(normalize_api_version(version))

    def served(self, today: date, *, include_development: bool = False) -> list[APIVersion]:
        """Versions that answer requests on ``today`` (active and deprecated, newest first)."""
        ok = {APIVersionState.ACTIVE, APIVersionState.DEPRECATED}
        if include_development:
            ok.add(APIVersionState.DEVELOPMENT)
        return [v for v in reversed(list(self)) if v.state_on(today) in ok]

    def latest_active(self, today: date) -> APIVersion | None:
        """The newest active version: the default when a request names none."""
        return next((v for v in self.served(today) if v.state is APIVersionState.ACTIVE), None)

    def put(self, record: APIVersion) -> Catalog:
        """A catalog with ``record`` added or replaced (checked)."""
        merged = dict(self.versions)
        merged[record.version] = record
        return Catalog.of(merged.values(), self.policy)

    # -- transitions ------------------------------------------------------------------------
    def register(
        self,
        version: str,
        today: date,
        *,
        breaking_changes: Iterable[str] = (),
        planned_release: date | None = None,
        migration_guide: str | None = None,
    ) -> Catalog:
        """Add a new version in ``development``; refused if the name exists."""
        name = normalize_api_version(version)
        if name in self.versions:
            raise Conflict(
                f"API version {name} is already registered ({self.versions[name].state})",
                hint="use activate/deprecate/retire to change its state",
            )
        record = APIVersion(
            name,
            introduced=today,
            planned_release=planned_release,
            breaking_changes=tuple(breaking_changes),
            migration_guide=migration_guide,
        )
        return self.put(record)

    def _move(self, version: str, to: APIVersionState, hint: str) -> APIVersion:
        record = self.get(version)
        if to not in TRANSITIONS[record.state]:
            raise Conflict(
                f"cannot move API version {record.version} from {record.state} to {to}", hint=hint
            )
        return record

    def activate(self, version: str, today: date) -> Catalog:
        """development -> active; the introduced date becomes ``today``."""
        hint = "only a version in development can be activated; retired versions stay retired"
        record = self._move(version, APIVersionState.ACTIVE, hint)
        return self.put(replace(record, state=APIVersionState.ACTIVE, introduced=today))

    def deprecate(
        self,
        version: str,
        today: date,
        *,
        on: date | None = None,
        sunset: date | None = None,
        migration_guide: str | None = None,
        replacement: str | None = None,
    ) -> Catalog:
        """active -> deprecated, with deprecation date ``on`` (default today) and a sunset date."""
        record = self._move(
            version, APIVersionState.DEPRECATED, "only an active version can be deprecated"
        )
        deprecated_on = on or today
        if deprecated_on < today:
            raise InvalidInput(
                f"deprecation date {deprecated_on} is in the past", hint="use today or later"
            )
        retires_on = sunset or deprecated_on + self.policy.retirement_after
        earliest = max(deprecated_on, today + self.policy.notice)
        if retires_on < earliest:
            raise Conflict(
                f"sunset {retires_on} gives clients less than {self.policy.notice.days} days",
                hint=f"choose {earliest} or later",
            )
        repl = normalize_api_version(replacement) if replacement else record.replacement
        if repl is None:
            newer = [v.version for v in self if _sort_key(v.version) > _sort_key(record.version)]
            repl = newer[-1] if newer else None
        updated = replace(
            record,
            state=APIVersionState.DEPRECATED,
            deprecated_on=deprecated_on,
            retires_on=retires_on,
            migration_guide=migration_guide or record.migration_guide,
            replacement=repl,
        )
        return self.put(updated)

    def retire(self, version: str, today: date, *, force: bool = False) -> Catalog:
        """deprecated -> retired; refused before the notice period has run out unless ``force``."""
        hint = "deprecate it first: clients are owed notice"
        record = self._move(version, APIVersionState.RETIRED, hint)
        assert record.deprecated_on is not None  # noqa: S101 - guaranteed by Catalog.of
        allowed = record.deprecated_on + self.policy.notice
        if today < allowed and not force:
            raise Conflict(
                f"API version {record.version} was deprecated on {record.deprecated_on}; "
                f"clients are owed {self.policy.notice.days} days' notice",
                hint=f"retire on or after {allowed}, or force it",
            )
        # A version already past its planned sunset keeps that date: it stopped being served then.
        planned = record.retires_on
        retired_on = planned if planned is not None and planned <= today else today
        return self.put(replace(record, state=APIVersionState.RETIRED, retires_on=retired_on))
