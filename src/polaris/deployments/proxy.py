"""A small TCP proxy: the blue-green traffic switch of the ``process`` deployer.

``python -m polaris.deployments.proxy --listen 127.0.0.1:8080 --upstream-file F`` forwards every
new connection to ``127.0.0.1:<port in F>``. Switching traffic is writing another port into
``F`` (atomically, by rename); the proxy reads it per connection, so the switch needs no restart
and open connections finish where they started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path

__all__ = ["main", "read_upstream", "write_upstream"]


def write_upstream(path: Path, port: int) -> None:
    """Point the proxy at ``port`` (temp file + rename: readers never see half a number)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{port}\n", encoding="ascii")
    os.replace(tmp, path)


def read_upstream(path: Path) -> int | None:
    """The port the proxy forwards to, if set."""
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _serve(host: str, port: int, upstream_file: Path) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        target = read_upstream(upstream_file)
        if target is None:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.write(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            with contextlib.suppress(Exception):
                await writer.drain()
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    server = await asyncio.start_server(handle, host, port, reuse_address=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Run the proxy until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--upstream-file", required=True, type=Path)
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    asyncio.run(_serve(host or "127.0.0.1", int(port), args.upstream_file))


if __name__ == "__main__":  # pragma: no cover
    main()
