"""Fixtures for version-file tests: real files in a temporary repository root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from polaris.core.project import FileSpec
from polaris.versions.files import Found, format_for, read_text, write_all


@dataclass(frozen=True)
class Edited:
    """What a read-then-replace round trip on a real file gave."""

    found: list[Found]
    #: The file's bytes after the write.
    data: bytes
    #: The found versions after the write (read back from the file).
    after: list[Found]


Edit = Callable[[FileSpec, bytes | str, str], Edited]


@pytest.fixture
def edit(tmp_path: Path) -> Edit:
    """Write ``original`` to ``spec.path`` under a temp root, find, replace, write, read back."""

    def run(spec: FileSpec, original: bytes | str, version: str) -> Edited:
        path = tmp_path / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(original.encode() if isinstance(original, str) else original)
        fmt = format_for(spec)
        text = read_text(path)
        found = fmt.find(text)
        write_all({Path(spec.path): fmt.replace(text, version)}, root=tmp_path)
        after = fmt.find(read_text(path))
        return Edited(found, path.read_bytes(), after)

    return run
