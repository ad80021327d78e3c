"""The hook through which a production promotion (or a platform release) asks for its approval.

The registry depends on this shape only; the composition root plugs in the approvals service
when ``POLARIS_GOVERNANCE_GATE`` is on. Without a gate, production needs an approver-role token,
as before.
"""

from __future__ import annotations

from typing import Any, Protocol

from polaris.core.actors import Actor

__all__ = ["PromotionGate"]


class PromotionGate(Protocol):
    """Passes when the subject has an approved request; otherwise opens one and refuses."""

    def require(
        self,
        *,
        kind: str,
        name: str,
        version: str,
        previous: str | None,
        actor: Actor,
        dry_run: bool = False,
    ) -> Any:
        """Return the approved request, or raise :class:`~polaris.core.errors.CheckFailed`."""
        ...
