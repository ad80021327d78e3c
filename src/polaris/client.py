"""The Python client of the Polaris HTTP API: one code path for every registry operation.

:meth:`Client.remote` talks to a server (``POLARIS_URL``, ``POLARIS_TOKEN``);
:meth:`Client.local` runs the same application in-process against the local store, with the
operating-system user acting as admin (it owns the files). Either way each operation is one request
to the same route, which calls the same service, so the CLI prints identical output whichever
it talks to. One connection pool per client; uploads and downloads stream.

    >>> from polaris.client import Client
    >>> Client.remote("http://127.0.0.1:8000").base_url
    'http://127.0.0.1:8000/api/v1'

Errors answered as problem+json are raised as the :class:`~polaris.core.errors.PolarisError`
subclass the server raised (matched by its ``type`` slug, else by status), with the same message,
location and hint, so ``polaris`` prints the same line and exits with the same code.
"""

from __future__ import annotations

import getpass
import hashlib
import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import httpx

from polaris.core import errors as _errors
from polaris.core.actors import Actor, AuthenticationRequired, PermissionDenied, Role
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound, PolarisError
from polaris.settings import Settings

__all__ = ["Client", "error_from_problem"]

_API = "/api/v1"
_CHUNK = 1 << 20
_BY_STATUS: dict[int, type[PolarisError]] = {
    401: AuthenticationRequired,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: InvalidInput,
    422: InvalidInput,
    503: _errors.Unavailable,
}


def _subclasses(cls: type[PolarisError]) -> Iterator[type[PolarisError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_from_problem(status: int, body: Mapping[str, Any]) -> PolarisError:
    """The error a problem+json body describes, as the class the server raised where known."""
    slug = str(body.get("type") or "").rsplit("/", 1)[-1]
    by_slug = {c.slug: c for c in _subclasses(PolarisError) if c.http_status == status}
    cls = by_slug.get(slug) or _BY_STATUS.get(status) or _errors.Unavailable
    if status < 500 and cls is _errors.Unavailable:
        cls = InvalidInput
    # A class that renders itself from fields of its own (``ConfigProblems``) is rebuilt as the
    # nearest ancestor that renders from the message: the line printed is the same.
    cls = next(
        c
        for c in cls.__mro__
        if issubclass(c, PolarisError) and c.one_line is PolarisError.one_line
    )
    line = body.get("line")
    where = Location(
        file=body.get("file"),
        line=line if isinstance(line, int) else None,
        field=body.get("field"),
    )
    message = str(
        body.get("message") or body.get("detail") or body.get("title") or f"HTTP {status}"
    )
    err = cls.__new__(cls)
    PolarisError.__init__(err, message, location=where, hint=body.get("hint"))
    return err


def _dry(dry_run: bool) -> dict[str, str]:
    return {"dry_run": "true"} if dry_run else {}


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    for chunk in _file_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


class Client:
    """A Polaris API client; use as a context manager, or call :meth:`close`."""

    def __init__(self, http: httpx.Client, on_close: Any = None) -> None:
        self._http = http
        self._on_close = on_close

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def remote(cls, url: str, token: str | None = None, *, timeout: float = 60.0) -> Client:
        """A client of the server at ``url`` (its root; ``/api/v1`` is added)."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return cls(httpx.Client(base_url=url.rstrip("/") + _API, headers=headers, timeout=timeout))

    @classmethod
    def local(cls, settings: Settings | None = None, *, user: str | None = None) -> Client:
        """A client of the application run in this process on the local store.

        The application is loaded by name, as ``polaris serve`` hands it to uvicorn.
        """
        from polaris._asgi_transport import InProcessTransport

        settings = settings or Settings()
        factory = importlib.import_module("polaris.app").create_app
        actor = Actor(name=user or getpass.getuser(), role=Role.ADMIN)
        app = factory(settings, local_actor=actor)
        transport = InProcessTransport(app, app.router.lifespan_context(app))
        http = httpx.Client(
            transport=transport,
            base_url="http://polaris.local" + _API,
            headers={"Accept": "application/json"},
            timeout=60.0,
        )
        return cls(http, on_close=transport.close)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Client:
        """The server at ``POLARIS_URL`` when it is set, else the local store."""
        settings = settings or Settings()
        if settings.url:
            token = None if settings.token is None else settings.token.get_secret_value()
            return cls.remote(settings.url, token)
        return cls.local(settings)

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return str(self._http.base_url).rstrip("/")

    def close(self) -> None:
        """Close the connection pool (and the in-process application)."""
        self._http.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, stream: bool = False, **kw: Any) -> httpx.Response:
        try:
            request = self._http.build_request(method, path, **kw)
            resp = self._http.send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise _errors.Unavailable(
                f"cannot reach the Polaris server: {exc}", hint="check POLARIS_URL"
            ) from None
        if resp.status_code >= 400:
            if stream:
                resp.read()
            try:
                body = resp.json()
            except ValueError:
                body = {"detail": resp.text[:200] or resp.reason_phrase}
            raise error_from_problem(resp.status_code, body if isinstance(body, dict) else {})
        return resp

    def call(self, method: str, path: str, **kw: Any) -> Any:
        """One request to ``/api/v1{path}``; the decoded JSON body (or bytes for other types)."""
        resp = self._send(method, path, **kw)
        if resp.headers.get("content-type", "").startswith("application/json"):
            return resp.json()
        return resp.content

    def _stream_to(self, path: str, dest: BinaryIO) -> str:
        """Stream a GET into ``dest``; the sha256 of what was written."""
        digest = hashlib.sha256()
        resp = self._send("GET", path, stream=True)
        try:
            for chunk in resp.iter_bytes(_CHUNK):
                digest.update(chunk)
                dest.write(chunk)
        finally:
            resp.close()
        return digest.hexdigest()

    # -- models ------------------------------------------------------------------------------

    def upload_blob(self, path: Path, *, dry_run: bool = False) -> dict[str, Any]:
        """Upload a file (streamed) as a content-addressed blob."""
        sha = sha256_file(path)
        result: dict[str, Any] = self.call(
            "PUT", f"/blobs/{sha}", content=_file_chunks(path), params=_dry(dry_run)
        )
        return result

    def register(
        self,
        name: str,
        payload: Mapping[str, Any],
        files: list[Path] | tuple[Path, ...] = (),
        *,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Upload ``files``, then register a version of ``name`` with them."""
        uploaded: dict[str, str] = {}
        staged: list[str] = []
        for path in files:
            blob = self.upload_blob(path, dry_run=dry_run)
            uploaded[path.name] = blob["sha256"]
            staged.append(f"{blob['sha256']}:{blob['size']}")
        body = {**payload, "files": {**payload.get("files", {}), **uploaded}}
        params: dict[str, Any] = {"dry_run": "true", "staged": staged} if dry_run else {}
        result: dict[str, Any] = self.call(
            "POST", f"/models/{name}/versions", json=body, params=params
        )
        return result

    def models(self) -> list[dict[str, Any]]:
        """Every model with its version count and latest version, page by page."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = self.call("GET", "/models", params=params)
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def versions(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A page of versions: ``name``, ``stage``, ``tag``, ``metric``, ``limit``, ``cursor``."""
        query = {k: v for k, v in params.items() if v not in (None, [], ())}
        result: dict[str, Any] = self.call("GET", "/model-versions", params=query)
        return result

    def version(self, name: str, version: str) -> dict[str, Any]:
        """One version."""
        result: dict[str, Any] = self.call("GET", f"/models/{name}/versions/{version}")
        return result

    def model_version(self, model_version_name: str) -> dict[str, Any]:
        """One version named by its seed 4.1.1 string, e.g. ``rag-search-v1.3.2``."""
        result: dict[str, Any] = self.call("GET", f"/model-versions/{model_version_name}")
        return result

    def history(self, name: str, version: str | None = None) -> list[dict[str, Any]]:
        """Stage moves of a model, or of one version."""
        params = {} if version is None else {"version": version}
        items: list[dict[str, Any]] = self.call("GET", f"/models/{name}/history", params=params)[
            "items"
        ]
        return items

    def production(self, name: str, at: str | None = None) -> dict[str, Any]:
        """The version in production now, or at ISO time ``at``."""
        params = {} if at is None else {"at": at}
        result: dict[str, Any] = self.call("GET", f"/models/{name}/production", params=params)
        return result

    def stage(
        self, name: str, version: str, body: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """Move a version to another stage (``body``: stage, reason, criteria, ...)."""
        result: dict[str, Any] = self.call(
            "POST",
            f"/models/{name}/versions/{version}/stage",
            json=dict(body),
            params=_dry(dry_run),
        )
        return result

    def delete(self, name: str, version: str, *, dry_run: bool = False) -> dict[str, Any]:
        """Delete a development version."""
        result: dict[str, Any] = self.call(
            "DELETE", f"/models/{name}/versions/{version}", params=_dry(dry_run)
        )
        return result

    def lineage(self, name: str, version: str) -> list[dict[str, Any]]:
        """The version and its ancestors, newest first."""
        items: list[dict[str, Any]] = self.call(
            "GET", f"/models/{name}/versions/{version}/lineage"
        )["items"]
        return items

    def download(self, name: str, version: str, filename: str, dest: BinaryIO) -> None:
        """Stream one file of a version into ``dest`` and verify its sha256."""
        expected = next(
            (f["sha256"] for f in self.version(name, version)["files"] if f["name"] == filename),
            None,
        )
        got = self._stream_to(f"/models/{name}/versions/{version}/files/{filename}", dest)
        if expected is not None and got != expected:
            raise _errors.ArtifactCorrupted(
                f"{filename}: downloaded bytes hash to {got}, expected {expected}",
                hint="download again; if it persists, re-upload the file",
            )

    def export(self, name: str, version: str, dest: BinaryIO) -> None:
        """Stream the version's tar.gz package (files, model card, metadata) into ``dest``."""
        self._stream_to(f"/models/{name}/versions/{version}/export", dest)

    # -- platform, tokens, retention ---------------------------------------------------------

    def platform(self) -> dict[str, Any]:
        """The platform tree: releases and models by stage."""
        result: dict[str, Any] = self.call("GET", "/platform")
        return result

    def release(self, body: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        """Record a platform release (``version``, ``components``, ``notes``)."""
        result: dict[str, Any] = self.call(
            "POST", "/platform/releases", json=dict(body), params=_dry(dry_run)
        )
        return result

    def token_create(self, name: str, role: str, *, dry_run: bool = False) -> dict[str, Any]:
        """Create a token; the secret is in the answer once (none in a dry run)."""
        result: dict[str, Any] = self.call(
            "POST", "/tokens", json={"name": name, "role": role}, params=_dry(dry_run)
        )
        return result

    def token_list(self) -> list[dict[str, Any]]:
        """Token records (never their secrets)."""
        items: list[dict[str, Any]] = self.call("GET", "/tokens")["items"]
        return items

    def token_revoke(self, token_id: int, *, dry_run: bool = False) -> dict[str, Any]:
        """Revoke a token."""
        result: dict[str, Any] = self.call("DELETE", f"/tokens/{token_id}", params=_dry(dry_run))
        return result

    def gc(self, *, dry_run: bool = False) -> dict[str, Any]:
        """Apply retention (development 30 days, archived 2 years) and remove orphan blobs."""
        result: dict[str, Any] = self.call(
            "POST", "/gc", params={"dry_run": "true" if dry_run else "false"}
        )
        return result

    # -- API versions ------------------------------------------------------------------------

    def api_versions(self, api: str) -> list[dict[str, Any]]:
        """The versions of API ``api``, oldest first."""
        items: list[dict[str, Any]] = self.call("GET", f"/apis/{api}/versions")["versions"]
        return items

    def api_action(
        self, api: str, path: str, body: Mapping[str, Any] | None, *, dry_run: bool = False
    ) -> dict[str, Any]:
        """A lifecycle move (``/versions``, ``/versions/V/activate|deprecate|retire``)."""
        result: dict[str, Any] = self.call(
            "POST",
            f"/apis/{api}{path}",
            json=None if body is None else dict(body),
            params=_dry(dry_run),
        )
        return result

    def api_import(
        self, api: str, text: str, source: str, *, dry_run: bool = False
    ) -> list[dict[str, Any]]:
        """Import a YAML version matrix."""
        items: list[dict[str, Any]] = self.call(
            "POST",
            f"/apis/{api}/import",
            content=text.encode(),
            headers={"Content-Type": "application/yaml"},
            params={"source": source, **_dry(dry_run)},
        )["items"]
        return items

    def api_policy(
        self,
        api: str,
        notice_days: int | None,
        retirement_days: int | None,
        *,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Change (or, with neither period, show) the lifecycle periods."""
        body = {"notice_days": notice_days, "retirement_days": retirement_days}
        result: dict[str, Any] = self.call(
            "PUT", f"/apis/{api}/policy", json=body, params=_dry(dry_run)
        )
        return result
