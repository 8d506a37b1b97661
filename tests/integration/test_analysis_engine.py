"""The analysis against the real engine: Size to the byte, and what a container sees.

A tiny image is built here with the classic builder (the SDK's build API) FROM the
python stand-in: a small virtualenv with a fake distribution, a deleted file whose
hardlink survives, an overwritten file, a deleted folder, a folder made opaque, a
symlink.  The classic builder's layers count symlink lengths in the engine's Size,
like ``docker export`` does; the same Dockerfile built by BuildKit gives layers whose
Size (engine 20.10) leaves them out, and the analysis follows the engine there too.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from dataclasses import replace
from pathlib import Path

import docker
import pytest

from workbench.analysis import analyze_image
from workbench.analysis.layer_cache import MemoryEstimates
from workbench.analysis.merge import merge_layers
from workbench.analysis.reader import EntryKind, read_archive
from workbench.analysis.streams import ChunkReader
from workbench.errors import AnalysisError

pytestmark = pytest.mark.docker

TAG = "workbench-test/analysis:tiny"
BUILDKIT_TAG = "workbench-test/analysis:tiny-buildkit"
BUILDKIT_CLI = "/usr/bin/docker"
DEMO_METADATA = "Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n"
DEMO_RECORD = (
    "demo/__init__.py,,\\ndemo/core.bin,,\\ndemo-1.0.dist-info/METADATA,,\\n"
    "demo-1.0.dist-info/RECORD,,\\n"
)
DOCKERFILE = f"""\
FROM python:3.11-slim-bookworm
RUN python3 -m venv --without-pip /opt/venv \\
 && SP=$(echo /opt/venv/lib/python3*/site-packages) \\
 && mkdir -p $SP/demo $SP/demo-1.0.dist-info \\
 && head -c 30000 /dev/urandom > $SP/demo/core.bin \\
 && printf 'x = 1\\n' > $SP/demo/__init__.py \\
 && printf '{DEMO_METADATA}' > $SP/demo-1.0.dist-info/METADATA \\
 && printf '{DEMO_RECORD}' > $SP/demo-1.0.dist-info/RECORD \\
 && mkdir -p /app/data /app/gone /app/opq \\
 && head -c 200000 /dev/urandom > /app/data/big.bin \\
 && ln /app/data/big.bin /app/data/big.hard \\
 && echo one > /app/data/keep.txt && ln -s /app/data/keep.txt /app/link \\
 && echo x > /app/gone/a && echo y > /app/gone/b \\
 && echo o1 > /app/opq/old1 && echo o2 > /app/opq/old2
RUN rm /app/data/big.bin && echo changed-content > /app/data/keep.txt && rm -rf /app/gone \\
 && rm -rf /app/opq && mkdir /app/opq && echo new > /app/opq/new
WORKDIR /app
RUN echo 'print("hi")' > /app/main.py
"""
INIT_PATHS = {".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab"}


def _is_init(path: str) -> bool:
    return path in INIT_PATHS or path.startswith("dev/")


@pytest.fixture(scope="module")
def tiny_image(docker_client: docker.DockerClient, stand_ins) -> str:
    docker_client.images.build(fileobj=io.BytesIO(DOCKERFILE.encode()), tag=TAG, rm=True)
    yield TAG
    docker_client.images.remove(TAG, force=True)


@pytest.fixture(scope="module")
def buildkit_image(docker_client: docker.DockerClient, stand_ins) -> str:
    """The same Dockerfile built by BuildKit (Debian's 20.10 CLI): engine 20.10 records
    its layers' sizes without their symlinks."""
    subprocess.run(
        [BUILDKIT_CLI, "build", "--no-cache", "-t", BUILDKIT_TAG, "-"],
        input=DOCKERFILE.encode(),
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
        check=True,
        capture_output=True,
    )
    yield BUILDKIT_TAG
    docker_client.images.remove(BUILDKIT_TAG, force=True)


@pytest.fixture(scope="module")
def exported(docker_client: docker.DockerClient, tiny_image: str) -> dict[str, tuple[str, int]]:
    return _container_files(docker_client, tiny_image)


def _container_files(docker_client: docker.DockerClient, image: str) -> dict[str, tuple[str, int]]:
    """What ``docker export`` of a created container holds: path -> (kind, bytes)."""
    container = docker_client.containers.create(image)
    try:
        files: dict[str, tuple[str, int]] = {}
        stream = ChunkReader(docker_client.api.export(container.id))
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                path = member.name.strip("/")
                if member.isdir() or _is_init(path):
                    continue
                if member.issym():
                    files[path] = ("symlink", len(member.linkname.encode()))
                elif member.islnk():
                    files[path] = ("hardlink", 0)
                else:
                    files[path] = ("file", member.size)
        return files
    finally:
        container.remove(force=True)


def test_components_add_up_to_the_engines_size(docker_client, tiny_image):
    result = analyze_image(docker_client, tiny_image)
    inspect = docker_client.api.inspect_image(tiny_image)
    assert result.size_bytes == inspect["Size"] == result.engine_size_bytes
    assert sum(result.components.values()) == result.size_bytes
    assert sum(result.plan_view.values()) == result.size_bytes
    assert result.final_bytes == result.size_bytes - result.components["shadowed"]
    assert [layer.bytes for layer in result.layers] == [
        layer.engine_bytes for layer in result.layers
    ]
    assert result.engine_size_note == ""
    assert result.image_id == inspect["Id"]
    assert result.tags == (TAG,)
    assert result.stand_in_base == "python:3.11-slim-bookworm"
    assert all(layer.gzip_bytes for layer in result.layers)
    assert result.compressed.gzip_bytes == sum(layer.gzip_bytes for layer in result.layers)


@pytest.mark.parametrize("source", ["export", "overlay2"])
def test_a_buildkit_image_matches_the_engines_size_and_the_containers_bytes(
    docker_client, buildkit_image, source
):
    result = analyze_image(docker_client, buildkit_image, compress=False, source=source)
    inspect = docker_client.api.inspect_image(buildkit_image)
    assert result.size_bytes == inspect["Size"] == result.engine_size_bytes
    assert sum(result.components.values()) == result.size_bytes
    assert sum(result.plan_view.values()) == result.size_bytes
    assert [layer.bytes for layer in result.layers] == [
        layer.engine_bytes for layer in result.layers
    ]
    made_by_buildkit = [layer for layer in result.layers if not layer.symlinks_counted]
    assert made_by_buildkit and all("RUN" in layer.created_by for layer in made_by_buildkit)
    assert result.layers[0].symlinks_counted  # the stand-in base was imported from a tar
    assert result.uncounted_symlink_bytes >= len("/app/data/keep.txt")
    assert "leaves out" in result.engine_size_note

    files = _container_files(docker_client, buildkit_image)
    merged = merge_layers(
        [
            layer.entries
            for layer in read_archive(
                ChunkReader(docker_client.api.get_image(buildkit_image))
            ).layers
        ]
    )
    init = sum(merged.groups[g].bytes for p, g in merged.final.items() if _is_init(p))
    assert result.final_bytes - init == sum(b for _, b in files.values())
    assert result.final_bytes == (
        result.size_bytes - result.components["shadowed"] + result.uncounted_symlink_bytes
    )


def test_the_layers_hold_every_rule_under_test(docker_client, tiny_image):
    archive = read_archive(ChunkReader(docker_client.api.get_image(tiny_image)))
    kinds = {(e.kind, e.path) for layer in archive.layers[-3:] for e in layer.entries}
    assert (EntryKind.HARDLINK, "app/data/big.hard") in kinds
    assert (EntryKind.WHITEOUT, "app/data/big.bin") in kinds
    assert (EntryKind.WHITEOUT, "app/gone") in kinds
    assert (EntryKind.OPAQUE, "app/opq") in kinds
    assert (EntryKind.SYMLINK, "app/link") in kinds


@pytest.mark.parametrize("source", ["export", "overlay2"])
def test_final_bytes_are_what_a_container_holds(docker_client, tiny_image, exported, source):
    archive = read_archive(ChunkReader(docker_client.api.get_image(tiny_image)))
    merged = merge_layers([layer.entries for layer in archive.layers])
    ours = {p: g for p, g in merged.final.items() if not _is_init(p)}
    assert set(ours) == set(exported)
    groups = {g for g in ours.values()}
    assert sum(merged.groups[g].bytes for g in groups) == sum(b for _, b in exported.values())
    for path, (kind, size) in exported.items():
        group = merged.groups[ours[path]]
        if kind == "symlink" or (kind == "file" and group.path == path):
            assert group.bytes == size, path
    assert exported["app/data/big.hard"] == ("file", 200000)  # its first path was deleted
    assert exported["app/opq/new"] == ("file", 4)
    assert "app/opq/old1" not in exported and "app/gone/a" not in exported

    result = analyze_image(docker_client, tiny_image, compress=False, source=source)
    init = sum(merged.groups[g].bytes for p, g in merged.final.items() if _is_init(p))
    assert result.final_bytes - init == sum(b for _, b in exported.values())


@pytest.mark.parametrize("source", ["export", "overlay2"])
def test_the_virtualenv_holds_what_the_container_sees(docker_client, tiny_image, exported, source):
    result = analyze_image(docker_client, tiny_image, compress=False, top=10_000, source=source)
    venv = {p.path: p.bytes for p in result.largest["python_dependencies"].largest_dirs}
    in_export = sum(b for p, (_, b) in exported.items() if p.startswith("opt/venv/"))
    assert venv["/opt/venv"] == in_export
    assert result.virtualenvs == ("/opt/venv",)
    demo = [p for p in result.python_packages if p.name == "demo"]
    assert len(demo) == 1
    record = exported[f"{demo[0].location.strip('/')}/demo-1.0.dist-info/RECORD"][1]
    assert (demo[0].version, demo[0].bytes, demo[0].files) == (
        "1.0",
        30000 + 6 + len(DEMO_METADATA.replace("\\n", "\n")) + record,
        4,
    )
    assert result.app_paths == ("/app",)
    assert result.components["application_code"] == 200000 + 16 + 18 + 4 + 12
    assert result.debian_packages and result.debian_packages[0].bytes > 0


def test_dive_agrees_on_efficiency_and_wasted_bytes(docker_client, tiny_image, tmp_path):
    dive = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "dive"
    out = tmp_path / "dive.json"
    subprocess.run(
        [str(dive), "--ci", "--json", str(out), tiny_image], check=False, capture_output=True
    )
    figures = json.loads(out.read_text())["image"]
    result = analyze_image(docker_client, tiny_image, compress=False)
    assert result.wasted_bytes == figures["inefficientBytes"]
    assert result.efficiency == pytest.approx(figures["efficiencyScore"], abs=1e-12)


def test_the_overlay2_folders_give_the_same_analysis_as_the_export(docker_client, tiny_image):
    exported = analyze_image(docker_client, tiny_image, compress=False, source="export")
    folders = analyze_image(docker_client, tiny_image, compress=False, source="overlay2")
    automatic = analyze_image(docker_client, tiny_image, compress=False)
    assert (exported.layout, folders.layout, automatic.layout) == (
        "docker-archive",
        "overlay2",
        "overlay2",
    )
    assert replace(folders, layout=exported.layout) == exported
    assert analyze_image(docker_client, tiny_image).layout == "docker-archive"  # gzip asked
    with pytest.raises(AnalysisError, match="need the export"):
        analyze_image(docker_client, tiny_image, source="overlay2")


class RecordingEstimates(MemoryEstimates):
    """Remembers what each analysis added: the layers it compressed."""

    def __init__(self) -> None:
        super().__init__()
        self.added: list[set[str]] = []

    def put(self, estimates):
        self.added.append(set(estimates))
        super().put(estimates)


def test_layers_an_earlier_analysis_compressed_are_not_compressed_again(
    docker_client, tiny_image, buildkit_image
):
    cache = RecordingEstimates()
    first = analyze_image(docker_client, tiny_image, estimates=cache)
    assert cache.added == [{layer.diff_id for layer in first.layers}]

    cold = analyze_image(docker_client, buildkit_image)  # no cache: every layer compressed
    warm = analyze_image(docker_client, buildkit_image, estimates=cache)
    shared = {layer.diff_id for layer in first.layers} & {layer.diff_id for layer in cold.layers}
    assert shared  # the stand-in base's layers
    assert cache.added[1] == {layer.diff_id for layer in cold.layers} - shared
    assert warm == cold

    again = analyze_image(docker_client, buildkit_image, estimates=cache)
    assert cache.added[2] == set()
    assert again.layout == "overlay2"  # every estimate known: no export needed
    assert replace(again, layout=warm.layout) == warm
