"""Byte streams under the reader: an export read once, front to back, never seeking back.

:class:`ChunkReader` turns the SDK's iterator of byte chunks into a file object (with a
prefetching thread, so the engine never stalls); :class:`ForwardStream` gives
:mod:`tarfile` a file that can only move forward; windows and tees read one archive
member and show its bytes to the compressed-size estimators as they pass.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from workbench.analysis.compress import Sink

READ_SIZE = 1024 * 1024


def prefetched(chunks: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    """Pull ``chunks`` on a background thread, up to ``max_bytes`` ahead of the consumer.

    While the consumer parses, the thread keeps reading the socket (it waits in
    ``recv`` without the GIL), so the engine never stalls on a full socket buffer and
    the two run side by side.  Errors of the source are raised to the consumer;
    closing the returned generator stops the thread.
    """
    batches: queue.Queue[list[bytes] | BaseException | None] = queue.Queue(
        maxsize=max(2, max_bytes // READ_SIZE)
    )
    stop = threading.Event()

    def put(item: list[bytes] | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        batch: list[bytes] = []
        size = 0
        try:
            for chunk in chunks:
                batch.append(chunk)
                size += len(chunk)
                if size >= READ_SIZE:
                    if not put(batch):
                        return
                    batch, size = [], 0
            if batch and not put(batch):
                return
            put(None)
        except BaseException as exc:  # handed to the consumer
            put(exc)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None and stop.is_set():
                close()

    thread = threading.Thread(target=pump, name="workbench-export-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = batches.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()


class ChunkReader:
    """A read-only file object over an iterable of byte chunks (``api.get_image``).

    ``read(n)`` returns at most ``n`` bytes and hands whole chunks over without
    copying when it can.

    Args:
        chunks: the byte chunks, in order.
        prefetch: when positive, read up to this many bytes ahead on a background
            thread (see :func:`prefetched`).
    """

    def __init__(self, chunks: Iterable[bytes], prefetch: int = 0) -> None:
        source = prefetched(chunks, prefetch) if prefetch > 0 else iter(chunks)
        self._chunks: Iterator[bytes] = source
        self._chunk = b""
        self._offset = 0
        self.bytes_read = 0

    def readable(self) -> bool:
        """Always true."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes (all the rest when ``size`` < 0); ``b""`` at the end."""
        if size is None or size < 0:
            parts = [self._chunk[self._offset :], *self._chunks]
            self._chunk, self._offset = b"", 0
            data = b"".join(parts)
            self.bytes_read += len(data)
            return data
        while self._offset >= len(self._chunk):
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._chunk, self._offset = chunk, 0
        if self._offset == 0 and len(self._chunk) <= size:
            data = self._chunk
            self._chunk = b""
        else:
            data = self._chunk[self._offset : self._offset + size]
            self._offset += len(data)
        self.bytes_read += len(data)
        return data

    def close(self) -> None:
        """Drop the remaining chunks (and stop a prefetching thread)."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


class ForwardStream:
    """Exact-length reads and forward-only seeks over anything with ``read(n)``.

    The tar readers read headers through this object; seeking forward skips bytes
    (handing the skip down to the source when it can skip without copying), seeking
    backward raises.  Unlike ``tarfile``'s own stream mode (``r|``), whose buffer is
    re-copied on every 512-byte header read, a read here copies only the bytes it
    returns, so large buffers cost nothing.
    """

    def __init__(self, source: Any, chunk_size: int = READ_SIZE) -> None:
        self._source = source
        self._chunk_size = chunk_size
        self._buf = b""
        self._off = 0
        self._pos = 0

    def readable(self) -> bool:
        """Always true."""
        return True

    def seekable(self) -> bool:
        """False: only forward seeks work."""
        return False

    def tell(self) -> int:
        """Bytes consumed so far."""
        return self._pos

    def _fill(self, need: int) -> bool:
        """Make at least ``need`` unread bytes available; false at the end of the source."""
        avail = len(self._buf) - self._off
        if avail >= need:
            return True
        parts = [self._buf[self._off :]] if avail else []
        while avail < need:
            data = self._source.read(max(need - avail, self._chunk_size))
            if not data:
                break
            parts.append(data)
            avail += len(data)
        self._buf = parts[0] if len(parts) == 1 else b"".join(parts)
        self._off = 0
        return avail >= need

    def peek(self, size: int) -> bytes:
        """Return up to ``size`` next bytes without consuming them."""
        self._fill(size)
        return self._buf[self._off : self._off + size]

    def read(self, size: int = -1) -> bytes:
        """Return exactly ``size`` bytes, fewer only at the end (all the rest if < 0)."""
        if size is None or size < 0:
            data = self._buf[self._off :] + self._source.read()
            self._buf, self._off = b"", 0
            self._pos += len(data)
            return data
        off = self._off
        if len(self._buf) - off < size:
            self._fill(size)
            off = 0
        buf = self._buf
        if off == 0 and size >= len(buf):
            data = buf
            self._buf = b""
        else:
            data = buf[off : off + size]
            self._off = off + len(data)
        self._pos += len(data)
        return data

    def seek(self, position: int, whence: int = 0) -> int:
        """Skip forward to ``position``.

        Raises:
            io.UnsupportedOperation: when asked to go back or to seek relative to the end.
        """
        if whence == 1:
            position += self._pos
        elif whence != 0:
            raise io.UnsupportedOperation("a stream cannot seek from its end")
        skip = position - self._pos
        if skip < 0:
            raise io.UnsupportedOperation("a stream cannot seek backwards")
        avail = len(self._buf) - self._off
        if skip <= avail:
            self._off += skip
            self._pos = position
            return position
        skip -= avail
        self._buf, self._off, self._pos = b"", 0, self._pos + avail
        skipper = getattr(self._source, "skip", None)
        while skip > 0:
            if skipper is not None:
                done = skipper(skip)
            else:
                done = len(self._source.read(min(skip, 4 * self._chunk_size)))
            if not done:
                break
            skip -= done
            self._pos += done
        return self._pos

    def skip(self, size: int) -> int:
        """Skip up to ``size`` bytes; return how many were skipped."""
        start = self._pos
        return self.seek(start + size) - start


class Window:
    """The next ``size`` bytes of a :class:`ForwardStream`: one archive member."""

    def __init__(self, stream: ForwardStream, size: int) -> None:
        self._stream = stream
        self._left = size

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data

    def skip(self, size: int) -> int:
        done = self._stream.skip(min(size, self._left))
        self._left -= done
        return done


class Tee:
    """Pass reads through, showing every byte to the sinks and counting them."""

    def __init__(self, source: Any, sinks: tuple[Sink, ...]) -> None:
        self._source = source
        self._sinks = sinks
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        if data:
            self.count += len(data)
            for sink in self._sinks:
                sink.feed(data)
        return data

    def drain(self) -> None:
        while self.read(READ_SIZE):
            pass
