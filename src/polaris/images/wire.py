"""JSON shapes of the image API."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["PromoteIn", "TagsIn"]


class TagsIn(BaseModel):
    """A build to compute tags for."""

    image: str = Field(min_length=1, max_length=255)
    version: str = Field(min_length=5, max_length=128)
    branch: str | None = Field(default=None, max_length=255)
    commit: str | None = Field(default=None, max_length=64)
    release: bool = False


class PromoteIn(BaseModel):
    """A promotion: ``source`` (host/repo:tag) to a new tag."""

    source: str = Field(min_length=1, max_length=512)
    tag: str = Field(min_length=1, max_length=128)
    environment: str | None = None
    approved_by: str | None = Field(default=None, max_length=128)
