"""The public face of ``polaris`` is exactly what ``__all__`` names (httpx's rule)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import polaris

#: Sub-packages and modules are reached by their dotted names, not re-exported.
_SUBPACKAGES = {m.name for m in pkgutil.iter_modules(polaris.__path__)} | {"templates"}


def test_all_lists_every_public_name() -> None:
    public = {n for n in vars(polaris) if not n.startswith("_") and n not in _SUBPACKAGES} | {
        "Range"
    }  # Range is loaded on first access (module __getattr__)
    assert sorted(polaris.__all__) == sorted([*public, "__version__"])


def test_every_exported_name_resolves() -> None:
    for name in polaris.__all__:
        assert getattr(polaris, name) is not None
    assert polaris.Range.parse("^1.2").contains("1.9.0")


def test_dir_is_all() -> None:
    assert dir(polaris) == polaris.__all__


def test_light_commands_do_not_import_the_heavy_groups() -> None:
    """`polaris version ...` starts without the registry, OpenAPI and range machinery."""
    code = (
        "import sys; from polaris.main import main; main(['version', '--help']);"
        "heavy = [m for m in ('polaris.apis.cli', 'polaris.models.cli', 'polaris.core.ranges',"
        " 'sqlalchemy', 'httpx') if m in sys.modules]; print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out
