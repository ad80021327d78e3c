"""A TOML string by dotted key (pyproject.toml ``[project].version``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]
SPEC = FileSpec("pyproject.toml", "toml")

PYPROJECT = """\
# AIOps Polaris API service
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name    = "aiops-api"             # aligned on purpose
version = '2.1.0'                 # managed by polaris: polaris version bump
description = "REST API (version = \\"0.0.0\\" in docs is not this)"
dependencies = [
  "fastapi>=0.110",   # web
  "pydantic>=2",
]

[tool.poetry]
version = "0.0.0"

[tool.ruff]
line-length = 100
"""


def test_replaces_project_version_byte_for_byte(edit: Edit) -> None:
    result = edit(SPEC, PYPROJECT, "2.2.0-rc.1")
    [found] = result.found
    assert (found.text, found.line, found.column, found.where) == (
        "2.1.0",
        8,
        12,
        "[project].version",
    )
    assert result.data.decode() == PYPROJECT.replace("'2.1.0'", "'2.2.0-rc.1'")


def test_crlf_and_no_trailing_newline_are_kept(edit: Edit) -> None:
    original = PYPROJECT.replace("\n", "\r\n").rstrip("\r\n")
    result = edit(SPEC, original, "3.0.0")
    assert result.data.decode() == original.replace("'2.1.0'", "'3.0.0'")


def test_another_key_by_dotted_path(edit: Edit) -> None:
    result = edit(FileSpec("pyproject.toml", "toml", key="tool.poetry.version"), PYPROJECT, "1.0.0")
    assert [f.where for f in result.found] == ["[tool.poetry].version"]
    assert result.data.decode() == PYPROJECT.replace('version = "0.0.0"', 'version = "1.0.0"')


@pytest.mark.parametrize(
    "original",
    [
        'project.version = "2.1.0"  # dotted key\nname = "x"\n',
        'project = { name = "x", version = "2.1.0" }\n',
        '[project]\nversion = "2.1.0"\n\n[tool.x]\na = 1\n\n[project.urls]\nhome = "h"\n',
        '[project.urls]\nhome = "h"\n[tool.x]\na=1\n[project]\nversion = "2.1.0"\n',
    ],
    ids=["dotted-key", "inline-table", "out-of-order-tables", "super-table-first"],
)
def test_toml_layouts(edit: Edit, original: str) -> None:
    result = edit(SPEC, original, "2.2.0")
    assert [f.text for f in result.found] == ["2.1.0"]
    assert result.data.decode() == original.replace("2.1.0", "2.2.0")


def test_multiline_string_is_rewritten_whole(edit: Edit) -> None:
    result = edit(SPEC, '[project]\nversion = """\n2.1.0"""\n', "2.2.0")
    assert result.data == b'[project]\nversion = """2.2.0"""\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project]\nname = \nversion = '1'\n", r"^pyproject\.toml:2: not valid TOML"),
        (
            "[project]\nname = 'x'\n",
            r"^pyproject\.toml: project\.version: key project\.version is missing",
        ),
        ("[tool.x]\na = 1\n", r"key project is missing"),
        ("[project]\nversion = 2\n", r"project\.version is a integer, expected a string"),
        ("project = 'x'\n", r"project is not a table"),
    ],
)
def test_bad_files_are_errors(text: str, message: str) -> None:
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).find(text)
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).replace(text, "1.0.0")
