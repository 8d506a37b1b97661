"""The byte streams under the reader: chunks to a file, forward only, prefetching."""

from __future__ import annotations

import io

import pytest

from workbench.analysis.streams import ChunkReader, ForwardStream, prefetched


def test_chunk_reader_reads_across_chunks_without_losing_bytes():
    data = bytes(range(256)) * 40
    chunks = [data[i : i + 333] for i in range(0, len(data), 333)]
    reader = ChunkReader(chunks)
    out = []
    sizes = iter([1, 332, 334, 1000, 5000] * 10)
    while piece := reader.read(next(sizes, 10**6)):
        out.append(piece)
    assert b"".join(out) == data
    assert max(len(p) for p in out) <= 333  # short reads: never more than a chunk
    assert reader.read(10) == b""
    assert ChunkReader(chunks).read() == data


def test_forward_stream_reads_exactly_and_only_skips_forward():
    data = bytes(range(256)) * 100
    stream = ForwardStream(ChunkReader([data[i : i + 1000] for i in range(0, len(data), 1000)]))
    assert stream.read(10) == data[:10]
    assert stream.peek(5) == data[10:15]
    stream.seek(5000)
    assert stream.tell() == 5000
    assert stream.read(3000) == data[5000:8000]
    stream.seek(100, 1)
    assert stream.read(1) == data[8100:8101]
    with pytest.raises(io.UnsupportedOperation):
        stream.seek(0)
    assert stream.read() == data[8101:]
    assert stream.read(5) == b""


def test_prefetched_passes_chunks_and_errors_on():
    assert b"".join(prefetched([b"a" * 10, b"b" * 20], 1 << 20)) == b"a" * 10 + b"b" * 20

    def broken():
        yield b"abc"
        raise OSError("connection reset")

    reader = ChunkReader(broken(), prefetch=1 << 20)
    with pytest.raises(OSError, match="connection reset"):
        while reader.read(100):
            pass


def test_closing_a_prefetching_reader_stops_it_early():
    produced = []

    def endless():
        while True:
            produced.append(1)
            yield b"x" * 4096

    reader = ChunkReader(endless(), prefetch=1 << 20)
    assert reader.read(10) == b"x" * 10
    reader.close()
    count = len(produced)
    import time

    time.sleep(0.3)
    assert len(produced) - count < 600
