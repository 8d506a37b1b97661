"""Hostile image exports: the analysis survives them, writes nothing, stays small.

Each case is a fault injected into the analysis; a crash is any exception other than
:class:`~workbench.errors.AnalysisError`.
"""

from __future__ import annotations

import gzip
import io
import json

import pytest

from tests.reliability.hostile import ODD_CONFIGS, ODD_MANIFESTS
from tests.reliability.hostile import tar as tar_of
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


@pytest.mark.parametrize("manifest", ODD_MANIFESTS, ids=repr)
def test_a_manifest_of_the_wrong_shape_is_an_analysis_error(faults, manifest: object) -> None:
    faults.inject(f"manifest.json of the wrong shape: {manifest!r}")
    layer = layer_tar([File("a", b"1")])
    config = {"rootfs": {"diff_ids": ["sha256:0"]}, "history": [{}]}
    data = tar_of(
        [("l/layer.tar", layer), ("cfg.json", json.dumps(config).encode())]
        + [("manifest.json", json.dumps(manifest).encode())]
    )
    try:
        result = analyze_stream(data, compress=False)
    except AnalysisError as exc:
        assert "\n" not in str(exc)
    else:  # a name like ../../cfg.json normalises to cfg.json: a fine export
        assert result.size_bytes == 1


@pytest.mark.parametrize("config", ODD_CONFIGS, ids=repr)
def test_an_image_config_of_the_wrong_shape_is_an_analysis_error(faults, config: object) -> None:
    faults.inject(f"an image config of the wrong shape: {config!r}")
    manifest = [{"Config": "cfg.json", "Layers": ["l/layer.tar"]}]
    data = tar_of(
        [("l/layer.tar", layer_tar([File("a", b"1")]))]
        + [("cfg.json", json.dumps(config).encode())]
        + [("manifest.json", json.dumps(manifest).encode())]
    )
    with pytest.raises(AnalysisError, match="unexpected shape; export the image again"):
        analyze_stream(data, compress=False)
