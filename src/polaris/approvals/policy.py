"""The approval matrix (seed 12.1.1): who must approve which level of change.

Read from ``approval-matrix.yml`` in the document's format (``version_approval_matrix`` with
``patch_versions``, ``minor_versions``, ``major_versions``, ``hotfix_versions``), or from the
``[governance]`` table of ``polaris.toml`` in the same shape. Without either, :data:`DEFAULT_MATRIX`
is the document's matrix. Pure: text or values in, an :class:`ApprovalMatrix` or a one-line
:class:`~polaris.core.errors.ConfigError` (file, line, field) out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from polaris.core.errors import ConfigError, Location
from polaris.project.yaml_doc import YamlDoc, parse_yaml

__all__ = [
    "DEFAULT_MATRIX",
    "DOCUMENT_ROLES",
    "ApprovalMatrix",
    "Level",
    "LevelPolicy",
    "matrix_from_values",
    "parse_matrix",
    "policy_from_dict",
]


class Level(StrEnum):
    """A change level of the matrix."""

    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"
    HOTFIX = "hotfix"


#: The roles the document names; a platform may declare more (any ``[a-z_]`` name).
DOCUMENT_ROLES: Final = (
    "tech_lead",
    "senior_developer",
    "product_manager",
    "engineering_manager",
    "security_team",
    "qa_team",
    "architecture_team",
    "cto",
)
#: The auto-approval conditions the document lists, which Polaris recognises from commits.
AUTO_CONDITIONS: Final = frozenset({"security_patch", "bug_fix", "documentation_update"})
_ROLE_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_KEYS: Final = frozenset(
    {
        "required_approvals",
        "approvers",
        "additional_reviews",
        "auto_approval_conditions",
        "stakeholder_notification",
        "emergency_override",
        "notification_required",
    }
)


@dataclass(frozen=True, slots=True)
class LevelPolicy:
    """What one level needs."""

    level: Level
    required_approvals: int
    """How many distinct people holding one of :attr:`approvers` must approve."""
    approvers: tuple[str, ...]
    additional_reviews: tuple[str, ...] = ()
    """Teams each of which needs one member's approval."""
    auto_approval_conditions: tuple[str, ...] = ()
    stakeholder_notification: bool = False
    emergency_override: str | None = None
    """The role whose one approval settles the request alone (``cto_approval`` -> ``cto``)."""
    notification_required: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "level": str(self.level),
            "required_approvals": self.required_approvals,
            "approvers": list(self.approvers),
            "additional_reviews": list(self.additional_reviews),
            "auto_approval_conditions": list(self.auto_approval_conditions),
            "stakeholder_notification": self.stakeholder_notification,
            "emergency_override": self.emergency_override,
            "notification_required": list(self.notification_required),
        }


@dataclass(frozen=True, slots=True)
class ApprovalMatrix:
    """One policy per level."""

    levels: dict[Level, LevelPolicy]
    source: str = "built-in (seed 12.1.1)"

    def policy(self, level: Level) -> LevelPolicy:
        """The policy of ``level`` (every level is present)."""
        return self.levels[level]

    def roles(self) -> frozenset[str]:
        """Every role the matrix names."""
        out: set[str] = set()
        for p in self.levels.values():
            out.update(p.approvers, p.additional_reviews)
            if p.emergency_override:
                out.add(p.emergency_override)
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "source": self.source,
            "levels": {str(k): v.to_dict() for k, v in self.levels.items()},
        }


def policy_from_dict(data: dict[str, Any]) -> LevelPolicy:
    """A policy from its JSON form (the snapshot a request keeps)."""
    return LevelPolicy(
        level=Level(data["level"]),
        required_approvals=int(data["required_approvals"]),
        approvers=tuple(data["approvers"]),
        additional_reviews=tuple(data.get("additional_reviews", ())),
        auto_approval_conditions=tuple(data.get("auto_approval_conditions", ())),
        stakeholder_notification=bool(data.get("stakeholder_notification", False)),
        emergency_override=data.get("emergency_override"),
        notification_required=tuple(data.get("notification_required", ())),
    )


def _override_role(text: str) -> str:
    # The document writes the override as "cto_approval": the role is the part before "_approval".
    return text.removesuffix("_approval")


def _strings(doc: YamlDoc, path: str, value: Any, *, roles: bool) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise doc.error(path, "expected a list of names", hint='e.g. ["tech_lead", "qa_team"]')
    for i, v in enumerate(value):
        if roles and not _ROLE_RE.match(v):
            raise doc.error(
                f"{path}.{i}", f"{v!r} is not a role name", hint="lower-case letters, digits, '_'"
            )
    return tuple(value)


def _level(doc: YamlDoc, root: str, level: Level, raw: Any) -> LevelPolicy:
    path = f"{root}.{level}_versions"
    if not isinstance(raw, dict):
        raise doc.error(path, "expected a mapping of the level's rules")
    for key in raw:
        if key not in _KEYS:
            raise doc.error(
                f"{path}.{key}", f"unknown key {key!r}", hint="one of " + ", ".join(sorted(_KEYS))
            )
    quorum = raw.get("required_approvals")
    if not isinstance(quorum, int) or isinstance(quorum, bool) or quorum < 0:
        raise doc.error(f"{path}.required_approvals", "expected a whole number of approvals >= 0")
    approvers = _strings(doc, f"{path}.approvers", raw.get("approvers"), roles=True)
    if quorum > len(approvers):
        raise doc.error(
            f"{path}.required_approvals",
            f"needs {quorum} approvals but only {len(approvers)} approver roles are listed",
            hint="list more approvers or lower required_approvals",
        )
    conditions = _strings(
        doc, f"{path}.auto_approval_conditions", raw.get("auto_approval_conditions"), roles=False
    )
    for i, c in enumerate(conditions):
        if c not in AUTO_CONDITIONS:
            raise doc.error(
                f"{path}.auto_approval_conditions.{i}",
                f"unknown auto-approval condition {c!r}",
                hint="one of " + ", ".join(sorted(AUTO_CONDITIONS)),
            )
    override = raw.get("emergency_override")
    if override is not None and (
        not isinstance(override, str) or not _ROLE_RE.match(_override_role(override))
    ):
        raise doc.error(f"{path}.emergency_override", "expected a role, e.g. 'cto_approval'")
    notify = raw.get("stakeholder_notification", False)
    if not isinstance(notify, bool):
        raise doc.error(f"{path}.stakeholder_notification", "expected true or false")
    return LevelPolicy(
        level=level,
        required_approvals=quorum,
        approvers=approvers,
        additional_reviews=_strings(
            doc, f"{path}.additional_reviews", raw.get("additional_reviews"), roles=True
        ),
        auto_approval_conditions=conditions,
        stakeholder_notification=notify,
        emergency_override=None if override is None else _override_role(override),
        notification_required=_strings(
            doc, f"{path}.notification_required", raw.get("notification_required"), roles=True
        ),
    )


def _from_doc(doc: YamlDoc, root: str, body: Any) -> ApprovalMatrix:
    if not isinstance(body, dict):
        raise doc.error(root, "expected a mapping with patch_versions ... hotfix_versions")
    wanted = {f"{lvl}_versions": lvl for lvl in Level}
    for key in body:
        if key not in wanted:
            raise doc.error(
                f"{root}.{key}", f"unknown level {key!r}", hint="one of " + ", ".join(wanted)
            )
    levels: dict[Level, LevelPolicy] = {}
    for key, lvl in wanted.items():
        if key not in body:
            raise doc.error(root, f"missing {key}", hint="every level needs its rules")
        levels[lvl] = _level(doc, root, lvl, body[key])
    return ApprovalMatrix(levels=levels, source=doc.file)


def parse_matrix(text: str, file: str = "approval-matrix.yml") -> ApprovalMatrix:
    """Parse the document's ``approval-matrix.yml``."""
    doc = parse_yaml(text, file)
    if not isinstance(doc.data, dict) or "version_approval_matrix" not in doc.data:
        raise ConfigError(
            "expected a top-level 'version_approval_matrix' mapping",
            location=Location(file=file, line=1),
            hint="see seed section 12.1.1",
        )
    return _from_doc(doc, "version_approval_matrix", doc.data["version_approval_matrix"])


def matrix_from_values(
    values: Any, file: str, lines: dict[str, int] | None = None
) -> ApprovalMatrix:
    """The matrix from already-parsed values (``[governance]`` of ``polaris.toml``)."""
    doc = YamlDoc(file=file, data=values, lines=lines or {})
    return _from_doc(doc, "governance", values)


DEFAULT_MATRIX: Final = parse_matrix(
    """\
version_approval_matrix:
  patch_versions:
    required_approvals: 1
    approvers: ["tech_lead", "senior_developer"]
    auto_approval_conditions: ["security_patch", "bug_fix", "documentation_update"]
  minor_versions:
    required_approvals: 2
    approvers: ["tech_lead", "product_manager", "senior_developer"]
    additional_reviews: ["security_team", "qa_team"]
  major_versions:
    required_approvals: 3
    approvers: ["engineering_manager", "product_manager", "tech_lead"]
    additional_reviews: ["security_team", "architecture_team", "qa_team"]
    stakeholder_notification: true
  hotfix_versions:
    required_approvals: 2
    approvers: ["engineering_manager", "tech_lead"]
    emergency_override: "cto_approval"
    notification_required: ["all_teams"]
""",
    "built-in (seed 12.1.1)",
)
