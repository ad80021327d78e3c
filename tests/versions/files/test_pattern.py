"""A search/replace pattern with a ``{version}`` placeholder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for
from polaris.versions.files.pattern import compile_pattern

Edit = Callable[[FileSpec, bytes | str, str], Any]

MAIN_TF = """\
terraform {
  required_version = ">= 1.5.0"
}

module "aiops_platform" {
  source  = "app.terraform.io/aiops/platform/aws"
  version = "2.1.0"   # platform module
  app_version = "2.1.0"
}
"""

SPEC = FileSpec("infrastructure/terraform/main.tf", "pattern", pattern='version = "{version}"')


def test_only_the_matching_place_changes(edit: Edit) -> None:
    result = edit(SPEC, MAIN_TF, "2.2.0")
    [found] = result.found
    assert (found.text, found.line, found.column, found.where) == (
        "2.1.0",
        7,
        14,
        "pattern 'version = \"{version}\"'",
    )
    assert result.data.decode() == MAIN_TF.replace('version = "2.1.0"   #', 'version = "2.2.0"   #')


def test_count_allows_several_matches(edit: Edit) -> None:
    text = "# v2.1.0\nAPI=v2.1.0\r\nAGENT=v2.1.0\r\n"
    spec = FileSpec("env", "pattern", pattern="=v{version}", count=2)
    result = edit(spec, text, "2.1.1")
    assert result.data == b"# v2.1.0\nAPI=v2.1.1\r\nAGENT=v2.1.1\r\n"


def test_multiline_pattern_matches_crlf(edit: Edit) -> None:
    spec = FileSpec("notes.md", "pattern", pattern="## Current\n{version}")
    result = edit(spec, "## Current\r\n2.1.0\r\n## Old\r\n2.0.0\r\n", "2.2.0")
    assert result.data == b"## Current\r\n2.2.0\r\n## Old\r\n2.0.0\r\n"


def test_bare_placeholder_matches_whole_tokens_only() -> None:
    regex = compile_pattern("{version}")
    assert [m["version"] for m in regex.finditer("ip 10.0.0.12 v 2.1.0-rc.1, x2.0.0")] == [
        "10.0.0.12",
        "2.1.0-rc.1",
    ]


def test_more_matches_than_allowed_names_the_lines() -> None:
    with pytest.raises(
        VersionFileError,
        match=r"^main\.tf:7: pattern: pattern 'version = \"\{version\}\"' found 2 times, "
        r"on lines 7 and 10; expected exactly 1 \(hint: make the match unique or set `count`",
    ):
        format_for(FileSpec("main.tf", "pattern", pattern='version = "{version}"')).replace(
            MAIN_TF + 'version = "9.9.9"\n', "1.0.0"
        )


def test_no_match_is_an_error_naming_the_file() -> None:
    spec = FileSpec("main.tf", "pattern", pattern='tag = "{version}"')
    with pytest.raises(VersionFileError, match=r"^main\.tf: pattern: pattern .* found nowhere"):
        format_for(spec).find(MAIN_TF)
    with pytest.raises(VersionFileError, match="found nowhere"):
        format_for(spec).replace(MAIN_TF, "1.0.0")


def test_fewer_matches_than_count_is_an_error() -> None:
    spec = FileSpec("main.tf", "pattern", pattern='version = "{version}"', count=2)
    with pytest.raises(VersionFileError, match="found 1 times, on line 7; expected exactly 2"):
        format_for(spec).find(MAIN_TF)


@pytest.mark.parametrize("pattern", ["version", "{version}{version}", None])
def test_pattern_needs_one_placeholder(pattern: str | None) -> None:
    spec = FileSpec("main.tf", "pattern", pattern=pattern)
    with pytest.raises(VersionFileError, match=r"^main\.tf: pattern: .*exactly once"):
        format_for(spec).find(MAIN_TF)


def test_a_non_semver_token_is_found_as_text() -> None:
    spec = FileSpec("main.tf", "pattern", pattern='version = "{version}"')
    [found] = format_for(spec).find('version = "01.2"\n')
    assert found.text == "01.2"
