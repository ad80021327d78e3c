"""A file holding only the version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]
SPEC = FileSpec("models/ner/VERSION", "plain")


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("1.3.0\n", "1.4.0-rc.1\n"),
        ("1.3.0", "1.4.0-rc.1"),
        ("  1.3.0  \r\n\r\n", "  1.4.0-rc.1  \r\n\r\n"),
        ("\n1.3.0\n", "\n1.4.0-rc.1\n"),
    ],
)
def test_replaces_the_content_keeping_surrounding_whitespace(
    edit: Edit, original: str, expected: str
) -> None:
    result = edit(SPEC, original, "1.4.0-rc.1")
    assert [f.text for f in result.found] == ["1.3.0"]
    assert result.data == expected.encode()


def test_reports_the_line_and_column_of_the_version() -> None:
    [found] = format_for(SPEC).find("\n  v1.3\n")
    assert (found.text, found.line, found.column, found.where) == ("v1.3", 2, 3, "whole file")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"^models/ner/VERSION:1: the file is empty"),
        (" \n\n", r"^models/ner/VERSION:1: the file is empty"),
        (
            "1.3.0\n# the NER model\n",
            r"^models/ner/VERSION:1: expected only a version, found '1\.3\.0'",
        ),
        ("version 1.3.0\n", r"^models/ner/VERSION:1: expected only a version"),
    ],
)
def test_bad_content_is_an_error(text: str, message: str) -> None:
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).find(text)
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).replace(text, "1.0.0")


def test_writing_an_invalid_version_is_refused() -> None:
    with pytest.raises(VersionFileError, match="leading zero"):
        format_for(SPEC).replace("1.3.0\n", "1.03.0")
