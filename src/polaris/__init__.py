"""Polaris: a version-management control plane for multi-component AI platforms.

The library's public face; everything else is reached through its sub-packages. ``Range`` is
imported on first use: its parser is not needed by most commands, which start faster without it.
"""

import typing as _typing

from polaris.__about__ import __version__
from polaris.core.errors import PolarisError
from polaris.core.semver import Version

if _typing.TYPE_CHECKING:
    from polaris.core.ranges import Range

__all__ = ["PolarisError", "Range", "Version", "__version__"]


def __getattr__(name: str) -> _typing.Any:
    if name == "Range":
        from polaris.core.ranges import Range

        return Range
    raise AttributeError(f"module 'polaris' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
