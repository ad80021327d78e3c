"""JSON bodies of ``/api/v1/users`` (pydantic, at the edge only)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["RolesIn", "UserIn"]


class UserIn(BaseModel):
    """A new user."""

    name: str
    roles: list[str] = Field(default_factory=list)
    email: str = ""
    display_name: str = ""


class RolesIn(BaseModel):
    """A user's new roles."""

    roles: list[str]
