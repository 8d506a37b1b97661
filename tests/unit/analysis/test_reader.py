from __future__ import annotations

import io
import tarfile

import pytest

from tests.unit.analysis.analysis_archives import (
    Dir,
    Fifo,
    File,
    Hardlink,
    Opaque,
    Symlink,
    Whiteout,
    docker_archive,
    image_config,
    layer_tar,
    oci_archive,
)
from workbench.analysis.reader import (
    Entry,
    EntryKind,
    member_path,
    read_archive,
    read_layer,
    sniff_media,
)
from workbench.errors import AnalysisError

BASE = [
    Dir("usr"),
    Dir("usr/bin"),
    File("usr/bin/tool", b"x" * 700),
    Hardlink("usr/bin/tool2", "usr/bin/tool"),
    Symlink("usr/bin/t", "tool"),
    Fifo("run/fifo"),
]
UPPER = [
    Dir("usr"),
    Opaque("usr/bin"),
    Whiteout("usr/bin/t"),
    File("etc/conf", b"abc"),
]
BASE_ENTRIES = [
    Entry("usr", EntryKind.DIR),
    Entry("usr/bin", EntryKind.DIR),
    Entry("usr/bin/tool", EntryKind.FILE, 700),
    Entry("usr/bin/tool2", EntryKind.HARDLINK, 0, "usr/bin/tool"),
    Entry("usr/bin/t", EntryKind.SYMLINK, 4, "tool"),
    Entry("run/fifo", EntryKind.OTHER),
]
UPPER_ENTRIES = [
    Entry("usr", EntryKind.DIR),
    Entry("usr/bin", EntryKind.OPAQUE),
    Entry("usr/bin/t", EntryKind.WHITEOUT),
    Entry("etc/conf", EntryKind.FILE, 3),
]


def entries(archive) -> list[list[Entry]]:
    return [list(layer.entries) for layer in archive.layers]


def test_layer_entries_cover_every_kind():
    layer = read_layer(io.BytesIO(layer_tar(BASE + UPPER)))
    assert list(layer.entries) == BASE_ENTRIES + UPPER_ENTRIES
    assert layer.media == "tar"


def test_names_are_normalised_and_the_root_skipped():
    tar = layer_tar([Dir("."), File("./a/b", b"1"), Hardlink("./a/c", "./a/b")])
    assert list(read_layer(io.BytesIO(tar)).entries) == [
        Entry("a/b", EntryKind.FILE, 1),
        Entry("a/c", EntryKind.HARDLINK, 0, "a/b"),
    ]
    assert member_path("./x/../y//z/") == "y/z"
    assert member_path("/") == ""


def test_symlink_size_counts_bytes_of_a_non_ascii_target():
    layer = read_layer(io.BytesIO(layer_tar([Symlink("l", "caf\u00e9")])))
    assert layer.entries == (Entry("l", EntryKind.SYMLINK, 5, "caf\u00e9"),)


def test_aufs_metadata_markers_are_dropped():
    tar = layer_tar([File(".wh..wh.plnk/123.4"), File(".wh..wh.aufs"), File("keep", b"k")])
    assert read_layer(io.BytesIO(tar)).entries[-1:] == (Entry("keep", EntryKind.FILE, 1),)
    assert [e.path for e in read_layer(io.BytesIO(tar)).entries] == [".wh..wh.plnk/123.4", "keep"]


@pytest.mark.parametrize("media", ["tar", "gzip", "zstd"])
def test_compressed_layers_give_the_same_entries(media):
    from tests.unit.analysis.analysis_archives import compress

    data = compress(layer_tar(BASE), media)
    layer = read_layer(io.BytesIO(data))
    assert layer.media == media
    assert list(layer.entries) == BASE_ENTRIES


def test_capture_keeps_only_what_is_asked():
    tar = layer_tar([File("a/RECORD", b"r" * 50), File("b", b"bbb")])
    layer = read_layer(io.BytesIO(tar), capture=lambda p: 10 if p.endswith("RECORD") else 0)
    assert layer.captured == {"a/RECORD": b"r" * 10}


def test_docker_archive_with_manifest_last_and_first_read_alike():
    layers = [layer_tar(BASE), layer_tar(UPPER)]
    last = read_archive(io.BytesIO(docker_archive(layers, manifest_last=True)))
    first = read_archive(io.BytesIO(docker_archive(layers, manifest_last=False)))
    assert entries(last) == entries(first) == [BASE_ENTRIES, UPPER_ENTRIES]
    assert last.layout == "docker-archive"
    assert last.tags == ("test/image:latest",)
    assert last.image_id.startswith("sha256:")
    assert last.diff_ids == tuple(image_config(layers)["rootfs"]["diff_ids"])


def test_layer_order_comes_from_the_manifest_not_the_stream():
    # layer folders are written in name order; the manifest decides the stacking order
    layers = [layer_tar([File(f"f{i}", b"x" * i)]) for i in range(1, 6)]
    archive = read_archive(io.BytesIO(docker_archive(layers)))
    assert [layer.entries[0].path for layer in archive.layers] == ["f1", "f2", "f3", "f4", "f5"]


def test_a_layer_listed_twice_is_read_once_and_used_twice():
    layers = [layer_tar(BASE), layer_tar(UPPER), layer_tar(BASE)]
    archive = read_archive(io.BytesIO(docker_archive(layers, symlink_duplicates=True)))
    assert entries(archive) == [BASE_ENTRIES, UPPER_ENTRIES, BASE_ENTRIES]


@pytest.mark.parametrize("media", ["gzip", "zstd", "tar", ["zstd", "gzip"]])
@pytest.mark.parametrize("index_last", [True, False])
def test_oci_layout(media, index_last):
    layers = [layer_tar(BASE), layer_tar(UPPER)]
    archive = read_archive(io.BytesIO(oci_archive(layers, media=media, index_last=index_last)))
    assert archive.layout == "oci"
    assert entries(archive) == [BASE_ENTRIES, UPPER_ENTRIES]
    assert archive.tags == ("test/image:latest",)
    expected = [media] * 2 if isinstance(media, str) else media
    assert [layer.media for layer in archive.layers] == expected


def test_oci_layout_with_a_docker_manifest_too():
    layers = [layer_tar(BASE), layer_tar(UPPER)]
    archive = read_archive(io.BytesIO(oci_archive(layers, with_docker_manifest=True)))
    assert entries(archive) == [BASE_ENTRIES, UPPER_ENTRIES]
    assert archive.layout == "oci"


def test_estimates_are_made_while_reading():
    tar = layer_tar([File("a", b"hello " * 10000)])
    layer = read_layer(io.BytesIO(tar), gzip_estimate=True, zstd_estimate=True)
    assert layer.tar_bytes == len(tar)
    assert 0 < layer.gzip_bytes < len(tar) // 10
    assert 0 < layer.zstd_bytes < len(tar) // 10


def test_an_empty_layer_has_no_entries():
    assert read_layer(io.BytesIO(b"\0" * 1024)).entries == ()
    assert read_layer(io.BytesIO(b"")).entries == ()


def test_not_an_export_is_an_analysis_error():
    with pytest.raises(AnalysisError, match="neither manifest.json nor index.json"):
        read_archive(io.BytesIO(layer_tar([File("a", b"1")])))
    with pytest.raises(AnalysisError, match="not a readable tar|empty"):
        read_archive(io.BytesIO(b"this is not a tar" * 100))


def test_a_missing_layer_is_an_analysis_error():
    archive = docker_archive([layer_tar(BASE)])
    broken = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive)) as src,
        tarfile.open(fileobj=broken, mode="w") as dst,
    ):
        for member in src.getmembers():
            if not member.name.endswith("layer.tar"):
                dst.addfile(member, src.extractfile(member))
    with pytest.raises(AnalysisError, match="lacks 1 layer"):
        read_archive(io.BytesIO(broken.getvalue()))


def test_a_corrupt_gzip_layer_is_an_analysis_error():
    from tests.unit.analysis.analysis_archives import compress

    data = compress(layer_tar(BASE), "gzip")
    with pytest.raises(AnalysisError, match="not a readable gzip tar"):
        read_layer(io.BytesIO(data[: len(data) // 2]), key="l")


def test_sniff_media():
    assert sniff_media(b"\x1f\x8b\x08") == "gzip"
    assert sniff_media(b"\x28\xb5\x2f\xfd") == "zstd"
    assert sniff_media(layer_tar([File("a")])[:512]) == "tar"
    assert sniff_media(b"\0" * 512) == "tar"
    assert sniff_media(b'{"a": 1}') is None
