"""The seed's KEY=VALUE VERSION file (section 3.1.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import KeyValueVersionFile, format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]
SPEC = FileSpec("VERSION", "version-file")

SEED = "MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=0\nPRERELEASE=\nBUILD_METADATA=\n"


def test_format_for_picks_the_key_value_format() -> None:
    assert isinstance(format_for(SPEC), KeyValueVersionFile)


def test_reads_the_seed_file_as_one_composed_version(edit: Edit) -> None:
    result = edit(SPEC, SEED, "2.1.0")
    assert [(f.text, f.line, f.column, f.where) for f in result.found] == [
        ("2.1.0", 1, 15, "MAJOR_VERSION..BUILD_METADATA")
    ]
    assert result.data == SEED.encode()


def test_writes_every_part_and_keeps_everything_else(edit: Edit) -> None:
    original = (
        "# Platform version: managed by polaris\n"
        "\n"
        "export PATCH_VERSION=0   # patch first, on purpose\n"
        'MAJOR_VERSION="2"\n'
        "MINOR_VERSION='1'\n"
        "RELEASE_NAME=polaris\n"
        "PRERELEASE=\n"
        "BUILD_METADATA=\n"
        "\n"
        "# end\n"
    )
    result = edit(SPEC, original, "3.0.0-rc.2+build.7.abc12345")
    assert result.data.decode() == (
        "# Platform version: managed by polaris\n"
        "\n"
        "export PATCH_VERSION=0   # patch first, on purpose\n"
        'MAJOR_VERSION="3"\n'
        "MINOR_VERSION='0'\n"
        "RELEASE_NAME=polaris\n"
        "PRERELEASE=rc.2\n"
        "BUILD_METADATA=build.7.abc12345\n"
        "\n"
        "# end\n"
    )
    assert [f.text for f in result.after] == ["3.0.0-rc.2+build.7.abc12345"]


def test_clears_prerelease_and_build_when_finalizing(edit: Edit) -> None:
    original = SEED.replace("PRERELEASE=", "PRERELEASE=rc.2").replace(
        "BUILD_METADATA=", "BUILD_METADATA=build.9"
    )
    result = edit(SPEC, original, "2.1.0")
    assert [f.text for f in result.found] == ["2.1.0-rc.2+build.9"]
    assert result.data == SEED.encode()


def test_crlf_line_endings_are_kept(edit: Edit) -> None:
    original = SEED.replace("\n", "\r\n")
    result = edit(SPEC, original, "2.2.0-alpha.1")
    assert (
        result.data
        == original.replace("MINOR_VERSION=1", "MINOR_VERSION=2")
        .replace("PRERELEASE=", "PRERELEASE=alpha.1")
        .encode()
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_missing_optional_keys_read_as_empty_and_are_added_when_needed(
    edit: Edit, newline: str
) -> None:
    original = newline.join(["MAJOR_VERSION=2", "MINOR_VERSION=1", "PATCH_VERSION=0", "# x", ""])
    result = edit(SPEC, original, "2.1.1-rc.1+b.3")
    assert [f.text for f in result.found] == ["2.1.0"]
    assert result.data.decode() == newline.join(
        [
            "MAJOR_VERSION=2",
            "MINOR_VERSION=1",
            "PATCH_VERSION=1",
            "PRERELEASE=rc.1",
            "BUILD_METADATA=b.3",
            "# x",
            "",
        ]
    )


def test_missing_optional_keys_stay_absent_for_a_release(edit: Edit) -> None:
    original = "MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=0"
    result = edit(SPEC, original, "2.1.1")
    assert result.data == b"MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=1"


def test_no_trailing_newline_is_kept_when_a_line_is_added(edit: Edit) -> None:
    original = "MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=0"
    result = edit(SPEC, original, "2.1.0-beta.1")
    assert result.data == b"MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=0\nPRERELEASE=beta.1"


def test_an_invalid_value_is_reported_as_text_not_a_crash() -> None:
    found = format_for(SPEC).find(SEED.replace("MINOR_VERSION=1", "MINOR_VERSION=one"))
    assert [f.text for f in found] == ["2.one.0"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "MINOR_VERSION=1\nPATCH_VERSION=0\n",
            r"^VERSION: MAJOR_VERSION: MAJOR_VERSION is missing",
        ),
        (SEED + "MAJOR_VERSION=3\n", r"^VERSION:6: MAJOR_VERSION: MAJOR_VERSION is set twice"),
        (SEED + "this is not a key\n", r"^VERSION:6: cannot parse 'this is not a key'"),
        ("MAJOR_VERSION=2 3\n", r"^VERSION:1: cannot parse"),
    ],
)
def test_bad_files_are_errors_naming_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).find(text)
    with pytest.raises(VersionFileError, match=message):
        format_for(SPEC).replace(text, "1.0.0")


def test_writing_an_invalid_version_is_refused() -> None:
    with pytest.raises(VersionFileError, match=r"VERSION: cannot write '2\.1': "):
        format_for(SPEC).replace(SEED, "2.1")
