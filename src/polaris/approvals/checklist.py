"""Release checklists (seed 8.1.2) and the release pipeline's stages (seed 8.1.1), pure.

The default template is the document's three phases. A platform edits it in
``release_checklist.md`` (the document's Markdown: ``## Phase`` headings, ``- [ ] item`` lines;
``(optional)`` at the end of an item makes it not required). Pre-release items are required by
default. Items Polaris can prove tick themselves from *facts* (a release record exists, a rollback
target exists, notes rendered, a stage reported as passed...), named in :data:`AUTO_FACTS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from polaris.core.errors import ConfigError, Conflict, InvalidInput, Location

__all__ = [
    "AUTO_FACTS",
    "DEFAULT_TEMPLATE",
    "PHASES",
    "STAGES",
    "ChecklistItem",
    "TemplateItem",
    "check_stage",
    "item_key",
    "open_required",
    "parse_template",
]

PHASES: Final = ("pre_release", "release_day", "post_release")
_PHASE_TITLES: Final = {
    "pre-release": "pre_release",
    "release day": "release_day",
    "post-release": "post_release",
}
#: The pipeline of seed 8.1.1, in order.
STAGES: Final = ("prepared", "built", "images", "staging", "production", "published")
STAGE_STATUSES: Final = ("started", "passed", "failed")

#: Item key -> the fact that ticks it.
AUTO_FACTS: Final = {
    "version_number_decided_and_documented": "release_record",
    "migration_scripts_tested": "schema_validated",
    "rollback_plan_prepared": "rollback_target",
    "release_notes_published": "notes_rendered",
    "security_scan_completed_with_no_critical_issues": "security_scan",
    "staging_deployment_successful": "stage:staging",
    "all_tests_passing_unit_integration_e2e": "stage:built",
    "build_artifacts_generated": "stage:images",
    "production_deployment_executed": "stage:production",
    "health_checks_verified": "health_checks",
}


def item_key(title: str) -> str:
    """``"Rollback plan prepared"`` -> ``rollback_plan_prepared``."""
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:100]


@dataclass(frozen=True, slots=True)
class TemplateItem:
    """One line of the template."""

    phase: str
    key: str
    title: str
    required: bool


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One item of one release's checklist."""

    release: str
    phase: str
    position: int
    key: str
    title: str
    required: bool
    ticked_by: str | None = None
    ticked_at: datetime | None = None
    evidence: str | None = None

    @property
    def done(self) -> bool:
        """Whether it is ticked."""
        return self.ticked_at is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "phase": self.phase,
            "key": self.key,
            "title": self.title,
            "required": self.required,
            "done": self.done,
            "ticked_by": self.ticked_by,
            "ticked_at": None if self.ticked_at is None else self.ticked_at.isoformat(),
            "evidence": self.evidence,
            "auto_fact": AUTO_FACTS.get(self.key),
        }


def parse_template(text: str, file: str = "release_checklist.md") -> tuple[TemplateItem, ...]:
    """The items of a checklist in the document's Markdown form."""
    items: list[TemplateItem] = []
    phase: str | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("## "):
            title = re.sub(r"\(.*?\)", "", stripped[3:]).strip().lower()
            if title not in _PHASE_TITLES:
                raise ConfigError(
                    f"unknown phase {stripped[3:]!r}",
                    location=Location(file=file, line=n),
                    hint="## Pre-Release, ## Release Day or ## Post-Release",
                )
            phase = _PHASE_TITLES[title]
            continue
        m = re.match(r"^- \[[ xX]\] (.+)$", stripped)
        if m is None:
            continue
        if phase is None:
            raise ConfigError(
                "an item before any phase heading", location=Location(file=file, line=n)
            )
        title = m.group(1).strip()
        optional = title.lower().endswith("(optional)")
        if optional:
            title = title[: -len("(optional)")].strip()
        key = item_key(title)
        if any(i.key == key for i in items):
            raise ConfigError(f"duplicate item {title!r}", location=Location(file=file, line=n))
        items.append(TemplateItem(phase, key, title, phase == "pre_release" and not optional))
    if not items:
        raise ConfigError("no checklist items found", location=Location(file=file))
    return tuple(items)


DEFAULT_TEMPLATE: Final = parse_template(
    """\
## Pre-Release (1 week before)
- [ ] Version number decided and documented
- [ ] Feature freeze implemented
- [ ] All tests passing (unit, integration, e2e)
- [ ] Security scan completed with no critical issues
- [ ] Performance testing completed
- [ ] Documentation updated
- [ ] Migration scripts tested
- [ ] Rollback plan prepared

## Release Day
- [ ] Final code freeze
- [ ] Build artifacts generated
- [ ] Staging deployment successful
- [ ] Staging validation passed
- [ ] Production deployment executed
- [ ] Health checks verified
- [ ] Release notes published
- [ ] Stakeholders notified

## Post-Release (within 24 hours)
- [ ] Monitoring alerts configured
- [ ] Performance metrics baseline established
- [ ] Customer feedback monitoring active
- [ ] Support team notified of changes
- [ ] Post-release retrospective scheduled
""",
    "built-in (seed 8.1.2)",
)


def open_required(items: tuple[ChecklistItem, ...] | list[ChecklistItem]) -> list[ChecklistItem]:
    """Required items not yet ticked."""
    return [i for i in items if i.required and not i.done]


def check_stage(stage: str, status: str, reported: dict[str, str]) -> None:
    """Raise unless ``stage`` may be reported as ``status`` after the ``reported`` stages.

    A stage may start only when every earlier stage has passed.
    """
    if stage not in STAGES:
        raise InvalidInput(
            f"unknown stage {stage!r}", location=Location(field="stage"), hint=", ".join(STAGES)
        )
    if status not in STAGE_STATUSES:
        raise InvalidInput(
            f"unknown status {status!r}",
            location=Location(field="status"),
            hint=", ".join(STAGE_STATUSES),
        )
    for earlier in STAGES[: STAGES.index(stage)]:
        if reported.get(earlier) != "passed":
            raise Conflict(
                f"stage {stage!r} cannot be {status} before {earlier!r} has passed",
                location=Location(field="stage"),
                hint=f"report {earlier} first (seed 8.1.1 order: {' -> '.join(STAGES)})",
            )
