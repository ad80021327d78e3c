"""Request bodies of ``/api/v1/recovery`` (pydantic), one per write."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CreateIn", "PruneIn", "RestoreIn", "VerifyIn"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateIn(_In):
    """Take a recovery point of an environment."""

    environment: str = Field(min_length=1, max_length=100)
    release: str | None = Field(default=None, description="Platform release (default: newest).")
    reason: str = Field(default="", max_length=2000)


class VerifyIn(_In):
    """Verify a point; scratch copies go next to ``environment``'s stores (default: its own)."""

    environment: str | None = Field(default=None, max_length=100)


class RestoreIn(_In):
    """Restore a point into an environment's stores."""

    environment: str = Field(min_length=1, max_length=100)
    stores: list[str] = Field(default_factory=list, description="Only these stores (default all).")
    replace: bool = Field(default=False, description="Overwrite non-empty targets.")


class PruneIn(_In):
    """Retention overrides (default: ``[recovery] keep`` and ``max_age_days``)."""

    keep: int | None = Field(default=None, ge=1)
    max_age_days: float | None = Field(default=None, ge=0)
