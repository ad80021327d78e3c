"""A synchronous httpx transport that runs an ASGI application in-process, streaming both ways.

httpx's own ``ASGITransport`` is async-only and buffers the whole response; Starlette's test
client buffers it too. The CLI's local mode needs neither: one background event loop (an anyio
blocking portal) runs the application and its lifespan, request bodies are handed over chunk by
chunk, and response bodies come back through a small bounded queue, so a multi-gigabyte download
never sits in memory.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import anyio
import anyio.to_thread
import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp, Message

__all__ = ["InProcessTransport"]

_DONE = object()
#: Response chunks held between the application and the reader (backpressure beyond that).
_QUEUE_CHUNKS = 8


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, chunks: queue.Queue[Any], task: Future[None]) -> None:
        self._chunks = chunks
        self._task = task

    def __iter__(self) -> Iterator[bytes]:
        while True:
            item = self._chunks.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        # Stop the application if the reader gave up early, and free a sender blocked on a full
        # queue so that the cancellation can reach it.
        self._task.cancel()
        with contextlib.suppress(queue.Empty):
            while True:
                self._chunks.get_nowait()


class InProcessTransport(httpx.BaseTransport):
    """Serve httpx requests with ``app``, run with its lifespan on a private event loop."""

    def __init__(self, app: ASGIApp, lifespan: Any = None) -> None:
        self._app = app
        self._stack = contextlib.ExitStack()
        self._portal: BlockingPortal = self._stack.enter_context(start_blocking_portal())
        if lifespan is not None:
            try:
                self._stack.enter_context(self._portal.wrap_async_context_manager(lifespan))
            except BaseException:
                self._stack.close()
                raise

    def close(self) -> None:
        """Run the lifespan's shutdown and stop the loop."""
        self._stack.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run one request through the application; the body streams back as it is sent."""
        head: queue.Queue[Any] = queue.Queue()
        chunks: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        body = iter(request.stream)  # type: ignore[arg-type]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?", 1)[0],
            "query_string": request.url.query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": ("127.0.0.1", 0),
            "server": (request.url.host, request.url.port or 80),
            "extensions": {},
        }
        state = {"started": False, "more_body": True}

        async def receive() -> Message:
            if not state["more_body"]:
                await anyio.sleep_forever()  # a disconnect is never sent: the app finishes
            chunk = await anyio.to_thread.run_sync(next, body, None)
            if chunk is None:
                state["more_body"] = False
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": bytes(chunk), "more_body": True}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                head.put((message["status"], message.get("headers", [])))
            elif message["type"] == "http.response.body":
                data = message.get("body", b"")
                if data:
                    await anyio.to_thread.run_sync(chunks.put, bytes(data))
                if not message.get("more_body", False):
                    await anyio.to_thread.run_sync(chunks.put, _DONE)

        async def run() -> None:
            try:
                await self._app(scope, receive, send)
            except BaseException as exc:
                if not state["started"]:
                    head.put(exc)
                else:
                    await anyio.to_thread.run_sync(chunks.put, exc)
                raise

        task = self._portal.start_task_soon(run)
        first = head.get()
        if isinstance(first, BaseException):
            raise first
        status, headers = first
        return httpx.Response(
            status, headers=list(headers), stream=_ResponseStream(chunks, task), request=request
        )
