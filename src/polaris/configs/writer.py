"""Write configuration files: rendered output (private), and flag edits that keep the file's
comments and key order (ruamel.yaml round trip). Each write is temp file + rename: a reader sees
the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from polaris.configs.lint import FLAGS_KEY
from polaris.configs.loaders import check_inside, format_of, load_config
from polaris.configs.rules import type_name
from polaris.core.errors import InvalidInput, Location

__all__ = ["render_text", "replace_file", "set_flag", "write_private"]


def render_text(data: Any, fmt: str) -> str:
    """``data`` as ``json`` (indented) or ``yaml`` text."""
    if fmt == "json":
        return json.dumps(data, indent=2, default=str) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
    raise InvalidInput(
        f"unknown output format {fmt!r}", location=Location(field="format"), hint="json or yaml"
    )


def replace_file(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".polaris-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_private(path: Path, text: str) -> None:
    """Write a rendered configuration (it holds secrets): owner read/write only."""
    replace_file(path, text, mode=0o600)


def _scalar(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    if isinstance(value, dict | list) or value is None:
        raise InvalidInput(
            f"{text!r} is not a flag value",
            location=Location(field="value"),
            hint="a boolean, a number or a string",
        )
    return value


def set_flag(
    path: Path, root: Path, name: str, text: str, *, dry_run: bool = False
) -> tuple[Any, Any]:
    """Set ``feature_flags.<name>`` in a YAML file; ``(old, new)``. A flag keeps its type."""
    from ruamel.yaml import YAML

    if format_of(path) != "yaml":
        raise InvalidInput("flags are edited in YAML files only", location=Location(file=str(path)))
    load_config(path, root)  # bounds, root, duplicate keys, syntax
    real = check_inside(path, root)
    value = _scalar(text)
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    doc = rt.load(real.read_text(encoding="utf-8"))
    flags = doc.get(FLAGS_KEY)
    if flags is None:
        from ruamel.yaml.comments import CommentedMap

        flags = doc[FLAGS_KEY] = CommentedMap()
    old = flags.get(name)
    if old is not None and type_name(old) != type_name(value):
        raise InvalidInput(
            f"feature_flags.{name} is of type {type_name(old)}; {text!r} is {type_name(value)}",
            location=Location(file=str(path), field=f"{FLAGS_KEY}.{name}"),
            hint="a flag keeps its type in every environment",
        )
    flags[name] = value
    if not dry_run:
        buf = io.StringIO()
        rt.dump(doc, buf)
        replace_file(real, buf.getvalue())
    return (None if old is None else json.loads(json.dumps(old))), value
