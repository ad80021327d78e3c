"""Deferred imports, so ``polaris --help`` and light commands do not load every service's stack.

The service modules pull in sqlglot, httpx, the OpenAPI validator and Jinja2; importing all of
them made every command pay about 0.2 s before doing anything. A command group binds its service
module with :func:`lazy_import`, and the module runs on first attribute access (the standard
library's ``importlib.util.LazyLoader`` recipe).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy_import"]


def lazy_import(name: str) -> ModuleType:
    """``name`` as a module object that runs its code only when first used."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - a packaging error
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
