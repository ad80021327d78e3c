"""Every format: writing any SemVer version changes only the version's characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polaris.core.errors import VersionFileError
from polaris.core.project import FILE_FORMATS, FileSpec
from polaris.core.semver import Version
from polaris.versions.files import FORMATS, format_for

#: One realistic file per format, each carrying version 2.1.0.
CASES: dict[str, tuple[FileSpec, str]] = {
    "version-file": (
        FileSpec("VERSION", "version-file"),
        "# platform\r\nMAJOR_VERSION=2\r\nMINOR_VERSION=1\r\nPATCH_VERSION=0\r\nPRERELEASE=\r\n"
        "BUILD_METADATA=\r\n",
    ),
    "plain": (FileSpec("models/ner/VERSION", "plain"), "2.1.0\n"),
    "toml": (
        FileSpec("pyproject.toml", "toml"),
        "[project]\nname = 'api'\nversion = '2.1.0'  # polaris\n\n[tool.x]\nversion = '2.1.0'\n",
    ),
    "python": (
        FileSpec("src/api/__init__.py", "python"),
        '"""API."""\n\n__version__: str = "2.1.0"\n',
    ),
    "yaml": (
        FileSpec("helm/Chart.yaml", "yaml", key="appVersion"),
        'apiVersion: v2\nversion: 2.1.0\nappVersion: "2.1.0"  # platform\n',
    ),
    "json": (FileSpec("web/package.json", "json"), '{\n  "name": "web",\n  "version": "2.1.0"\n}'),
    "image": (
        FileSpec("docker-compose.yml", "image", image="aiops/api"),
        "services:\n  api:\n    image: aiops/api:2.1.0\n  gw:\n    image: aiops/api-gw:2.1.0\n"
        "  worker:\n    image: 'aiops/api:2.1.0'\n",
    ),
    "pattern": (
        FileSpec("main.tf", "pattern", pattern='version = "{version}"'),
        'module "m" {\n  version = "2.1.0"\n  required_version = "2.1.0"\n}\n',
    ),
    "dockerfile": (
        FileSpec("Dockerfile", "dockerfile"),
        'FROM python:3.11-slim\nLABEL maintainer="aiops-team@company.com"\nLABEL version="2.1.0"\n'
        "LABEL org.opencontainers.image.version=2.1.0 \\\n      other.version=9.9.9\n",
    ),
}

_NUM = st.integers(min_value=0, max_value=10**6).map(str)
_ALNUM = st.from_regex(r"[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*", fullmatch=True).filter(
    lambda s: len(s) <= 12
)
_BUILD = st.from_regex(r"[0-9A-Za-z-]{1,8}", fullmatch=True)


def _compose(core: tuple[str, str, str], pre: list[str], build: list[str]) -> str:
    text = ".".join(core)
    if pre:
        text += "-" + ".".join(pre)
    if build:
        text += "+" + ".".join(build)
    return text


VERSIONS = st.builds(
    _compose,
    st.tuples(_NUM, _NUM, _NUM),
    st.lists(st.one_of(_NUM, _ALNUM), max_size=3),
    st.lists(_BUILD, max_size=3),
)


def test_every_format_has_a_case_and_a_class() -> None:
    assert set(FORMATS) == set(FILE_FORMATS) == set(CASES)


def test_an_unknown_format_is_an_error() -> None:
    with pytest.raises(VersionFileError, match=r"^setup\.cfg: format: unknown format 'ini'"):
        format_for(FileSpec("setup.cfg", "ini"))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=60, deadline=None, database=None)
@given(version=VERSIONS)
def test_replace_is_exact_and_reversible(name: str, version: str) -> None:
    spec, text = CASES[name]
    assert Version.is_valid(version)
    fmt = format_for(spec)
    before = fmt.find(text)
    assert {f.text for f in before} == {"2.1.0"}
    new = fmt.replace(text, version)
    assert {f.text for f in fmt.find(new)} == {version}
    assert [(f.line, f.column) for f in fmt.find(new)] == [(f.line, f.column) for f in before]
    # Only the version's characters changed: writing the old version back restores every byte.
    assert fmt.replace(new, "2.1.0") == text
    # Writing the version a file already has changes nothing.
    assert fmt.replace(new, version) == new
