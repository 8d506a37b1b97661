"""Hostile image exports: the analysis survives them, writes nothing, stays small.

Each case is a fault injected into the analysis; a crash is any exception other than
:class:`~workbench.errors.AnalysisError`.
"""

from __future__ import annotations

import gzip
import io

import pytest

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Whiteout,
    docker_archive,
    layer_tar,
)
from workbench.analysis import analyze_stream
from workbench.analysis.reader import read_layer
from workbench.errors import AnalysisError


def test_a_tree_thousands_of_folders_deep_is_analysed(faults) -> None:
    faults.inject("a layer nesting 3000 folders deep")
    deep = "/".join(["d"] * 3000)
    lower = layer_tar([Dir(deep), File(deep + "/leaf", b"12345")])
    upper = layer_tar([Whiteout(deep + "/leaf"), File(deep + "/new", b"xy")])
    result = analyze_stream(docker_archive([lower, upper]), compress=False)
    assert result.size_bytes == 7
    assert result.final_bytes == 2


def test_a_gzip_layer_with_a_corrupt_deflate_stream_is_an_analysis_error(faults) -> None:
    faults.inject("a gzip layer whose deflate stream is corrupt")
    layer = layer_tar([File(f"f{i}", bytes(range(256)) * 20) for i in range(20)])
    broken = bytearray(gzip.compress(layer, mtime=0))
    broken[20] ^= 0xFF
    with pytest.raises(AnalysisError, match="not a readable gzip tar"):
        read_layer(io.BytesIO(bytes(broken)), key="layer", media="gzip")
