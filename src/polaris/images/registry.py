"""OCI registry adapter: the Distribution API (``/v2/``) over httpx.

Reads tags (paginated), manifests and image configs (for the creation time), deletes manifests by
digest and puts a manifest under a new tag (promotion without a rebuild). Listing many tags asks
one ``HEAD`` per tag and reads manifest and config once per digest, a few requests at a time
(measured here: threads over one pooled client beat an async client, and the registry answers
no faster beyond a few concurrent requests).
Credentials come from :mod:`polaris.images.auth`, per request, and are never stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

import httpx

from polaris.core.errors import Conflict, CouldNotCheck, InvalidInput, NotFound
from polaris.images.auth import RegistryAuth, credentials_for
from polaris.images.rules import TagRecord

__all__ = [
    "MANIFEST_TYPES",
    "DistributionRegistry",
    "ImageRef",
    "Manifest",
    "Registry",
    "parse_ref",
]

MANIFEST_TYPES: Final = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
_ACCEPT: Final = ", ".join(MANIFEST_TYPES)
_REPO: Final = re.compile(
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
_TAG: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """``registry/repository[:tag][@digest]``."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def base_url(self) -> str:
        """``http://`` for a loopback registry, else ``https://``."""
        host = self.registry.rsplit(":", 1)[0]
        scheme = "http" if host in ("127.0.0.1", "localhost", "[::1]") else "https"
        return f"{scheme}://{self.registry}"

    @property
    def reference(self) -> str:
        """The digest if given, else the tag."""
        ref = self.digest or self.tag
        if ref is None:
            raise InvalidInput(f"{self} names no tag or digest")
        return ref

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_ref(text: str, *, default_registry: str | None = None) -> ImageRef:
    """Parse ``127.0.0.1:5000/aiops/api:2.1.0`` (the registry part may come from the default).

    :raises InvalidInput: a malformed repository, tag or digest, or no registry at all.
    """
    rest, _, digest = text.partition("@")
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    elif default_registry:
        registry, path = default_registry.removeprefix("http://").removeprefix("https://"), rest
    else:
        raise InvalidInput(
            f"{text!r} names no registry",
            hint="write HOST[:PORT]/REPOSITORY[:TAG], or set --registry / POLARIS_REGISTRY",
        )
    repo, _, tag = path.partition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "")
    if not _REPO.fullmatch(repo):
        raise InvalidInput(f"{repo!r} is not a valid repository name")
    if tag and not _TAG.fullmatch(tag):
        raise InvalidInput(f"{tag!r} is not a valid tag")
    if digest and not _DIGEST.fullmatch(digest):
        raise InvalidInput(f"{digest!r} is not a sha256 digest")
    return ImageRef(registry, repo, tag or None, digest or None)


@dataclass(frozen=True, slots=True)
class Manifest:
    """A manifest as the registry serves it: exact bytes, media type and digest."""

    digest: str
    media_type: str
    body: bytes

    @property
    def doc(self) -> dict[str, Any]:
        """The parsed JSON."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class Registry(Protocol):
    """What the image use cases need from a registry."""

    def tags(self, repository: str) -> list[str]:
        """Every tag of ``repository``."""
        ...

    def manifest(self, repository: str, reference: str) -> Manifest:
        """The manifest of a tag or digest."""
        ...

    def tag_records(self, repository: str, tags: list[str]) -> list[TagRecord]:
        """Digest and creation time of each tag."""
        ...

    def delete(self, repository: str, digest: str) -> None:
        """Delete a manifest by digest."""
        ...

    def put_manifest(self, repository: str, tag: str, manifest: Manifest) -> str:
        """Store ``manifest`` under ``tag``; the digest the registry reports."""
        ...


def _created(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class DistributionRegistry:
    """A registry speaking the Distribution API at ``base_url`` (``http(s)://host[:port]``)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, concurrency: int = 8) -> None:
        self.base_url = base_url.rstrip("/")
        host = self.base_url.split("://", 1)[-1]
        self._auth = RegistryAuth(credentials_for(host))
        self._timeout = timeout
        self._concurrency = concurrency
        self._client = httpx.Client(
            timeout=timeout, auth=self._auth, limits=httpx.Limits(max_connections=concurrency)
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            return self._client.request(method, self.base_url + path, **kw)
        except httpx.HTTPError as exc:
            raise CouldNotCheck(
                f"registry {self.base_url} did not answer: {type(exc).__name__}"
            ) from None

    def _check(self, resp: httpx.Response, what: str) -> None:
        if resp.status_code == 404:
            raise NotFound(f"{what} not found on {self.base_url}")
        if resp.status_code in (401, 403):
            raise CouldNotCheck(
                f"registry {self.base_url} refused {what} ({resp.status_code})",
                hint="set POLARIS_REGISTRY_USERNAME/PASSWORD or log in (docker config)",
            )
        if resp.status_code >= 400:
            raise CouldNotCheck(f"registry {self.base_url} answered {resp.status_code} for {what}")

    def tags(self, repository: str) -> list[str]:
        """Every tag, following ``Link: <...>; rel="next"`` pages."""
        out: list[str] = []
        path: str | None = f"/v2/{repository}/tags/list?n=1000"
        while path:
            resp = self._request("GET", path)
            self._check(resp, f"repository {repository}")
            out += resp.json().get("tags") or []
            link = resp.headers.get("link", "")
            m = re.search(r"<([^>]+)>;\s*rel=\"?next\"?", link)
            path = m.group(1) if m else None
            if path and path.startswith("http"):
                path = "/" + path.split("/", 3)[3]
        return out

    def manifest(self, repository: str, reference: str) -> Manifest:
        """GET the manifest with every media type Polaris understands."""
        resp = self._request(
            "GET", f"/v2/{repository}/manifests/{reference}", headers={"Accept": _ACCEPT}
        )
        self._check(
            resp,
            f"{repository}:{reference}" if ":" not in reference else f"{repository}@{reference}",
        )
        return _manifest(resp)

    def delete(self, repository: str, digest: str) -> None:
        """DELETE by digest; a registry without deletes enabled answers 405: a Conflict."""
        resp = self._request("DELETE", f"/v2/{repository}/manifests/{digest}")
        if resp.status_code == 405:
            raise Conflict(
                f"registry {self.base_url} refuses deletes",
                hint="enable storage.delete in the registry's configuration",
            )
        self._check(resp, f"{repository}@{digest}")

    def put_manifest(self, repository: str, tag: str, manifest: Manifest) -> str:
        """PUT the exact manifest bytes under ``tag``: the digest stays the same."""
        resp = self._request(
            "PUT",
            f"/v2/{repository}/manifests/{tag}",
            content=manifest.body,
            headers={"Content-Type": manifest.media_type},
        )
        self._check(resp, f"{repository}:{tag}")
        return str(resp.headers.get("docker-content-digest", manifest.digest))

    def tag_records(self, repository: str, tags: list[str]) -> list[TagRecord]:
        """Each tag's digest (one ``HEAD`` per tag) and creation time (manifest and config read
        once per digest), a few requests at a time."""
        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            digests = list(pool.map(lambda t: self._head_digest(repository, t), tags))
            unique = list(dict.fromkeys(digests))
            created = dict(
                zip(unique, pool.map(lambda d: self._created(repository, d), unique), strict=True)
            )
        return [TagRecord(t, d, created[d]) for t, d in zip(tags, digests, strict=True)]

    def _head_digest(self, repository: str, tag: str) -> str:
        resp = self._request(
            "HEAD", f"/v2/{repository}/manifests/{tag}", headers={"Accept": _ACCEPT}
        )
        self._check(resp, f"{repository}:{tag}")
        digest = resp.headers.get("docker-content-digest")
        if digest is None:  # a registry that does not say: read the manifest
            return self.manifest(repository, tag).digest
        return str(digest)

    def _created(self, repository: str, digest: str) -> datetime | None:
        """The image's creation time: its ``created`` annotation, else its config's ``created``
        (the first platform's, for an index)."""
        doc = self.manifest(repository, digest).doc
        when = _created((doc.get("annotations") or {}).get("org.opencontainers.image.created"))
        if when is not None:
            return when
        if doc.get("manifests"):
            return self._created(repository, str(doc["manifests"][0]["digest"]))
        config = (doc.get("config") or {}).get("digest")
        if not config:
            return None
        resp = self._request("GET", f"/v2/{repository}/blobs/{config}")
        self._check(resp, f"{repository}@{config}")
        try:
            return _created(resp.json().get("created"))
        except ValueError:
            return None


def _manifest(resp: httpx.Response) -> Manifest:
    body = resp.content
    digest = (
        resp.headers.get("docker-content-digest") or "sha256:" + hashlib.sha256(body).hexdigest()
    )
    media = resp.headers.get("content-type", "").split(";")[0].strip()
    if not media:
        media = str(json.loads(body).get("mediaType", MANIFEST_TYPES[1]))
    return Manifest(digest, media, body)
