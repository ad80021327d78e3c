"""The error hierarchy: every subclass is drawn in core/errors.py; attributes are per class."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import polaris
from polaris.core import errors
from polaris.core.errors import PolarisError


def _all_subclasses() -> set[type[PolarisError]]:
    for mod in pkgutil.walk_packages(polaris.__path__, "polaris."):
        if mod.name.endswith("__main__") or ".store.migrations" in mod.name:
            continue
        importlib.import_module(mod.name)
    out: set[type[PolarisError]] = set()
    todo = [PolarisError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("polaris.") and sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def test_the_tree_names_every_error_class() -> None:
    tree = errors.__doc__ or ""
    missing = sorted(c.__name__ for c in _all_subclasses() if f" {c.__name__} " not in tree)
    assert not missing, f"add these to the tree in core/errors.py: {missing}"


def test_slug_status_and_exit_code_are_class_attributes() -> None:
    for cls in _all_subclasses():
        assert cls.exit_code in (1, 2, 3), cls
        assert 400 <= cls.http_status < 600, cls
        init = vars(cls).get("__init__")
        if init is not None:  # never set per instance
            src = inspect.getsource(init)
            for attr in ("self.slug", "self.http_status", "self.exit_code"):
                assert attr not in src, (cls, attr)
