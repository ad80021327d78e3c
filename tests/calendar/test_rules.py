"""The release calendar: the document's schedule, freeze windows, verdicts, bad input, iCalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from polaris.calendar.ics import render_ics
from polaris.calendar.rules import check_freeze, parse_duration, parse_schedule
from polaris.core.errors import ConfigError

EXAMPLE = Path(__file__).parents[2] / "examples" / "aiops-polaris" / "release_schedule.yml"


def schedule():  # type: ignore[no-untyped-def]
    return parse_schedule(EXAMPLE.read_text(), "release_schedule.yml")


def test_durations() -> None:
    assert parse_duration("2 weeks before release") == 14
    assert parse_duration("1 week") == 7
    assert parse_duration("2 days before release") == 2
    assert parse_duration("immediate") == 0
    assert parse_duration("soon") is None


def test_the_documents_schedule_gives_its_freeze_windows() -> None:
    s = schedule()
    assert s.rules["major"].freeze_days == 14
    assert s.rules["minor"].lead_days == 21
    assert s.rules["hotfix"].approval_required
    assert [(w.release, w.start, w.end) for w in s.windows] == [
        ("2.2.0", date(2025, 9, 24), date(2025, 10, 1)),
        ("3.0.0", date(2025, 11, 17), date(2025, 12, 1)),
    ]
    assert s.upcoming[1].breaking_changes == (
        "REST API v1 retirement",
        "Database schema restructuring",
    )


def test_a_freeze_refuses_features_with_its_end_and_lets_fixes_and_hotfixes_pass() -> None:
    s = schedule()
    during = datetime(2025, 9, 26, 12, tzinfo=UTC)
    v = check_freeze(s, "minor", during)
    assert not v.allowed
    assert v.reason == (
        "minor changes are frozen for release 2.2.0 from 2025-09-24 until 2025-10-01 (release day)"
    )
    assert check_freeze(s, "major", during).allowed is False
    assert check_freeze(s, "patch", during).allowed
    hotfix = check_freeze(s, "hotfix", during)
    assert hotfix.allowed
    assert "with their approvals" in hotfix.reason
    assert check_freeze(s, "minor", datetime(2025, 10, 2, tzinfo=UTC)).allowed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'release_schedule:\n  minor_releases:\n    frequency: "monthly"\n'
            '    planning_lead_time: "3 weeks"\n    feature_freeze: "5 weeks before release"\n',
            "s.yml:5: release_schedule.minor_releases.feature_freeze: a 35-day freeze is not "
            "shorter than the monthly cadence (30 days)",
        ),
        (
            'release_schedule:\n  minor_releases:\n    frequency: "monthly"\n'
            '    planning_lead_time: "3 weeks"\n    feature_freeze: "1 week before release"\n'
            'upcoming_releases:\n  - version: "2.2.0"\n    type: minor\n'
            '    planned_date: "2025-10-01"\n  - version: "2.3.0"\n    type: minor\n'
            '    planned_date: "2025-10-05"\n',
            "s.yml:12: upcoming_releases.1.planned_date: the freeze of 2.3.0 "
            "(2025-09-28..2025-10-05) overlaps the freeze of 2.2.0",
        ),
        (
            'release_schedule:\n  minor_releases:\n    frequency: "fortnightly"\n',
            "s.yml:3: release_schedule.minor_releases.frequency: unknown frequency 'fortnightly'",
        ),
        (
            'release_schedule:\n  minor_releases:\n    frequency: "monthly"\n'
            '    planning_lead_time: "3 weeks"\nupcoming_releases:\n  - version: "2.x"\n'
            "    type: minor\n    planned_date: 2025-10-01\n",
            "s.yml:6: upcoming_releases.0.version: '2.x' is not a SemVer version",
        ),
        (
            'release_schedule:\n  minor_releases:\n    frequency: "monthly"\n'
            '    planning_lead_time: "3 weeks"\nupcoming_releases:\n  - version: "2.2.0"\n'
            "    type: minor\n    planned_date: someday\n",
            "s.yml:8: upcoming_releases.0.planned_date: expected a date YYYY-MM-DD",
        ),
    ],
)
def test_a_bad_schedule_is_one_line_naming_file_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_schedule(text, "s.yml")
    assert err.value.one_line().startswith(expected), err.value.one_line()


def test_the_ics_feed_parses_and_holds_releases_and_freezes() -> None:
    raw = render_ics(schedule(), datetime(2025, 9, 1, tzinfo=UTC))
    cal = Calendar.from_ical(raw)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        "release-2.2.0@polaris",
        "release-3.0.0@polaris",
        "freeze-2.2.0@polaris",
        "freeze-3.0.0@polaris",
    }
    rel = events["release-3.0.0@polaris"]
    assert rel.decoded("dtstart") == date(2025, 12, 1)
    assert "BREAKING: REST API v1 retirement" in str(rel["description"])
    freeze = events["freeze-2.2.0@polaris"]
    assert freeze.decoded("dtstart") == date(2025, 9, 24)
    assert freeze.decoded("dtend") == date(2025, 10, 2)
