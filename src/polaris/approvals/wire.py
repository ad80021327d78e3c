"""JSON bodies of the governance API (pydantic, at the edge only)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["DecisionIn", "ImpactIn", "OverrideIn", "RequestIn", "StageIn", "TickIn"]


class ImpactIn(BaseModel):
    """What was measured about the change."""

    commit_bump: str | None = None
    api_breaking: bool = False
    schema_breaking: bool = False
    change_kinds: list[str] = Field(default_factory=list)


class RequestIn(BaseModel):
    """Open an approval request."""

    kind: str
    name: str
    version: str
    level: str
    impact: ImpactIn = Field(default_factory=ImpactIn)


class DecisionIn(BaseModel):
    """A reviewer's comment on their decision."""

    comment: str = ""


class OverrideIn(BaseModel):
    """The reason of an emergency override."""

    reason: str


class TickIn(BaseModel):
    """Evidence for a ticked checklist item."""

    evidence: str | None = None


class StageIn(BaseModel):
    """A pipeline stage report from CI."""

    stage: str
    status: str
    url: str | None = None
    facts: list[str] = Field(default_factory=list)
    override_reason: str | None = None
