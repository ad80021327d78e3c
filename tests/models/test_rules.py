"""Pure rules of the model registry: stages, gates, names, content ids, history queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from polaris.core.actors import AuthenticationRequired, PermissionDenied, Role, require_role
from polaris.core.errors import InvalidInput
from polaris.core.semver import Version
from polaris.models.gates import evaluate_gates, parse_threshold, retention_expired
from polaris.models.rules import (
    ArtifactFile,
    ModelVersion,
    PromotionGateFailed,
    Stage,
    StageChange,
    StageChangeRequest,
    StageRuleViolation,
    check_artifact_name,
    check_model_files,
    check_model_name,
    check_mutable,
    compute_model_id,
    lineage_chain,
    model_card,
    plan_stage_change,
    production_at,
    version_to_dict,
)

T0 = datetime(2025, 9, 1, tzinfo=UTC)
SHA = "a" * 64


def mv(version: str = "1.0.0", stage: Stage = Stage.DEVELOPMENT, **kw: object) -> ModelVersion:
    base = ModelVersion(
        model_name="rag-search",
        version=Version.parse(version),
        stage=stage,
        created_at=T0,
        created_by="ana",
        model_path="polaris://models/rag-search/1.0.0",
        metrics={"accuracy": 0.93, "p95_latency_ms": 180.0},
        hyperparameters={"lr": 0.001},
        training_data_hash="sha256:data",
        dependencies=("torch==2.4.1",),
        description="d",
        tags=("rag",),
        parent_version=None,
        model_id="x",
        files=(ArtifactFile("model.pkl", SHA, 3),),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def plan(cur: ModelVersion, target: Stage, *, had_prod: bool = False, **kw: object) -> StageChange:
    req = StageChangeRequest(target=target, actor="ana", **kw)  # type: ignore[arg-type]
    known = frozenset({Version.parse("1.0.0"), Version.parse("0.9.0"), cur.version})
    return plan_stage_change(cur, req, now=T0, has_had_production=had_prod, known_versions=known)


class TestThresholds:
    @pytest.mark.parametrize(
        ("text", "metric", "op", "value"),
        [
            ("accuracy>=0.92", "accuracy", ">=", 0.92),
            ("p95_latency_ms <= 200", "p95_latency_ms", "<=", 200.0),
            ("f1>0.5", "f1", ">", 0.5),
            ("loss<1e-3", "loss", "<", 0.001),
            ("drift==0", "drift", "==", 0.0),
        ],
    )
    def test_parse(self, text: str, metric: str, op: str, value: float) -> None:
        t = parse_threshold(text)
        assert (t.metric, t.op, t.value) == (metric, op, value)

    @pytest.mark.parametrize("text", ["accuracy", "accuracy=>0.9", ">=0.9", "acc>=high", "a>=nan"])
    def test_parse_rejects(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="threshold"):
            parse_threshold(text)

    def test_failed_gate_says_which_metric_and_by_how_much(self) -> None:
        results = evaluate_gates(
            [parse_threshold("accuracy>=0.95"), parse_threshold("p95_latency_ms<=200")],
            {"accuracy": 0.93, "p95_latency_ms": 180.0},
        )
        assert [r.passed for r in results] == [False, True]
        assert results[0].shortfall == pytest.approx(0.02)
        assert results[0].explain() == "accuracy is 0.93, needs >= 0.95 (short by 0.02)"

    @pytest.mark.parametrize(
        ("op", "at", "below", "above"),
        [
            # A metric exactly at its threshold, and a hair either side, for every operator
            # (issue 18, planted bug 3: ``>=`` turned into ``>``).
            (">=", True, False, True),
            (">", False, False, True),
            ("<=", True, True, False),
            ("<", False, True, False),
            ("==", True, False, False),
        ],
    )
    def test_metric_at_below_and_above_the_threshold(
        self, op: str, at: bool, below: bool, above: bool
    ) -> None:
        t = parse_threshold(f"accuracy{op}0.92")
        for actual, expected in ((0.92, at), (0.91, below), (0.93, above)):
            (r,) = evaluate_gates([t], {"accuracy": actual})
            assert r.passed is expected, (op, actual)
            if expected:
                assert r.shortfall == 0.0
                assert r.explain().endswith("(passed)")
            else:
                assert r.shortfall is not None
                assert "short by" in r.explain()

    @pytest.mark.parametrize(
        ("op", "actual", "shortfall"),
        [
            (">=", 0.90, 0.02),
            (">", 0.92, 0.0),
            ("<=", 0.95, 0.03),
            ("<", 0.92, 0.0),
            ("==", 0.95, 0.03),
            ("==", 0.89, 0.03),
        ],
    )
    def test_shortfall_of_a_failed_threshold(
        self, op: str, actual: float, shortfall: float
    ) -> None:
        (r,) = evaluate_gates([parse_threshold(f"accuracy{op}0.92")], {"accuracy": actual})
        assert not r.passed
        assert r.shortfall == pytest.approx(shortfall)

    def test_threshold_text_and_json_form(self) -> None:
        t = parse_threshold("p95_latency_ms<=200")
        assert str(t) == "p95_latency_ms<=200"
        (r,) = evaluate_gates([t], {"p95_latency_ms": 250.0})
        assert r.to_dict() == {
            "threshold": "p95_latency_ms<=200",
            "metric": "p95_latency_ms",
            "op": "<=",
            "value": 200.0,
            "actual": 250.0,
            "passed": False,
            "shortfall": 50.0,
        }
        assert r.explain() == "p95_latency_ms is 250, needs <= 200 (short by 50)"
        (missing,) = evaluate_gates([t], {})
        assert missing.to_dict()["actual"] is None
        assert missing.shortfall is None
        assert missing.explain() == "p95_latency_ms is not recorded, needs <= 200"

    def test_parse_errors_name_the_field_and_say_what_is_expected(self) -> None:
        with pytest.raises(InvalidInput) as exc:
            parse_threshold("accuracy", field="promotion.criteria")
        assert exc.value.location is not None
        assert exc.value.location.field == "promotion.criteria"
        assert exc.value.hint == (
            "write METRIC OP NUMBER with OP one of >=, <=, >, <, == (accuracy>=0.92)"
        )
        for text, why in (("acc>=high", "'high' is not a number"), ("a>=inf", "not finite")):
            with pytest.raises(InvalidInput, match=why) as exc:
                parse_threshold(text, field="gate")
            assert exc.value.location is not None
            assert exc.value.location.field == "gate"
        with pytest.raises(InvalidInput) as exc:
            parse_threshold("nope")
        assert exc.value.location is not None
        assert exc.value.location.field == "criteria"

    def test_a_missing_metric_does_not_stop_the_others(self) -> None:
        results = evaluate_gates(
            [parse_threshold("recall>=0.5"), parse_threshold("accuracy>=0.9")], {"accuracy": 0.95}
        )
        assert [(r.passed, r.actual) for r in results] == [(False, None), (True, 0.95)]
        assert results[0].passed is False

    def test_missing_metric_fails(self) -> None:
        (r,) = evaluate_gates([parse_threshold("recall>=0.5")], {})
        assert not r.passed
        assert "recall is not recorded" in r.explain()


class TestStageRules:
    def test_development_to_staging_needs_validation(self) -> None:
        with pytest.raises(StageRuleViolation, match="validation results"):
            plan(mv(), Stage.STAGING)
        ch = plan(mv(), Stage.STAGING, validation={"integration-tests": "passed"})
        assert (ch.from_stage, ch.to_stage) == (Stage.DEVELOPMENT, Stage.STAGING)

    def test_gate_results_are_recorded(self) -> None:
        ch = plan(mv(), Stage.STAGING, criteria=(parse_threshold("accuracy>=0.92"),))
        assert ch.gate_results[0].passed
        assert ch.gate_results[0].actual == 0.93

    def test_failed_gate_refuses_with_numbers(self) -> None:
        with pytest.raises(PromotionGateFailed) as exc:
            plan(mv(), Stage.STAGING, criteria=(parse_threshold("accuracy>=0.95"),))
        assert "accuracy is 0.93, needs >= 0.95 (short by 0.02)" in str(exc.value)
        assert exc.value.http_status == 409

    @pytest.mark.parametrize(
        ("src", "dst"),
        [
            (Stage.DEVELOPMENT, Stage.PRODUCTION),
            (Stage.PRODUCTION, Stage.STAGING),
            (Stage.STAGING, Stage.DEVELOPMENT),
            (Stage.ARCHIVED, Stage.DEVELOPMENT),
        ],
    )
    def test_forbidden_moves(self, src: Stage, dst: Stage) -> None:
        with pytest.raises(StageRuleViolation, match=f"cannot move from {src} to {dst}"):
            plan(mv(stage=src), dst, validation={"ok": True}, approved_by="boss")

    def test_same_stage_is_refused(self) -> None:
        with pytest.raises(StageRuleViolation, match="already in staging"):
            plan(mv(stage=Stage.STAGING), Stage.STAGING)

    def test_production_needs_approval(self) -> None:
        with pytest.raises(StageRuleViolation, match="approval record"):
            plan(mv(stage=Stage.STAGING), Stage.PRODUCTION)

    def test_production_needs_rollback_plan_once_there_was_one(self) -> None:
        first = plan(mv(stage=Stage.STAGING), Stage.PRODUCTION, approved_by="boss")
        assert first.approved_by == "boss"
        with pytest.raises(StageRuleViolation, match="rollback plan"):
            plan(mv(stage=Stage.STAGING), Stage.PRODUCTION, had_prod=True, approved_by="boss")
        ok = plan(
            mv("1.1.0", stage=Stage.STAGING),
            Stage.PRODUCTION,
            had_prod=True,
            approved_by="boss",
            rollback_to=Version.parse("1.0.0"),
        )
        assert ok.rollback_to == Version.parse("1.0.0")

    @pytest.mark.parametrize(("target", "why"), [("1.0.0", "itself"), ("7.0.0", "not a version")])
    def test_rollback_target_must_be_another_known_version(self, target: str, why: str) -> None:
        with pytest.raises(StageRuleViolation, match=why):
            plan(
                mv(stage=Stage.STAGING),
                Stage.PRODUCTION,
                approved_by="boss",
                rollback_to=Version.parse(target),
            )

    def test_archived_can_return_to_production_as_rollback(self) -> None:
        ch = plan(
            mv("0.9.0", stage=Stage.ARCHIVED),
            Stage.PRODUCTION,
            had_prod=True,
            approved_by="boss",
            rollback_to=Version.parse("1.0.0"),
        )
        assert ch.to_stage == Stage.PRODUCTION

    def test_only_development_is_mutable(self) -> None:
        check_mutable(mv(), "edit")
        for stage in (Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED):
            with pytest.raises(StageRuleViolation, match="only development versions"):
                check_mutable(mv(stage=stage), "delete")


class TestNames:
    @pytest.mark.parametrize("name", ["rag-search", "ner", "a", "model.v2_x"])
    def test_valid_model_names(self, name: str) -> None:
        assert check_model_name(name) == name

    @pytest.mark.parametrize("name", ["", "Rag", "-x", "x-", "a/b", "a b", "x" * 101])
    def test_invalid_model_names(self, name: str) -> None:
        with pytest.raises(InvalidInput, match="invalid model name"):
            check_model_name(name)

    @pytest.mark.parametrize(
        ("name", "why"),
        [
            ("../etc/passwd", "'..'"),
            ("a/../b", "'..'"),
            ("/abs", "absolute"),
            ("C:/x", "absolute"),
            ("a\\b", "backslash"),
            ("a\x00b", "NUL"),
            ("a//b", "empty"),
            ("", "1-255"),
        ],
    )
    def test_unsafe_artifact_names(self, name: str, why: str) -> None:
        with pytest.raises(InvalidInput, match=why):
            check_artifact_name(name)

    def test_model_files_rules(self) -> None:
        check_model_files([ArtifactFile("weights/model.bin", SHA, 1)])
        with pytest.raises(InvalidInput, match="generated"):
            check_model_files([ArtifactFile("metadata.json", SHA, 1)])
        with pytest.raises(InvalidInput, match="sha256"):
            check_model_files([ArtifactFile("m.pkl", "XYZ", 1)])


class TestIdentity:
    def test_model_id_depends_on_content_only(self) -> None:
        args = {
            "model_name": "ner",
            "version": Version.parse("1.1.0"),
            "files": [ArtifactFile("m.pkl", SHA, 1)],
            "training_data_hash": "h",
            "hyperparameters": {"lr": 1},
            "dependencies": ["torch"],
        }
        a = compute_model_id(**args)  # type: ignore[arg-type]
        assert a == compute_model_id(**args)  # type: ignore[arg-type]
        assert len(a) == 16
        changed = {**args, "files": [ArtifactFile("m.pkl", "b" * 64, 1)]}
        assert compute_model_id(**changed) != a  # type: ignore[arg-type]

    def test_json_form_has_every_seed_field(self) -> None:
        d = version_to_dict(mv())
        for key in (
            "model_name",
            "version",
            "stage",
            "created_at",
            "created_by",
            "model_path",
            "metrics",
            "hyperparameters",
            "training_data_hash",
            "dependencies",
            "description",
            "tags",
            "parent_version",
            "model_id",
        ):
            assert key in d
        assert d["version"] == "1.0.0"

    def test_model_card_lists_metrics_and_files(self) -> None:
        card = model_card(mv())
        assert card.startswith("# rag-search 1.0.0")
        assert "- accuracy: 0.93" in card
        assert SHA in card


class TestHistory:
    def ch(self, v: str, src: Stage | None, dst: Stage, day: int) -> StageChange:
        return StageChange("m", Version.parse(v), src, dst, T0 + timedelta(days=day), "ana")

    def test_production_at_a_date(self) -> None:
        hist = [
            self.ch("1.0.0", Stage.STAGING, Stage.PRODUCTION, 1),
            self.ch("1.0.0", Stage.PRODUCTION, Stage.ARCHIVED, 5),
            self.ch("1.1.0", Stage.STAGING, Stage.PRODUCTION, 5),
            self.ch("1.1.0", Stage.PRODUCTION, Stage.ARCHIVED, 9),
        ]
        at = [production_at(hist, T0 + timedelta(days=d, hours=1)) for d in (0, 1, 4, 5, 8, 9)]
        assert [None if v is None else str(v) for v in at] == [
            None,
            "1.0.0",
            "1.0.0",
            "1.1.0",
            "1.1.0",
            None,
        ]

    def test_lineage_follows_parents_and_stops_on_cycles(self) -> None:
        a = mv("1.0.0")
        b = mv("1.1.0", parent_version=Version.parse("1.0.0"))
        c = mv("1.2.0", parent_version=Version.parse("1.1.0"))
        lookup = {v.version: v for v in (a, b, c)}
        assert [str(v.version) for v in lineage_chain(c, lookup)] == ["1.2.0", "1.1.0", "1.0.0"]
        loop = replace(a, parent_version=Version.parse("1.2.0"))
        lookup[loop.version] = loop
        assert len(lineage_chain(c, lookup)) == 3


class TestPolicy:
    def test_roles_are_ordered(self) -> None:
        assert Role.VIEWER < Role.DEVELOPER < Role.APPROVER < Role.ADMIN
        assert Role.parse(" Approver ") is Role.APPROVER
        with pytest.raises(InvalidInput, match="unknown role"):
            Role.parse("root")

    def test_require_role(self) -> None:
        require_role(Role.ADMIN, Role.APPROVER, "x")
        with pytest.raises(
            PermissionDenied, match="needs the approver role; this token has developer"
        ):
            require_role(Role.DEVELOPER, Role.APPROVER, "promoting")
        assert PermissionDenied.http_status == 403
        assert AuthenticationRequired.http_status == 401

    def test_retention_boundaries(self) -> None:
        # Exactly at the retention period is still kept; expiry is strictly after it.
        assert not retention_expired("development", T0, T0 + timedelta(days=30))
        assert retention_expired("development", T0, T0 + timedelta(days=30, seconds=1))
        assert not retention_expired("archived", T0, T0 + timedelta(days=730))
        assert retention_expired("archived", T0, T0 + timedelta(days=730, seconds=1))

    def test_retention(self) -> None:
        assert retention_expired("development", T0, T0 + timedelta(days=31))
        assert not retention_expired("development", T0, T0 + timedelta(days=29))
        assert not retention_expired("archived", T0, T0 + timedelta(days=700))
        assert retention_expired("archived", T0, T0 + timedelta(days=731))
        assert not retention_expired("production", T0, T0 + timedelta(days=5000))
