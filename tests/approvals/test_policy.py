"""The approval matrix: the document's defaults, the example file, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from polaris.approvals.policy import DEFAULT_MATRIX, Level, parse_matrix
from polaris.core.errors import ConfigError

EXAMPLE = Path(__file__).parents[2] / "examples" / "aiops-polaris"


def test_the_default_matrix_is_the_documents() -> None:
    minor = DEFAULT_MATRIX.policy(Level.MINOR)
    assert minor.required_approvals == 2
    assert minor.approvers == ("tech_lead", "product_manager", "senior_developer")
    assert minor.additional_reviews == ("security_team", "qa_team")
    major = DEFAULT_MATRIX.policy(Level.MAJOR)
    assert (major.required_approvals, major.stakeholder_notification) == (3, True)
    hotfix = DEFAULT_MATRIX.policy(Level.HOTFIX)
    assert hotfix.emergency_override == "cto"
    assert hotfix.notification_required == ("all_teams",)
    patch = DEFAULT_MATRIX.policy(Level.PATCH)
    assert set(patch.auto_approval_conditions) == {
        "security_patch",
        "bug_fix",
        "documentation_update",
    }


def test_the_example_platform_carries_the_documents_matrix() -> None:
    path = EXAMPLE / "approval-matrix.yml"
    parsed = parse_matrix(path.read_text(), str(path))
    assert parsed.levels == DEFAULT_MATRIX.levels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version_approval_matrix:\n  patch_versions:\n    required_approvals: 3\n"
            '    approvers: ["tech_lead"]\n',
            "m.yml:3: version_approval_matrix.patch_versions.required_approvals: needs 3 "
            "approvals but only 1 approver roles are listed",
        ),
        (
            "version_approval_matrix:\n  tiny_versions: {}\n",
            "m.yml:2: version_approval_matrix.tiny_versions: unknown level 'tiny_versions'",
        ),
        (
            "version_approval_matrix:\n  patch_versions:\n    required_approvals: 1\n"
            '    approvers: ["tech_lead"]\n    auto_approval_conditions: ["friday"]\n',
            "m.yml:5: version_approval_matrix.patch_versions.auto_approval_conditions.0: "
            "unknown auto-approval condition 'friday'",
        ),
        (
            "version_approval_matrix:\n  patch_versions:\n    required_approvals: one\n",
            "m.yml:3: version_approval_matrix.patch_versions.required_approvals: expected a "
            "whole number",
        ),
        ("version_approval_matrix: [\n", "m.yml:2: not valid YAML"),
        ("other: 1\n", "m.yml:1: expected a top-level 'version_approval_matrix' mapping"),
    ],
)
def test_a_bad_matrix_is_one_line_naming_file_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_matrix(text, "m.yml")
    line = err.value.one_line()
    assert "\n" not in line
    assert line.startswith(expected), line


def test_a_missing_level_is_named() -> None:
    text = "version_approval_matrix:\n  patch_versions:\n    required_approvals: 0\n"
    with pytest.raises(ConfigError, match="missing minor_versions"):
        parse_matrix(text, "m.yml")


def test_the_matrix_can_live_in_polaris_toml_with_extra_roles(tmp_path: Path) -> None:
    from polaris.approvals.matrix_file import MatrixSource

    (tmp_path / "polaris.toml").write_text(
        '[platform]\nname = "p"\n\n[governance]\nroles = ["ml_lead"]\n'
        + "".join(
            f'[governance.{lvl}_versions]\nrequired_approvals = 1\napprovers = ["ml_lead"]\n'
            for lvl in ("patch", "minor", "major", "hotfix")
        )
    )
    source = MatrixSource(tmp_path)
    assert source.matrix().policy(Level.MAJOR).approvers == ("ml_lead",)
    assert {"ml_lead", "tech_lead", "cto"} <= source.roles()
    # approval-matrix.yml, when present, wins; edits are picked up without a restart.
    (tmp_path / "approval-matrix.yml").write_text((EXAMPLE / "approval-matrix.yml").read_text())
    assert source.matrix().policy(Level.MAJOR).required_approvals == 3
    assert MatrixSource(None).matrix() is DEFAULT_MATRIX
