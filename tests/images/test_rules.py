"""Tag computation, tag classes and the retention plan: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from polaris.core.errors import InvalidInput
from polaris.core.semver import Version
from polaris.images.rules import (
    BuildInfo,
    TagKind,
    TagRecord,
    classify_tag,
    compute_tags,
    plan_retention,
    sanitize_tag,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SHA = "abc123f4567890abcdef1234567890abcdef1234"


def info(version: str, *, release: bool, branch: str | None = "main") -> BuildInfo:
    return BuildInfo(
        "ghcr.io/company/aiops-polaris/api", Version.parse(version), SHA, branch, NOW, release
    )


def test_stable_release_gets_version_latest_branch_and_commit() -> None:
    ts = compute_tags(info("2.1.0", release=True))
    assert ts.tags == ["v2.1.0", "2.1.0", "latest", "main", "abc123f"]
    assert ts.refs[0] == "ghcr.io/company/aiops-polaris/api:v2.1.0"
    assert ts.labels == {
        "org.opencontainers.image.created": "2026-12-06T12:00:00Z",
        "org.opencontainers.image.revision": SHA,
        "org.opencontainers.image.version": "2.1.0",
        "version": "2.1.0",
    }
    assert ts.build_args == {"VERSION": "2.1.0", "CREATED": "2026-12-06T12:00:00Z", "REVISION": SHA}


def test_prerelease_never_gets_latest_and_a_branch_build_no_version_tag() -> None:
    assert compute_tags(info("2.2.0-rc.1+b.7", release=True)).tags == [
        "v2.2.0-rc.1_b.7",
        "2.2.0-rc.1_b.7",
        "main",
        "abc123f",
    ]
    assert compute_tags(info("2.2.0", release=False, branch="feature/Login UI")).tags == [
        "feature-login-ui",
        "abc123f",
    ]


@pytest.mark.parametrize(
    ("branch", "tag"),
    [
        ("develop", "develop"),
        ("feature/JIRA-12_x", "feature-jira-12_x"),
        ("-.weird//name-", "weird-name"),
    ],
)
def test_sanitize_branch(branch: str, tag: str) -> None:
    assert sanitize_tag(branch) == tag


def test_sanitize_refuses_nothing_left() -> None:
    with pytest.raises(InvalidInput):
        sanitize_tag("///")


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("latest", TagKind.PRODUCTION),
        ("v2.1.0", TagKind.PRODUCTION),
        ("2.1.0", TagKind.PRODUCTION),
        ("2.2.0-rc.1", TagKind.DEVELOPMENT),
        ("develop", TagKind.DEVELOPMENT),
        ("abc123f", TagKind.DEVELOPMENT),
        ("feature-login", TagKind.FEATURE),
    ],
)
def test_classify(tag: str, kind: TagKind) -> None:
    assert classify_tag(tag) is kind


def test_retention_by_digest_with_protection() -> None:
    old = NOW - timedelta(days=40)
    recent = NOW - timedelta(days=10)
    records = [
        TagRecord("v2.0.0", "sha256:prod", old),  # production: forever
        TagRecord("feature-a", "sha256:feat-old", recent),  # feature, 10 days > 7: delete
        TagRecord("feature-b", "sha256:shared", recent),  # feature + commit on one digest:
        TagRecord("1234abc", "sha256:shared", recent),  # the commit's 30 days keep it
        TagRecord("develop", "sha256:dev-old", old),  # development, 40 days > 30: delete
        TagRecord("feature-c", "sha256:pinned", old),  # expired but pinned: kept
        TagRecord("feature-d", "sha256:nodate", None),  # unknown age: kept
    ]
    plan = plan_retention(records, now=NOW, protected={"sha256:pinned": "pinned in k8s/api.yaml:3"})
    assert [(d.digest, d.reason) for d in plan.delete] == [
        ("sha256:dev-old", "development image 40 days old, past 30 days"),
        ("sha256:feat-old", "feature image 10 days old, past 7 days"),
    ]
    kept = {d.digest: d.reason for d in plan.keep}
    assert kept == {
        "sha256:prod": "production tag v2.0.0 is kept forever",
        "sha256:shared": "development tag 1234abc is 10 days old (keep 30)",
        "sha256:pinned": "protected: pinned in k8s/api.yaml:3",
        "sha256:nodate": "no creation time in the image config",
    }
