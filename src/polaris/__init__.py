"""Polaris: a version-management control plane for multi-component AI platforms.

The library's public face; everything else is reached through its sub-packages.
"""

from polaris.__about__ import __version__
from polaris.core.errors import PolarisError
from polaris.core.ranges import Range
from polaris.core.semver import Version

__all__ = ["PolarisError", "Range", "Version", "__version__"]


def __dir__() -> list[str]:
    return __all__
