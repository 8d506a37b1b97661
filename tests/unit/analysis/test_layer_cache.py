from __future__ import annotations

import io
import os

from tests.unit.analysis.analysis_archives import (
    File,
    docker_archive,
    image_config,
    layer_tar,
    oci_archive,
)
from workbench.analysis import layer_cache
from workbench.analysis.layer_cache import LayerEstimate, MemoryEstimates
from workbench.analysis.reader import read_archive

BASE = layer_tar([File("usr/lib/libbase.so", os.urandom(3000) + b"\0" * 20000)])
APP_A = layer_tar([File("app/a.py", b"a = 1\n" * 500)])
APP_B = layer_tar([File("app/b.py", b"b = 2\n" * 700)])


def _read(data: bytes, **kwargs):
    return read_archive(io.BytesIO(data), gzip_estimate=True, **kwargs)


def test_an_estimate_learned_from_one_export_serves_the_next_without_compressing():
    cache = MemoryEstimates()
    first = _read(docker_archive([BASE, APP_A]))
    cache.put(layer_cache.learned(first))
    assert set(cache.estimates) == set(first.diff_ids)
    assert cache.estimates[first.diff_ids[0]] == LayerEstimate(
        first.layers[0].gzip_bytes, None, first.layers[0].key
    )

    second_export = docker_archive([BASE, APP_B])
    full = _read(second_export)
    known = layer_cache.usable(cache.get(full.diff_ids), zstd=False)
    assert list(known) == [full.diff_ids[0]]  # the base is shared, APP_B is new
    skipped = layer_cache.export_keys(known)
    # the synthetic export names layer folders by content and position, as v1 ids are
    # by chain: the shared base sits under the same path in both exports
    assert first.layers[0].key in skipped
    partial = _read(second_export, skip_estimates=skipped)
    assert partial.layers[0].gzip_bytes is None  # read, not compressed
    assert partial.layers[1].gzip_bytes == full.layers[1].gzip_bytes
    assert layer_cache.learned(partial, skipped=skipped) == {
        full.diff_ids[1]: LayerEstimate(full.layers[1].gzip_bytes, None, full.layers[1].key)
    }
    filled = layer_cache.with_estimates(partial, known, zstd=False)
    assert [layer.gzip_bytes for layer in filled.layers] == [
        layer.gzip_bytes for layer in full.layers
    ]


def test_an_uncompressed_oci_blob_is_found_by_its_diff_id():
    tars = [BASE, APP_A]
    export = oci_archive(tars, config=image_config(tars), media="tar")
    full = _read(export)
    known = {full.diff_ids[0]: LayerEstimate(full.layers[0].gzip_bytes)}
    partial = _read(export, skip_estimates=layer_cache.export_keys(known))
    assert partial.layers[0].gzip_bytes is None
    filled = layer_cache.with_estimates(partial, known, zstd=False)
    assert [layer.gzip_bytes for layer in filled.layers] == [
        layer.gzip_bytes for layer in full.layers
    ]


def test_an_estimate_without_zstd_does_not_serve_a_zstd_analysis():
    known = {"sha256:1": LayerEstimate(10), "sha256:2": LayerEstimate(10, 8)}
    assert list(layer_cache.usable(known, zstd=True)) == ["sha256:2"]
    assert list(layer_cache.usable(known, zstd=False)) == ["sha256:1", "sha256:2"]


def test_the_store_keeps_estimates_by_diff_id_per_compression_level(tmp_path):
    from workbench.analysis.compress import GZIP_LEVEL
    from workbench.analysis.stored import StoredEstimates
    from workbench.store import Store

    store = Store(tmp_path / "store.db")
    kept = StoredEstimates(store)
    kept.put({"sha256:a": LayerEstimate(10, 8, "x/layer.tar"), "sha256:b": LayerEstimate(20)})
    assert StoredEstimates(store).get(["sha256:b", "sha256:a", "sha256:c"]) == {
        "sha256:b": LayerEstimate(20),
        "sha256:a": LayerEstimate(10, 8, "x/layer.tar"),
    }
    kind = f"estimate-v{layer_cache.ESTIMATE_VERSION}-zlib{GZIP_LEVEL}"
    assert store.layer_result("sha256:a", kind) is not None
    store.save_layer_result("sha256:c", kept.kind, {"gzip": 1})  # another version's shape
    assert StoredEstimates(store).get(["sha256:c"]) == {}
