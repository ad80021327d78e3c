"""``__version__ = "..."`` at module level of a Python file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]
SPEC = FileSpec("src/api/__init__.py", "python")

MODULE = '''\
"""AIOps API service.

Set ``__version__ = "0.0.0"`` only through polaris.
"""

from __future__ import annotations

__all__ = ["__version__", "create_app"]

__version__ = "2.1.0"  # polaris manages this line


def create_app() -> object:
    __version__ = "9.9.9"  # a local, not the module's
    return __version__


if False:
    __version__ = "8.8.8"
'''


def test_replaces_only_the_module_level_literal(edit: Edit) -> None:
    result = edit(SPEC, MODULE, "2.2.0-beta.1+exp.sha.5114f85")
    [found] = result.found
    assert (found.text, found.line, found.column, found.where) == ("2.1.0", 10, 16, "__version__")
    assert result.data.decode() == MODULE.replace('"2.1.0"', '"2.2.0-beta.1+exp.sha.5114f85"')


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("__version__ = '2.1.0'", "__version__ = '3.0.0'"),
        ('__version__: str = "2.1.0"', '__version__: str = "3.0.0"'),
        ('__version__: Final[str] = "2.1.0"', '__version__: Final[str] = "3.0.0"'),
        ('__version__ = VERSION = "2.1.0"', '__version__ = VERSION = "3.0.0"'),
        ("__version__ = r'2.1.0'", "__version__ = r'3.0.0'"),
    ],
)
def test_quoting_and_annotations_are_kept(edit: Edit, line: str, expected: str) -> None:
    original = f"# -*- coding: utf-8 -*-\r\n# é\r\n{line}\r\nX = 1"
    result = edit(SPEC, original, "3.0.0")
    assert result.data.decode() == original.replace(line, expected)


def test_another_variable_by_key(edit: Edit) -> None:
    spec = FileSpec("src/polaris/__about__.py", "python", key="VERSION")
    result = edit(spec, '__version__ = "1.0.0"\nVERSION = "2.1.0"\n', "2.1.1")
    assert result.data == b'__version__ = "1.0.0"\nVERSION = "2.1.1"\n'


def test_non_ascii_before_the_literal_on_the_same_line(edit: Edit) -> None:
    original = 'ñame = "é"; __version__ = "2.1.0"\n'
    result = edit(SPEC, original, "2.1.1")
    assert result.data.decode() == 'ñame = "é"; __version__ = "2.1.1"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('VERSION = "1.0.0"\n', r"^src/api/__init__\.py: __version__: no module-level assignment"),
        (
            '__version__ = "1.0.0"\nx = 1\n__version__ = "1.0.1"\n',
            r"^src/api/__init__\.py:1: __version__: __version__ is assigned 2 times at module "
            r"level, on lines 1 and 3; expected exactly 1",
        ),
        (
            "__version__ = get_version()\n",
            r":1: __version__: __version__ is assigned `get_version\(\)`, expected a string",
        ),
        ('__version__ = "2." "1.0"\n', r":1: __version__: __version__ is written as"),
        ("def f(:\n", r"^src/api/__init__\.py:1: __version__: not valid Python"),
    ],
)
def test_bad_files_are_errors(text: str, message: str) -> None:
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).find(text)
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).replace(text, "1.0.0")


def test_a_non_semver_literal_is_found_as_text() -> None:
    [found] = format_for(SPEC).find('__version__ = "latest"\n')
    assert found.text == "latest"
