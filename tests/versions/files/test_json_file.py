"""A JSON string by dotted key (package.json ``version``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]
SPEC = FileSpec("web/package.json", "json")

PACKAGE = """\
{
  "name": "aiops-web-ui",
  "private": true,
  "description": "the \\"version\\": \\"0.0.0\\" in text is not a key",
  "dependencies": {
    "react": "^18.2.0",
    "version": "1.0.0"
  },
  "version": "1.4.2",
  "scripts": {"build": "vite build", "test": "vitest"},
  "engines": [ {"node": ">=20"} ]
}
"""


def test_top_level_version_byte_for_byte(edit: Edit) -> None:
    result = edit(SPEC, PACKAGE, "1.5.0-beta.2")
    [found] = result.found
    assert (found.text, found.line, found.column, found.where) == ("1.4.2", 9, 15, "version")
    assert result.data.decode() == PACKAGE.replace('"1.4.2"', '"1.5.0-beta.2"')


def test_crlf_tabs_and_no_trailing_newline(edit: Edit) -> None:
    original = '\ufeff{\r\n\t"name": "x",\r\n\t"version" :\t"1.4.2"\r\n}'
    result = edit(SPEC, original, "2.0.0")
    assert result.data.decode() == original.replace("1.4.2", "2.0.0")


def test_nested_key_and_array_index(edit: Edit) -> None:
    result = edit(
        FileSpec("web/package.json", "json", key="dependencies.version"), PACKAGE, "1.0.1"
    )
    assert result.data.decode() == PACKAGE.replace('"version": "1.0.0"', '"version": "1.0.1"')
    spec = FileSpec("web/package.json", "json", key="engines.0.node")
    assert [f.text for f in format_for(spec).find(PACKAGE)] == [">=20"]


def test_escaped_string_is_rewritten_whole(edit: Edit) -> None:
    result = edit(SPEC, '{"version": "1.4.\\u0032"}', "1.5.0")
    assert [f.text for f in result.found] == ["1.4.2"]
    assert result.data == b'{"version": "1.5.0"}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "version": "1.0.0",\n}\n', r"^web/package\.json:3: not valid JSON"),
        ('{"name": "x"}', r"^web/package\.json: version: key version is missing"),
        ('{"version": 1}', r"^web/package\.json:1: version: version is 1, expected a string"),
        ('{"version": "1.0.0", "version": "1.0.1"}', r"key 'version' appears 2 times"),
        ('["1.0.0"]', r"key version is missing"),
    ],
)
def test_bad_files_are_errors(text: str, message: str) -> None:
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).find(text)
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).replace(text, "1.0.0")
