"""OSV range evaluation, ratings and alias merging, each against a hand-derived expectation."""

from __future__ import annotations

import pytest
from tests.dependencies._advisories import (
    FASTAPI,
    IP,
    JINJA2,
    LODASH,
    REQUESTS_GHSA,
    REQUESTS_PYSEC,
    WITHDRAWN,
    record,
)

from polaris.core.errors import InvalidInput
from polaris.dependencies.osv_rules import at_least, is_affected, merge_findings, parse_record
from polaris.dependencies.rules import Dependency, Ecosystem


@pytest.mark.parametrize(
    ("doc", "version", "expected"),
    [
        # requests: introduced 2.3.0, fixed 2.31.0
        (REQUESTS_PYSEC, "2.2.1", False),
        (REQUESTS_PYSEC, "2.3.0", True),
        (REQUESTS_PYSEC, "2.30.0", True),
        (REQUESTS_PYSEC, "2.31.0", False),
        (REQUESTS_PYSEC, "2.31.0rc1", True),  # PEP 440: a release candidate sorts before 2.31.0
        (REQUESTS_PYSEC, "2.31", False),  # PEP 440: 2.31 == 2.31.0
        (REQUESTS_PYSEC, "2.31.0.post1", False),
        # lodash: fixed 4.17.21; numeric, not string, ordering: 4.17.3 < 4.17.21
        (LODASH, "4.17.4", True),
        (LODASH, "4.17.21", False),
        (LODASH, "4.17.21-beta.1", True),  # SemVer: a prerelease precedes its release
        (LODASH, "4.18.0", False),
        # ip: last_affected 2.0.1 is itself affected, anything above is not
        (IP, "2.0.1", True),
        (IP, "2.0.2", False),
        (IP, "1.1.9", True),
    ],
)
def test_range_events_in_ecosystem_order(doc: dict, version: str, expected: bool) -> None:
    (entry,) = parse_record(doc).affected
    assert is_affected(entry, version) is expected


def test_several_introduced_fixed_pairs() -> None:
    doc = record(
        "PYSEC-0000-1",
        [],
        "PyPI",
        "django",
        [{"introduced": "3.2"}, {"fixed": "3.2.25"}, {"introduced": "4.2"}, {"fixed": "4.2.11"}],
    )
    (entry,) = parse_record(doc).affected
    got = {
        v: is_affected(entry, v) for v in ("3.1.9", "3.2.24", "3.2.25", "4.0", "4.2.10", "4.2.11")
    }
    assert got == {
        "3.1.9": False,
        "3.2.24": True,
        "3.2.25": False,
        "4.0": False,
        "4.2.10": True,
        "4.2.11": False,
    }


def test_cvss_vectors_give_scores_and_ratings() -> None:
    assert (parse_record(REQUESTS_PYSEC).score, parse_record(REQUESTS_PYSEC).severity) == (
        6.1,
        "medium",
    )
    assert (parse_record(FASTAPI).score, parse_record(FASTAPI).severity) == (7.5, "high")
    assert (parse_record(JINJA2).score, parse_record(JINJA2).severity) == (5.4, "medium")
    assert (parse_record(LODASH).score, parse_record(LODASH).severity) == (7.2, "high")
    assert (parse_record(IP).score, parse_record(IP).severity) == (8.1, "high")
    assert parse_record(WITHDRAWN).severity == "high"  # from the GHSA word when no vector


def test_threshold_comparison() -> None:
    assert at_least("medium", "medium") and at_least("critical", "medium")
    assert not at_least("low", "medium")
    assert at_least("unknown", "critical")


def test_aliases_merge_and_withdrawn_is_dropped() -> None:
    dep = Dependency("requests", Ecosystem.PYPI, "2.30.0", source="requirements.txt", line=2)
    advisories = [parse_record(d) for d in (REQUESTS_GHSA, REQUESTS_PYSEC, WITHDRAWN)]
    (finding,) = merge_findings({dep: advisories})
    assert finding.id == "PYSEC-2023-74"
    assert finding.aliases == ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]
    assert (finding.severity, finding.fixed_in, finding.source) == (
        "medium",
        ["2.31.0"],
        "requirements.txt:2",
    )


def test_a_malformed_record_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no string id"):
        parse_record({"affected": []}, source="bad.json")
    with pytest.raises(InvalidInput, match="malformed affected entry in X-1"):
        parse_record({"id": "X-1", "affected": [{"ranges": []}]})
