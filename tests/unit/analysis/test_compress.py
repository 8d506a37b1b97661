from __future__ import annotations

import gzip
import os
import zlib

import pytest

from workbench.analysis import compress
from workbench.analysis.compress import GZIP_LEVEL, GzipEstimator, ZstdEstimator


def feed(estimator, data: bytes, piece: int = 10_000) -> int:
    for i in range(0, len(data), piece):
        estimator.feed(data[i : i + piece])
    return estimator.finish()


def test_one_block_is_exactly_zlib_level_4_with_gzip_framing():
    data = b"the quick brown fox " * 5000
    deflate = zlib.compressobj(4, zlib.DEFLATED, -zlib.MAX_WBITS)
    expected = len(deflate.compress(data) + deflate.flush()) + 18
    assert feed(GzipEstimator(), data) == expected
    assert expected == len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def test_blocks_cost_almost_nothing(monkeypatch):
    monkeypatch.setattr(compress, "BLOCK_SIZE", 64 * 1024)
    data = b"".join(os.urandom(1000) + b"\0" * 3000 for _ in range(200))
    whole = len(gzip.compress(data, compresslevel=GZIP_LEVEL))
    assert feed(GzipEstimator(), data) == pytest.approx(whole, rel=0.01)


def test_nothing_fed_is_an_empty_gzip():
    assert GzipEstimator().finish() == 18
    assert ZstdEstimator().finish() == 0


def test_zstd_estimate_compresses():
    data = b"abc" * 100_000
    assert 0 < feed(ZstdEstimator(), data) < len(data) // 100


def test_the_estimate_does_not_depend_on_how_the_stream_is_cut(monkeypatch):
    monkeypatch.setattr(compress, "BLOCK_SIZE", 4096)
    data = b"".join(os.urandom(100) + b"a" * 900 for _ in range(100))
    assert feed(GzipEstimator(), data, 1) == feed(GzipEstimator(), data, 777)
    assert feed(GzipEstimator(), data, 5000) == feed(GzipEstimator(), data, 10**6)
