"""Issue 11.17: the document's ``LABEL version="2.1.0"`` (seed 9.2.1) and the OCI label."""

from __future__ import annotations

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

DOCUMENT = """\
FROM python:3.11-slim

LABEL maintainer="aiops-team@company.com"
LABEL version="2.1.0"
LABEL description="AIOps Polaris API Service"
"""

BOTH = """\
FROM python:3.11-slim
LABEL org.opencontainers.image.title="aiops-polaris" \\
      org.opencontainers.image.version='2.1.0' \\
      build.version=7.7.7
LABEL version=2.1.0
"""


def test_the_documents_label_is_read_and_written() -> None:
    fmt = format_for(FileSpec("Dockerfile", "dockerfile"))
    [found] = fmt.find(DOCUMENT)
    assert (found.text, found.line, found.column) == ("2.1.0", 4, 16)
    assert fmt.replace(DOCUMENT, "2.2.0") == DOCUMENT.replace('version="2.1.0"', 'version="2.2.0"')


def test_both_labels_quoted_or_not_on_continued_lines() -> None:
    fmt = format_for(FileSpec("Dockerfile", "dockerfile"))
    assert [(f.text, f.line) for f in fmt.find(BOTH)] == [("2.1.0", 3), ("2.1.0", 5)]
    new = fmt.replace(BOTH, "3.0.0-rc.1")
    assert "image.version='3.0.0-rc.1'" in new and "LABEL version=3.0.0-rc.1" in new
    assert "build.version=7.7.7" in new  # another label that ends in "version" is not ours


def test_key_picks_one_label() -> None:
    fmt = format_for(FileSpec("Dockerfile", "dockerfile", key="version"))
    assert [f.line for f in fmt.find(BOTH)] == [5]


def test_no_label_names_the_file() -> None:
    fmt = format_for(FileSpec("Dockerfile", "dockerfile"))
    with pytest.raises(VersionFileError) as info:
        fmt.find("FROM scratch\n")
    assert info.value.one_line().startswith("Dockerfile: key: LABEL version")
