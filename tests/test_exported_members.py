"""The public face of ``polaris`` is exactly what ``__all__`` names (httpx's rule)."""

from __future__ import annotations

import polaris


def test_all_lists_every_public_name() -> None:
    public = sorted(
        n
        for n in vars(polaris)
        if not n.startswith("_")
        and n
        not in {
            "core",
            "cli",
            "config",
            "adapters",
            "services",
            "store",
            "api",
            "web",
            "integrations",
            "templates",
        }
    )
    assert sorted(polaris.__all__) == sorted([*public, "__version__"])


def test_dir_is_all() -> None:
    assert dir(polaris) == polaris.__all__
