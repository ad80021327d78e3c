"""The release calendar (seed 8.2.1), pure: schedule and "now" in, freeze windows and verdicts out.

``release_schedule.yml`` gives per release type a cadence (``frequency``), a planning lead time
and a feature freeze (``"2 weeks before release"``), and the list of upcoming releases. Each
upcoming release opens a freeze window ``[planned_date - freeze, planned_date]`` (whole days, UTC).
A window freezes feature work (minor and major changes); a patch release's window freezes patches
too. Hotfixes pass any window, with their approvals. When windows or rules disagree, deny wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from polaris.core.errors import ConfigError, Location
from polaris.core.semver import Version
from polaris.project.yaml_doc import YamlDoc, parse_yaml

__all__ = [
    "RELEASE_TYPES",
    "CadenceRule",
    "FreezeVerdict",
    "FreezeWindow",
    "Schedule",
    "Upcoming",
    "check_freeze",
    "parse_duration",
    "parse_schedule",
]

RELEASE_TYPES: Final = ("major", "minor", "patch", "hotfix")
_FREQUENCIES: Final = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "quarterly": 91,
    "yearly": 365,
    "as needed": None,
    "emergency only": None,
}
_UNITS: Final = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
_DURATION_RE: Final = re.compile(r"^\s*(\d+)\s+([a-z]+)(?:\s+before release)?\s*$")


def parse_duration(text: str) -> int | None:
    """``"2 weeks before release"`` -> 14 days; ``"immediate"`` -> 0; None if not a duration."""
    t = text.strip().lower()
    if t == "immediate":
        return 0
    m = _DURATION_RE.match(t)
    if m is None or m.group(2) not in _UNITS:
        return None
    return int(m.group(1)) * _UNITS[m.group(2)]


@dataclass(frozen=True, slots=True)
class CadenceRule:
    """The rules of one release type."""

    type: str
    frequency: str
    cadence_days: int | None
    lead_days: int
    freeze_days: int
    approval_required: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "type": self.type,
            "frequency": self.frequency,
            "cadence_days": self.cadence_days,
            "planning_lead_days": self.lead_days,
            "freeze_days": self.freeze_days,
            "approval_required": self.approval_required,
        }


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One planned release."""

    version: str
    type: str
    planned_date: date
    features: tuple[str, ...] = ()
    breaking_changes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "version": self.version,
            "type": self.type,
            "planned_date": self.planned_date.isoformat(),
            "features": list(self.features),
            "breaking_changes": list(self.breaking_changes),
        }


@dataclass(frozen=True, slots=True)
class FreezeWindow:
    """The days before a release when its frozen types are refused."""

    release: str
    type: str
    start: date
    end: date
    """The release day; the window covers it (``end`` inclusive)."""
    frozen: tuple[str, ...]

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` (any timezone) falls in the window, in UTC days."""
        day = at.astimezone(UTC).date()
        return self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "release": self.release,
            "type": self.type,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "frozen": list(self.frozen),
        }


@dataclass(frozen=True, slots=True)
class FreezeVerdict:
    """Whether a change of a type may go ahead now."""

    allowed: bool
    type: str
    at: datetime
    windows: tuple[FreezeWindow, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "allowed": self.allowed,
            "type": self.type,
            "at": self.at.isoformat(),
            "windows": [w.to_dict() for w in self.windows],
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    """The whole calendar."""

    rules: dict[str, CadenceRule]
    upcoming: tuple[Upcoming, ...]
    windows: tuple[FreezeWindow, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "source": self.source,
            "rules": {k: v.to_dict() for k, v in self.rules.items()},
            "upcoming": [u.to_dict() for u in self.upcoming],
            "freeze_windows": [w.to_dict() for w in self.windows],
        }


def _frozen_types(release_type: str) -> tuple[str, ...]:
    return ("major", "minor", "patch") if release_type == "patch" else ("major", "minor")


def _text(doc: YamlDoc, path: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise doc.error(path, "expected a non-empty string")
    return value


def _rule(doc: YamlDoc, kind: str, raw: Any) -> CadenceRule:
    path = f"release_schedule.{kind}_releases"
    if not isinstance(raw, dict):
        raise doc.error(path, "expected a mapping (frequency, planning_lead_time, feature_freeze)")
    freq = _text(doc, f"{path}.frequency", raw.get("frequency")).strip().lower()
    if freq not in _FREQUENCIES:
        raise doc.error(
            f"{path}.frequency",
            f"unknown frequency {freq!r}",
            hint="one of " + ", ".join(_FREQUENCIES),
        )
    lead = parse_duration(_text(doc, f"{path}.planning_lead_time", raw.get("planning_lead_time")))
    if lead is None:
        raise doc.error(
            f"{path}.planning_lead_time", "expected 'N days|weeks|months' or 'immediate'"
        )
    freeze = 0
    if "feature_freeze" in raw:
        parsed = parse_duration(_text(doc, f"{path}.feature_freeze", raw["feature_freeze"]))
        if parsed is None:
            raise doc.error(f"{path}.feature_freeze", "expected 'N days|weeks before release'")
        freeze = parsed
    cadence = _FREQUENCIES[freq]
    if cadence is not None and freeze >= cadence:
        raise doc.error(
            f"{path}.feature_freeze",
            f"a {freeze}-day freeze is not shorter than the {freq} cadence ({cadence} days)",
            hint="a freeze must end before the next one would start",
        )
    approval = str(raw.get("approval_required", "no")).strip().lower() in ("yes", "true")
    return CadenceRule(kind, freq, cadence, lead, freeze, approval)


def _upcoming(doc: YamlDoc, i: int, raw: Any, rules: dict[str, CadenceRule]) -> Upcoming:
    path = f"upcoming_releases.{i}"
    if not isinstance(raw, dict):
        raise doc.error(path, "expected a mapping (version, type, planned_date)")
    version = _text(doc, f"{path}.version", str(raw.get("version", "")))
    if not Version.is_valid(version):
        raise doc.error(f"{path}.version", f"{version!r} is not a SemVer version")
    kind = _text(doc, f"{path}.type", raw.get("type"))
    if kind not in rules:
        raise doc.error(
            f"{path}.type", f"unknown release type {kind!r}", hint="one of " + ", ".join(rules)
        )
    when = raw.get("planned_date")
    if isinstance(when, datetime):
        when = when.date()
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, date):
        raise doc.error(f"{path}.planned_date", "expected a date YYYY-MM-DD")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("features", "breaking_changes"):
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise doc.error(f"{path}.{key}", "expected a list of strings")
        lists[key] = tuple(value)
    return Upcoming(version, kind, when, lists["features"], lists["breaking_changes"])


def parse_schedule(text: str, file: str = "release_schedule.yml") -> Schedule:
    """Parse the document's ``release_schedule.yml``; one-line errors name file, line and field."""
    doc = parse_yaml(text, file)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("release_schedule"), dict):
        raise ConfigError(
            "expected a top-level 'release_schedule' mapping",
            location=Location(file=file, line=1),
            hint="see seed section 8.2.1",
        )
    rules: dict[str, CadenceRule] = {}
    for key, raw in data["release_schedule"].items():
        kind = key.removesuffix("_releases")
        if kind not in RELEASE_TYPES or kind == key:
            raise doc.error(
                f"release_schedule.{key}",
                f"unknown release type {key!r}",
                hint="major_releases, minor_releases, patch_releases or hotfix_releases",
            )
        rules[kind] = _rule(doc, kind, raw)
    raw_up = data.get("upcoming_releases") or []
    if not isinstance(raw_up, list):
        raise doc.error("upcoming_releases", "expected a list of releases")
    upcoming = tuple(_upcoming(doc, i, r, rules) for i, r in enumerate(raw_up))
    windows: list[tuple[int, FreezeWindow]] = []
    for i, up in enumerate(upcoming):
        rule = rules[up.type]
        if up.type == "hotfix" or rule.freeze_days == 0:
            continue
        w = FreezeWindow(
            up.version,
            up.type,
            up.planned_date - timedelta(days=rule.freeze_days),
            up.planned_date,
            _frozen_types(up.type),
        )
        for j, other in windows:
            if w.start <= other.end and other.start <= w.end:
                raise doc.error(
                    f"upcoming_releases.{i}.planned_date",
                    f"the freeze of {up.version} ({w.start}..{w.end}) overlaps the freeze of "
                    f"{other.release} ({other.start}..{other.end}, upcoming_releases.{j})",
                    hint="move one of the releases",
                )
        windows.append((i, w))
    ordered = tuple(sorted((w for _, w in windows), key=lambda w: w.start))
    return Schedule(rules, upcoming, ordered, file)


def check_freeze(schedule: Schedule, change_type: str, at: datetime) -> FreezeVerdict:
    """May a change of ``change_type`` go ahead at ``at``? Any window denying it wins."""
    if change_type not in RELEASE_TYPES:
        raise ConfigError(
            f"unknown change type {change_type!r}",
            location=Location(field="type"),
            hint="one of " + ", ".join(RELEASE_TYPES),
        )
    active = tuple(w for w in schedule.windows if w.contains(at))
    if change_type == "hotfix":
        note = "hotfixes pass freezes with their approvals"
        return FreezeVerdict(
            True, change_type, at, active, note if active else "no freeze is active"
        )
    denying = tuple(w for w in active if change_type in w.frozen)
    if denying:
        w = denying[0]
        return FreezeVerdict(
            False,
            change_type,
            at,
            denying,
            f"{change_type} changes are frozen for release {w.release} from {w.start} until "
            f"{w.end} (release day)",
        )
    return FreezeVerdict(True, change_type, at, active, "no freeze applies to " + change_type)
