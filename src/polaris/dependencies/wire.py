"""JSON shapes of the dependency API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["AuditIn", "PackageIn"]


class PackageIn(BaseModel):
    """One pinned package."""

    name: str = Field(min_length=1, max_length=214)
    version: str = Field(min_length=1, max_length=128)
    ecosystem: Literal["PyPI", "npm"] = "PyPI"


class AuditIn(BaseModel):
    """Packages to audit, and against what."""

    packages: list[PackageIn] = Field(max_length=10_000)
    offline: bool = True
    fail_on: Literal["none", "low", "medium", "high", "critical"] = "medium"
    ignore: list[str] = Field(default_factory=list, max_length=1000)
