"""Whether a project declares configuration files: a cheap probe of its ``polaris.toml``.

Kept apart from the loaders (PyYAML, the schema tooling) so that ``polaris version next`` pays
for them only in a project with a ``[configs]`` table.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

__all__ = ["has_configs"]


def has_configs(config_path: str | Path) -> bool:
    """Whether the project file declares a ``[configs]`` table (``[tool.polaris.configs]`` in
    ``pyproject.toml``): only then does the release flow look at configuration files."""
    path = Path(config_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    table: object = data
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("polaris", {}) if isinstance(tool, dict) else {}
    return isinstance(table, dict) and isinstance(table.get("configs"), dict)
