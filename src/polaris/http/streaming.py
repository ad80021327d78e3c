"""Stream what a blocking writer produces (a tarball, a dump) as a response body.

The writer runs in a worker thread and writes into a small bounded queue; the response reads
the queue as the client accepts bytes. Nothing holds the whole body, and a slow client slows
the writer instead of filling memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, BinaryIO

import anyio.to_thread

__all__ = ["stream_writer"]

_DONE = object()
_CHUNKS = 16


class _QueueWriter:
    """The write end: a binary file object whose ``write`` hands chunks to the reader."""

    def __init__(self, chunks: queue.Queue[Any], cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled

    def write(self, data: bytes) -> int:
        if self._cancelled.is_set():
            raise BrokenPipeError("the client went away")
        if data:
            self._chunks.put(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def writable(self) -> bool:
        return True


async def stream_writer(write: Callable[[BinaryIO], None]) -> AsyncIterator[bytes]:
    """Run ``write(fileobj)`` in a thread and yield what it writes, chunk by chunk."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=_CHUNKS)
    cancelled = threading.Event()
    writer: Any = _QueueWriter(chunks, cancelled)

    def run() -> None:
        try:
            write(writer)
        except BaseException as exc:  # handed to the reader, which re-raises it
            chunks.put(exc)
        else:
            chunks.put(_DONE)

    thread = threading.Thread(target=run, name="polaris-stream", daemon=True)
    thread.start()
    try:
        while True:
            item = await anyio.to_thread.run_sync(chunks.get)
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()
        while thread.is_alive():  # free a writer blocked on the full queue
            try:
                chunks.get_nowait()
            except queue.Empty:
                await anyio.sleep(0.01)
