"""Package index adapter: the simple repository API (PEP 691 JSON, PEP 503 HTML fallback).

:class:`SimpleIndex` asks ``{base}/{normalized-name}/`` for JSON and reads HTML when the index
only serves that. The base URL defaults to the one pip is configured with (``PIP_INDEX_URL``,
then pip's configuration files), then PyPI's.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol
from urllib.parse import urldefrag, urljoin

import httpx
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from polaris.core.errors import CouldNotCheck

__all__ = ["IndexFile", "PackageIndex", "ProjectPage", "SimpleIndex", "default_index_url"]

_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
)
PYPI_SIMPLE = "https://pypi.org/simple/"


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One distribution file of a project on the index."""

    filename: str
    version: str | None
    hashes: dict[str, str]
    yanked: bool


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """A project's files on the index; ``versions`` as ``(version, yanked)``."""

    name: str
    files: tuple[IndexFile, ...]

    @property
    def versions(self) -> list[tuple[str, bool]]:
        """Each version once; yanked when every file of it is yanked."""
        seen: dict[str, bool] = {}
        for f in self.files:
            if f.version is not None:
                seen[f.version] = seen.get(f.version, True) and f.yanked
        return list(seen.items())


class PackageIndex(Protocol):
    """Where versions and file hashes of PyPI packages come from."""

    url: str

    def project(self, name: str) -> ProjectPage | None:
        """The project's page, ``None`` when the index does not have it."""
        ...


def default_index_url() -> str:
    """``POLARIS_INDEX_URL``, ``PIP_INDEX_URL``, pip's configured ``index-url``, else PyPI."""
    for var in ("POLARIS_INDEX_URL", "PIP_INDEX_URL"):
        if os.environ.get(var):
            return os.environ[var]
    home = Path.home()
    candidates = [Path("/etc/pip.conf"), home / ".pip/pip.conf", home / ".config/pip/pip.conf"]
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]) / "pip.conf")
    if os.environ.get("PIP_CONFIG_FILE"):
        candidates.append(Path(os.environ["PIP_CONFIG_FILE"]))
    found = None
    for path in candidates:
        cp = configparser.ConfigParser()
        try:
            cp.read(path)
        except (configparser.Error, OSError):
            continue
        for section in ("global", "install"):
            if cp.has_option(section, "index-url"):
                found = cp.get(section, "index-url")
    return found or PYPI_SIMPLE


def _version_of(filename: str, project: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        # Old sdists (.zip, .tar.bz2): "name-version.ext"
        stem = filename
        for ext in (".tar.bz2", ".tar.xz", ".zip", ".tgz", ".egg"):
            stem = stem.removesuffix(ext)
        prefix = canonicalize_name(project)
        head, _, version = stem.rpartition("-")
        return version if version and canonicalize_name(head) == prefix else None


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._open, self._text.strip()))
            self._open = None


class SimpleIndex:
    """A PEP 691/503 index at ``url``, read with httpx."""

    def __init__(self, url: str | None = None, *, timeout: float = 10.0) -> None:
        self.url = (url or default_index_url()).rstrip("/") + "/"
        self._client = httpx.Client(timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def project(self, name: str) -> ProjectPage | None:
        """Fetch the project's page; ``None`` on 404.

        :raises CouldNotCheck: the index cannot be reached, times out or answers an error.
        """
        url = urljoin(self.url, canonicalize_name(name) + "/")
        try:
            resp = self._client.get(url, headers={"Accept": _ACCEPT})
        except httpx.HTTPError as exc:
            raise CouldNotCheck(
                f"package index {self.url} did not answer: {type(exc).__name__}",
                hint="check --index-url / POLARIS_INDEX_URL, or retry",
            ) from None
        if resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise CouldNotCheck(f"package index {self.url} answered {resp.status_code} for {name}")
        ctype = resp.headers.get("content-type", "")
        if "json" in ctype:
            return self._from_json(name, resp.json())
        return self._from_html(name, str(resp.url), resp.text)

    def _from_json(self, name: str, doc: dict[str, object]) -> ProjectPage:
        files = []
        for f in doc.get("files", []) or []:  # type: ignore[attr-defined]
            filename = str(f.get("filename", ""))
            yanked = f.get("yanked", False)
            files.append(
                IndexFile(
                    filename=filename,
                    version=_version_of(filename, name),
                    hashes={
                        str(k).lower(): str(v).lower() for k, v in (f.get("hashes") or {}).items()
                    },
                    yanked=bool(yanked) if not isinstance(yanked, str) else True,
                )
            )
        return ProjectPage(name=name, files=tuple(files))

    def _from_html(self, name: str, base: str, text: str) -> ProjectPage:
        parser = _Anchors()
        parser.feed(text)
        files = []
        for attrs, label in parser.links:
            href = attrs.get("href") or ""
            url, frag = urldefrag(urljoin(base, href))
            filename = label or url.rsplit("/", 1)[-1]
            hashes = {}
            if "=" in frag:
                algo, _, digest = frag.partition("=")
                hashes[algo.lower()] = digest.lower()
            files.append(
                IndexFile(
                    filename=filename,
                    version=_version_of(filename, name),
                    hashes=hashes,
                    yanked="data-yanked" in attrs,
                )
            )
        return ProjectPage(name=name, files=tuple(files))
