"""Names, manifests and retention: pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from polaris.core.errors import InvalidInput
from polaris.recovery.rules import (
    MANIFEST_FORMAT,
    ManifestCorrupted,
    Part,
    RecoveryPoint,
    check_name,
    decode_manifest,
    encode_manifest,
    plan_retention,
    point_name,
    unreferenced_blobs,
)

NOW = datetime(2026, 12, 6, 5, 1, 2, 345678, tzinfo=UTC)
SHA = "a" * 64


def point(name: str, env: str, days_ago: float, *blobs: str) -> RecoveryPoint:
    return RecoveryPoint(
        name=name,
        environment=env,
        created_at=NOW - timedelta(days=days_ago),
        created_by="t",
        release=None,
        reason="",
        manifest_sha256=f"m-{name}",
        parts=tuple(Part(f"s{i}", "sqlite", b, 1) for i, b in enumerate(blobs)),
    )


class TestNames:
    def test_the_name_is_the_utc_second(self) -> None:
        assert point_name(NOW) == "recovery-20261206-050102"

    def test_a_taken_second_moves_to_the_next_free_one(self) -> None:
        taken = {"recovery-20261206-050102", "recovery-20261206-050103"}
        assert point_name(NOW, taken) == "recovery-20261206-050104"

    @pytest.mark.parametrize("bad", ["recovery-2026-12-06", "x", "recovery-20261206-05010", ""])
    def test_other_names_are_refused_in_one_line(self, bad: str) -> None:
        with pytest.raises(InvalidInput, match="not a recovery point name"):
            check_name(bad)
        assert check_name("recovery-20261206-050102") == "recovery-20261206-050102"


class TestManifest:
    def test_encoding_is_stable_and_round_trips(self) -> None:
        m = {"format": MANIFEST_FORMAT, "parts": {"db": {"sha256": SHA}}, "b": 1, "a": [1]}
        data = encode_manifest(m)
        assert data == encode_manifest(dict(reversed(list(m.items()))))
        assert decode_manifest(data, "p") == m

    @pytest.mark.parametrize(
        "data",
        [
            b"not json",
            b'{"format": "other/1", "parts": {}}',
            b'{"format": "polaris.recovery-point/1"}',
            b'{"format": "polaris.recovery-point/1", "parts": {"db": {"sha256": "xyz"}}}',
        ],
    )
    def test_anything_else_is_a_corrupted_manifest(self, data: bytes) -> None:
        with pytest.raises(ManifestCorrupted):
            decode_manifest(data, "recovery-20261206-050102")


class TestRetention:
    def test_keeps_the_newest_n_per_environment(self) -> None:
        points = [point(f"p{i}", "production", i) for i in range(5)] + [
            point("s0", "staging", 3),
            point("s1", "staging", 4),
        ]
        drop = plan_retention(points, keep=2, max_age_days=None, now=NOW)
        assert sorted(p.name for p, _ in drop) == ["p2", "p3", "p4"]
        assert all("beyond the newest 2 of production" in why for _, why in drop)

    def test_drops_old_points_but_always_keeps_the_newest(self) -> None:
        points = [point("old", "production", 40), point("older", "production", 50)]
        drop = plan_retention(points, keep=10, max_age_days=30, now=NOW)
        assert [(p.name, why) for p, why in drop] == [("older", "older than 30 days")]

    def test_no_age_limit(self) -> None:
        points = [point("a", "e", 400), point("b", "e", 500)]
        assert plan_retention(points, keep=10, max_age_days=None, now=NOW) == []

    def test_blobs_shared_with_a_kept_point_stay(self) -> None:
        kept = point("new", "e", 0, "shared", "k")
        dropped = point("old", "e", 9, "shared", "only-old")
        assert unreferenced_blobs([dropped], [kept]) == ["m-old", "only-old"]
