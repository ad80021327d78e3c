"""Real servers on loopback for the dependency tests: a simple package index and an OSV API.

The index serves the distribution files a test writes into a directory, as PEP 691 JSON (or PEP 503
HTML when ``html_only``), with their real sha256 hashes; the OSV server answers ``querybatch`` and
``vulns/{id}`` from the records a test hands it, matching versions exactly as the records list them.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

__all__ = ["make_sdist", "make_wheel", "osv_server", "simple_index"]


def make_wheel(directory: Path, name: str, version: str, requires: list[str] | None = None) -> Path:
    """Write a minimal, installable pure-Python wheel ``name-version-py3-none-any.whl``."""
    dist = name.replace("-", "_")
    path = directory / f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires or [])
    wheel = (
        "Wheel-Version: 1.0\nGenerator: polaris-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files = {f"{dist}/__init__.py": "", f"{info}/METADATA": meta, f"{info}/WHEEL": wheel}
    record = "".join(f"{k},,\n" for k in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
        z.writestr(f"{info}/RECORD", record)
    return path


def make_sdist(directory: Path, name: str, version: str) -> Path:
    """Write a small ``name-version.tar.gz`` (its bytes differ per name and version)."""
    import io
    import tarfile

    path = directory / f"{name.replace('-', '_')}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        data = f"{name} {version}\n".encode()
        ti = tarfile.TarInfo(f"{name}-{version}/PKG-INFO")
        ti.size = len(data)
        tar.addfile(ti, io.BytesIO(data))
    return path


def _project_of(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return canonicalize_name(parse_wheel_filename(filename)[0])
        return canonicalize_name(parse_sdist_filename(filename)[0])
    except ValueError:
        return None


@contextmanager
def simple_index(
    directory: Path, *, html_only: bool = False, yanked: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Serve ``directory``'s files as a simple index; yields the base URL ``.../simple/``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if len(parts) == 2 and parts[0] == "files":
                target = directory / parts[1]
                if not target.is_file():
                    self.send_error(404)
                    return
                body = target.read_bytes()
                self._send(200, "application/octet-stream", body)
                return
            if len(parts) != 2 or parts[0] != "simple":
                self.send_error(404)
                return
            files = sorted(
                p for p in directory.iterdir() if p.is_file() and _project_of(p.name) == parts[1]
            )
            if not files:
                self.send_error(404)
                return
            entries = [
                (p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.name in yanked)
                for p in files
            ]
            accept = self.headers.get("Accept", "")
            if "vnd.pypi.simple.v1+json" in accept and not html_only:
                doc = {
                    "meta": {"api-version": "1.1"},
                    "name": parts[1],
                    "files": [
                        {"filename": f, "url": f"/files/{f}", "hashes": {"sha256": h}, "yanked": y}
                        for f, h, y in entries
                    ],
                }
                self._send(200, "application/vnd.pypi.simple.v1+json", json.dumps(doc).encode())
                return
            links = "".join(
                f'<a href="/files/{f}#sha256={h}"{" data-yanked" if y else ""}>{f}</a><br>\n'
                for f, h, y in entries
            )
            html = f"<!DOCTYPE html><html><body><h1>{parts[1]}</h1>\n{links}</body></html>"
            self._send(200, "text/html", html.encode())

        def _send(self, code: int, ctype: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with _serve(Handler) as base:
        yield f"{base}/simple/"


@contextmanager
def osv_server(records: list[dict[str, Any]], *, delay: float = 0.0) -> Iterator[str]:
    """Serve ``records`` through the OSV API (``/v1/querybatch``, ``/v1/vulns/{id}``)."""
    by_id = {r["id"]: r for r in records}
    calls: list[str] = []

    def matches(rec: dict[str, Any], eco: str, name: str, version: str) -> bool:
        for aff in rec.get("affected", []):
            pkg = aff.get("package", {})
            if pkg.get("ecosystem") != eco or pkg.get("name", "").lower() != name.lower():
                continue
            if version in aff.get("versions", []):
                return True
        return False

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            import time

            if delay:
                time.sleep(delay)
            calls.append(self.path)
            if self.path != "/v1/querybatch":
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            results = []
            for q in body["queries"]:
                pkg = q["package"]
                vulns = [
                    {"id": r["id"], "modified": r.get("modified", "2024-01-01T00:00:00Z")}
                    for r in records
                    if matches(r, pkg["ecosystem"], pkg["name"], q["version"])
                ]
                results.append({"vulns": vulns} if vulns else {})
            self._send(200, {"results": results})

        def do_GET(self) -> None:
            calls.append(self.path)
            vid = self.path.rsplit("/", 1)[-1]
            if not self.path.startswith("/v1/vulns/") or vid not in by_id:
                self.send_error(404)
                return
            self._send(200, by_id[vid])

        def _send(self, code: int, doc: Any) -> None:
            body = json.dumps(doc).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with _serve(Handler) as base:
        yield base


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.handle_error = lambda *_: None  # type: ignore[method-assign]  # a client that hung up
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
