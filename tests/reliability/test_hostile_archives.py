"""Hostile image exports: the analysis survives them, writes nothing, stays small.

Each case is a fault injected into the analysis; a crash is any exception other than
:class:`~workbench.errors.AnalysisError`.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.reliability.hostile import LAYER_MAKERS, ODD_CONFIGS, ODD_MANIFESTS, gzip_bomb_archive
from tests.reliability.hostile import tar as tar_of
from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Symlink,
    Whiteout,
    docker_archive,
    layer_tar,
    oci_archive,
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


# -- absurd members: analysed or refused, never a crash ------------------------------

HOSTILE_LAYERS = sorted(LAYER_MAKERS)


@pytest.mark.parametrize("kind", HOSTILE_LAYERS)
@pytest.mark.parametrize("layout", ["docker", "oci-gzip"])
def test_absurd_members_are_analysed_or_refused(faults, kind: str, layout: str) -> None:
    faults.inject(f"a layer of {kind} members ({layout})")
    rng = random.Random(kind)
    layers = [layer_tar([File("usr/lib/a.so", b"1234")]), LAYER_MAKERS[kind](rng)]
    data = docker_archive(layers) if layout == "docker" else oci_archive(layers, media="gzip")
    try:
        result = analyze_stream(data, compress=True)
    except AnalysisError as exc:
        assert "\n" not in str(exc)
        return
    assert result.size_bytes == sum(result.components.values())
    for layer in result.layers:
        assert layer.bytes >= 0


def test_dotdot_and_absolute_names_stay_inside_the_image(faults) -> None:
    faults.inject("../ and absolute member names")
    layer = layer_tar(
        [
            File("../../../etc/evil", b"x" * 10),
            File("/abs/olute", b"y"),
            File("a/../../b", b"z"),
            Symlink("usr/escape", "../../../../etc/shadow"),
        ]
    )
    result = analyze_stream(docker_archive([layer]), compress=False, top=50)
    paths = [item.path for detail in result.largest.values() for item in detail.largest_files]
    assert paths and all(".." not in path.split("/") for path in paths)
    assert {"/etc/evil", "/abs/olute", "/b"} <= set(paths)
    assert result.size_bytes == 10 + 1 + 1 + len("../../../../etc/shadow")


_WRITES: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _WRITES is None or event != "open":
        return
    path, mode, flags = args
    writing = (mode and any(c in mode for c in "wax+")) or (
        flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)
    )
    if writing:
        _WRITES.append(f"{path} ({mode or flags})")


sys.addaudithook(_audit)


def test_the_analysis_writes_nothing_to_disk(
    faults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file opened for writing, nothing new in the working or temporary folder."""
    global _WRITES
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir(), tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    rng = random.Random(8)
    cases = [LAYER_MAKERS[kind](rng) for kind in ("dotdot", "long-names", "tiny-files")]
    archives = [
        docker_archive([layer_tar([File("etc/passwd", b"root")]), *cases]),
        oci_archive(cases, media="zstd"),
    ]
    _WRITES = []
    try:
        for archive in archives:
            faults.inject("an export whose members name places outside the image")
            with contextlib.suppress(AnalysisError):
                analyze_stream(archive, compress=True, zstd=True)
        writes = list(_WRITES)
    finally:
        _WRITES = None
    assert writes == []
    assert list(cwd.iterdir()) == [] and list(tmp.iterdir()) == []


MEMORY_PROBE = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from tests.reliability.hostile import tiny_files_chunks
from workbench.analysis import analyze_stream
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
result = analyze_stream(tiny_files_chunks(int(sys.argv[2])), compress=False)
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(result.size_bytes, (after - before) // 1024, f"{seconds:.1f}")
"""


def test_many_tiny_files_keep_memory_bounded(faults) -> None:
    """200k entries, streamed: memory grows with per-entry metadata, never with content."""
    count = 200_000
    faults.inject(f"{count} tiny files in one layer")
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(REPO_ROOT), str(count)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    size, delta_mb, seconds = done.stdout.split()
    print(f"{count} tiny files: peak RSS +{delta_mb} MB in {seconds} s")
    assert int(size) == 0
    assert int(delta_mb) < 400  # ~0.6 kB per entry measured; a content copy would be far more


BOMB_PROBE = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from workbench.analysis import analyze_stream
archive = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
result = analyze_stream(archive, compress=True)
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(result.size_bytes, (after - before) // 1024, f"{seconds:.1f}")
"""


def test_a_decompression_bomb_layer_is_read_in_bounded_memory(faults) -> None:
    """A gzip layer expanding 1000-fold: streamed through, never held whole."""
    size = 150_000_000
    faults.inject(f"a gzip layer expanding to {size // 1_000_000} MB")
    archive = gzip_bomb_archive(size)
    done = subprocess.run(
        [sys.executable, "-c", BOMB_PROBE, str(REPO_ROOT)],
        input=archive,
        capture_output=True,
        check=True,
        timeout=300,
    )
    total, delta_mb, seconds = done.stdout.decode().split()
    print(f"a {len(archive)}-byte export expanding to {size}: +{delta_mb} MB in {seconds} s")
    assert int(total) == size
    assert int(delta_mb) < 100  # far below the 150 MB the layer expands to


def test_a_truncated_plain_layer_says_tar_once(faults) -> None:
    faults.inject("a plain layer tar cut short")
    layer = layer_tar([File("a", b"x" * 5000)])[:1000]
    with pytest.raises(AnalysisError, match=r"is not a readable tar \(") as caught:
        read_layer(io.BytesIO(layer), key="layer.tar", media="tar")
    assert "tar tar" not in str(caught.value)
