"""``APIVersioning``: API version selection and lifecycle headers for any ASGI app.

A pure ASGI middleware (no Starlette import), so it wraps FastAPI, Starlette or a bare ASGI
callable alike::

    app = FastAPI()
    app.add_middleware(APIVersioning, versions="api-versions.yml")

**Which version a request asks for** (seed 5.1.1), first match wins:

1. the URL path: ``/api/v2/incidents`` (under ``prefix``, default ``/api``);
2. the ``Accept`` header parameter: ``Accept: application/json; version=2``;
3. the query parameter: ``/api/incidents?version=2``;
4. the default: ``default=`` if given, else the newest *active* version.

Only requests under ``prefix`` are versioned; others pass through untouched. The chosen version is
put in ``scope["state"]["api_version"]`` (``request.state.api_version`` in Starlette/FastAPI), with
``api_version_source`` (``path``, ``header``, ``query`` or ``default``), and every response carries
an ``API-Version`` header.

**What the lifecycle does to the response:**

* *active*: nothing more;
* *deprecated*: ``Deprecation: @<epoch>`` (RFC 9745), ``Sunset: <HTTP-date>`` (RFC 8594, never
  earlier than the deprecation), ``Link: <guide>; rel="deprecation"`` and, when the record has a
  ``sunset_link``, ``Link: <page>; rel="sunset"``;
* *retired* (or deprecated past its sunset): ``410 Gone`` with an RFC 9457
  ``application/problem+json`` body naming the replacement and the migration guide;
* *development*: served only with ``serve_development=True``, else treated as unknown;
* *unknown*: ``404`` when the path named it, ``400`` when the header or query did; the problem body
  lists the supported versions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from polaris.apis.lifecycle import APIVersion, APIVersionState, Catalog, normalize_api_version
from polaris.apis.versions_file import APIVersionsFile
from polaris.core.errors import InvalidInput

__all__ = ["APIVersioning", "deprecation_headers"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ACCEPT_VERSION = re.compile(r";\s*version\s*=\s*\"?([^\s;,\"]+)\"?", re.IGNORECASE)


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=UTC)


def deprecation_headers(record: APIVersion) -> list[tuple[str, str]]:
    """The ``Deprecation``, ``Sunset`` and ``Link`` headers of a deprecated version's responses."""
    out: list[tuple[str, str]] = []
    if record.deprecated_on is not None:
        out.append(("deprecation", f"@{int(_midnight(record.deprecated_on).timestamp())}"))
    if record.retires_on is not None:
        sunset = record.retires_on
        if record.deprecated_on is not None and sunset < record.deprecated_on:
            sunset = record.deprecated_on  # RFC 9745 section 3: never sunset before deprecating
        out.append(("sunset", format_datetime(_midnight(sunset), usegmt=True)))
    if record.migration_guide:
        out.append(("link", f'<{record.migration_guide}>; rel="deprecation"; type="text/html"'))
    if record.sunset_link:
        out.append(("link", f'<{record.sunset_link}>; rel="sunset"; type="text/html"'))
    return out


class _FileSource:
    """Re-reads the lifecycle file when it changes (by mtime and size)."""

    def __init__(self, path: Path) -> None:
        self.store = APIVersionsFile(path)
        self._stamp: tuple[int, int] | None = None
        self._catalog = Catalog()

    def __call__(self) -> Catalog:
        st = self.store.path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._catalog = self.store.load()
            self._stamp = stamp
        return self._catalog


class APIVersioning:
    """Pure ASGI middleware; see the module docstring for the rules.

    :param versions: a :class:`Catalog`, a callable returning one (the registry), or the path of an
        ``api-versions.yml`` file (re-read when it changes).
    :param prefix: the versioned part of the URL space.
    :param default: version for requests that name none (default: newest active).
    :param clock: "now" (UTC), injectable for tests.
    :param problem_base: prefix of the RFC 9457 ``type`` URIs.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        versions: Catalog | Callable[[], Catalog] | str | Path,
        prefix: str = "/api",
        default: str | None = None,
        serve_development: bool = False,
        clock: Callable[[], datetime] | None = None,
        problem_base: str = "urn:polaris:problem:",
    ) -> None:
        self.app = app
        if isinstance(versions, Catalog):
            catalog = versions
            self._source: Callable[[], Catalog] = lambda: catalog
        elif isinstance(versions, str | Path):
            self._source = _FileSource(Path(versions))
        else:
            self._source = versions
        self.prefix = prefix.rstrip("/")
        self._path = re.compile(re.escape(self.prefix) + r"/v(\d+(?:\.\d+){0,2})(?=/|$)")
        self.default = normalize_api_version(default) if default else None
        self.serve_development = serve_development
        self.clock = clock or (lambda: datetime.now(UTC))
        self.problem_base = problem_base

    def _select(self, scope: Scope) -> tuple[str | None, str]:
        """(asked-for version text or None, where it came from)."""
        path: str = scope.get("path", "")
        m = self._path.match(path)
        if m is not None:
            return m.group(1), "path"
        for name, value in scope.get("headers", ()):
            if name.lower() == b"accept":
                hm = _ACCEPT_VERSION.search(value.decode("latin-1"))
                if hm is not None:
                    return hm.group(1), "header"
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("version"):
            return query["version"][0], "query"
        return None, "default"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        path: str = scope.get("path", "")
        under = path == self.prefix or path.startswith(self.prefix + "/")
        if scope["type"] != "http" or not under:
            await self.app(scope, receive, send)
            return
        catalog = self._source()
        today = self.clock().astimezone(UTC).date()
        served = catalog.served(today, include_development=self.serve_development)
        supported = [v.version for v in served]
        asked, source = self._select(scope)
        record: APIVersion | None
        if asked is None:
            record = catalog.find(self.default) if self.default else catalog.latest_active(today)
            if record is None:
                detail = "no API version is active and the request names none"
                await self._problem(send, 400, "api-version-required", detail, supported, path)
                return
        else:
            try:
                record = catalog.find(asked)
            except InvalidInput:
                record = None
        status = 404 if source == "path" else 400
        if record is None:
            detail = f"API version {asked!r} is not supported"
            await self._problem(send, status, "api-version-unknown", detail, supported, path)
            return
        state = record.state_on(today)
        if state is APIVersionState.DEVELOPMENT and not self.serve_development:
            detail = f"API version {record.version} is not released yet"
            await self._problem(send, status, "api-version-unknown", detail, supported, path)
            return
        if state is APIVersionState.RETIRED:
            await self._retired(send, record, supported, path)
            return
        scope.setdefault("state", {})
        scope["state"]["api_version"] = record.version
        scope["state"]["api_version_source"] = source
        extra = [(b"api-version", record.version.encode())]
        if source == "header":
            extra.append((b"vary", b"Accept"))
        if state is APIVersionState.DEPRECATED:
            extra += [(k.encode(), v.encode("latin-1")) for k, v in deprecation_headers(record)]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _retired(
        self, send: Send, record: APIVersion, supported: list[str], path: str
    ) -> None:
        when = f" on {record.retires_on}" if record.retires_on else ""
        use = f"; use {record.replacement}" if record.replacement else ""
        detail = f"API version {record.version} was retired{when}{use}"
        extra: dict[str, Any] = {"replacement": record.replacement}
        if record.migration_guide:
            extra["migration_guide"] = record.migration_guide
        headers = deprecation_headers(record)
        await self._problem(
            send, 410, "api-version-retired", detail, supported, path, extra, headers, record
        )

    async def _problem(
        self,
        send: Send,
        status: int,
        slug: str,
        detail: str,
        supported: list[str],
        instance: str,
        extra: dict[str, Any] | None = None,
        headers: list[tuple[str, str]] | None = None,
        record: APIVersion | None = None,
    ) -> None:
        titles = {
            "api-version-retired": "API version retired",
            "api-version-unknown": "Unknown API version",
            "api-version-required": "API version required",
        }
        body: dict[str, Any] = {
            "type": self.problem_base + slug,
            "title": titles[slug],
            "status": status,
            "detail": detail,
            "instance": instance,
        }
        if record is not None:
            body["api_version"] = record.version
        body.update(extra or {})
        body["supported_versions"] = supported
        payload = json.dumps(body).encode()
        raw = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        raw += [(k.encode(), v.encode("latin-1")) for k, v in headers or ()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})
